//! Resumable downloads against a small file server on 127.0.0.1 that honours Range, can
//! cut a response short once, or can ignore ranges altogether.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use shotdeck::engine::download::{DownloadError, DownloadLimits, Downloader, Progress, part_path};

#[derive(Default)]
struct Behaviour {
    /// Cut the next response after this many bytes (then serve normally).
    cut_after: Option<usize>,
    /// Send this many bytes of the next response, then nothing (the connection stays open).
    stall_after: Option<usize>,
    ignore_range: bool,
    /// Announce a larger size than is sent (a truncating proxy).
    lie_about_length: bool,
    ranges_seen: Vec<Option<String>>,
}

type Shared = Arc<Mutex<Behaviour>>;

fn payload() -> Vec<u8> {
    (0..200_000u32).map(|i| (i % 251) as u8).collect()
}

async fn serve_file(State(b): State<Shared>, headers: HeaderMap) -> Response {
    let data = payload();
    let range = headers
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let (cut, stall, ignore, lie) = {
        let mut b = b.lock().unwrap();
        b.ranges_seen.push(range.clone());
        (
            b.cut_after.take(),
            b.stall_after.take(),
            b.ignore_range,
            b.lie_about_length,
        )
    };
    let start = range.filter(|_| !ignore).and_then(|r| {
        r.strip_prefix("bytes=")?
            .strip_suffix('-')?
            .parse::<usize>()
            .ok()
    });
    let total = data.len();
    if start.is_some_and(|s| s >= total) {
        return (
            StatusCode::RANGE_NOT_SATISFIABLE,
            [(header::CONTENT_RANGE, format!("bytes */{total}"))],
        )
            .into_response();
    }
    let from = start.unwrap_or(0);
    let body = data[from..].to_vec();
    let announced = if lie { body.len() + 1000 } else { body.len() };
    let stream_body = match cut {
        _ if stall.is_some() => {
            use futures::StreamExt;
            let head = body[..stall.unwrap().min(body.len())].to_vec();
            Body::from_stream(
                futures::stream::iter([Ok::<_, std::io::Error>(head)])
                    .chain(futures::stream::pending()),
            )
        }
        Some(n) => {
            let head = body[..n.min(body.len())].to_vec();
            Body::from_stream(sent_then_cut(head))
        }
        None if lie => Body::from_stream(sent_then_cut(body)),
        None => Body::from(body),
    };
    let mut resp = Response::new(stream_body);
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, announced.into());
    // One version that never changes: resumes name it in If-Range.
    resp.headers_mut()
        .insert(header::ETAG, "\"v1\"".parse().unwrap());
    if start.is_some() {
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
        let v = format!("bytes {from}-{}/{total}", total - 1);
        resp.headers_mut()
            .insert(header::CONTENT_RANGE, v.parse().unwrap());
    }
    resp
}

/// `bytes`, then an aborted connection. The pause lets the server flush the bytes first
/// (it only writes once the body stream stops being ready).
fn sent_then_cut(bytes: Vec<u8>) -> impl futures::Stream<Item = Result<Vec<u8>, std::io::Error>> {
    use futures::StreamExt;
    futures::stream::iter([Ok(bytes)]).chain(futures::stream::once(async {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        Err(std::io::Error::other("cut"))
    }))
}

fn redirect(to: &str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to.to_string())]).into_response()
}

/// `/hop/N` redirects N times (as CDNs do once or twice) before the file.
async fn hop(axum::extract::Path(n): axum::extract::Path<u32>) -> Response {
    match n {
        0 => redirect("/v.mp4"),
        n => redirect(&format!("/hop/{}", n - 1)),
    }
}

/// A chunked body with no length that never ends.
async fn endless() -> Response {
    let chunk = vec![7u8; 64 * 1024];
    let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    Response::new(Body::from_stream(stream))
}

