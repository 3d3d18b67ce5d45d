//! What the editor is started with: the engine's channels, config, keys and theme, and the
//! engine's late start.

use std::path::Path;

use tokio::sync::mpsc::{Receiver, Sender};

use crate::app::event_loop::Outside;
use crate::host::{Host, SystemHost};
use crate::keymap::Keymap;
use crate::model::doc::RescueSlot;
use crate::theme::{Styles, ThemeColors};
use shotdeck_core::Provider;
use shotdeck_core::jobs::{JobCmd, JobCounts, JobEvent, JobView};
use shotdeck_core::sequence::SequenceStatus;
use shotdeck_files::config::Config;
use shotdeck_files::logging::log_path;

/// The engine's side of the start, delivered after the first frame (see [`LateStart`]).
#[derive(Debug, Default)]
pub struct History {
    /// Jobs in the store when the engine started (as [`UiDeps::initial_jobs`]).
    pub jobs: Vec<JobView>,
    /// As [`UiDeps::job_counts`].
    pub counts: Option<JobCounts>,
    /// Why submits are refused (no job store, no simulated backend), shown once.
    pub warning: Option<String>,
    /// The board's sequence with its keepers as the store has them (as [`UiDeps::sequence`]).
    pub sequence: Option<SequenceStatus>,
}

/// Starts what the editor does not need for its first frame (the engine and its job store,
/// the demo's simulator, HTTP clients with their root certificates): `run` calls it right
/// after that frame is drawn, so the editor appears without waiting for them. The receiver
/// answers once they are up; until then the Jobs pane says it is loading.
pub type LateStart = Box<dyn FnOnce() -> tokio::sync::oneshot::Receiver<History> + Send>;

/// Everything the UI needs from outside: the engine's channels, config, keys and theme.
/// Whether a paid send to a provider may go ahead, asked before a paid confirmation opens:
/// `Err` says why not (no credentials, naming the variables; a broken `[budget]`). The app
/// builds it (the UI never builds provider clients).
pub type PaidCheck = std::sync::Arc<dyn Fn(Provider) -> Result<(), String> + Send + Sync>;

pub struct UiDeps {
    /// Bounded: the editor never waits to send; a full channel is said as "busy".
    pub jobs_tx: Sender<JobCmd>,
    pub jobs_rx: Receiver<JobEvent>,
    /// Jobs already in the store when the UI starts.
    pub initial_jobs: Vec<JobView>,
    /// Each board's job count in the store; `None`: `initial_jobs` is the whole history.
    pub job_counts: Option<JobCounts>,
    /// When set, the history (and `initial_jobs`, `job_counts`) arrives after the first
    /// frame instead.
    pub late_start: Option<LateStart>,
    /// Shows a SIMULATED badge (`--demo`).
    pub simulated: bool,
    /// How long the engine waits on the way out for a create in flight (its `create_grace`).
    pub create_grace: std::time::Duration,
    pub config: Config,
    /// The provider the preview and submit use at start (`--provider` or config).
    pub provider: Provider,
    pub keymap: Keymap,
    pub styles: Styles,
    pub host: Box<dyn Host>,
    /// Problems with user files (config, keymap, theme), shown once at start.
    pub warnings: Vec<String>,
    /// Asked before a submit's or a paid retry's confirmation (see [`PaidCheck`]).
    pub paid_check: PaidCheck,
    /// Lines for the help overlay: where config and logs live.
    pub help_paths: Vec<String>,
    /// Where the panic hook finds unsaved work.
    pub rescue: RescueSlot,
    /// Stop signals and Ctrl-Z, from the real terminal (`run_terminal` fills it in).
    pub outside: Outside,
    /// Why the board may not be written without asking (no write permission, another
    /// shotdeck holds it); `None` when it may.
    pub read_only: Option<String>,
    /// The terminal's graphics protocol and cell size, asked once at start (`None`:
    /// half-blocks, as in tests and under `images = "halfblocks"`).
    pub picker: Option<ratatui_image::picker::Picker>,
    /// The sequence the board is in, when it is in one (the Timeline pane shows its running
    /// time and the boards without a keeper).
    pub sequence: Option<SequenceStatus>,
    /// Where the engine caches the board's element pictures (`<data dir>/element-previews`;
    /// `None`, as in tests unless set: none are fetched, the row says "not fetched").
    pub element_previews: Option<std::path::PathBuf>,
}

