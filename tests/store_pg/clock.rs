//! The team store is decided by the database, not by clocks: leases and the in-doubt wait
//! are timed by the server's `now()` whatever the callers' clocks say, and the change
//! cursor follows commits, not anyone's time.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use shotdeck_core::Provider;
use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::compose::{PlaceholderImages, compose};
use shotdeck_core::jobs::JobPhase;
use shotdeck_core::model::Board;
use shotdeck_store::{Adopted, JobChange, JobStore, LeaseTerms, NewJob, Slot, now_ms};

use crate::support;

const HOUR_MS: i64 = 3_600_000;
const NONE: [i64; 0] = [];

fn new_job(ext: &str) -> NewJob {
    let board = Board::starter();
    let request = compose(&board, Provider::Kling, &PlaceholderImages, ext).unwrap();
    NewJob {
        board_path: PathBuf::from("/boards/a.json"),
        board_key: None,
        board,
        provider: Provider::Kling,
        request,
        external_task_id: ext.into(),
        estimated_usd: Some(1.0),
        retry_of: None,
    }
}

fn terms(ttl: Duration, create_timeout: Duration) -> LeaseTerms {
    LeaseTerms {
        ttl,
        create_timeout,
    }
}

/// Waits until `b` (its clock at `b_now`) finds job `id` adoptable, which must be no
/// sooner than `wait` after `since` (by real time), then adopts it.
async fn adopted_no_sooner_than(
    b: &dyn JobStore,
    id: i64,
    t: LeaseTerms,
    b_now: i64,
    since: tokio::time::Instant,
    wait: Duration,
) {
    let took = loop {
        if b.adoptable(t, b_now, false).await.unwrap() == [id] {
            break since.elapsed();
        }
        assert!(since.elapsed() < Duration::from_secs(10), "never adoptable");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(took + Duration::from_millis(100) >= wait, "after {took:?}");
    assert_eq!(
        b.adopt(id, "engine-b", t, b_now).await.unwrap(),
        Adopted::Work(None)
    );
}

/// Two machines on one schema, each with its own pool.
async fn two_machines() -> Option<(Arc<dyn JobStore>, Arc<dyn JobStore>)> {
    let server = support::server()?;
    let schema = support::fresh_schema();
    let a = support::connect(&server, &schema, 2).await;
    let b = support::connect(&server, &schema, 2).await;
    Some((Arc::new(a), Arc::new(b)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_live_lease_is_not_stolen_by_a_clock_an_hour_ahead() {
    let Some((a, b)) = two_machines().await else {
        return;
    };
    // A's clock is an hour behind: by its own reckoning its lease ends long ago.
    let a_now = || now_ms() - HOUR_MS;
    let b_now = || now_ms() + HOUR_MS;
    let lease = Duration::from_secs(3);
    let v = a
        .insert_within_budget(
            new_job("skew-1"),
            Budget::default(),
            UnitPrices::new(),
            "engine-a",
            lease,
            a_now(),
        )
        .await
        .unwrap()
        .unwrap();
    let t = terms(Duration::from_secs(3), Duration::ZERO);
    for _ in 0..3 {
        assert_eq!(b.adoptable(t, b_now(), false).await.unwrap(), NONE);
        assert_eq!(
            b.adopt(v.id, "engine-b", t, b_now()).await.unwrap(),
            Adopted::Busy
        );
        // A keeps renewing (its clock still an hour behind) and keeps its job.
        let lost = a
            .renew_leases("engine-a", lease, vec![v.id], a_now())
            .await
            .unwrap();
        assert!(lost.is_empty(), "{lost:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let rec = b.record(v.id).await.unwrap().unwrap();
    assert_eq!(rec.lease_owner.as_deref(), Some("engine-a"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_engines_job_is_adopted_after_the_lease_by_database_time() {
    let Some((a, b)) = two_machines().await else {
        return;
    };
    // A's clock is an hour ahead (its lease would last an hour on it); B's an hour behind.
    let lease = Duration::from_millis(1_500);
    let v = a
        .insert_within_budget(
            new_job("skew-2"),
            Budget::default(),
            UnitPrices::new(),
            "engine-a",
            lease,
            now_ms() + HOUR_MS,
        )
        .await
        .unwrap()
        .unwrap();
    a.apply(
        v.id,
        "engine-a",
        JobChange {
            task_id: Some("task-1".into()),
            ..JobChange::phase(JobPhase::Submitting)
        },
        now_ms() + HOUR_MS,
    )
    .await
    .unwrap()
    .unwrap();
    // A dies here: no more renewals.
    let died = tokio::time::Instant::now();
    let t = terms(lease, Duration::ZERO);
    let b_now = || now_ms() - HOUR_MS;
    assert_eq!(b.adoptable(t, b_now(), false).await.unwrap(), NONE);
    adopted_no_sooner_than(&*b, v.id, t, b_now(), died, lease).await;
    // A comes back: its renewal says the job is gone, and its write changes nothing.
    let lost = a
        .renew_leases("engine-a", lease, vec![v.id], now_ms() + HOUR_MS)
        .await
        .unwrap();
    assert_eq!(lost, [v.id]);
    let late = a
        .apply(v.id, "engine-a", JobChange::phase(JobPhase::Failed), 0)
        .await
        .unwrap();
    assert_eq!(late, None);
    let rec = b.record(v.id).await.unwrap().unwrap();
    assert_eq!(
        (rec.lease_owner.as_deref(), rec.view.phase),
        (Some("engine-b"), JobPhase::Submitting)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_in_doubt_is_adopted_only_past_its_timeout_by_database_time() {
    let Some((a, b)) = two_machines().await else {
        return;
    };
    let lease = Duration::from_millis(200);
    let v = a
        .insert_within_budget(
            new_job("doubt-1"),
            Budget::default(),
            UnitPrices::new(),
            "engine-a",
            lease,
            now_ms(),
        )
        .await
        .unwrap()
        .unwrap();
    // A takes a slot (the create's in-doubt window starts, on the database's clock) and
    // dies before any answer: `submitting`, no task id.
    let slot = a.take_slot(v.id, "engine-a", now_ms()).await.unwrap();
    assert!(matches!(slot, Slot::Taken(_)), "{slot:?}");
    let started = tokio::time::Instant::now();
    let create_timeout = Duration::from_secs(2);
    let t = terms(lease, create_timeout);
    // B's clock is an hour ahead: by it the create timed out long ago.
    let b_now = || now_ms() + HOUR_MS;
    tokio::time::sleep(lease * 2).await;
    assert_eq!(b.adoptable(t, b_now(), false).await.unwrap(), NONE);
    assert_eq!(
        b.adopt(v.id, "engine-b", t, b_now()).await.unwrap(),
        Adopted::Busy,
        "adopted while the old owner's create could still land"
    );
    adopted_no_sooner_than(&*b, v.id, t, b_now(), started, create_timeout).await;
}

/// Two engines whose clocks are two hours apart (A an hour ahead, B an hour behind) on
/// one store: B never takes A's job while A lives, and once A dies B adopts it after the
/// lease length by the database's clock (on A's and B's clocks it would be hours) and
/// finishes it without a second create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engines_with_skewed_clocks_keep_and_adopt_leases_by_database_time() {
    use shotdeck::engine::events::{JobCmd, JobEvent, SubmitOptions, SubmitRequest};
    use shotdeck::sim::{Faults, SimConfig, SimServer};

    use crate::engines::{engine_tuned, machine_on, sim_and_board, tuning};

    let Some(server) = support::server() else {
        return;
    };
    let schema = support::fresh_schema();
    let (_fast_sim, dir, board_path, board) = sim_and_board().await;
    let sim = SimServer::start(
        SimConfig {
            task_seconds: 8.0,
            faults: Faults::default(),
            ..SimConfig::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let options = || {
        shotdeck_store::pg::PgOptions::new(
            shotdeck_core::store_url::StoreUrl::parse(&server).unwrap(),
        )
    };
    let store_a = machine_on(options(), &schema, "host-a").await;
    // A second engine on the asker's machine (its clock skewed the other way): an engine on
    // another host would leave the download to host-a, and this test is about leases.
    let store_b = machine_on(options(), &schema, "host-a").await;
    let skewed = |offset: i64| shotdeck::engine::Tuning {
        clock_offset_ms: offset,
        ..tuning()
    };
    let lease = tuning().lease_ttl;
    let mut a = engine_tuned(
        sim.base_url(),
        store_a,
        &dir.path().join("a"),
        skewed(HOUR_MS),
    )
    .await;
    let b = engine_tuned(
        sim.base_url(),
        store_b.clone(),
        &dir.path().join("b"),
        skewed(-HOUR_MS),
    )
    .await;
    let request = SubmitRequest::new(
        &board_path,
        board,
        Provider::Kling,
        SubmitOptions::default(),
    );
    a.cmd_tx.send(JobCmd::Submit(request)).await.unwrap();
    let id = loop {
        let event = tokio::time::timeout(Duration::from_secs(10), a.event_rx.recv())
            .await
            .expect("engine A answers")
            .expect("engine A runs");
        if let JobEvent::Updated(v) = event
            && matches!(v.phase, JobPhase::Submitted | JobPhase::Processing)
        {
            break v.id;
        }
    };
    let owner = || async { store_b.record(id).await.unwrap().unwrap().lease_owner };
    // A lives for more than two lease lengths: B, watching, never takes the job.
    let live_until = tokio::time::Instant::now() + lease * 3;
    while tokio::time::Instant::now() < live_until {
        assert_eq!(owner().await.as_deref(), Some(a.instance.as_str()));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // A dies (no shutdown: its leases stay, its renewals stop).
    a.task.abort();
    let died = tokio::time::Instant::now();
    let adopted_after = loop {
        if owner().await.as_deref() == Some(b.instance.as_str()) {
            break died.elapsed();
        }
        assert!(
            died.elapsed() < Duration::from_secs(10),
            "B never adopted A's job"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    // A's last renewal was at most one tick before it died.
    let tick = tuning().tick();
    assert!(
        adopted_after + tick >= lease,
        "adopted after {adopted_after:?}"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let v = store_b.view(id).await.unwrap().unwrap();
        if v.phase == JobPhase::Done {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "not done: {v:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sim.stats().creates_accepted, 1, "a create was sent twice");
    let _ = b.cmd_tx.send(JobCmd::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), b.task).await;
}
