//! The selected element row's picture in Settings. The editor never fetches it: it asks
//! the engine (`JobCmd::ElementPreview`, once per element) for a cache file under the data
//! dir, says "preview: not fetched" until the answer, "preview: no image" for an element
//! without one, and previews the cached file like a reference image once it is there.

use std::path::{Path, PathBuf};
use std::time::Duration;

use shotdeck::core::Board;
use shotdeck::core::elements::PreviewFetch;
use shotdeck::core::model::{ElementRef, Mode};
use shotdeck::engine::events::{JobCmd, JobEvent};
use shotdeck::files::config::ImagesMode;

use super::super::snap;
use crate::ui_support::*;

fn element(id: &str, name: &str, preview: Option<&str>) -> ElementRef {
    ElementRef {
        preview: preview.map(str::to_string),
        ..ElementRef::new(id, name)
    }
}

fn element_board(elements: Vec<ElementRef>) -> Board {
    let mut b = noir();
    b.model = "kling-v3-omni".into();
    b.mode = Mode::Text;
    b.elements = elements;
    b.shots[0].prompt = "<<<element_1>>> walks in the rain".into();
    b
}

/// A 12×8 picture: orange on top, teal below.
fn two_band_png(path: &Path) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    image::RgbImage::from_fn(12, 8, |_, y| {
        if y < 4 {
            image::Rgb([250, 120, 0])
        } else {
            image::Rgb([0, 160, 160])
        }
    })
    .save_with_format(path, image::ImageFormat::Png)
    .unwrap();
}

/// The board opened with its element pictures cached in `cache` (and `images` as asked).
fn open(board: &Board, cache: &Path, images: ImagesMode) -> Harness {
    let cache = cache.to_path_buf();
    harness_tweaked(
        board,
        |_| vec![],
        move |deps| {
            deps.element_previews = Some(cache);
            deps.config.images = images;
        },
    )
}

fn asked(h: &mut Harness) -> Vec<(String, Option<String>, PathBuf)> {
    std::iter::from_fn(|| h.cmds.try_recv().ok())
        .filter_map(|c| match c {
            JobCmd::ElementPreview { id, url, into, .. } => Some((id, url, into)),
            _ => None,
        })
        .collect()
}

fn half_blocks(h: &Harness) -> usize {
    h.screen(100, 40).matches(['▀', '▄']).count()
}

#[test]
fn an_element_row_asks_the_engine_once_and_says_not_fetched_then_no_image() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("element-previews");
    let board = element_board(vec![
        element("100001", "Detective", Some("https://cdn.test/100001.png")),
        element("100002", "Umbrella", None),
    ]);
    let mut h = open(&board, &cache, ImagesMode::Off);
    h.keys("3G"); // the last row: Umbrella, with no URL (the engine asks the library)
    h.key(crossterm::event::KeyCode::Up); // Detective
    assert_eq!(
        asked(&mut h),
        [
            ("100002".to_string(), None, cache.join("100002.img")),
            (
                "100001".to_string(),
                Some("https://cdn.test/100001.png".to_string()),
                cache.join("100001.img")
            )
        ]
    );
    snap("element_preview_not_fetched", &h);
    assert!(
        h.screen(160, 48)
            .contains("preview: not fetched (fetching…)")
    );

    // Back and forth: asked once per element, not on every visit.
    h.keys("jk");
    assert_eq!(asked(&mut h), []);

    h.app.on_job_event(JobEvent::ElementPreview {
        id: "100001".into(),
        outcome: PreviewFetch::NoImage,
    });
    snap("element_preview_no_image", &h);
    assert!(h.screen(160, 48).contains("preview: no image"));

    h.app.on_job_event(JobEvent::ElementPreview {
        id: "100001".into(),
        outcome: PreviewFetch::Failed("HTTP 404 from cdn.test".into()),
    });
    assert!(
        h.screen(160, 48)
            .contains("preview: not fetched: HTTP 404 from"),
        "{}",
        h.screen(160, 48)
    );
    // Another row has no element picture line.
    h.keys("g");
    h.app.settle_preview(Duration::from_millis(20));
    assert!(!h.screen(100, 40).contains("preview:"));
}

#[test]
fn a_fetched_picture_is_previewed_like_a_reference_and_named_with_images_off() {
    let tmp = tempfile::tempdir().unwrap();
    let cache = tmp.path().join("element-previews");
    let board = element_board(vec![element(
        "100001",
        "Detective",
        Some("https://cdn.test/100001.png"),
    )]);
    let mut h = open(&board, &cache, ImagesMode::Halfblocks);
    h.keys("3G");
    let [(_, _, into)] = asked(&mut h).try_into().unwrap();
    assert!(h.app.settle_preview(Duration::from_millis(50)));
    assert_eq!(half_blocks(&h), 0, "nothing to draw before the answer");

    // The engine wrote the cache file and said so: the picture and its facts are drawn.
    two_band_png(&into);
    h.app.on_job_event(JobEvent::ElementPreview {
        id: "100001".into(),
        outcome: PreviewFetch::Fetched(into.clone()),
    });
    assert!(h.app.settle_preview(Duration::from_secs(10)));
    assert!(half_blocks(&h) > 0, "{}", h.screen(100, 40));
    assert!(
        h.screen(100, 40).contains("12×8"),
        "the facts sit beside it"
    );

    // Without graphics the row names the cached file instead.
    let mut h = open(&board, &cache, ImagesMode::Off);
    h.keys("3G");
    h.app.on_job_event(JobEvent::ElementPreview {
        id: "100001".into(),
        outcome: PreviewFetch::Fetched(into.clone()),
    });
    assert!(h.app.settle_preview(Duration::from_millis(50)));
    assert_eq!(half_blocks(&h), 0);
    let screen = h.screen(200, 40);
    assert!(
        screen.contains("preview: fetched, 100001.img (images of"),
        "{screen}"
    );
}

#[test]
fn a_picture_of_the_boards_own_is_previewed_without_asking_the_engine() {
    let tmp = tempfile::tempdir().unwrap();
    let board = element_board(vec![element(
        "100001",
        "Detective",
        Some("images/detective.png"),
    )]);
    let mut h = harness_with_files(
        &board,
        |d| two_band_png(&d.join("images/detective.png")),
        |deps| deps.element_previews = Some(tmp.path().to_path_buf()),
    );
    h.keys("3G");
    assert!(h.app.settle_preview(Duration::from_secs(10)));
    assert!(asked(&mut h).is_empty(), "nothing to fetch");
    assert!(half_blocks(&h) > 0, "{}", h.screen(100, 40));
}
