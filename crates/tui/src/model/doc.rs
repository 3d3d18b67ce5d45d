//! The board being edited: the board itself, its undo history, the selection, the derived
//! findings/preview, and whether it is saved. Every change goes through [`Doc::edit`], which
//! records undo, recomputes what the panes show and schedules the autosave.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::model::continues;
use crate::model::derived::{Derived, ImageCache};
use crate::model::disk::{DiskCopy, OutsideChange};
use crate::model::edit::Refusal;
use crate::model::exit_save::{self, Kept, Pending};
use crate::model::history::{EditKind, History, Snapshot};
use shotdeck_core::cost::PriceTable;
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::sequence::SequenceStatus;
use shotdeck_core::{Board, Limits, Provider};
use shotdeck_files::board_file;

/// Autosave runs this long after the last edit.
pub const AUTOSAVE_DELAY: Duration = Duration::from_millis(400);

pub use crate::model::exit_save::RescueSlot;

/// A board ready to edit: loaded from disk, or a starter for a path that does not exist yet.
#[derive(Debug, Clone)]
pub struct OpenedBoard {
    pub path: PathBuf,
    pub board: Board,
    /// False when the file does not exist yet: it is created on the first save.
    pub exists: bool,
    /// The file as read, to tell later whether someone else changed it.
    pub disk: Option<DiskCopy>,
}

impl OpenedBoard {
    /// Loads `path`. A missing file gives `Board::starter()` (with the configured quality);
    /// a file that does not parse is an error and is never opened for editing.
    pub fn open(
        path: &Path,
        default_quality: &str,
    ) -> Result<OpenedBoard, board_file::BoardFileError> {
        let path = absolute(path);
        if !path.exists() {
            let mut board = Board::starter();
            board.quality = default_quality.to_string();
            return Ok(OpenedBoard {
                path,
                board,
                exists: false,
                disk: None,
            });
        }
        let board = board_file::load(&path)?;
        // Read again for the hash, through the same special-file and size check.
        let bytes = board_file::read_bytes(&path)?;
        Ok(OpenedBoard {
            disk: Some(DiskCopy::of(&bytes, board.clone())),
            path,
            board,
            exists: true,
        })
    }
}

/// The board path as jobs record it: absolute, the same way `shotdeck submit` makes it
/// (`std::path::absolute`), so "jobs of this board" matches jobs sent from either.
pub fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

pub struct Doc {
    pub(super) path: PathBuf,
    /// The board's one name in the job store ([`board_file::identity`]).
    identity: PathBuf,
    pub(super) board_dir: PathBuf,
    pub(super) board: Board,
    provider: Provider,
    prices: PriceTable,
    /// The user's gateway profiles (`[profiles]` in config.toml), for the preview.
    profiles: Profiles,
    /// The selected shot (kept within the shot list, 0 when it is empty).
    pub selected: usize,
    pub(super) history: History,
    images: ImageCache,
    derived: Derived,
    pub(super) revision: u64,
    pub(super) saved_revision: u64,
    last_edit: Option<Instant>,
    pub(super) rescue: RescueSlot,
    /// The file as last loaded or saved (`None` while it does not exist).
    pub(super) disk: Option<DiskCopy>,
    /// Why the file may not be written without asking; autosave never writes it.
    pub(super) read_only: Option<String>,
    /// Someone else changed the file and the user has not decided yet: autosave waits.
    pub(super) outside: Option<OutsideChange>,
    /// The sequence the board is in (its folder's sequence.toml), kept current from the job
    /// views the engine sends: the preview shows the continuation it plans.
    pub(super) sequence: Option<SequenceStatus>,
}

impl Doc {
    pub fn new(
        opened: OpenedBoard,
        provider: Provider,
        prices: PriceTable,
        rescue: RescueSlot,
    ) -> Doc {
        let board_dir = board_file::board_dir(&opened.path);
        let mut images = ImageCache::default();
        images.refresh(&opened.board, &board_dir);
        let profiles = Profiles::default();
        let derived = Derived::compute(&opened.board, provider, images.facts(), &prices, &profiles);
        Doc {
            identity: board_file::identity(&opened.path),
            path: opened.path,
            board_dir,
            board: opened.board,
            provider,
            prices,
            profiles,
            selected: 0,
            history: History::default(),
            images,
            derived,
            revision: 0,
            saved_revision: 0,
            last_edit: None,
            rescue,
            disk: opened.disk,
            read_only: None,
            outside: None,
            sequence: None,
        }
    }

