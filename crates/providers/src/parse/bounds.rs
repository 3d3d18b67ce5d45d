//! Lengths no real answer reaches. A task id, external id or video URL past them is an odd
//! answer: refused as unreadable (its start shown, its length named), never stored whole,
//! so a hostile or broken provider cannot put a 70,000-character id into the job store and
//! every screen that prints it. A failure message is cut instead: the task's outcome still
//! counts.

use crate::TaskSnapshot;
use crate::errors::ProviderError;

/// Kling's task ids are 18–19 digits, gateways' UUID-like; ours are shorter still. The same
/// limit `jobs attach` checks a typed id against, so every id answered can be attached.
pub const MAX_ID_CHARS: usize = shotdeck_core::task_id::MAX_TASK_ID_CHARS;
/// Signed CDN URLs run to one or two thousand characters.
pub const MAX_URL_CHARS: usize = 8192;
/// A failure reason kept for display.
pub(super) const MAX_MESSAGE_CHARS: usize = 2000;
/// How much of an over-long value an error quotes.
const QUOTED_CHARS: usize = 40;

/// `task` as parsed, or the odd answer its over-long ids or URLs make it.
pub(super) fn bounded(mut task: TaskSnapshot) -> Result<TaskSnapshot, ProviderError> {
    capped("task_id", &task.task_id, MAX_ID_CHARS)?;
    if let Some(id) = &task.external_task_id {
        capped("external_task_id", id, MAX_ID_CHARS)?;
    }
    if let Some(code) = &task.error_code {
        capped("error code", code, MAX_ID_CHARS)?;
    }
    for (i, video) in task.videos.iter().enumerate() {
        capped(&format!("videos[{i}].url"), &video.url, MAX_URL_CHARS)?;
        if let Some(url) = &video.watermark_url {
            capped(&format!("videos[{i}].watermark_url"), url, MAX_URL_CHARS)?;
        }
        if let Some(id) = &video.id {
            capped(&format!("videos[{i}].id"), id, MAX_ID_CHARS)?;
        }
    }
    if let Some(msg) = &mut task.status_msg
        && msg.chars().count() > MAX_MESSAGE_CHARS
    {
        let mut cut: String = msg.chars().take(MAX_MESSAGE_CHARS).collect();
        cut.push('…');
        *msg = cut;
    }
    Ok(task)
}

pub(super) fn capped(what: &str, value: &str, max: usize) -> Result<(), ProviderError> {
    let chars = value.chars().count();
    if chars <= max {
        return Ok(());
    }
    let start: String = value
        .chars()
        .filter(|c| !c.is_control())
        .take(QUOTED_CHARS)
        .collect();
    Err(ProviderError::Malformed(format!(
        "the answer's {what} is {chars} characters long (at most {max} are accepted); \
         it starts {start:?}…"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{RemoteVideo, TaskState};

    fn task(id: &str) -> TaskSnapshot {
        TaskSnapshot {
            task_id: id.into(),
            external_task_id: None,
            state: TaskState::Succeeded,
            status_msg: None,
            videos: Vec::new(),
            units_charged: None,
            error_code: None,
        }
    }

    #[test]
    fn over_long_ids_and_urls_are_odd_answers_and_messages_are_cut() {
        assert!(bounded(task(&"7".repeat(MAX_ID_CHARS))).is_ok());
        let err = bounded(task(&"7".repeat(70_000))).unwrap_err();
        assert!(matches!(err, ProviderError::Malformed(_)));
        let text = err.to_string();
        assert!(text.contains("task_id is 70000 characters long"), "{text}");
        assert!(text.len() < 300, "{text}");
        let mut t = task("1");
        t.videos.push(RemoteVideo {
            id: None,
            url: format!("https://cdn.example/{}", "a".repeat(MAX_URL_CHARS)),
            watermark_url: None,
            duration_secs: None,
        });
        let err = bounded(t).unwrap_err().to_string();
        assert!(err.contains("videos[0].url"), "{err}");
        let mut t = task("1");
        t.status_msg = Some("x".repeat(10_000));
        let msg = bounded(t).unwrap().status_msg.unwrap();
        assert_eq!(msg.chars().count(), MAX_MESSAGE_CHARS + 1);
    }
}
