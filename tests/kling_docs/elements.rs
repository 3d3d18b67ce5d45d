//! The element library calls against the docs mock: create from images, query until the
//! element exists, list; an answer of another shape is a clear error.

use super::kling_docs_mock::{DocsMock, Fault, Op};
use super::{API_KEY, account, client};
use shotdeck::providers::{Client, ELEMENTS_PATH, NewElement, ProviderError};

fn kling(mock: &DocsMock) -> shotdeck::providers::KlingClient {
    match client(mock, &[("KLING_API_KEY", API_KEY)]) {
        Client::Kling(c) => c,
        Client::Gateway(_) => panic!("the official provider makes a Kling client"),
    }
}

fn detective() -> NewElement {
    NewElement {
        name: "Detective".into(),
        description: "A detective in a trench coat".into(),
        frontal_image: "https://img.test/front.png".into(),
        refer_images: vec!["https://img.test/side.png".into()],
    }
}

#[tokio::test]
async fn an_element_is_created_from_images_then_queried_and_listed_as_the_docs_show() {
    let mock = DocsMock::start(account()).await;
    let c = kling(&mock);
    let task = c.create_element(&detective()).await.expect("created");
    assert_eq!(task.status, "submitted");
    let hit = &mock.hits()[0];
    assert_eq!(hit.path, ELEMENTS_PATH);
    let body = hit.body.as_ref().expect("a JSON body");
    assert_eq!(body["reference_type"], "image_refer");
    assert_eq!(
        body["element_image_list"]["frontal_image"],
        "https://img.test/front.png"
    );
    assert_eq!(
        body["element_image_list"]["refer_images"][0]["image_url"],
        "https://img.test/side.png"
    );
    let first = c.element_task(&task.task_id).await.expect("queried");
    assert_eq!(first.status, "processing");
    assert!(first.elements.is_empty());
    let done = c.element_task(&task.task_id).await.expect("queried again");
    assert_eq!(done.status, "succeed");
    // A 64-bit id passes through as written, never through a float.
    assert_eq!(done.elements[0].id, "863121023120580600");
    assert_eq!(done.elements[0].name, "Detective");
    assert_eq!(
        done.elements[0].frontal_image.as_deref(),
        Some("https://img.test/front.png")
    );
    let listed = c.list_elements().await.expect("listed");
    assert!(!listed.capped);
    assert_eq!(listed.tasks.len(), 1);
    assert_eq!(listed.tasks[0].elements[0].id, "863121023120580600");
    let list_hit = mock
        .hits()
        .into_iter()
        .find(|h| h.op == Op::ElementList)
        .unwrap();
    assert_eq!(list_hit.query.as_deref(), Some("pageNum=1&pageSize=500"));
}

#[tokio::test]
async fn the_docs_refusal_and_an_unknown_shape_are_errors_not_an_empty_library() {
    let mock = DocsMock::start(account()).await;
    let c = kling(&mock);
    let mut bad = detective();
    bad.refer_images.clear();
    let e = c.create_element(&bad).await.unwrap_err();
    assert!(matches!(e, ProviderError::BadRequest { .. }), "{e:?}");
    mock.fault(Op::ElementList, Fault::Html);
    let e = c.list_elements().await.unwrap_err();
    assert!(matches!(e, ProviderError::Malformed(_)), "{e:?}");
    let task = c.create_element(&detective()).await.unwrap();
    mock.fault(Op::ElementQuery, Fault::Status("finished"));
    let e = c.element_task(&task.task_id).await.unwrap_err().to_string();
    assert!(e.contains("task_status \"finished\""), "{e}");
}

/// A board on `model` in image mode with a first frame and `n` named elements.
fn element_board(model: &str, n: usize) -> shotdeck::core::Board {
    let mut b = shotdeck::core::Board::starter();
    b.model = model.into();
    b.mode = shotdeck::core::Mode::Image;
    b.multi_shot = false;
    b.first_frame = Some("https://img.test/first.png".into());
    b.elements = (1..=n)
        .map(|i| shotdeck::core::elements::ElementRef::new((100 + i).to_string(), "E"))
        .collect();
    b.prompt = (1..=n).map(|i| format!("<<<element_{i}>>> ")).collect();
    b
}

#[tokio::test]
async fn kling_v3_image2video_elements_are_sent_and_the_documented_counts_agree() {
    use shotdeck::core::compose::{PlaceholderImages, compose};
    use shotdeck::core::{Provider, is_submittable, validate};
    let mock = DocsMock::start(account()).await;
    let c = client(&mock, &[("KLING_API_KEY", API_KEY)]);
    let facts = shotdeck::core::images::ImageFacts::new();
    // kling-v3 with 3 elements: the rules pass it and the docs take it.
    let board = element_board("kling-v3", 3);
    assert!(is_submittable(&validate(&board, Provider::Kling, &facts)));
    let req = compose(&board, Provider::Kling, &PlaceholderImages, "el-1").unwrap();
    assert_eq!(req.path, "/v1/videos/image2video");
    c.submit(&req, "el-1").await.expect("accepted");
    // Past each documented count, the rules refuse the board, and the docs the request.
    for (model, n) in [("kling-v3", 4), ("kling-v3-omni", 4)] {
        let board = element_board(model, n);
        assert!(
            !is_submittable(&validate(&board, Provider::Kling, &facts)),
            "{model} with {n}"
        );
        let ext = format!("el-{model}-{n}");
        let req = compose(&board, Provider::Kling, &PlaceholderImages, &ext).unwrap();
        let e = c.submit(&req, &ext).await.unwrap_err();
        assert!(matches!(e, ProviderError::BadRequest { .. }), "{e:?}");
    }
    assert_eq!(mock.tasks_created(), 1);
    let board = element_board("kling-v3-omni", 3);
    let f = validate(&board, Provider::Kling, &facts);
    assert!(is_submittable(&f), "{f:?}");
    let req = compose(&board, Provider::Kling, &PlaceholderImages, "el-2").unwrap();
    c.submit(&req, "el-2")
        .await
        .expect("three beside a first frame");
}
