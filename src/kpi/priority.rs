//! Ticket priorities, normalised across servers to P1..P4.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A normalised priority. `Unset` holds what no rule recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, rename = "KpiPriority")]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
    Unset,
}

impl Priority {
    pub const ALL: [Priority; 5] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4, Priority::Unset];

    pub fn label(self) -> &'static str {
        match self {
            Priority::P1 => "P1",
            Priority::P2 => "P2",
            Priority::P3 => "P3",
            Priority::P4 => "P4",
            Priority::Unset => "Unset",
        }
    }

    /// A label as [`Priority::label`] writes it (`P1`, `unset`; any case).
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.label().eq_ignore_ascii_case(s.trim()))
    }

    pub fn index(self) -> usize {
        self as usize
    }

    /// Where a server's priority name sorts, most severe first (Immediate,
    /// Urgent, High, Normal, Low), as a filter list should read: by
    /// [`Self::normalize`], then by how severe the word is within its level.
    /// Unknown names sort last; ties go by name.
    pub fn severity_rank(name: &str) -> u32 {
        const WORDS: [&str; 15] = [
            "immediate", "blocker", "highest", "critical", "urgent", "high", "major", "normal", "medium",
            "moderate", "low", "minor", "lowest", "trivial", "planning",
        ];
        let l = name.trim().to_ascii_lowercase();
        let within = WORDS.iter().position(|w| *w == l).unwrap_or(WORDS.len());
        Priority::normalize(name).index() as u32 * 100 + within as u32
    }

    /// Sort priority names by [`Self::severity_rank`], then by name.
    pub fn sort_by_severity(names: &mut [String]) {
        names.sort_by_cached_key(|n| (Priority::severity_rank(n), n.to_ascii_lowercase()));
    }

    /// Map a server's priority name: `P1`/`1 - Critical`/Immediate/Urgent/
    /// Highest/Blocker/Critical → P1, High/Major → P2, Normal/Medium/Moderate
    /// → P3, Low/Lowest/Minor/Trivial/Planning → P4.
    pub fn normalize(s: &str) -> Priority {
        let l = s.trim().to_ascii_lowercase();
        let digit = l.trim_start_matches('p').chars().next().and_then(|c| c.to_digit(10));
        match digit {
            Some(1) => return Priority::P1,
            Some(2) => return Priority::P2,
            Some(3) => return Priority::P3,
            Some(4) | Some(5) => return Priority::P4,
            _ => {}
        }
        match l.as_str() {
            "immediate" | "urgent" | "highest" | "blocker" | "critical" => Priority::P1,
            "high" | "major" => Priority::P2,
            "normal" | "medium" | "moderate" => Priority::P3,
            "low" | "lowest" | "minor" | "trivial" | "planning" => Priority::P4,
            _ => Priority::Unset,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Priority::*;
    use super::*;

    #[test]
    fn server_priority_names_map_to_p1_p4() {
        let cases = [("P1", P1), ("Immediate", P1), ("1 - Critical", P1), ("High", P2), ("Normal", P3),
            ("Medium", P3), ("Low", P4), ("5 - Planning", P4), ("", Unset), ("whenever", Unset)];
        for (s, p) in cases {
            assert_eq!(Priority::normalize(s), p, "{s}");
        }
    }
}
