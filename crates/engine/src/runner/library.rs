//! The account's element library for a front end that stays off HTTP (the editor's
//! element picker): listed on its own task, so a slow answer never holds the loop.

use std::sync::Arc;

use shotdeck_core::Provider;
use shotdeck_core::elements::LibraryItem;
use shotdeck_core::jobs::JobEvent;
use shotdeck_providers::Client;

use super::EngineLoop;
use crate::worker::Shared;

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
    let tasks = kling
        .list_elements()
        .await
        .map_err(|e| format!("cannot list the element library: {e}"))?;
    Ok(tasks
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
