//! Poll answers that do not fit the job: another task's answer, or a task that succeeded
//! without a video. Neither ends a paid task nor re-points the job: the answer is shown on
//! the job and the task is polled again, so only the provider's own word about this task
//! (a video, or `failed`) ends it.

use shotdeck_providers::{TaskSnapshot, TaskState};

/// What the job shows while answers do not fit (its status line and one history note).
pub(super) const ODD_PREFIX: &str = "odd answer, polling again: ";

/// The job an answer is checked against: its task id (once the create was answered) and
/// the `external_task_id` its create carried.
pub(super) struct Ours<'a> {
    pub task_id: Option<&'a str>,
    pub external_task_id: &'a str,
}

/// Why `task` cannot be taken as the state of `job`'s task, or `None` when it fits.
///
/// Checked once the job knows its task (every poll): the create's own answer is what gives
/// the job its task id. The id a relay or proxy puts in `data.task_id` and the
/// `task_info.external_task_id` Kling echoes must both be this job's; a cache or a relay that
/// mixes up tasks would otherwise save another task's video as this job's (and the paid
/// task of this job would never be looked at again).
pub(super) fn odd_answer(job: &Ours, task: &TaskSnapshot) -> Option<String> {
    let ours = job.task_id?;
    if task.task_id != ours {
        return Some(format!(
            "{ODD_PREFIX}the provider answered for task {}, not this job's task {ours}",
            task.task_id
        ));
    }
    if let Some(ext) = task.external_task_id.as_deref()
        && ext != job.external_task_id
    {
        return Some(format!(
            "{ODD_PREFIX}task {ours}'s answer names external_task_id {ext}, not this job's {}",
            job.external_task_id
        ));
    }
    if task.state == TaskState::Succeeded && task.videos.is_empty() {
        return Some(format!(
            "{ODD_PREFIX}task {ours} is reported succeeded but its answer lists no video"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_providers::RemoteVideo;

    fn job() -> Ours<'static> {
        Ours {
            task_id: Some("860000000000000001"),
            external_task_id: "shotdeck-a",
        }
    }

    fn answer(task_id: &str, ext: Option<&str>, state: TaskState, videos: usize) -> TaskSnapshot {
        TaskSnapshot {
            task_id: task_id.into(),
            external_task_id: ext.map(str::to_string),
            state,
            status_msg: None,
            videos: (0..videos)
                .map(|i| RemoteVideo {
                    id: None,
                    url: format!("https://cdn/{i}.mp4"),
                    watermark_url: None,
                    duration_secs: None,
                })
                .collect(),
            units_charged: None,
            error_code: None,
        }
    }

    #[test]
    fn this_jobs_own_answers_fit() {
        let id = "860000000000000001";
        for a in [
            answer(id, Some("shotdeck-a"), TaskState::Succeeded, 1),
            answer(id, None, TaskState::Processing, 0),
            answer(id, None, TaskState::Failed, 0),
        ] {
            assert_eq!(odd_answer(&job(), &a), None, "{a:?}");
        }
    }

    #[test]
    fn another_tasks_answer_is_odd_by_task_id_or_by_external_id() {
        let other = answer("860000000000000002", None, TaskState::Succeeded, 1);
        let why = odd_answer(&job(), &other).unwrap();
        assert!(
            why.contains("task 860000000000000002, not this job's task"),
            "{why}"
        );
        let echoed = answer(
            "860000000000000001",
            Some("shotdeck-b"),
            TaskState::Failed,
            0,
        );
        let why = odd_answer(&job(), &echoed).unwrap();
        assert!(why.contains("external_task_id shotdeck-b"), "{why}");
    }

    #[test]
    fn a_success_without_a_video_is_odd() {
        let empty = answer("860000000000000001", None, TaskState::Succeeded, 0);
        let why = odd_answer(&job(), &empty).unwrap();
        assert!(
            why.starts_with(ODD_PREFIX) && why.contains("lists no video"),
            "{why}"
        );
    }

    #[test]
    fn the_create_answer_gives_the_task_id_and_is_not_checked_here() {
        let fresh = Ours {
            task_id: None,
            ..job()
        };
        let created = answer("860000000000000009", None, TaskState::Submitted, 0);
        assert_eq!(odd_answer(&fresh, &created), None);
    }
}
