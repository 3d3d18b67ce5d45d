//! Polling many tasks with one request: the in-flight tasks of one endpoint kind are read
//! from the kind's task list (`GET {create_path}?pageNum=1&pageSize=500`, newest first)
//! instead of one query each, so a poll interval costs one request however many jobs run.
//!
//! A group is one (provider, create path) of one engine: one client per provider per engine
//! means one base URL and one credential, so the list shows exactly the tasks those queries
//! would. A list is read only while the group has at least two in-flight tasks (for one,
//! its own query is as cheap and carries the same answer).
//!
//! Every successful list is offered to every member (a [`watch`] channel): a member whose
//! task is on the page takes that as its poll answer and starts its interval again, so the
//! member that comes due first reads the list for all, and the group costs one request per
//! (shortest) interval. A member whose task is not on the page (older than the page, or
//! created while the list was on its way) asks for it with its own query when due.
//!
//! A list that fails (transport, 429, an HTML page, an unreadable body) says nothing about
//! any task: no job is touched, the group stops reading lists for a backoff, and its
//! members query singly in the meantime. A rate-limited list holds every request of the
//! engine off, as a rate-limited query does.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::time::Instant;

use super::gate::RequestGate;
use super::schedule::PollSchedule;
use shotdeck_core::provider::Provider;
use shotdeck_providers::{Client, ProviderError, TaskSnapshot};

/// In-flight tasks a group needs before it reads lists instead of single queries.
pub(crate) const MIN_TASKS_FOR_A_LIST: usize = 2;

/// One successful list answer.
#[derive(Debug)]
pub(crate) struct ListAnswer {
    /// Counts the group's answers, so a member takes each one once.
    pub seq: u64,
    pub received_at: Instant,
    tasks: HashMap<String, TaskSnapshot>,
}

impl ListAnswer {
    pub(crate) fn task(&self, task_id: &str) -> Option<&TaskSnapshot> {
        self.tasks.get(task_id)
    }
}

/// The list groups of one engine, made on first use.
#[derive(Default)]
pub(crate) struct ListGroups {
    groups: Mutex<HashMap<(Provider, String), Arc<ListGroup>>>,
}

impl ListGroups {
    /// Joins the group of `provider`'s tasks created at `create_path`.
    pub(crate) fn join(&self, provider: Provider, create_path: &str) -> Membership {
        let group = {
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            groups
                .entry((provider, create_path.to_string()))
                .or_insert_with(|| Arc::new(ListGroup::new()))
                .clone()
        };
        group.members.fetch_add(1, Ordering::SeqCst);
        let answers = group.answers.subscribe();
        let seen = answers.borrow().as_ref().map_or(0, |a| a.seq);
        Membership {
            group,
            answers,
            seen,
        }
    }
}

struct ListGroup {
    members: AtomicUsize,
    answers: watch::Sender<Option<Arc<ListAnswer>>>,
    /// Held while a list request is made, so members due together share one.
    fetch: tokio::sync::Mutex<FetchState>,
}

#[derive(Default)]
struct FetchState {
    seq: u64,
    /// Consecutive failed lists, and no list before this after the last one failed.
    errors: u32,
    retry_at: Option<Instant>,
}

impl ListGroup {
    fn new() -> Self {
        ListGroup {
            members: AtomicUsize::new(0),
            answers: watch::channel(None).0,
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        }
    }

    fn latest(&self) -> Option<Arc<ListAnswer>> {
        self.answers.borrow().clone()
    }
}

/// What the list request needs from the engine.
#[derive(Clone, Copy)]
pub(crate) struct ListRequest<'a> {
    pub client: &'a Client,
    pub create_path: &'a str,
    pub gate: &'a RequestGate,
    pub schedule: &'a PollSchedule,
}

/// One in-flight task's place in its group; leaving the group is dropping it.
pub(crate) struct Membership {
    group: Arc<ListGroup>,
    answers: watch::Receiver<Option<Arc<ListAnswer>>>,
    /// The newest answer this member has taken.
    seen: u64,
}