impl UiDeps {
    /// Embedded defaults plus config.toml's `[keys]` and built-in `theme`; reads no files
    /// and no environment, so tests get the same UI everywhere.
    pub fn new(jobs_tx: Sender<JobCmd>, jobs_rx: Receiver<JobEvent>, config: Config) -> UiDeps {
        // A bad config.toml is said at start (status line and message log).
        let mut warnings = config.warnings();
        let mut keymap = Keymap::defaults();
        let mut with_keys = keymap.clone();
        match with_keys.overlay(&config.keys) {
            Ok(taken) => {
                keymap = with_keys;
                warnings.extend(
                    taken
                        .into_iter()
                        .map(|w| format!("config.toml [keys]: {w}")),
                );
            }
            Err(e) => warnings.push(format!("config.toml [keys]: {e} (using default keys)")),
        }
        let colors = match ThemeColors::builtin(&config.theme) {
            Ok(p) => p,
            Err(e) => {
                // A user theme file by this name may still resolve it (with_user_files).
                warnings.push(format!("{e}; using dark"));
                ThemeColors::builtin("dark").expect("built-in dark theme")
            }
        };
        // Without the app's check (tests): only config.toml's money keys are held to.
        let money = config.money_refusal();
        let paid_check: PaidCheck = std::sync::Arc::new(move |_| money.clone().map_or(Ok(()), Err));
        UiDeps {
            paid_check,
            jobs_tx,
            jobs_rx,
            initial_jobs: Vec::new(),
            job_counts: None,
            late_start: None,
            simulated: false,
            create_grace: shotdeck_core::provider::DEFAULT_REQUEST_TIMEOUT,
            provider: config.provider,
            config,
            keymap,
            styles: Styles::from_colors(&colors),
            host: Box::new(SystemHost::from_env()),
            warnings,
            help_paths: Vec::new(),
            rescue: RescueSlot::default(),
            outside: Outside::default(),
            read_only: None,
            picker: None,
            sequence: None,
            element_previews: None,
        }
    }

    /// Adds what lives on disk and in the environment: the user's keymap.toml and theme
    /// file in `config_dir`, and `NO_COLOR`. Problems become warnings, never failures.
    pub fn with_user_files(mut self, config_dir: &Path) -> UiDeps {
        // A user theme file by the configured name (it may be partial).
        self.warnings.retain(|w| !w.starts_with("unknown theme"));
        match ThemeColors::load(&self.config.theme, config_dir) {
            Ok(colors) => self.styles = Styles::from_colors(&colors),
            Err(e) => self.warnings.push(format!("{e}; using dark")),
        }
        if Styles::no_color_requested() {
            self.styles = Styles::monochrome();
        }
        let keymap_path = config_dir.join("keymap.toml");
        let read = shotdeck_files::safe_read::read_string(
            &keymap_path,
            shotdeck_files::safe_read::MAX_SETTINGS_BYTES,
        );
        if let Err(e) = &read
            && !e.is_not_found()
        {
            self.warnings.push(format!("{e} (using default keys)"));
        }
        if let Ok(text) = read {
            let mut km = self.keymap.clone();
            match Keymap::parse_overrides(&text).and_then(|o| km.overlay(&o)) {
                Ok(taken) => {
                    self.keymap = km;
                    let file = keymap_path.display();
                    self.warnings
                        .extend(taken.into_iter().map(|w| format!("{file}: {w}")));
                }
                Err(e) => self.warnings.push(format!(
                    "{}: {e} (using default keys)",
                    keymap_path.display()
                )),
            }
        }
        self.help_paths = vec![
            format!("config: {}", config_dir.join("config.toml").display()),
            format!("keys:   {}", keymap_path.display()),
            format!("themes: {}", config_dir.join("themes").display()),
            format!("log:    {}", log_path().display()),
        ];
        self
    }
}
