//! The simulator's element library: the preset element, create → query → list, omni-video
//! creates naming library elements only, and `shotdeck elements` run against it.

use serde_json::json;
use shotdeck::sim::{DEMO_ELEMENT_ID, SimKeys};

use super::support::{FAST, Kling, start};

#[tokio::test]
async fn omni_video_takes_library_elements_and_refuses_unknown_ids() {
    let server = start(FAST).await;
    let k = Kling::new(&server);
    let body = |id: i64| {
        json!({"model_name": "kling-v3-omni", "prompt": "<<<element_1>>> walks",
               "duration": "5", "element_list": [{"element_id": id}]})
    };
    let (status, ok) = k.create("omni-video", &body(DEMO_ELEMENT_ID)).await;
    assert_eq!(status, 200, "{ok}");
    let (status, refused) = k.create("omni-video", &body(999)).await;
    assert_eq!(status, 400);
    assert!(
        refused["message"].as_str().unwrap().contains("999"),
        "{refused}"
    );
}

#[tokio::test]
async fn an_element_is_created_queried_and_listed() {
    let server = start(FAST).await;
    let k = Kling::new(&server);
    let answer = k
        .client
        .post(format!("{}/v1/general/advanced-custom-elements", k.base))
        .bearer_auth(&k.token)
        .json(&json!({
            "element_name": "Hat", "element_description": "A red hat",
            "reference_type": "image_refer",
            "element_image_list": {"frontal_image": "https://img.test/a.png",
                                   "refer_images": [{"image_url": "https://img.test/b.png"}]}
        }))
        .send()
        .await
        .unwrap();
    let created: serde_json::Value = answer.json().await.unwrap();
    let task_id = created["data"]["task_id"].as_str().unwrap().to_string();
    let (_, one) = k
        .get(&format!("/v1/general/advanced-custom-elements/{task_id}"))
        .await;
    let element = &one["data"]["task_result"]["elements"][0];
    assert_eq!(element["element_name"], "Hat");
    let id = element["element_id"].as_i64().unwrap();
    let (_, list) = k
        .get("/v1/general/advanced-custom-elements?pageNum=1&pageSize=30")
        .await;
    let ids: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            t["task_result"]["elements"][0]["element_id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(ids, vec![id, DEMO_ELEMENT_ID]);
    // Now that it exists, omni-video takes it.
    let (status, _) = k
        .create(
            "omni-video",
            &json!({"model_name": "kling-v3-omni", "prompt": "<<<element_1>>>", "duration": "5",
                    "element_list": [{"element_id": id}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = k
        .client
        .post(format!("{}/v1/general/advanced-custom-elements", k.base))
        .json(&json!({}))
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, 401, "the library needs the account's token");
}

fn cli(base: &str, args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let keys = SimKeys::demo();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"))
        .arg("elements")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SHOTDECK_CONFIG_DIR", dir.path())
        .env("SHOTDECK_DATA_DIR", dir.path().join("data"))
        .env("SHOTDECK_STATE_DIR", dir.path().join("state"))
        .env_remove("KLING_API_KEY")
        .env("KLING_API_BASE", base)
        .env("KLING_ACCESS_KEY", &keys.access_key)
        .env("KLING_SECRET_KEY", &keys.secret_key)
        .output()
        .expect("the binary runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("exited"), text)
}

/// [`cli`] off the runtime's threads (the simulator answers on them).
async fn run(base: &str, args: &[&str]) -> (i32, String) {
    let base = base.to_string();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        cli(&base, &args)
    })
    .await
    .expect("the command ran")
}

#[tokio::test]
async fn the_cli_lists_creates_and_refuses_images_that_fail_the_reference_rules() {
    let server = start(FAST).await;
    let base = server.base_url();
    let (code, text) = run(&base, &["list"]).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains(&format!("{DEMO_ELEMENT_ID}\tDetective\tsucceed")),
        "{text}"
    );
    let images = [
        "examples/images/umbrella.png",
        "examples/images/detective.png",
    ];
    let (code, text) = run(&base, &["create", "Umbrella", images[0], images[1]]).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("board entry: {\"id\":\"100002\",\"name\":\"Umbrella\"}"),
        "{text}"
    );
    let (code, text) = run(&base, &["create", "Tiny", images[0], "no-such.png"]).await;
    assert_eq!(code, 2, "{text}");
    assert!(
        text.contains("image 2: cannot read no-such.png") && text.contains("nothing was sent"),
        "{text}"
    );
    let (_, listed) = run(&base, &["list"]).await;
    assert!(!listed.contains("Tiny"), "{listed}");
}
