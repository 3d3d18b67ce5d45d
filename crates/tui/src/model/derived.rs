//! What the panes show that is computed from the board: findings, the request preview, the
//! cost estimate. Recomputed after each edit (validation and composition take microseconds),
//! never while rendering. Image facts come from a cache that probes a file only when a path
//! is new to it, so typing never touches the disk.

use std::path::Path;

use shotdeck_core::compose::{PlaceholderImages, UNASSIGNED_TASK_ID, compose_with};
use shotdeck_core::cost::{Estimate, PriceTable, estimate};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::images::{ImageFact, ImageFacts};
use shotdeck_core::{Board, FieldPath, Finding, Provider, Severity, ShotField, validate_for};
use shotdeck_files::image_probe;

/// Image facts by reference, probed once per distinct path.
#[derive(Debug, Default)]
pub struct ImageCache {
    facts: ImageFacts,
}

impl ImageCache {
    /// Probes the board's images that the cache has not seen. Returns true if it probed.
    pub fn refresh(&mut self, board: &Board, board_dir: &Path) -> bool {
        let mut probed = false;
        for (_, reference) in board.image_refs() {
            if reference.trim().is_empty() || self.facts.contains_key(reference) {
                continue;
            }
            let fact = image_probe::probe(board_dir, reference);
            self.facts.insert(reference.to_string(), fact);
            probed = true;
        }
        probed
    }

    /// Forgets every fact (the user changed files on disk).
    pub fn clear(&mut self) {
        self.facts.clear();
    }

    pub fn facts(&self) -> &ImageFacts {
        &self.facts
    }

    pub fn get(&self, reference: &str) -> Option<&ImageFact> {
        self.facts.get(reference)
    }
}

/// One line of the pretty-printed request, split so the key can be coloured without any
/// parsing at draw time.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonLine {
    /// Indentation plus `"key": ` (empty for lines without a key).
    pub key: String,
    pub rest: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub method: String,
    pub path: String,
    pub lines: Vec<JsonLine>,
}

impl Preview {
    /// The request `board` composes to, local images as placeholders, or why it does not.
    pub fn of(board: &Board, provider: Provider, profiles: &Profiles) -> Result<Preview, String> {
        compose_with(
            board,
            provider,
            profiles,
            &PlaceholderImages,
            UNASSIGNED_TASK_ID,
        )
        .map(|req| Preview {
            lines: json_lines(&req.body),
            method: req.method,
            path: req.path,
        })
        .map_err(|e| e.to_string())
    }
}

/// Worst severity among a set of findings, or fine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Ok,
    Warning,
    Error,
}

impl Level {
    fn of<'a>(findings: impl Iterator<Item = &'a Finding>) -> Level {
        findings
            .map(|f| match f.severity {
                Severity::Error => Level::Error,
                Severity::Warning => Level::Warning,
            })
            .max()
            .unwrap_or(Level::Ok)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub findings: Vec<Finding>,
    pub errors: usize,
    pub warnings: usize,
    /// Worst finding per shot (index = shot).
    pub shot_levels: Vec<Level>,
    pub total_seconds: f64,
    /// State of the total duration: findings on `duration`, `shots` or a shot's duration.
    pub total_level: Level,
    pub preview: Result<Preview, String>,
    pub estimate: Option<Estimate>,
    /// What the route will carry of the board (the submit dialog's "Carries" line).
    pub carries: String,
    /// How the board continues from the previous board's keeper, when its sequence says
    /// so: the line said above the preview (which then shows the body with it), or why a
    /// submit would be refused (see `model::continues`).
    pub continues: Option<Result<String, String>>,
}

impl Derived {
    pub fn compute(
        board: &Board,
        provider: Provider,
        facts: &ImageFacts,
        prices: &PriceTable,
        profiles: &Profiles,
    ) -> Derived {
        let findings = validate_for(board, provider, profiles, facts);
        let shot_levels = (0..board.shots.len())
            .map(|i| Level::of(findings.iter().filter(|f| f.shot_index() == Some(i))))
            .collect();
        let total_level = Level::of(findings.iter().filter(|f| {
            matches!(
                f.path,
                FieldPath::Duration
                    | FieldPath::Shots
                    | FieldPath::Shot {
                        field: ShotField::Duration,
                        ..
                    }
            )
        }));
        let errors = findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .count();
        // The user's gateway profiles: the preview is what a submit sends.
        let preview = Preview::of(board, provider, profiles);
        Derived {
            errors,
            warnings: findings.len() - errors,
            findings,
            shot_levels,
            total_seconds: board.total_duration(),
            total_level,
            preview,
            estimate: estimate(board, provider, prices),
            carries: with_route(
                profiles.caps(provider).carries(board),
                board,
                provider,
                profiles,
            ),
            continues: None,
        }
    }
}

