//! What the ledger counts when the provider's answer is missing or odd: a create in doubt
//! the user marked lost or cancelled may have been charged, and a charge that is negative
//! or unreadable is unknown (the estimate counts), never a credit.

use super::tests::{B, new_job};
use super::*;
use crate::Resolution;
use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::jobs::CANCELLED_IN_DOUBT_CODE;
use shotdeck_core::jobs::JobPhase;

fn in_doubt(s: &mut Store, ext: &str) -> JobId {
    let id = s.insert_job(&new_job(ext), B, i64::MAX, 0).unwrap();
    for phase in [JobPhase::Submitting, JobPhase::NeedsAttention] {
        s.apply(id, B, &JobChange::phase(phase), 1).unwrap();
    }
    s.release_lease(id, B).unwrap();
    id
}

fn spent(s: &Store) -> f64 {
    s.spent_usd(None, None, &UnitPrices::new()).unwrap()
}

#[test]
fn a_create_in_doubt_marked_lost_or_cancelled_still_counts() {
    let mut s = Store::open_in_memory().unwrap();
    let lost = in_doubt(&mut s, "shotdeck-l1");
    s.resolve_attention(lost, &Resolution::Lost, "cli", 2)
        .unwrap();
    assert!((spent(&s) - 1.01).abs() < 1e-9, "{}", spent(&s));
    let cancelled = in_doubt(&mut s, "shotdeck-l2");
    let v = s.cancel(cancelled, "cli", 3).unwrap();
    assert_eq!(
        v.error.unwrap().code.as_deref(),
        Some(CANCELLED_IN_DOUBT_CODE)
    );
    assert!((spent(&s) - 2.02).abs() < 1e-9, "{}", spent(&s));
    let rows = s.ledger(None, None, &UnitPrices::new()).unwrap();
    assert!(rows.iter().all(|r| r.in_doubt && r.counted_usd > 1.0));

    // A job cancelled before it was sent cost nothing.
    let unsent = s
        .insert_job(&new_job("shotdeck-l3"), B, i64::MAX, 0)
        .unwrap();
    s.release_lease(unsent, B).unwrap();
    s.cancel(unsent, "cli", 4).unwrap();
    assert!((spent(&s) - 2.02).abs() < 1e-9, "{}", spent(&s));

    // So the budget sees them: a per_day of $2.50 has no room for another $1.01.
    let budget = Budget {
        per_day: Some(2.5),
        ..Budget::default()
    };
    let refused = s
        .insert_job_within_budget(
            &new_job("shotdeck-l4"),
            &budget,
            &UnitPrices::new(),
            B,
            9,
            5,
        )
        .unwrap();
    assert!(refused.is_err(), "{refused:?}");
}

#[test]
fn a_negative_or_unreadable_charge_counts_at_the_estimate() {
    let mut s = Store::open_in_memory().unwrap();
    let prices: UnitPrices = [("kling-v3".to_string(), 0.14)].into();
    for (ext, units) in [
        ("shotdeck-u1", "-1000"),
        ("shotdeck-u2", "n/a"),
        ("shotdeck-u3", "1e9"),
    ] {
        let id = s.insert_job(&new_job(ext), B, i64::MAX, 0).unwrap();
        let charged = JobChange {
            task_id: Some(format!("t-{ext}")),
            units_charged: Some(units.into()),
            ..JobChange::phase(JobPhase::Failed)
        };
        s.apply(id, B, &charged, 1).unwrap();
    }
    let total = s.spent_usd(None, None, &prices).unwrap();
    assert!((total - 3.03).abs() < 1e-9, "never a credit: {total}");
    let rows = s.ledger(None, None, &prices).unwrap();
    assert!(rows.iter().all(|r| r.charged_usd.is_none()), "{rows:?}");
    assert!(rows.iter().all(|r| (r.counted_usd - 1.01).abs() < 1e-9));

    // A readable charge still counts at its units.
    let id = s
        .insert_job(&new_job("shotdeck-u4"), B, i64::MAX, 0)
        .unwrap();
    let charged = JobChange {
        task_id: Some("t-4".into()),
        units_charged: Some(" 10 ".into()),
        ..JobChange::phase(JobPhase::Failed)
    };
    s.apply(id, B, &charged, 1).unwrap();
    let total = s.spent_usd(None, None, &prices).unwrap();
    assert!((total - 4.43).abs() < 1e-9, "{total}");
}

#[test]
fn a_job_sent_today_is_held_to_todays_budget_whenever_it_was_recorded() {
    let mut s = Store::open_in_memory().unwrap();
    let now = 1_700_000_000_000;
    let yesterday = s.local_midnight_ms(now).unwrap() - 3_600_000;
    let old = s
        .insert_job(&new_job("shotdeck-y1"), B, 0, yesterday)
        .unwrap();
    let today = s
        .insert_job(&new_job("shotdeck-y2"), B, 0, now - 1)
        .unwrap();
    let budget = Budget {
        per_day: Some(1.5),
        ..Budget::default()
    };
    let prices = UnitPrices::new();
    let over = s
        .date_send_within_budget(old, &budget, &prices, now)
        .unwrap()
        .unwrap_err();
    assert!(over.to_string().contains("$1.01 spent today"), "{over}");
    assert_eq!(s.view(old).unwrap().unwrap().created_at, yesterday);
    // Without the other job it fits, and from now on it counts against today.
    s.cancel(today, "cli", now).unwrap();
    s.date_send_within_budget(old, &budget, &prices, now)
        .unwrap()
        .unwrap();
    assert_eq!(s.view(old).unwrap().unwrap().created_at, now);
    let midnight = s.local_midnight_ms(now).unwrap();
    let today_usd = s.spent_usd(Some(midnight), None, &prices).unwrap();
    assert!((today_usd - 1.01).abs() < 1e-9, "{today_usd}");
}
