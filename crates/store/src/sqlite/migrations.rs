//! The store's schema as an ordered list of migrations; `PRAGMA user_version` counts how
//! many have run. Append new steps, never edit old ones: a user's file may be at any step.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Each entry moves the schema one version up.
const MIGRATIONS: &[&str] = &[
    // 1: jobs, their phase history and their files.
    "
    CREATE TABLE jobs (
        id               INTEGER PRIMARY KEY AUTOINCREMENT,
        board_path       TEXT    NOT NULL,
        board_title      TEXT    NOT NULL,
        board_json       TEXT    NOT NULL,
        provider         TEXT    NOT NULL,
        request_json     TEXT    NOT NULL,
        create_path      TEXT    NOT NULL,
        external_task_id TEXT    NOT NULL UNIQUE,
        task_id          TEXT,
        phase            TEXT    NOT NULL,
        status_msg       TEXT,
        error_code       TEXT,
        error_message    TEXT,
        error_retryable  INTEGER,
        -- 1 when no engine should pick the job up by itself (a download that gave up, say):
        -- it waits for the user (Redownload) or the next engine start.
        stalled          INTEGER NOT NULL DEFAULT 0,
        units_charged    TEXT,
        seconds          REAL    NOT NULL,
        estimated_usd    REAL,
        retry_of         INTEGER REFERENCES jobs(id),
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        finished_at      INTEGER,
        lease_owner      TEXT,
        lease_until      INTEGER,
        -- When the lease holder last asked the provider: an engine taking the job over
        -- waits out the interval instead of polling again at once.
        last_polled_at   INTEGER
    );
    CREATE INDEX jobs_by_updated ON jobs(updated_at);
    CREATE INDEX jobs_by_phase ON jobs(phase);
    CREATE INDEX jobs_by_board ON jobs(board_path);

    CREATE TABLE job_events (
        id     INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs(id),
        at     INTEGER NOT NULL,
        phase  TEXT    NOT NULL,
        note   TEXT
    );
    CREATE INDEX job_events_by_job ON job_events(job_id, id);

    CREATE TABLE job_files (
        job_id      INTEGER NOT NULL REFERENCES jobs(id),
        idx         INTEGER NOT NULL,
        url         TEXT    NOT NULL,
        path        TEXT    NOT NULL,
        bytes_done  INTEGER NOT NULL DEFAULT 0,
        bytes_total INTEGER,
        complete    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (job_id, idx)
    );
    ",
    // 2: jobs may be in phase 'needs_attention' (a create in doubt at a gateway that cannot
    // look tasks up by our id). Older builds cannot read that phase: the version step makes
    // them refuse the file as newer instead of reporting those jobs as corrupt. The index
    // serves the lists of jobs waiting for the user.
    "
    CREATE INDEX jobs_needing_attention ON jobs(id) WHERE phase = 'needs_attention';
    ",
    // 3: the spend ledger and the duration check. The model a job was billed for (the
    // ledger converts charged units with its unit price), filled in for older rows from
    // the stored request; an index for "spent since midnight"; each video's duration as
    // its MP4 header gives it.
    "
    ALTER TABLE jobs ADD COLUMN model TEXT;
    UPDATE jobs SET model = COALESCE(json_extract(request_json, '$.body.model_name'),
                                     json_extract(request_json, '$.body.model'));
    CREATE INDEX jobs_by_created ON jobs(created_at);
    ALTER TABLE job_files ADD COLUMN media_seconds REAL;
    ",
    // 4: history-independent reads. The editor and `jobs` page through a board's jobs
    // (jobs_by_board holds the id after the path), find unfinished jobs without scanning
    // every row, and read each board's job count from a table triggers keep current.
    "
    CREATE INDEX jobs_unfinished ON jobs(id) WHERE phase NOT IN ('done', 'failed');
    CREATE TABLE job_counts (
        board_path TEXT    PRIMARY KEY,
        jobs       INTEGER NOT NULL
    ) WITHOUT ROWID;
    INSERT INTO job_counts SELECT board_path, count(*) FROM jobs GROUP BY board_path;
    CREATE TRIGGER job_counts_insert AFTER INSERT ON jobs BEGIN
        INSERT INTO job_counts VALUES (new.board_path, 1)
        ON CONFLICT (board_path) DO UPDATE SET jobs = jobs + 1;
    END;
    CREATE TRIGGER job_counts_delete AFTER DELETE ON jobs BEGIN
        UPDATE job_counts SET jobs = jobs - 1 WHERE board_path = old.board_path;
    END;
    ",
    // 5: each image stored once (see blobs.rs): new rows keep their request's long
    // strings in `blobs` by SHA-256 and list their places in `request_blobs`; older rows
    // keep them inline (NULL places) and read as before.
    "
    CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        data   TEXT NOT NULL
    ) WITHOUT ROWID;
    ALTER TABLE jobs ADD COLUMN request_blobs TEXT;
    ",
    // 6: jobs may be in phase 'not_sent' (recorded by a submit that stopped before sending;
    // only the user sends it). As with step 2, older builds must refuse the file rather
    // than call those jobs corrupt, or adopt and send them. The index serves the list of
    // jobs waiting to be sent.
    "
    CREATE INDEX jobs_not_sent ON jobs(id) WHERE phase = 'not_sent';
    ",
    // 7: takes. Each job is a numbered take of its board (1, 2, … per board path, in the
    // order the jobs were recorded). One window pass numbers them (0.4 s for 100,000 jobs;
    // a count per row grows with the square of a board's jobs). The unique index makes a
    // duplicate number impossible even if two writers raced, and serves "the board's
    // highest take". At most one keeper per board: the one video the user chose, which
    // scripts can pick without ambiguity.
    "
    ALTER TABLE jobs ADD COLUMN take INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE jobs ADD COLUMN keeper INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET take = numbered.n
    FROM (SELECT id, row_number() OVER (PARTITION BY board_path ORDER BY id) AS n FROM jobs)
         AS numbered
    WHERE jobs.id = numbered.id;
    CREATE UNIQUE INDEX jobs_by_board_take ON jobs(board_path, take);
    CREATE UNIQUE INDEX jobs_keeper_per_board ON jobs(board_path) WHERE keeper = 1;
    ",
    // 8: a board is named by its project and its path there (`shotdeck_files::project`),
    // the same on every machine, and takes and the keeper count by that name. Rows written
    // before are named as they were: no project, the absolute path. A later submit of the
    // same file from inside a project takes them over (`write::adopt_legacy`).
    "
    ALTER TABLE jobs ADD COLUMN project_id TEXT NOT NULL DEFAULT '';
    ALTER TABLE jobs ADD COLUMN board_rel TEXT NOT NULL DEFAULT '';
    UPDATE jobs SET board_rel = board_path;
    DROP INDEX jobs_by_board_take;
    DROP INDEX jobs_keeper_per_board;
    CREATE UNIQUE INDEX jobs_by_key_take ON jobs(project_id, board_rel, take);
    CREATE UNIQUE INDEX jobs_keeper_per_key ON jobs(project_id, board_rel) WHERE keeper = 1;
    ",
    // 9: the change cursor. Every write others should see (any that sets updated_at, and
    // every insert) stamps the row with the next change_seq: one writer at a time, so the
    // number follows commit order and a reader's cursor never depends on a clock.
    // Lease renewals and poll stamps do not set updated_at and do not count.
    "
    ALTER TABLE jobs ADD COLUMN change_seq INTEGER NOT NULL DEFAULT 0;
    UPDATE jobs SET change_seq = id;
    CREATE INDEX jobs_by_change_seq ON jobs(change_seq);
    CREATE TRIGGER jobs_change_seq_insert AFTER INSERT ON jobs BEGIN
        UPDATE jobs SET change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM jobs)
         WHERE id = NEW.id;
    END;
    CREATE TRIGGER jobs_change_seq_update AFTER UPDATE OF updated_at ON jobs BEGIN
        UPDATE jobs SET change_seq = (SELECT coalesce(max(change_seq), 0) + 1 FROM jobs)
         WHERE id = NEW.id;
    END;
    ",
];

