//! The official API's v2 design (see `shotdeck_core::kling_v2` and README "Kling's two
//! request designs"): creates at `POST /{text-to-video|image-to-video}/{model}`, tasks
//! looked up with `GET /tasks?task_ids=a,b` (a create in doubt: `?external_task_ids=`),
//! Kling's API key as Bearer and nothing else.
//! One attempt per call, no re-signing (an API key does not expire mid-call); errors are
//! decided on the body's code by the same envelope parser as the legacy design.

use reqwest::Method;

use super::errors::ProviderError;
use super::http::{self, Answer};
use super::kling::KlingClient;
use super::parse::{
    parse_kling_v2_created, parse_kling_v2_tasks, parse_kling_v2_tasks_skipping_unreadable,
};
use super::{TaskSnapshot, ensure_method};
use shotdeck_core::compose::ComposedRequest;
use shotdeck_core::kling_v2::{EXTERNAL_TASK_IDS_PARAM, TASK_IDS_PARAM, TASKS_PATH};
use shotdeck_files::credentials::{ENV_API_KEY, Secret};

impl KlingClient {
    /// Whether an API key is set for the v2 design (never the key itself).
    pub fn has_v2_key(&self) -> bool {
        self.v2_key.is_some()
    }

    /// The Bearer value of a v2 call: the API key, or a refusal naming where to set one
    /// (never the value).
    fn v2_bearer(&self) -> Result<&Secret, ProviderError> {
        self.v2_key.as_ref().ok_or_else(|| {
            ProviderError::Config(format!(
                "Kling's v2 design takes an API key only (no access/secret key JWT): set \
                 {ENV_API_KEY}, or kling_api_key in the 0600 credentials file"
            ))
        })
    }

    pub(super) async fn create_v2(
        &self,
        req: &ComposedRequest,
    ) -> Result<TaskSnapshot, ProviderError> {
        let method = ensure_method(req)?;
        let key = self.v2_bearer()?;
        let url = http::endpoint(&self.base, &req.path, None)?;
        let request = self.http().request(method, url).bearer_auth(key.expose());
        let answer = http::exchange_json(request, &req.body, self.request_timeout).await;
        finish(answer, parse_kling_v2_created)
    }

    /// One task by id, through the batch lookup.
    pub(super) async fn query_v2(&self, task_id: &str) -> Result<TaskSnapshot, ProviderError> {
        let tasks = self.lookup_tasks(&[task_id]).await?;
        tasks
            .into_iter()
            .find(|t| t.task_id == task_id)
            .ok_or_else(|| {
                ProviderError::Malformed(format!(
                    "the v2 task lookup for {task_id} answered without that task"
                ))
            })
    }

    /// `GET /tasks?task_ids=a,b`: the tasks Kling knows among `ids`, one request; an item
    /// that cannot be read makes the whole answer odd.
    pub async fn lookup_tasks(&self, ids: &[&str]) -> Result<Vec<TaskSnapshot>, ProviderError> {
        self.lookup(TASK_IDS_PARAM, ids, parse_kling_v2_tasks).await
    }

    /// The task a doubtful create made, by `GET /tasks?external_task_ids=<ours>`, one
    /// request. `Some` only for a task whose answer carries our id in `external_id`; `None`
    /// only for a plain empty list (a client reports "it answers `200 data: []` for unknown
    /// ids"); any other answer (another id, a task without one, several tasks) is odd, so
    /// the create stays in doubt and is never sent again on a guess.
    pub(super) async fn find_v2_by_external_id(
        &self,
        external_task_id: &str,
    ) -> Result<Option<TaskSnapshot>, ProviderError> {
        let tasks = self
            .lookup(
                EXTERNAL_TASK_IDS_PARAM,
                &[external_task_id],
                parse_kling_v2_tasks,
            )
            .await?;
        match tasks.as_slice() {
            [] => Ok(None),
            [task] if task.external_task_id.as_deref() == Some(external_task_id) => {
                Ok(tasks.into_iter().next())
            }
            _ => Err(ProviderError::Malformed(format!(
                "the v2 lookup of external_task_id {external_task_id} answered {} task(s), \
                 none carrying that id as its external_id",
                tasks.len()
            ))),
        }
    }

    /// The same lookup for the engine's batch poll (at most
    /// [`shotdeck_core::kling_v2::TASK_IDS_PER_LOOKUP`] ids): the tasks that can be read,
    /// an odd item left out (its task is then asked alone).
    pub async fn lookup_batch(&self, ids: &[&str]) -> Result<Vec<TaskSnapshot>, ProviderError> {
        self.lookup(
            TASK_IDS_PARAM,
            ids,
            parse_kling_v2_tasks_skipping_unreadable,
        )
        .await
    }

    async fn lookup(
        &self,
        param: &str,
        ids: &[&str],
        parse: fn(u16, &[u8]) -> Result<Vec<TaskSnapshot>, ProviderError>,
    ) -> Result<Vec<TaskSnapshot>, ProviderError> {
        let key = self.v2_bearer()?;
        let url = http::endpoint(&self.base, TASKS_PATH, None)?;
        let request = self
            .http()
            .request(Method::GET, url)
            .bearer_auth(key.expose())
            .query(&[(param, ids.join(","))]);
        let answer = http::exchange(request, self.request_timeout).await;
        finish(answer, parse)
    }
}

fn finish<T>(
    answer: Result<Answer, ProviderError>,
    parse: fn(u16, &[u8]) -> Result<T, ProviderError>,
) -> Result<T, ProviderError> {
    let Answer {
        status,
        retry_after,
        body,
        ..
    } = answer?;
    parse(status, &body).map_err(|e| e.with_retry_after(retry_after))
}
