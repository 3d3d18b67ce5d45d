//! How new-api turns a create body into the Kling body it sends upstream, rebuilt from its
//! source (read 2026-12-06), not from shotdeck's notes, client or simulator.
//!
//! Stock: QuantumNous/new-api `relay/channel/task/kling/adaptor.go` @ 070818b8:
//! > `r := requestPayload{ Prompt: req.Prompt, Image: req.Image, Mode: defaultString(req.Mode,
//! > "std"), Duration: fmt.Sprintf("%d", defaultInt(req.Duration, 5)), AspectRatio:
//! > a.getAspectRatio(req.Size), ModelName: req.Model, Model: req.Model, CfgScale: 0.5, …}`
//! > `medaBytes, err := json.Marshal(metadata)` … `err = json.Unmarshal(medaBytes, &r)`
//!
//! so a `metadata` key the `requestPayload` struct does not declare is dropped by the JSON
//! decoder, and a declared key of the wrong JSON type fails the whole request
//! (`errors.Wrap(err, "unmarshal metadata failed")`, then relay_task.go's
//! `TaskErrorWrapper(err, "build_request_failed", http.StatusInternalServerError)`).
//! > `if body.Image == "" && body.ImageTail == "" { c.Set("action",
//! > constant.TaskActionTextGenerate) }` — text2video unless a frame is present; never omni.
//!
//! Fork: BIE5462/new-api `relay/channel/task/kling/adaptor.go` @ 3ae2e44c declares
//! > `ImageList any \`json:"image_list,omitempty"\``, `MultiShot bool
//! > \`json:"multi_shot,omitempty"\``, `ShotType string \`json:"shot_type,omitempty"\``,
//! > `MultiPrompt any \`json:"multi_prompt,omitempty"\``
//!
//! and picks omni-video by the model:
//! > `case "kling-v3-omni": return constant.TaskActionOmniVideo`.

use serde_json::{Map, Value, json};

/// The JSON type a Go field accepts.
#[derive(Clone, Copy, PartialEq)]
enum Go {
    Str,
    Num,
    Bool,
    Obj,
    Arr,
    Any,
}

/// `requestPayload`'s keys @ 070818b8 (`Prompt string \`json:"prompt,omitempty"\``, …).
const STOCK: &[(&str, Go)] = &[
    ("prompt", Go::Str),
    ("image", Go::Str),
    ("image_tail", Go::Str),
    ("negative_prompt", Go::Str),
    ("sound", Go::Str),
    ("mode", Go::Str),
    ("duration", Go::Str),
    ("aspect_ratio", Go::Str),
    ("model_name", Go::Str),
    ("model", Go::Str),
    ("cfg_scale", Go::Num),
    ("static_mask", Go::Str),
    ("dynamic_masks", Go::Arr),
    ("camera_control", Go::Obj),
    ("watermark_info", Go::Obj),
    ("callback_url", Go::Str),
    ("external_task_id", Go::Str),
];

/// What BIE5462/new-api @ 3ae2e44c declares beyond stock.
const FORK_EXTRA: &[(&str, Go)] = &[
    ("image_url", Go::Str),
    ("image_list", Go::Any),
    ("video_list", Go::Any),
    ("element_list", Go::Any),
    ("multi_shot", Go::Bool),
    ("shot_type", Go::Str),
    ("multi_prompt", Go::Any),
];

fn fits(v: &Value, go: Go) -> bool {
    match go {
        Go::Str => v.is_string(),
        Go::Num => v.is_number(),
        Go::Bool => v.is_boolean(),
        Go::Obj => v.is_object(),
        Go::Arr => v.is_array(),
        Go::Any => true,
    }
}

/// `getAspectRatio(size)`: `default: return "1:1"`.
fn aspect_of(size: Option<&str>) -> &'static str {
    match size {
        Some("1280x720" | "1920x1080") => "16:9",
        Some("720x1280" | "1080x1920") => "9:16",
        _ => "1:1",
    }
}

/// The Kling body and the upstream path kind, or new-api's refusal `(status, code, message)`.
pub struct Converted {
    pub kind: &'static str,
    pub kling: Value,
    /// `metadata` keys the decoder dropped.
    pub dropped: Vec<String>,
}

