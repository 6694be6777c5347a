//! The triage classifier: category, impact and urgency with confidence and
//! the signals that drove each decision.
//!
//! Three logistic regressions share one feature extractor: stemmed words,
//! concept groups, handbook cue phrases, structural signals (error code,
//! question, head count, channel, the server's priority field). They are
//! trained on seed examples (the labeled set shipped with the app) plus the
//! user's own corrections, which weigh more in the nearest-neighbour vote
//! ([`CORRECTION_WEIGHT`]).
//!
//! When sentence embeddings are on ([`super::embed`]), the ticket's 384-d
//! vector joins the features (`emb:0..383`, scaled by [`EMBED_WEIGHT`]);
//! together they are shown as one signal, "meaning of the whole text".

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use serde::{Deserialize, Serialize};

use super::intake::{stated_signal, Intake};
use super::knn::Neighbours;
use super::learn::{Example, LogReg, TrainConfig, Vocab};
use super::lexicon;
use super::priority::{Impact, PriorityMatrix, Urgency};
use super::embed::DIM;
use super::text::{analyze, Analyzed};
use crate::model::Category;

/// How much one shipped seed example weighs in training.
pub const SEED_WEIGHT: f32 = 1.0;

/// How much one user correction weighs against one seed example in the
/// nearest-neighbour vote: a ticket worded like a corrected one follows the
/// correction at once. The regressions count every example once, seed or
/// correction (`examples`): at 4 there, the first dozens of corrections of a
/// new go-live made its triage *worse* (category macro-F1 0.59 → 0.48 after
/// 50, in both directions between the dev and held-out sets; `hypercare
/// triage evaluate FILE --seed SEED --curve`), because a few tickets' domain
/// words outweighed the seed.
pub const CORRECTION_WEIGHT: f32 = 4.0;

/// What the classifier reads of a ticket.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TicketText {
    pub title: String,
    pub description: String,
    /// `ticket`, `chat`, `email`, `phone`, `survey` (or the tracker name).
    pub channel: Option<String>,
    /// The server's own priority field ("Urgent", "Low", ...), if any.
    pub server_priority: Option<String>,
    /// Impact and urgency stated in the ticket's fields at intake: they
    /// decide over the text ([`super::intake`]).
    #[serde(default, skip_serializing_if = "Intake::is_empty")]
    pub intake: Intake,
}

/// A labeled example for training (seed data or a user correction).
#[derive(Debug, Clone)]
pub struct Labeled {
    pub text: TicketText,
    pub category: Option<Category>,
    pub impact: Option<Impact>,
    pub urgency: Option<Urgency>,
    /// Weight in the nearest-neighbour vote ([`SEED_WEIGHT`] or
    /// [`CORRECTION_WEIGHT`]); the regressions count every example once.
    pub weight: f32,
}

/// The automatic triage of one ticket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub category: Category,
    pub confidence: f32,
    pub impact: Impact,
    pub urgency: Urgency,
    /// Human-readable reasons, strongest first.
    pub signals: Vec<String>,
    /// Class probabilities (Category::ALL, Impact::ALL, Urgency::ALL order).
    #[serde(skip)]
    pub probs: (Vec<f32>, Vec<f32>, Vec<f32>),
}

/// One automaton over every cue phrase of the lexicon: (table, group, cue).
type CueMatcher = (Option<AhoCorasick>, Vec<(usize, &'static str, &'static str)>);

fn cue_matcher() -> &'static CueMatcher {
    static M: OnceLock<CueMatcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut meta = Vec::new();
        for (t, table) in [lexicon::CATEGORY_CUES, lexicon::IMPACT_CUES, lexicon::URGENCY_CUES].iter().enumerate() {
            for (group, cues) in table.iter() {
                for c in cues.iter() {
                    meta.push((t, *group, *c));
                }
            }
        }
        // Built from constant phrases; it cannot fail in practice.
        let ac = AhoCorasick::new(meta.iter().map(|m| m.2)).ok();
        (ac, meta)
    })
}

