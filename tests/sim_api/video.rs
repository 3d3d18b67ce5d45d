//! Result videos over real HTTP: byte ranges, and a cut download resumed with a range.

use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, RANGE};
use shotdeck::sim::{Faults, SAMPLE_MP4, ScriptedFault, SimServer};

use crate::support::*;

async fn finished_video(server: &SimServer) -> String {
    let kling = Kling::new(server);
    kling.create("text2video", &text_body("video")).await;
    let done = kling.wait_for("text2video", "video", "succeed").await;
    done["task_result"]["videos"][0]["url"]
        .as_str()
        .expect("url")
        .to_string()
}

#[tokio::test]
async fn videos_serve_byte_ranges() {
    let server = start(FAST).await;
    let http = client();
    let url = finished_video(&server).await;
    let total = SAMPLE_MP4.len();

    let whole = http.get(&url).send().await.expect("get");
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()[CONTENT_LENGTH], total.to_string().as_str());
    assert_eq!(whole.headers()["accept-ranges"], "bytes");

    let part = http
        .get(&url)
        .header(RANGE, "bytes=100-199")
        .send()
        .await
        .expect("get");
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()[CONTENT_RANGE],
        format!("bytes 100-199/{total}").as_str()
    );
    assert_eq!(
        &part.bytes().await.expect("body")[..],
        &SAMPLE_MP4[100..200]
    );

    let tail = http
        .get(&url)
        .header(RANGE, "bytes=-10")
        .send()
        .await
        .expect("get");
    assert_eq!(
        &tail.bytes().await.expect("body")[..],
        &SAMPLE_MP4[total - 10..]
    );

    let past = http
        .get(&url)
        .header(RANGE, format!("bytes={total}-"))
        .send()
        .await
        .expect("get");
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        past.headers()[CONTENT_RANGE],
        format!("bytes */{total}").as_str()
    );

    let base = server.base_url();
    let unknown = http
        .get(format!("{base}/sim/videos/123.mp4"))
        .send()
        .await
        .expect("get");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(server.stats().video_bytes_served, (total + 100 + 10) as u64);
    server.shutdown().await;
}

#[tokio::test]
async fn a_cut_download_resumes_with_a_range() {
    let server = start(FAST).await;
    let http = client();
    let url = finished_video(&server).await;
    server.set_faults(Faults {
        download_drop_after_bytes: Some(1000),
        ..Faults::default()
    });

    let response = http.get(&url).send().await.expect("headers arrive");
    assert_eq!(
        response.headers()[CONTENT_LENGTH],
        SAMPLE_MP4.len().to_string().as_str()
    );
    let mut received = Vec::new();
    let mut response = response;
    let broke = loop {
        match response.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            Ok(None) => break false,
            Err(_) => break true,
        }
    };
    assert!(broke, "the body must end in an error, not a short success");
    assert_eq!(received.len(), 1000);

    let rest = http
        .get(&url)
        .header(RANGE, format!("bytes={}-", received.len()))
        .send()
        .await
        .expect("resume");
    assert_eq!(rest.status(), StatusCode::PARTIAL_CONTENT);
    received.extend_from_slice(&rest.bytes().await.expect("rest arrives"));
    assert_eq!(received, SAMPLE_MP4);
    server.shutdown().await;
}

#[tokio::test]
async fn video_requests_do_not_use_up_the_script() {
    let server = start(FAST).await;
    let url = finished_video(&server).await;
    server.set_faults(scripted(&[ScriptedFault::ServerError]));
    let video = client().get(&url).send().await.expect("get");
    assert_eq!(video.status(), StatusCode::OK);
    assert_eq!(server.faults().script, [ScriptedFault::ServerError]);
    server.shutdown().await;
}
