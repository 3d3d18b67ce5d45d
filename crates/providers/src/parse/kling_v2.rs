//! Answers of Kling's v2 design (README "Kling's two request designs" quotes each shape):
//! the same envelope `{code, message, request_id, data}` as the legacy design, so the body
//! code decides errors ([`parse_kling_envelope`]); a create's `data` is one task
//! `{id, status, message, create_time, update_time, external_id}`, and `GET
//! /tasks?task_ids=` (or `?external_task_ids=`) answers `data` as a list of tasks whose videos
//! are `outputs[]` items `{type: "video", url}`. `external_id` is Kling's "The custom task
//! ID for this task (if any)": read so an answer naming another job's id is never taken.

use serde_json::Value;

use super::kling::parse_kling_envelope;
use super::{array, bounded, kind_of, text};
use crate::errors::ProviderError;
use crate::{RemoteVideo, TaskSnapshot, TaskState};

/// A create's answer: one task.
pub fn parse_kling_v2_created(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    v2_task(&parse_kling_envelope(status, body)?)
}

/// A `GET /tasks?task_ids=` answer: every task it names. A task that cannot be read makes
/// the whole answer odd (the caller asked for these ids; none may be dropped silently).
pub fn parse_kling_v2_tasks(status: u16, body: &[u8]) -> Result<Vec<TaskSnapshot>, ProviderError> {
    let data = parse_kling_envelope(status, body)?;
    array(Some(&data), "tasks data")?
        .iter()
        .map(v2_task)
        .collect()
}

/// A `GET /tasks?task_ids=` answer read for the engine's batch poll: the tasks that can be
/// read, an unreadable item left out. One odd task among twenty must not cost the other
/// nineteen their answer; the task left out is asked alone, where its oddity shows on its
/// own job (never as a failed task).
pub fn parse_kling_v2_tasks_skipping_unreadable(
    status: u16,
    body: &[u8],
) -> Result<Vec<TaskSnapshot>, ProviderError> {
    let data = parse_kling_envelope(status, body)?;
    Ok(array(Some(&data), "tasks data")?
        .iter()
        .filter_map(|t| v2_task(t).ok())
        .collect())
}

fn v2_task(data: &Value) -> Result<TaskSnapshot, ProviderError> {
    if !data.is_object() {
        return Err(ProviderError::Malformed(format!(
            "v2 task should be an object, got {}",
            kind_of(data)
        )));
    }
    let task_id =
        text(data.get("id")).ok_or_else(|| ProviderError::Malformed("v2 task has no id".into()))?;
    let Some(word) = data.get("status").and_then(Value::as_str) else {
        return Err(ProviderError::Malformed(format!(
            "v2 task {task_id} has no status"
        )));
    };
    let (state, unknown) = match word {
        "submitted" => (TaskState::Submitted, false),
        "processing" => (TaskState::Processing, false),
        "succeeded" => (TaskState::Succeeded, false),
        "failed" => (TaskState::Failed, false),
        // Never fail a paid task on a word we don't know: show it and keep polling.
        _ => (TaskState::Processing, true),
    };
    let videos = array(data.get("outputs"), "outputs")?
        .iter()
        .filter(|o| o.get("type").and_then(Value::as_str) == Some("video"))
        .enumerate()
        .map(|(i, o)| {
            let url = text(o.get("url")).ok_or_else(|| {
                ProviderError::Malformed(format!("task {task_id}: video output {i} has no url"))
            })?;
            Ok(RemoteVideo {
                id: text(o.get("id")),
                url,
                watermark_url: text(o.get("watermark_url")),
                duration_secs: None,
            })
        })
        .collect::<Result<Vec<_>, ProviderError>>()?;
    bounded(TaskSnapshot {
        external_task_id: text(data.get("external_id")),
        state,
        status_msg: if unknown {
            Some(format!(
                "Kling reports status {word:?}, unknown to shotdeck; still polling"
            ))
        } else {
            text(data.get("message"))
        },
        videos,
        units_charged: None,
        error_code: None,
        task_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_create_answer_is_one_submitted_task() {
        let body = br#"{"code":0,"message":"SUCCEED","data":{"id":"901930004609634393",
            "status":"submitted","message":"","create_time":1,"update_time":1},"request_id":"r"}"#;
        let t = parse_kling_v2_created(200, body).unwrap();
        assert_eq!(t.task_id, "901930004609634393");
        assert_eq!(t.state, TaskState::Submitted);
        assert_eq!(t.status_msg, None);
        assert_eq!(t.external_task_id, None, "no external_id, none taken");
    }

    #[test]
    fn the_documented_external_id_is_the_tasks_external_task_id() {
        let body = br#"{"code":0,"data":[{"id":"a","status":"processing",
            "external_id":"shotdeck-1"}]}"#;
        let t = &parse_kling_v2_tasks(200, body).unwrap()[0];
        assert_eq!(t.external_task_id.as_deref(), Some("shotdeck-1"));
    }

    #[test]
    fn a_lookup_reads_every_task_and_only_video_outputs() {
        let body = br#"{"code":0,"data":[{"id":"a","status":"processing"},
            {"id":"b","status":"succeeded","outputs":[{"type":"cover","url":"https://c/x.png"},
            {"type":"video","url":"https://c/b.mp4"}]},
            {"id":"c","status":"failed","message":"content policy"}]}"#;
        let tasks = parse_kling_v2_tasks(200, body).unwrap();
        assert_eq!(tasks.len(), 3);
        assert_eq!(tasks[1].state, TaskState::Succeeded);
        assert_eq!(tasks[1].videos.len(), 1);
        assert_eq!(tasks[1].videos[0].url, "https://c/b.mp4");
        assert_eq!(tasks[2].state, TaskState::Failed);
        assert_eq!(tasks[2].status_msg.as_deref(), Some("content policy"));
    }

    #[test]
    fn a_batch_answer_keeps_the_readable_tasks_around_an_odd_one() {
        let body = br#"{"code":0,"data":[{"id":"a","status":"processing"},
            {"id":"b"},{"status":"succeeded"},
            {"id":"c","status":"succeeded","outputs":[{"type":"video","url":"https://c/c.mp4"}]}]}"#;
        assert!(
            parse_kling_v2_tasks(200, body).is_err(),
            "the strict read refuses it"
        );
        let tasks = parse_kling_v2_tasks_skipping_unreadable(200, body).unwrap();
        let ids: Vec<&str> = tasks.iter().map(|t| t.task_id.as_str()).collect();
        assert_eq!(ids, ["a", "c"]);
        let refused = br#"{"code":1201,"message":"bad task_ids","data":null}"#;
        assert!(parse_kling_v2_tasks_skipping_unreadable(400, refused).is_err());
    }

    #[test]
    fn the_legacy_spelling_is_an_unknown_word_not_a_success() {
        // `succeed` is the legacy design's word; here it is shown and polled, never paid on.
        let body = br#"{"code":0,"data":[{"id":"a","status":"succeed"}]}"#;
        let t = &parse_kling_v2_tasks(200, body).unwrap()[0];
        assert_eq!(t.state, TaskState::Processing);
        assert!(t.status_msg.as_deref().unwrap_or("").contains("unknown"));
    }

    #[test]
    fn a_legacy_shaped_answer_is_odd() {
        let body = br#"{"code":0,"data":{"task_id":"1","task_status":"submitted"}}"#;
        assert!(matches!(
            parse_kling_v2_created(200, body),
            Err(ProviderError::Malformed(_))
        ));
    }
}
