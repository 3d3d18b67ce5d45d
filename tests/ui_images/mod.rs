//! Image previews, Tab completion of paths and the image picker in the settings pane.

use std::path::Path;
use std::time::Duration;

use crossterm::event::KeyCode;
use ratatui::style::Color;
use shotdeck::core::Board;
use shotdeck::core::model::Mode;

use crate::ui_support::*;

/// A 16×8 PNG: red on the left half, blue on the right, greener towards the bottom (so
/// no two pixel rows are alike and every half-block cell shows).
fn two_colour_png(path: &Path) {
    let img = image::RgbImage::from_fn(16, 8, |x, y| {
        let green = (y * 32) as u8;
        if x < 8 {
            image::Rgb([255, green, 0])
        } else {
            image::Rgb([0, green, 255])
        }
    });
    img.save(path).unwrap();
}

fn image_board(first_frame: Option<&str>) -> Board {
    let mut b = noir();
    b.mode = Mode::Image;
    b.first_frame = first_frame.map(str::to_string);
    b
}

/// Focus the settings and select the First frame row (two above `+ reference`).
fn select_first_frame(h: &mut Harness) {
    h.keys("3G");
    h.key(KeyCode::Up);
    h.key(KeyCode::Up);
}

/// Opens the First frame row, replaces its text with `text` and applies it.
fn retype(h: &mut Harness, text: &str) {
    let old = h.app.board().first_frame.clone().unwrap_or_default();
    h.key(KeyCode::Enter);
    for _ in old.chars() {
        h.key(KeyCode::Backspace);
    }
    h.keys(text);
    h.key(KeyCode::Enter);
}

/// A board whose first frame is the two-colour PNG, with that row selected and its
/// preview in.
fn previewing_frame() -> Harness {
    let mut h = harness_with_files(
        &image_board(Some("frame.png")),
        |d| two_colour_png(&d.join("frame.png")),
        |_| {},
    );
    select_first_frame(&mut h);
    assert!(h.app.settle_preview(Duration::from_secs(10)));
    h
}

#[test]
fn the_selected_frame_is_previewed_in_half_blocks_larger_when_zoomed() {
    let mut h = previewing_frame();
    let t = h.render(100, 40);
    insta::assert_snapshot!("preview_100x40", t.backend());
    let buf = t.backend().buffer();
    let cells: Vec<_> = buf
        .content()
        .iter()
        .filter(|c| matches!(c.symbol(), "▀" | "▄"))
        .collect();
    assert!(!cells.is_empty(), "half-blocks are drawn");
    let red = |c: Color| matches!(c, Color::Rgb(255, _, 0));
    let blue = |c: Color| matches!(c, Color::Rgb(0, _, 255));
    assert!(cells.iter().any(|c| red(c.fg) && red(c.bg)), "left half");
    assert!(cells.iter().any(|c| blue(c.fg) && blue(c.bg)), "right half");

    h.keys("z");
    let zoomed = h.render(100, 40);
    insta::assert_snapshot!("preview_zoomed_100x40", zoomed.backend());
    let count = |t: &ratatui::Terminal<ratatui::backend::TestBackend>| {
        t.backend()
            .buffer()
            .content()
            .iter()
            .filter(|c| matches!(c.symbol(), "▀" | "▄"))
            .count()
    };
    assert!(count(&zoomed) > count(&t), "zoomed is larger");
    assert!(
        h.screen(100, 40).contains("16×8"),
        "the facts sit beside it"
    );
}

#[test]
fn a_missing_or_broken_file_says_why_in_one_line() {
    let mut h = harness_with_files(
        &image_board(Some("gone.png")),
        |d| std::fs::write(d.join("broken.png"), b"not an image").unwrap(),
        |_| {},
    );
    select_first_frame(&mut h);
    assert!(h.app.settle_preview(Duration::from_secs(10)));
    insta::assert_snapshot!("preview_missing_100x40", h.render(100, 40).backend());

    // Edit the row to the broken file: the preview follows the new value.
    retype(&mut h, "broken.png");
    assert!(h.app.settle_preview(Duration::from_secs(10)));
    assert!(h.screen(100, 40).contains("cannot decode:"));

    retype(&mut h, "https://example.test/a.png");
    assert!(h.app.settle_preview(Duration::from_secs(10)));
    assert!(h.screen(100, 40).contains("remote image (not fetched)"));
}

#[test]
fn images_off_draws_no_picture() {
    let mut h = harness_with_files(
        &image_board(Some("frame.png")),
        |d| two_colour_png(&d.join("frame.png")),
        |deps| deps.config.images = shotdeck::files::config::ImagesMode::Off,
    );
    select_first_frame(&mut h);
    assert!(h.app.settle_preview(Duration::from_millis(50)));
    assert!(!h.screen(100, 40).contains(['▀', '▄']));
}

fn picker_files(d: &Path) {
    for f in [
        "frames/hero_closeup.png",
        "frames/wide.jpg",
        "refs/hero.webp",
        "refs/villain.png",
        "notes.txt",
        ".cache/hero.png",
    ] {
        let p = d.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, b"x").unwrap();
    }
}

