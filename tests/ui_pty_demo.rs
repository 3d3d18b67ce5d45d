//! The whole app end to end in a pseudo-terminal: `shotdeck --demo BOARD` against the
//! embedded simulated backend. Shots are added and written, the timeline total turns the
//! theme's error colour past 15 s and back, the board is submitted through the confirm
//! dialog, the job finishes and its video lands beside the board, and the board on disk
//! holds what was typed. The screen is read through a terminal emulator (vt100), because
//! ratatui writes only the cells that change; colours are read from its cells.

#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use expectrl::Session;
use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use ratatui::style::Color;
use shotdeck::ui::theme::ThemeColors;

/// Generous: the machine may be loaded. Waits return as soon as the screen is right.
const WAIT: Duration = Duration::from_secs(20);
const POLL: Duration = Duration::from_millis(5);

const FIRST_PROMPT: &str = "Wide: a lighthouse on a cliff at dusk, waves breaking below.";
const SECOND_PROMPT: &str = "Medium: the keeper climbs the spiral stairs.";
const THIRD_PROMPT: &str = "Close-up: the lamp flares to life.";

fn demo_command(dir: &Path, board: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    c.arg("--demo")
        .arg(board)
        .args(["--sim-task-seconds", "0.5"])
        .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
        .env("SHOTDECK_STATE_DIR", dir.join("state"))
        .env("SHOTDECK_DATA_DIR", dir.join("data"))
        // The demo keeps its job store under the temp dir: keep it inside ours.
        .env("TMPDIR", dir)
        .env("TERM", "xterm-256color")
        .env_remove("NO_COLOR");
    c
}

struct Screen {
    session: OsSession,
    parser: vt100::Parser,
}

impl Screen {
    /// Feeds the emulator whatever output is waiting, without blocking.
    fn pump(&mut self) {
        let mut buf = [0u8; 65536];
        loop {
            match self.session.try_read(&mut buf) {
                Ok(n) if n > 0 => self.parser.process(&buf[..n]),
                _ => return,
            }
        }
    }

    /// Reads output until `pred` holds for the screen, or fails after `WAIT` showing the
    /// screen and what `pred` last reported as wrong.
    fn wait_for(&mut self, what: &str, pred: impl Fn(&vt100::Screen) -> Result<(), String>) {
        let deadline = Instant::now() + WAIT;
        loop {
            self.pump();
            let verdict = pred(self.parser.screen());
            let Err(why) = verdict else { return };
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what} ({why}):\n{}",
                self.parser.screen().contents()
            );
            std::thread::sleep(POLL);
        }
    }

    /// Waits until every text in `all` is on screen.
    fn wait_text(&mut self, what: &str, all: &[&str]) {
        self.wait_for(what, |s| {
            let c = s.contents();
            match all.iter().find(|t| !c.contains(**t)) {
                Some(missing) => Err(format!("{missing:?} not on screen")),
                None => Ok(()),
            }
        });
    }

    fn send(&mut self, bytes: &[u8]) {
        self.session.write_all(bytes).unwrap();
        self.session.flush().unwrap();
    }

    /// Waits for the process to exit (draining its output meanwhile) and returns how.
    fn wait_exit(&mut self) -> WaitStatus {
        let deadline = Instant::now() + WAIT;
        loop {
            self.pump();
            let status = self.session.get_process().status().unwrap();
            if !matches!(status, WaitStatus::StillAlive) {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "shotdeck did not exit:\n{}",
                self.parser.screen().contents()
            );
            std::thread::sleep(POLL);
        }
    }
}

/// Row and column of the first cell of `needle` on screen (one cell per character, wide
/// continuation cells skipped, as the UI draws only narrow characters here).
fn locate(screen: &vt100::Screen, needle: &str) -> Option<(u16, u16)> {
    let (rows, cols) = screen.size();
    let needle: Vec<char> = needle.chars().collect();
    for row in 0..rows {
        let cells: Vec<(u16, char)> = (0..cols)
            .filter_map(|col| {
                let cell = screen.cell(row, col)?;
                if cell.is_wide_continuation() {
                    return None;
                }
                Some((col, cell.contents().chars().next().unwrap_or(' ')))
            })
            .collect();
        let hit = cells
            .windows(needle.len())
            .find(|w| w.iter().map(|(_, ch)| *ch).eq(needle.iter().copied()));
        if let Some(w) = hit {
            return Some((row, w[0].0));
        }
    }
    None
}

