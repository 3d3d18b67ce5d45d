//! ffmpeg as the fallback for a last frame OpenH264 cannot give (another codec, a stream it
//! refuses), used only when installed — found on `PATH` at run time, like the cut's.

use std::path::Path;
use std::process::{Command, Stdio};

/// Reads the last three seconds and writes every frame over `out`, so the last one stays
/// (`-update 1`: one image file written again and again).
pub(super) fn last_frame_args(video: &Path, out: &Path) -> Vec<String> {
    vec![
        "-hide_banner".into(),
        "-nostdin".into(),
        "-v".into(),
        "error".into(),
        "-y".into(),
        "-sseof".into(),
        "-3".into(),
        "-i".into(),
        video.display().to_string(),
        "-an".into(),
        "-update".into(),
        "1".into(),
        "-f".into(),
        "image2".into(),
        out.display().to_string(),
    ]
}

/// Runs ffmpeg; its last lines of output are the error when it fails.
pub(super) fn last_frame(ffmpeg: &Path, video: &Path, out: &Path) -> Result<(), String> {
    let output = Command::new(ffmpeg)
        .args(last_frame_args(video, out))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", ffmpeg.display()))?;
    if output.status.success() && out.is_file() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
    Err(format!(
        "ffmpeg: {} ({})",
        tail.into_iter().rev().collect::<Vec<_>>().join(" / "),
        output.status
    ))
}
