//! An engine killed mid-run (its runtime dropped: no shutdown, no lease released) leaves
//! its jobs to the others on the account gate's store; none is sent twice.

use std::sync::Arc;
use std::time::Duration;

use shotdeck::engine::events::{JobCmd, JobPhase};
use tokio::sync::mpsc;

use crate::account_gate::{
    LIMIT, Setup, collect_status, options, sent_once_or_never, settle, settle_leaving, setup,
    submit,
};
use crate::engines::{engine, engine_at, machine_on};

/// An engine on its own runtime and thread, as in its own process: killing it drops the
/// runtime with every task and connection, so nothing is shut down or released.
pub(crate) struct Doomed {
    pub(crate) cmd: mpsc::Sender<JobCmd>,
    pub(crate) kill: std::sync::mpsc::Sender<()>,
    pub(crate) thread: std::thread::JoinHandle<()>,
}

pub(crate) fn doomed(
    server: String,
    schema: String,
    sim_base: String,
    dir: std::path::PathBuf,
) -> Doomed {
    let (cmd_tx, cmd_rx) = std::sync::mpsc::channel();
    let (kill, killed) = std::sync::mpsc::channel::<()>();
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let store = machine_on(options(&server), &schema, "host-k").await;
            let handle = engine_at(sim_base, store, &dir).await;
            let parts = collect_status(handle, Arc::default());
            cmd_tx.send(parts.cmd.clone()).unwrap();
            // Parked until killed (a std channel: this runtime's one worker waits on it,
            // and the engine's tasks run on the runtime's other threads meanwhile).
            let _ = tokio::task::spawn_blocking(move || killed.recv()).await;
            drop(parts.task);
        });
        rt.shutdown_background();
    });
    Doomed {
        cmd: cmd_rx.recv().unwrap(),
        kill,
        thread,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_engines_jobs_are_adopted_and_none_is_sent_twice() {
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
    let store = machine_on(options(&server), &schema, "host-b").await;
    let b = engine(&sim, store.clone(), &dir.path().join("host-b")).await;
    let b = collect_status(b, Arc::default());
    const KILLED: usize = 4;
    for _ in 0..KILLED {
        submit(&k.cmd, &path, &board).await;
    }
    // Killed once one of its jobs is with the provider.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let views = store.first_views(100).await.unwrap();
        if views.len() == KILLED
            && views
                .iter()
                .any(|v| matches!(v.phase, JobPhase::Submitted | JobPhase::Processing))
        {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{views:#?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let at_kill = store.first_views(100).await.unwrap();
    k.kill.send(()).unwrap();
    k.thread.join().unwrap();
    drop(k.cmd);
    // The survivor's own work goes on beside the adopted jobs.
    submit(&b.cmd, &path, &board).await;
    // Host-k's jobs are polled to the end here and left for host-k to download; when it
    // runs again, its engine does.
    let for_k = |v: &shotdeck::engine::events::JobView| {
        v.phase == JobPhase::Downloading && v.asked_on() == Some("host-k")
    };
    settle_leaving(&*store, KILLED + 1, Duration::from_secs(90), for_k).await;
    let k_store = machine_on(options(&server), &schema, "host-k").await;
    let k_again = engine(&sim, k_store, &dir.path().join("host-k")).await;
    settle(&*store, KILLED + 1, Duration::from_secs(60)).await;

    let all = store.first_views(100).await.unwrap();
    let stats = sim.stats();
    sent_once_or_never(&all, &sim);
    for v in at_kill.iter().filter(|v| v.phase != JobPhase::Queued) {
        let now = all.iter().find(|a| a.id == v.id).unwrap();
        assert_eq!(now.phase, JobPhase::Done, "adopted and finished: {now:#?}");
    }
    assert!(stats.max_in_flight_seen <= LIMIT as u64, "{stats:?}");
    assert!(stats.creates_by_external_id.values().all(|n| *n == 1));
    let _ = k_again.cmd_tx.send(JobCmd::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), k_again.task).await;
    let _ = b.cmd.send(JobCmd::Shutdown).await;
    let _ = tokio::time::timeout(Duration::from_secs(10), b.task).await;
}