/// The same colour as the emulator reports it (themes give RGB; ratatui sends truecolor).
fn as_vt100(c: Color) -> vt100::Color {
    match c {
        Color::Rgb(r, g, b) => vt100::Color::Rgb(r, g, b),
        Color::Indexed(i) => vt100::Color::Idx(i),
        other => panic!("the dark theme is expected to use RGB colours, not {other:?}"),
    }
}

/// Checks that `text` is on screen with every cell drawn in `want`.
fn drawn_in(screen: &vt100::Screen, text: &str, want: vt100::Color) -> Result<(), String> {
    let (row, col) = locate(screen, text).ok_or_else(|| format!("{text:?} not on screen"))?;
    for (i, ch) in text.chars().enumerate() {
        let cell = screen.cell(row, col + i as u16).expect("located on screen");
        if ch != ' ' && cell.fgcolor() != want {
            return Err(format!(
                "{ch:?} of {text:?} is {:?}, expected {want:?}",
                cell.fgcolor()
            ));
        }
    }
    Ok(())
}

/// Opens the prompt editor on the selected shot, types `prompt` and goes back to the list.
fn write_prompt(s: &mut Screen, shot: usize, shots: usize, prompt: &str) {
    // `a` opened the new shot's prompt (at 80×24 the title says "· 2/2" beside "0/512").
    s.wait_text(
        "the prompt editor on the new shot",
        &[&format!("· {shot}/{shots}"), "0/512", "esc done"],
    );
    s.send(prompt.as_bytes());
    let typed = format!("{}/512", prompt.chars().count());
    let last_word = prompt.split_whitespace().last().unwrap();
    s.wait_text("the typed prompt", &[&typed, last_word]);
    // Esc must arrive alone, or the terminal reads it together with the next key as alt-key.
    s.send(b"\x1b");
    s.wait_text("the shot list", &["a add", "enter edit"]);
}

