//! What the engine uses of the user's settings: prices and limits for the money checks,
//! the gateway profiles, and where videos go. The binary builds it from config.toml; the
//! engine never sees the theme, the keys, notifications or anything else it does not use.

use std::path::{Path, PathBuf};

use shotdeck_core::budget::{Budget, UnitPrices};
use shotdeck_core::cost::{PriceTable, default_prices};
use shotdeck_core::gateway_profile::Profiles;
use shotdeck_core::jobs::{JobView, Refusal};

#[derive(Debug, Clone, PartialEq)]
pub struct EngineSettings {
    /// USD per second by provider, model and quality: a submit's estimate.
    pub prices: PriceTable,
    /// USD per charged unit, by model: what the ledger's charges cost.
    pub usd_per_unit: UnitPrices,
    /// Spending limits, checked when a job is recorded or sent.
    pub budget: Budget,
    /// Gateway profiles: composing, validating and reading a gateway's answers.
    pub profiles: Profiles,
    /// Why nothing paid may be sent: the money keys did not read cleanly, so a limit or
    /// price may be missing (submit, retry and send all check it).
    pub money_refusal: Option<String>,
    /// Where a board's videos go: `{board}` is the board's stem; relative to its folder.
    pub render_dir: String,
    /// The project this machine has a copy of (found from the working folder or
    /// `--project`): a job of that project asked for on another machine lands in the
    /// same board's folder here.
    pub project_here: Option<ProjectHere>,
    /// Where a job asked for on another machine lands when its project is not here.
    pub fetch_dir: Option<PathBuf>,
    /// A job whose videos no machine has is fetched here once it is this many days old
    /// (`[team] fetch_orphans_after_days`; 0: never).
    pub orphans_after_days: u32,
    /// Where such a job's videos go when this machine has no copy of its project (the data
    /// dir's `orphans/`; `None`: as `jobs fetch` would place them).
    pub orphans_dir: Option<PathBuf>,
}

/// A project's id (`shotdeck:<uuid>`, `git:<remote>`) and its root on this machine.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectHere {
    pub id: String,
    pub root: PathBuf,
}

impl Default for EngineSettings {
    /// config.toml's defaults: list prices, no limits, `{board}.renders`.
    fn default() -> Self {
        EngineSettings {
            prices: default_prices(),
            usd_per_unit: UnitPrices::new(),
            budget: Budget::default(),
            profiles: Profiles::default(),
            money_refusal: None,
            render_dir: shotdeck_files::config::DEFAULT_RENDER_DIR.into(),
            project_here: None,
            fetch_dir: None,
            orphans_after_days: shotdeck_files::config::DEFAULT_FETCH_ORPHANS_AFTER_DAYS,
            orphans_dir: None,
        }
    }
}

impl EngineSettings {
    /// Why a paid command is refused before anything else is looked at, if it is.
    pub fn money_refusal(&self) -> Option<Refusal> {
        let why = self.money_refusal.clone()?;
        Some(Refusal::MoneyConfig { why })
    }

    /// The folder a board's videos are downloaded into.
    pub fn render_dir_for(&self, board_path: &Path) -> PathBuf {
        shotdeck_files::config::render_dir_for(&self.render_dir, board_path)
    }

    /// Places the videos of jobs asked for on other machines as `jobs fetch` does from
    /// `dir` (the working folder, or the board the editor opened): beside the same board in
    /// the project around `dir` when every machine can name it, else in the render dir of
    /// a board of that name in `dir`.
    pub fn place_from(&mut self, dir: &Path) {
        let found = shotdeck_files::project::resolve(&dir.join("board.json"));
        if found.key.is_shared() {
            self.project_here = Some(ProjectHere {
                id: found.key.project,
                root: found.root,
            });
        }
        self.fetch_dir = Some(found.board_path.parent().unwrap_or(dir).to_path_buf());
    }

    /// Where the videos of a job nobody fetched go when this machine did not ask for it:
    /// its project's `.shotdeck/orphans/` when the project is here, else `orphans_dir`,
    /// else as `jobs fetch` places them.
    pub fn orphan_dir_for(&self, view: &JobView) -> PathBuf {
        match (&self.project_here, &self.orphans_dir) {
            (Some(here), _) if view.board_key.is_shared() && here.id == view.board_key.project => {
                shotdeck_files::project::orphans_dir(&here.root)
            }
            (_, Some(dir)) => dir.clone(),
            _ => self.render_dir_for(&self.board_here(view, false)),
        }
    }

