//! Create bodies the official API refuses: HTTP 400, code 1201, and a message naming the
//! field and the limit.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::*;

#[tokio::test]
async fn kling_rejects_bad_bodies_naming_the_field() {
    let server = start(FAST).await;
    let kling = Kling::new(&server);
    let with = |kind: &'static str, patch: Value| {
        let mut body = match kind {
            "omni-video" => json!({"model_name": "kling-v3-omni", "prompt": "x",
                "image_list": [{"image_url": "https://img.test/a.png"}]}),
            "image2video" => {
                json!({"model_name": "kling-v3", "prompt": "x", "image": "https://img.test/a.png"})
            }
            _ => json!({"model_name": "kling-v3", "prompt": "x"}),
        };
        for (k, v) in patch.as_object().expect("patch") {
            body[k] = v.clone();
        }
        (kind, body)
    };
    let shots = |n: usize, prompt_len: usize| -> Value {
        (1..=n)
            .map(|i| json!({"index": i, "prompt": "p".repeat(prompt_len), "duration": "1"}))
            .collect()
    };
    let multi = |list: Value, duration: &str| {
        json!({"multi_shot": true, "shot_type": "customize", "prompt": "",
        "multi_prompt": list, "duration": duration})
    };
    let cases = [
        (
            with("text2video", json!({"model_name": null})),
            "model_name",
        ),
        (
            with("text2video", json!({"model_name": "kling-v9"})),
            "model_name",
        ),
        (
            with("text2video", json!({"duration": 5})),
            "duration must be a string",
        ),
        (
            with("text2video", json!({"duration": "20"})),
            "duration must be 3 to 15",
        ),
        (
            with("text2video", json!({"prompt": "猫".repeat(2501)})),
            "prompt is 2501 characters; the limit is 2500",
        ),
        (
            with("text2video", json!({"prompt": ""})),
            "prompt is required",
        ),
        (
            with("text2video", json!({"negative_prompt": "n".repeat(2501)})),
            "negative_prompt",
        ),
        (
            with("text2video", json!({"cfg_scale": 1.5})),
            "cfg_scale must be between 0 and 1",
        ),
        (
            with("text2video", json!({"mode": "ultra"})),
            "mode must be one of std, pro",
        ),
        (
            with("text2video", json!({"sound": true})),
            "sound must be a string",
        ),
        (
            with("text2video", json!({"aspect_ratio": "4:3"})),
            "aspect_ratio",
        ),
        (
            with("text2video", multi(shots(3, 600), "3")),
            "multi_prompt[0].prompt is 600 characters; the limit is 512",
        ),
        (
            with("text2video", multi(shots(7, 5), "7")),
            "multi_prompt has 7 shots",
        ),
        (with("text2video", multi(shots(3, 5), "5")), "add up to 3"),
        (
            with(
                "text2video",
                json!({"multi_shot": true, "multi_prompt": shots(3, 5), "duration": "3"}),
            ),
            "shot_type",
        ),
        (
            with("image2video", json!({"image": null})),
            "image is required",
        ),
        (
            with(
                "image2video",
                json!({"image": format!("data:image/png;base64,{}", png_base64(2, 2))}),
            ),
            "data:",
        ),
        (
            with("image2video", json!({"image": "R0lGODlhAQABAAAAACw="})),
            "JPEG or PNG",
        ),
        (
            with("image2video", {
                let mut m = multi(shots(3, 5), "3");
                m["image_tail"] = json!("https://img.test/b.png");
                m
            }),
            "image_tail is not allowed with multi_shot",
        ),
        (
            with("omni-video", json!({"prompt": "<<<image_2>>> smiles"})),
            "<<<image_2>>>",
        ),
        (
            with("omni-video", json!({"image_list": []})),
            "image_list has 0 images",
        ),
        (
            with("omni-video", json!({"model_name": "kling-v3"})),
            "use kling-v3-omni",
        ),
    ];
    for ((kind, body), expected) in cases {
        let (status, answer) = kling.create(kind, &body).await;
        assert_eq!(
            (status, answer["code"].as_i64()),
            (StatusCode::BAD_REQUEST, Some(1201)),
            "{kind} {answer}"
        );
        let message = answer["message"].as_str().expect("message");
        assert!(
            message.contains(expected),
            "{kind}: {message:?} should mention {expected:?}"
        );
    }
    let (_, ok) = kling
        .create(
            "image2video",
            &with("image2video", json!({"aspect_ratio": "4:3"})).1,
        )
        .await;
    assert_eq!(ok["code"], 0, "image2video ignores aspect_ratio: {ok}");
    assert_eq!(server.stats().creates_accepted, 1);
    server.shutdown().await;
}
