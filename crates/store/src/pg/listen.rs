//! Following the team's jobs live: `LISTEN` on the schema's channel, on a connection of
//! its own (a pooled one would be recycled, and LISTEN is per session).
//!
//! The trigger notifies on new jobs and phase changes only, never on progress or
//! heartbeats, and only when the writing transaction commits. LISTEN is not durable: while
//! the connection is down, notifications are lost. So on every reconnect the listener
//! LISTENs first and then re-reads every job whose `version` moved past the last one it
//! saw: a change committed before the LISTEN is in the re-read, one after it is notified.
//! (Versions are drawn before commit, so a consumer that needs every write also re-reads
//! with some slack on a timer; phase changes are what this channel promises.)

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures::StreamExt;
use tokio::sync::mpsc;
use tokio_postgres::AsyncMessage;

use super::connect::Target;
use super::{PgError, PgStore};

/// One job that changed (a new job, a new phase, or anything found by a re-read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobChanged {
    pub id: i64,
    pub version: i64,
    pub phase: String,
    /// The store that wrote it (its connections' `shotdeck.writer`); `None` when a
    /// re-read found it (or an older schema's trigger notified).
    pub writer: Option<String>,
}

/// A slot given back on an account (the `schema.slots` channel, migration 4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotNote {
    Freed {
        id: i64,
        account: String,
    },
    /// The connection was lost: notes may have gone by unheard.
    Missed,
}

/// How many changes may wait between the connection, the listener task and its reader.
const CAPACITY: usize = 256;

/// Changes as they happen; stops its task when dropped.
pub struct Listener {
    rx: mpsc::Receiver<JobChanged>,
    /// Slots given back, for whoever takes them (see [`Listener::take_slots`]).
    slots: Option<mpsc::Receiver<SlotNote>>,
    reconnects: Arc<AtomicU64>,
    application_name: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Listener {
    /// The next change (`None` only if the listener's task ended).
    pub async fn recv(&mut self) -> Option<JobChanged> {
        self.rx.recv().await
    }

    /// The slots given back on any account of the schema, from the listener's start on:
    /// once (a second call answers `None`).
    pub fn take_slots(&mut self) -> Option<mpsc::Receiver<SlotNote>> {
        self.slots.take()
    }

    /// How many times the connection was lost and made again.
    pub fn reconnects(&self) -> u64 {
        self.reconnects.load(Ordering::SeqCst)
    }

    /// The listener connection's `application_name` (what `pg_stat_activity` shows).
    pub fn application_name(&self) -> &str {
        &self.application_name
    }
}

/// A live LISTEN session: notifications arrive on `notes` until the connection ends.
struct Session {
    client: tokio_postgres::Client,
    notes: mpsc::Receiver<JobChanged>,
}

/// Where a session's slot notes go: the listener's one sender, shared by its sessions.
type SlotTx = mpsc::Sender<SlotNote>;

async fn open(
    target: &Target,
    name: &str,
    channel: &str,
    slot_tx: &SlotTx,
) -> Result<Session, PgError> {
    let mut pg = target.pg.clone();
    pg.application_name(name);
    let (client, mut conn) = pg.connect(target.tls.clone()).await?;
    // Bounded: when the listener task falls behind, the pump stops reading the connection
    // and the server holds the notifications (its queue is large); nothing is dropped.
    let (tx, notes) = mpsc::channel(CAPACITY);
    let slots = slot_tx.clone();
    tokio::spawn(async move {
        let mut messages = futures::stream::poll_fn(move |cx| conn.poll_message(cx));
        while let Some(Ok(message)) = messages.next().await {
            let AsyncMessage::Notification(n) = message else {
                continue;
            };
            if n.channel().ends_with(".slots") {
                // Nobody reading slots (the receiver not taken, or dropped) is no error.
                if let Some(note) = parse_slot(n.payload()) {
                    let _ = slots.try_send(note);
                }
            } else if let Some(change) = parse_payload(n.payload())
                && tx.send(change).await.is_err()
            {
                break;
            }
        }
        // Dropping `tx` here tells the session its connection ended.
    });
    // The channels are `schema.jobs` and `schema.slots`; the schema is a plain identifier.
    let slots_channel = format!("{}.slots", channel.strip_suffix(".jobs").unwrap_or(channel));
    client
        .batch_execute(&format!("LISTEN \"{channel}\"; LISTEN \"{slots_channel}\""))
        .await?;
    Ok(Session { client, notes })
}

fn parse_payload(payload: &str) -> Option<JobChanged> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    Some(JobChanged {
        id: v.get("id")?.as_i64()?,
        version: v.get("v")?.as_i64()?,
        phase: v.get("phase")?.as_str()?.to_string(),
        writer: v.get("w").and_then(|w| w.as_str()).map(str::to_string),
    })
}