/// The submit dialog's "Carries" line names the design when a board goes by Kling's v2
/// design (API key only); the legacy design, the default, adds nothing.
fn with_route(carries: String, board: &Board, provider: Provider, profiles: &Profiles) -> String {
    match shotdeck_core::compose::kling_design(board, profiles, shotdeck_core::MODELS) {
        Ok(shotdeck_core::kling_v2::Design::V2) if provider == Provider::Kling => {
            format!("{carries} · route: kling v2 (api key)")
        }
        _ => carries,
    }
}

fn json_lines(body: &serde_json::Value) -> Vec<JsonLine> {
    let text = serde_json::to_string_pretty(body).unwrap_or_default();
    text.lines()
        .map(|line| {
            let indent = line.len() - line.trim_start().len();
            let body = &line[indent..];
            // A key is a JSON string at the start of the line followed by `": `.
            let split = body
                .starts_with('"')
                .then(|| body.find("\": ").map(|i| indent + i + 3))
                .flatten();
            match split {
                Some(at) => JsonLine {
                    key: line[..at].to_string(),
                    rest: line[at..].to_string(),
                },
                None => JsonLine {
                    key: line[..indent].to_string(),
                    rest: body.to_string(),
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use shotdeck_core::cost::default_prices;

    #[test]
    fn the_preview_uses_the_users_gateway_profile() {
        let mut profiles = Profiles::default();
        profiles.gateway.create_path = "/relay/v2/video/generations".into();
        let d = Derived::compute(
            &Board::starter(),
            Provider::Gateway,
            &ImageFacts::new(),
            &default_prices(),
            &profiles,
        );
        assert_eq!(d.preview.unwrap().path, "/relay/v2/video/generations");
    }

    #[test]
    fn levels_and_preview_follow_the_board() {
        let mut b = Board::starter();
        let d = Derived::compute(
            &b,
            Provider::Kling,
            &ImageFacts::new(),
            &default_prices(),
            &Profiles::default(),
        );
        assert_eq!((d.errors, d.total_level), (0, Level::Ok));
        let p = d.preview.unwrap();
        assert_eq!(p.path, "/v1/videos/text2video");
        assert!(p.lines.iter().any(|l| l.key == "  \"model_name\": "));
        assert!(d.estimate.is_some());

        b.shots[0].duration = 10.0;
        b.shots[1].prompt.clear();
        let d = Derived::compute(
            &b,
            Provider::Gateway,
            &ImageFacts::new(),
            &default_prices(),
            &Profiles::default(),
        );
        assert_eq!(d.total_level, Level::Error);
        assert_eq!(d.shot_levels, [Level::Ok, Level::Error, Level::Ok]);
        assert_eq!(d.preview.unwrap().path, "/v1/video/generations");
    }

    #[test]
    fn json_lines_split_keys_from_values() {
        let lines = json_lines(&serde_json::json!({"a": {"b: c": "x\": y"}, "l": [1]}));
        assert_eq!(lines[1].key, "  \"a\": ");
        assert_eq!(lines[2].key, "    \"b: c\": ");
        assert_eq!(lines[2].rest, "\"x\\\": y\"");
        assert_eq!(lines[5].key, "    ");
        assert_eq!(lines[5].rest, "1");
    }

    #[test]
    fn the_cache_probes_each_path_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut b = Board::starter();
        b.first_frame = Some("missing.png".into());
        let mut cache = ImageCache::default();
        assert!(cache.refresh(&b, dir.path()));
        assert!(!cache.refresh(&b, dir.path()), "same path: no probe");
        assert!(matches!(
            cache.get("missing.png"),
            Some(ImageFact::Missing(_))
        ));
        b.first_frame = Some("other.png".into());
        assert!(cache.refresh(&b, dir.path()));
    }
}
