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

/// The element counts a video create may carry, or why not (a 400 1201 refusal):
///
/// - text2video: its page lists no `element_list`.
/// - image2video: Kling's Chinese image2video page (the search tool's stored copy, model
///   list "… kling-v2-6, kling-v3", example "model_name": "kling-v3" with `"element_list":
///   [{"element_id": long}]`): "最多支持3个参考主体" and "element_list参数与voice_list参数互斥，
///   不能共存"; the same lines in TencentCloud/tencentcloud-sdk-php
///   src/TencentCloud/Vclm/V20240523/Models/SubmitImageToVideoJobRequest.php @ 0cfa26f7.
/// - omni-video: "无参考视频时：参考图片数量 + 参考主体数量 ≤ 7" (WHQ25/rawgenai
///   docs/research/kling/omni-video-o1.md @ b3f9cef), and TencentCloud/tencentcloud-sdk-php
///   src/TencentCloud/Vclm/V20240523/Models/SubmitVideoEditKlingJobRequest.php @ 0cfa26f7:
///   "当使用首帧生成视频时，最多支持3个主体；当使用首尾帧生成视频时，kling-v3-omni模型最多支持3个主体".
pub(super) fn check_video_elements(kind: &str, body: &Value) -> Result<(), &'static str> {
    let Some(items) = body.get("element_list") else {
        return Ok(());
    };
    let n = items.as_array().map_or(0, Vec::len);
    let ids_ok = items.as_array().is_some_and(|a| {
        a.iter()
            .all(|i| i.get("element_id").is_some_and(Value::is_i64))
    });
    if n == 0 || !ids_ok {
        return Err("element_list must hold {\"element_id\": long} items");
    }
    match kind {
        "image2video" if n > 3 => Err("element_list: at most 3 elements"),
        "image2video" if body.get("voice_list").is_some() => {
            Err("element_list and voice_list cannot be sent together")
        }
        "image2video" => Ok(()),
        "omni-video" => {
            let images = body.get("image_list").and_then(Value::as_array);
            let first_frame = images.is_some_and(|l| {
                l.iter()
                    .any(|i| i.get("type").and_then(Value::as_str) == Some("first_frame"))
            });
            if n + images.map_or(0, Vec::len) > 7 {
                Err("images and elements together: at most 7")
            } else if first_frame && n > 3 {
                Err("with a first frame: at most 3 elements")
            } else {
                Ok(())
            }
        }
        _ => Err("element_list is not a field of this endpoint"),
    }
}