#[test]
fn build_a_board_check_the_total_submit_and_get_the_video_in_demo_mode() {
    let dark = ThemeColors::builtin("dark").unwrap();
    let (ok, error) = (as_vt100(dark.ok), as_vt100(dark.error));
    assert_ne!(ok, error);

    let dir = tempfile::tempdir().unwrap();
    let board = dir.path().join("tide.json");
    let start = serde_json::json!({
        "version": 1,
        "title": "Lighthouse",
        "multi_shot": true,
        "shots": [{ "prompt": FIRST_PROMPT, "duration": 3 }],
    });
    std::fs::write(&board, serde_json::to_string_pretty(&start).unwrap()).unwrap();
    let mut session = Session::spawn(demo_command(dir.path(), &board)).unwrap();
    session.get_process_mut().set_window_size(80, 24).unwrap();
    let mut s = Screen {
        session,
        parser: vt100::Parser::new(24, 80, 0),
    };
    s.wait_text("the editor", &["SIMULATED", "Lighthouse", "Shots 1/6"]);
    s.wait_for("the 3 s total in the ok colour", |sc| {
        drawn_in(sc, " 3 / 15 s", ok)
    });

    // Two new shots: each takes what is left of the 15 s, at most 5 s (3 + 5 + 5).
    s.send(b"a");
    s.wait_text("a second shot", &["Shots 2/6", " 8 / 15 s"]);
    write_prompt(&mut s, 2, 2, SECOND_PROMPT);
    s.send(b"a");
    s.wait_text("a third shot", &["Shots 3/6", " 13 / 15 s"]);
    write_prompt(&mut s, 3, 3, THIRD_PROMPT);

    // Lengthen the last shot one second at a time until the total passes the limit.
    for total in 14..=16 {
        s.send(b"+");
        s.wait_text("the longer total", &[&format!(" {total} / 15 s")]);
    }
    s.wait_for("16 s drawn in the error colour", |sc| {
        drawn_in(sc, " 16 / 15 s", error)
    });
    s.wait_text(
        "the total's finding",
        &["1 error", "the total allows at most 15 s"],
    );
    s.send(b"-");
    s.wait_for("15 s back in the ok colour", |sc| {
        drawn_in(sc, " 15 / 15 s", ok)
    });
    s.wait_text("a board without findings", &["· ready", "✓ no findings"]);

    s.send(b"S");
    s.wait_text(
        "the submit confirmation",
        &[
            "Submit?",
            "15 s (3 shots)",
            "Simulated (--demo): nothing is charged",
            "y/enter submit",
        ],
    );
    s.send(b"y");
    // `tide-1-<8 characters of the job's external id>.mp4`
    let renders = dir.path().join("tide.renders");
    let find_video = || {
        std::fs::read_dir(&renders)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap_or_default().to_string_lossy();
                name.starts_with("tide-1-") && name.ends_with(".mp4")
            })
    };
    s.wait_for("the job done and its video on disk", |sc| {
        if !sc.contents().contains("✓ done") {
            return Err("the job queue does not show it done".into());
        }
        match find_video().map(|v| std::fs::metadata(&v).map(|m| (v, m))) {
            Some(Ok((_, m))) if m.len() > 0 => Ok(()),
            Some(Ok((v, _))) => Err(format!("{} is empty", v.display())),
            Some(Err(e)) => Err(e.to_string()),
            None => Err(format!("no tide-1-*.mp4 in {}", renders.display())),
        }
    });
    let video = find_video().unwrap();
    assert_eq!(std::fs::read(&video).unwrap(), shotdeck::sim::SAMPLE_MP4);
    s.wait_text("the job's video in the queue", &["tide-1-"]);

    // Nothing is in flight any more, so quit does not ask.
    s.send(b"q");
    let status = s.wait_exit();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");

    let saved = shotdeck::files::board_file::load(&board).unwrap();
    let shots: Vec<(&str, f64)> = saved
        .shots
        .iter()
        .map(|x| (x.prompt.as_str(), x.duration))
        .collect();
    assert_eq!(
        shots,
        [
            (FIRST_PROMPT, 3.0),
            (SECOND_PROMPT, 5.0),
            (THIRD_PROMPT, 7.0)
        ]
    );
}

/// `--demo` alone opens the example board inside the demo's three-board sequence: the
/// Timeline pane says the running time and which boards lack a keeper, and marking the
/// finished take the keeper moves it on.
#[test]
fn the_demo_board_shows_its_sequence_and_a_keeper_moves_it_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut command = demo_command(dir.path(), Path::new("unused"));
    // No board named: the demo writes its own project.
    let mut bare = Command::new(command.get_program());
    bare.args(["--demo", "--sim-task-seconds", "0.5"]);
    for (key, value) in command.get_envs() {
        match value {
            Some(v) => bare.env(key, v),
            None => bare.env_remove(key),
        };
    }
    command = bare;
    let mut session = Session::spawn(command).unwrap();
    session.get_process_mut().set_window_size(80, 24).unwrap();
    let mut s = Screen {
        session,
        parser: vt100::Parser::new(24, 80, 0),
    };
    s.wait_text(
        "the sequence line",
        &[
            "SIMULATED",
            "Sequence Noir: 0/3 kept · 0:00 of 0:36 · no keeper:",
        ],
    );
    s.send(b"S");
    s.wait_text("the submit confirmation", &["Submit?"]);
    s.send(b"y");
    s.wait_text("the take done", &["✓ done"]);
    s.send(b"6");
    s.send(b"K");
    s.wait_text(
        "the keeper counted",
        &["Sequence Noir: 1/3 kept · 0:01 of 0:36 · no keeper: noir-2-alley, noi"],
    );
    s.send(b"q");
    let status = s.wait_exit();
    assert!(matches!(status, WaitStatus::Exited(_, 0)), "{status:?}");
}
