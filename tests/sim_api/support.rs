//! Helpers shared by the simulated backend's HTTP tests: a server on a free loopback port,
//! a proxy-free client, token signing, a real tiny PNG and polling with a deadline.

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::{Client, Response, StatusCode};
use serde_json::{Value, json};
use shotdeck::sim::{Faults, ScriptedFault, SimConfig, SimKeys, SimServer};

pub const FAST: f64 = 0.3;

pub async fn start(task_seconds: f64) -> SimServer {
    start_with(task_seconds, Faults::default()).await
}

pub async fn start_with(task_seconds: f64, faults: Faults) -> SimServer {
    let config = SimConfig {
        keys: SimKeys::demo(),
        task_seconds,
        faults,
    };
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("address");
    SimServer::start(config, addr).await.expect("server starts")
}

pub fn client() -> Client {
    Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

pub fn now() -> i64 {
    jsonwebtoken::get_current_timestamp() as i64
}

/// A token as the official API wants it, with `exp`/`nbf` relative to now.
pub fn jwt_with(access_key: &str, secret_key: &str, exp_in: i64, nbf_in: i64) -> String {
    let claims = json!({"iss": access_key, "exp": now() + exp_in, "nbf": now() + nbf_in});
    let key = EncodingKey::from_secret(secret_key.as_bytes());
    encode(&Header::new(Algorithm::HS256), &claims, &key).expect("token signs")
}

pub fn jwt() -> String {
    let keys = SimKeys::demo();
    jwt_with(&keys.access_key, &keys.secret_key, 1800, -5)
}

/// JSON of a response, or `Value::Null` when it is not JSON.
pub async fn body_json(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body arrives");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// The official API through one server, with a fresh valid token.
pub struct Kling {
    pub client: Client,
    pub base: String,
    pub token: String,
}

impl Kling {
    pub fn new(server: &SimServer) -> Self {
        Kling {
            client: client(),
            base: server.base_url(),
            token: jwt(),
        }
    }

    pub async fn post_raw(&self, kind: &str, body: &Value) -> reqwest::Result<Response> {
        self.client
            .post(format!("{}/v1/videos/{kind}", self.base))
            .bearer_auth(&self.token)
            .json(body)
            .send()
            .await
    }

    pub async fn create(&self, kind: &str, body: &Value) -> (StatusCode, Value) {
        body_json(self.post_raw(kind, body).await.expect("request completes")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.token)
            .send()
            .await
            .expect("request completes");
        body_json(response).await
    }

    pub async fn query(&self, kind: &str, id: &str) -> (StatusCode, Value) {
        self.get(&format!("/v1/videos/{kind}/{id}")).await
    }

    /// Polls until the task is `status`; panics after a few seconds.
    pub async fn wait_for(&self, kind: &str, id: &str, status: &str) -> Value {
        poll_until(|| async {
            let (_, body) = self.query(kind, id).await;
            (body["data"]["task_status"] == status).then(|| body["data"].clone())
        })
        .await
    }
}

/// The gateway through one server, with the demo API key.
pub struct Gateway {
    pub client: Client,
    pub base: String,
    pub key: String,
}

impl Gateway {
    pub fn new(server: &SimServer) -> Self {
        Gateway {
            client: client(),
            base: server.base_url(),
            key: SimKeys::demo().api_key,
        }
    }

    pub async fn post_raw(&self, body: &Value) -> reqwest::Result<Response> {
        self.client
            .post(format!("{}/v1/video/generations", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
    }

    pub async fn create(&self, body: &Value) -> (StatusCode, Value) {
        body_json(self.post_raw(body).await.expect("request completes")).await
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        let response = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("request completes");
        body_json(response).await
    }

    /// Kling's body through the gateway's `/kling` relay.
    pub async fn relay_create(&self, kind: &str, body: &Value) -> (StatusCode, Value) {
        let response = self
            .client
            .post(format!("{}/kling/v1/videos/{kind}", self.base))
            .bearer_auth(&self.key)
            .json(body)
            .send()
            .await
            .expect("request completes");
        body_json(response).await
    }

    /// Polls until new-api's envelope says `status`; answers its `data`.
    pub async fn wait_for(&self, task_id: &str, status: &str) -> Value {
        poll_until(|| async {
            let (_, body) = self.get(&format!("/v1/video/generations/{task_id}")).await;
            (body["data"]["status"] == status).then(|| body["data"].clone())
        })
        .await
    }
}

/// Calls `probe` every 20 ms until it answers `Some`; panics after 5 s.
pub async fn poll_until<T, F, Fut>(mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "condition not reached within 5 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn text_body(external_task_id: &str) -> Value {
    json!({
        "model_name": "kling-v3", "prompt": "a lighthouse at dusk", "duration": "5",
        "mode": "std", "sound": "off", "cfg_scale": 0.5, "aspect_ratio": "16:9",
        "external_task_id": external_task_id
    })
}

/// new-api's generic form, Kling's fields in `metadata`.
pub fn gateway_text_body(external_task_id: &str) -> Value {
    json!({
        "model": "kling-v3", "prompt": "a lighthouse at dusk", "mode": "std", "duration": 5,
        "watermark_enabled": false,
        "metadata": {"multi_shot": false, "cfg_scale": 0.5, "aspect_ratio": "16:9",
                     "sound": "off", "external_task_id": external_task_id}
    })
}

/// A real PNG (RGB, uncompressed deflate) of `width`×`height`, as raw Base64.
pub fn png_base64(width: u32, height: u32) -> String {
    base64::engine::general_purpose::STANDARD.encode(png(width, height))
}

pub fn png(width: u32, height: u32) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // filter: none
        for x in 0..width {
            raw.extend([x as u8, y as u8, 128]);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend(adler32(&raw).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, no filter set, no interlace
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", ihdr), (b"IDAT", zlib), (b"IEND", Vec::new())] {
        out.extend((data.len() as u32).to_be_bytes());
        let mut typed = kind.to_vec();
        typed.extend(&data);
        out.extend(&typed);
        out.extend(crc32(&typed).to_be_bytes());
    }
    out
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in data {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in data {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Faults that are only the given one-shot script.
pub fn scripted(script: &[ScriptedFault]) -> Faults {
    Faults {
        script: script.to_vec(),
        ..Faults::default()
    }
}

/// Sends a request and reads its whole body; `Err` when the connection broke on the way.
pub async fn exchange(
    response: reqwest::Result<reqwest::Response>,
) -> Result<(StatusCode, String), reqwest::Error> {
    let response = response?;
    let status = response.status();
    Ok((status, response.text().await?))
}
