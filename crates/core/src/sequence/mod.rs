//! A sequence: the boards of one film, in order, as its project file (`sequence.toml`)
//! lists them, and what a cut of their keepers says about itself (the shot list, as CSV
//! and as a CMX3600 EDL). Pure: reading the file is `shotdeck_files::sequence_file`.

pub mod continuation;
mod status;

use std::path::PathBuf;

use crate::model::Board;

pub use continuation::{Continuation, ContinueHow};
pub use status::{BoardStatus, KeeperFacts, SequenceStatus};

/// The project file's name in a sequence's folder.
pub const SEQUENCE_FILE: &str = "sequence.toml";

/// The sequence file, as written: the boards in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequence {
    pub title: Option<String>,
    pub entries: Vec<SequenceEntry>,
}

/// One board of a sequence.
#[derive(Debug, Clone, PartialEq)]
pub struct SequenceEntry {
    /// The board's file, relative to the sequence's folder.
    pub board: String,
    /// Where the board's video starts from, when the file says so.
    pub continue_from: Option<ContinueFrom>,
}

/// What a board continues from. Only the previous board's keeper for now; the file names
/// it in words so a later kind (a named board) fits without a format change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContinueFrom {
    Previous,
}

impl SequenceEntry {
    /// The board's name without its folder and `.json` (`01-arrival`), as the UI says it.
    pub fn name(&self) -> &str {
        board_name(&self.board)
    }
}

/// `dir/01-arrival.json` → `01-arrival`.
pub fn board_name(file: &str) -> &str {
    let base = file.rsplit('/').next().unwrap_or(file);
    base.strip_suffix(".json").unwrap_or(base)
}

/// What a board's video says, in one line: the shots' prompts joined, or the one prompt.
pub fn board_prompt(board: &Board) -> String {
    if board.uses_shot_list() {
        board
            .shots
            .iter()
            .map(|s| s.prompt.trim())
            .collect::<Vec<_>>()
            .join(" / ")
    } else {
        board.prompt.trim().to_string()
    }
}

/// One shot of a cut: a board's keeper.
#[derive(Debug, Clone, PartialEq)]
pub struct CutShot {
    /// The board's name (`01-arrival`).
    pub board: String,
    pub take: u32,
    pub prompt: String,
    /// The keeper's length as its MP4 header says.
    pub seconds: f64,
    pub source: PathBuf,
}

/// The shot list as CSV (RFC 4180: fields with a comma, quote or line break are quoted).
pub fn shot_list_csv(shots: &[CutShot]) -> String {
    let mut out = String::from("shot,board,take,prompt,start,duration,source\n");
    let mut start = 0.0;
    for (i, s) in shots.iter().enumerate() {
        let row = [
            (i + 1).to_string(),
            s.board.clone(),
            s.take.to_string(),
            s.prompt.clone(),
            format!("{start:.3}"),
            format!("{:.3}", s.seconds),
            s.source.display().to_string(),
        ];
        let row: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
        out.push_str(&row.join(","));
        out.push('\n');
        start += s.seconds;
    }
    out
}

fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// The shot list as a CMX3600 EDL: one video cut event a shot, the source timecode from
/// zero, the record timecode from 01:00:00:00 (the usual programme start), with the board,
/// take, prompt and file as comments editors show.
pub fn shot_list_edl(title: &str, shots: &[CutShot], fps: u32) -> String {
    let fps = fps.max(1);
    let mut out = format!("TITLE: {}\nFCM: NON-DROP FRAME\n", one_line(title));
    let mut record = u64::from(fps) * 3600;
    for (i, s) in shots.iter().enumerate() {
        let frames = (s.seconds * f64::from(fps)).round().max(0.0) as u64;
        out.push_str(&format!(
            "\n{:03}  AX       V     C        {} {} {} {}\n",
            i + 1,
            timecode(0, fps),
            timecode(frames, fps),
            timecode(record, fps),
            timecode(record + frames, fps),
        ));
        out.push_str(&format!(
            "* FROM CLIP NAME: {} take {}\n",
            one_line(&s.board),
            s.take
        ));
        out.push_str(&format!(
            "* SOURCE FILE: {}\n",
            one_line(&s.source.display().to_string())
        ));
        out.push_str(&format!("* COMMENT: {}\n", one_line(&s.prompt)));
        record += frames;
    }
    out
}

/// `HH:MM:SS:FF` of a frame count.
fn timecode(frames: u64, fps: u32) -> String {
    let fps = u64::from(fps);
    let (secs, ff) = (frames / fps, frames % fps);
    format!(
        "{:02}:{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        ff
    )
}

/// An EDL line ends at a line break: a prompt's breaks become spaces.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r']).collect::<Vec<_>>().join(" ")
}

/// `m:ss` (or `h:mm:ss`) of a running time, rounded to the second.
pub fn running_time(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Shot;

    fn shot(board: &str, take: u32, prompt: &str, seconds: f64) -> CutShot {
        CutShot {
            board: board.into(),
            take,
            prompt: prompt.into(),
            seconds,
            source: PathBuf::from(format!("/r/{board}.mp4")),
        }
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_runs_the_start() {
        let csv = shot_list_csv(&[
            shot("01-arrival", 2, "a train, at night", 1.0),
            shot("02-market", 1, "she says \"hi\"", 2.5),
        ]);
        assert_eq!(
            csv,
            "shot,board,take,prompt,start,duration,source\n\
             1,01-arrival,2,\"a train, at night\",0.000,1.000,/r/01-arrival.mp4\n\
             2,02-market,1,\"she says \"\"hi\"\"\",1.000,2.500,/r/02-market.mp4\n"
        );
    }

    #[test]
    fn edl_events_follow_each_other_on_the_record_side() {
        let edl = shot_list_edl(
            "Night\nmarket",
            &[shot("01-a", 2, "x\ny", 1.0), shot("02-b", 1, "z", 2.0)],
            25,
        );
        let expected = "TITLE: Night market\nFCM: NON-DROP FRAME\n\
            \n001  AX       V     C        00:00:00:00 00:00:01:00 01:00:00:00 01:00:01:00\n\
            * FROM CLIP NAME: 01-a take 2\n* SOURCE FILE: /r/01-a.mp4\n* COMMENT: x y\n\
            \n002  AX       V     C        00:00:00:00 00:00:02:00 01:00:01:00 01:00:03:00\n\
            * FROM CLIP NAME: 02-b take 1\n* SOURCE FILE: /r/02-b.mp4\n* COMMENT: z\n";
        assert_eq!(edl, expected);
        assert_eq!(timecode(25 * 3661 + 7, 25), "01:01:01:07");
    }

    #[test]
    fn names_prompts_and_running_times() {
        assert_eq!(board_name("acts/01-arrival.json"), "01-arrival");
        assert_eq!(board_name("notes"), "notes");
        let mut board = Board {
            shots: vec![Shot::new(" a ", 2), Shot::new("b", 3)],
            ..Board::default()
        };
        assert_eq!(board_prompt(&board), "a / b");
        board.multi_shot = false;
        board.prompt = "one".into();
        assert_eq!(board_prompt(&board), "one");
        assert_eq!(running_time(0.4), "0:00");
        assert_eq!(running_time(61.5), "1:02");
        assert_eq!(running_time(3725.0), "1:02:05");
    }
}
