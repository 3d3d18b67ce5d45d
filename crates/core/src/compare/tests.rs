use super::*;
use crate::model::Shot;

fn facts(board: Board) -> TakeFacts {
    TakeFacts {
        id: 1,
        take: 1,
        provider: Provider::Kling,
        model: board.model.clone(),
        board,
        estimated_usd: Some(1.01),
        units_charged: None,
        charged_usd: None,
        files: Vec::new(),
        images: Vec::new(),
    }
}

fn shots(prompts: &[&str]) -> Board {
    let mut board = Board::starter();
    board.shots = prompts.iter().map(|p| Shot::new(*p, 4)).collect();
    board
}

fn changed_words(words: &[Word]) -> Vec<&str> {
    words
        .iter()
        .filter(|w| w.changed)
        .map(|w| w.text.as_str())
        .collect()
}

#[test]
fn an_inserted_shot_is_one_added_shot_and_the_rest_stay_the_same() {
    let a = facts(shots(&["rain on glass", "a door opens", "she turns"]));
    let b = facts(shots(&[
        "rain on glass",
        "thunder",
        "a door opens",
        "she turns",
    ]));
    let diff = compare(&a, &b);
    let kinds: Vec<Change> = diff.prompts.iter().map(|p| p.change).collect();
    assert_eq!(
        kinds,
        [Change::Same, Change::Added, Change::Same, Change::Same]
    );
    let added = &diff.prompts[1];
    assert_eq!(added.a_head, None);
    assert_eq!(added.b_head.as_deref(), Some("Shot 2 · 4 s"));
    assert_eq!(diff.prompts[2].a_head.as_deref(), Some("Shot 2 · 4 s"));
    assert_eq!(diff.prompts[2].b_head.as_deref(), Some("Shot 3 · 4 s"));
}

#[test]
fn a_changed_shot_marks_only_the_words_that_differ_and_a_dropped_one_is_removed() {
    let a = facts(shots(&[
        "slow dolly in on a wet street",
        "neon sign flickers",
        "fade out",
    ]));
    let b = facts(shots(&[
        "fast dolly in on a dry street",
        "neon sign flickers",
    ]));
    let diff = compare(&a, &b);
    let first = &diff.prompts[0];
    assert_eq!(first.change, Change::Changed);
    assert_eq!(changed_words(&first.a), ["slow", "wet"]);
    assert_eq!(changed_words(&first.b), ["fast", "dry"]);
    assert_eq!(diff.prompts[1].change, Change::Same);
    let dropped = &diff.prompts[2];
    assert_eq!(dropped.change, Change::Removed);
    assert_eq!(dropped.b_head, None);
    assert!(dropped.b.is_empty());
}

#[test]
fn a_shot_inserted_before_a_shortened_one_still_pairs_the_shortened_one() {
    let a = facts(shots(&["rain", "a door opens"]));
    let mut b = shots(&["rain", "thunder", "a door opens"]);
    b.shots[2].duration = 2.0;
    let diff = compare(&a, &facts(b));
    let kinds: Vec<Change> = diff.prompts.iter().map(|p| p.change).collect();
    assert_eq!(kinds, [Change::Same, Change::Added, Change::Changed]);
    assert_eq!(diff.prompts[2].a_head.as_deref(), Some("Shot 2 · 4 s"));
    assert_eq!(diff.prompts[2].b_head.as_deref(), Some("Shot 3 · 2 s"));
}

#[test]
fn a_new_length_is_a_changed_shot_with_the_same_words() {
    let a = facts(shots(&["rain"]));
    let mut longer = shots(&["rain"]);
    longer.shots[0].duration = 6.0;
    let diff = compare(&a, &facts(longer));
    assert_eq!(diff.prompts.len(), 1);
    assert_eq!(diff.prompts[0].change, Change::Changed);
    assert_eq!(diff.prompts[0].b_head.as_deref(), Some("Shot 1 · 6 s"));
    assert!(changed_words(&diff.prompts[0].b).is_empty());
}

#[test]
fn settings_list_every_setting_unknown_fields_and_images_by_file_and_hash() {
    let mut a = facts(Board::starter());
    let mut board = Board::starter();
    board.quality = "pro".into();
    board.cfg_scale = 0.7;
    board.extra.insert("seed".into(), serde_json::json!(42));
    board.negative_prompt = "blur".into();
    let mut b = facts(board);
    let image = |hash: &str| SentImage {
        slot: "first_frame".into(),
        file: "street.png".into(),
        sha256: Some(hash.into()),
    };
    a.images.push(image("aaaaaaaaaaaaaaaa"));
    b.images.push(image("bbbbbbbbbbbbbbbb"));
    let diff = compare(&a, &b);
    let differing: Vec<(&str, &str, &str)> = diff
        .settings
        .iter()
        .filter(|r| r.differs())
        .map(|r| (r.name.as_str(), r.a.as_str(), r.b.as_str()))
        .collect();
    assert_eq!(
        differing,
        [
            ("Quality", "std", "pro"),
            ("CFG scale", "0.5", "0.7"),
            ("seed", "—", "42"),
            (
                "first_frame",
                "street.png · aaaaaaaaaaaa",
                "street.png · bbbbbbbbbbbb"
            ),
        ]
    );
    assert!(
        diff.settings
            .iter()
            .any(|r| r.name == "Model" && !r.differs())
    );
    let negative = diff.prompts.last().unwrap();
    assert_eq!(negative.change, Change::Added);
    assert_eq!(negative.b_head.as_deref(), Some("Negative"));
}

#[test]
fn a_single_prompt_board_compares_its_one_prompt() {
    let mut one = Board::starter();
    one.multi_shot = false;
    one.prompt = "a cat on a roof".into();
    let mut other = one.clone();
    other.prompt = "a dog on a roof".into();
    let diff = compare(&facts(one), &facts(other));
    assert_eq!(diff.prompts.len(), 1);
    assert_eq!(changed_words(&diff.prompts[0].a), ["cat"]);
    assert_eq!(diff.prompts[0].a_head.as_deref(), Some("Prompt · 5 s"));
    let shots = diff.settings.iter().find(|r| r.name == "Shots").unwrap();
    assert_eq!(shots.a, "single");
}