async fn server(b: Shared) -> String {
    let app = Router::new()
        .route("/v.mp4", get(serve_file))
        .route("/missing.mp4", get(|| async { StatusCode::NOT_FOUND }))
        .route("/hop/{n}", get(hop))
        .route("/loop", get(|| async { redirect("/loop") }))
        .route(
            "/to-ftp",
            get(|| async { redirect("ftp://example.invalid/v.mp4") }),
        )
        .route("/endless", get(endless))
        .with_state(b);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn dl() -> Downloader {
    Downloader::new(DownloadLimits::default()).unwrap()
}

#[tokio::test]
async fn a_whole_download_lands_under_its_name_with_progress() {
    let b = Shared::default();
    let base = server(b.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("renders/noir-1.mp4");
    let mut seen: Vec<Progress> = Vec::new();
    let n = dl()
        .download(&format!("{base}/v.mp4"), &dest, |p| seen.push(p))
        .await
        .unwrap();
    assert_eq!(n, 200_000);
    assert_eq!(std::fs::read(&dest).unwrap(), payload());
    assert!(!part_path(&dest).exists());
    assert_eq!(seen.first().unwrap().bytes_done, 0);
    assert_eq!(
        *seen.last().unwrap(),
        Progress {
            bytes_done: 200_000,
            bytes_total: Some(200_000)
        }
    );
}

#[tokio::test]
async fn an_interrupted_download_resumes_with_a_range_request() {
    let b = Shared::default();
    b.lock().unwrap().cut_after = Some(70_000);
    let base = server(b.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("noir-2.mp4");
    let url = format!("{base}/v.mp4");

    let err = dl().download(&url, &dest, |_| {}).await.unwrap_err();
    match &err {
        DownloadError::Interrupted { bytes_done, .. } => assert_eq!(*bytes_done, 70_000),
        other => panic!("expected an interruption, got {other}"),
    }
    assert!(!dest.exists(), "no half file under the final name");
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 70_000);

    let mut first = None;
    let n = dl()
        .download(&url, &dest, |p| {
            first.get_or_insert(p);
        })
        .await
        .unwrap();
    assert_eq!(n, 200_000);
    assert_eq!(first.unwrap().bytes_done, 70_000, "resumed, not restarted");
    assert_eq!(std::fs::read(&dest).unwrap(), payload());
    let ranges = b.lock().unwrap().ranges_seen.clone();
    assert_eq!(ranges, vec![None, Some("bytes=70000-".to_string())]);
}

#[tokio::test]
async fn a_server_that_ignores_ranges_gets_a_clean_restart() {
    let b = Shared::default();
    b.lock().unwrap().ignore_range = true;
    let base = server(b).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("noir-3.mp4");
    std::fs::write(part_path(&dest), vec![0xEE; 5_000]).unwrap();
    dl().download(&format!("{base}/v.mp4"), &dest, |_| {})
        .await
        .unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), payload(), "no stale prefix");
}

