//! The job store the synchronous commands (`jobs`, `jobs show/attach/lost/keep/cancel/
//! send`, `spend`) read and write: the one the configuration chooses (SQLite, or the team's
//! PostgreSQL), through the `JobStore` trait, on a small runtime of its own. Never used
//! inside async code (that awaits `app::store::open_configured` instead).

use std::future::Future;
use std::sync::Arc;

use tokio::runtime::Runtime;

use crate::app::runtime::{self, Flavor};
use crate::engine::events::JobId;
use crate::engine::events::JobView;
use crate::engine::store::{JobStore, ListFilter, PageQuery, StoreError};

/// Rows read per page when streaming a whole list.
const STREAM_CHUNK: usize = 500;

pub(super) struct Stored {
    rt: Runtime,
    store: Arc<dyn JobStore>,
}

impl Stored {
    /// Opens the configured store; the error is one line for the user.
    pub(super) fn open() -> Result<Stored, String> {
        let rt = runtime::build(Flavor::CurrentThread)
            .map_err(|e| format!("cannot start the async runtime: {e}"))?;
        let config = super::load_config();
        let store = rt
            .block_on(crate::app::store::open_configured(&config))
            .map_err(|e| e.to_string())?;
        Ok(Stored { rt, store })
    }

    pub(super) fn store(&self) -> &dyn JobStore {
        &*self.store
    }

    /// Runs one of the store's futures to its end.
    pub(super) fn block<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// Hands every job matching `filter` to `each`, newest first, a page at a time (keyset
    /// on id), so a listing holds one page however long the history. `each` stops the
    /// walk by returning an error.
    pub(super) fn for_each_view<E: From<StoreError>>(
        &self,
        filter: &ListFilter,
        mut each: impl FnMut(JobView) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut left = filter.limit.unwrap_or(usize::MAX);
        let mut below = JobId::MAX;
        while left > 0 {
            let query = PageQuery {
                board: filter.board_path.clone(),
                below,
                limit: left.min(STREAM_CHUNK),
                filter: None,
            };
            let chunk = self.block(self.store.page(query))?.jobs;
            let Some(last) = chunk.last() else {
                break;
            };
            below = last.id;
            left -= chunk.len();
            for view in chunk {
                each(view)?;
            }
        }
        Ok(())
    }
}

/// Runs `read` on the configured store from code that is inside the runtime but cannot
/// await (an exit path, a note before following a job): on a thread of its own with a
/// runtime of its own, so it never blocks on the caller's. `None` when the store does not
/// open (these reads are best effort).
pub(super) fn read_aside<T: Send>(read: impl FnOnce(&Stored) -> Option<T> + Send) -> Option<T> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| Stored::open().ok().and_then(|s| read(&s)))
            .join()
            .ok()
            .flatten()
    })
}

/// The warning `jobs` and `jobs show` print about results nobody has fetched that the
/// provider deletes within three days (Kling keeps them 30), naming the command that
/// fetches them here; `None` when there are none (or the store cannot say).
pub(super) fn expiry_warning(stored: &Stored) -> Option<String> {
    const DAY_MS: i64 = 86_400_000;
    let now = crate::engine::store::now_ms();
    let (from, to) = (now - 30 * DAY_MS, now - 27 * DAY_MS);
    let ids = stored
        .block(stored.store().unfetched(from, to, 100))
        .map_err(|e| tracing::warn!(error = %e, "reading results nobody fetched failed"))
        .ok()?;
    expiry_words(&ids)
}

/// "3 results expire within 3 days and no machine has them: `shotdeck jobs fetch 12 14 15`".
fn expiry_words(ids: &[crate::engine::events::JobId]) -> Option<String> {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    let what = match ids.len() {
        0 => return None,
        1 => "1 result expires within 3 days and no machine has it".to_string(),
        n => format!("{n} results expire within 3 days and no machine has them"),
    };
    Some(format!("{what}: `shotdeck jobs fetch {}`", list.join(" ")))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_expiry_warning_names_the_command_for_every_job() {
        assert_eq!(super::expiry_words(&[]), None);
        assert_eq!(
            super::expiry_words(&[12]).as_deref(),
            Some("1 result expires within 3 days and no machine has it: `shotdeck jobs fetch 12`")
        );
        assert_eq!(
            super::expiry_words(&[12, 14, 15]).as_deref(),
            Some(
                "3 results expire within 3 days and no machine has them: \
                 `shotdeck jobs fetch 12 14 15`"
            )
        );
    }
}
