//! Effects outside the terminal's cells: opening a file with the desktop's handler and
//! putting text on the clipboard. Behind a trait so tests can record instead of act.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use base64::Engine;

/// Why a host effect did not happen.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// The desktop's opener could not be started.
    #[error("cannot run {opener}: {source}")]
    Opener {
        opener: &'static str,
        source: std::io::Error,
    },
    /// The clipboard sequence could not be written to the terminal.
    #[error("cannot write to the terminal: {0}")]
    Terminal(#[source] std::io::Error),
}

pub trait Host: Send {
    /// Opens `path` with the system's handler (xdg-open / open).
    fn open(&mut self, path: &Path) -> Result<(), HostError>;
    /// Copies `text` through the terminal (OSC 52), which also works over SSH.
    fn copy(&mut self, text: &str) -> Result<(), HostError>;
    /// True over SSH: a file opened here would open on the wrong machine.
    fn remote(&self) -> bool;
}

/// The escape sequence that asks the terminal to set its clipboard.
pub fn osc52(text: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    format!("\x1b]52;c;{b64}\x07")
}

/// The real desktop: stdout is the terminal, the opener is a child process.
pub struct SystemHost {
    remote: bool,
}

impl SystemHost {
    pub fn from_env() -> SystemHost {
        let set = |v: &str| std::env::var_os(v).is_some_and(|x| !x.is_empty());
        SystemHost {
            remote: set("SSH_CONNECTION") || set("SSH_TTY"),
        }
    }
}

impl Host for SystemHost {
    fn open(&mut self, path: &Path) -> Result<(), HostError> {
        let opener = if cfg!(target_os = "macos") {
            "open"
        } else {
            "xdg-open"
        };
        // The child must never write into the TUI, and is reaped off the UI thread.
        let mut child = Command::new(opener)
            .arg(path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|source| HostError::Opener { opener, source })?;
        std::thread::spawn(move || {
            let _ = child.wait();
        });
        Ok(())
    }

    fn copy(&mut self, text: &str) -> Result<(), HostError> {
        let mut out = std::io::stdout().lock();
        out.write_all(osc52(text).as_bytes())
            .and_then(|()| out.flush())
            .map_err(HostError::Terminal)
    }

    fn remote(&self) -> bool {
        self.remote
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_wraps_base64() {
        assert_eq!(osc52("hi"), "\x1b]52;c;aGk=\x07");
    }
}
