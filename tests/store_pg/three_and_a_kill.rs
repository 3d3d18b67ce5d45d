//! The team at full stretch: three engines, as on three machines with their own data dirs,
//! on one PostgreSQL store whose account allows two tasks at once, against a simulated
//! Kling that allows two (`max_in_flight`); one engine is killed mid-run (its runtime
//! dropped, as by SIGKILL: nothing shut down or released). Never more than two tasks at
//! the simulator, every create sent once, the killed engine's jobs that had left the queue
//! adopted and polled to the end (their videos left for host-k, which downloads them when it
//! runs again), and the others' jobs all done.

use std::sync::Arc;
use std::time::Duration;

use shotdeck::engine::Tuning;
use shotdeck::engine::events::{JobCmd, JobPhase};
use shotdeck::engine::store::JobStore;

use crate::account_gate::{
    LIMIT, Setup, collect_status, options, settle, settle_leaving, setup, submit,
};
use crate::engines::{engine_tuned, machine_on, tuning};
use crate::killed_engine::doomed;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_engines_at_a_limit_of_two_survive_one_killed() {
    let Some(Setup {
        server,
        schema,
        sim,
        dir,
        path,
        board,
    }) = setup().await
    else {
        return;
    };
    let k = doomed(
        server.clone(),
        schema.clone(),
        sim.base_url(),
        dir.path().join("host-k"),
    );
    let mut live = Vec::new();
    let mut stores: Vec<Arc<dyn JobStore>> = Vec::new();
    for host in ["host-b", "host-c"] {
        let store = machine_on(options(&server), &schema, host).await;
        // The survivors' leases outlast a loaded machine's stalls (a lapsed lease on a
        // queued job would park it as never sent); the killed one's lapses in 0.9 s.
        let tuning = Tuning {
            lease_ttl: Duration::from_secs(5),
            ..tuning()
        };
        let dir = dir.path().join(host);
        let handle = engine_tuned(sim.base_url(), store.clone(), &dir, tuning).await;
        live.push(collect_status(handle, Arc::default()));
        stores.push(store);
    }
    const EACH: usize = 3;
    for _ in 0..EACH {
        submit(&k.cmd, &path, &board).await;
        for e in &live {
            submit(&e.cmd, &path, &board).await;
        }
    }
    let killed_by = "user-host-k@host-k";
    let store = &stores[0];
    // Killed once one of its jobs is with the provider.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    let at_kill = loop {
        let views = store.first_views(100).await.unwrap();
        let with_provider = views.iter().any(|v| {
            v.submitted_by.as_deref() == Some(killed_by)
                && matches!(v.phase, JobPhase::Submitted | JobPhase::Processing)
        });
        if views.len() == 3 * EACH && with_provider {
            break views;
        }
        assert!(tokio::time::Instant::now() < deadline, "{views:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    k.kill.send(()).unwrap();
    k.thread.join().unwrap();
    drop(k.cmd);
    // Host-k's jobs are polled to the end by the survivors and left for host-k to download.
    let for_k = |v: &shotdeck::engine::events::JobView| {
        v.phase == JobPhase::Downloading && v.submitted_by.as_deref() == Some(killed_by)
    };
    settle_leaving(&**store, 3 * EACH, Duration::from_secs(90), for_k).await;
    let left: Vec<_> = store.unfinished().await.unwrap();
    for v in left.iter().filter(|v| for_k(v)) {
        assert!(v.files.is_empty(), "downloaded off host-k: {v:#?}");
    }
    // Host-k comes back: its engine downloads what it asked for.
    let k_store = machine_on(options(&server), &schema, "host-k").await;
    let k_again = engine_tuned(
        sim.base_url(),
        k_store,
        &dir.path().join("host-k"),
        tuning(),
    )
    .await;
    let k_again = collect_status(k_again, Arc::default());
    settle(&**store, 3 * EACH, Duration::from_secs(60)).await;

    let all = stores[1].first_views(100).await.unwrap();
    let stats = sim.stats();
    assert!(
        stats.max_in_flight_seen <= LIMIT as u64,
        "the simulator saw {} tasks at once",
        stats.max_in_flight_seen
    );
    assert!(
        stats.creates_by_external_id.values().all(|n| *n == 1),
        "a create was sent twice: {:?}",
        stats.creates_by_external_id
    );
    for v in &all {
        let sent = stats.creates_by_external_id.get(&v.external_task_id);
        let was = at_kill.iter().find(|a| a.id == v.id).unwrap();
        match v.phase {
            JobPhase::Done => assert_eq!(sent, Some(&1), "{v:#?}"),
            // Recorded but never sent when its engine died: only the user sends it now.
            JobPhase::NotSent => {
                assert_eq!(v.submitted_by.as_deref(), Some(killed_by), "{v:#?}");
                assert_eq!(was.phase, JobPhase::Queued, "{v:#?}");
                assert_eq!(sent, None, "{v:#?}");
            }
            _ => panic!("{v:#?}"),
        }
        if v.submitted_by.as_deref() == Some(killed_by) && was.phase != JobPhase::Queued {
            assert_eq!(v.phase, JobPhase::Done, "adopted and finished: {v:#?}");
        }
    }
    let done = all.iter().filter(|v| v.phase == JobPhase::Done).count() as u64;
    assert_eq!(stats.creates_accepted, done, "one task per job done");
    assert!(done > 2 * EACH as u64, "{all:#?}");
    let _ = k_again.cmd.send(JobCmd::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), k_again.task).await;
    for e in live {
        let _ = e.cmd.send(JobCmd::Shutdown).await;
        let _ = tokio::time::timeout(Duration::from_secs(10), e.task).await;
    }
}
