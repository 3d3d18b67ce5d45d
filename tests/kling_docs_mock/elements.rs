//! The element library, written from Kling's element reference (new version), not from
//! shotdeck's client or simulator. Read 2026-12-07 from the search tool's stored copies of
//! <https://app.klingai.com/global/dev/document-api/apiReference/model/element> (the
//! English capture at m-macmini.tail568a50.ts.net/…/apiReference_model__element_sections.json,
//! and the same fields relayed at docs.anyfast.ai/api-reference/model-api/kuaishou/
//! kling-element-create and …/kling-element-query):
//!
//! - Create, `POST /v1/general/advanced-custom-elements`: "element_name string Required …
//!   Must not exceed 20 characters."; "element_description string Required … Must not
//!   exceed 100 characters."; "reference_type … Enum values： video_refer image_refer";
//!   "element_image_list … at least one frontal reference image (frontal_image), and 1 to 3
//!   additional reference images (image_url) that differ from the front … `"element_image_list":
//!   {"frontal_image": "image_url_0", "refer_images": [{ "image_url": "image_url_1" }, …]}`".
//!   The answer's `data`: `{"task_id", "task_info": {"external_task_id"}, "task_status",
//!   "created_at", "updated_at"}` ("Task status: submitted, processing, succeed, failed").
//! - Query one, `GET /v1/general/advanced-custom-elements/{task_id}`: `data` `{"task_id",
//!   "task_status": "succeed", "task_result": {"elements": [{"element_id":
//!   863121023120580600, "element_name", "element_description", "element_type":
//!   "image_refer", "element_image_list": {"frontal_image", "refer_images"}, "owned_by",
//!   "status": "succeed", "tag_list"}]}, "task_status_msg", "created_at", "updated_at",
//!   "final_unit_deduction": "0"}`.
//! - Query list, `GET /v1/general/advanced-custom-elements?pageNum=&pageSize=`: `data` is an
//!   array of the same task objects.
//!
//! A created task answers "processing" to its first query and "succeed" after.

use serde_json::{Value, json};

use super::Inner;
use axum::response::Response;

#[derive(Default)]
pub(super) struct Library {
    tasks: Vec<Task>,
}

struct Task {
    task_id: String,
    element_id: u64,
    name: String,
    description: String,
    frontal_image: String,
    refer_images: Vec<Value>,
    queried: u32,
}

fn envelope(data: Value) -> Value {
    json!({"code": 0, "message": "SUCCEED", "request_id": "mock-req", "data": data})
}

fn task_json(t: &Task) -> Value {
    let done = t.queried > 1;
    let mut data = json!({
        "task_id": t.task_id,
        "task_status": if done { "succeed" } else { "processing" },
        "task_status_msg": "",
        "created_at": 1773812605026_u64,
        "updated_at": 1773812606753_u64,
        "final_unit_deduction": "0",
    });
    if done {
        data["task_result"] = json!({"elements": [{
            "element_id": t.element_id,
            "element_name": t.name,
            "element_description": t.description,
            "element_type": "image_refer",
            "element_image_list": {"frontal_image": t.frontal_image, "refer_images": t.refer_images},
            "owned_by": "mock-account",
            "status": "succeed",
            "tag_list": [],
        }]});
    }
    data
}

pub(super) fn create(inner: &Inner, body: Option<&Value>) -> Response {
    let Some(body) = body.and_then(Value::as_object) else {
        return inner.refuse(400, 1200, "Invalid request parameters");
    };
    let text = |k: &str, max: usize| {
        body.get(k)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty() && s.chars().count() <= max)
            .map(str::to_string)
    };
    let (Some(name), Some(description)) =
        (text("element_name", 20), text("element_description", 100))
    else {
        return inner.refuse(400, 1201, "element_name or element_description invalid");
    };
    if body.get("reference_type").and_then(Value::as_str) != Some("image_refer") {
        return inner.refuse(400, 1201, "reference_type invalid");
    }
    let list = body.get("element_image_list");
    let frontal = list
        .and_then(|l| l.get("frontal_image"))
        .and_then(Value::as_str);
    let refer = list
        .and_then(|l| l.get("refer_images"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let refer_ok = (1..=3).contains(&refer.len())
        && refer.iter().all(|r| {
            r.get("image_url")
                .and_then(Value::as_str)
                .is_some_and(|u| !u.is_empty())
        });
    let Some(frontal) = frontal.filter(|f| !f.is_empty() && refer_ok) else {
        return inner.refuse(400, 1201, "element_image_list invalid");
    };
    let mut lib = inner.elements.lock().unwrap();
    let n = lib.tasks.len() as u64;
    let task = Task {
        task_id: format!("86312101608672469{n}"),
        element_id: 863121023120580600 + n,
        name,
        description,
        frontal_image: frontal.to_string(),
        refer_images: refer,
        queried: 0,
    };
    let data = json!({
        "task_id": task.task_id,
        "task_info": {"external_task_id": ""},
        "task_status": "submitted",
        "created_at": 1773812605026_u64,
        "updated_at": 1773812605026_u64,
    });
    lib.tasks.push(task);
    inner.respond(200, &envelope(data))
}

pub(super) fn query(inner: &Inner, task_id: &str) -> Response {
    let mut lib = inner.elements.lock().unwrap();
    match lib.tasks.iter_mut().find(|t| t.task_id == task_id) {
        Some(t) => {
            t.queried += 1;
            inner.respond(200, &envelope(task_json(t)))
        }
        // "404 1203 … The requested resource does not exist"
        None => inner.refuse(404, 1203, "the requested resource does not exist"),
    }
}

pub(super) fn list(inner: &Inner) -> Response {
    let lib = inner.elements.lock().unwrap();
    let items: Vec<Value> = lib.tasks.iter().rev().map(task_json).collect();
    inner.respond(200, &envelope(Value::Array(items)))
}
