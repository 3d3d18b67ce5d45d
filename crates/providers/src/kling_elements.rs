//! The official API's element library (Kling's "General - Create Element" and "Query Custom
//! Element" endpoints, new version): list, create from images, query one. None of these
//! calls is paid; each makes one attempt (token re-signing aside, see `KlingClient::call`).

use reqwest::Method;
use serde_json::{Value, json};

use super::errors::ProviderError;
use super::http;
use super::kling::{KlingClient, LIST_PAGE_SIZE};
use super::parse::{ElementTask, parse_element_list, parse_element_task};

/// Where the element library lives (the reference's request URL for all three calls).
pub const ELEMENTS_PATH: &str = "/v1/general/advanced-custom-elements";

/// An element to create from images (`reference_type: "image_refer"`): the reference asks
/// for "at least one frontal reference image (frontal_image), and 1 to 3 additional
/// reference images", each Base64 or a URL, and a name (≤ 20 characters) and description
/// (≤ 100). The caller checks the images the way board references are checked.
#[derive(Debug, Clone, PartialEq)]
pub struct NewElement {
    pub name: String,
    pub description: String,
    /// Raw Base64 or an http(s) URL.
    pub frontal_image: String,
    pub refer_images: Vec<String>,
}

impl NewElement {
    /// The create body, as the reference's multi-image example shapes it.
    pub fn body(&self) -> Value {
        let refer: Vec<Value> = self
            .refer_images
            .iter()
            .map(|i| json!({ "image_url": i }))
            .collect();
        json!({
            "element_name": self.name,
            "element_description": self.description,
            "reference_type": "image_refer",
            "element_image_list": {
                "frontal_image": self.frontal_image,
                "refer_images": refer,
            },
        })
    }
}

impl KlingClient {
    /// `GET /v1/general/advanced-custom-elements?pageNum=1&pageSize=500`: the newest
    /// element tasks, each with the elements it made.
    pub async fn list_elements(&self) -> Result<Vec<ElementTask>, ProviderError> {
        let url = http::endpoint(self.base(), ELEMENTS_PATH, None)?;
        let size = LIST_PAGE_SIZE.to_string();
        let query = [("pageNum", "1"), ("pageSize", size.as_str())];
        self.call(Method::GET, url, None, &query, parse_element_list)
            .await
    }

    /// `POST /v1/general/advanced-custom-elements`: starts making the element; the answer
    /// is the task, queried with [`KlingClient::element_task`] until it succeeds.
    pub async fn create_element(&self, element: &NewElement) -> Result<ElementTask, ProviderError> {
        let url = http::endpoint(self.base(), ELEMENTS_PATH, None)?;
        self.call(
            Method::POST,
            url,
            Some(&element.body()),
            &[],
            parse_element_task,
        )
        .await
    }

    /// `GET /v1/general/advanced-custom-elements/{task_id}`.
    pub async fn element_task(&self, task_id: &str) -> Result<ElementTask, ProviderError> {
        let url = http::endpoint(self.base(), ELEMENTS_PATH, Some(task_id))?;
        self.call(Method::GET, url, None, &[], parse_element_task)
            .await
    }
}
