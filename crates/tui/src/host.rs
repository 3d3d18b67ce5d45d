//! Effects outside the terminal's cells: opening a file with the desktop's handler,
//! notifications, and
//! putting text on the clipboard. Behind a trait so tests can record instead of act.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;

use shotdeck_files::config::NotifyMode;
use shotdeck_files::credentials::is_secret_env;

/// Why a host effect did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The desktop's opener could not be started.
    #[error("cannot run {opener}: {source}")]
    Opener {
        opener: &'static str,
        source: std::io::Error,
    },
    /// A clipboard or notification sequence could not be written to the terminal.
    #[error("cannot write to the terminal: {0}")]
    Terminal(#[source] std::io::Error),
    /// Text over [`MAX_COPY_BYTES`]: terminals and tmux drop (or truncate) an OSC 52 that
    /// large, so it is refused instead of copied in part.
    #[error("{bytes} bytes is too much to copy through the terminal (at most {max})", max = MAX_COPY_BYTES)]
    TooLarge { bytes: usize },
}

/// The most text one copy sends through the terminal: its Base64 (4/3 larger) stays under
/// the ~100 kB that xterm-likes and tmux accept in one OSC 52.
pub const MAX_COPY_BYTES: usize = 74_000;

pub trait Host: Send {
    /// Opens `path` with the system's handler (xdg-open / open).
    fn open(&mut self, path: &Path) -> Result<(), HostError>;
    /// Copies `text` through the terminal (OSC 52), which also works over SSH.
    fn copy(&mut self, text: &str) -> Result<(), HostError>;
    /// True over SSH: a file opened here would open on the wrong machine.
    fn remote(&self) -> bool;
    /// Announces something outside the editor (a job ended): bell and/or desktop
    /// notification as `mode` says; see [`crate::notify`].
    fn notify(&mut self, mode: NotifyMode, title: &str, body: &str) -> Result<(), HostError>;
    /// Local time minus UTC, in milliseconds, for times the user reads (the message log).
    /// UTC unless the host knows better, so tests read the same everywhere.
    fn utc_offset_ms(&self) -> i64 {
        0
    }
}

/// The escape sequence that asks the terminal to set its clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// [`osc52`] as it must be written here: inside tmux wrapped in its passthrough (tmux
/// would otherwise keep the sequence to itself), and refused above [`MAX_COPY_BYTES`].
pub fn copy_sequence(text: &str, in_tmux: bool) -> Result<String, HostError> {
    if text.len() > MAX_COPY_BYTES {
        return Err(HostError::TooLarge { bytes: text.len() });
    }
    let seq = osc52(text);
    Ok(if in_tmux {
        crate::notify::tmux_passthrough(&seq)
    } else {
        seq
    })
}

/// How the opener is run: it must never write into the TUI, and it gets none of the
/// environment's keys (an opener, or whatever it starts, has no business with them).
fn opener_command(
    opener: &str,
    path: &Path,
    env_names: impl Iterator<Item = std::ffi::OsString>,
) -> Command {
    let mut cmd = Command::new(opener);
    cmd.arg(path)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    remove_secret_env(&mut cmd, env_names);
    cmd
}

/// Takes every key-like variable (see [`is_secret_env`]) out of what `cmd` inherits: a
/// child the editor starts (an opener, the user's text editor) has no business with them.
pub(crate) fn remove_secret_env(
    cmd: &mut Command,
    env_names: impl Iterator<Item = std::ffi::OsString>,
) {
    for name in env_names {
        if name.to_str().is_some_and(is_secret_env) {
            cmd.env_remove(name);
        }
    }
}

/// The real desktop: stdout is the terminal, the opener is a child process.
pub struct SystemHost {
    remote: bool,
    in_tmux: bool,
    utc_offset_ms: i64,
}

impl SystemHost {
    pub fn from_env() -> SystemHost {
        let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
        SystemHost {
            remote: set("SSH_CONNECTION") || set("SSH_TTY"),
            in_tmux: crate::notify::in_tmux(),
            utc_offset_ms: 0,
        }
    }

    /// The local zone's offset from UTC, as the job store's "today" reads it (the binary
    /// asks the store: the editor has no clock of its own).
    pub fn with_utc_offset(mut self, utc_offset_ms: i64) -> SystemHost {
        self.utc_offset_ms = utc_offset_ms;
        self
    }
}

impl Host for SystemHost {
    fn open(&mut self, path: &Path) -> Result<(), HostError> {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        let mut child = opener_command(opener, path, std::env::vars_os().map(|(k, _)| k))
            .spawn()
            .map_err(|source| HostError::Opener { opener, source })?;
        std::thread::spawn(move || {
            let _ = child.wait();
        });
        Ok(())
    }

    fn copy(&mut self, text: &str) -> Result<(), HostError> {
        write_to_terminal(&copy_sequence(text, self.in_tmux)?)
    }

    fn notify(&mut self, mode: NotifyMode, title: &str, body: &str) -> Result<(), HostError> {
        write_to_terminal(&crate::notify::sequence(mode, title, body, self.in_tmux))
    }

    fn remote(&self) -> bool {
        self.remote
    }

    fn utc_offset_ms(&self) -> i64 {
        self.utc_offset_ms
    }
}

/// Writes a sequence straight to the terminal, between frames.
fn write_to_terminal(seq: &str) -> Result<(), HostError> {
    let mut out = std::io::stdout().lock();
    out.write_all(seq.as_bytes())
        .and_then(|()| out.flush())
        .map_err(HostError::Terminal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_opener_gets_no_keys() {
        let names = [
            "KLING_ACCESS_KEY",
            "KLING_SECRET_KEY",
            "KLING_API_KEY",
            "SHOTDECK_GATEWAY_KEY",
            "PATH",
            "KLING_API_BASE",
            "DISPLAY",
        ];
        let cmd = opener_command(
            "xdg-open",
            Path::new("/v.mp4"),
            names.iter().map(|n| n.into()),
        );
        let removed: Vec<String> = cmd
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            removed,
            [
                "KLING_ACCESS_KEY",
                "KLING_API_KEY",
                "KLING_SECRET_KEY",
                "SHOTDECK_GATEWAY_KEY"
            ]
        );
        assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["/v.mp4"]);
    }

    #[test]
    fn osc52_wraps_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }

    #[test]
    fn inside_tmux_the_copy_goes_through_passthrough_and_too_much_is_refused() {
        assert_eq!(copy_sequence("hi", false).unwrap(), "\x1b]52;c;aGk=\x07");
        assert_eq!(
            copy_sequence("hi", true).unwrap(),
            "\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        let big = "x".repeat(MAX_COPY_BYTES + 1);
        let err = copy_sequence(&big, false).unwrap_err();
        assert!(matches!(err, HostError::TooLarge { bytes } if bytes == MAX_COPY_BYTES + 1));
        assert!(err.to_string().contains("too much to copy"), "{err}");
        assert!(
            copy_sequence(&big[1..], true).is_ok(),
            "the cap itself fits"
        );
    }
}
