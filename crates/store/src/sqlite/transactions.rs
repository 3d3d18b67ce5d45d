//! The business transactions [`crate::JobStore`] names, composed from the row-level methods
//! on the database thread. Each runs on that one thread with nothing between its steps, and
//! every step after the lease is taken is conditional on holding it.

use super::Store;
use crate::rules::{self, RestartStep};
use crate::{Adopted, JobPage, NewJob, PageQuery, Refusal, Restart, StoreError};
use shotdeck_core::budget::{Budget, OverBudget, UnitPrices};
use shotdeck_core::jobs::Action;
use shotdeck_core::jobs::{JobId, JobPhase, JobView};

type Restarted = Result<Option<JobView>, Refusal>;

impl Store {
    /// Records the takes in `jobs` within `budget` and answers their views (see
    /// `insert_takes_within_budget`).
    pub(super) fn insert_views_within_budget(
        &mut self,
        jobs: &[NewJob],
        budget: &Budget,
        unit_prices: &UnitPrices,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<Result<Vec<JobView>, OverBudget>, StoreError> {
        match self.insert_takes_within_budget(jobs, budget, unit_prices, owner, lease_until, now)? {
            Ok(ids) => {
                let views = ids
                    .into_iter()
                    .map(|id| self.view(id)?.ok_or(StoreError::NotFound(id)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Ok(views))
            }
            Err(over) => Ok(Err(over)),
        }
    }

    /// Takes `id`'s lease and applies the user's `how`; a refusal gives the lease back.
    pub(super) fn restart(
        &mut self,
        id: JobId,
        how: &Restart,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<Restarted, StoreError> {
        if !self.take_lease(id, owner, lease_until, now)? {
            // No lease to take on a job that is not there: say so, as PostgreSQL does.
            if self.view(id)?.is_none() {
                return Ok(Err(Refusal::NotFound {
                    id,
                    action: Action::Resume,
                }));
            }
            return Ok(Err(Refusal::LeaseHeld { id }));
        }
        let restarted = self.restart_held(id, how, owner, now)?;
        if restarted.is_err() {
            self.release_lease(id, owner)?;
        }
        Ok(restarted)
    }

    fn restart_held(
        &mut self,
        id: JobId,
        how: &Restart,
        owner: &str,
        now: i64,
    ) -> Result<Restarted, StoreError> {
        let Some(view) = self.view(id)? else {
            return Ok(Err(Refusal::NotFound {
                id,
                action: Action::Resume,
            }));
        };
        match rules::restart_step(id, how, &view) {
            Err(refusal) => Ok(Err(refusal)),
            Ok(RestartStep::Reopen) => Ok(Ok(self.reopen_to_poll(id, owner, now)?)),
            Ok(RestartStep::Apply(change)) => {
                if let Restart::Send {
                    budget,
                    unit_prices,
                } = how
                    && let Err(over) = self.date_send_within_budget(id, budget, unit_prices, now)?
                {
                    return Ok(Err(Refusal::OverBudget {
                        job: Some(id),
                        over,
                    }));
                }
                Ok(Ok(self.apply(id, owner, &change, now)?))
            }
        }
    }

    /// Takes the lease of a job no live engine holds and readies it for work.
    pub(super) fn adopt(
        &mut self,
        id: JobId,
        owner: &str,
        lease_until: i64,
        now: i64,
    ) -> Result<Adopted, StoreError> {
        if !self.take_lease(id, owner, lease_until, now)? {
            return Ok(Adopted::Busy);
        }
        let rec = self.record(id)?.ok_or(StoreError::NotFound(id))?;
        if rec.view.phase == JobPhase::Queued {
            // Its submitter stopped before sending: only the user sends it now.
            let view = self
                .apply(id, owner, &rules::park_unsent(id), now)?
                .ok_or(StoreError::NotFound(id))?;
            self.release_lease(id, owner)?;
            return Ok(Adopted::Parked(view));
        }
        if !rec.stalled {
            return Ok(Adopted::Work(None));
        }
        Ok(Adopted::Work(self.apply(
            id,
            owner,
            &rules::resume_stalled(),
            now,
        )?))
    }

    /// Renews `owner`'s leases and answers which of `held` it lost.
    pub(super) fn renew_and_check(
        &self,
        owner: &str,
        until: i64,
        held: &[JobId],
    ) -> Result<Vec<JobId>, StoreError> {
        self.renew_leases(owner, until)?;
        self.not_held(owner, held)
    }

    /// Lets go of `id` if `owner` holds it and answers the job as it now is.
    pub(super) fn release_and_view(
        &self,
        id: JobId,
        owner: &str,
    ) -> Result<Option<JobView>, StoreError> {
        self.release_lease(id, owner)?;
        self.view(id)
    }

    /// The newest `limit` jobs and every older unfinished one, newest first.
    pub(super) fn first_views(&self, limit: usize) -> Result<Vec<JobView>, StoreError> {
        let mut views = self.page(None, JobId::MAX, limit)?;
        let oldest_listed = views.last().map_or(JobId::MAX, |v| v.id);
        let older_unfinished = self.unfinished()?.into_iter().rev();
        views.extend(older_unfinished.filter(|v| v.id < oldest_listed));
        Ok(views)
    }

    /// `ids`' views in the order given.
    pub(super) fn views_of(&self, ids: &[JobId]) -> Result<Vec<JobView>, StoreError> {
        let mut views = Vec::with_capacity(ids.len());
        for &id in ids {
            views.extend(self.view(id)?);
        }
        Ok(views)
    }

    /// A page, filtered by the query; a filter's first page also counts every match.
    pub(super) fn page_for(&self, q: &PageQuery) -> Result<JobPage, StoreError> {
        let board = q.board.as_deref();
        let Some(text) = q.filter.as_deref() else {
            return Ok(JobPage {
                jobs: self.page(board, q.below, q.limit)?,
                matching: None,
            });
        };
        let jobs = self.page_matching(board, q.below, q.limit, text)?;
        // Counted once, with the first page: `k of n` in the queue's title.
        let matching = match q.below {
            JobId::MAX => Some(self.count_matching(board, text)?),
            _ => None,
        };
        Ok(JobPage { jobs, matching })
    }

    /// What the ledger counts since local midnight before `now`.
    pub(super) fn spent_today(&self, now: i64, prices: &UnitPrices) -> Result<f64, StoreError> {
        let midnight = self.local_midnight_ms(now)?;
        self.spent_usd(Some(midnight), None, prices)
    }
}
