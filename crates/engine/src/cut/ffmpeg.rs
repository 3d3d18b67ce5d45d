//! ffmpeg, used only when it is installed (found on `PATH` at run time): to re-encode a
//! cut whose streams differ. shotdeck never needs it otherwise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::{CutError, CutInput};

/// `ffmpeg` on `PATH`, when there is one that runs (`ffmpeg -version` exits 0).
pub fn find_ffmpeg() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("ffmpeg"))
        .find(|candidate| candidate.is_file())
        .filter(|ffmpeg| {
            Command::new(ffmpeg)
                .arg("-version")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
}

/// The sample rate of a re-encoded cut's sound: the inputs' sounds (and the silences) must
/// share one to follow each other; 48 kHz is video's usual rate.
const AUDIO_RATE: u32 = 48_000;

/// The frame every input is fitted to: the first file's size and rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Frame {
    pub(super) width: u16,
    pub(super) height: u16,
    pub(super) fps: u32,
}

/// The arguments for joining `inputs` into `out` with the concat filter: every video
/// fitted into the first one's frame (scaled, then padded, so another aspect keeps its
/// shape) at its rate, H.264 out. `audio`: `None` when no input has sound; else one entry
/// an input, `None` for its own sound, `Some(seconds)` for silence of its length where it
/// has none (the filter needs the same streams from each; every sound is brought to one
/// rate and layout so they can follow each other).
pub(super) fn concat_args(
    inputs: &[CutInput],
    out: &Path,
    frame: Frame,
    audio: Option<&[Option<f64>]>,
) -> Vec<String> {
    let mut args: Vec<String> = vec!["-hide_banner".into(), "-nostdin".into(), "-y".into()];
    for input in inputs {
        args.push("-i".into());
        args.push(input.path.display().to_string());
    }
    let Frame {
        width: w,
        height: h,
        fps,
    } = frame;
    let mut graph = String::new();
    for i in 0..inputs.len() {
        graph.push_str(&format!(
            "[{i}:v:0]scale={w}:{h}:force_original_aspect_ratio=decrease,\
             pad={w}:{h}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps={fps},format=yuv420p[s{i}];"
        ));
    }
    for (i, silence) in audio.unwrap_or_default().iter().enumerate() {
        match silence {
            None => graph.push_str(&format!(
                "[{i}:a:0]aresample={AUDIO_RATE},aformat=channel_layouts=stereo[a{i}];"
            )),
            Some(seconds) => graph.push_str(&format!(
                "anullsrc=r={AUDIO_RATE}:cl=stereo,atrim=duration={seconds:.6}[a{i}];"
            )),
        }
    }
    for i in 0..inputs.len() {
        graph.push_str(&format!("[s{i}]"));
        if audio.is_some() {
            graph.push_str(&format!("[a{i}]"));
        }
    }
    graph.push_str(&format!(
        "concat=n={}:v=1:a={}[v]{}",
        inputs.len(),
        u8::from(audio.is_some()),
        if audio.is_some() { "[a]" } else { "" }
    ));
    args.extend(["-filter_complex".into(), graph, "-map".into(), "[v]".into()]);
    if audio.is_some() {
        args.extend(["-map".into(), "[a]".into(), "-c:a".into(), "aac".into()]);
    }
    args.extend([
        "-c:v".into(),
        "libx264".into(),
        "-movflags".into(),
        "+faststart".into(),
        "-f".into(),
        "mp4".into(),
        out.display().to_string(),
    ]);
    args
}

/// Runs ffmpeg; its last lines of output are the error when it fails.
pub(super) fn concat(
    ffmpeg: &Path,
    inputs: &[CutInput],
    out: &Path,
    frame: Frame,
    audio: Option<&[Option<f64>]>,
) -> Result<(), CutError> {
    let output = Command::new(ffmpeg)
        .args(concat_args(inputs, out, frame, audio))
        .stdin(Stdio::null())
        .output()
        .map_err(|e| CutError::Ffmpeg(format!("cannot run {}: {e}", ffmpeg.display())))?;
    if output.status.success() && out.is_file() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
    Err(CutError::Ffmpeg(format!(
        "{} ({})",
        tail.into_iter().rev().collect::<Vec<_>>().join(" / "),
        output.status
    )))
}
