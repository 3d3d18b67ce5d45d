//! The PostgreSQL schema as ordered steps, like the SQLite store's: `schema_version` counts
//! how many have run. Append new steps, never edit old ones. DDL is transactional here, so
//! the steps and the version move together, under an advisory lock that makes two
//! machines starting at once take turns.

use tokio_postgres::Client;

use super::PgError;

/// Each entry moves the schema one version up.
const MIGRATIONS: &[&str] = &[
    // 1: the shared queue.
    "
    -- One row per Kling account (x resource-pack pool): a label, never a secret.
    CREATE TABLE accounts (
        id              text PRIMARY KEY,
        max_in_flight   int  NOT NULL CHECK (max_in_flight > 0),
        -- Shared hold-off after a 1302 / 429: nobody sends to the account before it.
        hold_off_until  timestamptz,
        -- After a 1303 while under our own count (other tools use the account too), a
        -- lower limit for a while.
        lowered_limit   int CHECK (lowered_limit > 0),
        lowered_until   timestamptz,
        day_budget_usd  float8,
        -- The team's 'today' for the daily budget.
        tz              text NOT NULL DEFAULT 'UTC'
    );
    -- One row per running engine; last_seen is the database's clock.
    CREATE TABLE engines (
        id          text PRIMARY KEY,
        host        text NOT NULL,
        user_name   text NOT NULL,
        started_at  timestamptz NOT NULL DEFAULT now(),
        last_seen   timestamptz NOT NULL DEFAULT now()
    );
    -- A board is a project (root id: a .shotdeck marker's id or the git root) and a path
    -- relative to it: the same on every machine. next_take numbers its jobs.
    CREATE TABLE boards (
        id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        project_root  text NOT NULL,
        rel_path      text NOT NULL,
        next_take     int  NOT NULL DEFAULT 1,
        UNIQUE (project_root, rel_path)
    );
    CREATE TABLE jobs (
        id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        board_id           bigint NOT NULL REFERENCES boards(id),
        take               int    NOT NULL,
        keeper             bool   NOT NULL DEFAULT false,
        account_id         text   NOT NULL REFERENCES accounts(id),
        provider           text   NOT NULL,
        model              text,
        board_title        text   NOT NULL,
        board_json         text   NOT NULL,
        request_json       text   NOT NULL,
        external_task_id   text   NOT NULL UNIQUE,
        task_id            text,
        phase              text   NOT NULL,
        status_msg         text,
        error_code         text,
        error_message      text,
        error_retryable    bool,
        stalled            bool   NOT NULL DEFAULT false,
        seconds            float8 NOT NULL,
        -- Slots the task occupies on its account while in flight.
        slot_weight        int    NOT NULL DEFAULT 1 CHECK (slot_weight > 0),
        estimated_usd      float8,
        units_charged      text,
        charged_usd        float8,
        retry_of           bigint REFERENCES jobs(id),
        submitted_by_user  text   NOT NULL,
        submitted_by_host  text   NOT NULL,
        lease_owner        text,
        -- The fencing token: bumped by every claim; every worker write names it.
        lease_epoch        bigint NOT NULL DEFAULT 0,
        -- Start of the create's in-doubt window (set with the slot).
        submitting_since   timestamptz,
        run_after          timestamptz NOT NULL DEFAULT now(),
        last_polled_at     timestamptz,
        created_at         timestamptz NOT NULL DEFAULT now(),
        updated_at         timestamptz NOT NULL DEFAULT now(),
        finished_at        timestamptz,
        -- From job_change_seq on every write: the re-read cursor of listeners.
        version            bigint NOT NULL DEFAULT 0,
        UNIQUE (board_id, take)
    );
    CREATE UNIQUE INDEX jobs_one_retry ON jobs(retry_of) WHERE retry_of IS NOT NULL;
    CREATE UNIQUE INDEX jobs_keeper_per_board ON jobs(board_id) WHERE keeper;
    CREATE INDEX jobs_workable ON jobs(created_at, id)
        WHERE phase IN ('queued', 'submitting', 'submitted', 'processing', 'downloading');
    CREATE INDEX jobs_in_flight ON jobs(account_id)
        WHERE phase IN ('submitting', 'submitted', 'processing');
    CREATE INDEX jobs_queued ON jobs(account_id, created_at, id) WHERE phase = 'queued';
    CREATE INDEX jobs_by_account_created ON jobs(account_id, created_at);
    CREATE INDEX jobs_by_version ON jobs(version);

    CREATE TABLE job_events (
        id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        job_id     bigint NOT NULL REFERENCES jobs(id),
        at         timestamptz NOT NULL DEFAULT now(),
        phase      text NOT NULL,
        note       text,
        engine_id  text
    );
    CREATE INDEX job_events_by_job ON job_events(job_id, id);

    -- The files, per machine that asked for them (host + folder), not per lease holder.
    CREATE TABLE job_files (
        job_id       bigint NOT NULL REFERENCES jobs(id),
        host         text   NOT NULL,
        dir          text   NOT NULL,
        idx          int    NOT NULL,
        url          text,
        path         text,
        bytes_done   bigint NOT NULL DEFAULT 0,
        bytes_total  bigint,
        complete     bool   NOT NULL DEFAULT false,
        PRIMARY KEY (job_id, host, idx)
    );
    CREATE TABLE blobs (sha256 text PRIMARY KEY, data text NOT NULL);

    CREATE SEQUENCE job_change_seq;
    CREATE FUNCTION jobs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.version := nextval(format('%I.job_change_seq', TG_TABLE_SCHEMA)::regclass);
        NEW.updated_at := now();
        RETURN NEW;
    END $$;
    CREATE TRIGGER jobs_touch BEFORE INSERT OR UPDATE ON jobs
        FOR EACH ROW EXECUTE FUNCTION jobs_touch();
    -- Phase changes only (and new jobs): progress and heartbeats never notify. Delivered
    -- on commit, never for a rolled-back write.
    CREATE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.jobs',
            json_build_object('id', NEW.id, 'v', NEW.version, 'phase', NEW.phase)::text);
        RETURN NULL;
    END $$;
    CREATE TRIGGER jobs_notify_insert AFTER INSERT ON jobs
        FOR EACH ROW EXECUTE FUNCTION jobs_notify();
    CREATE TRIGGER jobs_notify_phase AFTER UPDATE ON jobs
        FOR EACH ROW WHEN (OLD.phase IS DISTINCT FROM NEW.phase)
        EXECUTE FUNCTION jobs_notify();

    -- The spend ledger, derived (one truth: the jobs): what each job counts for, by user,
    -- board, project and account. The rule is the SQLite store's SPENDING.
    CREATE VIEW ledger AS
    SELECT j.id AS job_id, j.created_at, j.account_id, j.submitted_by_user AS user_name,
           b.project_root, b.rel_path, j.provider, j.model, j.phase,
           j.estimated_usd, j.charged_usd,
           CASE WHEN j.phase = 'failed' AND j.task_id IS NULL
                     AND coalesce(j.error_code, '') NOT IN ('lost', 'cancelled_in_doubt')
                THEN 0 ELSE coalesce(j.charged_usd, j.estimated_usd, 0) END AS counted_usd
      FROM jobs j JOIN boards b ON b.id = j.board_id;
    ",
    // 2: what the JobStore trait reads and writes. Its times are the caller's Unix
    // milliseconds (as on SQLite: a redated send, a ledger since a date); the
    // timestamptz columns above stay on the database clock for the gate and claims.
    "
    ALTER TABLE jobs
        ADD COLUMN board_path     text   NOT NULL DEFAULT '',
        ADD COLUMN create_path    text   NOT NULL DEFAULT '',
        ADD COLUMN lease_until_ms bigint,
        ADD COLUMN created_ms     bigint NOT NULL DEFAULT 0,
        ADD COLUMN updated_ms     bigint NOT NULL DEFAULT 0,
        ADD COLUMN finished_ms    bigint,
        ADD COLUMN last_polled_ms bigint;
    ALTER TABLE job_events ADD COLUMN at_ms bigint NOT NULL DEFAULT 0;
    ALTER TABLE job_files ADD COLUMN media_seconds float8;
    CREATE INDEX jobs_by_board_path ON jobs(board_path, id);
    CREATE INDEX jobs_by_updated_ms ON jobs(updated_ms);
    CREATE INDEX jobs_by_created_ms ON jobs(created_ms);
    CREATE INDEX jobs_unfinished ON jobs(id) WHERE phase NOT IN ('done', 'failed');
    ",
    // 3: the database decides, not clocks. `changed_xid` is the id of the transaction that
    // last changed what others see in the row (`changed_since`'s cursor: a reader re-reads
    // every transaction not yet finished when it read, so one that drew a lower id but
    // committed later is never skipped). Lease renewals and poll stamps alone do not
    // count. `lease_until_ms` is now the database clock's (`now()`), as are leases.
    // NOTIFY names the writing store (`shotdeck.writer`, set per connection), so a
    // process is not woken by its own writes.
    "
    ALTER TABLE jobs ADD COLUMN changed_xid bigint NOT NULL DEFAULT 0;
    CREATE INDEX jobs_by_changed_xid ON jobs(changed_xid);
    CREATE OR REPLACE FUNCTION jobs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.version := nextval(format('%I.job_change_seq', TG_TABLE_SCHEMA)::regclass);
        NEW.updated_at := now();
        IF TG_OP = 'INSERT'
           OR (NEW.lease_owner, NEW.lease_epoch, NEW.lease_until_ms, NEW.last_polled_ms,
               NEW.last_polled_at)
              IS NOT DISTINCT FROM
              (OLD.lease_owner, OLD.lease_epoch, OLD.lease_until_ms, OLD.last_polled_ms,
               OLD.last_polled_at)
           OR (to_jsonb(NEW) - '{lease_owner,lease_epoch,lease_until_ms,last_polled_ms,last_polled_at,updated_at,version,changed_xid}'::text[])
              IS DISTINCT FROM
              (to_jsonb(OLD) - '{lease_owner,lease_epoch,lease_until_ms,last_polled_ms,last_polled_at,updated_at,version,changed_xid}'::text[])
        THEN
            NEW.changed_xid := pg_current_xact_id()::text::int8;
        END IF;
        RETURN NEW;
    END $$;
    CREATE OR REPLACE FUNCTION jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.jobs',
            json_build_object('id', NEW.id, 'v', NEW.version, 'phase', NEW.phase,
                              'w', current_setting('shotdeck.writer', true))::text);
        RETURN NULL;
    END $$;
    ",
    // 4: a freed slot is heard at once, and a heartbeat is cheap. A job leaving the phases
    // that hold a slot notifies `schema.slots` with its account, whoever wrote it (the
    // writer's own store may serve several engines): the first waiting job of every engine
    // asks the gate then, not at its next tick. A write that changes only lease and poll
    // stamps (a heartbeat renews every leased row, queued ones included, each tick) keeps
    // `version`, `updated_at` and `changed_xid`: no indexed column moves, so the row is
    // updated in place (a HOT update) instead of adding an entry to every index. A
    // renewal says so with `shotdeck.stamp` (SET LOCAL, its transaction only), which skips
    // the comparison of the whole row.
    "
    CREATE OR REPLACE FUNCTION jobs_touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('shotdeck.stamp', true) = 'lease' THEN
            RETURN NEW;
        END IF;
        -- Nested, so the whole row is compared only when a stamp moved.
        IF TG_OP = 'UPDATE'
           AND (NEW.lease_owner, NEW.lease_epoch) IS NOT DISTINCT FROM (OLD.lease_owner, OLD.lease_epoch)
           AND (NEW.lease_until_ms, NEW.last_polled_ms, NEW.last_polled_at)
               IS DISTINCT FROM (OLD.lease_until_ms, OLD.last_polled_ms, OLD.last_polled_at)
        THEN
            IF (to_jsonb(NEW) - '{lease_owner,lease_epoch,lease_until_ms,last_polled_ms,last_polled_at,updated_at,version,changed_xid}'::text[])
               IS NOT DISTINCT FROM
               (to_jsonb(OLD) - '{lease_owner,lease_epoch,lease_until_ms,last_polled_ms,last_polled_at,updated_at,version,changed_xid}'::text[])
            THEN
                RETURN NEW;
            END IF;
        END IF;
        NEW.version := nextval(format('%I.job_change_seq', TG_TABLE_SCHEMA)::regclass);
        NEW.updated_at := now();
        IF TG_OP = 'INSERT'
           OR (NEW.lease_owner, NEW.lease_epoch, NEW.lease_until_ms, NEW.last_polled_ms,
               NEW.last_polled_at)
              IS NOT DISTINCT FROM
              (OLD.lease_owner, OLD.lease_epoch, OLD.lease_until_ms, OLD.last_polled_ms,
               OLD.last_polled_at)
           OR (to_jsonb(NEW) - '{lease_owner,lease_epoch,lease_until_ms,last_polled_ms,last_polled_at,updated_at,version,changed_xid}'::text[])
              IS DISTINCT FROM
              (to_jsonb(OLD) - '{lease_owner,lease_epoch,lease_until_ms,last_polled_ms,last_polled_at,updated_at,version,changed_xid}'::text[])
        THEN
            NEW.changed_xid := pg_current_xact_id()::text::int8;
        END IF;
        RETURN NEW;
    END $$;
    ALTER TABLE jobs SET (toast_tuple_target = 128, fillfactor = 70);
    CREATE FUNCTION jobs_slot_freed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.slots',
            json_build_object('id', NEW.id, 'account', NEW.account_id,
                              'w', current_setting('shotdeck.writer', true))::text);
        RETURN NULL;
    END $$;
    CREATE TRIGGER jobs_slot_freed AFTER UPDATE ON jobs FOR EACH ROW
        WHEN (OLD.phase IN ('submitting', 'submitted', 'processing')
              AND NEW.phase NOT IN ('submitting', 'submitted', 'processing'))
        EXECUTE FUNCTION jobs_slot_freed();
    ",
];

