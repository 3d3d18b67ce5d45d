//! Render snapshots at 80×24 and 160×48 (accept locally with
//! `INSTA_UPDATE=always cargo test --test ui_render`).

mod ui_elements;
mod ui_images;
mod ui_sequence;
mod ui_support;
mod ui_takes;

use crossterm::event::KeyCode;
use ui_support::*;

fn snap(name: &str, h: &Harness) {
    snap_at(name, h, [(80, 24), (160, 48)]);
}

fn snap_at(name: &str, h: &Harness, sizes: [(u16, u16); 2]) {
    for (w, ht) in sizes {
        let t = h.render(w, ht);
        insta::assert_snapshot!(format!("{name}_{w}x{ht}"), t.backend());
    }
}

#[test]
fn valid_board() {
    let h = harness(&noir());
    snap("valid_board", &h);
}

#[test]
fn over_fifteen_seconds_shows_the_total_as_an_error() {
    let mut b = noir();
    b.shots[0].duration = 8.0; // 8 + 5 + 3 = 16 s
    let h = harness(&b);
    snap("over_15s", &h);
    // The total is drawn in the theme's error colour.
    let t = h.render(80, 24);
    let buf = t.backend().buffer();
    let error = shotdeck::ui::ThemeColors::builtin("dark").unwrap().error;
    let row = (0..24)
        .find(|y| {
            let line: String = (0..80).map(|x| buf[(x, *y)].symbol()).collect();
            line.contains("16 / 15 s")
        })
        .expect("the total is shown");
    let line: String = (0..80).map(|x| buf[(x, row)].symbol()).collect();
    let x = line.find("16 / 15 s").unwrap();
    // Columns, not bytes: everything before the total on this row is single-byte or box drawing.
    let col = line[..x].chars().count() as u16;
    assert_eq!(buf[(col, row)].fg, error);
}

#[test]
fn job_queue_with_running_failed_and_done_jobs() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6");
    h.key(KeyCode::Down);
    snap("job_queue", &h);
}

#[test]
fn job_queue_on_a_shared_store_shows_who_submitted_each_job() {
    // A team's store records who asked; the jobs of one machine's store never say.
    let mut h = harness_with(&noir(), |board| {
        let mut jobs = sample_jobs(board);
        for (i, j) in jobs.iter_mut().enumerate() {
            let who = if i % 2 == 0 {
                "alice@studio-1"
            } else {
                "bob@studio-2"
            };
            j.submitted_by = Some(who.into());
        }
        jobs
    });
    h.keys("6");
    h.key(KeyCode::Down);
    snap("job_queue_team", &h);
    let t = h.render(160, 48);
    let screen = format!("{:?}", t.backend());
    assert!(
        screen.contains("bob") && screen.contains("by alice@studio-1"),
        "{screen}"
    );
}

#[test]
fn help_overlay() {
    let mut h = harness(&noir());
    h.keys("?");
    snap("help", &h);
}

#[test]
fn submit_confirmation() {
    let mut h = harness(&noir());
    h.keys("S");
    snap("submit_confirm", &h);
}

/// A 4k board on the official API: the dialog says the setting is unverified, and why,
/// before the user pays.
#[test]
fn submit_confirmation_says_what_is_unverified() {
    let mut b = noir();
    b.quality = "4k".into();
    let mut h = harness(&b);
    h.keys("S");
    snap("submit_confirm_unverified", &h);
}

#[test]
fn retry_confirmation() {
    // Job #2's task failed at the provider: sending a new one is the default, with the
    // same lines as a submit's confirmation (the board as it is now).
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6jjr");
    snap("retry_confirm_board", &h);
    // Polling the task again is offered above it, free.
    h.key(KeyCode::Up);
    snap("retry_confirm", &h);
}

#[test]
fn refused_submit_lists_the_errors() {
    let mut b = noir();
    b.shots[1].prompt.clear();
    b.shots[0].duration = 9.0;
    let mut h = harness(&b);
    h.keys("S");
    snap("submit_refused", &h);
}

