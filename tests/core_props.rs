//! Property tests for the rules and compose.

use proptest::prelude::*;
use serde_json::Value;
use shotdeck::core::compose::PlaceholderImages;
use shotdeck::core::{
    Board, FieldPath, ImageFacts, Mode, Provider, Severity, Shot, ShotField, compose, validate,
};
use shotdeck::files::board_file;

fn prompt() -> impl Strategy<Value = String> {
    // Mixed scripts: the limits count characters, not bytes.
    prop::string::string_regex("[a-zA-Z0-9 ,.éжが🎬]{1,600}").unwrap()
}

fn arb_board() -> impl Strategy<Value = Board> {
    (
        prop::collection::vec((prompt(), 0u32..8), 0..8),
        any::<bool>(),
        prop::sample::select(vec!["std", "pro", "ultra"]),
        -0.5f64..1.5,
        prop::sample::select(vec![Mode::Text, Mode::Image, Mode::Reference]),
        1u32..20,
    )
        .prop_map(|(shots, multi, quality, cfg, mode, dur)| Board {
            shots: shots.into_iter().map(|(p, d)| Shot::new(p, d)).collect(),
            multi_shot: multi,
            quality: quality.into(),
            cfg_scale: cfg,
            mode,
            prompt: "Single prompt.".into(),
            duration: f64::from(dur),
            first_frame: Some("https://example.com/f.png".into()),
            references: vec!["https://example.com/r.png".into()],
            ..Board::default()
        })
}

/// Boards that satisfy every multi-shot rule by construction.
fn valid_multi_shot() -> impl Strategy<Value = Board> {
    prop::collection::vec(1u32..=5, 1..=6)
        .prop_filter("total 3–15 s", |d| {
            (3..=15).contains(&d.iter().sum::<u32>())
        })
        .prop_flat_map(|durations| {
            let n = durations.len();
            (
                Just(durations),
                prop::collection::vec(prop::string::string_regex("[a-zé ]{1,512}").unwrap(), n),
            )
        })
        .prop_filter("prompts non-blank", |(_, p)| {
            p.iter().all(|s| !s.trim().is_empty())
        })
        .prop_map(|(durations, prompts)| Board {
            shots: prompts
                .into_iter()
                .zip(durations)
                .map(|(p, d)| Shot::new(p, d))
                .collect(),
            ..Board::default()
        })
}

fn as_int(v: &Value) -> i64 {
    match v {
        Value::String(s) => s.parse().unwrap(),
        other => other.as_i64().unwrap(),
    }
}

proptest! {
    #[test]
    fn composed_multi_shot_durations_sum_to_the_task_duration(board in arb_board(), gateway in any::<bool>()) {
        let provider = if gateway { Provider::Gateway } else { Provider::Kling };
        let req = compose(&board, provider, &PlaceholderImages, "k").unwrap();
        if board.multi_shot {
            let shots = req.body["multi_prompt"].as_array().unwrap();
            let sum: i64 = shots.iter().map(|s| as_int(&s["duration"])).sum();
            prop_assert_eq!(sum, as_int(&req.body["duration"]));
            for (i, s) in shots.iter().enumerate() {
                prop_assert_eq!(s["index"].as_u64().unwrap() as usize, i + 1);
            }
        } else {
            prop_assert!(req.body.get("multi_prompt").is_none());
        }
    }

    #[test]
    fn validation_never_panics_and_every_path_reads_back(board in arb_board()) {
        for p in Provider::ALL {
            for f in validate(&board, p, &ImageFacts::new()) {
                prop_assert_eq!(f.path.to_string().parse::<FieldPath>(), Ok(f.path));
                prop_assert!(!f.message.is_empty());
            }
        }
    }

    #[test]
    fn boards_within_every_limit_validate_clean(board in valid_multi_shot()) {
        let findings = validate(&board, Provider::Kling, &ImageFacts::new());
        prop_assert!(findings.is_empty(), "{:?}", findings);
    }

    #[test]
    fn a_shot_prompt_over_512_characters_is_always_an_error(mut board in valid_multi_shot(), extra in 1usize..50, which in 0usize..6) {
        let i = which % board.shots.len();
        board.shots[i].prompt = "ж".repeat(512 + extra);
        let findings = validate(&board, Provider::Kling, &ImageFacts::new());
        let path = FieldPath::shot(i, ShotField::Prompt);
        prop_assert!(findings.iter().any(|f| f.severity == Severity::Error && f.path == path));
    }

    #[test]
    fn boards_round_trip_through_the_file_format(board in arb_board()) {
        let text = board_file::to_json(&board);
        let back = board_file::parse(&text, "b.json".as_ref()).unwrap();
        prop_assert_eq!(back, board);
    }
}