/// Cue phrases found in `lower` (padded with spaces so word-edge cues match
/// at the start and end): (table, group, cue), each once.
fn cue_hits(lower: &str) -> Vec<(usize, &'static str, &'static str)> {
    let (Some(ac), meta) = cue_matcher() else { return Vec::new() };
    let padded = format!(" {lower} ");
    let mut seen = vec![false; meta.len()];
    let mut out = Vec::new();
    for m in ac.find_overlapping_iter(&padded) {
        let i = m.pattern().as_usize();
        if !seen[i] {
            seen[i] = true;
            out.push(meta[i]);
        }
    }
    out.sort_unstable();
    out
}

fn bucket(n: u32) -> &'static str {
    match n {
        0..=1 => "1",
        2..=5 => "2-5",
        6..=20 => "6-20",
        21..=99 => "21-99",
        _ => "100+",
    }
}

/// Emit the named features of an analysed ticket to `sink(name, value)`.
/// Names are built in one reused buffer: no allocation per feature.
pub fn features(a: &Analyzed, t: &TicketText, sink: &mut impl FnMut(&str, f32)) {
    let mut buf = String::with_capacity(64);
    let mut emit = |prefix: &str, body: &str, v: f32| {
        buf.clear();
        buf.push_str(prefix);
        buf.push_str(body);
        sink(&buf, v);
    };
    let norm = 1.0 / (a.terms.len().max(1) as f32).sqrt();
    let mut seen: Vec<&str> = Vec::with_capacity(a.terms.len());
    for w in &a.terms {
        if !seen.contains(&w.as_str()) {
            seen.push(w);
            emit("word:", w, norm);
        }
    }
    for w in &a.title_terms {
        emit("title:", w, 0.5);
    }
    for c in &a.concepts {
        emit("concept:", c, 0.7);
    }
    let hits = cue_hits(&a.lower);
    let mut start = 0;
    while start < hits.len() {
        let (t, g, _) = hits[start];
        let end = hits[start..].iter().position(|h| (h.0, h.1) != (t, g)).map_or(hits.len(), |p| start + p);
        emit("cues:", g, ((end - start) as f32).sqrt() * 0.7);
        for h in &hits[start..end] {
            emit("cue:", h.2.trim(), 0.7);
        }
        start = end;
    }
    if a.error_code {
        emit("signal:", "error code", 1.0);
    }
    if a.lower_title.contains('?') || a.lower.starts_with("how ") || a.lower.contains("\nhow ") {
        emit("signal:", "question", 1.0);
    }
    if let Some(n) = a.head_count {
        emit("signal:people ", bucket(n), 1.0);
    }
    if let Some(ch) = t.channel.as_deref().filter(|c| !c.is_empty()) {
        emit("channel:", &ch.to_lowercase(), 1.0);
    }
    if let Some(p) = t.server_priority.as_deref().filter(|p| !p.is_empty()) {
        emit("field priority:", &p.to_lowercase(), 1.0);
    }
    emit("bias", "", 1.0);
}

/// Turn a feature name into the sentence shown to users.
pub fn describe(feature: &str) -> String {
    match feature.split_once(':') {
        Some(("word", w)) | Some(("title", w)) => format!("word \u{201c}{w}\u{2026}\u{201d}"),
        Some(("concept", c)) => format!("mentions {}", c.replace('_', " ")),
        Some(("cues", g)) => format!("phrasing typical of {}", cue_group(g)),
        Some(("cue", c)) => format!("says \u{201c}{c}\u{201d}"),
        Some(("signal", s)) => match s.strip_prefix("people ") {
            Some("1") => "mentions one person".to_string(),
            Some(n) => format!("mentions {n} people"),
            None => s.to_string(),
        },
        Some(("field priority", p)) => format!("priority \u{201c}{p}\u{201d} on the server"),
        Some(("channel", c)) => format!("came in by {c}"),
        Some((k, v)) => format!("{k} {v}"),
        None => feature.to_string(),
    }
}

