//! Impact, urgency and the priority matrix (P1–P4).
//!
//! The matrix is data the user can see and change: a list of categories with
//! a fixed priority (checked first, in order) and a 4×4 grid impact × urgency.
//! [`PriorityMatrix::default`] is the hypercare handbook's rules R1–R6.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::Category;

/// How many people are affected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Impact {
    SingleUser,
    Team,
    Department,
    Organization,
}

/// Time pressure and workaround.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Urgency {
    Low,
    Medium,
    High,
    Critical,
}

impl Impact {
    pub const ALL: [Impact; 4] = [Impact::SingleUser, Impact::Team, Impact::Department, Impact::Organization];
    pub fn as_str(self) -> &'static str {
        ["single_user", "team", "department", "organization"][self.index()]
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn parse(s: &str) -> Option<Impact> {
        Impact::ALL.into_iter().find(|i| i.as_str() == s)
    }
}

impl Urgency {
    pub const ALL: [Urgency; 4] = [Urgency::Low, Urgency::Medium, Urgency::High, Urgency::Critical];
    pub fn as_str(self) -> &'static str {
        ["low", "medium", "high", "critical"][self.index()]
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn parse(s: &str) -> Option<Urgency> {
        Urgency::ALL.into_iter().find(|u| u.as_str() == s)
    }
}

/// Priority P1 (highest) to P4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export)]
pub enum Priority {
    P1,
    P2,
    P3,
    P4,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::P1, Priority::P2, Priority::P3, Priority::P4];
    pub fn as_str(self) -> &'static str {
        ["P1", "P2", "P3", "P4"][self as usize]
    }
    pub fn index(self) -> usize {
        self as usize
    }
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str().eq_ignore_ascii_case(s))
    }
}

/// The editable priority matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PriorityMatrix {
    /// Categories whose priority does not depend on impact × urgency.
    pub by_category: Vec<(Category, Priority)>,
    /// `grid[impact][urgency]`, rows single_user..organization, columns low..critical.
    pub grid: [[Priority; 4]; 4],
}

impl Default for PriorityMatrix {
    /// The handbook's rules R1–R6.
    fn default() -> Self {
        use Priority::*;
        PriorityMatrix {
            by_category: vec![
                (Category::CriticalBug, P1),
                (Category::MinorBug, P4),
                (Category::Enhancement, P4),
            ],
            grid: [[P4, P3, P2, P2], [P4, P3, P2, P2], [P3, P2, P1, P1], [P3, P2, P1, P1]],
        }
    }
}

impl PriorityMatrix {
    /// The priority of a ticket with this category, impact and urgency.
    pub fn priority(&self, category: Category, impact: Impact, urgency: Urgency) -> Priority {
        self.by_category
            .iter()
            .find(|(c, _)| *c == category)
            .map(|(_, p)| *p)
            .unwrap_or(self.grid[impact.index()][urgency.index()])
    }

    /// The most probable priority given class probabilities for category
    /// (in `Category::ALL` order), impact and urgency.
    pub fn most_likely(&self, cat: &[f32], imp: &[f32], urg: &[f32]) -> Priority {
        let mut mass = [0.0f32; 4];
        for (ci, c) in Category::ALL.iter().enumerate() {
            for i in Impact::ALL {
                for u in Urgency::ALL {
                    let p = cat[ci] * imp[i.index()] * urg[u.index()];
                    mass[self.priority(*c, i, u).index()] += p;
                }
            }
        }
        let best = (0..4).max_by(|a, b| mass[*a].total_cmp(&mass[*b])).unwrap_or(2);
        Priority::ALL[best]
    }

    /// A human-readable table of the matrix.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for (c, p) in &self.by_category {
            s.push_str(&format!("{:<14} -> {}\n", c.as_str(), p.as_str()));
        }
        s.push_str(&format!("{:<14} {:>4} {:>6} {:>4} {:>8}\n", "impact\\urgency", "low", "medium", "high", "critical"));
        for i in Impact::ALL {
            let row = &self.grid[i.index()];
            s.push_str(&format!(
                "{:<14} {:>4} {:>6} {:>4} {:>8}\n",
                i.as_str(),
                row[0].as_str(),
                row[1].as_str(),
                row[2].as_str(),
                row[3].as_str()
            ));
        }
        s
    }
}
