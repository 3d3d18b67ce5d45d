//! `shotdeck doctor`, run as the real binary against `kling_docs_mock` on 127.0.0.1: one
//! diagnosis per case, the exit code, and no key in anything it prints.

mod kling_docs_mock;

use std::process::Output;

use axum::http::{HeaderMap, StatusCode};
use kling_docs_mock::{Account, DocsMock};
use serde_json::json;

const AK: &str = "doctor-ak";
const SK: &str = "doctor-sk-secret";
const API_KEY: &str = "doctor-plain-api-key";
const SECRETS: [&str; 3] = [AK, SK, API_KEY];

fn account() -> Account {
    Account::new(AK, SK, API_KEY)
}

/// Runs `shotdeck doctor ARGS` with only `vars` set among the provider variables.
async fn doctor(args: &[&str], vars: &[(&str, &str)]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"));
    cmd.arg("doctor")
        .args(args)
        .env("SHOTDECK_CONFIG_DIR", dir.path())
        .env("SHOTDECK_DATA_DIR", dir.path().join("data"))
        .env("SHOTDECK_STATE_DIR", dir.path().join("state"));
    for var in [
        "KLING_ACCESS_KEY",
        "KLING_SECRET_KEY",
        "KLING_API_KEY",
        "KLING_API_BASE",
        "KLING_API_BASE_OTHER_REGION",
        "SHOTDECK_GATEWAY_URL",
        "SHOTDECK_GATEWAY_KEY",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(vars.iter().copied());
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().await.expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&stdout),
        String::from_utf8_lossy(&stderr)
    );
    for secret in SECRETS {
        assert!(!text.contains(secret), "a key was printed: {text}");
    }
    (status.code().expect("exited"), text)
}

fn aksk(base: &str) -> Vec<(&'static str, String)> {
    vec![
        ("KLING_API_BASE", base.to_string()),
        ("KLING_ACCESS_KEY", AK.to_string()),
        ("KLING_SECRET_KEY", SK.to_string()),
    ]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn an_accepted_key_exits_zero_with_one_line_per_check() {
    let mock = DocsMock::start(account()).await;
    let (code, out) = doctor(&["--provider", "kling"], &refs(&aksk(&mock.base))).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("ok   keys: using the access/secret key pair"),
        "{out}"
    );
    assert!(out.contains("ok   key: accepted"), "{out}");
    let probe = &mock.hits()[0];
    assert_eq!(probe.query.as_deref(), Some("pageNum=1&pageSize=1"));

    let vars = [
        ("KLING_API_BASE", mock.base.as_str()),
        ("KLING_API_KEY", API_KEY),
    ];
    let (code, out) = doctor(&["--provider", "kling"], &vars).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("using the API key"), "{out}");
}

