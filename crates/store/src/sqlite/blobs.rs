//! Images stored once: a request's long strings (Base64 images, megabytes each) live in
//! `blobs` by SHA-256, and the row's request keeps `sha256:HEX` in their place plus the
//! list of places (`request_blobs`). Ten jobs of one image hold it once.

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{StoreError, sha256_hex};
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::jobs::JobId;

/// Strings at least this long are stored by hash: an image, never a prompt.
const BLOB_MIN_CHARS: usize = 4096;

/// Where in the request a stored string goes back.
#[derive(Debug, Serialize, Deserialize)]
struct BlobRef {
    /// A JSON pointer into the request (`/body/image_list/0/image`).
    at: String,
    sha256: String,
}

/// Puts `request`'s long strings into `blobs` (once per content) and returns what the
/// row keeps: the request with `sha256:HEX` in their place, and the places, if any. The
/// request is read, not copied: its images (tens of megabytes) exist once.
pub(super) fn store_request(
    conn: &Connection,
    request: &ComposedRequest,
) -> Result<(String, Option<String>), StoreError> {
    let mut refs = Vec::new();
    let body = without_long_strings(&request.body, "/body".into(), &mut refs);
    let mut placed = Vec::with_capacity(refs.len());
    for (at, sha256, text) in refs {
        conn.prepare_cached("INSERT OR IGNORE INTO blobs (sha256, data) VALUES (?1, ?2)")?
            .execute(params![sha256, text])?;
        placed.push(BlobRef { at, sha256 });
    }
    let refs = (!placed.is_empty())
        .then(|| serde_json::to_string(&placed).expect("blob refs always serialize"));
    let kept = ComposedRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        body,
    };
    let json = serde_json::to_string(&kept).expect("a request always serializes");
    Ok((json, refs))
}

/// The request as it was recorded: every stored string put back in its place.
pub(super) fn load_request(
    conn: &Connection,
    id: JobId,
    json: &str,
    refs: Option<&str>,
) -> Result<Value, StoreError> {
    let mut request: Value = super::parse_json(id, "request_json", json)?;
    let Some(refs) = refs else {
        return Ok(request);
    };
    let refs: Vec<BlobRef> = super::parse_json(id, "request_blobs", refs)?;
    let corrupt = |reason: String| StoreError::Corrupt {
        id,
        field: "request_blobs",
        reason,
    };
    for r in refs {
        let data: Option<String> = conn
            .prepare_cached("SELECT data FROM blobs WHERE sha256 = ?1")?
            .query_row(params![r.sha256], |row| row.get(0))
            .optional()?;
        let data = data.ok_or_else(|| corrupt(format!("no blob {}", r.sha256)))?;
        let slot = request
            .pointer_mut(&r.at)
            .ok_or_else(|| corrupt(format!("no place {}", r.at)))?;
        *slot = Value::String(data);
    }
    Ok(request)
}

/// `v` (whose JSON pointer is `at`) with `sha256:HEX` in place of every long string, and
/// (place, hash, text) of each gathered.
fn without_long_strings<'a>(
    v: &'a Value,
    at: String,
    out: &mut Vec<(String, String, &'a str)>,
) -> Value {
    match v {
        Value::String(s) if s.chars().count() >= BLOB_MIN_CHARS => {
            let sha256 = sha256_hex(s);
            let placeholder = Value::String(format!("sha256:{sha256}"));
            out.push((at, sha256, s));
            placeholder
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| without_long_strings(item, format!("{at}/{i}"), out))
                .collect(),
        ),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(key, field)| {
                    let escaped = key.replace('~', "~0").replace('/', "~1");
                    let field = without_long_strings(field, format!("{at}/{escaped}"), out);
                    (key.clone(), field)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::{NewJob, Store};
    use shotdeck_core::Provider;
    use shotdeck_core::compose::{ComposedRequest, PlaceholderImages, compose};
    use shotdeck_core::model::Board;

    /// A first frame of 1.6 MB as Base64, as intake embeds it.
    fn big_image() -> String {
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        (0..1_600_000u32)
            .map(|i| alphabet[(i.wrapping_mul(2_654_435_761) >> 26) as usize] as char)
            .collect()
    }

    fn job_with(image: &str, ext: &str) -> NewJob {
        let board = Board::starter();
        let mut request = compose(&board, Provider::Kling, &PlaceholderImages, ext).unwrap();
        request.body["image_list"] = serde_json::json!([{ "image": image, "type": "first_frame" }]);
        NewJob {
            board_key: None,
            board_path: PathBuf::from("/boards/noir.json"),
            board,
            provider: Provider::Kling,
            request,
            external_task_id: ext.into(),
            estimated_usd: None,
            retry_of: None,
        }
    }

    fn body_bytes(r: &ComposedRequest) -> Vec<u8> {
        serde_json::to_vec(&r.body).unwrap()
    }

    #[test]
    fn ten_jobs_of_one_image_hold_it_once_and_send_the_same_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jobs.sqlite3");
        let image = big_image();
        let jobs: Vec<NewJob> = (0..10)
            .map(|n| job_with(&image, &format!("shotdeck-{n}")))
            .collect();
        let mut ids = Vec::new();
        {
            let mut s = Store::open(&path).unwrap();
            for job in &jobs {
                ids.push(s.insert_job(job, "me", 0, 1).unwrap());
            }
        }
        let on_disk: u64 = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(on_disk < 8_000_000, "the store takes {on_disk} bytes");
        let s = Store::open(&path).unwrap();
        for (id, job) in ids.into_iter().zip(&jobs) {
            let rec = s.record(id).unwrap().unwrap();
            assert_eq!(body_bytes(&rec.request), body_bytes(&job.request));
            assert_eq!(rec.request.path, job.request.path);
        }
        let blobs: i64 = s
            .conn
            .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
            .unwrap();
        assert_eq!(blobs, 1);
    }

    #[test]
    fn short_strings_stay_inline_and_places_escape_slashes() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, data TEXT NOT NULL)")
            .unwrap();
        let long = "x".repeat(BLOB_MIN_CHARS);
        let request = |body| ComposedRequest {
            method: "POST".into(),
            path: "/v1/videos/omni-video".into(),
            body,
        };
        let long_one = request(serde_json::json!({ "prompt": "rain", "a/b": [long] }));
        let (json, refs) = store_request(&conn, &long_one).unwrap();
        assert!(json.contains("\"rain\"") && !json.contains(&long));
        assert!(refs.as_deref().unwrap().contains("/body/a~1b/0"));
        assert_eq!(
            load_request(&conn, 1, &json, refs.as_deref()).unwrap(),
            serde_json::to_value(&long_one).unwrap()
        );
        let short = request(serde_json::json!({ "prompt": "rain" }));
        assert_eq!(store_request(&conn, &short).unwrap().1, None);
    }
}
