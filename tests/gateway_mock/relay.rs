//! The native Kling route of the gateway mock (`--provider kling-relay`): Kling's own
//! bodies under `/kling/v1`, behind the gateway's token. new-api (stock and fork) wraps the
//! body into `metadata` (`middleware/kling_adapter.go`), answers the create with its OpenAI
//! video object and the poll with its own task envelope (see `newapi.rs`); the ModelStream
//! deployment stands for a relay that passes Kling's body and answers through whole.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{Value, json};

use super::{
    Deployment, Shared, absolutize, admit, answer_or_drop, authorized, forward, json_response,
    make_task, newapi, openai_error, stage,
};

/// Kling's envelope (official General Info): `{"code": 0, "message": "SUCCEED",
/// "request_id": …, "data": …}`.
fn kling_ok(data: Value) -> Response {
    json_response(
        StatusCode::OK,
        json!({"code": 0, "message": "SUCCEED", "request_id": "req-mock", "data": data}),
    )
}

pub(super) async fn relay_create(
    State(s): State<Shared>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut inner = s.lock().unwrap();
    let whole = inner.deployment == Deployment::ModelStream;
    // router/video-router.go @ 01f6839b: `klingV1Router.POST("/videos/text2video", …)`,
    // `klingV1Router.POST("/videos/image2video", …)`: no omni-video under new-api's /kling/v1.
    let routes: &[&str] = if whole {
        &["text2video", "image2video", "omni-video"]
    } else {
        &["text2video", "image2video"]
    };
    if !routes.contains(&kind.as_str()) {
        return openai_error(StatusCode::NOT_FOUND, "no such route", "");
    }
    let body = match admit(&mut inner, &headers, &body) {
        Ok(body) => body,
        Err(refusal) => return *refusal,
    };
    if whole {
        inner.forwarded.push((kind.clone(), body));
    } else if let Err(refusal) = forward(&mut inner, &newapi::wrap_kling_body(&body)) {
        return *refusal;
    }
    let id = make_task(&mut inner, Some(kind));
    let answer = if inner.flat_relay_create {
        json!({"code": 0, "message": "", "task_id": id})
    } else if whole {
        json!({"code": 0, "message": "SUCCEED", "request_id": "req-mock",
               "data": {"task_id": id, "task_status": "submitted", "created_at": 0, "updated_at": 0}})
    } else {
        // adaptor.go DoResponse: `ov := dto.NewOpenAIVideo()` … `c.JSON(http.StatusOK, ov)`.
        json!({"id": id, "task_id": id, "object": "video", "model": "kling-v3",
               "status": "queued", "progress": 0, "created_at": 0})
    };
    answer_or_drop(&mut inner, answer)
}

pub(super) async fn relay_poll(
    State(s): State<Shared>,
    Path((kind, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let mut inner = s.lock().unwrap();
    if !authorized(&mut inner, &headers) {
        return openai_error(StatusCode::UNAUTHORIZED, "invalid token", "");
    }
    let whole = inner.deployment == Deployment::ModelStream;
    // new-api looks tasks up only by its own id: `model.GetByTaskId(userId, taskId)`.
    let Some(task) = inner
        .tasks
        .get_mut(&id)
        .filter(|t| t.relay_kind.as_deref() == Some(kind.as_str()))
    else {
        return json_response(
            StatusCode::NOT_FOUND,
            json!({"code": 1203, "message": "task not found", "request_id": "req-mock"}),
        );
    };
    let stage = stage(task);
    task.polls += 1;
    let failed = stage == 2 && task.fail_reason.is_some();
    if !whole {
        let reason = task.fail_reason.clone().unwrap_or_default();
        let body = newapi::envelope(&id, stage, failed, &reason, &format!("/files/{id}.mp4"));
        return json_response(StatusCode::OK, absolutize(body, &headers));
    }
    // Kling statuses: "submitted（已提交）、processing（处理中）、succeed（成功）、failed（失败）";
    // a failed task is still code 0.
    let status = [
        "submitted",
        "processing",
        if failed { "failed" } else { "succeed" },
    ];
    let mut data = json!({"task_id": id, "task_status": status[stage as usize],
                          "task_status_msg": task.fail_reason.clone().unwrap_or_default()});
    if stage == 2 && !failed {
        data["task_result"] =
            json!({"videos": [{"id": "v1", "url": format!("/files/{id}.mp4"), "duration": "5"}]});
        data["final_unit_deduction"] = json!("2.5");
    }
    drop(inner);
    kling_ok(absolutize(data, &headers))
}
