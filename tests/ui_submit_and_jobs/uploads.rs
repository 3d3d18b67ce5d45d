//! What the submit dialog says about the files it will upload.

use super::*;

#[test]
fn the_submit_dialog_names_the_file_a_symlinked_image_really_is() {
    let outside = tempfile::tempdir().unwrap();
    let real = outside.path().join("secret.png");
    std::fs::write(
        &real,
        include_bytes!("../../examples/images/street-first-frame.png"),
    )
    .unwrap();
    let mut b = noir();
    b.mode = shotdeck::core::Mode::Image;
    b.first_frame = Some("x.png".into());
    let mut h = harness_with_files(
        &b,
        |dir| std::os::unix::fs::symlink(&real, dir.join("x.png")).unwrap(),
        |_| {},
    );
    h.keys("S");
    let screen = h.screen(160, 48);
    let real = std::fs::canonicalize(&real).unwrap();
    assert!(
        screen.contains(&format!("x.png → {}", real.display())),
        "{screen}"
    );
}