/// A cue group of the lexicon as people say it: a category ("integration"),
/// an impact level ("a department-wide impact") or an urgency level ("high
/// urgency"); the level names alone ("department", "high") read as noise.
fn cue_group(g: &str) -> String {
    if let Some(i) = Impact::parse(g) {
        return match i {
            Impact::SingleUser => "a single-user impact",
            Impact::Team => "a team-wide impact",
            Impact::Department => "a department-wide impact",
            Impact::Organization => "an organization-wide impact",
        }
        .to_string();
    }
    match Urgency::parse(g) {
        Some(u) => format!("{} urgency", u.as_str()),
        None => g.replace('_', " "),
    }
}

/// The three trained models.
#[derive(Debug, Clone)]
pub struct Triager {
    vocab: Vocab,
    category: LogReg,
    impact: LogReg,
    urgency: LogReg,
    neighbours: Neighbours,
    /// Trained with sentence embeddings (feature ids 0..DIM are `emb:k`).
    embedded: bool,
}

/// Scale of the embedding features against the word features (a unit
/// vector ×4: chosen by 5-fold cross-validation on the dev set, where 3–6
/// score alike for the category and 1–2 clearly lower).
pub const EMBED_WEIGHT: f32 = 4.0;

/// Push the embedding features (ids 0..DIM) of a ticket.
fn embedding_features(f: &mut Vec<(usize, f32)>, emb: Option<&[f32]>) {
    if let Some(e) = emb.filter(|e| e.len() == DIM) {
        f.extend(e.iter().enumerate().map(|(k, v)| (k, v * EMBED_WEIGHT)));
    }
}

/// Share of the nearest-neighbour vote in the final probabilities
/// (chosen by cross-validation on the dev set).
pub const KNN_MIX: f32 = 0.4;

/// Training examples for one task, with class-balanced weights (rare
/// classes such as critical bugs weigh more; `power` 0 = unweighted,
/// 1 = fully balanced). Every example counts once whatever its
/// [`Labeled::weight`], which is for the neighbour vote only (see
/// [`CORRECTION_WEIGHT`]).
fn examples<T: Copy>(data: &[(Vec<(usize, f32)>, &Labeled)], pick: impl Fn(&Labeled) -> Option<T>, index: impl Fn(T) -> usize, classes: usize, power: f32) -> Vec<Example> {
    let mut out: Vec<Example> = data
        .iter()
        .filter_map(|(f, l)| pick(l).map(|v| Example { features: f.clone(), label: index(v), weight: SEED_WEIGHT }))
        .collect();
    let mut count = vec![0.0f32; classes];
    for e in &out {
        count[e.label.min(classes - 1)] += 1.0;
    }
    let mean = out.len() as f32 / classes as f32;
    for e in out.iter_mut() {
        e.weight *= (mean / count[e.label.min(classes - 1)].max(1.0)).powf(power);
    }
    out
}

impl Triager {
    /// Train on labeled examples (seed data and corrections), words only.
    pub fn train(data: &[Labeled]) -> Triager {
        Triager::train_with(data, &vec![None; data.len()])
    }

