//! Where a finished job's videos go on this machine, and what they are called.

use std::path::PathBuf;

use super::{Halt, Worker};
use shotdeck_providers::RemoteVideo;
use shotdeck_store::FileTarget;

impl Worker {
    /// Where each video goes (see [`file_targets`]).
    pub(super) async fn record_files(&mut self, videos: &[RemoteVideo]) -> Result<(), Halt> {
        let asked_here = self.shared.asked_here(self.view.asked_on());
        let settings = &self.shared.settings;
        let board = settings.board_here(&self.view, asked_here);
        let dir = match self.orphan && !asked_here {
            // Nobody's board here to put them beside: the orphans folder.
            true => settings.orphan_dir_for(&self.view),
            false => settings.render_dir_for(&board),
        };
        let stem = board
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "board".into());
        let names = FileNames {
            dir: PathBuf::from(&dir),
            stem,
            job: self.id,
            unique: unique_part(&self.view.external_task_id),
        };
        let targets = file_targets(&names, videos, self.watermark);
        let (id, owner) = (self.id, self.shared.owner.clone());
        let view = self
            .shared
            .store
            .set_files(id, &owner, targets, self.shared.now())
            .await?
            .ok_or(Halt::LeaseLost)?;
        self.view = view;
        Ok(())
    }
}

/// What a job's file names are made of.
struct FileNames {
    dir: PathBuf,
    stem: String,
    job: i64,
    /// From the job's external id: job ids restart in every store (the demo's, another
    /// data dir, a deleted one), so `<board>-<job id>` alone once named two paid videos.
    unique: String,
}

/// Eight characters of the external id (`shotdeck-<uuid>`), enough to tell jobs apart.
fn unique_part(external_task_id: &str) -> String {
    let id = external_task_id
        .strip_prefix("shotdeck-")
        .unwrap_or(external_task_id);
    id.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect()
}

/// `<render dir>/<board stem>-<job id>-<unique>[-<n>].<ext>` per video, and, when the board
/// asked for a watermark and the provider made one, `…-watermarked.<ext>` right after it:
/// the copy says what it is.
fn file_targets(names: &FileNames, videos: &[RemoteVideo], watermark: bool) -> Vec<FileTarget> {
    let mut targets = Vec::new();
    for (i, v) in videos.iter().enumerate() {
        let n = if videos.len() > 1 {
            format!("-{}", i + 1)
        } else {
            String::new()
        };
        let base = format!("{}-{}-{}{n}", names.stem, names.job, names.unique);
        targets.push(FileTarget {
            url: v.url.clone(),
            path: names.dir.join(format!("{base}.{}", extension(&v.url))),
        });
        if let Some(url) = v.watermark_url.as_ref().filter(|_| watermark) {
            targets.push(FileTarget {
                url: url.clone(),
                path: names
                    .dir
                    .join(format!("{base}-watermarked.{}", extension(url))),
            });
        }
    }
    targets
}

/// The file extension of a result URL, `mp4` unless the URL names another video type.
fn extension(url: &str) -> &'static str {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    ["mov", "webm", "mkv"]
        .into_iter()
        .find(|ext| path.ends_with(&format!(".{ext}")))
        .unwrap_or("mp4")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_extensions_default_to_mp4() {
        assert_eq!(extension("https://cdn.example/v/abc.mp4?sig=1"), "mp4");
        assert_eq!(extension("https://cdn.example/v/abc.MOV"), "mov");
        assert_eq!(extension("https://cdn.example/v/abc"), "mp4");
        assert_eq!(extension("https://cdn.example/v.webm#t=1"), "webm");
    }

    #[test]
    fn the_watermarked_copy_is_named_beside_the_clean_file_only_when_asked_for() {
        let names = FileNames {
            dir: PathBuf::from("/r"),
            stem: "noir".into(),
            job: 7,
            unique: unique_part("shotdeck-3f9a1c2e-77aa-4d2b-9c1e-0123456789ab"),
        };
        let video = |url: &str, wm: Option<&str>| RemoteVideo {
            id: None,
            url: url.into(),
            watermark_url: wm.map(str::to_string),
            duration_secs: None,
        };
        let one = [video("https://c/a.mp4", Some("https://c/a-wm.mp4"))];
        let paths = |t: Vec<FileTarget>| -> Vec<String> {
            t.iter().map(|f| f.path.display().to_string()).collect()
        };
        assert_eq!(
            paths(file_targets(&names, &one, true)),
            [
                "/r/noir-7-3f9a1c2e.mp4",
                "/r/noir-7-3f9a1c2e-watermarked.mp4"
            ]
        );
        assert_eq!(
            paths(file_targets(&names, &one, false)),
            ["/r/noir-7-3f9a1c2e.mp4"]
        );
        let two = [
            video("https://c/a.mp4", Some("https://c/a-wm.mp4")),
            video("https://c/b.mp4", None),
        ];
        assert_eq!(
            paths(file_targets(&names, &two, true)),
            [
                "/r/noir-7-3f9a1c2e-1.mp4",
                "/r/noir-7-3f9a1c2e-1-watermarked.mp4",
                "/r/noir-7-3f9a1c2e-2.mp4"
            ]
        );
    }
}