/// The schema version this build writes.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// Runs the migrations the file has not seen. The immediate transaction takes the write
/// lock first, so two processes starting at once cannot both run the same step.
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, latest())
}

/// Runs the migrations up to schema version `target` (tests build older stores with it).
pub(super) fn migrate_to(conn: &mut Connection, target: u32) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let found: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > latest() {
        return Err(StoreError::NewerSchema {
            found,
            known: latest(),
        });
    }
    let steps = MIGRATIONS.iter().enumerate().take(target as usize);
    for (i, sql) in steps.skip(found as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as u32 + 1)?;
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn).unwrap();
        migrate(&mut conn).unwrap();
        let v: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, latest());
    }

    /// A version-6 store (before takes) with jobs on two boards, the newest on `a` a retry.
    fn store_before_takes() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 6).unwrap();
        for (n, board) in ["/a.json", "/b.json", "/a.json", "/a.json"]
            .iter()
            .enumerate()
        {
            let retry_of = (n == 3).then_some(1);
            conn.execute(
                "INSERT INTO jobs (board_path, board_title, board_json, provider, request_json, \
                 create_path, external_task_id, phase, seconds, created_at, updated_at, retry_of) \
                 VALUES (?1, 't', '{}', 'kling', '{}', '/p', ?2, 'done', 5, ?3, ?3, ?4)",
                rusqlite::params![board, format!("shotdeck-{n}"), n as i64, retry_of],
            )
            .unwrap();
        }
        conn
    }

    #[test]
    fn an_old_store_numbers_its_jobs_as_takes_in_creation_order_per_board() {
        let mut conn = store_before_takes();
        migrate(&mut conn).unwrap();
        let takes: Vec<(i64, String, u32, bool)> = conn
            .prepare("SELECT id, board_path, take, keeper FROM jobs ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let a = "/a.json".to_string();
        let b = "/b.json".to_string();
        assert_eq!(
            takes,
            [
                (1, a.clone(), 1, false),
                (2, b, 1, false),
                (3, a.clone(), 2, false),
                (4, a, 3, false)
            ]
        );
        let duplicate = conn.execute("UPDATE jobs SET take = 1 WHERE id = 3", []);
        assert!(duplicate.is_err(), "one board cannot hold take 1 twice");
        conn.execute("UPDATE jobs SET keeper = 1 WHERE id = 1", [])
            .unwrap();
        let second_keeper = conn.execute("UPDATE jobs SET keeper = 1 WHERE id = 3", []);
        assert!(second_keeper.is_err(), "one keeper per board");
    }

    #[test]
    fn old_rows_keep_their_absolute_path_as_their_name() {
        let mut conn = store_before_takes();
        migrate_to(&mut conn, 7).unwrap();
        migrate(&mut conn).unwrap();
        let names: Vec<(String, String, u32)> = conn
            .prepare("SELECT project_id, board_rel, take FROM jobs ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let old = |b: &str, t| (String::new(), b.to_string(), t);
        assert_eq!(
            names,
            [
                old("/a.json", 1),
                old("/b.json", 1),
                old("/a.json", 2),
                old("/a.json", 3)
            ]
        );
        let duplicate = conn.execute("UPDATE jobs SET take = 1 WHERE id = 3", []);
        assert!(duplicate.is_err(), "takes stay unique per board");
    }

    #[test]
    fn a_newer_file_is_refused_not_touched() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", latest() + 1)
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { .. }), "{err}");
        let tables: i64 = conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
            .unwrap();
        assert_eq!(tables, 0);
    }
}