    /// Train on labeled examples with their sentence embeddings (`None`
    /// where a text has none). Embeddings are used only if every example
    /// has one.
    pub fn train_with(data: &[Labeled], embeddings: &[Option<&[f32]>]) -> Triager {
        let analyzed: Vec<Analyzed> = data.iter().map(|l| analyze(&l.text.title, &l.text.description)).collect();
        let embedded = !data.is_empty() && embeddings.len() == data.len() && embeddings.iter().all(|e| e.is_some_and(|e| e.len() == DIM));
        let mut vocab = Vocab::default();
        if embedded {
            for k in 0..DIM {
                vocab.intern(&format!("emb:{k}"));
            }
        }
        let feats: Vec<(Vec<(usize, f32)>, &Labeled)> = data
            .iter()
            .zip(&analyzed)
            .enumerate()
            .map(|(i, (l, a))| {
                let mut f = Vec::new();
                if embedded {
                    embedding_features(&mut f, embeddings[i]);
                }
                features(a, &l.text, &mut |name, v| f.push((vocab.intern(name), v)));
                (f, l)
            })
            .collect();
        let nf = vocab.len();
        let cat_of = |c: Category| Category::ALL.iter().position(|x| *x == c).unwrap_or(0);
        let nb_examples: Vec<(&Analyzed, [Option<usize>; 3], f32)> = data
            .iter()
            .zip(&analyzed)
            .map(|(l, a)| (a, [l.category.map(cat_of), l.impact.map(Impact::index), l.urgency.map(Urgency::index)], l.weight))
            .collect();
        let cfg = TrainConfig::default();
        Triager {
            category: LogReg::train(&examples(&feats, |l| l.category, cat_of, 10, 0.5), nf, 10, cfg),
            impact: LogReg::train(&examples(&feats, |l| l.impact, Impact::index, 4, 0.0), nf, 4, cfg),
            urgency: LogReg::train(&examples(&feats, |l| l.urgency, Urgency::index, 4, 0.0), nf, 4, cfg),
            neighbours: Neighbours::build(&nb_examples),
            vocab,
            embedded,
        }
    }

    /// Whether this model uses sentence embeddings.
    pub fn embedded(&self) -> bool {
        self.embedded
    }

    /// Classify one ticket.
    pub fn decide(&self, t: &TicketText) -> Decision {
        let a = analyze(&t.title, &t.description);
        self.decide_analyzed(&a, t)
    }

    /// Classify an already analysed ticket (words only).
    pub fn decide_analyzed(&self, a: &Analyzed, t: &TicketText) -> Decision {
        self.decide_with(a, t, None)
    }

    /// Classify an already analysed ticket with its sentence embedding.
    pub fn decide_with(&self, a: &Analyzed, t: &TicketText, emb: Option<&[f32]>) -> Decision {
        let mut f: Vec<(usize, f32)> = Vec::with_capacity(128 + DIM);
        if self.embedded {
            embedding_features(&mut f, emb);
        }
        features(a, t, &mut |name, v| {
            if let Some(id) = self.vocab.id(name) {
                f.push((id, v));
            }
        });
        let [kc, ki, ku] = self.neighbours.vote(a, [10, 4, 4]);
        let blend = |p: Vec<f32>, k: Vec<f32>, m: f32| -> Vec<f32> {
            if k.iter().sum::<f32>() <= 0.0 {
                return p;
            }
            p.iter().zip(&k).map(|(a, b)| (1.0 - m) * a + m * b).collect()
        };
        let pc = blend(self.category.predict(&f), kc, KNN_MIX);
        let ci = argmax(&pc);
        let mut pi = blend(self.impact.predict(&f), ki, KNN_MIX);
        let mut pu = blend(self.urgency.predict(&f), ku, KNN_MIX);
        let mut signals = self.signals(&f, ci);
        let stated = stated_first(&t.intake, &mut pi, &mut pu);
        signals.splice(0..0, stated);
        Decision {
            category: Category::ALL[ci],
            confidence: pc[ci],
            impact: Impact::ALL[argmax(&pi)],
            urgency: Urgency::ALL[argmax(&pu)],
            signals,
            probs: (pc, pi, pu),
        }
    }

