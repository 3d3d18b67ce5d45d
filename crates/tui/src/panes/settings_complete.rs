//! Tab in an open path field, as a shell does it: the first Tab extends the text to what
//! every matching entry shares (listing them when there are several), a Tab that cannot
//! extend it steps through the matches. The folder is read by the files layer, relative to
//! the board's folder; `~` is the home directory.

use std::path::{Path, PathBuf};

use shotdeck_files::image_files::{complete, expand_home};

/// The matches a run of Tabs steps through, and which one the field shows.
#[derive(Debug, Default)]
pub(super) struct PathCompletion {
    cycle: Option<(Vec<String>, usize)>,
}

/// What one Tab does: the field's new text (if it changes) and a line for the user.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Completed {
    pub text: Option<String>,
    pub message: Option<String>,
}

fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|d| d.home_dir().to_path_buf())
}

fn common_prefix(texts: &[String]) -> &str {
    let first = texts[0].as_str();
    let len = texts[1..].iter().fold(first.len(), |len, t| {
        first[..len]
            .char_indices()
            .zip(t.chars())
            .find(|((_, a), b)| a != b)
            .map_or(len.min(t.len()), |((i, _), _)| i)
    });
    &first[..len]
}

/// "3 matches: a.png  b.png  shots/" with each entry's last part only.
fn listing(texts: &[String]) -> String {
    let names: Vec<&str> = texts
        .iter()
        .map(|t| {
            let trimmed = t.trim_end_matches('/');
            let start = trimmed.rfind('/').map_or(0, |i| i + 1);
            &t[start..]
        })
        .collect();
    format!("{} matches: {}", texts.len(), names.join("  "))
}

impl PathCompletion {
    pub(super) fn tab(&mut self, board_dir: &Path, typed: &str) -> Completed {
        if let Some((texts, at)) = &mut self.cycle
            && texts[*at] == typed
        {
            *at = (*at + 1) % texts.len();
            return Completed {
                text: Some(texts[*at].clone()),
                message: Some(format!("{} of {}", *at + 1, texts.len())),
            };
        }
        self.cycle = None;
        let home = home();
        let texts: Vec<String> = complete(board_dir, typed, home.as_deref())
            .into_iter()
            .map(|c| c.text)
            .collect();
        match texts.len() {
            0 => Completed {
                text: None,
                message: Some(format!("nothing here starts with {typed:?}")),
            },
            1 => Completed {
                text: texts.into_iter().next(),
                message: None,
            },
            _ => {
                let shared = common_prefix(&texts).to_string();
                let message = Some(listing(&texts));
                if shared.len() > expand_home(typed, home.as_deref()).len() {
                    return Completed {
                        text: Some(shared),
                        message,
                    };
                }
                let first = texts[0].clone();
                self.cycle = Some((texts, 0));
                Completed {
                    text: Some(first),
                    message,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tab_extends_then_cycles() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("frames")).unwrap();
        for f in ["frames/shot_a.png", "frames/shot_b.png", "frames/wide.jpg"] {
            std::fs::write(d.join(f), b"x").unwrap();
        }
        let mut c = PathCompletion::default();
        let one = c.tab(d, "fr");
        assert_eq!((one.text.as_deref(), one.message), (Some("frames/"), None));
        let shared = c.tab(d, "frames/s");
        assert_eq!(shared.text.as_deref(), Some("frames/shot_"));
        assert_eq!(
            shared.message.as_deref(),
            Some("2 matches: shot_a.png  shot_b.png")
        );
        let first = c.tab(d, "frames/shot_");
        assert_eq!(first.text.as_deref(), Some("frames/shot_a.png"));
        let second = c.tab(d, "frames/shot_a.png");
        assert_eq!(second.text.as_deref(), Some("frames/shot_b.png"));
        assert_eq!(second.message.as_deref(), Some("2 of 2"));
        assert_eq!(
            c.tab(d, "frames/shot_b.png").text.as_deref(),
            Some("frames/shot_a.png")
        );
        let none = c.tab(d, "zz");
        assert_eq!(none.text, None);
        assert_eq!(
            none.message.as_deref(),
            Some("nothing here starts with \"zz\"")
        );
    }

    #[test]
    fn the_shared_prefix_stops_at_the_first_difference() {
        let texts = ["shot_ab".to_string(), "shot_ac".into(), "shot_x".into()];
        assert_eq!(common_prefix(&texts), "shot_");
        assert_eq!(common_prefix(&["été".into(), "étoile".into()]), "ét");
    }
}
