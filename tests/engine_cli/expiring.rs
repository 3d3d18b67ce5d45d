//! `jobs` and `jobs show` warn about results nobody has fetched that the provider deletes
//! within three days, naming the one command that fetches them all here.

use super::*;

#[tokio::test]
async fn jobs_warns_about_results_nobody_fetched_before_they_expire() {
    use shotdeck::engine::store::{STORE_FILE, now_ms};
    const DAY_MS: i64 = 86_400_000;
    let setup = Setup::new(Faults::default()).await;
    let board = setup.board("single-shot.json");
    for _ in 0..4 {
        let out = setup
            .run(&["submit", board.to_str().unwrap(), "--yes", "--wait"])
            .await;
        assert!(out.status.success(), "{}", describe(&out));
    }
    let out = setup.run(&["jobs"]).await;
    assert!(!text(&out.stderr).contains("expire"), "{}", describe(&out));
    // As a team's store shows jobs another machine polled to the end and left for the
    // machine that asked: no file anywhere. Jobs 1 and 3 are 28 days old, job 2 is 10
    // and job 4 (31 days) is past saving.
    let path = setup.dir.path().join("data").join(STORE_FILE);
    let conn = rusqlite::Connection::open(&path).unwrap();
    for (id, days) in [(1, 28), (2, 10), (3, 28), (4, 31)] {
        conn.execute(
            "UPDATE jobs SET phase = 'downloading', created_at = ?2 WHERE id = ?1",
            rusqlite::params![id, now_ms() - days * DAY_MS],
        )
        .unwrap();
        conn.execute("DELETE FROM job_files WHERE job_id = ?1", [id])
            .unwrap();
    }
    drop(conn);
    let warning = "warning: 2 results expire within 3 days and no machine has them: \
                   `shotdeck jobs fetch 1 3`";
    for args in [&["jobs"][..], &["jobs", "show", "2"]] {
        let out = setup.run(args).await;
        assert!(out.status.success(), "{}", describe(&out));
        assert!(
            text(&out.stderr).contains(warning),
            "{args:?}: {}",
            describe(&out)
        );
    }
}