    pub fn board(&self) -> &Board {
        &self.board
    }
    pub fn path(&self) -> &Path {
        &self.path
    }
    /// How the job store names this board: compare jobs' `board_path` with this.
    pub fn identity(&self) -> &Path {
        &self.identity
    }
    pub fn board_dir(&self) -> &Path {
        &self.board_dir
    }
    pub fn derived(&self) -> &Derived {
        &self.derived
    }
    pub fn provider(&self) -> Provider {
        self.provider
    }
    /// The limits of the board's model for this provider.
    pub fn limits(&self) -> Limits {
        self.provider.limits_for(&self.board.model)
    }
    pub fn prices(&self) -> &PriceTable {
        &self.prices
    }
    pub fn images(&self) -> &ImageCache {
        &self.images
    }

    /// Applies `change` to a copy of the board. A refusal leaves everything untouched; a
    /// change that alters nothing records no undo step.
    pub fn edit(
        &mut self,
        kind: EditKind,
        at: Instant,
        change: impl FnOnce(&mut Board, &mut usize) -> Result<(), Refusal>,
    ) -> Result<(), Refusal> {
        let mut board = self.board.clone();
        let mut selected = self.selected;
        change(&mut board, &mut selected)?;
        if board == self.board {
            self.selected = selected;
            return Ok(());
        }
        let label = crate::model::change_label::describe(&self.board, &board);
        let before = Snapshot {
            board: std::mem::replace(&mut self.board, board),
            selected: self.selected,
            provider: self.provider,
        };
        self.history.record(&before, &kind, &label, at);
        self.selected = selected;
        self.changed(at);
        Ok(())
    }

    /// Ends the current typing burst (the user moved on), so typing again is a new step.
    pub fn break_burst(&mut self) {
        self.history.break_burst();
    }

    /// Takes the last step back; returns what it did ("delete Shot 3"), `None` when there
    /// is nothing to undo.
    pub fn undo(&mut self, at: Instant) -> Option<String> {
        let current = self.snapshot();
        let (state, label) = self.history.undo(&current)?;
        self.restore(state, at);
        Some(label)
    }

    /// Does the last undone step again; returns what it does.
    pub fn redo(&mut self, at: Instant) -> Option<String> {
        let current = self.snapshot();
        let (state, label) = self.history.redo(&current)?;
        self.restore(state, at);
        Some(label)
    }

    pub(super) fn snapshot(&self) -> Snapshot {
        Snapshot {
            board: self.board.clone(),
            selected: self.selected,
            provider: self.provider,
        }
    }

    fn restore(&mut self, s: Snapshot, at: Instant) {
        let board_changed = self.board != s.board;
        self.board = s.board;
        self.selected = s.selected;
        self.provider = s.provider;
        if board_changed {
            self.changed(at);
        } else {
            // Only the provider: nothing to save, the preview follows.
            self.selected = self.selected.min(self.board.shots.len().saturating_sub(1));
            self.rederive();
        }
    }

    pub(super) fn changed(&mut self, at: Instant) {
        self.selected = self.selected.min(self.board.shots.len().saturating_sub(1));
        self.revision += 1;
        self.last_edit = Some(at);
        self.images.refresh(&self.board, &self.board_dir);
        self.rederive();
        self.sync_rescue();
    }

    /// What an exit that cannot ask must keep, and whether it may go over the file.
    pub fn pending(&self) -> Option<Pending> {
        self.is_unsaved().then(|| Pending {
            path: self.path.clone(),
            board: self.board.clone(),
            blocked: self
                .read_only
                .as_ref()
                .map(|why| format!("the board is read-only ({why})"))
                .or_else(|| {
                    self.outside
                        .as_ref()
                        .map(|c| format!("the board changed on disk ({})", c.summary))
                }),
            disk: self.disk.clone(),
        })
    }