    /// The board a job's videos land beside on this machine: the asker's board when this
    /// machine asked; else the same board in this machine's copy of its project; else one
    /// of that name in `fetch_dir` (the asker's path when there is none).
    pub fn board_here(&self, view: &JobView, asked_here: bool) -> PathBuf {
        if asked_here {
            return view.board_path.clone();
        }
        if let Some(here) = &self.project_here
            && view.board_key.is_shared()
            && here.id == view.board_key.project
        {
            return view
                .board_key
                .path
                .split('/')
                .fold(here.root.clone(), |p, part| p.join(part));
        }
        match (&self.fetch_dir, view.board_path.file_name()) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => view.board_path.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_money_problem_refuses_and_says_nothing_was_sent() {
        let mut s = EngineSettings::default();
        assert_eq!(s.money_refusal(), None);
        s.money_refusal = Some("config.toml must be fixed: budget.per_day".into());
        let refusal = s.money_refusal().expect("refused");
        assert!(matches!(refusal, Refusal::MoneyConfig { .. }));
        assert_eq!(
            refusal.to_string(),
            "config.toml must be fixed: budget.per_day; nothing was sent"
        );
    }

    #[test]
    fn videos_go_beside_the_board_unless_the_rule_is_absolute() {
        let s = EngineSettings::default();
        assert_eq!(
            s.render_dir_for(Path::new("/films/noir.json")),
            Path::new("/films/noir.renders")
        );
        let abs = EngineSettings {
            render_dir: "/renders/{board}".into(),
            ..EngineSettings::default()
        };
        assert_eq!(
            abs.render_dir_for(Path::new("/films/noir.json")),
            Path::new("/renders/noir")
        );
    }

    /// The editor's `d` and `jobs fetch` on another machine's job: placed from a folder in
    /// this machine's copy of the project, the videos land beside the same board in this
    /// copy, not at the asker's path; a result nobody fetched goes to its `orphans/`.
    #[test]
    fn another_machines_job_lands_in_this_machines_copy_of_the_project() {
        use shotdeck_core::BoardKey;
        let copy = tempfile::tempdir().unwrap();
        let shotdeck_files::project::Init::Created { id, .. } =
            shotdeck_files::project::init(copy.path(), None).unwrap()
        else {
            panic!("a fresh folder is not a project yet");
        };
        let boards = copy.path().join("boards");
        std::fs::create_dir_all(&boards).unwrap();
        let mut s = EngineSettings {
            orphans_dir: Some(PathBuf::from("/data/orphans")),
            ..EngineSettings::default()
        };
        s.place_from(&boards);
        let root = std::fs::canonicalize(copy.path()).unwrap();
        let view = |project: &str| {
            let mut v: JobView = serde_json::from_value(serde_json::json!({
                "id": 7, "board_path": "/home/ann/noir/boards/noir.json", "board_title": "",
                "provider": "kling", "external_task_id": "x", "task_id": null,
                "phase": "done", "status_msg": null, "error": null, "files": [],
                "seconds": 5.0, "estimated_usd": null, "created_at": 0, "updated_at": 0,
                "finished_at": null
            }))
            .unwrap();
            v.board_key = BoardKey {
                project: project.into(),
                path: "boards/noir.json".into(),
            };
            v
        };
        let ours = view(&format!("shotdeck:{id}"));
        assert_eq!(
            s.render_dir_for(&s.board_here(&ours, false)),
            root.join("boards/noir.renders")
        );
        assert_eq!(
            s.board_here(&ours, true),
            Path::new("/home/ann/noir/boards/noir.json"),
            "asked here: the asker's own path"
        );
        assert_eq!(s.orphan_dir_for(&ours), root.join(".shotdeck/orphans"));
        let theirs = view("shotdeck:another-project");
        assert_eq!(s.orphan_dir_for(&theirs), Path::new("/data/orphans"));
        assert_eq!(
            s.board_here(&theirs, false),
            root.join("boards/noir.json"),
            "not this project: a board of that name in the folder placed from"
        );
    }
}
