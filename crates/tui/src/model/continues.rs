//! A board that continues from the previous board's keeper, as the editor shows it before
//! anything is sent: the Request pane previews the body with the continuation on it (the
//! `video_list` entry, or the keeper's last frame as the first frame, and the prompt's
//! prefix when it gets one), and the submit and retry dialogs say the same line. The plan is
//! pure core (`SequenceStatus::continuation`) from the sequence and keepers the engine sent:
//! no file is read and nothing is fetched here.

use std::path::Path;

use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::jobs::Refusal;
use shotdeck_core::sequence::continuation::{VIDEO_PREFIX, needs_prefix};
use shotdeck_core::sequence::{Continuation, ContinueHow, SequenceStatus, board_name};
use shotdeck_core::{Board, Provider};

use crate::model::derived::{Derived, Preview};
use crate::model::doc::Doc;

/// A result URL longer than this is shown shortened: signed URLs run to hundreds of
/// characters, most of them the signature.
pub const URL_SHOWN: usize = 60;

impl Doc {
    pub fn sequence(&self) -> Option<&SequenceStatus> {
        self.sequence.as_ref()
    }

    /// The board's sequence as the store has it (`None`: not in one).
    pub fn set_sequence(&mut self, sequence: Option<SequenceStatus>) {
        self.sequence = sequence;
        self.rederive();
    }

    /// A job's news, for the sequence's keepers: the preview follows a keeper change.
    pub fn sequence_job(&mut self, job: &shotdeck_core::jobs::JobView) {
        if self.sequence.as_mut().is_some_and(|s| s.apply(job)) {
            self.rederive();
        }
    }
}

/// How `board` continues, as its sequence says, planned now (see
/// `SequenceStatus::continuation`); `None` outside a sequence or when it continues from
/// nothing.
pub fn plan(
    sequence: Option<&SequenceStatus>,
    identity: &Path,
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
) -> Option<Result<Continuation, Refusal>> {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    sequence?.continuation(identity, board, provider, profiles, now_ms)
}

/// The line the dialogs and the Request pane show, saying when the prompt gets the video's
/// prefix: `02-market continues from 01-arrival take 2: video reference (omni) ("Continue
/// from <<<video_1>>>:" goes before the prompt)`.
pub fn line(identity: &Path, c: &Continuation, board: &Board) -> String {
    let name = identity.to_string_lossy();
    let mut line = c.line(board_name(&name));
    if matches!(c.how, ContinueHow::VideoReference { .. }) && needs_prefix(board) {
        line.push_str(&format!(
            " ({:?} goes before the prompt)",
            VIDEO_PREFIX.trim_end()
        ));
    }
    line
}

/// Puts the plan on what the Request pane shows: the line (or the refusal) and the body as
/// a submit sends it, the board on disk untouched. A refused plan leaves the body as the
/// board alone would compose, with the refusal said above it.
pub fn show(
    derived: &mut Derived,
    plan: Option<Result<Continuation, Refusal>>,
    identity: &Path,
    board: &Board,
    provider: Provider,
    profiles: &Profiles,
) {
    derived.continues = plan.map(|planned| {
        let c = planned.map_err(|r| r.to_string())?;
        let said = line(identity, &c, board);
        let mut sent = board.clone();
        c.clone().apply(&mut sent);
        // The last frame is a local image like any other: shown as its placeholder.
        derived.preview = Preview::of(&sent, provider, profiles);
        if let (Ok(p), ContinueHow::VideoReference { video_url, .. }) =
            (&mut derived.preview, &c.how)
        {
            shorten_url(p, video_url, &format!("{} take {}", c.board, c.take));
        }
        Ok(said)
    });
}

/// The `video_url` row names the keeper's take before the URL, the URL shortened when long
/// (see [`shown_url`]), inside `<…>` like an image's placeholder: it is what the preview
/// shows, not the byte-exact body.
fn shorten_url(p: &mut Preview, url: &str, take: &str) {
    let quoted = serde_json::Value::from(url).to_string();
    for l in &mut p.lines {
        if l.key.trim_start() == "\"video_url\": " && l.rest.starts_with(&quoted) {
            let tail = &l.rest[quoted.len()..];
            l.rest = format!("\"<{take}'s video: {}>\"{tail}", shown_url(url));
        }
    }
}

/// A URL of at most [`URL_SHOWN`] characters as it is; a longer one without its query
/// (`?…`, the signature), and when still long as its scheme and host, `…` and its file name:
/// `https://v1-kling.klingai.com/…/result.mp4?…`.
pub fn shown_url(url: &str) -> String {
    if url.chars().count() <= URL_SHOWN {
        return url.to_string();
    }
    let (path, query) = match url.split_once('?') {
        Some((path, _)) => (path, "?…"),
        None => (url, ""),
    };
    if path.chars().count() + query.chars().count() <= URL_SHOWN {
        return format!("{path}{query}");
    }
    let after_scheme = path.find("://").map_or(0, |i| i + 3);
    let host_end = path[after_scheme..]
        .find('/')
        .map_or(path.len(), |i| after_scheme + i);
    let file = path[host_end..].rsplit('/').next().unwrap_or_default();
    format!("{}/…/{file}{query}", &path[..host_end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_url_is_shown_whole() {
        let url = "http://127.0.0.1:4010/videos/task-1.mp4";
        assert_eq!(shown_url(url), url);
    }

    #[test]
    fn a_long_url_loses_its_signature_then_its_folders() {
        let signed = format!(
            "https://v1-kling.klingai.com/bs2/upload/result.mp4?x-expires=1&sig={}",
            "a".repeat(80)
        );
        assert_eq!(
            shown_url(&signed),
            "https://v1-kling.klingai.com/bs2/upload/result.mp4?…"
        );
        let deep = format!("https://cdn.example/{}/result.mp4?sig=1", "d/".repeat(40));
        assert_eq!(shown_url(&deep), "https://cdn.example/…/result.mp4?…");
        let unsigned = format!("https://cdn.example/{}/result.mp4", "d/".repeat(40));
        assert_eq!(shown_url(&unsigned), "https://cdn.example/…/result.mp4");
    }
}
