use super::*;
use serde_json::json;

fn parse_json(kind: Kind, body: Value) -> Result<TaskSpec, Invalid> {
    parse(kind, body.as_object().expect("object"))
}

fn multi(shots: Value, duration: &str) -> Value {
    json!({
        "model_name": "kling-v3", "multi_shot": true, "shot_type": "customize",
        "prompt": "", "multi_prompt": shots, "duration": duration
    })
}

#[test]
fn a_minimal_text_create_gets_the_defaults() {
    let spec = parse_json(
        Kind::Text,
        json!({"model_name": "kling-v3", "prompt": "a cat"}),
    )
    .expect("valid");
    assert_eq!(
        (spec.duration_secs, spec.mode.as_str(), spec.sound),
        (5, "std", false)
    );
}

#[test]
fn duration_must_be_a_string() {
    let body = json!({"model_name": "kling-v3", "prompt": "a cat", "duration": 5});
    let err = parse_json(Kind::Text, body).unwrap_err();
    assert_eq!(err.message, "duration must be a string, got a number");
}

#[test]
fn models_are_per_endpoint() {
    let omni_on_text = json!({"model_name": "kling-v3-omni", "prompt": "a cat"});
    let err = parse_json(Kind::Text, omni_on_text).unwrap_err();
    assert!(err.message.contains("use kling-v3"), "{}", err.message);
    let missing = parse_json(Kind::Text, json!({"prompt": "a cat"})).unwrap_err();
    assert_eq!(missing.param.as_deref(), Some("model_name"));
}

#[test]
fn multi_shot_rules() {
    let ok = multi(
        json!([{"index": 1, "prompt": "a", "duration": "2"}, {"index": 2, "prompt": "b", "duration": "3"}]),
        "5",
    );
    assert_eq!(parse_json(Kind::Text, ok).expect("valid").duration_secs, 5);
    let numeric = multi(json!([{"index": 1, "prompt": "a", "duration": 5}]), "5");
    let err = parse_json(Kind::Text, numeric).unwrap_err();
    assert_eq!(err.param.as_deref(), Some("multi_prompt[0].duration"));
    let mut no_type = multi(json!([{"index": 1, "prompt": "a", "duration": "5"}]), "5");
    no_type.as_object_mut().expect("object").remove("shot_type");
    assert_eq!(
        parse_json(Kind::Text, no_type)
            .unwrap_err()
            .param
            .as_deref(),
        Some("shot_type")
    );
}

#[test]
fn image2video_needs_a_first_frame_and_ignores_aspect_ratio() {
    let body = json!({"model_name": "kling-v3", "prompt": "go", "aspect_ratio": "bogus"});
    assert_eq!(
        parse_json(Kind::Image, body).unwrap_err().param.as_deref(),
        Some("image")
    );
    let url = json!({"model_name": "kling-v3", "prompt": "go", "aspect_ratio": "bogus", "image": "https://x.test/a.png"});
    assert!(parse_json(Kind::Image, url).is_ok());
}

#[test]
fn omni_placeholders_and_list() {
    let body = json!({
        "model_name": "kling-v3-omni", "prompt": "<<<image_2>>> waves",
        "image_list": [{"image_url": "https://x.test/a.png"}]
    });
    let err = parse_json(Kind::Omni, body).unwrap_err();
    assert_eq!(err.param.as_deref(), Some("prompt"));
    let empty = json!({"model_name": "kling-v3-omni", "prompt": "hi", "image_list": []});
    assert_eq!(
        parse_json(Kind::Omni, empty).unwrap_err().param.as_deref(),
        Some("image_list")
    );
    let ok = json!({"model_name": "kling-v3-omni", "prompt": "<<<image_1>>>", "image_list": [{"image_url": "https://x.test/a.png"}]});
    assert_eq!(parse_json(Kind::Omni, ok).expect("valid").mode, "pro");
}

