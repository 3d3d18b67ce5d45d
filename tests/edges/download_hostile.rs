//! Downloads against hostile servers on 127.0.0.1: a file that changes between a cut and the
//! resume, a body with no length that would fill the disk, redirects into this machine or
//! to `file:`, headers that never come and a body that trickles. Every request goes
//! through reqwest to a real listener; nothing waits on a clock to decide a result (the
//! limits are shrunk, and `guard` only turns "waits forever" into a failure).

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures::StreamExt;
use shotdeck::engine::download::{
    AddressPolicy, DownloadError, DownloadLimits, Downloader, is_private, part_path,
};

const SIZE: usize = 200_000;

/// The file's bytes in version `v` (every version differs at every offset past 0).
fn version(v: u8) -> Vec<u8> {
    (0..SIZE as u32)
        .map(|i| (i % 251) as u8 ^ v.wrapping_mul(17))
        .collect()
}

#[derive(Default)]
struct Origin {
    /// Which version is served now (1 until a test changes it).
    current: AtomicU8,
    /// Cut the next body after this many bytes.
    cut_after: Mutex<Option<usize>>,
    /// Send no ETag / Last-Modified at all.
    no_validator: bool,
    /// Answer a Range with 206 even when If-Range names another version (a broken CDN).
    ignore_if_range: bool,
    requests: Mutex<Vec<(Option<String>, Option<String>)>>,
}

type Shared = Arc<Origin>;

async fn file(State(o): State<Shared>, headers: HeaderMap) -> Response {
    let v = o.current.load(Ordering::SeqCst).max(1);
    let etag = format!("\"v{v}\"");
    let get = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    };
    let (range, if_range) = (get(header::RANGE), get(header::IF_RANGE));
    o.requests
        .lock()
        .unwrap()
        .push((range.clone(), if_range.clone()));
    let same = if_range.is_none_or(|tag| tag == etag) || o.ignore_if_range;
    let start = range.filter(|_| same).and_then(|r| {
        r.strip_prefix("bytes=")?
            .strip_suffix('-')?
            .parse::<usize>()
            .ok()
    });
    let from = start.unwrap_or(0);
    let body = version(v)[from..].to_vec();
    let len = body.len();
    let body = match o.cut_after.lock().unwrap().take() {
        Some(n) => {
            let head = body[..n].to_vec();
            Body::from_stream(
                futures::stream::iter([Ok(head)]).chain(futures::stream::once(async {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    Err(std::io::Error::other("cut"))
                })),
            )
        }
        None => Body::from(body),
    };
    let mut resp = Response::new(body);
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, len.into());
    if !o.no_validator {
        h.insert(header::ETAG, etag.parse().unwrap());
    }
    if start.is_some() {
        let range = format!("bytes {from}-{}/{SIZE}", SIZE - 1);
        h.insert(header::CONTENT_RANGE, range.parse().unwrap());
        *resp.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    resp
}

fn redirect(to: String) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

async fn serve(ip: Ipv4Addr, app: Router) -> String {
    let listener = tokio::net::TcpListener::bind((ip, 0)).await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

async fn origin(o: Shared) -> String {
    let app = Router::new().route("/v.mp4", get(file)).with_state(o);
    serve(Ipv4Addr::LOCALHOST, app).await
}

fn downloader(f: impl FnOnce(&mut DownloadLimits)) -> Downloader {
    let mut limits = DownloadLimits::default();
    f(&mut limits);
    Downloader::new(limits).unwrap()
}

/// Fails a test whose download would otherwise wait forever.
async fn guard<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(Duration::from_secs(30), fut).await {
        Ok(v) => v,
        Err(_) => panic!("{what}: still waiting after 30 s"),
    }
}

type Requests = Vec<(Option<String>, Option<String>)>;

/// Cuts the first download of version 1 after 70,000 bytes (the part file stays), changes
/// the file to version 2 and downloads again. Returns what landed and every request's
/// `(Range, If-Range)`; asserts that no part or validator file is left beside it.
async fn download_across_a_change(o: Origin) -> (Vec<u8>, Requests) {
    let o = Arc::new(o);
    let url = format!("{}/v.mp4", origin(o.clone()).await);
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("changed.mp4");
    *o.cut_after.lock().unwrap() = Some(70_000);
    let err = downloader(|_| {})
        .download(&url, &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Interrupted { .. }), "{err}");
    assert_eq!(std::fs::metadata(part_path(&dest)).unwrap().len(), 70_000);
    o.current.store(2, Ordering::SeqCst);
    downloader(|_| {})
        .download(&url, &dest, |_| {})
        .await
        .unwrap();
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "a part or validator file is left: {left:?}");
    let requests = o.requests.lock().unwrap().clone();
    (std::fs::read(&dest).unwrap(), requests)
}

#[tokio::test]
async fn a_file_that_changed_since_the_cut_is_fetched_whole_not_spliced() {
    let (landed, requests) = download_across_a_change(Origin::default()).await;
    assert!(landed == version(2), "spliced v1 and v2");
    let resumed = (Some("bytes=70000-".into()), Some("\"v1\"".into()));
    assert_eq!(
        requests[1], resumed,
        "the resume names the version it continues"
    );
}

#[tokio::test]
async fn a_range_of_another_version_is_refused_even_when_the_server_ignores_if_range() {
    let broken_cdn = Origin {
        ignore_if_range: true,
        ..Origin::default()
    };
    let (landed, requests) = download_across_a_change(broken_cdn).await;
    assert!(landed == version(2), "spliced v1 and v2");
    assert_eq!(requests.len(), 3, "the wrong range, then the whole file");
}

