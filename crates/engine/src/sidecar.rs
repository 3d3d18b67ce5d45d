//! The sidecar beside each downloaded video (`job-7.mp4` → `job-7.json`): what made it,
//! what it cost and what it is, so a video found in a folder explains itself and gives
//! back its board (`shotdeck new BOARD --from job-7.json`, or opening `job-7.json`).
//!
//! The request is stored without its embedded images: each Base64 image becomes
//! `{file, sha256, bytes}`, the file named when one of the board's local images (as it is
//! on disk now) has the same hash.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use shotdeck_core::budget::{UnitPrices, units_to_usd};
use shotdeck_core::compose::effective_model;
use shotdeck_core::jobs::{JobFile, JobId, JobPhase};
use shotdeck_core::model::{Board, is_url};
use shotdeck_core::provider::Provider;
use shotdeck_files::board_file::{board_dir, write_atomic};
use shotdeck_store::{JobRecord, lower_hex, now_ms, sha256_hex};

/// The sidecar format's version; a reader refuses files without it.
pub const SIDECAR_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sidecar {
    pub shotdeck_sidecar: u32,
    pub job_id: JobId,
    /// The board file as it was submitted from (its local images are relative to it).
    pub board_path: PathBuf,
    /// The board as submitted.
    pub board: Board,
    pub provider: Provider,
    pub model: String,
    /// `{method, path, body}` as sent, images replaced by `{file, sha256, bytes}`.
    pub request: Value,
    pub external_task_id: String,
    pub task_id: Option<String>,
    pub cost: Cost,
    pub timings: Timings,
    pub video: Video,
}

/// Every USD figure here is an estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cost {
    pub estimated_usd: Option<f64>,
    /// As the provider sent it (Kling's `final_unit_deduction`).
    pub units_charged: Option<String>,
    /// The units at the configured USD per unit of the model.
    pub charged_usd_estimate: Option<f64>,
}

/// Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    pub created_at_ms: i64,
    /// When the provider accepted the task.
    pub submitted_at_ms: Option<i64>,
    /// When the task was seen succeeded.
    pub succeeded_at_ms: Option<i64>,
    pub downloaded_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Video {
    pub file: String,
    pub bytes: u64,
    pub sha256: String,
    pub requested_seconds: f64,
    /// From the MP4 header; `None` when it could not be read.
    pub duration_seconds: Option<f64>,
    /// Set when the length is off the requested one by more than 0.5 s.
    pub duration_mismatch: Option<String>,
}

/// `job-7.mp4` → `job-7.json`.
pub fn sidecar_path(video: &Path) -> PathBuf {
    video.with_extension("json")
}

/// Builds and atomically writes the sidecar of the job's file `file`.
pub fn write(
    rec: &JobRecord,
    file: &JobFile,
    unit_prices: &UnitPrices,
) -> std::io::Result<PathBuf> {
    let sidecar = build(rec, file, unit_prices)?;
    let path = sidecar_path(&file.path);
    let mut text = serde_json::to_vec_pretty(&sidecar).expect("a sidecar always serializes");
    text.push(b'\n');
    write_atomic(&path, &text)?;
    Ok(path)
}

pub fn build(
    rec: &JobRecord,
    file: &JobFile,
    unit_prices: &UnitPrices,
) -> std::io::Result<Sidecar> {
    let v = &rec.view;
    let (sha256, bytes) = hash_file(&file.path)?;
    let model = effective_model(&rec.board, v.provider);
    let first_at = |phases: &[JobPhase]| {
        rec.history
            .iter()
            .find(|e| phases.contains(&e.phase))
            .map(|e| e.at)
    };
    use JobPhase::{Downloading, Processing, Submitted};
    let duration_mismatch = v.duration_mismatch(file);
    let request = request_naming_images(rec);
    Ok(Sidecar {
        shotdeck_sidecar: SIDECAR_VERSION,
        job_id: v.id,
        board_path: v.board_path.clone(),
        board: rec.board.clone(),
        provider: v.provider,
        model: model.clone(),
        request,
        external_task_id: v.external_task_id.clone(),
        task_id: v.task_id.clone(),
        cost: Cost {
            estimated_usd: v.estimated_usd,
            units_charged: v.units_charged.clone(),
            charged_usd_estimate: v
                .units_charged
                .as_deref()
                .and_then(|u| units_to_usd(u, &model, unit_prices)),
        },
        timings: Timings {
            created_at_ms: v.created_at,
            submitted_at_ms: first_at(&[Submitted, Processing, Downloading]),
            succeeded_at_ms: first_at(&[Downloading]),
            downloaded_at_ms: now_ms(),
        },
        video: Video {
            file: name_of(&file.path),
            bytes,
            sha256,
            requested_seconds: v.seconds,
            duration_seconds: file.media_seconds,
            duration_mismatch,
        },
    })
}

/// Reads a sidecar; `None` when the JSON is not one (a board, say).
pub fn read(text: &str) -> Option<Sidecar> {
    let value: Value = serde_json::from_str(text).ok()?;
    value.get("shotdeck_sidecar")?;
    serde_json::from_value(value).ok()
}

/// The sidecar's board, ready to be saved at `to`: local images that were relative to the
/// original board's folder are made absolute when `to` sits in another folder, so they
/// still point at the same files.
pub fn board_for(sidecar: &Sidecar, to: &Path) -> Board {
    let mut board = sidecar.board.clone();
    // What the take continued from is the record's; a board file continues only when its
    // sequence says so.
    board.continues = None;
    let from_dir = board_dir(&sidecar.board_path);
    let to_dir = board_dir(&std::path::absolute(to).unwrap_or_else(|_| to.to_path_buf()));
    if from_dir == to_dir {
        return board;
    }
    let rebase = |r: &mut String| {
        if !is_url(r) && Path::new(r.as_str()).is_relative() {
            *r = from_dir.join(r.as_str()).to_string_lossy().into_owned();
        }
    };
    board.first_frame.iter_mut().for_each(rebase);
    board.last_frame.iter_mut().for_each(rebase);
    board.references.iter_mut().for_each(rebase);
    board
}

