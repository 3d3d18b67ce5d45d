//! Job phases as the `jobs.phase` and `job_events.phase` columns spell them: the one place
//! SQL meets [`JobPhase`]. Queries bind a phase as a parameter, or name a fixed set with
//! [`sql_list`] (a literal list, so SQLite still matches the schema's partial indexes,
//! whose predicates spell the same words).

#[cfg(feature = "sqlite")]
use std::sync::LazyLock;

use crate::StoreError;
use shotdeck_core::jobs::{JobId, JobPhase};

/// Every phase and its stored word. The words are the schema's: never change one (files
/// written by every earlier version hold them); a new phase needs a migration step.
const PHASES: [(JobPhase, &str); 9] = [
    (JobPhase::Queued, "queued"),
    (JobPhase::Submitting, "submitting"),
    (JobPhase::Submitted, "submitted"),
    (JobPhase::Processing, "processing"),
    (JobPhase::Downloading, "downloading"),
    (JobPhase::Done, "done"),
    (JobPhase::Failed, "failed"),
    (JobPhase::NeedsAttention, "needs_attention"),
    (JobPhase::NotSent, "not_sent"),
];

/// The finished phases: nothing more happens to such a job by itself.
pub(crate) const FINISHED: &[JobPhase] = &[JobPhase::Done, JobPhase::Failed];

/// Active phases no engine moves on its own: only the user's word does.
pub(crate) const WAITING_FOR_USER: &[JobPhase] = &[JobPhase::NeedsAttention, JobPhase::NotSent];

/// `phase NOT IN ('done', 'failed')`, the unfinished jobs (and `jobs_unfinished`'s index).
#[cfg(feature = "sqlite")]
pub(crate) static UNFINISHED: LazyLock<String> =
    LazyLock::new(|| format!("phase NOT IN ({})", sql_list(FINISHED)));

/// Unfinished jobs an engine works on by itself.
#[cfg(feature = "sqlite")]
pub(crate) static ENGINE_WORK: LazyLock<String> = LazyLock::new(|| {
    format!(
        "{} AND phase NOT IN ({})",
        *UNFINISHED,
        sql_list(WAITING_FOR_USER)
    )
});

/// The stored word for `phase`.
pub(crate) fn text(phase: JobPhase) -> &'static str {
    PHASES
        .iter()
        .find(|(p, _)| *p == phase)
        .map(|(_, word)| *word)
        .expect("PHASES lists every phase")
}

/// `phase` as an SQL string literal (the words hold no quotes).
pub(crate) fn literal(phase: JobPhase) -> String {
    format!("'{}'", text(phase))
}

/// `'done', 'failed'`: the phases as a literal list for `IN (...)`.
pub(crate) fn sql_list(phases: &[JobPhase]) -> String {
    phases
        .iter()
        .map(|&p| literal(p))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A fixed set of phases that prints as an SQL list, `('done', 'failed')`, so queries can
/// name it inline: `format!("... phase IN {IN_FLIGHT}")`.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) struct PhaseSet(pub(crate) &'static [JobPhase]);

impl std::fmt::Display for PhaseSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "({})", sql_list(self.0))
    }
}

/// One phase that prints as its SQL string literal, `'queued'`.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) struct Lit(pub(crate) JobPhase);

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&literal(self.0))
    }
}

/// The phase job `id`'s row spells as `word`.
pub(crate) fn parse_phase(id: JobId, word: &str) -> Result<JobPhase, StoreError> {
    PHASES
        .iter()
        .find(|(_, w)| *w == word)
        .map(|(p, _)| *p)
        .ok_or_else(|| StoreError::Corrupt {
            id,
            field: "phase",
            reason: format!("unknown phase {word:?}"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_phase_has_one_word_that_reads_back_and_matches_its_serde_name() {
        for (phase, word) in PHASES {
            assert_eq!(text(phase), word);
            assert_eq!(parse_phase(1, word).unwrap(), phase);
            // Job records serialize phases by serde: the same word everywhere.
            assert_eq!(serde_json::to_value(phase).unwrap(), word);
        }
        let words: std::collections::HashSet<_> = PHASES.iter().map(|(_, w)| w).collect();
        assert_eq!(words.len(), PHASES.len());
        assert!(matches!(
            parse_phase(7, "Done"),
            Err(StoreError::Corrupt { id: 7, .. })
        ));
    }

    #[test]
    fn lists_spell_the_partial_indexes_predicates() {
        assert_eq!(*UNFINISHED, "phase NOT IN ('done', 'failed')");
        assert_eq!(
            *ENGINE_WORK,
            "phase NOT IN ('done', 'failed') AND phase NOT IN ('needs_attention', 'not_sent')"
        );
    }
}