/// The schema version this build writes.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// Brings `schema` up to date, or refuses it when it is newer than this build.
pub(super) async fn migrate(client: &mut Client, schema: &str) -> Result<(), PgError> {
    migrate_to(client, schema, latest()).await
}

/// Runs the steps up to `target` (tests build older or newer schemas with it).
pub(super) async fn migrate_to(
    client: &mut Client,
    schema: &str,
    target: u32,
) -> Result<(), PgError> {
    let tx = client.transaction().await?;
    // One migrator per schema at a time, on every machine; released at commit.
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtext('shotdeck-migrate:' || $1))",
        &[&schema],
    )
    .await?;
    // `schema` was checked to be a plain identifier (valid_schema).
    tx.batch_execute(&format!(
        "CREATE SCHEMA IF NOT EXISTS {schema};
         CREATE TABLE IF NOT EXISTS {schema}.schema_version (
             one bool PRIMARY KEY DEFAULT true CHECK (one),
             version int NOT NULL);
         INSERT INTO {schema}.schema_version (version) VALUES (0) ON CONFLICT DO NOTHING;"
    ))
    .await?;
    let found: i32 = tx
        .query_one(&format!("SELECT version FROM {schema}.schema_version"), &[])
        .await?
        .get(0);
    let found = found.max(0) as u32;
    if found > latest() {
        return Err(PgError::NewerSchema {
            found,
            known: latest(),
        });
    }
    for (i, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(found as usize)
    {
        tx.batch_execute(sql).await?;
        tx.execute(
            &format!("UPDATE {schema}.schema_version SET version = $1"),
            &[&(i as i32 + 1)],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}