#[tokio::test]
async fn without_a_validator_an_interrupted_download_starts_over() {
    let no_etag = Origin {
        no_validator: true,
        ..Origin::default()
    };
    let (landed, requests) = download_across_a_change(no_etag).await;
    assert!(landed == version(2), "spliced v1 and v2");
    assert_eq!(
        requests[1],
        (None, None),
        "nothing proves the part is this file"
    );
}

/// A chunked body with no length that never ends.
async fn endless() -> Response {
    let chunk = vec![7u8; 64 * 1024];
    let stream = futures::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
    Response::new(Body::from_stream(stream))
}

#[tokio::test]
async fn a_body_without_length_stops_at_the_free_space_reserve_and_is_removed() {
    let base = serve(Ipv4Addr::LOCALHOST, Router::new().route("/e", get(endless))).await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("endless.mp4");
    // A reserve just under what is free now: the disk "fills" after a few MiB.
    let free = fs4::available_space(dir.path()).unwrap();
    let d = downloader(|l| {
        l.min_free_bytes = free.saturating_sub(8 << 20);
        l.max_bytes = 512 << 20;
    });
    let err = guard(
        "endless body",
        d.download(&format!("{base}/e"), &dest, |_| {}),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DownloadError::DiskFull { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("not enough disk space"), "{text}");
    assert!(text.contains("the partial file was removed"), "{text}");
    assert!(!err.is_transient());
    assert!(!dest.exists() && !part_path(&dest).exists());
}

/// Treats the test's own 127.0.0.1 as a public host, and everything else as usual.
fn loopback_one_is_public() -> AddressPolicy {
    Arc::new(|ip: IpAddr| ip != IpAddr::V4(Ipv4Addr::LOCALHOST) && is_private(ip))
}

/// A "public" origin on 127.0.0.1 whose links redirect to a local service on 127.0.0.2.
async fn redirecting_origin() -> (String, String) {
    let local = Router::new().route("/secret", get(|| async { "a local service's page" }));
    let local = serve(Ipv4Addr::new(127, 0, 0, 2), local).await;
    let o = Shared::default();
    let to_local = format!("{local}/secret");
    let app = Router::new()
        .route("/v.mp4", get(file))
        .route("/to-local", get(move || async move { redirect(to_local) }))
        .route(
            "/to-file",
            get(|| async { redirect("file:///etc/passwd".into()) }),
        )
        .route("/hop", get(|| async { redirect("/v.mp4".into()) }))
        .with_state(o);
    (serve(Ipv4Addr::LOCALHOST, app).await, local)
}

#[tokio::test]
async fn a_public_host_may_not_redirect_into_this_machine() {
    let (base, local) = redirecting_origin().await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(|_| {}).with_address_policy(loopback_one_is_public());
    let dest = dir.path().join("paid.mp4");
    let err = d
        .download(&format!("{base}/to-local"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Redirect { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("127.0.0.2"), "{text}");
    assert!(text.contains("private or loopback"), "{text}");
    assert!(!err.is_transient());
    assert!(!dest.exists() && !part_path(&dest).exists());

    // A redirect between public hosts is followed as before.
    let hop = dir.path().join("hop.mp4");
    d.download(&format!("{base}/hop"), &hop, |_| {})
        .await
        .unwrap();
    assert!(std::fs::read(&hop).unwrap() == version(1));

    // The rule is about where the chain starts: a loopback origin (the simulator) may
    // redirect to this machine, and the target is fetched.
    let from_local = dir.path().join("sim.mp4");
    let plain = downloader(|_| {});
    plain
        .download(&format!("{base}/to-local"), &from_local, |_| {})
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(&from_local).unwrap(),
        b"a local service's page"
    );
    let _ = local;
}

#[tokio::test]
async fn a_redirect_to_a_file_url_is_named_as_such() {
    let (base, _) = redirecting_origin().await;
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("x.mp4");
    let err = downloader(|_| {})
        .download(&format!("{base}/to-file"), &dest, |_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, DownloadError::Redirect { .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("file: URL (file:///etc/passwd)"), "{text}");
    assert!(!text.contains("HTTP 302"), "{text}");
}

/// Accepts connections and never answers them.
async fn silent_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}")
}

/// Announces a whole file and sends one byte every 50 ms.
async fn trickle() -> Response {
    let bytes = futures::stream::iter(0..SIZE).then(|_| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Ok::<_, std::io::Error>(vec![1u8])
    });
    let mut resp = Response::new(Body::from_stream(bytes));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_LENGTH, SIZE.into());
    h.insert(header::ETAG, "\"t1\"".parse().unwrap());
    resp
}

#[tokio::test]
async fn headers_that_never_come_time_out_and_are_worth_another_try() {
    let base = silent_server().await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(|l| l.header_timeout = Duration::from_millis(300));
    let dest = dir.path().join("silent.mp4");
    let err = guard(
        "silent server",
        d.download(&format!("{base}/v.mp4"), &dest, |_| {}),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DownloadError::Interrupted { .. }), "{err}");
    assert!(
        err.to_string().contains("no response headers within 0.3 s"),
        "{err}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_trickling_body_is_cut_below_the_minimum_rate_and_kept_for_the_resume() {
    let base = serve(Ipv4Addr::LOCALHOST, Router::new().route("/t", get(trickle))).await;
    let dir = tempfile::tempdir().unwrap();
    let d = downloader(|l| l.rate_window = Duration::from_millis(500));
    let dest = dir.path().join("trickle.mp4");
    let err = guard(
        "trickling body",
        d.download(&format!("{base}/t"), &dest, |_| {}),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DownloadError::Interrupted { .. }), "{err}");
    assert!(
        err.to_string().contains("slower than 1024 bytes/s"),
        "{err}"
    );
    assert!(err.is_transient());
    assert!(
        part_path(&dest).exists(),
        "what arrived is kept for the next try"
    );
}
