//! Result videos: one small real MP4 served for every succeeded task, like a CDN URL (no
//! auth), with byte ranges so clients can resume a cut download.

use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_RANGES, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, ETAG, IF_RANGE, RANGE,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::responses;
use super::server::Shared;
use super::task::Phase;

/// One second of a 160×90 test pattern, H.264 in MP4 (made with ffmpeg's `testsrc`).
pub static SAMPLE_MP4: &[u8] = include_bytes!("assets/sample.mp4");

const MP4: &str = "video/mp4";

/// The sample's strong validator: a client resumes with `If-Range` naming it, as CDNs
/// expect (a different one gets the whole file, RFC 9110 §13.1.5).
const SAMPLE_ETAG: &str = "\"shotdeck-sample-1\"";

pub(crate) async fn serve(
    State(state): State<Shared>,
    Path(file): Path<String>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let not_found = || (StatusCode::NOT_FOUND, "no such video").into_response();
    let Some(task_id) = file.strip_suffix(".mp4") else {
        return not_found();
    };
    let total = SAMPLE_MP4.len() as u64;
    {
        let mut store = state.store();
        store.count_video_request();
        let ready = store
            .get(task_id)
            .is_some_and(|t| t.status().phase == Phase::Succeeded);
        if !ready {
            return not_found();
        }
    }
    let same_version = headers
        .get(IF_RANGE)
        .is_none_or(|v| v.as_bytes() == SAMPLE_ETAG.as_bytes());
    let range = match headers
        .get(RANGE)
        .filter(|_| same_version)
        .map(|v| parse_range(v.to_str().unwrap_or(""), total))
    {
        None => None,
        Some(Ok(range)) => range,
        Some(Err(())) => return unsatisfiable(total),
    };
    let (start, end) = range.unwrap_or((0, total - 1));
    let body = Bytes::from_static(&SAMPLE_MP4[start as usize..=end as usize]);
    let len = body.len() as u64;
    let status = if range.is_some() {
        StatusCode::PARTIAL_CONTENT
    } else {
        StatusCode::OK
    };
    // A HEAD request sends no body: it neither counts as bytes served nor uses up the cut.
    let sends_body = method != Method::HEAD;
    let cut_after = state
        .faults()
        .download_drop_after_bytes
        .filter(|&n| sends_body && n < len);
    let cut = {
        let mut store = state.store();
        let cut = cut_after.filter(|_| store.take_download_cut(task_id));
        if sends_body {
            store.count_video_bytes(cut.unwrap_or(len));
        }
        cut
    };
    let throttle = state.faults().video_bytes_per_sec;
    let mut response = match cut {
        Some(n) => responses::cut_stream(status, MP4, body.slice(..n as usize), len),
        None if throttle > 0 && sends_body => trickle(status, body, throttle),
        None => {
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = status;
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(MP4));
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(len));
            response
        }
    };
    let headers = response.headers_mut();
    headers.insert(ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    headers.insert(ETAG, HeaderValue::from_static(SAMPLE_ETAG));
    if range.is_some()
        && let Ok(value) = HeaderValue::from_str(&format!("bytes {start}-{end}/{total}"))
    {
        headers.insert(CONTENT_RANGE, value);
    }
    response
}

/// The body in tenth-of-a-second slices of `bytes_per_sec`, so the whole takes about
/// `len / bytes_per_sec` seconds: a download slow enough to be interrupted at any point.
fn trickle(status: StatusCode, body: Bytes, bytes_per_sec: u64) -> Response {
    use futures::StreamExt;
    let slice = (bytes_per_sec / 10).max(1) as usize;
    let len = body.len() as u64;
    let chunks: Vec<Bytes> = (0..body.len())
        .step_by(slice)
        .map(|at| body.slice(at..(at + slice).min(body.len())))
        .collect();
    let paced = futures::stream::iter(chunks).then(|chunk| async move {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        Ok::<Bytes, std::io::Error>(chunk)
    });
    let mut response = Response::new(Body::from_stream(paced));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(MP4));
    headers.insert(CONTENT_LENGTH, HeaderValue::from(len));
    response
}

fn unsatisfiable(total: u64) -> Response {
    let mut response = (StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable").into_response();
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{total}")) {
        response.headers_mut().insert(CONTENT_RANGE, value);
    }
    response
}

/// One `bytes=` range as inclusive `(start, end)`, clamped to the file. A list of ranges is
/// answered with the whole file (`Ok(None)`), which RFC 9110 allows. A range that is
/// malformed or starts past the end is refused, so a client bug shows as a 416 rather than
/// as silently wrong bytes.
fn parse_range(header: &str, total: u64) -> Result<Option<(u64, u64)>, ()> {
    let spec = header.trim().strip_prefix("bytes=").ok_or(())?;
    if spec.contains(',') {
        return Ok(None);
    }
    let (first, last) = spec.split_once('-').ok_or(())?;
    let number = |s: &str| s.trim().parse::<u64>().map_err(|_| ());
    let (start, end) = match (first.trim().is_empty(), last.trim().is_empty()) {
        // `bytes=-N`: the last N bytes.
        (true, false) => {
            let n = number(last)?;
            if n == 0 {
                return Err(());
            }
            (total.saturating_sub(n), total - 1)
        }
        (false, true) => (number(first)?, total - 1),
        (false, false) => (number(first)?, number(last)?.min(total - 1)),
        (true, true) => return Err(()),
    };
    if start >= total || start > end {
        return Err(());
    }
    Ok(Some((start, end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-99", 1000), Ok(Some((0, 99))));
        assert_eq!(parse_range("bytes=500-", 1000), Ok(Some((500, 999))));
        assert_eq!(parse_range("bytes=-100", 1000), Ok(Some((900, 999))));
        assert_eq!(parse_range("bytes=900-5000", 1000), Ok(Some((900, 999))));
        assert_eq!(parse_range("bytes=0-1,5-6", 1000), Ok(None));
        assert_eq!(parse_range("bytes=1000-", 1000), Err(()));
        assert_eq!(parse_range("bytes=5-4", 1000), Err(()));
        assert_eq!(parse_range("items=0-1", 1000), Err(()));
        assert_eq!(parse_range("bytes=-0", 1000), Err(()));
        assert_eq!(parse_range("bytes=-", 1000), Err(()));
    }

    #[test]
    fn the_sample_is_an_mp4() {
        assert_eq!(&SAMPLE_MP4[4..8], b"ftyp");
        assert!(SAMPLE_MP4.len() > 1000);
    }
}
