//! One submit of N takes (variants): N creates, each under its own key, numbered as
//! consecutive takes; the budget and the confirmed ceiling hold all N together, and a batch
//! that does not fit records and sends nothing.

use std::path::Path;

use shotdeck::core::budget::Budget;
use shotdeck::core::cost::{default_prices, estimate};
use shotdeck::core::provider::Provider;
use shotdeck::engine::events::{JobCmd, Refusal, SubmitOptions, SubmitRequest};
use shotdeck::engine::store::{ListFilter, Store};
use shotdeck::engine::{Engine, EngineHandle};
use shotdeck::files::board_file;

use crate::support::*;

/// One take's estimate of the board at `path`.
fn one_take_usd(path: &Path) -> f64 {
    let board = board_file::load(path).unwrap();
    estimate(&board, Provider::Kling, &default_prices())
        .unwrap()
        .usd
}

fn takes(path: &Path, n: u32, max_usd: Option<f64>) -> SubmitRequest {
    let board = board_file::load(path).unwrap();
    let options = SubmitOptions {
        takes: n,
        max_usd,
        ..SubmitOptions::default()
    };
    SubmitRequest::new(path, board, Provider::Kling, options)
}

async fn engine_with(h: &Harness, budget: Budget) -> EngineHandle {
    let mut cfg = h.config();
    cfg.settings.budget = budget;
    Engine::start(cfg).await.unwrap()
}

fn recorded(h: &Harness) -> usize {
    Store::open(&h.store_path())
        .unwrap()
        .list(&ListFilter::default())
        .unwrap()
        .len()
}

#[tokio::test]
async fn three_takes_are_three_creates_with_their_own_keys_and_consecutive_numbers() {
    let h = Harness::start(0.3).await;
    let path = h.board("single-shot.json");
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    let request = takes(&path, 3, None);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    events.job_for(ticket).await;
    for take in 1..=3 {
        events
            .wait_for(&format!("take {take}"), |v| v.take == take)
            .await;
    }
    let mut views: Vec<_> = events.latest.values().cloned().collect();
    views.sort_by_key(|v| v.id);
    let ids: Vec<i64> = views.iter().map(|v| v.id).collect();
    for id in &ids {
        events.finished(*id).await;
    }
    let takes: Vec<u32> = ids.iter().map(|id| events.latest[id].take).collect();
    assert_eq!(takes, [1, 2, 3]);
    let stats = h.sim.stats();
    assert_eq!(stats.creates_accepted, 3, "one create per take");
    assert_eq!(stats.creates_by_external_id.len(), 3, "{stats:?}");
    for v in &views {
        assert_eq!(
            stats.creates_by_external_id.get(&v.external_task_id),
            Some(&1),
            "each take sent once under its own key"
        );
    }
    // The takes compare and keep like any others.
    engine
        .cmd_tx
        .try_send(JobCmd::Compare(ids[0], ids[2]))
        .unwrap();
    let [a, b] = events.compared().await;
    assert_eq!((a.take, b.take), (1, 3));
    engine
        .cmd_tx
        .try_send(JobCmd::SetKeeper {
            id: ids[1],
            keep: true,
        })
        .unwrap();
    events
        .wait_for("take 2 kept", |v| v.id == ids[1] && v.keeper)
        .await;
    shutdown(engine).await;
}

#[tokio::test]
async fn the_budget_refuses_all_takes_when_together_they_do_not_fit() {
    let h = Harness::start(0.3).await;
    let path = h.board("single-shot.json");
    let est = one_take_usd(&path);
    // Two takes fit under the day's limit, three do not (each alone would).
    let budget = Budget {
        per_day: Some(est * 2.5),
        ..Budget::default()
    };
    let mut engine = engine_with(&h, budget).await;
    let mut events = Events::new(&mut engine);
    let request = takes(&path, 3, None);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let refusal = events.refusal(ticket).await;
    let Refusal::OverBudget { job: None, over } = &refusal else {
        panic!("{refusal:?}")
    };
    assert_eq!(over.estimate_usd, Some(est * 3.0), "the three takes' total");
    assert!(
        refusal.to_string().ends_with("nothing was sent"),
        "{refusal}"
    );
    assert_eq!(recorded(&h), 0, "none of the three was recorded");
    assert_eq!(
        h.sim.stats().api_requests,
        0,
        "nothing reached the provider"
    );

    let request = takes(&path, 2, None);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    events.job_for(ticket).await;
    assert_eq!(recorded(&h), 2);
    shutdown(engine).await;
}

#[tokio::test]
async fn the_confirmed_ceiling_holds_the_total_and_the_count_is_capped() {
    let h = Harness::start(0.3).await;
    let path = h.board("single-shot.json");
    let est = one_take_usd(&path);
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    // One take fits the ceiling; four of them do not.
    let request = takes(&path, 4, Some(est * 3.5));
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let refusal = events.refusal(ticket).await;
    assert!(
        matches!(refusal, Refusal::OverCeiling { estimate_usd, .. } if (estimate_usd - est * 4.0).abs() < 1e-9),
        "{refusal:?}"
    );
    let request = takes(&path, 9, None);
    let ticket = request.ticket;
    engine.cmd_tx.try_send(JobCmd::Submit(request)).unwrap();
    let refusal = events.refusal(ticket).await;
    assert_eq!(refusal, Refusal::TooManyTakes { asked: 9 });
    assert!(refusal.to_string().contains("at most 8"), "{refusal}");
    assert_eq!(recorded(&h), 0);
    assert_eq!(h.sim.stats().api_requests, 0);
    shutdown(engine).await;
}
