//! The doc and its file: outside changes, read-only boards, reloading, writing anyway,
//! saving under another name, and a copy beside the board when it may not be written.

use std::path::Path;
use std::time::Instant;

use crate::model::disk::{DiskCopy, OutsideChange};
use crate::model::doc::Doc;
use crate::model::history::{EditKind, Snapshot};
use shotdeck_files::board_file;

impl Doc {
    /// Why the board may not be written without asking, if it may not.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    pub fn set_read_only(&mut self, why: Option<String>) {
        self.read_only = why;
        self.sync_rescue();
    }

    /// Whether someone else wrote the file since it was loaded or saved here.
    pub fn outside_change(&self) -> Option<OutsideChange> {
        OutsideChange::check(self.path(), self.disk.as_ref())
    }

    /// An outside change the user has not decided about yet (autosave waits for it).
    pub fn held_change(&self) -> Option<&OutsideChange> {
        self.outside.as_ref()
    }

    pub fn hold_change(&mut self, change: OutsideChange) {
        self.outside = Some(change);
        self.sync_rescue();
    }

    /// Takes the file's version as the board. The board it replaces stays one undo away.
    pub fn reload(&mut self, copy: DiskCopy, at: Instant) {
        let before = Snapshot {
            board: std::mem::replace(&mut self.board, copy.board().clone()),
            selected: self.selected,
            provider: self.provider(),
        };
        self.history
            .record(&before, &EditKind::Discrete, "reload from disk", at);
        self.changed(at);
        self.saved_revision = self.revision;
        self.disk = Some(copy);
        self.outside = None;
        self.sync_rescue();
    }

    /// The file was deleted outside: the next save creates it again.
    pub fn file_deleted(&mut self) {
        self.disk = None;
        self.outside = None;
    }

    /// Writes the board over whatever the file holds now ("keep mine", or a read-only board
    /// the user chose to write).
    pub fn write_anyway(&mut self) -> Result<(), board_file::SaveError> {
        self.write_to_path()
    }

    /// Saves the board as `path` and edits that file from now on. On failure nothing
    /// changes.
    pub fn save_as(&mut self, path: &Path) -> Result<(), board_file::SaveError> {
        let path = crate::model::doc::absolute(path);
        let old_path = std::mem::replace(&mut self.path, path);
        if let Err(e) = self.write_to_path() {
            self.path = old_path;
            return Err(e);
        }
        self.read_only = None;
        self.board_dir = board_file::board_dir(&self.path);
        self.reprobe_images();
        Ok(())
    }
}
