//! Keys never reach the trace log, Debug output, panics or error messages, in process:
//! every tracing event at TRACE level (the engine's, the HTTP stack's and the sim's) is
//! captured while an engine works with distinctive keys, right and wrong.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use shotdeck::core::provider::Provider;
use shotdeck::engine::Engine;
use shotdeck::engine::events::JobPhase;
use shotdeck::engine::store::LOST_CODE;
use shotdeck::files::credentials::Credentials;
use shotdeck::providers::{Client, ProviderSettings};
use shotdeck::sim::{Faults, ScriptedFault, SimKeys};

use crate::secrets_cli::{API_KEY, SECRET, assert_no_secret, sentinel_keys};
use crate::support::*;

/// Everything logged in this test binary since [`capture_trace`] was first called.
static TRACE: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();

#[derive(Clone)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs a process-wide TRACE subscriber (once) and returns its buffer: the same output
/// `SHOTDECK_LOG=trace` sends to `shotdeck.log`, for every thread and task.
fn capture_trace() -> Arc<Mutex<Vec<u8>>> {
    TRACE
        .get_or_init(|| {
            let buf = Arc::new(Mutex::new(Vec::new()));
            let sink = Sink(buf.clone());
            tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || sink.clone())
                .try_init()
                .expect("no other subscriber in this test binary");
            buf
        })
        .clone()
}

fn env_of(keys: SimKeys) -> impl Fn(&str) -> Option<String> {
    move |name: &str| match name {
        "KLING_ACCESS_KEY" => Some(keys.access_key.clone()),
        "KLING_SECRET_KEY" => Some(keys.secret_key.clone()),
        "KLING_API_KEY" => Some(keys.api_key.clone()),
        _ => None,
    }
}

#[tokio::test]
async fn the_trace_log_never_holds_a_key() {
    let log = capture_trace();
    let h = Harness::with_keys(0.3, sentinel_keys()).await;
    let mut engine = h.engine().await;
    let mut events = Events::new(&mut engine);
    for provider in [Provider::Kling, Provider::Gateway, Provider::KlingRelay] {
        // Errors on the way make the engine and clients log their retries and lookups,
        // with the provider's error text, as well as the HTTP stack's own tracing.
        h.sim.set_faults(Faults {
            script: vec![
                ScriptedFault::ServerError,
                ScriptedFault::DropAfterCreate,
                ScriptedFault::RateLimit,
            ],
            ..Faults::default()
        });
        let (id, _) = submit(&h, &engine, &mut events, "image-to-video.json", provider).await;
        // At a gateway the 5xx on create leaves the job for the user: attach it.
        let settled = events.settled(id).await;
        assert_no_secret("a job waiting for the user", &format!("{settled:?}"));
        let v = settle_as_user(&h, &engine, &mut events, settled).await;
        // A 5xx before the task was made leaves nothing on the dashboard: the user marks
        // the job lost.
        let lost = v.error.as_ref().and_then(|e| e.code.as_deref()) == Some(LOST_CODE);
        let gateway = provider != Provider::Kling;
        assert!(
            v.phase == JobPhase::Done || (gateway && lost),
            "{provider}: {:?}",
            v.error
        );
    }
    shutdown(engine).await;

    // Wrong keys: the auth failures are logged and reported, the keys tried are not.
    let wrong = SimKeys {
        access_key: "AK-sentinel-123-wrong".into(),
        secret_key: "SK-sentinel-456-wrong".into(),
        api_key: "sk-gw-sentinel-789-wrong".into(),
    };
    let mut engine = Engine::start(h.config_with_keys(wrong)).await.unwrap();
    let mut events = Events::new(&mut engine);
    for provider in [Provider::Kling, Provider::Gateway, Provider::KlingRelay] {
        let (id, _) = submit(&h, &engine, &mut events, "single-shot.json", provider).await;
        let v = events.finished(id).await;
        assert_eq!(v.phase, JobPhase::Failed);
        let shown = format!("{v:?} {}", serde_json::to_string(&v).unwrap());
        assert!(!shown.contains("-wrong"), "{shown}");
        assert_no_secret("a failed job's view", &shown);
    }
    shutdown(engine).await;

    let text = String::from_utf8_lossy(&log.lock().unwrap()).into_owned();
    assert!(
        text.contains("shotdeck_providers::client") && text.contains("hyper"),
        "shotdeck's and the HTTP stack's events were captured: {} bytes, {}",
        text.len(),
        &text[..text.len().min(3000)]
    );
    assert!(!text.contains("-wrong"), "the trace log holds a wrong key");
    assert_no_secret("the trace log", &text);
}

#[test]
fn debug_output_and_panics_of_clients_hide_the_keys() {
    let settings = ProviderSettings {
        kling_base: Some("http://127.0.0.1:9".into()),
        gateway_base: Some("http://127.0.0.1:9".into()),
        ..ProviderSettings::default()
    };
    let dir = tempfile::tempdir().unwrap();
    let no_file = dir.path().join("credentials.toml");
    let env = env_of(sentinel_keys());
    let creds = Credentials::load_from(&env, &no_file);
    assert_no_secret("Debug of the credentials", &format!("{creds:?}"));
    for provider in [Provider::Kling, Provider::Gateway] {
        let client = Client::from_sources(provider, &settings, &env, &no_file);
        assert_no_secret("Debug of a client", &format!("{client:?}"));
        // `unwrap_err` on a working client panics with the client's Debug in the message:
        // the path an `expect` on a client would take.
        let unwind = std::panic::AssertUnwindSafe(client);
        let panic = std::panic::catch_unwind(move || {
            // The whole wrapper moves in (not just its field), so the closure is unwind-safe.
            let whole = unwind;
            whole.0.unwrap_err()
        })
        .unwrap_err();
        let message = panic
            .downcast_ref::<String>()
            .cloned()
            .expect("a formatted panic message");
        assert!(message.contains("unwrap_err"), "{message}");
        assert_no_secret("a panic showing a client", &message);
    }
}

#[test]
fn a_broken_credentials_file_is_reported_without_its_keys() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("credentials.toml");
    let nothing = |_: &str| None;
    let broken = [
        // Unterminated string: TOML errors quote the offending line.
        format!("kling_access_key = \"x\"\nkling_secret_key = \"{SECRET}\nkling_api_key = 1\n"),
        // A misspelt key name beside a real value.
        format!("kling_secret = \"{SECRET}\"\nkling_api_key = \"{API_KEY}\"\n"),
        // A value of the wrong type.
        format!("kling_api_key = [\"{API_KEY}\"]\n"),
    ];
    for text in broken {
        std::fs::write(&file, &text).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        }
        let creds = Credentials::load_from(&nothing, &file);
        assert_no_secret(
            "Debug of credentials from a broken file",
            &format!("{creds:?}"),
        );
        let kling = creds.kling_keys().map(|_| ()).unwrap_err().to_string();
        let gateway = creds.gateway_key().map(|_| ()).unwrap_err().to_string();
        for message in [kling, gateway] {
            assert!(message.contains("credentials.toml"), "{message}");
            assert_no_secret(&format!("the error for {text:?}"), &message);
        }
    }
}
