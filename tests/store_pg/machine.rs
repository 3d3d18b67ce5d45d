//! One machine of a team, as the real binary with its own HOME, config, data and state
//! dirs and its own user, pointed at a shared store (URL and schema) and a Kling base URL.

use std::process::Output;
use std::time::Duration;

use shotdeck::sim::{DEMO_ACCESS_KEY, DEMO_API_KEY, DEMO_SECRET_KEY};

/// One machine: its own config, data and state dirs and its own user.
pub struct Machine {
    pub home: tempfile::TempDir,
    user: &'static str,
}

impl Machine {
    /// Where this machine's config.toml lives.
    pub fn config_toml(&self) -> std::path::PathBuf {
        self.home.path().join("config/config.toml")
    }

    pub fn new(user: &'static str) -> Machine {
        Machine {
            home: tempfile::tempdir().unwrap(),
            user,
        }
    }

    pub async fn run(&self, base: &str, store: (&str, &str), args: &[&str]) -> Output {
        self.run_with(base, store, args, &[]).await
    }

    /// [`Machine::run`] with more variables set (`SHOTDECK_ACCOUNT`, …).
    pub async fn run_with(
        &self,
        base: &str,
        store: (&str, &str),
        args: &[&str],
        vars: &[(&str, &str)],
    ) -> Output {
        let dir = self.home.path();
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_shotdeck"));
        c.args(args)
            .env_remove("SHOTDECK_ACCOUNT")
            .envs(vars.iter().copied())
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join(".config"))
            .env("XDG_DATA_HOME", dir.join(".local/share"))
            .env("XDG_STATE_HOME", dir.join(".local/state"))
            .env("SHOTDECK_CONFIG_DIR", dir.join("config"))
            .env("SHOTDECK_DATA_DIR", dir.join("data"))
            .env("SHOTDECK_STATE_DIR", dir.join("state"))
            .env("USER", self.user)
            .env("SHOTDECK_STORE_URL", store.0)
            .env("SHOTDECK_STORE_SCHEMA", store.1)
            .env("KLING_API_BASE", base)
            .env("KLING_ACCESS_KEY", DEMO_ACCESS_KEY)
            .env("KLING_SECRET_KEY", DEMO_SECRET_KEY)
            .env("KLING_API_KEY", DEMO_API_KEY)
            .env_remove("SHOTDECK_GATEWAY_URL")
            .kill_on_drop(true);
        tokio::time::timeout(Duration::from_secs(60), c.output())
            .await
            .expect("the command finishes")
            .expect("the binary runs")
    }
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub fn describe(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}
