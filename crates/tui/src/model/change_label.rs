//! What an edit did, in a few words ("delete Shot 3"), read off the boards before and
//! after it: undo and redo name the step they take back ("undid: delete Shot 3") without
//! every edit having to describe itself.

use serde_json::Value;

use shotdeck_core::Board;

/// A short description of the change from `before` to `after`.
pub(super) fn describe(before: &Board, after: &Board) -> String {
    // Prompts are renumbered along with the reference list: name the list.
    let (ra, rb) = (&before.references, &after.references);
    if ra != rb {
        return match ra.len().cmp(&rb.len()) {
            std::cmp::Ordering::Greater => "remove a reference",
            std::cmp::Ordering::Less => "add a reference",
            std::cmp::Ordering::Equal if ra.iter().all(|r| rb.contains(r)) => "move a reference",
            std::cmp::Ordering::Equal => "change a reference",
        }
        .to_string();
    }
    let (a, b) = (&before.shots, &after.shots);
    // The first shot that differs, by position.
    let first_diff = || (0..a.len().max(b.len())).find(|&i| a.get(i) != b.get(i));
    if b.len() == a.len() + 1 {
        let i = first_diff().unwrap_or(a.len());
        return format!("add Shot {}", i + 1);
    }
    if a.len() == b.len() + 1 {
        let i = first_diff().unwrap_or(b.len());
        return format!("delete Shot {}", i + 1);
    }
    if a.len() == b.len() && a != b {
        let changed: Vec<usize> = (0..a.len()).filter(|&i| a[i] != b[i]).collect();
        let same_set = a.iter().all(|s| b.contains(s)) && b.iter().all(|s| a.contains(s));
        if same_set && changed.len() == 2 {
            return format!("move Shot {}", changed[0] + 1);
        }
        let prompts_only = changed.iter().all(|&i| a[i].duration == b[i].duration);
        let durations_only = changed.iter().all(|&i| a[i].prompt == b[i].prompt);
        return match (changed.as_slice(), prompts_only, durations_only) {
            ([i], true, _) => format!("edit Shot {}'s prompt", i + 1),
            ([i], _, true) => format!("Shot {}'s duration", i + 1),
            (_, _, true) => "durations".to_string(),
            _ => "shots".to_string(),
        };
    }
    let fields = changed_fields(before, after);
    match fields.as_slice() {
        [] => "edit".to_string(),
        [one] if one == "prompt" => "edit the prompt".to_string(),
        [one] if one == "negative prompt" => "edit the negative prompt".to_string(),
        _ => format!("change {}", fields.join(", ")),
    }
}

/// The board fields (as the file names them, `_` as spaces) whose values differ.
fn changed_fields(before: &Board, after: &Board) -> Vec<String> {
    let as_map = |b: &Board| match serde_json::to_value(b) {
        Ok(Value::Object(m)) => m,
        _ => Default::default(),
    };
    let (a, b) = (as_map(before), as_map(after));
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| k.replace('_', " "))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::Shot;

    fn board(shots: &[(&str, u32)]) -> Board {
        Board {
            shots: shots.iter().map(|(p, d)| Shot::new(*p, *d)).collect(),
            ..Board::default()
        }
    }

    #[test]
    fn names_shot_edits_and_fields() {
        let b = board(&[("a", 3), ("b", 4), ("c", 5)]);
        let mut del = b.clone();
        del.shots.remove(2);
        assert_eq!(describe(&b, &del), "delete Shot 3");
        assert_eq!(describe(&del, &b), "add Shot 3");
        let mut moved = b.clone();
        moved.shots.swap(0, 1);
        assert_eq!(describe(&b, &moved), "move Shot 1");
        let mut typed = b.clone();
        typed.shots[1].prompt.push('x');
        assert_eq!(describe(&b, &typed), "edit Shot 2's prompt");
        let mut longer = b.clone();
        longer.shots[2].duration = 6.0;
        assert_eq!(describe(&b, &longer), "Shot 3's duration");
        let mut q = b.clone();
        q.quality = "pro".into();
        q.negative_prompt = "blur".into();
        assert_eq!(describe(&b, &q), "change negative prompt, quality");
        let mut refs = b.clone();
        refs.references = vec!["a.png".into(), "b.png".into()];
        refs.shots[0].prompt = "<<<image_2>>>".into();
        assert_eq!(describe(&b, &refs), "add a reference");
        assert_eq!(describe(&refs, &b), "remove a reference");
        let mut swapped = refs.clone();
        swapped.references.swap(0, 1);
        assert_eq!(describe(&refs, &swapped), "move a reference");
    }
}
