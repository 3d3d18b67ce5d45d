//! The demo's sequence: the example board and two more after it, listed in the demo
//! folder's sequence.toml, so `--demo` shows a sequence (running time, boards without a
//! keeper) and its keepers can be cut: `SHOTDECK_DATA_DIR=<demo folder> shotdeck cut
//! <demo folder>`.

use std::path::Path;

use serde_json::Value;

use crate::core::sequence::SEQUENCE_FILE;

/// The boards after the example one: (file, title, one prompt a shot).
const NEXT: [(&str, &str, [&str; 3]); 2] = [
    (
        "noir-2-alley.json",
        "Noir: the alley",
        [
            "Wide: the detective follows a shadow into a narrow alley, rain drumming on bins.",
            "Close: a gloved hand drops a matchbook into a puddle; the neon flickers.",
            "Medium: the detective picks it up and reads the name of a club.",
        ],
    ),
    (
        "noir-3-club.json",
        "Noir: the club",
        [
            "Wide: a smoky jazz club, a singer under one spotlight, the band in silhouette.",
            "Medium: the detective takes a seat at the bar and slides the matchbook over.",
            "Close: the bartender's eyes narrow; the song ends.",
        ],
    ),
];

/// The demo folder's sequence: the example board first, then the two above, which share
/// one element (the detective, kept the same from board to board). Files already there
/// are kept.
pub(super) fn write(dir: &Path, first_board: &str) -> std::io::Result<()> {
    let template: Value = serde_json::from_str(first_board)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
    for (file, title, prompts) in NEXT {
        let path = dir.join(file);
        if path.exists() {
            continue;
        }
        let mut board = template.clone();
        board["title"] = title.into();
        if let Some(shots) = board["shots"].as_array_mut() {
            for (shot, prompt) in shots.iter_mut().zip(prompts) {
                shot["prompt"] = prompt.into();
            }
        }
        let board = with_element(board);
        let text = serde_json::to_string_pretty(&board)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
        std::fs::write(&path, text + "\n")?;
    }
    let sequence = dir.join(SEQUENCE_FILE);
    if !sequence.exists() {
        std::fs::write(
            &sequence,
            "# The demo's film: three boards in order; `shotdeck sequence` shows it.\n\
             title = \"Noir\"\n\
             boards = [\n  \"noir-demo.json\",\n  \
             \"noir-2-alley.json\",\n  \
             \"noir-3-club.json\",\n]\n",
        )?;
    }
    Ok(())
}

/// The simulator's preset element (its library's `100001`, "Detective"), named in every
/// prompt as `<<<element_1>>>`: elements ride on omni-video, so the board takes that model.
fn with_element(mut board: Value) -> Value {
    board["model"] = "kling-v3-omni".into();
    board["elements"] = serde_json::json!([{ "id": "100001", "name": "Detective" }]);
    if let Some(shots) = board["shots"].as_array_mut() {
        for shot in shots {
            if let Some(prompt) = shot["prompt"].as_str() {
                shot["prompt"] = prompt
                    .replacen("the detective", "<<<element_1>>>", 1)
                    .into();
            }
        }
    }
    board
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_boards_in_a_sequence_that_parses() {
        let dir = tempfile::tempdir().unwrap();
        let first = include_str!("../../examples/noir-3-shot.json");
        std::fs::write(dir.path().join("noir-demo.json"), first).unwrap();
        write(dir.path(), first).unwrap();
        let seq = crate::files::sequence_file::load(dir.path()).unwrap();
        let names: Vec<&str> = seq.entries.iter().map(|e| e.name()).collect();
        assert_eq!(names, ["noir-demo", "noir-2-alley", "noir-3-club"]);
        for e in &seq.entries {
            let board = crate::files::board_file::load(&dir.path().join(&e.board)).unwrap();
            let findings =
                crate::core::validate(&board, crate::core::Provider::Kling, &Default::default());
            assert!(
                crate::core::is_submittable(&findings),
                "{}: {findings:?}",
                e.board
            );
        }
        let alley = crate::files::board_file::load(&dir.path().join("noir-2-alley.json")).unwrap();
        assert_eq!(alley.title, "Noir: the alley");
        assert!(alley.shots[1].prompt.contains("matchbook"));
        assert_eq!(alley.elements.len(), 1, "the boards share the detective");
        assert!(alley.shots[0].prompt.contains("<<<element_1>>>"));
        assert!(alley.shots[2].prompt.contains("<<<element_1>>>"));
    }
}
