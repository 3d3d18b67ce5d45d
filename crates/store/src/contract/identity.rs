//! Contract bodies for a board's name across machines (see the parent module).

use std::path::PathBuf;
use std::sync::Arc;

use shotdeck_core::BoardKey;
use shotdeck_core::budget::{Budget, UnitPrices};

use super::more::{TO_DONE, walk};
use super::{A, LONG, insert, job};
use crate::{JobStore, NewJob, StoreError};

fn noir() -> BoardKey {
    BoardKey {
        project: "shotdeck:5e1f".into(),
        path: "boards/noir.json".into(),
    }
}

/// `ext` submitted from the clone at `clone` (its own absolute path) of project `noir()`.
fn from_clone(ext: &str, clone: &str) -> NewJob {
    NewJob {
        board_key: Some(noir()),
        ..job(ext, &format!("{clone}/boards/noir.json"), 1.0)
    }
}

/// One board seen from two clones (two machines, two folders) is one board: its takes
/// count on, one keeper for both, a job retried once whichever clone asks, and each job
/// keeps the folder of the machine that asked (its files land there).
pub async fn two_clones_share_takes_keeper_and_retries(s: Arc<dyn JobStore>) {
    let a = insert(&*s, from_clone("i1", "/home/ann/noir"), LONG).await;
    let b = insert(&*s, from_clone("i2", "/Users/bo/src/noir"), LONG).await;
    let elsewhere = insert(&*s, job("i3", "/home/ann/noir/boards/noir.json", 1.0), LONG).await;
    assert_eq!((a.take, b.take), (1, 2), "takes count across clones");
    assert_eq!(a.board_key, noir());
    assert_eq!(b.board_key, noir());
    assert_eq!(
        b.board_path,
        PathBuf::from("/Users/bo/src/noir/boards/noir.json")
    );
    assert_eq!(elsewhere.board_key.project, "", "no project: its own board");
    assert_eq!(elsewhere.take, 1);
    // One keeper for the board, whoever marks it.
    for id in [a.id, b.id] {
        walk(&*s, id, TO_DONE).await;
    }
    s.set_keeper(a.id, true, 20).await.unwrap();
    let moved = s.set_keeper(b.id, true, 21).await.unwrap();
    let ids: Vec<_> = moved.iter().map(|v| (v.id, v.keeper)).collect();
    assert_eq!(ids, [(a.id, false), (b.id, true)]);
    // Retried once, whichever clone asks.
    let retry = |ext: &str, clone: &str| NewJob {
        retry_of: Some(a.id),
        ..from_clone(ext, clone)
    };
    let r = insert(&*s, retry("i4", "/home/ann/noir"), LONG).await;
    assert_eq!((r.take, r.retry_of_take), (3, Some(1)));
    let again = s
        .insert_within_budget(
            retry("i5", "/Users/bo/src/noir"),
            Budget::default(),
            UnitPrices::new(),
            A,
            LONG,
            2,
        )
        .await;
    assert!(
        matches!(again, Err(StoreError::AlreadyRetried { of, child }) if of == a.id && child == r.id),
        "{again:?}"
    );
}

/// Jobs recorded before the board's project existed (named by its absolute path) are taken
/// over by the first submit from inside the project on that machine: its takes go on from
/// them. A second clone's old jobs, once the project has jobs, keep their old name.
pub async fn old_rows_join_their_project(s: Arc<dyn JobStore>) {
    let old = insert(&*s, job("o1", "/home/ann/noir/boards/noir.json", 1.0), LONG).await;
    let bo_old = insert(
        &*s,
        job("o2", "/Users/bo/src/noir/boards/noir.json", 1.0),
        LONG,
    )
    .await;
    assert_eq!((old.take, bo_old.take), (1, 1));
    let new = insert(&*s, from_clone("o3", "/home/ann/noir"), LONG).await;
    assert_eq!(new.take, 2, "the take after the old one");
    let old = s.view(old.id).await.unwrap().unwrap();
    assert_eq!(old.board_key, noir(), "the old job joined the project");
    let bo_new = insert(&*s, from_clone("o4", "/Users/bo/src/noir"), LONG).await;
    assert_eq!(bo_new.take, 3);
    let bo_old = s.view(bo_old.id).await.unwrap().unwrap();
    assert_eq!(
        bo_old.board_key,
        BoardKey::local(&bo_old.board_path),
        "two histories with take 1 cannot merge"
    );
}
