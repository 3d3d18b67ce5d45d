//! What a board sent by Kling's v2 design carries, in the v2 design's words: the shot list
//! is written into the prompt, references and elements travel as `contents` items of
//! omni-video (compose/kling_v2.rs builds the same body).

use crate::kling_v2::{OMNI_VIDEO_PATH, V2Model};
use crate::model::{Board, Mode, ShotType};

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

pub(super) fn carries(board: &Board, v2: &V2Model) -> String {
    let create = v2.create(board.mode);
    let omni = create.is_some_and(|(path, _)| path == OMNI_VIDEO_PATH);
    let mut what = match (board.multi_shot, board.shot_type) {
        (true, ShotType::Custom) => format!(
            "{} written in the prompt (\"Shot n, seconds, words;\")",
            plural(board.shots.len(), "shot")
        ),
        (true, ShotType::Auto) => "nothing: the v2 design documents no Auto".into(),
        (false, _) => "single prompt".into(),
    };
    if board.mode == Mode::Reference {
        what.push_str(&if omni {
            format!(
                ", {} as refer_image in contents",
                plural(board.references.len(), "reference")
            )
        } else {
            format!(
                ", no references: {} has no omni-video route on the v2 design",
                v2.path_model
            )
        });
    }
    if !board.elements.is_empty() {
        what.push_str(&match create {
            _ if omni => format!(
                ", {} as element in contents",
                plural(board.elements.len(), "element")
            ),
            Some((path, model)) => format!(", no elements: {path}{model} takes none"),
            None => ", no elements".into(),
        });
    }
    what
}