#[test]
fn the_picker_filters_as_you_type_and_enter_sets_the_field_undoably() {
    let mut h = harness_with_files(&image_board(None), picker_files, |_| {});
    select_first_frame(&mut h);
    h.keys("f");
    assert_eq!(h.app.overlay_name(), Some("image_picker"));
    insta::assert_snapshot!("picker_all_100x30", h.render(100, 30).backend());
    h.keys("hero");
    insta::assert_snapshot!("picker_hero_100x30", h.render(100, 30).backend());
    h.key(KeyCode::Enter);
    assert_eq!(h.app.overlay_name(), None);
    assert_eq!(h.app.board().first_frame.as_deref(), Some("refs/hero.webp"));
    h.keys("u");
    assert_eq!(h.app.board().first_frame, None, "one undo takes it back");

    h.keys("f");
    h.keys("vl");
    h.key(KeyCode::Esc);
    assert_eq!(h.app.overlay_name(), None);
    assert_eq!(h.app.board().first_frame, None, "Esc changes nothing");
}

#[test]
fn the_picker_adds_a_reference_and_refuses_rows_without_images() {
    let mut h = harness_with_files(&image_board(None), picker_files, |_| {});
    h.keys("3G");
    h.keys("f");
    h.keys("villain");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.board().references, ["refs/villain.png"]);

    h.keys("g");
    h.keys("f");
    assert_eq!(h.app.overlay_name(), None);
    assert!(h.app.toast().unwrap().text.contains("to pick an image"));
}

#[test]
fn tab_completes_paths_from_the_boards_folder() {
    let mut h = harness_with_files(&image_board(None), picker_files, |_| {});
    select_first_frame(&mut h);
    h.key(KeyCode::Enter);
    h.keys("fr");
    h.key(KeyCode::Tab);
    h.keys("h");
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.board().first_frame.as_deref(),
        Some("frames/hero_closeup.png")
    );

    h.key(KeyCode::Enter);
    for _ in 0.."frames/hero_closeup.png".len() {
        h.key(KeyCode::Backspace);
    }
    h.keys("refs/");
    h.key(KeyCode::Tab);
    assert_eq!(
        h.app.toast().unwrap().text,
        "2 matches: hero.webp  villain.png"
    );
    insta::assert_snapshot!("tab_lists_100x30", h.render(100, 30).backend());
    h.key(KeyCode::Tab);
    h.key(KeyCode::Enter);
    assert_eq!(
        h.app.board().first_frame.as_deref(),
        Some("refs/villain.png")
    );
}

/// Through the real loop: nothing is typed after the keys that select the row, so the
/// picture on screen was drawn because the decoded preview arrived.
#[tokio::test]
async fn a_decoded_preview_is_drawn_by_the_loop_without_a_key() {
    use crossterm::event::{Event, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().unwrap();
    two_colour_png(&dir.path().join("frame.png"));
    let path = dir.path().join("board.json");
    shotdeck::files::board_file::save(&path, &image_board(Some("frame.png"))).unwrap();
    let opened = shotdeck::ui::OpenedBoard::open(&path, "std").unwrap();
    let (deps, _cmds, _events, _rec) = deps(vec![]);
    let press = |code| Ok(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    let keys = vec![
        press(KeyCode::Char('3')),
        press(KeyCode::Char('G')),
        press(KeyCode::Up),
        press(KeyCode::Up),
    ];
    let input = futures::StreamExt::chain(
        futures::stream::iter(keys),
        futures::stream::pending::<std::io::Result<Event>>(),
    );
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 40)).unwrap();
    let run = shotdeck::ui::run(&mut term, input, opened, deps);
    let r = tokio::time::timeout(Duration::from_secs(3), run).await;
    assert!(r.is_err(), "still running");
    let drawn = term
        .backend()
        .buffer()
        .content()
        .iter()
        .any(|c| matches!(c.symbol(), "▀" | "▄"));
    assert!(drawn, "the preview was drawn when it arrived");
}

#[test]
fn reading_the_images_again_updates_the_preview_of_a_file_changed_on_disk() {
    let mut h = previewing_frame();
    assert!(h.screen(100, 40).contains("16×8"));
    image::RgbImage::from_pixel(20, 10, image::Rgb([9, 9, 9]))
        .save(h.dir.path().join("frame.png"))
        .unwrap();
    h.app.dispatch(shotdeck::ui::Action::ReprobeImages);
    let until = std::time::Instant::now() + Duration::from_secs(10);
    // The findings follow the probe at once; the preview's facts follow its answer.
    while h.screen(100, 40).contains("16×8") && std::time::Instant::now() < until {
        h.app.settle_preview(Duration::from_millis(20));
        std::thread::sleep(Duration::from_millis(10));
    }
    let s = h.screen(100, 40);
    assert!(!s.contains("16×8") && s.contains("20×10"), "{s}");
}
