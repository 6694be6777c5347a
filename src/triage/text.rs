//! Text analysis shared by the classifier and the theme detector:
//! tokenising, stop words, Snowball stemming and concept normalisation.
//!
//! A ticket becomes an [`Analyzed`] value: stemmed content words, the
//! concept groups they belong to (see [`super::lexicon`]), and structural
//! signals (error codes, questions, head counts) that carry meaning across
//! vocabularies.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::lexicon;

/// A ticket's text after analysis.
#[derive(Debug, Clone, Default)]
pub struct Analyzed {
    /// Stemmed content words of the title (stop words removed).
    pub title_terms: Vec<String>,
    /// Stemmed content words of title and description.
    pub terms: Vec<String>,
    /// Concept ids matched anywhere in the text (deduplicated, sorted).
    pub concepts: Vec<&'static str>,
    /// Lower-cased raw text (title + description) for phrase cues.
    pub lower: String,
    /// Lower-cased title.
    pub lower_title: String,
    /// Largest head count mentioned ("30 pickers", "~150 users").
    pub head_count: Option<u32>,
    /// The text contains an error or message code (`ORN-MM-0031`, `RF-504`, `401`).
    pub error_code: bool,
}

fn stemmer() -> &'static Stemmer {
    static S: OnceLock<Stemmer> = OnceLock::new();
    S.get_or_init(|| Stemmer::create(Algorithm::English))
}

/// Lower-case word tokens (letters, digits, apostrophes inside words).
pub fn tokens(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for ch in text.chars() {
        if ch.is_alphanumeric() || (ch == '\'' && !cur.is_empty()) {
            for l in ch.to_lowercase() {
                cur.push(l);
            }
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur).trim_end_matches('\'').to_string());
        }
    }
    if !cur.is_empty() {
        out.push(cur.trim_end_matches('\'').to_string());
    }
    out
}

/// Stem one lower-case token (memoised per thread: vocabularies are small).
pub fn stem(token: &str) -> String {
    thread_local! {
        static CACHE: std::cell::RefCell<HashMap<String, String>> = std::cell::RefCell::new(HashMap::default());
    }
    CACHE.with(|c| {
        if let Some(s) = c.borrow().get(token) {
            return s.clone();
        }
        let s = stemmer().stem(token).into_owned();
        let mut c = c.borrow_mut();
        if c.len() > 200_000 {
            c.clear();
        }
        c.insert(token.to_string(), s.clone());
        s
    })
}

fn is_content(token: &str) -> bool {
    token.len() > 1
        && !token.chars().all(|c| c.is_ascii_digit())
        && !lexicon::STOP_WORDS.contains(&token)
}

/// The stem → concept map built once from the lexicon's synonym groups.
/// Single-stem entries, and multi-stem phrases, each with its concept.
type ConceptIndex = (HashMap<String, &'static str>, Vec<(Vec<String>, &'static str)>);

fn concept_index() -> &'static ConceptIndex {
    static IDX: OnceLock<ConceptIndex> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut single = HashMap::default();
        let mut phrases = Vec::new();
        for (concept, words) in lexicon::CONCEPTS {
            for w in *words {
                let toks: Vec<String> = tokens(w).iter().map(|t| stem(t)).collect();
                if toks.len() == 1 {
                    single.insert(toks[0].clone(), *concept);
                } else if !toks.is_empty() {
                    phrases.push((toks, *concept));
                }
            }
        }
        (single, phrases)
    })
}

/// Concepts matched by a sequence of stems (all tokens, stop words kept).
fn concepts_of(stems: &[String]) -> Vec<&'static str> {
    let (single, phrases) = concept_index();
    let mut out: Vec<&'static str> = Vec::new();
    for s in stems {
        if let Some(c) = single.get(s) {
            out.push(c);
        }
    }
    for (p, c) in phrases {
        if stems.windows(p.len()).any(|w| w == p.as_slice()) {
            out.push(c);
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn head_count(tokens: &[String]) -> Option<u32> {
    let mut best: Option<u32> = None;
    for w in tokens.windows(2) {
        let Ok(n) = w[0].parse::<u32>() else { continue };
        if lexicon::PEOPLE_NOUNS.contains(&stem(&w[1]).as_str()) {
            best = Some(best.map_or(n, |b| b.max(n)));
        }
    }
    best
}

fn has_error_code(text: &str) -> bool {
    // A token with letters and digits joined by '-' or '_' (ORN-MM-0031,
    // RF-504, AADSTS50011) or an HTTP-like status in quotes/parentheses.
    text.split(|c: char| c.is_whitespace() || "\"'()[]:,;".contains(c)).any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        let letters = w.chars().filter(|c| c.is_ascii_uppercase()).count();
        let digits = w.chars().filter(|c| c.is_ascii_digit()).count();
        letters >= 2 && digits >= 2 && w.len() >= 5 && !w.chars().any(|c| c.is_lowercase())
    })
}

/// Analyse a ticket's title and description.
pub fn analyze(title: &str, description: &str) -> Analyzed {
    let mut all_tokens = tokens(title);
    let n_title = all_tokens.len();
    all_tokens.extend(tokens(description));
    let all_stems: Vec<String> = all_tokens.iter().map(|t| stem(t)).collect();
    let content: Vec<(usize, &String)> =
        all_stems.iter().enumerate().filter(|(i, _)| is_content(&all_tokens[*i])).collect();
    let lower_title = title.to_lowercase();
    let lower = format!("{lower_title}\n{}", description.to_lowercase());
    Analyzed {
        title_terms: content.iter().filter(|(i, _)| *i < n_title).map(|(_, s)| (*s).clone()).collect(),
        terms: content.iter().map(|(_, s)| (*s).clone()).collect(),
        concepts: concepts_of(&all_stems),
        head_count: head_count(&all_tokens),
        error_code: has_error_code(title) || has_error_code(description),
        lower,
        lower_title,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synonyms_meet_in_one_concept() {
        let a = analyze("handheld frozen", "the scanner hangs");
        let b = analyze("RF gun slow", "takes forever");
        assert!(a.concepts.contains(&"device_mobile"), "{:?}", a.concepts);
        assert!(b.concepts.contains(&"device_mobile"), "{:?}", b.concepts);
        assert!(a.concepts.contains(&"slowness") && b.concepts.contains(&"slowness"));
    }

    #[test]
    fn head_counts_and_error_codes_are_found() {
        let a = analyze("x", "We have 30 pickers on the floor, ~150 users affected. Error ORN-MM-0031");
        assert_eq!(a.head_count, Some(150));
        assert!(a.error_code);
        assert!(!analyze("help", "where is the report").error_code);
    }
}