impl Membership {
    /// Whether the group has enough in-flight tasks to read lists.
    pub(crate) fn shares_a_list(&self) -> bool {
        self.group.members.load(Ordering::SeqCst) >= MIN_TASKS_FOR_A_LIST
    }

    /// Waits for the next list answer this member has not taken yet.
    pub(crate) async fn next_answer(&mut self) -> Arc<ListAnswer> {
        loop {
            if let Some(answer) = self.unseen() {
                return answer;
            }
            // The sender lives in the group this membership holds: it is never dropped.
            if self.answers.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// An answer received after `due` (or one this member has not taken yet): one made for
    /// another member counts, so members due together share one request. Reads the list
    /// when there is none; `None` when the list cannot be read now (it failed lately, or
    /// fails now): the caller queries its task instead.
    pub(crate) async fn fresh_answer(
        &mut self,
        due: Instant,
        request: ListRequest<'_>,
    ) -> Option<Arc<ListAnswer>> {
        if let Some(answer) = self.unseen() {
            return Some(answer);
        }
        let group = self.group.clone();
        let mut state = group.fetch.lock().await;
        if let Some(answer) = group.latest().filter(|a| a.received_at >= due) {
            return Some(self.take(answer));
        }
        if state.retry_at.is_some_and(|at| Instant::now() < at) {
            return None;
        }
        let result = {
            let _permit = request.gate.enter().await;
            request.client.list(request.create_path).await
        };
        match result {
            Ok(tasks) => {
                state.errors = 0;
                state.retry_at = None;
                state.seq += 1;
                let answer = Arc::new(ListAnswer {
                    seq: state.seq,
                    received_at: Instant::now(),
                    tasks: tasks.into_iter().map(|t| (t.task_id.clone(), t)).collect(),
                });
                group.answers.send_replace(Some(answer.clone()));
                Some(self.take(answer))
            }
            Err(e) => {
                state.errors = state.errors.saturating_add(1);
                let wait = list_backoff(&e, state.errors, request, &mut rand::rng());
                state.retry_at = Some(Instant::now() + wait);
                tracing::warn!(path = request.create_path, error = %e, ?wait,
                    "task list failed; its tasks are queried one by one meanwhile");
                None
            }
        }
    }

    fn unseen(&mut self) -> Option<Arc<ListAnswer>> {
        let answer = self.answers.borrow_and_update().clone()?;
        (answer.seq > self.seen).then(|| self.take(answer))
    }

    fn take(&mut self, answer: Arc<ListAnswer>) -> Arc<ListAnswer> {
        self.seen = self.seen.max(answer.seq);
        answer
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.group.members.fetch_sub(1, Ordering::SeqCst);
    }
}

/// How long a group reads no list after its `errors`-th failed one. A rate limit holds
/// every request of the engine off for as long (it is the account's, not the list's).
fn list_backoff(
    e: &ProviderError,
    errors: u32,
    request: ListRequest<'_>,
    rng: &mut impl rand::Rng,
) -> std::time::Duration {
    let wait = request.schedule.backoff(errors, e.retry_after(), rng);
    if matches!(e, ProviderError::RateLimited { .. }) {
        request.gate.hold_off(wait);
    }
    wait
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_shares_lists_from_two_tasks_and_forgets_those_that_left() {
        let groups = ListGroups::default();
        let first = groups.join(Provider::Kling, "/v1/videos/text2video");
        assert!(!first.shares_a_list(), "one task: its own query");
        let other_kind = groups.join(Provider::Kling, "/v1/videos/omni-video");
        assert!(!first.shares_a_list() && !other_kind.shares_a_list());
        let second = groups.join(Provider::Kling, "/v1/videos/text2video");
        assert!(first.shares_a_list() && second.shares_a_list());
        drop(second);
        assert!(!first.shares_a_list());
    }
}
