//! The store on its own thread: async code sends it closures and awaits their answers.
//!
//! rusqlite's `Connection` is `Send` but not `Sync`, and its calls block (a write may wait up
//! to the busy timeout for another process). One dedicated thread keeps that off the tokio
//! workers and serialises this process's writes; the thread ends when the last `Db` clone is
//! dropped.

use std::sync::mpsc;

use tokio::sync::oneshot;

use super::Store;
use crate::StoreError;

type Call = Box<dyn FnOnce(&mut Store) + Send>;

#[derive(Clone)]
pub(super) struct Db {
    tx: mpsc::Sender<Call>,
}

impl Db {
    /// Runs a store built by `open` on a new thread, once `open` has succeeded (it opens
    /// and migrates the file: quick, but it may wait out another writer's lock).
    pub(super) fn spawn(
        open: impl FnOnce() -> Result<Store, StoreError> + Send + 'static,
    ) -> Result<Db, StoreError> {
        // Unbounded by construction: every caller awaits its answer before it sends again,
        // so the queue holds at most one call per waiting task.
        let (tx, rx) = mpsc::channel::<Call>();
        let (ready_tx, ready_rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("shotdeck-db".into())
            .spawn(move || {
                let mut store = match open() {
                    Ok(s) => {
                        let _ = ready_tx.send(Ok(()));
                        s
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                for call in rx {
                    call(&mut store);
                }
            })
            .map_err(|source| StoreError::Dir {
                path: "<database thread>".into(),
                source,
            })?;
        ready_rx.recv().map_err(|_| StoreError::Closed)??;
        Ok(Db { tx })
    }

    /// Runs `f` on the database thread and returns its answer.
    pub(super) async fn call<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<R, StoreError> + Send + 'static,
    ) -> Result<R, StoreError> {
        let (tx, rx) = oneshot::channel();
        self.tx
            .send(Box::new(move |store| {
                let _ = tx.send(f(store));
            }))
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ListFilter;

    #[tokio::test]
    async fn calls_run_on_the_thread_and_errors_come_back() {
        let db = Db::spawn(Store::open_in_memory).unwrap();
        let n = db
            .call(|s| s.list(&ListFilter::default()).map(|v| v.len()))
            .await
            .unwrap();
        assert_eq!(n, 0);
        let missing = db.call(|s| s.record(42)).await.unwrap();
        assert!(missing.is_none());
        let err = db
            .call(|s| s.apply(42, "me", &Default::default(), 0))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(42)), "{err}");
    }

    #[test]
    fn an_unopenable_store_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let path = dir.path().to_path_buf();
        let err = Db::spawn(move || Store::open(&path)).err().unwrap();
        assert!(err.to_string().contains("job store"), "{err}");
    }
}