#[test]
fn omni_takes_element_lists_that_its_tokens_name_and_counts_them_with_images() {
    let ok = json!({"model_name": "kling-v3-omni", "prompt": "<<<element_1>>> runs",
        "element_list": [{"element_id": 863121023120580600_i64}]});
    let spec = parse_json(Kind::Omni, ok).expect("one element");
    assert_eq!(spec.element_ids, vec![863121023120580600]);
    let unnamed = json!({"model_name": "kling-v3-omni", "prompt": "<<<element_2>>>",
        "element_list": [{"element_id": 1}]});
    let e = parse_json(Kind::Omni, unnamed).unwrap_err();
    assert!(e.message.contains("<<<element_2>>>"), "{}", e.message);
    let images: Vec<Value> = (0..7)
        .map(|i| json!({"image_url": format!("https://x.test/{i}.png")}))
        .collect();
    let crowded = json!({"model_name": "kling-v3-omni", "prompt": "x",
        "image_list": images, "element_list": [{"element_id": 1}]});
    assert_eq!(
        parse_json(Kind::Omni, crowded)
            .unwrap_err()
            .param
            .as_deref(),
        Some("element_list")
    );
    let text_id = json!({"model_name": "kling-v3-omni", "prompt": "x",
        "element_list": [{"element_id": "abc"}]});
    assert!(parse_json(Kind::Omni, text_id).is_err());
    let on_text2video = json!({"model_name": "kling-v3", "prompt": "x",
        "element_list": [{"element_id": 1}]});
    assert_eq!(
        parse_json(Kind::Text, on_text2video)
            .unwrap_err()
            .param
            .as_deref(),
        Some("element_list")
    );
}

#[test]
fn auto_multi_shot_and_4k_are_accepted() {
    let auto = json!({
        "model_name": "kling-v3", "multi_shot": true, "shot_type": "intelligence",
        "prompt": "a chase", "duration": "10", "mode": "4k"
    });
    let spec = parse_json(Kind::Text, auto).expect("valid");
    assert_eq!((spec.duration_secs, spec.mode.as_str()), (10, "4k"));
    let empty = json!({"model_name": "kling-v3", "multi_shot": true, "shot_type": "intelligence", "prompt": ""});
    assert_eq!(
        parse_json(Kind::Text, empty).unwrap_err().param.as_deref(),
        Some("prompt")
    );
}

#[test]
fn omni_takes_text_alone_and_typed_frames_after_the_references() {
    let text = json!({"model_name": "kling-v3-omni", "prompt": "a cat", "mode": "std"});
    assert!(parse_json(Kind::Omni, text).is_ok());
    let frames = json!({
        "model_name": "kling-v3-omni", "prompt": "<<<image_1>>> opens the door",
        "image_list": [
            {"image_url": "https://x.test/ref.png"},
            {"image_url": "https://x.test/a.png", "type": "first_frame"},
            {"image_url": "https://x.test/b.png", "type": "end_frame"}
        ]
    });
    assert!(parse_json(Kind::Omni, frames.clone()).is_ok());
    // Typed items are frames, not references: <<<image_2>>> names nothing.
    let mut two = frames.clone();
    two["prompt"] = json!("<<<image_2>>>");
    assert_eq!(
        parse_json(Kind::Omni, two).unwrap_err().param.as_deref(),
        Some("prompt")
    );
    let mut multi = frames.clone();
    multi["multi_shot"] = json!(true);
    multi["shot_type"] = json!("intelligence");
    assert_eq!(
        parse_json(Kind::Omni, multi).unwrap_err().param.as_deref(),
        Some("image_list[1].type")
    );
    let end_only = json!({
        "model_name": "kling-v3-omni", "prompt": "go",
        "image_list": [{"image_url": "https://x.test/b.png", "type": "end_frame"}]
    });
    assert_eq!(
        parse_json(Kind::Omni, end_only)
            .unwrap_err()
            .param
            .as_deref(),
        Some("image_list")
    );
}

fn with_video(extra: Value) -> Value {
    let mut body = json!({
        "model_name": "kling-v3-omni", "prompt": "Continue from <<<video_1>>>: she turns",
        "duration": "5", "sound": "off",
        "video_list": [{"video_url": "https://r.example/a.mp4", "refer_type": "feature",
                        "keep_original_sound": "no"}]
    });
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    body
}

