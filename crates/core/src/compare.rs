//! Two takes of a board side by side: what changed in the prompts (shot by shot, word by
//! word) and in the settings. Pure: the engine gathers the facts ([`TakeFacts`]), the
//! compare overlay draws the [`Comparison`].

use std::collections::BTreeSet;
use std::path::PathBuf;

use super::model::Board;
use super::provider::Provider;

/// What one take was and produced, as the store and the disk know it.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeFacts {
    pub id: i64,
    pub take: u32,
    pub provider: Provider,
    /// The model billed (the board's, or the provider's stand-in).
    pub model: String,
    /// The board as it was sent.
    pub board: Board,
    pub estimated_usd: Option<f64>,
    /// The provider's charge as it sent it (Kling's units).
    pub units_charged: Option<String>,
    /// The charge in USD, when the model's unit price is configured.
    pub charged_usd: Option<f64>,
    pub files: Vec<TakeFile>,
    /// Every image the board named, with a hash of what was sent for it.
    pub images: Vec<SentImage>,
}

/// One of a take's videos.
#[derive(Debug, Clone, PartialEq)]
pub struct TakeFile {
    pub path: PathBuf,
    /// Its size on disk now; `None` when it is not there (deleted, or never downloaded).
    pub bytes: Option<u64>,
    /// Its length from the MP4 header, when readable.
    pub media_seconds: Option<f64>,
}

/// An image the board named.
#[derive(Debug, Clone, PartialEq)]
pub struct SentImage {
    /// `first_frame`, `last_frame`, `references[0]`, …
    pub slot: String,
    /// The board's reference: a path or a URL.
    pub file: String,
    /// SHA-256 (hex) of the image bytes sent for it (the file's `sha256sum` then); `None`
    /// for a URL or when it cannot be told.
    pub sha256: Option<String>,
}

/// How an entry of take B relates to take A's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Same,
    Changed,
    /// Only in take B.
    Added,
    /// Only in take A.
    Removed,
}

/// A word of a prompt; `changed` when the other take does not have it there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub changed: bool,
}

/// One prompt (a shot's, the single prompt or the negative prompt) in both takes.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptDiff {
    pub change: Change,
    /// `Shot 2 · 4 s` in take A; `None` when A does not have it.
    pub a_head: Option<String>,
    pub b_head: Option<String>,
    pub a: Vec<Word>,
    pub b: Vec<Word>,
}

/// One setting in both takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingRow {
    pub name: String,
    pub a: String,
    pub b: String,
}

impl SettingRow {
    pub fn differs(&self) -> bool {
        self.a != self.b
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub prompts: Vec<PromptDiff>,
    pub settings: Vec<SettingRow>,
}

/// Compares take `a` (the older, shown left) with take `b`.
pub fn compare(a: &TakeFacts, b: &TakeFacts) -> Comparison {
    let mut prompts = align(&prompt_items(&a.board), &prompt_items(&b.board));
    let (na, nb) = (&a.board.negative_prompt, &b.board.negative_prompt);
    if !na.is_empty() || !nb.is_empty() {
        prompts.push(pair(
            (!na.is_empty()).then(|| item("Negative".into(), na, None)),
            (!nb.is_empty()).then(|| item("Negative".into(), nb, None)),
        ));
    }
    Comparison {
        prompts,
        settings: settings(a, b),
    }
}

/// A prompt as compared: its heading and text; equal items are matched as unchanged.
#[derive(Debug, Clone, PartialEq)]
struct Item {
    head: String,
    prompt: String,
    /// Part of the identity: the same prompt at another length is a changed shot.
    seconds: Option<u64>,
}

fn item(head: String, prompt: &str, seconds: Option<f64>) -> Item {
    let seconds = seconds.map(|s| s.round() as u64);
    let head = match seconds {
        Some(s) => format!("{head} · {s} s"),
        None => head,
    };
    Item {
        head,
        prompt: prompt.to_string(),
        seconds,
    }
}

/// The prompts the board sends: its shot list, or the one prompt.
fn prompt_items(board: &Board) -> Vec<Item> {
    if board.uses_shot_list() {
        board
            .shots
            .iter()
            .enumerate()
            .map(|(i, s)| item(format!("Shot {}", i + 1), &s.prompt, Some(s.duration)))
            .collect()
    } else {
        vec![item("Prompt".into(), &board.prompt, Some(board.duration))]
    }
}

fn same(x: &Item, y: &Item) -> bool {
    x.prompt == y.prompt && x.seconds == y.seconds
}

/// Matches items with equal prompts (longest common subsequence; a matched pair whose
/// length changed is a changed shot), then pairs the unmatched items between two matches
/// in order as changed; what is left over was added or removed. A shot inserted in the
/// middle is one added shot, not every later shot changed.
fn align(a: &[Item], b: &[Item]) -> Vec<PromptDiff> {
    let matched = lcs_pairs(a, b, |x, y| x.prompt == y.prompt);
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (mi, mj) in matched.into_iter().chain([(a.len(), b.len())]) {
        let (olds, news) = (&a[i..mi], &b[j..mj]);
        for k in 0..olds.len().max(news.len()) {
            out.push(pair(olds.get(k).cloned(), news.get(k).cloned()));
        }
        if mi < a.len() {
            out.push(pair(Some(a[mi].clone()), Some(b[mj].clone())));
        }
        (i, j) = (mi + 1, mj + 1);
    }
    out
}

fn pair(a: Option<Item>, b: Option<Item>) -> PromptDiff {
    let plain = |item: &Item| words(&item.prompt).map(|w| word(w, false)).collect();
    let (change, aw, bw) = match (&a, &b) {
        (Some(x), Some(y)) if same(x, y) => (Change::Same, plain(x), plain(y)),
        (Some(x), Some(y)) => {
            let (aw, bw) = word_diff(&x.prompt, &y.prompt);
            (Change::Changed, aw, bw)
        }
        (Some(x), None) => (Change::Removed, plain(x), Vec::new()),
        (None, Some(y)) => (Change::Added, Vec::new(), plain(y)),
        (None, None) => (Change::Same, Vec::new(), Vec::new()),
    };
    PromptDiff {
        change,
        a_head: a.map(|x| x.head),
        b_head: b.map(|y| y.head),
        a: aw,
        b: bw,
    }
}

fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split_whitespace()
}

