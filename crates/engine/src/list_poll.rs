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
//!
//! Kling's v2 design has no list per kind but a lookup by ids (`GET /tasks?task_ids=a,b`):
//! all v2 tasks of one provider form one group (a *batch* group), and its "list" asks for
//! the member that is due plus the members asked least lately, at most
//! [`TASK_IDS_PER_LOOKUP`] ids. An answer then says which ids it asked for: a member asked
//! for and left out (Kling answers an unknown id with nothing, an odd item is skipped) is
//! asked alone at its next poll, never taken for failed; a member not asked for waits for
//! its own turn.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::watch;
use tokio::time::Instant;

use super::gate::RequestGate;
use super::schedule::PollSchedule;
use shotdeck_core::kling_v2::TASK_IDS_PER_LOOKUP;
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
    /// The ids a batch lookup asked for; `None` for a kind's list, which shows what it has.
    asked: Option<HashSet<String>>,
}

/// What an answer says of one task.
#[derive(Debug)]
pub(crate) enum Shown<'a> {
    Task(&'a TaskSnapshot),
    /// Asked for (or on a list page's kind) and not in the answer.
    Missing,
    /// A batch lookup that did not ask for it: it says nothing of the task.
    NotAsked,
}

impl ListAnswer {
    pub(crate) fn show(&self, task_id: &str) -> Shown<'_> {
        match self.tasks.get(task_id) {
            Some(task) => Shown::Task(task),
            None if self.asked_for(task_id) => Shown::Missing,
            None => Shown::NotAsked,
        }
    }

    fn asked_for(&self, task_id: &str) -> bool {
        self.asked.as_ref().is_none_or(|ids| ids.contains(task_id))
    }
}

/// The list groups of one engine, made on first use.
#[derive(Default)]
pub(crate) struct ListGroups {
    groups: Mutex<HashMap<(Provider, String), Arc<ListGroup>>>,
}

/// Which group a task joins.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GroupOf<'a> {
    /// The tasks of one kind, read from its list (`create_path`).
    Kind(&'a str),
    /// The provider's v2 tasks, looked up together by id (this task's id).
    Batch(&'a str),
}

impl ListGroups {
    /// Joins the group `of` names among `provider`'s tasks.
    pub(crate) fn join(&self, provider: Provider, of: GroupOf<'_>) -> Membership {
        let (key, batch) = match of {
            GroupOf::Kind(path) => (path, false),
            GroupOf::Batch(_) => (shotdeck_core::kling_v2::TASKS_PATH, true),
        };
        let group = {
            let mut groups = self.groups.lock().unwrap_or_else(|e| e.into_inner());
            groups
                .entry((provider, key.to_string()))
                .or_insert_with(|| Arc::new(ListGroup::new(batch)))
                .clone()
        };
        group.members.fetch_add(1, Ordering::SeqCst);
        let task_id = match of {
            GroupOf::Batch(id) => {
                group.ids().entry(id.to_string()).or_insert(None);
                Some(id.to_string())
            }
            GroupOf::Kind(_) => None,
        };
        let answers = group.answers.subscribe();
        let seen = answers.borrow().as_ref().map_or(0, |a| a.seq);
        Membership {
            group,
            answers,
            seen,
            task_id,
        }
    }
}

struct ListGroup {
    /// Looked up by ids (v2), not read from a kind's list.
    batch: bool,
    /// A batch group's members by task id, and when each was last asked for.
    ids: Mutex<HashMap<String, Option<Instant>>>,
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
    fn new(batch: bool) -> Self {
        ListGroup {
            batch,
            ids: Mutex::new(HashMap::new()),
            members: AtomicUsize::new(0),
            answers: watch::channel(None).0,
            fetch: tokio::sync::Mutex::new(FetchState::default()),
        }
    }

    fn latest(&self) -> Option<Arc<ListAnswer>> {
        self.answers.borrow().clone()
    }

    fn ids(&self) -> std::sync::MutexGuard<'_, HashMap<String, Option<Instant>>> {
        self.ids.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The ids of one batch lookup for `own`, marked asked now.
    fn next_batch(&self, own: &str) -> Vec<String> {
        let mut ids = self.ids();
        let batch = pick_batch(own, &ids, TASK_IDS_PER_LOOKUP);
        let now = Instant::now();
        for id in &batch {
            ids.insert(id.clone(), Some(now));
        }
        batch
    }
}

/// `own` first, then the other members asked least lately (never asked first), `cap` ids
/// at most: with more members than one lookup takes, every member is asked in turn.
fn pick_batch(own: &str, members: &HashMap<String, Option<Instant>>, cap: usize) -> Vec<String> {
    let mut others: Vec<(&String, Option<Instant>)> = members
        .iter()
        .filter(|(id, _)| id.as_str() != own)
        .map(|(id, at)| (id, *at))
        .collect();
    // `None` sorts first; ties by id so a batch does not depend on the map's order.
    others.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(b.0)));
    std::iter::once(own.to_string())
        .chain(others.into_iter().map(|(id, _)| id.clone()))
        .take(cap.max(1))
        .collect()
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
    /// The member's task, in a batch group.
    task_id: Option<String>,
}

impl Membership {
    /// Whether the group has enough in-flight tasks to read lists.
    pub(crate) fn shares_a_list(&self) -> bool {
        self.group.members.load(Ordering::SeqCst) >= MIN_TASKS_FOR_A_LIST
    }

    /// Whether the group looks its tasks up by id (v2) rather than reading a kind's list.
    pub(crate) fn is_batch(&self) -> bool {
        self.group.batch
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

    /// An answer received after `due` (or one this member has not taken yet) that speaks of
    /// this member's task: one made for another member counts, so members due together
    /// share one request. Reads the list (or looks the batch up) when there is none; `None`
    /// when it cannot be read now (it failed lately, or fails now): the caller queries its
    /// task instead.
    pub(crate) async fn fresh_answer(
        &mut self,
        due: Instant,
        request: ListRequest<'_>,
    ) -> Option<Arc<ListAnswer>> {
        let own = self.task_id.clone().unwrap_or_default();
        if let Some(answer) = self.unseen().filter(|a| a.asked_for(&own)) {
            return Some(answer);
        }
        let group = self.group.clone();
        let mut state = group.fetch.lock().await;
        let latest = group.latest();
        if let Some(answer) = latest.filter(|a| a.received_at >= due && a.asked_for(&own)) {
            return Some(self.take(answer));
        }
        if state.retry_at.is_some_and(|at| Instant::now() < at) {
            return None;
        }
        let asked = group.batch.then(|| group.next_batch(&own));
        let result = {
            let _permit = request.gate.enter().await;
            match &asked {
                Some(ids) => {
                    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                    request.client.lookup_batch(&ids).await
                }
                None => request.client.list(request.create_path).await,
            }
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
                    asked: asked.map(|ids| ids.into_iter().collect()),
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
        if let Some(id) = &self.task_id {
            self.group.ids().remove(id);
        }
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
mod tests;