#[tokio::test]
async fn a_complete_part_file_is_finished_without_refetching() {
    let b = Shared::default();
    let base = server(b.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("noir-4.mp4");
    let url = format!("{base}/v.mp4");
    // Every byte arrives, but more were announced: the part file is kept to be resumed.
    b.lock().unwrap().lie_about_length = true;
    dl().download(&url, &dest, |_| {}).await.unwrap_err();
    b.lock().unwrap().lie_about_length = false;
    let n = dl().download(&url, &dest, |_| {}).await.unwrap();
    assert_eq!(n, 200_000);
    assert_eq!(std::fs::read(&dest).unwrap(), payload());
    let ranges = b.lock().unwrap().ranges_seen.clone();
    assert_eq!(ranges, vec![None, Some("bytes=200000-".to_string())]);
}

#[tokio::test]
async fn a_short_body_is_never_renamed_into_place() {
    let b = Shared::default();
    b.lock().unwrap().lie_about_length = true;
    let base = server(b).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("noir-5.mp4");
    let err = dl()
        .download(&format!("{base}/v.mp4"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Interrupted { .. }), "{err}");
    assert!(!dest.exists());
}

#[tokio::test]
async fn http_errors_name_the_status() {
    let base = server(Shared::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("x.mp4");
    let err = dl()
        .download(&format!("{base}/missing.mp4"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
}

fn limited(f: impl FnOnce(&mut DownloadLimits)) -> Downloader {
    let mut limits = DownloadLimits::default();
    f(&mut limits);
    Downloader::new(limits).unwrap()
}

#[tokio::test]
async fn cdn_redirects_are_followed_a_bounded_number_of_times() {
    let b = Shared::default();
    let base = server(b).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("hop.mp4");
    let n = dl()
        .download(&format!("{base}/hop/2"), &dest, |_| {})
        .await
        .unwrap();
    assert_eq!(n, 200_000);
    assert_eq!(std::fs::read(&dest).unwrap(), payload());

    let err = dl()
        .download(
            &format!("{base}/loop"),
            &dir.path().join("loop.mp4"),
            |_| {},
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Redirect { .. }), "{err}");
    assert!(err.to_string().contains("more than 5 redirects"), "{err}");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn a_url_that_is_not_http_is_called_what_it_is_and_not_retried() {
    let base = server(Shared::default()).await;
    let dir = tempfile::tempdir().unwrap();
    for url in ["ftp://cdn.example/v.mp4", "file:///etc/passwd", "not a url"] {
        let err = dl()
            .download(url, &dir.path().join("x.mp4"), |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, DownloadError::BadUrl { .. }), "{url}: {err}");
        assert!(err.to_string().contains("not an http(s) URL"), "{err}");
        assert!(!err.is_transient());
    }
    let err = dl()
        .download(&format!("{base}/to-ftp"), &dir.path().join("y.mp4"), |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Redirect { .. }), "{err}");
    assert!(err.to_string().contains("ftp:"), "{err}");
}

#[tokio::test]
async fn a_stalled_body_is_cut_and_the_next_try_resumes() {
    let b = Shared::default();
    b.lock().unwrap().stall_after = Some(50_000);
    let base = server(b.clone()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("stall.mp4");
    let d = limited(|l| l.stall = std::time::Duration::from_millis(300));
    let url = format!("{base}/v.mp4");
    let err = d.download(&url, &dest, |_| {}).await.unwrap_err();
    assert!(err.to_string().contains("no data for 0.3 s"), "{err}");
    assert!(err.is_transient());
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 50_000);
    d.download(&url, &dest, |_| {}).await.unwrap();
    assert_eq!(std::fs::read(&dest).unwrap(), payload());
    let ranges = b.lock().unwrap().ranges_seen.clone();
    assert_eq!(ranges[1], Some("bytes=50000-".to_string()));
}

#[tokio::test]
async fn a_body_past_the_cap_is_refused_and_nothing_is_kept() {
    let base = server(Shared::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("endless.mp4");
    let d = limited(|l| l.max_bytes = 1 << 20);
    let err = d
        .download(&format!("{base}/endless"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::TooLarge { .. }), "{err}");
    assert!(!dest.exists() && !part_path(&dest).exists());
    // An announced size over the cap is refused before the first byte.
    let d = limited(|l| l.max_bytes = 1000);
    let err = d
        .download(&format!("{base}/v.mp4"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::TooLarge { .. }), "{err}");
    assert!(!part_path(&dest).exists());
}

#[tokio::test]
async fn free_space_is_checked_before_the_first_byte() {
    let base = server(Shared::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("big.mp4");
    // A reserve no disk has: the video would eat into it.
    let d = limited(|l| l.min_free_bytes = u64::MAX / 2);
    let err = d
        .download(&format!("{base}/v.mp4"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::NoSpace { .. }), "{err}");
    assert!(err.to_string().contains("not enough disk space"), "{err}");
    assert!(!err.is_transient());
    assert!(!part_path(&dest).exists());
}

#[tokio::test]
async fn an_existing_file_is_never_replaced_only_verified() {
    let base = server(Shared::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("{base}/v.mp4");
    // Another job's video (or the user's file) under the same name: kept, and said so.
    let dest = dir.path().join("taken.mp4");
    std::fs::write(&dest, b"someone else's paid video").unwrap();
    let err = dl().download(&url, &dest, |_| {}).await.unwrap_err();
    assert!(matches!(err, DownloadError::Exists { .. }), "{err}");
    assert!(err.to_string().contains("never replaced"), "{err}");
    assert_eq!(std::fs::read(&dest).unwrap(), b"someone else's paid video");
    assert!(!err.is_transient());
    // The same bytes already there: verified, nothing replaced, no part file left.
    let same = dir.path().join("same.mp4");
    std::fs::write(&same, payload()).unwrap();
    dl().download(&url, &same, |_| {}).await.unwrap();
    assert_eq!(std::fs::read(&same).unwrap(), payload());
    assert!(!part_path(&same).exists());
}
