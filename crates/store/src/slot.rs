//! The account gate's answers ([`crate::JobStore::take_slot`] and friends): the provider
//! counts a task against its account from the create until it ends, whichever machine sent
//! it, so a job moves `queued → submitting` only when the store says a slot is free.

use shotdeck_core::jobs::JobView;

/// Why a job stays queued for now.
#[derive(Debug, Clone, PartialEq)]
pub enum SlotWait {
    /// Every slot is in use, or older jobs are first in line.
    Full {
        account: String,
        in_use: i64,
        limit: i64,
        /// Slots the older queued jobs of the account need first.
        ahead: i64,
    },
    /// The account is held off after a 1302 / 429, for this many more milliseconds.
    HeldOff { account: String, for_ms: i64 },
}

impl std::fmt::Display for SlotWait {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SlotWait::Full {
                account,
                in_use,
                limit,
                ahead,
            } => {
                write!(
                    f,
                    "queued: {in_use} of {limit} slots in use on account {account}"
                )?;
                if *ahead > 0 {
                    write!(f, ", {ahead} ahead")?;
                }
                Ok(())
            }
            SlotWait::HeldOff { account, for_ms } => write!(
                f,
                "queued: account {account} is rate-limited for {:.0} s more",
                (*for_ms as f64 / 1000.0).ceil()
            ),
        }
    }
}

/// What the gate said to one job.
// Views go to front ends unchanged; boxing them would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Slot {
    /// The job is `submitting` (committed, view as written): send the create now.
    Taken(JobView),
    /// Not yet: ask again when a slot frees or the hold-off ends.
    Wait(SlotWait),
    /// The lease is gone or the job is no longer queued: nothing was changed.
    Lost,
}

/// What a 1303 did to the account's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OverLimit {
    /// Back in the queue, its slot given back.
    pub requeued: bool,
    /// The effective limit from now on (lower than the configured one when the provider
    /// refused while we counted fewer tasks than the limit: someone else uses the account).
    pub limit: i64,
}

/// What the store did with a create the provider refused as over the account's
/// concurrency ([`crate::JobStore::over_limit`]).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Requeue {
    /// Back in the queue (its slot given back) to be asked for again after the backoff;
    /// the account's effective limit is now `limit`.
    Queued { view: JobView, limit: i64 },
    /// The store keeps no account of its own (one machine): the job stays `submitting`
    /// and its create is retried after a backoff, like any rate limit.
    Local,
    /// The lease is gone or the job is no longer `submitting`: nothing was changed.
    Lost,
}
