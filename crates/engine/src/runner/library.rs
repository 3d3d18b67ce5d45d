//! The account's element library for a front end that stays off HTTP (the editor's
//! element picker, and the pictures of a board's elements): listed and fetched on tasks of
//! their own, so a slow answer never holds the loop.

use std::path::PathBuf;
use std::sync::Arc;

use shotdeck_core::Provider;
use shotdeck_core::elements::{LibraryItem, PreviewFetch};
use shotdeck_core::jobs::JobEvent;
use shotdeck_files::preview::MAX_PREVIEW_BYTES;
use shotdeck_providers::Client;

use super::EngineLoop;
use crate::download::{DownloadLimits, Downloader};
use crate::worker::Shared;

/// What [`EngineLoop::element_preview`] fetches: element `id`'s picture into `into`.
pub(super) struct PreviewAsk {
    pub provider: Provider,
    pub id: String,
    pub url: Option<String>,
    pub into: PathBuf,
}

impl EngineLoop {
    /// Lists the library for a board on `provider`; the answer is one
    /// [`JobEvent::Elements`], an error included.
    pub(super) fn elements(&mut self, provider: Provider) {
        let (shared, events) = (self.shared.clone(), self.events.sender());
        tokio::spawn(async move {
            let answer = list(&shared, provider).await;
            // The front end may have gone: nobody is left to tell.
            let _ = events.send(JobEvent::Elements(answer)).await;
        });
    }

    /// Fetches an element's picture into the front end's cache file; the answer is one
    /// [`JobEvent::ElementPreview`].
    pub(super) fn element_preview(&mut self, ask: PreviewAsk) {
        let (shared, events) = (self.shared.clone(), self.events.sender());
        tokio::spawn(async move {
            let id = ask.id.clone();
            let outcome = fetch_preview(&shared, ask).await;
            // The front end may have gone: nobody is left to tell.
            let _ = events.send(JobEvent::ElementPreview { id, outcome }).await;
        });
    }
}

/// A cached picture is kept (an element's images do not change under its id); otherwise
/// the board's URL, else the library's frontal image, is downloaded like a video (a
/// `.part` file renamed into place, so the editor never decodes half a file), capped at
/// the size a preview is decoded from.
async fn fetch_preview(shared: &Arc<Shared>, ask: PreviewAsk) -> PreviewFetch {
    if tokio::fs::metadata(&ask.into)
        .await
        .is_ok_and(|m| m.is_file() && m.len() > 0)
    {
        return PreviewFetch::Fetched(ask.into);
    }
    let url = match ask.url.filter(|u| !u.trim().is_empty()) {
        Some(url) => url,
        None => match library_image(shared, ask.provider, &ask.id).await {
            Ok(Some(url)) => url,
            Ok(None) => return PreviewFetch::NoImage,
            Err(why) => return PreviewFetch::Failed(why),
        },
    };
    let limits = DownloadLimits {
        max_bytes: MAX_PREVIEW_BYTES,
        ..shared.tuning.download.clone()
    };
    let downloader = match Downloader::new(limits) {
        Ok(d) => d,
        Err(e) => return PreviewFetch::Failed(e.to_string()),
    };
    match downloader.download(&url, &ask.into, |_| {}).await {
        Ok(_) => PreviewFetch::Fetched(ask.into),
        Err(e) => PreviewFetch::Failed(e.to_string()),
    }
}

/// Element `id`'s frontal image as the library lists it (`None`: the element has none).
async fn library_image(
    shared: &Arc<Shared>,
    provider: Provider,
    id: &str,
) -> Result<Option<String>, String> {
    let items = list(shared, provider).await?;
    let item = items
        .into_iter()
        .find(|i| i.id == id)
        .ok_or_else(|| format!("element {id} is not in the library"))?;
    Ok(item.preview.filter(|u| !u.trim().is_empty()))
}

/// The library is Kling's own (`/v1/general/advanced-custom-elements`): a board on a
/// gateway or relay carries no `element_list`, so its library is not offered there.
async fn list(shared: &Arc<Shared>, provider: Provider) -> Result<Vec<LibraryItem>, String> {
    if provider != Provider::Kling {
        return Err(format!(
            "{provider} carries no element_list: the element library is on the official \
             Kling API (provider kling)"
        ));
    }
    let client = shared
        .client(Provider::Kling)
        .map_err(|e| format!("cannot open the element library: {e}"))?;
    let Client::Kling(kling) = &*client else {
        return Err("the element library is on the official Kling API only".into());
    };
    // A capped listing (more than 20 pages of tasks) still offers the newest ones; the
    // picker has no place for the note, the CLI's `elements list` prints it.
    let listing = kling
        .list_elements()
        .await
        .map_err(|e| format!("cannot list the element library: {e}"))?;
    Ok(listing
        .tasks
        .into_iter()
        .flat_map(|task| {
            let status = task.status;
            task.elements.into_iter().map(move |e| LibraryItem {
                status: e.status.unwrap_or_else(|| status.clone()),
                id: e.id,
                name: e.name,
                preview: e.frontal_image,
            })
        })
        .collect())
}
