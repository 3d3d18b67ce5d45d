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

/// Pages of the element list read before stopping: 20 × 500 element tasks is far more
/// than an account's library holds, and a bound keeps a list that never ends short (a
/// server that ignores `pageNum`) from being read forever.
pub const ELEMENT_LIST_MAX_PAGES: u32 = 20;

/// The library as listed: its element tasks, newest first, and whether the listing
/// stopped at [`ELEMENT_LIST_MAX_PAGES`] with more pages left unread.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementListing {
    pub tasks: Vec<ElementTask>,
    pub capped: bool,
}

impl ElementListing {
    /// What a reader is told when the listing is capped (`None` when it is whole).
    pub fn capped_note(&self) -> Option<String> {
        self.capped.then(|| {
            format!(
                "only the newest {} element tasks were read (the list stops after {} pages)",
                self.tasks.len(),
                ELEMENT_LIST_MAX_PAGES
            )
        })
    }
}

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
    /// The whole library: [`KlingClient::list_elements_paged`] with pages of
    /// [`LIST_PAGE_SIZE`] (the largest the list takes), at most [`ELEMENT_LIST_MAX_PAGES`].
    pub async fn list_elements(&self) -> Result<ElementListing, ProviderError> {
        self.list_elements_paged(LIST_PAGE_SIZE, ELEMENT_LIST_MAX_PAGES)
            .await
    }

    /// `GET /v1/general/advanced-custom-elements?pageNum=N&pageSize=M` for N = 1, 2, … until
    /// a page holds fewer than `page_size` tasks (the last one), or `max_pages` were read
    /// ([`ElementListing::capped`]). The list is newest first: a task made while paging
    /// pushes the others down a place, so one may show on two pages; it is kept once.
    pub async fn list_elements_paged(
        &self,
        page_size: u32,
        max_pages: u32,
    ) -> Result<ElementListing, ProviderError> {
        let url = http::endpoint(self.base(), ELEMENTS_PATH, None)?;
        let size = page_size.to_string();
        let mut tasks: Vec<ElementTask> = Vec::new();
        for page_num in 1..=max_pages {
            let num = page_num.to_string();
            let query = [("pageNum", num.as_str()), ("pageSize", size.as_str())];
            let page = self
                .call(Method::GET, url.clone(), None, &query, parse_element_list)
                .await?;
            let last = page.len() < page_size as usize;
            for task in page {
                if !tasks.iter().any(|t| t.task_id == task.task_id) {
                    tasks.push(task);
                }
            }
            if last {
                return Ok(ElementListing {
                    tasks,
                    capped: false,
                });
            }
        }
        Ok(ElementListing {
            tasks,
            capped: true,
        })
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