    /// The strongest reasons for category `ci`: named features, with the
    /// embedding's dimensions summed into one "meaning of the text" signal.
    fn signals(&self, f: &[(usize, f32)], ci: usize) -> Vec<String> {
        let named: Vec<(usize, f32)> = f.iter().filter(|(id, _)| !self.is_hidden(*id)).cloned().collect();
        let mut top: Vec<(String, f32)> = self
            .category
            .top_contributions(&named, ci, 4)
            .into_iter()
            .filter(|(id, _)| self.vocab.name(*id) != "bias")
            .map(|(id, c)| (describe(self.vocab.name(id)), c))
            .collect();
        if self.embedded {
            let dims: Vec<(usize, f32)> = f.iter().filter(|(id, _)| *id < DIM).cloned().collect();
            let meaning: f32 = self.category.contributions(&dims, ci).iter().map(|(_, c)| c).sum();
            if meaning > 0.0 {
                top.push(("meaning of the whole text (close to earlier tickets of this category)".into(), meaning));
                top.sort_by(|a, b| b.1.total_cmp(&a.1));
                top.truncate(4);
            }
        }
        let mut signals: Vec<String> = top.into_iter().map(|(s, _)| s).collect();
        signals.dedup();
        signals
    }

    /// Embedding dimensions are not shown one by one.
    fn is_hidden(&self, id: usize) -> bool {
        self.embedded && id < DIM
    }

    /// The priority of a decision under `matrix`, using the class
    /// probabilities (the most probable priority, not the priority of the
    /// most probable cell).
    pub fn priority(&self, d: &Decision, matrix: &PriorityMatrix) -> super::priority::Priority {
        matrix.most_likely(&d.probs.0, &d.probs.1, &d.probs.2)
    }
}

/// Impact and urgency stated at intake replace the text's probabilities
/// (certain, so the priority follows them); returns the signals that say
/// so, and those naming a value that could not be mapped.
fn stated_first(intake: &Intake, pi: &mut [f32], pu: &mut [f32]) -> Vec<String> {
    let one_hot = |p: &mut [f32], k: usize| p.iter_mut().enumerate().for_each(|(j, x)| *x = if j == k { 1.0 } else { 0.0 });
    let mut out = Vec::new();
    if let Some(s) = &intake.impact {
        one_hot(pi, s.level.index());
        out.push(stated_signal("impact", s.level.as_str(), &s.field, &s.value));
    }
    if let Some(s) = &intake.urgency {
        one_hot(pu, s.level.index());
        out.push(stated_signal("urgency", s.level.as_str(), &s.field, &s.value));
    }
    out.extend(intake.unmapped.iter().cloned());
    out
}

fn argmax(p: &[f32]) -> usize {
    (0..p.len()).max_by(|a, b| p[*a].total_cmp(&p[*b])).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impact_and_urgency_cues_read_as_impact_and_urgency_not_bare_level_names() {
        assert_eq!(describe("cues:high"), "phrasing typical of high urgency");
        assert_eq!(describe("cues:department"), "phrasing typical of a department-wide impact");
        assert_eq!(describe("cues:single_user"), "phrasing typical of a single-user impact");
        assert_eq!(describe("cues:critical"), "phrasing typical of critical urgency");
        assert_eq!(describe("cues:critical_bug"), "phrasing typical of critical bug");
        assert_eq!(describe("cues:integration"), "phrasing typical of integration");
        for (group, _) in lexicon::IMPACT_CUES {
            assert!(describe(&format!("cues:{group}")).ends_with(" impact"), "{group}");
        }
        for (group, _) in lexicon::URGENCY_CUES {
            assert!(describe(&format!("cues:{group}")).ends_with(" urgency"), "{group}");
        }
    }

    #[test]
    fn head_counts_and_server_priorities_read_as_sentences() {
        assert_eq!(describe("signal:people 1"), "mentions one person");
        assert_eq!(describe("signal:people 6-20"), "mentions 6-20 people");
        assert_eq!(describe("signal:error code"), "error code");
        assert_eq!(describe("field priority:high"), "priority \u{201c}high\u{201d} on the server");
    }
}
