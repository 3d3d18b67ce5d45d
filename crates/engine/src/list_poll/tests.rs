use super::*;

#[test]
fn a_group_shares_lists_from_two_tasks_and_forgets_those_that_left() {
    let groups = ListGroups::default();
    let first = groups.join(Provider::Kling, GroupOf::Kind("/v1/videos/text2video"));
    assert!(!first.shares_a_list(), "one task: its own query");
    let other_kind = groups.join(Provider::Kling, GroupOf::Kind("/v1/videos/omni-video"));
    assert!(!first.shares_a_list() && !other_kind.shares_a_list());
    let second = groups.join(Provider::Kling, GroupOf::Kind("/v1/videos/text2video"));
    assert!(first.shares_a_list() && second.shares_a_list());
    drop(second);
    assert!(!first.shares_a_list());
}

#[test]
fn v2_tasks_of_every_kind_share_one_batch_group_and_leave_it() {
    let groups = ListGroups::default();
    let text = groups.join(Provider::Kling, GroupOf::Batch("t1"));
    let omni = groups.join(Provider::Kling, GroupOf::Batch("o1"));
    assert!(text.is_batch() && text.shares_a_list() && omni.shares_a_list());
    assert_eq!(text.group.next_batch("t1"), ["t1", "o1"]);
    drop(omni);
    assert_eq!(
        text.group.next_batch("t1"),
        ["t1"],
        "a task that left is not asked"
    );
}

#[test]
fn a_batch_is_the_due_task_then_those_asked_least_lately_within_the_cap() {
    let t0 = Instant::now();
    let at = |ms: u64| Some(t0 + std::time::Duration::from_millis(ms));
    let members: HashMap<String, Option<Instant>> = [
        ("own", at(5)),
        ("recent", at(9)),
        ("old", at(1)),
        ("never", None),
        ("middle", at(4)),
    ]
    .into_iter()
    .map(|(id, at)| (id.to_string(), at))
    .collect();
    assert_eq!(pick_batch("own", &members, 3), ["own", "never", "old"]);
    assert_eq!(
        pick_batch("own", &members, 20),
        ["own", "never", "old", "middle", "recent"]
    );
    // 25 members, 20 a lookup: two lookups ask every one of them.
    let groups = ListGroups::default();
    let ids: Vec<String> = (0..25).map(|n| format!("task-{n:02}")).collect();
    let members: Vec<Membership> = ids
        .iter()
        .map(|id| groups.join(Provider::Kling, GroupOf::Batch(id)))
        .collect();
    let first = members[0].group.next_batch("task-00");
    assert_eq!(first.len(), TASK_IDS_PER_LOOKUP);
    let second = members[0].group.next_batch("task-24");
    let asked: HashSet<&String> = first.iter().chain(&second).collect();
    assert_eq!(asked.len(), 25, "every member asked within two lookups");
}