#[test]
fn command_palette() {
    let mut h = harness(&noir());
    h.keys(":dur");
    snap("palette", &h);
}

#[test]
fn single_shot_board_in_the_prompt_editor() {
    let mut b = noir();
    b.multi_shot = false;
    b.shots.clear();
    b.prompt = "One continuous take through the rain-soaked street.".into();
    b.duration = 7.0;
    let mut h = harness(&b);
    h.keys("p"); // gateway: 7 s is not one of its standard single-shot durations
    h.key(KeyCode::Enter);
    snap("single_shot", &h);
}

/// Auto multi-shot shows one prompt, like single-shot; the shots stay, marked ignored.
#[test]
fn auto_shots_show_one_prompt() {
    let mut b = noir();
    b.shot_type = shotdeck::core::ShotType::Auto;
    b.prompt = "A chase through the rain-soaked street, cut as the model sees fit.".into();
    b.duration = 10.0;
    let mut h = harness(&b);
    h.key(KeyCode::Enter);
    snap("auto_shots", &h);
}

#[test]
fn an_absurd_duration_renders_at_once() {
    // 1e300 s once drew one ruler tick per second: a frame that never finished.
    let mut b = noir();
    b.shots[1].duration = 1e300;
    b.shots[2].duration = 1e308;
    let h = harness(&b);
    let start = std::time::Instant::now();
    for (w, ht) in [(80, 24), (160, 48), (60, 20)] {
        let t = h.render(w, ht);
        let text: String = t
            .backend()
            .buffer()
            .content()
            .iter()
            .map(|c| c.symbol())
            .collect();
        assert!(text.contains("Shots"), "{w}x{ht} drew the panes");
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
}

/// A writer the test can read back after the terminal has drawn into it.
#[derive(Clone, Default)]
struct Wire(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Wire {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The parameters of every SGR sequence (`ESC [ … m`) in `bytes`.
fn sgr_params(bytes: &[u8]) -> Vec<u16> {
    let text = String::from_utf8_lossy(bytes);
    let mut params = Vec::new();
    for chunk in text.split("\x1b[").skip(1) {
        let Some(end) = chunk.find(|c: char| !(c.is_ascii_digit() || c == ';')) else {
            continue;
        };
        if chunk[end..].starts_with('m') {
            params.extend(chunk[..end].split(';').map(|p| p.parse().unwrap_or(0)));
        }
    }
    params
}

/// ansi16 on the wire: only the 16 named colours and the terminal's defaults (39/49), never
/// 256-colour or RGB (38;…/48;…), whatever the screen shows.
#[test]
fn ansi16_sends_only_named_colours() {
    use shotdeck::ui::{DiffBackend, Styles, ThemeColors};
    let colors = ThemeColors::builtin("ansi16").unwrap();
    let mut h = harness_tweaked(&noir(), sample_jobs, |d| {
        d.styles = Styles::from_colors(&colors);
    });
    let wire = Wire::default();
    let mut terminal = ratatui::Terminal::new(DiffBackend::new(wire.clone())).unwrap();
    let mut frames = 0;
    // The editor, the job queue with a selection, and the help overlay.
    for keys in ["", "\t\t\tj", "?"] {
        h.keys(keys);
        terminal
            .resize(ratatui::layout::Rect::new(0, 0, 120, 40))
            .unwrap();
        terminal.draw(|f| h.app.render(f)).unwrap();
        frames += 1;
    }
    let params = sgr_params(&wire.0.lock().unwrap());
    assert!(params.len() > 20 * frames, "too few SGR codes: {params:?}");
    let colour = |p: &u16| matches!(p, 30..=49 | 90..=97 | 100..=107);
    let colours: Vec<u16> = params.iter().copied().filter(colour).collect();
    for p in &colours {
        assert!(
            matches!(p, 30..=37 | 39 | 40..=47 | 49 | 90..=97 | 100..=107),
            "SGR {p} in {params:?}"
        );
    }
    // The theme's roles really are drawn (accent, muted, ok, error, selection…).
    let distinct: std::collections::BTreeSet<u16> = colours
        .iter()
        .copied()
        .filter(|p| *p != 39 && *p != 49)
        .collect();
    assert!(distinct.len() >= 5, "{distinct:?}");
}

/// Enter on a job: its whole record, once the engine has sent the history.
#[test]
fn job_details_overlay() {
    let mut h = harness_with(&noir(), detailed_jobs);
    h.keys("6G"); // oldest of this board's: #1, done
    h.key(KeyCode::Enter);
    let done = detailed_jobs(&h.board_path()).remove(0);
    h.app
        .on_job_event(shotdeck::engine::events::JobEvent::Details(Box::new(
            record_of(&done),
        )));
    snap("job_details", &h);
}

#[test]
fn a_zoomed_pane_fills_the_screen() {
    let mut h = harness_with(&noir(), sample_jobs);
    h.keys("6z");
    snap("zoomed_queue", &h);
}

/// A reference board whose first prompt is longer than the prompt pane, names both its
/// references and one it does not have.
fn long_prompt_with_tokens() -> shotdeck::core::Board {
    let mut b = noir_with_references();
    b.shots[0].prompt = "<<<image_1>>> walks through a rain-soaked, neon-lit street at night; \
        <<<image_2>>> waits under the awning, smoking, while <<<image_3>>> watches from a car. \
        Slow dolly forward, steam rising from a grate."
        .into();
    b
}

/// The usual size and the smallest the layout takes, where the Prompt pane is 14 columns.
fn snap_small(name: &str, h: &Harness) {
    snap_at(name, h, [(80, 24), (60, 20)]);
}

#[test]
fn long_prompts_say_they_continue_and_tokens_are_coloured() {
    let mut h = harness(&long_prompt_with_tokens());
    // Browsing: the prompt from its start, "↓ N more lines" on the pane's bottom border.
    snap_small("long_prompt", &h);
    let theme = shotdeck::ui::ThemeColors::builtin("dark").unwrap();
    // The colour of the first cell of `needle` in the prompt pane (columns 24–55 at 80×24).
    let colour_in_prompt = |h: &Harness, needle: &str| {
        let t = h.render(80, 24);
        let buf = t.backend().buffer();
        (0..24u16).find_map(|y| {
            let line: String = (24..56u16).map(|x| buf[(x, y)].symbol()).collect();
            let at = line.find(needle)?;
            Some(buf[(24 + line[..at].chars().count() as u16, y)].fg)
        })
    };
    assert_eq!(
        colour_in_prompt(&h, "<<<image_1>>> walks"),
        Some(theme.image_token)
    );
    assert_eq!(colour_in_prompt(&h, "walks"), Some(theme.text));
    // Editing: the cursor's row is shown, what is above is counted.
    h.key(KeyCode::Enter);
    snap_small("long_prompt_editing", &h);
    // A token naming no reference is drawn as an error.
    assert_eq!(colour_in_prompt(&h, "<<<image_3>>>"), Some(theme.error));
    // The request pane zoomed: the prompt wraps under its key, nothing is cut.
    h.key(KeyCode::Esc);
    h.keys("5z");
    snap_small("request_zoomed", &h);
    // Scrolling goes by drawn rows: the end shows the body's last line, the border counts
    // what is above, and nothing is said to be below.
    h.keys("G");
    let t = h.render(80, 24);
    let buf = t.backend().buffer();
    let rows: Vec<String> = (0..24u16)
        .map(|y| (0..80u16).map(|x| buf[(x, y)].symbol()).collect())
        .collect();
    assert!(rows[20].starts_with("┃ }"), "{rows:#?}");
    assert!(rows[22].contains("lines above ┛"), "{rows:#?}");
    assert!(!rows.concat().contains("more line"), "{rows:#?}");
}
