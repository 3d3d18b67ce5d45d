//! A partition, simulated by holding an engine's store calls (its lease renewals alone, or
//! everything): its leases lapse, an engine on another machine adopts the job and finishes
//! it, and when the partitioned engine's held calls land, late, they change nothing. The
//! hold sits between the engine and the store, so this holds whatever either backend does
//! inside its lease renewal.

use std::time::Duration;

use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::tap::{Hold, Tap};

use crate::support::*;

crate::on_both_backends!(
    a_partitioned_engines_late_writes_change_nothing,
    super::partitioned_everything
);

crate::on_both_backends!(
    an_engine_whose_renewals_stop_loses_its_job_to_another,
    super::partitioned_renewals
);

async fn partitioned_everything(backend: Backend) {
    partitioned(backend, Hold::Everything).await
}

async fn partitioned_renewals(backend: Backend) {
    partitioned(backend, Hold::Renewals).await
}

async fn partitioned(backend: Backend, hold: Hold) {
    let h = Harness::on(backend, 2.5).await;
    let tap = Tap::new(h.store("host-a").await);
    let mut a = Engine::start(h.config_on(tap.clone())).await.unwrap();
    let mut ev_a = Events::new(&mut a);
    let (id, ext) = submit(&h, &a, &mut ev_a, "single-shot.json", Provider::Kling).await;
    let polled = ev_a.reached(id, JobPhase::Processing).await;
    let task = polled.task_id.expect("accepted");

    tap.hold(hold);
    // What A asks of the store while held (counted as asked): renewals, or anything.
    let asked = |tap: &Tap| match hold {
        Hold::Renewals => tap.calls().get("renew_leases").copied().unwrap_or(0),
        _ => tap.total(),
    };
    let held_from = asked(&tap);
    // B is another engine on A's machine (a terminal's `jobs wait`): one on another machine
    // would leave the download to A's engine (see fetch_here.rs).
    let store_b = h.store("host-a").await;
    let mut b = Engine::start(h.config_on(store_b.clone())).await.unwrap();
    let mut ev_b = Events::new(&mut b);
    let done = ev_b.finished(id).await;
    assert_eq!(done.phase, JobPhase::Done, "{:?}", done.error);
    // B lets the job go a moment after reporting it done.
    let record = loop {
        let record = store_b.record(id).await.unwrap().unwrap();
        if record.lease_owner.is_none() {
            break record;
        }
        assert_ne!(record.lease_owner.as_deref(), Some(a.instance.as_str()));
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let history = store_b.history(id).await.unwrap();
    assert!(
        asked(&tap) > held_from,
        "engine A asked nothing while held: {:?}",
        tap.calls()
    );

    // The partition heals: A's held calls land, late, under the lease it lost.
    let polls_before = h.sim.stats().queries_by_task[&task];
    tap.release();
    tokio::time::sleep(Duration::from_millis(600)).await;
    let after = store_b.record(id).await.unwrap().unwrap();
    assert_eq!(after, record, "a late write changed the job");
    assert_eq!(store_b.history(id).await.unwrap(), history);
    // A lets the job go: at most the poll it had already started when it stalled.
    let polls_after = h.sim.stats().queries_by_task[&task];
    assert!(
        polls_after - polls_before <= 1,
        "A kept polling a job it lost: {polls_before} → {polls_after}"
    );
    let stats = h.sim.stats();
    assert_eq!(stats.creates_by_external_id[&ext], 1);
    assert_eq!(stats.creates_accepted, 1);
    shutdown(b).await;
    shutdown(a).await;
}