fn parse_slot(payload: &str) -> Option<SlotNote> {
    let v: serde_json::Value = serde_json::from_str(payload).ok()?;
    Some(SlotNote::Freed {
        id: v.get("id")?.as_i64()?,
        account: v.get("account")?.as_str()?.to_string(),
    })
}

/// Every job whose version moved past `cursor`, oldest change first.
async fn reread(session: &Session, cursor: i64) -> Result<Vec<JobChanged>, PgError> {
    let rows = session
        .client
        .query(
            "SELECT id, version, phase FROM jobs WHERE version > $1 ORDER BY version",
            &[&cursor],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| JobChanged {
            id: r.get(0),
            version: r.get(1),
            phase: r.get(2),
            writer: None,
        })
        .collect())
}

impl PgStore {
    /// Starts following this store's jobs from now on. Returns once the first LISTEN is in
    /// place, so every change committed after this call is delivered.
    pub async fn listen(&self) -> Result<Listener, PgError> {
        let name = format!("shotdeck-listen-{}", self.schema);
        let channel = self.channel();
        let target = self.target.clone();
        // Bounded: a reader that falls behind misses slot notes, which only hurry a gate
        // that also asks on its tick.
        let (slot_tx, slot_rx) = mpsc::channel(CAPACITY);
        let first = open(&target, &name, &channel, &slot_tx).await?;
        let cursor: i64 = first
            .client
            .query_one("SELECT coalesce(max(version), 0) FROM jobs", &[])
            .await?
            .get(0);
        // Bounded: a slow reader holds the task back (and with it the connection, see
        // `open`); a change is never dropped.
        let (tx, rx) = mpsc::channel(CAPACITY);
        let reconnects = Arc::new(AtomicU64::new(0));
        let count = reconnects.clone();
        let application_name = name.clone();
        let task = tokio::spawn(async move {
            let mut cursor = cursor;
            let mut session = Some(first);
            // What the last re-read delivered: the same change may also arrive as a
            // notification on the new session, and is not delivered twice. (Skipping by
            // `version <= cursor` would drop a change whose version was drawn before,
            // but committed after, a higher one.)
            let mut reread_seen = HashSet::new();
            loop {
                if let Some(mut s) = session.take() {
                    while let Some(change) = s.notes.recv().await {
                        if reread_seen.contains(&(change.id, change.version)) {
                            continue;
                        }
                        cursor = cursor.max(change.version);
                        if tx.send(change).await.is_err() {
                            return;
                        }
                    }
                }
                // The connection ended: make a new one, LISTEN, then catch up.
                let mut wait = Duration::from_millis(50);
                loop {
                    tokio::time::sleep(wait).await;
                    let Ok(s) = open(&target, &name, &channel, &slot_tx).await else {
                        wait = (wait * 2).min(Duration::from_secs(5));
                        continue;
                    };
                    let Ok(missed) = reread(&s, cursor).await else {
                        continue;
                    };
                    count.fetch_add(1, Ordering::SeqCst);
                    let _ = slot_tx.try_send(SlotNote::Missed);
                    reread_seen = missed.iter().map(|c| (c.id, c.version)).collect();
                    for change in missed {
                        cursor = cursor.max(change.version);
                        if tx.send(change).await.is_err() {
                            return;
                        }
                    }
                    session = Some(s);
                    break;
                }
            }
        });
        Ok(Listener {
            rx,
            slots: Some(slot_rx),
            reconnects,
            application_name,
            task,
        })
    }
}
