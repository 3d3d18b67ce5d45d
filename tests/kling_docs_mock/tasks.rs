//! The mock's tasks: create, query (by `task_id`, and by `external_task_id` when the account
//! says so), the paged list, and the result files. Shapes from the docs (2026-11-25):
//!
//! - Envelope: `{"code": 0, "message": "SUCCEED", "request_id": "…", "data": {…}}`.
//! - Create `data`: `task_id`, `task_status: "submitted"`, `task_info.external_task_id`,
//!   `created_at`/`updated_at` (Unix milliseconds).
//! - Query: "任务状态，枚举值：submitted（已提交）、processing（处理中）、succeed（成功）、
//!   failed（失败）"; `task_result.videos[]` `{id, url, watermark_url, duration}`;
//!   `"final_unit_deduction": "string",   // 扣减积分数值`.
//! - "A failed task still answers code 0 / "SUCCEED"; only `task_status` and
//!   `task_status_msg` say it failed, and `task_result` may be `{}`".
//! - Query path: "task_id | string | 可选 | 无 | 任务ID（路径参数），与 external_task_id 二选一".
//! - List: `GET /v1/videos/text2video?pageNum=1&pageSize=30` (the docs' example);
//!   "pageNum | int | 可选 | 1 | 页码，取值范围：[1,1000]" ·
//!   "pageSize | int | 可选 | 30 | 每页数据量，取值范围：[1,500]"; `data` is an array of
//!   the same task objects the query answers with, newest first.
//! - `"watermark_info": { "enabled": boolean // true=生成水印, false=不生成 }`; the query's
//!   video item carries `"watermark_url": "string"` (`""` when off, xmsmartlink's copy).

use axum::body::Body;
use axum::response::Response;
use serde_json::{Value, json};

use super::Inner;

pub const CLEAN_BYTES: &[u8] = b"clean video bytes, no watermark\n";
pub const WATERMARKED_BYTES: &[u8] = b"watermarked copy of the same video\n";

pub struct Task {
    task_id: String,
    external_task_id: Option<String>,
    kind: String,
    watermark: bool,
    fail_reason: Option<String>,
    /// Answers that described the task, by query or on a list page: the task moves on
    /// with each (a client that only reads the list must see it finish).
    looks: u32,
    created_ms: u64,
    /// Left off every list page, as a task older than the page is.
    off_the_list: bool,
}

#[derive(Default)]
pub struct Tasks {
    pub all: Vec<Task>,
    pub fail_next: Option<String>,
    /// Creation numbers (0 = the first task) of tasks the list never shows.
    pub off_the_list: Vec<usize>,
}

impl Tasks {
    pub fn ids(&self) -> Vec<String> {
        self.all.iter().map(|t| t.task_id.clone()).collect()
    }
}

fn envelope(data: Value) -> Value {
    json!({"code": 0, "message": "SUCCEED", "request_id": "mock-req", "data": data})
}

