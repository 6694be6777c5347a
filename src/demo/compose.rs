//! Ticket texts: phrase templates filled with the words of one situation.

use super::phrases::{category_text, IMPACTS_MILD, IMPACTS_SEVERE, TIMES};
use super::rng::Rng;
use super::themes::Theme;
use super::vocab::Module;
use crate::model::Category;

/// The words of one ticket's situation, used to fill template slots.
pub struct Slots {
    pub module: &'static Module,
    pub obj: &'static str,
    pub app: &'static str,
    pub field: &'static str,
    pub partner: &'static str,
    pub task: &'static str,
    pub site: &'static str,
    pub doc: String,
    pub n: u32,
    pub secs: u32,
    pub code: String,
    pub colleague: String,
    pub time: &'static str,
}

impl Slots {
    pub fn new(rng: &mut Rng, module: &'static Module, site: &'static str, colleague: String) -> Slots {
        Slots {
            module,
            obj: rng.word(module.objects),
            app: rng.word(module.apps),
            field: rng.word(module.fields),
            partner: rng.word(module.partners),
            task: rng.word(module.tasks),
            site,
            doc: format!("{}{:08}", module.doc_prefix, rng.range(100_000, 2_000_000)),
            n: [3, 5, 8, 12, 15, 20, 25, 40, 60, 120][rng.below(10)],
            secs: [15, 20, 30, 45, 60, 90, 120][rng.below(7)],
            code: format!("{}{:03}", ["ME", "VL", "F5", "V1", "M7", "RF", "IDOC-", "HTTP-"][rng.below(8)], rng.range(1, 700)),
            colleague,
            time: rng.word(TIMES),
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        Some(match name {
            "obj" => self.obj.to_string(),
            "objs" => plural(self.obj),
            "a_obj" => with_article(self.obj),
            "app" => self.app.to_string(),
            "field" => self.field.to_string(),
            "partner" => self.partner.to_string(),
            "task" => self.task.to_string(),
            "site" => self.site.to_string(),
            "doc" => self.doc.clone(),
            "n" => self.n.to_string(),
            "secs" => self.secs.to_string(),
            "code" => self.code.clone(),
            "colleague" => self.colleague.clone(),
            "time" => self.time.to_string(),
            "module" => self.module.name.to_string(),
            _ => return None,
        })
    }

    /// `template` with every `{slot}` replaced (unknown slots are kept as written).
    pub fn fill(&self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(start) = rest.find('{') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            match after.find('}') {
                Some(end) => {
                    match self.get(&after[..end]) {
                        Some(v) => out.push_str(&v),
                        None => out.push_str(&rest[start..start + end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// "delivery" -> "deliveries", "sales order" -> "sales orders".
fn plural(noun: &str) -> String {
    match noun.strip_suffix('y') {
        Some(stem) if !stem.ends_with(['a', 'e', 'o', 'u']) => format!("{stem}ies"),
        _ if noun.ends_with('s') => noun.to_string(),
        _ => format!("{noun}s"),
    }
}

/// "an invoice", "a sales order".
fn with_article(noun: &str) -> String {
    let vowel = noun.starts_with(['a', 'e', 'i', 'o', 'u']);
    format!("{} {noun}", if vowel { "an" } else { "a" })
}

fn capitalize(s: String) -> String {
    let mut cs = s.chars();
    match cs.next() {
        Some(c) if c.is_lowercase() => c.to_uppercase().chain(cs).collect(),
        _ => s,
    }
}

const GREETINGS: &[&str] = &["", "", "", "Hello hypercare team,\n\n", "Hi,\n\n", "Dear support,\n\n"];
const SIGN_OFFS: &[&str] = &["", "", "", "Thanks", "Regards", "Thank you for your help"];

/// Title and description of a ticket.
pub fn texts(rng: &mut Rng, cat: Category, theme: Option<&Theme>, s: &Slots, reporter: &str) -> (String, String) {
    let (title, body) = match theme {
        Some(th) => (s.fill(rng.word(th.titles)), s.fill(rng.word(th.descriptions))),
        None => {
            let t = category_text(cat);
            let body = format!("{} {}", s.fill(rng.word(t.openings)), s.fill(rng.word(t.details)));
            (s.fill(rng.word(t.titles)), body)
        }
    };
    let mut d = String::with_capacity(body.len() + 160);
    d.push_str(rng.word(GREETINGS));
    d.push_str(&body);
    let severe = matches!(
        cat,
        Category::CriticalBug | Category::MajorBug | Category::Performance | Category::Integration | Category::DataIssue
    );
    let impact = s.fill(rng.word(if severe { IMPACTS_SEVERE } else { IMPACTS_MILD }));
    if !impact.is_empty() {
        d.push_str("\n\n");
        d.push_str(&impact);
    }
    d.push_str(&format!("\n\nEnvironment: production (PRD), {}. Process: {}.", s.site, s.module.name));
    let sign = rng.word(SIGN_OFFS);
    if !sign.is_empty() {
        let first = reporter.split(' ').next().unwrap_or(reporter);
        d.push_str(&format!("\n\n{sign},\n{first}"));
    }
    (capitalize(title), d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::vocab::MODULES;

    #[test]
    fn fill_replaces_known_slots_and_keeps_unknown_ones() {
        let mut rng = Rng::new(1);
        let s = Slots::new(&mut rng, &MODULES[0], "Lyon plant", "Eva Smit".into());
        assert_eq!(s.fill("{site} and {nope} {colleague}"), "Lyon plant and {nope} Eva Smit");
        assert_eq!(s.fill("open {"), "open {");
        assert_eq!(plural("delivery"), "deliveries");
        assert_eq!(plural("journal entry"), "journal entries");
        assert_eq!(plural("payroll result"), "payroll results");
        assert_eq!(with_article("inbound delivery"), "an inbound delivery");
    }
}
