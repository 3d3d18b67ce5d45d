//! All tasks and counters of one simulated backend, behind one lock.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::RngExt;

use super::faults::Outcome;
use super::stats::SimStats;
use super::task::{Account, Api, TaskRecord, TaskSpec};

/// Why a create made no task.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum CreateRefused {
    /// The account already has a task with this `external_task_id`.
    DuplicateExternalId,
    /// The account already has `max_in_flight` unfinished tasks (Kling's 1303).
    OverParallelLimit,
}

pub(crate) struct Store {
    started: Instant,
    tasks: HashMap<String, TaskRecord>,
    /// Task ids in creation order.
    order: Vec<String>,
    by_external: HashMap<(Account, String), String>,
    /// Tasks whose first download was already cut by `download_drop_after_bytes`.
    cut_downloads: HashSet<String>,
    stats: SimStats,
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Store {
    pub(crate) fn new() -> Self {
        Store {
            started: Instant::now(),
            tasks: HashMap::new(),
            order: Vec::new(),
            by_external: HashMap::new(),
            cut_downloads: HashSet::new(),
            stats: SimStats::default(),
        }
    }

    pub(crate) fn create(
        &mut self,
        api: Api,
        spec: TaskSpec,
        outcome: Outcome,
        run_for: Duration,
        max_in_flight: Option<u32>,
    ) -> Result<TaskRecord, CreateRefused> {
        let external_key = spec.external_task_id.clone().map(|id| (api.account(), id));
        if let Some(key) = &external_key
            && self.by_external.contains_key(key)
        {
            return Err(CreateRefused::DuplicateExternalId);
        }
        if let Some(limit) = max_in_flight
            && self.in_flight() >= u64::from(limit)
        {
            return Err(CreateRefused::OverParallelLimit);
        }
        let task_id = self.fresh_id(api);
        let record = TaskRecord {
            task_id: task_id.clone(),
            api,
            spec,
            created: Instant::now(),
            created_ms: now_ms(),
            run_for,
            outcome,
        };
        if let Some(key) = external_key {
            self.by_external.insert(key, task_id.clone());
        }
        self.tasks.insert(task_id.clone(), record.clone());
        self.order.push(task_id);
        self.stats.creates_accepted += 1;
        // Tasks only end as time passes, so the peak is always reached right after a create.
        self.stats.max_in_flight_seen = self.stats.max_in_flight_seen.max(self.in_flight());
        Ok(record)
    }

    /// Tasks not yet ended, across the server (one server is one account). A linear scan:
    /// simulated runs hold hundreds of tasks, not millions.
    pub(crate) fn in_flight(&self) -> u64 {
        let now = Instant::now();
        let running = self
            .tasks
            .values()
            .filter(|t| !t.status_at(now).phase.ended());
        running.count() as u64
    }

    /// Kling task ids are 18-digit numeric strings; gateway ids are `gw_` and hex.
    fn fresh_id(&self, api: Api) -> String {
        let mut rng = rand::rng();
        loop {
            let id = match api {
                Api::Kling(_) => rng
                    .random_range(100_000_000_000_000_000u64..1_000_000_000_000_000_000)
                    .to_string(),
                Api::Gateway | Api::Relay(_) => format!("gw_{}", uuid::Uuid::new_v4().simple()),
            };
            if !self.tasks.contains_key(&id) {
                return id;
            }
        }
    }

    pub(crate) fn get(&self, task_id: &str) -> Option<&TaskRecord> {
        self.tasks.get(task_id)
    }

    /// By task id, or by `external_task_id` within the account.
    pub(crate) fn find(&self, account: Account, id: &str) -> Option<&TaskRecord> {
        let by_task = self.tasks.get(id).filter(|t| t.api.account() == account);
        by_task.or_else(|| self.find_external(account, id))
    }

    /// By `external_task_id` only.
    pub(crate) fn find_external(
        &self,
        account: Account,
        external_task_id: &str,
    ) -> Option<&TaskRecord> {
        let task_id = self
            .by_external
            .get(&(account, external_task_id.to_string()))?;
        self.tasks.get(task_id)
    }

    /// Tasks created through `api`, newest first.
    pub(crate) fn list(&self, api: Api) -> impl Iterator<Item = &TaskRecord> {
        self.order
            .iter()
            .rev()
            .filter_map(|id| self.tasks.get(id))
            .filter(move |t| t.api == api)
    }

    /// The counters, with the in-flight count as of now.
    pub(crate) fn stats(&self) -> SimStats {
        SimStats {
            in_flight: self.in_flight(),
            ..self.stats.clone()
        }
    }

    pub(crate) fn count_api_request(&mut self) {
        self.stats.api_requests += 1;
    }

    pub(crate) fn count_fault(&mut self) {
        self.stats.faults_injected += 1;
    }

    pub(crate) fn count_create_attempt(&mut self, external_task_id: &str) {
        *self
            .stats
            .creates_by_external_id
            .entry(external_task_id.to_string())
            .or_default() += 1;
    }

    pub(crate) fn count_list(&mut self) {
        self.stats.list_requests += 1;
        let at = self.started.elapsed().as_millis() as u64;
        self.stats.list_times_ms.push(at);
    }

    pub(crate) fn count_lookup(&mut self) {
        self.stats.task_lookups += 1;
    }

    pub(crate) fn count_external_lookup(&mut self) {
        self.stats.external_lookups += 1;
    }

    pub(crate) fn count_query(&mut self, task_id: &str) {
        let at = self.started.elapsed().as_millis() as u64;
        *self
            .stats
            .queries_by_task
            .entry(task_id.to_string())
            .or_default() += 1;
        self.stats
            .query_times_ms
            .entry(task_id.to_string())
            .or_default()
            .push(at);
    }

    pub(crate) fn count_video_request(&mut self) {
        self.stats.video_requests += 1;
    }

    pub(crate) fn count_video_bytes(&mut self, bytes: u64) {
        self.stats.video_bytes_served += bytes;
    }

    /// True the first time it is asked for a task: that download gets cut.
    pub(crate) fn take_download_cut(&mut self, task_id: &str) -> bool {
        self.cut_downloads.insert(task_id.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::task::Kind;

    fn spec(external: Option<&str>) -> TaskSpec {
        TaskSpec {
            duration_secs: 5,
            mode: "std".into(),
            sound: false,
            watermark: false,
            external_task_id: external.map(String::from),
            element_ids: Vec::new(),
            video_urls: Vec::new(),
        }
    }

    fn create(
        store: &mut Store,
        api: Api,
        external: Option<&str>,
    ) -> Result<TaskRecord, CreateRefused> {
        store.create(
            api,
            spec(external),
            Outcome::Succeed,
            Duration::from_secs(1),
            None,
        )
    }

    #[test]
    fn ids_have_the_documented_shapes() {
        let mut store = Store::new();
        let kling = create(&mut store, Api::Kling(Kind::Text), None).expect("created");
        assert_eq!(kling.task_id.len(), 18);
        assert!(kling.task_id.bytes().all(|b| b.is_ascii_digit()));
        let gw = create(&mut store, Api::Gateway, None).expect("created");
        assert!(gw.task_id.starts_with("gw_"));
    }

    #[test]
    fn external_ids_are_unique_per_account_and_findable() {
        let mut store = Store::new();
        let a = create(&mut store, Api::Kling(Kind::Text), Some("job-1")).expect("created");
        let again = create(&mut store, Api::Kling(Kind::Omni), Some("job-1"));
        assert_eq!(again.unwrap_err(), CreateRefused::DuplicateExternalId);
        create(&mut store, Api::Gateway, Some("job-1")).expect("other account");
        let found = store.find(Account::Kling, "job-1").expect("found");
        assert_eq!(found.task_id, a.task_id);
        assert!(store.find(Account::Gateway, &a.task_id).is_none());
        assert_eq!(store.stats().creates_accepted, 2);
    }

    #[test]
    fn list_is_newest_first_and_per_api() {
        let mut store = Store::new();
        let old = create(&mut store, Api::Kling(Kind::Text), None).expect("created");
        create(&mut store, Api::Kling(Kind::Image), None).expect("created");
        let new = create(&mut store, Api::Kling(Kind::Text), None).expect("created");
        let ids: Vec<_> = store
            .list(Api::Kling(Kind::Text))
            .map(|t| t.task_id.clone())
            .collect();
        assert_eq!(ids, [new.task_id, old.task_id]);
    }

    #[test]
    fn the_limit_counts_unfinished_tasks_and_keeps_the_peak() {
        let mut store = Store::new();
        let forever = |store: &mut Store, limit| {
            let api = Api::Kling(Kind::Text);
            store.create(api, spec(None), Outcome::NeverFinish, Duration::ZERO, limit)
        };
        forever(&mut store, Some(2)).expect("first");
        forever(&mut store, Some(2)).expect("second");
        let third = forever(&mut store, Some(2));
        assert_eq!(third.unwrap_err(), CreateRefused::OverParallelLimit);
        // A task whose run time is over no longer counts.
        let api = Api::Gateway;
        store
            .create(api, spec(None), Outcome::Succeed, Duration::ZERO, None)
            .expect("unlimited");
        let stats = store.stats();
        assert_eq!((stats.in_flight, stats.max_in_flight_seen), (2, 2));
        assert_eq!(stats.creates_accepted, 3);
    }

    #[test]
    fn a_download_is_cut_once_per_task() {
        let mut store = Store::new();
        assert!(store.take_download_cut("t"));
        assert!(!store.take_download_cut("t"));
    }
}