pub fn create(inner: &Inner, kind: &str, body: Option<&Value>) -> Response {
    let Some(body) = body.filter(|b| b.is_object()) else {
        return inner.refuse(400, 1200, "request body is not a JSON object");
    };
    // "`model_name` defaults to an old model when omitted": the docs' field must be there
    // for this mock to count the request as what shotdeck means.
    if body.get("model_name").and_then(Value::as_str).is_none() {
        return inner.refuse(400, 1201, "model_name is required");
    }
    if !body.get("duration").is_some_and(Value::is_string) {
        return inner.refuse(400, 1201, "duration must be a string");
    }
    let external = body
        .get("external_task_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    let mut tasks = inner.tasks.lock().unwrap();
    // "external_task_id (unique per account)".
    if external.is_some() && tasks.all.iter().any(|t| t.external_task_id == external) {
        return inner.refuse(
            400,
            1201,
            "a task with this external_task_id already exists",
        );
    }
    let created_ms = inner.now_secs() * 1000;
    let task = Task {
        // "task_id (an 18-digit numeric string)".
        task_id: format!(
            "{}",
            860_000_000_000_000_000u64 + tasks.all.len() as u64 + 1
        ),
        external_task_id: external,
        kind: kind.to_string(),
        watermark: body
            .pointer("/watermark_info/enabled")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        fail_reason: tasks.fail_next.take(),
        looks: 0,
        created_ms,
        off_the_list: tasks.off_the_list.contains(&tasks.all.len()),
    };
    let data = json!({
        "task_id": task.task_id,
        "task_status": "submitted",
        "task_info": {"external_task_id": task.external_task_id},
        "created_at": created_ms,
        "updated_at": created_ms,
    });
    tasks.all.push(task);
    inner.respond(200, &envelope(data))
}

pub fn query(inner: &Inner, kind: &str, id: &str) -> Response {
    let by_external = inner.account.path_lookup_by_external_id;
    let mut tasks = inner.tasks.lock().unwrap();
    let found = tasks.all.iter_mut().find(|t| {
        t.kind == kind
            && (t.task_id == id || (by_external && t.external_task_id.as_deref() == Some(id)))
    });
    let Some(task) = found else {
        // "| 404 | 1203 | Resource not found |"
        return inner.refuse(404, 1203, "task not found");
    };
    task.looks += 1;
    let data = describe(&inner.base, task, inner.account.polls_before_done);
    inner.respond(200, &envelope(data))
}

/// One page, newest first; `odd_entry` adds a task no client can read.
pub fn list(inner: &Inner, kind: &str, query: &str, odd_entry: bool) -> Response {
    let param = |name: &str, default: usize| {
        query
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(default)
    };
    let (page, size) = (param("pageNum", 1), param("pageSize", 30));
    if !(1..=1000).contains(&page) || !(1..=500).contains(&size) {
        return inner.refuse(400, 1201, "pageNum or pageSize out of range");
    }
    let mut tasks = inner.tasks.lock().unwrap();
    let mut newest_first: Vec<Value> = tasks
        .all
        .iter_mut()
        .rev()
        .filter(|t| t.kind == kind && !t.off_the_list)
        .skip((page - 1) * size)
        .take(size)
        .map(|t| {
            t.looks += 1;
            describe(&inner.base, t, inner.account.polls_before_done)
        })
        .collect();
    if odd_entry {
        newest_first.push(json!({"task_id": "860999999999999999"}));
    }
    inner.respond(200, &envelope(Value::Array(newest_first)))
}

/// A task as query and list describe it.
fn describe(base: &str, t: &Task, polls_before_done: u32) -> Value {
    let done = t.looks > polls_before_done;
    let (status, msg, result) = match (&t.fail_reason, done) {
        (_, false) => ("processing", "", json!({})),
        (Some(reason), true) => ("failed", reason.as_str(), json!({})),
        (None, true) => {
            let watermark_url = if t.watermark {
                format!("{base}/files/{}-wm.mp4", t.task_id)
            } else {
                String::new()
            };
            let video = json!({
                "id": format!("v-{}", t.task_id),
                "url": format!("{base}/files/{}.mp4", t.task_id),
                "watermark_url": watermark_url,
                "duration": "12",
            });
            ("succeed", "", json!({"videos": [video]}))
        }
    };
    let charged = if status == "succeed" {
        json!("12")
    } else {
        Value::Null
    };
    json!({
        "task_id": t.task_id,
        "task_status": status,
        "task_status_msg": msg,
        "task_info": {"external_task_id": t.external_task_id},
        "task_result": result,
        "final_unit_deduction": charged,
        "created_at": t.created_ms,
        "updated_at": t.created_ms,
    })
}

/// The result files: a clean one and, for `…-wm.mp4`, the watermarked copy.
pub fn file(name: &str) -> Response {
    let bytes = if name.ends_with("-wm.mp4") {
        WATERMARKED_BYTES
    } else {
        CLEAN_BYTES
    };
    Response::builder()
        .status(200)
        .header("content-type", "video/mp4")
        .header("content-length", bytes.len())
        .body(Body::from(bytes))
        .unwrap()
}