#[test]
fn a_reference_video_is_taken_as_documented() {
    let spec = parse_json(Kind::Omni, with_video(json!({}))).expect("valid");
    assert_eq!(spec.video_urls, vec!["https://r.example/a.mp4".to_string()]);
    let err = |extra: Value| parse_json(Kind::Omni, with_video(extra)).unwrap_err();
    let e = err(json!({"sound": "on"}));
    assert_eq!(e.param.as_deref(), Some("sound"));
    assert_eq!(
        err(json!({"duration": "12"})).param.as_deref(),
        Some("duration")
    );
    let e = err(json!({"video_list": [{"video_url": "https://r/a.mp4", "refer_type": "edit"}]}));
    assert_eq!(e.param.as_deref(), Some("video_list[0].refer_type"));
    let e = err(json!({"video_list": [{"video_url": "https://r/a.mp4", "refer_type": "base"}]}));
    assert!(e.message.contains("feature"), "{}", e.message);
    let e = err(json!({"video_list": [{"video_url": "a.mp4", "refer_type": "feature"}]}));
    assert_eq!(e.param.as_deref(), Some("video_list[0].video_url"));
    assert_eq!(
        err(json!({"video_list": []})).param.as_deref(),
        Some("video_list")
    );
    let five: Vec<Value> = (0..5)
        .map(|i| json!({"image_url": format!("https://i/{i}.png")}))
        .collect();
    assert_eq!(
        err(json!({"image_list": five})).param.as_deref(),
        Some("image_list")
    );
    let e = err(json!({"prompt": "<<<video_2>>> then"}));
    assert!(e.message.contains("<<<video_2>>>"), "{}", e.message);
    // text2video takes no video.
    let text = json!({"model_name": "kling-v3", "prompt": "a", "video_list": []});
    assert_eq!(
        parse_json(Kind::Text, text).unwrap_err().param.as_deref(),
        Some("video_list")
    );
}

#[test]
fn image2video_takes_up_to_three_elements_and_not_with_voices() {
    let list = |n: i64| -> Vec<Value> { (1..=n).map(|i| json!({"element_id": i})).collect() };
    let body = |n: i64| {
        json!({"model_name": "kling-v3", "prompt": "<<<element_1>>> waves",
            "image": "https://x.test/a.png", "element_list": list(n)})
    };
    let spec = parse_json(Kind::Image, body(3)).expect("three are documented");
    assert_eq!(spec.element_ids, vec![1, 2, 3]);
    let four = parse_json(Kind::Image, body(4)).unwrap_err();
    assert_eq!(
        four.param.as_deref(),
        Some("element_list"),
        "{}",
        four.message
    );
    let mut with_voice = body(1);
    with_voice["voice_list"] = json!([{"voice_id": "v1"}]);
    let e = parse_json(Kind::Image, with_voice).unwrap_err();
    assert!(e.message.contains("voice_list"), "{}", e.message);
    let unnamed = json!({"model_name": "kling-v3", "prompt": "<<<element_2>>>",
        "image": "https://x.test/a.png", "element_list": list(1)});
    assert!(parse_json(Kind::Image, unnamed).is_err());
}

#[test]
fn omni_takes_at_most_three_elements_beside_a_first_frame() {
    let list: Vec<Value> = (1..=4).map(|i| json!({"element_id": i})).collect();
    let frame = json!([{"image_url": "https://x.test/f.png", "type": "first_frame"}]);
    let four = json!({"model_name": "kling-v3-omni", "prompt": "x",
        "image_list": frame, "element_list": list});
    let e = parse_json(Kind::Omni, four.clone()).unwrap_err();
    assert_eq!(e.param.as_deref(), Some("element_list"), "{}", e.message);
    assert!(e.message.contains("first_frame"), "{}", e.message);
    let mut three = four.clone();
    three["element_list"].as_array_mut().unwrap().pop();
    parse_json(Kind::Omni, three).expect("three beside a first frame");
    let mut references = four;
    references["image_list"] = json!([{"image_url": "https://x.test/r.png"}]);
    parse_json(Kind::Omni, references).expect("four beside a reference image");
}