fn word(text: &str, changed: bool) -> Word {
    Word {
        text: text.to_string(),
        changed,
    }
}

/// Both prompts as words, each marked changed unless it is part of their longest common
/// subsequence of words.
fn word_diff(a: &str, b: &str) -> (Vec<Word>, Vec<Word>) {
    let (aw, bw): (Vec<&str>, Vec<&str>) = (words(a).collect(), words(b).collect());
    let common = lcs_pairs(&aw, &bw, |x, y| x == y);
    let kept_a: BTreeSet<usize> = common.iter().map(|p| p.0).collect();
    let kept_b: BTreeSet<usize> = common.iter().map(|p| p.1).collect();
    let mark = |ws: &[&str], kept: &BTreeSet<usize>| {
        ws.iter()
            .enumerate()
            .map(|(i, w)| word(w, !kept.contains(&i)))
            .collect()
    };
    (mark(&aw, &kept_a), mark(&bw, &kept_b))
}

/// Index pairs of a longest common subsequence of `a` and `b`, in order.
fn lcs_pairs<T>(a: &[T], b: &[T], eq: impl Fn(&T, &T) -> bool) -> Vec<(usize, usize)> {
    let (n, m) = (a.len(), b.len());
    // len[i][j]: the LCS length of a[i..] and b[j..].
    let mut len = vec![vec![0usize; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            len[i][j] = if eq(&a[i], &b[j]) {
                len[i + 1][j + 1] + 1
            } else {
                len[i + 1][j].max(len[i][j + 1])
            };
        }
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if eq(&a[i], &b[j]) {
            out.push((i, j));
            (i, j) = (i + 1, j + 1);
        } else if len[i + 1][j] >= len[i][j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

fn settings(a: &TakeFacts, b: &TakeFacts) -> Vec<SettingRow> {
    let row = |name: &str, f: &dyn Fn(&TakeFacts) -> String| SettingRow {
        name: name.to_string(),
        a: f(a),
        b: f(b),
    };
    let yes_no = |on: bool| if on { "on" } else { "off" }.to_string();
    let mut rows = vec![
        row("Provider", &|t| t.provider.to_string()),
        row("Model", &|t| t.model.clone()),
        row("Mode", &|t| t.board.mode.as_str().to_string()),
        row("Quality", &|t| t.board.quality.clone()),
        row("Aspect", &|t| t.board.effective_aspect_ratio().to_string()),
        row("Duration", &|t| format!("{} s", t.board.total_duration())),
        row("Shots", &|t| shots_kind(&t.board)),
        row("CFG scale", &|t| format!("{}", t.board.cfg_scale)),
        row("Sound", &|t| yes_no(t.board.sound)),
        row("Watermark", &|t| yes_no(t.board.watermark)),
    ];
    // Fields shotdeck has no name for (a seed, say) still count: they are sent as written.
    let extra: BTreeSet<&String> = a.board.extra.keys().chain(b.board.extra.keys()).collect();
    for key in extra {
        rows.push(row(key, &|t| {
            t.board
                .extra
                .get(key)
                .map_or_else(|| "—".to_string(), |v| v.to_string())
        }));
    }
    let slots: BTreeSet<&String> = a.images.iter().chain(&b.images).map(|i| &i.slot).collect();
    for slot in slots {
        rows.push(row(slot, &|t| {
            t.images
                .iter()
                .find(|i| &i.slot == slot)
                .map_or_else(|| "—".to_string(), image_label)
        }));
    }
    rows
}

fn shots_kind(board: &Board) -> String {
    match (board.multi_shot, board.uses_shot_list()) {
        (false, _) => "single".into(),
        (true, true) => format!("{} custom", board.shots.len()),
        (true, false) => "auto".into(),
    }
}

/// `street.png · 3f2a9c01b2d4` (the hash's head tells two versions of one file apart).
fn image_label(image: &SentImage) -> String {
    match &image.sha256 {
        Some(hash) => format!("{} · {}", image.file, &hash[..hash.len().min(12)]),
        None => image.file.clone(),
    }
}

#[cfg(test)]
mod tests;
