//! Contract bodies for results nobody fetched (see the parent module).

use std::path::PathBuf;
use std::sync::Arc;

use shotdeck_core::jobs::{JobId, JobPhase};

use super::{A, B, LONG, insert, job};
use crate::{FileProgress, FileTarget, JobChange, JobStore, Slot};

const DAY: i64 = 86_400_000;

/// A job asked for at `at` whose task succeeded and whose videos nobody recorded (the
/// engine that polled it left them for the machine that asked), its lease let go.
async fn done_at_kling(s: &dyn JobStore, ext: &str, at: i64) -> JobId {
    let mut j = job(ext, "/o.json", 1.0);
    j.board_path = PathBuf::from(format!("/{ext}.json"));
    let v = s
        .insert_within_budget(j, Default::default(), Default::default(), A, LONG, at)
        .await
        .unwrap()
        .unwrap();
    assert!(matches!(
        s.take_slot(v.id, A, at).await.unwrap(),
        Slot::Taken(_)
    ));
    let steps = [
        JobChange {
            task_id: Some(format!("task-{ext}")),
            ..JobChange::phase(JobPhase::Submitted)
        },
        JobChange::phase(JobPhase::Processing),
        JobChange::phase(JobPhase::Downloading).with_note("left for host-a to download"),
    ];
    for step in steps {
        s.apply(v.id, A, step, at).await.unwrap().unwrap();
    }
    s.release(v.id, A).await.unwrap();
    v.id
}

/// An orphan old enough is claimed by one engine only, as a lease its file writes need;
/// a younger one is left; a complete file anywhere ends it being an orphan; the warning's
/// window reads them without claiming.
pub async fn orphans_are_claimed_once_and_only_when_old(s: Arc<dyn JobStore>) {
    let now = 100 * DAY;
    let _busy = insert(&*s, job("o0", "/busy.json", 1.0), LONG).await;
    let old = done_at_kling(&*s, "o1", now - 24 * DAY).await;
    let young = done_at_kling(&*s, "o2", now - 20 * DAY).await;
    assert_eq!(s.unfetched(0, now, 10).await.unwrap(), [old, young]);
    assert_eq!(
        s.unfetched(now - 25 * DAY, now - 21 * DAY, 10)
            .await
            .unwrap(),
        [old]
    );
    assert_eq!(s.unfetched(0, now, 1).await.unwrap(), [old], "bounded");

    let cutoff = now - 23 * DAY;
    let a = s.claim_orphans(cutoff, 10, A, LONG, now).await.unwrap();
    let b = s.claim_orphans(cutoff, 10, B, LONG, now).await.unwrap();
    assert_eq!(
        (a.as_slice(), b.as_slice()),
        ([old].as_slice(), [].as_slice())
    );
    assert!(
        s.claim_orphans(cutoff, 10, A, LONG, now)
            .await
            .unwrap()
            .is_empty(),
        "a held orphan is not handed out again, not even to its holder"
    );
    let target = || {
        vec![FileTarget {
            url: "https://cdn.example/o1.mp4".into(),
            path: PathBuf::from("/orphans/o1.mp4"),
        }]
    };
    assert_eq!(s.set_files(old, B, target(), now).await.unwrap(), None);
    let v = s.set_files(old, A, target(), now).await.unwrap().unwrap();
    assert_eq!(v.files.len(), 1);
    // Recorded but not complete: still nobody has it.
    assert_eq!(s.unfetched(0, now, 10).await.unwrap(), [old, young]);
    let complete = FileProgress {
        bytes_done: 10,
        bytes_total: Some(10),
        complete: true,
    };
    s.file_progress(old, A, 0, complete, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.unfetched(0, now, 10).await.unwrap(), [young]);
    s.release(old, A).await.unwrap();
    assert!(
        s.claim_orphans(cutoff, 10, B, LONG, now)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.claim_orphans(now, 10, B, LONG, now).await.unwrap(),
        [young],
        "a later cutoff reaches the younger one"
    );
}