    /// Puts the unsaved edits (or nothing) where the panic hook finds them.
    pub(super) fn sync_rescue(&self) {
        if let Ok(mut slot) = self.rescue.lock() {
            *slot = self.pending();
        }
    }

    /// Keeps the unsaved edits by the one exit rule ([`exit_save::keep`]) and empties the
    /// rescue slot, so a panic later in the exit writes nothing again.
    pub fn keep_on_exit(&mut self) -> Option<Result<Kept, String>> {
        let pending = self.pending()?;
        let kept = exit_save::keep(&pending);
        if let Ok(mut slot) = self.rescue.lock() {
            *slot = None;
        }
        if let Ok(Kept::Board(_)) = &kept {
            self.saved_revision = self.revision;
        }
        exit_save::log_kept(&kept);
        Some(kept)
    }

    pub(super) fn rederive(&mut self) {
        self.derived = Derived::compute(
            &self.board,
            self.provider,
            self.images.facts(),
            &self.prices,
            &self.profiles,
        );
        let (board, provider, profiles) = (&self.board, self.provider, &self.profiles);
        let plan = continues::plan(self.sequence(), &self.identity, board, provider, profiles);
        continues::show(
            &mut self.derived,
            plan,
            &self.identity,
            board,
            provider,
            profiles,
        );
    }

    /// Composes previews with the user's gateway profiles instead of the built-in ones.
    /// The user's route profiles (`[profiles]` in config.toml).
    pub fn profiles(&self) -> &Profiles {
        &self.profiles
    }

    pub fn with_profiles(mut self, profiles: Profiles) -> Doc {
        self.profiles = profiles;
        self.rederive();
        self
    }

    pub fn set_provider(&mut self, provider: Provider) {
        self.provider = provider;
        self.rederive();
    }

    /// Switches the provider as an undo step of its own (`p`, then `u` takes it back).
    pub fn switch_provider(&mut self, provider: Provider, at: Instant) {
        if provider == self.provider {
            return;
        }
        let before = self.snapshot();
        let label = format!("provider {} → {provider}", self.provider);
        self.history
            .record(&before, &EditKind::Discrete, &label, at);
        self.set_provider(provider);
    }

    /// Reads every image header again (files changed on disk).
    pub fn reprobe_images(&mut self) {
        self.images.clear();
        self.images.refresh(&self.board, &self.board_dir);
        self.rederive();
    }

    pub fn select(&mut self, i: usize) {
        self.selected = i.min(self.board.shots.len().saturating_sub(1));
    }

    pub fn is_unsaved(&self) -> bool {
        self.revision != self.saved_revision
    }

    /// False until the first save of a board whose file did not exist.
    pub fn exists_on_disk(&self) -> bool {
        self.disk.is_some()
    }

    /// When the autosave should run, if there is anything to save: never while the board
    /// is read-only or an outside change waits for the user's decision.
    pub fn autosave_due(&self) -> Option<Instant> {
        if self.read_only.is_some() || self.outside.is_some() {
            return None;
        }
        self.last_edit
            .filter(|_| self.is_unsaved())
            .map(|t| t + AUTOSAVE_DELAY)
    }

    /// Saves atomically, without looking at the file first (callers check
    /// [`Doc::outside_change`]). Nothing is written when nothing changed since the last save.
    pub fn save(&mut self) -> Result<bool, board_file::SaveError> {
        if !self.is_unsaved() {
            return Ok(false);
        }
        self.write_to_path()?;
        Ok(true)
    }

    /// Writes the board to its path whether or not it changed, and remembers the bytes.
    pub(super) fn write_to_path(&mut self) -> Result<(), board_file::SaveError> {
        board_file::save(&self.path, &self.board)?;
        let written = board_file::to_json(&self.board);
        self.disk = Some(DiskCopy::of(written.as_bytes(), self.board.clone()));
        self.saved_revision = self.revision;
        self.outside = None;
        self.sync_rescue();
        Ok(())
    }
}

#[cfg(test)]
#[path = "doc_tests.rs"]
mod tests;
