//! The shape of a task id a person types (`jobs attach ID TASK_ID`): a typo must be caught
//! before it is polled, because a poll is never given up (a wrong id would be asked about
//! forever), and `.` or `..` as a path segment would poll the tasks' collection instead.

/// The longest task id accepted, from the user and from a provider's answer alike
/// (`providers::parse::MAX_ID_CHARS` is this constant): any id a provider could return can
/// be attached. Real ids are far shorter.
pub const MAX_TASK_ID_CHARS: usize = 256;

/// Why `id` cannot be a provider's task id, naming the limit it breaks.
pub fn check_task_id(id: &str) -> Result<(), String> {
    let count = id.chars().count();
    if id.is_empty() {
        return Err("the task id is empty".into());
    }
    if count > MAX_TASK_ID_CHARS {
        return Err(format!(
            "the task id is {count} characters long; at most {MAX_TASK_ID_CHARS} are accepted"
        ));
    }
    if id.chars().all(|c| c == '.') {
        return Err(format!(
            "the task id {id:?} is a path step, not an id: copy the id the dashboard shows"
        ));
    }
    if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || "-_.:~".contains(*c)))
    {
        return Err(format!(
            "the task id may hold only letters, digits and - _ . : ~ (found {:?}): copy the \
             id the dashboard shows",
            bad
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_as_providers_write_them_pass() {
        for id in ["860461244434747442", "task_01HX9Z", "a1b2-c3d4:e5.f6~7"] {
            assert_eq!(check_task_id(id), Ok(()), "{id}");
        }
    }

    #[test]
    fn typos_and_path_steps_are_refused_naming_the_rule() {
        assert!(check_task_id("").unwrap_err().contains("empty"));
        assert!(check_task_id("..").unwrap_err().contains("path step"));
        assert!(check_task_id(".").unwrap_err().contains("path step"));
        assert!(
            check_task_id("task 1")
                .unwrap_err()
                .contains("letters, digits")
        );
        assert!(
            check_task_id("a/b")
                .unwrap_err()
                .contains("letters, digits")
        );
        let long = "7".repeat(MAX_TASK_ID_CHARS + 1);
        assert!(check_task_id(&long).unwrap_err().contains("at most 256"));
    }

    #[test]
    fn any_id_a_provider_may_answer_can_be_attached() {
        // 200 characters: over the old 128 limit, within what a provider's answer may hold.
        let id = "a1b2-c3d4_".repeat(20);
        assert_eq!(check_task_id(&id), Ok(()));
        let longest = "7".repeat(crate::task_id::MAX_TASK_ID_CHARS);
        assert_eq!(check_task_id(&longest), Ok(()));
    }
}
