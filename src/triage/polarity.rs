//! Does a survey comment state a problem?
//!
//! A theme is a recurring *problem*. Survey comments are free text, and many
//! of them state none: praise, thanks, "all good". Such a comment is still
//! triaged and listed, but it must not form or join a theme, or the trainer
//! sees "great, training, thanks" among the problems.
//!
//! The test is words only, from general English (no list taken from any data
//! set), so it decides the same with the sentence-embedding model on or off:
//! - a **problem cue** (a negation such as "can't", a trouble word such as
//!   "slow", "error", "missing", a request such as "please", "should", a
//!   concession such as "but", "otherwise", or a question) makes it a problem;
//! - otherwise a **no-problem cue** (praise, thanks, "works well",
//!   "no problems") makes it [`Stance::NoProblem`];
//! - a comment with neither is [`Stance::Unclear`] and takes part in themes
//!   as before: the guard drops only comments that say something good and
//!   nothing bad.
//!
//! Tickets never pass through this guard: someone filed them, so they are
//! problems by definition (the dev set's survey-channel tickets included).

use super::text::tokens;

/// What a comment says about the system.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stance {
    /// It states a problem (a fault, a difficulty, a request, a question).
    Problem,
    /// It states none and says something good (praise, thanks, "all good").
    NoProblem,
    /// Neither cue: kept with the problems.
    Unclear,
}

/// Phrases that deny a problem; read before the single words, so the
/// "problems" in "no problems" is not a problem cue.
const NO_PROBLEM_PHRASES: &[&[&str]] = &[
    &["no", "problem"],
    &["no", "problems"],
    &["no", "issue"],
    &["no", "issues"],
    &["no", "complaints"],
    &["no", "errors"],
    &["nothing", "to", "complain"],
    &["not", "bad"],
    &["never", "had", "a", "problem"],
    &["never", "had", "problems"],
    &["never", "had", "any", "problems"],
    &["all", "good"],
    &["well", "done"],
    &["works", "well"],
    &["works", "fine"],
    &["works", "great"],
    &["keep", "it", "up"],
    &["no", "trouble"],
    &["without", "problems"],
    &["without", "any", "problems"],
    &["without", "issues"],
];

/// Single words that state a problem (negations, trouble, requests,
/// concessions, recurrence).
const PROBLEM_WORDS: &[&str] = &[
    // negations and inability
    "not", "no", "never", "cannot", "can't", "cant", "couldn't", "unable", "doesn't", "don't", "didn't", "won't",
    "isn't", "aren't", "wasn't", "weren't", "nowhere", "nobody", "nothing",
    // trouble
    "error", "errors", "fail", "fails", "failed", "failing", "failure", "broken", "breaks", "crash", "crashes",
    "crashed", "bug", "bugs", "buggy", "issue", "issues", "problem", "problems", "slow", "slower", "slowly", "freeze",
    "freezes", "froze", "frozen", "hang", "hangs", "stuck", "lost", "lose", "loses", "missing", "wrong", "incorrect",
    "confusing", "confused", "unclear", "difficult", "hard", "impossible", "annoying", "frustrating", "frustrated",
    "timeout", "loop", "loops", "blocked", "denied", "duplicate", "duplicated", "complicated", "cumbersome",
    "tedious", "worse", "worst", "bad", "poor", "terrible", "awful", "useless", "lag", "laggy", "delay", "delayed",
    "too", "rejected", "empty", "disappeared", "disappears", "mess", "messy", "unusable",
    // requests and unmet needs
    "please", "should", "need", "needs", "wish", "want",
    // concessions: something good, then the problem
    "but", "otherwise", "except", "although", "though", "however", "apart",
    // recurrence
    "again", "still",
];

/// Single words that say something good.
const NO_PROBLEM_WORDS: &[&str] = &[
    "great", "good", "excellent", "thanks", "thank", "thx", "love", "loved", "helpful", "helped", "useful", "nice",
    "awesome", "amazing", "perfect", "smooth", "smoothly", "easy", "easier", "better", "improved", "happy", "pleased",
    "fine", "ok", "okay", "correctly", "fixed", "resolved", "solved", "intuitive", "clear", "clearer", "fast",
    "faster", "quick", "quicker", "brilliant", "fantastic", "appreciated", "appreciate",
];

/// What `text` says: a problem, no problem, or unclear (see the module doc).
pub fn stance(text: &str) -> Stance {
    let words = tokens(&text.replace(['\u{2019}', '\u{2018}'], "'"));
    let mut praised = false;
    let mut i = 0;
    while i < words.len() {
        if let Some(len) = NO_PROBLEM_PHRASES.iter().find(|p| starts_with(&words[i..], p)).map(|p| p.len()) {
            praised = true;
            i += len;
            continue;
        }
        let w = words[i].as_str();
        if PROBLEM_WORDS.contains(&w) {
            return Stance::Problem;
        }
        praised |= NO_PROBLEM_WORDS.contains(&w);
        i += 1;
    }
    if text.contains('?') {
        Stance::Problem
    } else if praised {
        Stance::NoProblem
    } else {
        Stance::Unclear
    }
}

/// Whether a survey comment may form or join a theme: everything but a
/// comment that states no problem.
pub fn may_form_theme(text: &str) -> bool {
    stance(text) != Stance::NoProblem
}

fn starts_with(words: &[String], phrase: &[&str]) -> bool {
    words.len() >= phrase.len() && words.iter().zip(phrase).all(|(w, p)| w == p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn praise_and_thanks_state_no_problem() {
        for t in [
            "great training, thanks",
            "Great training, thanks!",
            "All good.",
            "Thank you, the new screens are much easier",
            "No problems so far, works well",
            "Not bad at all",
            "Much better since the fix last week",
            "Training videos helped a lot",
        ] {
            assert_eq!(stance(t), Stance::NoProblem, "{t}");
        }
    }

    #[test]
    fn a_problem_wins_over_praise_around_it() {
        for t in [
            "can't find where to approve leave",
            "I can\u{2019}t find where to approve leave",
            "Great training, but the approval screen is still slow",
            "Login loops sometimes, otherwise fine",
            "Thanks - how do I print the pick list?",
            "Please add an export button",
            "Invoices post with the wrong date",
        ] {
            assert_eq!(stance(t), Stance::Problem, "{t}");
        }
    }

    #[test]
    fn a_comment_with_neither_cue_stays_with_the_problems() {
        assert_eq!(stance("The leave approval screen on Mondays"), Stance::Unclear);
        assert!(may_form_theme("The leave approval screen on Mondays"));
        assert!(!may_form_theme("great training, thanks"));
    }
}