pub fn convert(body: &Value, fork: bool) -> Result<Converted, (u16, &'static str, String)> {
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    // TaskSubmitReq: `Duration int \`json:"duration,omitempty"\``.
    let duration = match body.get("duration") {
        None | Some(Value::Null) => 5,
        Some(Value::Number(n)) => n.as_i64().unwrap_or(0),
        Some(Value::String(t)) => t.parse().unwrap_or(0),
        Some(_) => return Err((400, "invalid_request", "invalid duration".into())),
    };
    let duration = if duration == 0 { 5 } else { duration };
    let model = if s("model").is_empty() {
        "kling-v1"
    } else {
        s("model")
    };
    let mode = if s("mode").trim().is_empty() {
        "std"
    } else {
        s("mode")
    };
    let mut r = json!({
        "prompt": s("prompt"), "image": s("image"), "mode": mode,
        "duration": duration.to_string(),
        "aspect_ratio": aspect_of(body.get("size").and_then(Value::as_str)),
        "model_name": model, "model": s("model"), "cfg_scale": 0.5,
    });
    let mut dropped = Vec::new();
    if let Some(Value::Object(meta)) = body.get("metadata") {
        for (k, v) in meta {
            let declared = STOCK
                .iter()
                .chain(if fork { FORK_EXTRA } else { &[] })
                .find(|(name, _)| name == k);
            match declared {
                None => dropped.push(k.clone()),
                Some((_, go)) if !v.is_null() && !fits(v, *go) => {
                    return Err((
                        500,
                        "build_request_failed",
                        format!("unmarshal metadata failed: json: cannot unmarshal {k}"),
                    ));
                }
                Some(_) => {
                    r[k.as_str()] = v.clone();
                }
            }
        }
    }
    let obj: &Map<String, Value> = r.as_object().expect("object");
    let has = |k: &str| {
        obj.get(k)
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty())
    };
    let kind = if fork && r["model_name"] == "kling-v3-omni" {
        "omni-video"
    } else if has("image") || has("image_tail") {
        "image2video"
    } else {
        "text2video"
    };
    Ok(Converted {
        kind,
        kling: r,
        dropped,
    })
}

/// `middleware/kling_adapter.go` @ 938d2ace (the `/kling/v1` route):
/// > `unifiedReq := map[string]interface{}{ "model": model, "prompt": prompt, "metadata":
/// > originalReq }` with `model, _ := originalReq["model_name"].(string)`, else `"model"`.
pub fn wrap_kling_body(original: &Value) -> Value {
    let model = original
        .get("model_name")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
        .or_else(|| original.get("model").and_then(Value::as_str))
        .unwrap_or_default();
    json!({
        "model": model,
        "prompt": original.get("prompt").and_then(Value::as_str).unwrap_or_default(),
        "metadata": original,
    })
}

/// `model/task.go`'s words, by poll stage: `TaskStatusQueued = "QUEUED"`,
/// `TaskStatusInProgress = "IN_PROGRESS"`, `TaskStatusSuccess = "SUCCESS"`,
/// `TaskStatusFailure = "FAILURE"`.
pub fn status_word(stage: u32, failed: bool) -> &'static str {
    match (stage, failed) {
        (0, _) => "QUEUED",
        (1, _) => "IN_PROGRESS",
        (_, true) => "FAILURE",
        _ => "SUCCESS",
    }
}

/// `relay/relay_task.go` `videoFetchByIDRespBodyBuilder`: `dto.TaskResponse[any]{Code:
/// "success", Data: TaskModel2Dto(originTask)}`; `dto/task.go`'s `TaskDto` has `TaskID`,
/// `Status`, `FailReason`, `ResultURL \`json:"result_url,omitempty"\``, `Progress` and
/// `Data json.RawMessage` (the upstream Kling answer the adaptor stored).
pub fn envelope(id: &str, stage: u32, failed: bool, reason: &str, url: &str) -> Value {
    let progress = ["10%", "50%", "100%"][stage.min(2) as usize];
    let mut dto = json!({
        "task_id": id, "status": status_word(stage, failed), "fail_reason": reason,
        "progress": progress, "action": "generate",
    });
    if stage >= 2 && !failed {
        dto["result_url"] = json!(url);
        dto["data"] = json!({"code": 0, "message": "SUCCEED", "data": {
            "task_id": "kling-upstream-1", "task_status": "succeed",
            "task_result": {"videos": [{"id": "v1", "url": url, "duration": "5"}]}}});
    }
    json!({"code": "success", "message": "", "data": dto})
}
