use std::path::PathBuf;

use super::*;

/// The simulator's result video: 1 s, 160×90, H.264.
fn sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sim/src/assets/sample.mp4")
}

fn not_blank(image: &RgbImage) -> bool {
    let first = image.get_pixel(0, 0);
    let differ = image.pixels().filter(|p| *p != first).count();
    let bright = image
        .pixels()
        .map(|p| u64::from(p.0[0]) + u64::from(p.0[1]) + u64::from(p.0[2]))
        .sum::<u64>();
    differ > image.pixels().len() / 10 && bright > 0
}

#[test]
fn openh264_decodes_the_samples_last_frame_to_a_png() {
    let dir = tempfile::tempdir().unwrap();
    let image = decode_last_frame(&sample()).unwrap();
    assert_eq!(image.dimensions(), (160, 90));
    assert!(not_blank(&image), "the frame has a picture");
    let png = dir.path().join("last.png");
    write_png(&image, &png).unwrap();
    let back = image::open(&png).unwrap().to_rgb8();
    assert_eq!(back.dimensions(), (160, 90));
    assert!(not_blank(&back));
    assert_eq!(back, image, "PNG is lossless");
}

#[test]
fn the_frame_written_for_kling_is_at_least_300_px() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join(".shotdeck/frames/01-a-take1-last.png");
    let frame = last_frame_png(&sample(), &png, None).unwrap();
    assert_eq!(frame.decoder, Decoder::OpenH264);
    assert_eq!((frame.width, frame.height), (533, 300));
    let back = image::open(&png).unwrap().to_rgb8();
    assert_eq!(back.dimensions(), (533, 300));
    assert!(not_blank(&back));
    let big = RgbImage::new(1280, 720);
    assert_eq!(at_least(big, MIN_SIDE_PX).dimensions(), (1280, 720));
}

#[cfg(unix)]
#[test]
fn ffmpeg_takes_over_when_openh264_cannot_and_is_asked_for_the_last_frame() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.mp4");
    std::fs::write(&broken, b"not an mp4").unwrap();
    let out = dir.path().join("frames/last.png");
    // Without ffmpeg: said, nothing written.
    let err = last_frame_png(&broken, &out, None).unwrap_err();
    assert!(err.contains("ffmpeg is not installed"), "{err}");
    assert!(!out.exists());

    // A stand-in ffmpeg: records its arguments and writes a 400×300 PNG to the last one.
    let made = dir.path().join("made.png");
    write_png(
        &RgbImage::from_pixel(400, 300, image::Rgb([200, 10, 10])),
        &made,
    )
    .unwrap();
    let args_file = dir.path().join("args.txt");
    let ffmpeg = dir.path().join("ffmpeg");
    std::fs::write(
        &ffmpeg,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\nfor last; do :; done\ncp '{}' \"$last\"\n",
            args_file.display(),
            made.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&ffmpeg, std::fs::Permissions::from_mode(0o755)).unwrap();
    let frame = last_frame_png(&broken, &out, Some(&ffmpeg)).unwrap();
    assert!(matches!(frame.decoder, Decoder::Ffmpeg { .. }), "{frame:?}");
    assert_eq!((frame.width, frame.height), (400, 300));
    let args = std::fs::read_to_string(&args_file).unwrap();
    let expected = ffmpeg::last_frame_args(&broken, &out.with_extension("ffmpeg.png"));
    assert_eq!(args.lines().collect::<Vec<_>>(), expected);
    assert!(
        args.contains("-sseof\n-3\n") && args.contains("-update\n1\n"),
        "{args}"
    );
    assert!(out.is_file());
    assert!(
        !out.with_extension("ffmpeg.png").exists(),
        "ffmpeg's file is removed"
    );

    // A video that is not there is said before any decoder runs.
    let err = last_frame_png(&dir.path().join("gone.mp4"), &out, Some(&ffmpeg)).unwrap_err();
    assert!(err.contains("not on this machine"), "{err}");
}
