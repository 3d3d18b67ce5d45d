//! A sequence as it stands: its file read, each board read, each board's keeper looked up
//! in the job store. The `sequence` and `cut` commands print or cut it; the editor is
//! handed it when its board is in one; every submit asks it whether the board continues
//! from another (see [`continuation`]).

use std::path::{Path, PathBuf};

use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::jobs::{JobId, Refusal};
use shotdeck_core::sequence::Continuation;
use shotdeck_core::sequence::{BoardStatus, KeeperFacts, SEQUENCE_FILE, SequenceStatus};
use shotdeck_core::{Board, Provider};
use shotdeck_files::board_file;
use shotdeck_files::sequence_file;
use shotdeck_store::{JobStore, PageQuery};

/// Jobs read at a time while looking for a board's keeper.
const PAGE: usize = 200;

/// The folder a project argument names (a folder, or its `sequence.toml`).
pub fn project_dir(project: &Path) -> PathBuf {
    if project.is_dir() {
        project.to_path_buf()
    } else {
        board_file::board_dir(project)
    }
}

/// The status of the sequence at `project`; the error is one line for the user.
pub async fn status(project: &Path, store: &dyn JobStore) -> Result<SequenceStatus, String> {
    let sequence = sequence_file::load(project).map_err(|e| e.to_string())?;
    let dir = project_dir(project);
    let title = sequence.title.clone().unwrap_or_else(|| {
        board_file::identity(&dir)
            .file_name()
            .map_or_else(|| "sequence".into(), |n| n.to_string_lossy().into_owned())
    });
    let mut boards = Vec::with_capacity(sequence.entries.len());
    for entry in &sequence.entries {
        let path = board_file::identity(&dir.join(&entry.board));
        let board = board_file::load(&path).map_err(|e| e.to_string());
        let keeper = keeper_of(store, &path).await?;
        boards.push(BoardStatus {
            name: entry.name().to_string(),
            path,
            board,
            continue_from: entry.continue_from,
            keeper,
        });
    }
    Ok(SequenceStatus { title, boards })
}

/// The board's keeper, read a page at a time (newest first) until found, with the prompt
/// its job's record says was sent.
async fn keeper_of(store: &dyn JobStore, board: &Path) -> Result<Option<KeeperFacts>, String> {
    let mut below = JobId::MAX;
    loop {
        let page = store
            .page(PageQuery {
                board: Some(board.to_path_buf()),
                below,
                limit: PAGE,
                filter: None,
            })
            .await
            .map_err(|e| e.to_string())?;
        if let Some((id, keeper)) = page
            .jobs
            .iter()
            .find_map(|v| KeeperFacts::of(v).map(|k| (v.id, k)))
        {
            // The prompt the take was made from is the record's (the board as sent).
            let record = store.record(id).await.map_err(|e| e.to_string())?;
            return Ok(Some(match record {
                Some(record) => keeper.with_record(&record),
                None => keeper,
            }));
        }
        match page.jobs.last() {
            Some(last) if page.jobs.len() == PAGE => below = last.id,
            _ => return Ok(None),
        }
    }
}

/// The sequence a board belongs to: its folder's `sequence.toml`, when that lists it.
pub fn sequence_of_board(board: &Path) -> Option<PathBuf> {
    let identity = board_file::identity(board);
    let dir = board_file::board_dir(&identity);
    let file = dir.join(SEQUENCE_FILE);
    let sequence = sequence_file::load(&file).ok()?;
    sequence
        .entries
        .iter()
        .any(|e| board_file::identity(&dir.join(&e.board)) == identity)
        .then_some(dir)
}

/// How a submit of `board` continues from the previous board's keeper, when its sequence
/// says it does (see `SequenceStatus::continuation`): `Ok(None)` when it is in no sequence
/// or continues from nothing; a refusal when neither way can be built. A sequence file
/// that cannot be read, or a store that fails, cannot say the board continues: the submit
/// goes on as it would without the file (the `sequence` command says what is wrong with it).
pub async fn continuation(
    path: &Path,
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
    store: &dyn JobStore,
) -> Result<Option<Continuation>, Refusal> {
    let Some(dir) = sequence_of_board(path) else {
        return Ok(None);
    };
    let Ok(status) = status(&dir, store).await else {
        return Ok(None);
    };
    let identity = board_file::identity(path);
    status
        .continuation(
            &identity,
            board,
            provider,
            profiles,
            shotdeck_store::now_ms(),
        )
        .transpose()
}