#[tokio::test]
async fn missing_keys_name_both_ways_to_provide_them() {
    let (code, out) = doctor(&["--provider", "kling"], &[]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL setup"), "{out}");
    for name in ["KLING_ACCESS_KEY", "KLING_SECRET_KEY", "KLING_API_KEY"] {
        assert!(out.contains(name), "{out}");
    }
}

#[tokio::test]
async fn a_refused_key_is_a_bad_key_when_no_other_region_takes_it() {
    let mock = DocsMock::start(Account::new(AK, "another-secret", "x")).await;
    let (code, out) = doctor(&["--provider", "kling"], &refs(&aksk(&mock.base))).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL key: 1002"), "{out}");
}

#[tokio::test]
async fn a_key_accepted_by_the_other_region_is_a_wrong_region() {
    let here = DocsMock::start(Account::new(AK, "another-secret", "x")).await;
    let there = DocsMock::start(account()).await;
    let mut vars = aksk(&here.base);
    vars.push(("KLING_API_BASE_OTHER_REGION", there.base.clone()));
    let (code, out) = doctor(&["--provider", "kling"], &refs(&vars)).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL region"), "{out}");
    assert!(
        out.contains(&format!("KLING_API_BASE={}", there.base)),
        "{out}"
    );
    assert_eq!(there.hits().len(), 1, "the other region is asked once");

    // A good key never makes doctor look at the other region.
    let mut vars = aksk(&there.base);
    vars.push(("KLING_API_BASE_OTHER_REGION", here.base.clone()));
    let before = here.hits().len();
    let (code, _) = doctor(&["--provider", "kling"], &refs(&vars)).await;
    assert_eq!(code, 0);
    assert_eq!(here.hits().len(), before);
}

#[tokio::test]
async fn an_expired_token_reports_the_clock_offset_from_the_servers_date() {
    let mock = DocsMock::start(Account {
        clock_offset_secs: 3600,
        ..account()
    })
    .await;
    let (code, out) = doctor(&["--provider", "kling"], &refs(&aksk(&mock.base))).await;
    assert_eq!(code, 1, "{out}");
    let line = out
        .lines()
        .find(|l| l.starts_with("FAIL clock"))
        .expect(&out);
    let secs: i64 = line
        .split("your clock is ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect(line);
    assert!((3590..=3610).contains(&secs), "{line}");
    assert!(line.contains("behind") && line.contains("1004"), "{line}");
}

#[tokio::test]
async fn no_access_and_no_balance_are_named() {
    for (status, code, check) in [(403, 1103, "FAIL access"), (429, 1102, "FAIL balance")] {
        let mock = DocsMock::start(Account {
            refuse_all: Some((status, code)),
            ..account()
        })
        .await;
        let (exit, out) = doctor(&["--provider", "kling"], &refs(&aksk(&mock.base))).await;
        assert_eq!(exit, 1, "{out}");
        assert!(out.contains(check), "{code}: {out}");
    }
}

#[tokio::test]
async fn an_unreachable_host_is_a_network_failure() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let (code, out) = doctor(
        &["--provider", "kling"],
        &refs(&aksk(&format!("http://{closed}"))),
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL network: connect"), "{out}");
}

/// A gateway that knows one key: with it, unknown tasks are 404; without, 401.
async fn gateway() -> String {
    let app = axum::Router::new().fallback(|headers: HeaderMap| async move {
        let good = headers
            .get("authorization")
            .is_some_and(|v| v == &*format!("Bearer {API_KEY}"));
        let (status, message) = if good {
            (StatusCode::NOT_FOUND, "task not found")
        } else {
            (StatusCode::UNAUTHORIZED, "invalid api key")
        };
        let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}});
        (status, axum::Json(body))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn a_gateway_key_is_told_accepted_or_refused() {
    let base = gateway().await;
    let with = |key: &'static str| {
        vec![
            ("SHOTDECK_GATEWAY_URL", base.clone()),
            ("SHOTDECK_GATEWAY_KEY", key.to_string()),
            ("KLING_API_KEY", key.to_string()),
        ]
    };
    let (code, out) = doctor(&["--provider", "gateway"], &refs(&with(API_KEY))).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok   key: accepted"), "{out}");
    let (code, out) = doctor(&["--provider", "gateway"], &refs(&with(SK))).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL key"), "{out}");
}

/// A gateway whose every answer is a 401 carrying terminal escapes in its message (the
/// OpenAI-style error envelope new-api answers with: `{"error": {"message", "type"}}`).
async fn hostile_gateway() -> String {
    let app = axum::Router::new().fallback(|| async {
        let message = "bad key\u{1b}]52;c;aGk=\u{7}\u{1b}]0;owned\u{7}\u{1b}[2J";
        let body = json!({"error": {"message": message, "type": "invalid_request_error", "param": null, "code": null}});
        (StatusCode::UNAUTHORIZED, axum::Json(body))
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

#[tokio::test]
async fn a_providers_terminal_escapes_are_printed_escaped() {
    let base = hostile_gateway().await;
    let vars = [
        ("SHOTDECK_GATEWAY_URL", base.as_str()),
        ("SHOTDECK_GATEWAY_KEY", "k"),
    ];
    let (code, out) = doctor(&["--provider", "gateway"], &vars).await;
    assert_eq!(code, 1, "{out}");
    assert!(!out.contains('\u{1b}') && !out.contains('\u{7}'), "{out:?}");
    assert!(out.contains("bad key\\x1b]52;c;aGk=\\x07"), "{out}");
}

#[tokio::test]
async fn a_silent_server_fails_after_the_doctors_own_short_limit() {
    // Accepts connections and never answers.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut open = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            open.push(socket);
        }
    });
    let (code, out) = doctor(
        &["--provider", "kling", "--timeout", "1"],
        &refs(&aksk(&base)),
    )
    .await;
    held.abort();
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL network: timeout"), "{out}");
}