/// The SHA-256 (hex) and size of a file, read in blocks.
pub fn hash_file(path: &Path) -> std::io::Result<(String, u64)> {
    let (mut f, _) = shotdeck_files::safe_read::open_regular(path, u64::MAX)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
    Ok((lower_hex(&hasher.finalize()), total))
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned()
}

/// The job's request with each embedded image named by its file (when the board's image
/// still has that content) and SHA-256 instead of its Base64: for sidecars and `jobs show`.
pub fn request_naming_images(rec: &JobRecord) -> Value {
    let mut request = serde_json::to_value(&rec.request).expect("a request always serializes");
    let images = local_images(&rec.board, &rec.view.board_path);
    if let Some(body) = request.get_mut("body") {
        replace_images(body, &images);
    }
    request
}

/// The board's local images by the SHA-256 of their current content → the reference as
/// the board writes it.
fn local_images(board: &Board, board_path: &Path) -> HashMap<String, String> {
    let dir = board_dir(board_path);
    board
        .image_refs()
        .into_iter()
        .filter(|(_, r)| !is_url(r))
        .filter_map(|(_, r)| {
            let bytes = shotdeck_files::safe_read::read_bytes(
                &dir.join(r),
                shotdeck_files::safe_read::MAX_IMAGE_BYTES,
            )
            .ok()?;
            Some((sha256_hex(&bytes), r.to_string()))
        })
        .collect()
}

/// Replaces every string in `v` that is Base64 of an image by `{file, sha256, bytes}`.
fn replace_images(v: &mut Value, images: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(bytes) = embedded_image(s) {
                let sha = sha256_hex(&bytes);
                *v = serde_json::json!({
                    "file": images.get(&sha),
                    "sha256": sha,
                    "bytes": bytes.len(),
                });
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| replace_images(i, images)),
        Value::Object(map) => map.values_mut().for_each(|i| replace_images(i, images)),
        _ => {}
    }
}

/// The decoded bytes when `s` is Base64 of a picture (prompts and URLs never are: they
/// hold spaces or `:`, and a picture's bytes start with its format's signature).
fn embedded_image(s: &str) -> Option<Vec<u8>> {
    if s.len() < 64 || is_url(s) {
        return None;
    }
    let bytes = base64::engine::general_purpose::STANDARD.decode(s).ok()?;
    imagesize::image_type(&bytes).ok()?;
    Some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_images_become_their_hash_and_file() {
        let png = include_bytes!("../../../examples/images/street-first-frame.png");
        let b64 = base64::engine::general_purpose::STANDARD.encode(png);
        let sha = sha256_hex(png);
        let images = HashMap::from([(sha.clone(), "images/first.png".to_string())]);
        let mut body = serde_json::json!({
            "prompt": "A".repeat(300),
            "image": b64,
            "image_list": [{"image": "https://cdn.example.test/a.png"}],
        });
        replace_images(&mut body, &images);
        assert_eq!(body["prompt"], "A".repeat(300), "not an image: kept");
        assert_eq!(body["image"]["file"], "images/first.png");
        assert_eq!(body["image"]["sha256"], sha.as_str());
        assert_eq!(body["image"]["bytes"], png.len());
        assert_eq!(
            body["image_list"][0]["image"],
            "https://cdn.example.test/a.png"
        );
    }

    #[test]
    fn a_board_moved_elsewhere_keeps_pointing_at_its_images() {
        let mut board = Board::starter();
        board.first_frame = Some("images/a.png".into());
        board.references = vec!["https://x.test/r.png".into(), "/abs/r.png".into()];
        let sidecar_board = |path: &str| Sidecar {
            shotdeck_sidecar: SIDECAR_VERSION,
            job_id: 1,
            board_path: PathBuf::from(path),
            board: board.clone(),
            provider: Provider::Kling,
            model: "kling-v3".into(),
            request: Value::Null,
            external_task_id: "shotdeck-x".into(),
            task_id: None,
            cost: Cost {
                estimated_usd: None,
                units_charged: None,
                charged_usd_estimate: None,
            },
            timings: Timings {
                created_at_ms: 0,
                submitted_at_ms: None,
                succeeded_at_ms: None,
                downloaded_at_ms: 0,
            },
            video: Video {
                file: "job-1.mp4".into(),
                bytes: 0,
                sha256: String::new(),
                requested_seconds: 12.0,
                duration_seconds: None,
                duration_mismatch: None,
            },
        };
        let same = board_for(
            &sidecar_board("/work/b/board.json"),
            Path::new("/work/b/again.json"),
        );
        assert_eq!(same.first_frame.as_deref(), Some("images/a.png"));
        let moved = board_for(
            &sidecar_board("/work/b/board.json"),
            Path::new("/tmp/c/new.json"),
        );
        assert_eq!(moved.first_frame.as_deref(), Some("/work/b/images/a.png"));
        assert_eq!(
            moved.references, board.references,
            "URLs and absolute paths stay"
        );
        let text = serde_json::to_string(&sidecar_board("/work/b/board.json")).unwrap();
        assert_eq!(read(&text).unwrap().board, board);
        assert!(read(&shotdeck_files::board_file::to_json(&board)).is_none());
    }
}
