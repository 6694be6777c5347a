//! The CLI's word on a long store upgrade: a migration that runs for more
//! than [`SAY_AFTER`] is named on stderr, and its end with the time it took.
//! Quick ones (and an up-to-date store) print nothing, so scripts reading
//! stdout or stderr see no change.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hypercare::store::migrations::{MigrationObserver, MigrationPhase, MigrationProgress};

/// How long a migration runs before the CLI says what it is doing.
pub const SAY_AFTER: Duration = Duration::from_secs(1);

/// An observer that prints long migrations to stderr.
pub fn stderr_observer() -> MigrationObserver {
    // The version of the migration already announced (0: none).
    let announced = Arc::new(AtomicI64::new(0));
    Arc::new(move |p: &MigrationProgress| {
        if let Some(line) = line_for(p, &announced) {
            eprintln!("{line}");
        }
    })
}

/// The line to print for `p`, if any.
fn line_for(p: &MigrationProgress, announced: &AtomicI64) -> Option<String> {
    match p.phase {
        MigrationPhase::Working if p.elapsed_ms >= SAY_AFTER.as_millis() as u64 => {
            let before = announced.swap(p.version, Ordering::Relaxed);
            (before != p.version).then(|| {
                let tickets = p.tickets.map(|n| format!(" ({n} tickets)")).unwrap_or_default();
                format!(
                    "Upgrading the workspace (one time): {}{tickets}, step {} of {}…",
                    p.title, p.step, p.steps
                )
            })
        }
        MigrationPhase::Finished if announced.load(Ordering::Relaxed) == p.version => {
            Some(format!("  done in {:.1} s", p.elapsed_ms as f64 / 1000.0))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(phase: MigrationPhase, elapsed_ms: u64) -> MigrationProgress {
        MigrationProgress {
            step: 2,
            steps: 3,
            version: 101,
            name: "search_stems".into(),
            title: "rebuilding the search index".into(),
            phase,
            elapsed_ms,
            tickets: Some(100_000),
            creating: false,
        }
    }

    #[test]
    fn a_long_migration_is_named_once_and_its_end_told_a_quick_one_prints_nothing() {
        let said = AtomicI64::new(0);
        assert_eq!(line_for(&at(MigrationPhase::Started, 0), &said), None);
        assert_eq!(line_for(&at(MigrationPhase::Working, 250), &said), None);
        assert_eq!(
            line_for(&at(MigrationPhase::Working, 1_000), &said).as_deref(),
            Some("Upgrading the workspace (one time): rebuilding the search index (100000 tickets), step 2 of 3…")
        );
        assert_eq!(line_for(&at(MigrationPhase::Working, 1_250), &said), None, "said once");
        assert_eq!(line_for(&at(MigrationPhase::Finished, 7_140), &said).as_deref(), Some("  done in 7.1 s"));

        let quiet = AtomicI64::new(0);
        assert_eq!(line_for(&at(MigrationPhase::Working, 600), &quiet), None);
        assert_eq!(line_for(&at(MigrationPhase::Finished, 700), &quiet), None);
    }
}
