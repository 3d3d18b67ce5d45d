use std::io::BufReader;
use std::path::{Path, PathBuf};

use mp4::{Mp4Reader, TrackType};

use super::*;
use crate::media::mp4_duration_secs;

pub(super) const SAMPLE: &[u8] = include_bytes!("../../../sim/src/assets/sample.mp4");

pub(super) fn input(dir: &Path, name: &str, bytes: &[u8]) -> CutInput {
    let path = dir.join(format!("{name}.mp4"));
    std::fs::write(&path, bytes).unwrap();
    CutInput {
        label: format!("{name} take 1"),
        path,
    }
}

fn sample_count(path: &Path) -> (u32, Vec<TrackType>) {
    let file = std::fs::File::open(path).unwrap();
    let size = file.metadata().unwrap().len();
    let reader = Mp4Reader::read_header(BufReader::new(file), size).unwrap();
    let mut ids: Vec<_> = reader.tracks().keys().copied().collect();
    ids.sort_unstable();
    let count = ids.iter().map(|id| reader.sample_count(*id).unwrap()).sum();
    let kinds = ids
        .iter()
        .map(|id| reader.tracks()[id].track_type().unwrap())
        .collect();
    (count, kinds)
}

/// The sample's video track rewritten at another frame size (the pictures themselves are
/// not decoded by anything here, so the bytes stay the sample's).
pub(super) fn resized_sample(dir: &Path, width: u16, height: u16) -> PathBuf {
    let name = format!("resized-{width}x{height}");
    super::sound_tests::rewritten_sample(dir, &name, Some((width, height)), None)
}

/// A shell script in `dir` standing in for ffmpeg, running `body`.
#[cfg(unix)]
pub(super) fn fake_ffmpeg(dir: &Path, body: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let fake = dir.join("ffmpeg");
    std::fs::write(&fake, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    fake
}

/// Stands in for ffmpeg: records its arguments (one a line, in the file returned second)
/// and writes the last one (the output).
#[cfg(unix)]
pub(super) fn recording_ffmpeg(dir: &Path) -> (PathBuf, PathBuf) {
    let args = dir.join("args.txt");
    let body = format!(
        "printf '%s\\n' \"$@\" > '{}'\nfor last; do :; done\necho video > \"$last\"",
        args.display()
    );
    (fake_ffmpeg(dir, &body), args)
}

#[test]
fn three_matching_videos_are_copied_into_one_of_three_seconds() {
    let dir = tempfile::tempdir().unwrap();
    let inputs: Vec<CutInput> = ["01-arrival", "02-market", "03-exit"]
        .iter()
        .map(|n| input(dir.path(), n, SAMPLE))
        .collect();
    let out = dir.path().join("cut.mp4");
    let report = cut(&inputs, &out, None).unwrap();
    assert_eq!(report.method, CutMethod::Copied);
    assert_eq!(report.lengths, vec![1.0, 1.0, 1.0]);
    assert!(report.fps > 0);
    // The existing header reader and the mp4 crate agree on the result.
    assert_eq!(mp4_duration_secs(&out).unwrap(), Some(3.0));
    let (one, kinds_in) = sample_count(&inputs[0].path);
    let (all, kinds_out) = sample_count(&out);
    assert_eq!(all, 3 * one, "every sample of every input, once");
    assert_eq!(kinds_in, kinds_out);
    assert!(!dir.path().join("cut.mp4.partial").exists());
}

#[test]
fn a_different_frame_size_is_named_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let other = resized_sample(dir.path(), 320, 180);
    let inputs = vec![
        input(dir.path(), "01-arrival", SAMPLE),
        CutInput {
            label: "02-market take 3".into(),
            path: other,
        },
    ];
    let out = dir.path().join("cut.mp4");
    let err = cut(&inputs, &out, None).unwrap_err().to_string();
    assert!(
        err.starts_with("02-market take 3 cannot be joined without re-encoding: its video is 320×180, 01-arrival take 1's is 160×90"),
        "{err}"
    );
    assert!(err.contains("install ffmpeg"), "{err}");
    assert!(!out.exists());
    assert!(!dir.path().join("cut.mp4.partial").exists());
}

#[cfg(unix)]
#[test]
fn with_ffmpeg_installed_a_mismatch_is_re_encoded_by_it() {
    let dir = tempfile::tempdir().unwrap();
    let (fake, args_file) = recording_ffmpeg(dir.path());
    let inputs = vec![
        input(dir.path(), "01-arrival", SAMPLE),
        CutInput {
            label: "02-market take 1".into(),
            path: resized_sample(dir.path(), 320, 180),
        },
    ];
    let out = dir.path().join("cut.mp4");
    let report = cut(&inputs, &out, Some(&fake)).unwrap();
    assert_eq!(report.method, CutMethod::Ffmpeg);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "video\n");
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert!(
        args.contains("scale=160:90:force_original_aspect_ratio=decrease"),
        "{args}"
    );
    assert!(args.contains("[s0][s1]concat=n=2:v=1:a=0[v]"), "{args}");
    assert!(args.ends_with("cut.mp4.partial\n"), "{args}");
}

#[test]
fn a_file_that_is_no_mp4_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = vec![
        input(dir.path(), "01-arrival", SAMPLE),
        input(dir.path(), "02-market", b"<html>an error page</html>"),
    ];
    let err = cut(&inputs, &dir.path().join("cut.mp4"), None)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("cannot read 02-market take 1 ("), "{err}");
    assert!(matches!(
        cut(&[], &dir.path().join("x.mp4"), None),
        Err(CutError::Empty)
    ));
}

#[cfg(unix)]
#[test]
fn a_cut_into_a_new_folder_makes_it_and_a_failed_one_leaves_no_half_film() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = vec![
        input(dir.path(), "01-arrival", SAMPLE),
        input(dir.path(), "02-market", SAMPLE),
    ];
    let out = dir.path().join("out/films/cut.mp4");
    cut(&inputs, &out, None).unwrap();
    assert_eq!(mp4_duration_secs(&out).unwrap(), Some(2.0));

    // An ffmpeg that dies halfway (a full disk, a kill): its half file is not left behind,
    // under the final name or beside it.
    let fake = fake_ffmpeg(
        dir.path(),
        "for last; do :; done\necho half > \"$last\"\necho 'No space left on device' >&2\nexit 1",
    );
    let mixed = vec![
        input(dir.path(), "03-exit", SAMPLE),
        CutInput {
            label: "04-dawn take 1".into(),
            path: resized_sample(dir.path(), 320, 180),
        },
    ];
    let out = dir.path().join("new/cut.mp4");
    let err = cut(&mixed, &out, Some(&fake)).unwrap_err().to_string();
    assert!(err.contains("No space left on device"), "{err}");
    assert!(!out.exists());
    assert!(!dir.path().join("new/cut.mp4.partial").exists());
}
