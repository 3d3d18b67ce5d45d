//! A cut: the keepers of a sequence joined in order into one MP4. When every file's
//! streams match (same tracks, codecs, sizes, timescales and sample descriptions) the
//! samples are copied as they are, each file's timestamps following the last one's (the
//! `mp4` crate writes the sample tables from the durations); nothing is re-encoded, so
//! the cut is exact and fast. Otherwise `ffmpeg` (when installed) re-encodes them with its
//! concat filter, and without it the error names the first difference.

mod ffmpeg;
mod mux;

use std::path::{Path, PathBuf};

pub use ffmpeg::find_ffmpeg;

/// One file of the cut, with how the user knows it (`01-arrival take 2`).
#[derive(Debug, Clone, PartialEq)]
pub struct CutInput {
    pub label: String,
    pub path: PathBuf,
}

/// How the cut was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutMethod {
    /// Samples copied, nothing re-encoded.
    Copied,
    /// Re-encoded by ffmpeg's concat filter (the streams differed).
    Ffmpeg,
}

/// What a finished cut is.
#[derive(Debug, Clone, PartialEq)]
pub struct CutReport {
    pub method: CutMethod,
    /// Each input's length in seconds, as its header says, in order.
    pub lengths: Vec<f64>,
    /// Video frames a second of the first file (for an EDL's timecode), rounded.
    pub fps: u32,
    /// Whether the cut has sound.
    pub audio: bool,
    /// The inputs (0-based) with no sound in a cut that has it: silent there (only
    /// through ffmpeg, which makes the silence; the copy refuses, see [`CutError::MixedSound`]).
    pub silent: Vec<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum CutError {
    #[error("nothing to cut: no video was given")]
    Empty,
    #[error("cannot read {label} ({path}): {reason}")]
    Read {
        label: String,
        path: String,
        reason: String,
    },
    #[error(
        "{label} cannot be joined without re-encoding: {what}; install ffmpeg (apt-get install ffmpeg) to re-encode the cut"
    )]
    Mismatch { label: String, what: String },
    /// Copied, the sound of the shots after a silent one would start where the silent
    /// one's pictures do (the copy has no silence to put there without re-encoding).
    #[error(
        "{silent} no sound and {sounded}: the cut cannot be joined without re-encoding, or the sound after it would play against the wrong pictures; install ffmpeg (apt-get install ffmpeg) to re-encode the cut with silence there"
    )]
    MixedSound { silent: String, sounded: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
    #[error("ffmpeg failed: {0}")]
    Ffmpeg(String),
}

/// Joins `inputs` in order into `out`: copied when the streams match, else through
/// `ffmpeg` when given (see [`find_ffmpeg`]). `out` is written whole beside itself first
/// and renamed, so a failed cut leaves no half file under its name.
pub fn cut(inputs: &[CutInput], out: &Path, ffmpeg: Option<&Path>) -> Result<CutReport, CutError> {
    if inputs.is_empty() {
        return Err(CutError::Empty);
    }
    let opened = inputs
        .iter()
        .map(mux::Source::open)
        .collect::<Result<Vec<_>, _>>()?;
    let lengths: Vec<f64> = opened.iter().map(mux::Source::seconds).collect();
    let fps = opened[0].fps();
    let sound: Vec<bool> = opened.iter().map(mux::Source::has_audio).collect();
    let audio = sound.contains(&true);
    let silent: Vec<usize> = (0..inputs.len()).filter(|&i| audio && !sound[i]).collect();
    let mismatch = opened[1..].iter().find_map(|s| {
        s.differs_from(&opened[0])
            .map(|what| (s.label().to_string(), what))
    });
    let write_error = |reason: String| CutError::Write {
        path: out.display().to_string(),
        reason,
    };
    // `-o out/film.mp4` into a folder not made yet.
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| write_error(e.to_string()))?;
    }
    let tmp = partial_path(out);
    let written = match (mismatch, ffmpeg) {
        (None, _) if silent.is_empty() => mux::copy_samples(opened, &tmp)
            .map(|()| CutMethod::Copied)
            .map_err(write_error),
        (_, Some(ffmpeg)) => {
            // A shot without sound gets silence of its length, so the rest stay in step.
            let audio = audio.then(|| {
                (0..inputs.len())
                    .map(|i| (!sound[i]).then_some(lengths[i]))
                    .collect::<Vec<_>>()
            });
            ffmpeg::concat(ffmpeg, inputs, &tmp, opened[0].frame(), audio.as_deref())
                .map(|()| CutMethod::Ffmpeg)
        }
        (Some((label, what)), None) if silent.is_empty() => {
            return Err(CutError::Mismatch { label, what });
        }
        // Some shots have sound and some not (whatever else differs): that is the news.
        (_, None) => {
            let sounded: Vec<usize> = (0..inputs.len()).filter(|&i| sound[i]).collect();
            return Err(CutError::MixedSound {
                silent: format!("{} {}", name_shots(inputs, &silent), has(silent.len())),
                sounded: format!(
                    "{} {} sound",
                    name_shots(inputs, &sounded),
                    has(sounded.len())
                ),
            });
        }
    };
    // A failed write (a full disk, ffmpeg stopping) leaves no half film behind either.
    let method = written
        .and_then(|m| {
            std::fs::rename(&tmp, out)
                .map(|()| m)
                .map_err(|e| write_error(e.to_string()))
        })
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })?;
    Ok(CutReport {
        method,
        lengths,
        fps,
        audio,
        silent,
    })
}

/// `shot 2 (02-market take 1)`, `shots 1 (01-arrival take 2) and 3 (03-exit take 1)`: the
/// inputs at `at` (0-based) as the shot list numbers them.
pub fn name_shots(inputs: &[CutInput], at: &[usize]) -> String {
    let named: Vec<String> = at
        .iter()
        .map(|&i| format!("{} ({})", i + 1, inputs[i].label))
        .collect();
    let list = match named.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        None => String::new(),
    };
    format!("{} {list}", if at.len() == 1 { "shot" } else { "shots" })
}

fn has(count: usize) -> &'static str {
    if count == 1 { "has" } else { "have" }
}

/// `cut.mp4` → `cut.mp4.partial`.
fn partial_path(out: &Path) -> PathBuf {
    let mut name = out.file_name().unwrap_or_default().to_os_string();
    name.push(".partial");
    out.with_file_name(name)
}

#[cfg(test)]
mod sound_tests;
#[cfg(test)]
mod tests;
