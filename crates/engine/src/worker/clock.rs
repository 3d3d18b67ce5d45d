//! The engine's clock: what it dates its records with. Leases on a shared store do not
//! depend on it (the database times them); a test shifts it to play a machine whose
//! clock is wrong.

use super::Shared;

impl Shared {
    /// Unix milliseconds: this host's clock, shifted by `tuning.clock_offset_ms`.
    pub(crate) fn now(&self) -> i64 {
        shotdeck_store::now_ms().saturating_add(self.tuning.clock_offset_ms)
    }
}
