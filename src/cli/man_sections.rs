//! The man page's sections clap does not know about: the editor's keys (from the keymap
//! table, as the `?` help and README.md show them), the environment, the files and the
//! exit codes. Written as roff after clap_mangen's own sections.

use super::follow::{
    EXIT_FAILED_AFTER_ACCEPT, EXIT_INTERRUPTED, EXIT_NEEDS_ATTENTION, EXIT_NOT_SENT, EXIT_TIMEOUT,
};
use crate::ui::Keymap;
use crate::ui::keymap::Context;

/// Environment variables shotdeck reads, with what each does (every one the code reads:
/// README.md names none that is missing here, which the test checks).
const ENVIRONMENT: &[(&str, &str)] = &[
    (
        "KLING_ACCESS_KEY, KLING_SECRET_KEY",
        "Keys for the official Kling API (win over credentials.toml).",
    ),
    (
        "SHOTDECK_GATEWAY_KEY, KLING_API_KEY",
        "Key for --provider gateway and kling-relay (the first one set).",
    ),
    (
        "KLING_API_BASE",
        "Base URL of the official API (default https://api-singapore.klingai.com).",
    ),
    (
        "SHOTDECK_GATEWAY_URL",
        "Base URL of the gateway (no default).",
    ),
    (
        "SHOTDECK_CONFIG_DIR",
        "Folder of config.toml, keymap.toml and credentials.toml (default ~/.config/shotdeck).",
    ),
    (
        "SHOTDECK_DATA_DIR",
        "Folder of the job store (default ~/.local/share/shotdeck).",
    ),
    (
        "SHOTDECK_STATE_DIR",
        "Folder of the log (default ~/.local/state/shotdeck).",
    ),
    (
        "SHOTDECK_STORE_URL",
        "A team's job store: a postgres:// URL (or libpq string) instead of the local SQLite file; wins over [store] url.",
    ),
    (
        "SHOTDECK_STORE_SCHEMA",
        "The schema of that store's tables (default shotdeck).",
    ),
    (
        "SHOTDECK_ACCOUNT",
        "The Kling account a team's store sends this machine's jobs to (default default); wins over [store] account.",
    ),
    (
        "SHOTDECK_LOG",
        "Log filter, as tracing's EnvFilter reads it (default info).",
    ),
    (
        crate::engine::download::RESERVE_ENV,
        "Free disk space (MiB) a download leaves; below it the download stops (default 512, 0 for none).",
    ),
    (
        super::doctor::OTHER_REGION_ENV,
        "The \"other region\" host doctor tries when a key is refused (for tests).",
    ),
    ("NO_COLOR", "Set: the editor draws without colour."),
    (
        "TMUX",
        "Set: desktop notifications are wrapped for tmux's passthrough.",
    ),
    (
        "SSH_CONNECTION, SSH_TTY",
        "Set: o prints a video's path instead of opening it on a machine you can't see.",
    ),
    (
        "HOSTNAME",
        "The host written in the board lock when /proc and /etc/hostname have none.",
    ),
];

/// Files shotdeck reads and writes.
const FILES: &[(&str, &str)] = &[
    (
        "~/.config/shotdeck/config.toml",
        "Provider, prices, [budget], theme, notify, mouse, images, [keys].",
    ),
    (
        "~/.config/shotdeck/keymap.toml",
        "Key overrides per action (see KEYS).",
    ),
    (
        "~/.config/shotdeck/credentials.toml",
        "API keys; must be mode 0600.",
    ),
    (
        "~/.local/share/shotdeck/",
        "The job store (SQLite): jobs, takes, the spend ledger.",
    ),
    ("~/.local/state/shotdeck/", "The log (never holds keys)."),
    (
        "BOARD.json",
        "The storyboard, saved as you edit (atomically).",
    ),
    (
        ".BOARD.json.shotdeck-lock",
        "Beside the board while an editor has it open (pid and host).",
    ),
    (
        "BOARD.renders/",
        "Downloaded videos and their sidecars (config.toml's render_dir).",
    ),
];

/// Renders the extra sections.
pub(super) fn render(keymap: &Keymap) -> String {
    let mut out = String::new();
    out.push_str(".SH KEYS\n");
    out.push_str(&paragraph(
        "The editor's keys, as the ? help lists them. Override them per action in keymap.toml \
         or config.toml's [keys] table.",
    ));
    for c in Context::ALL {
        let bindings = keymap.bindings(c);
        if bindings.is_empty() {
            continue;
        }
        out.push_str(&format!(".SS {}\n", escape(c.title())));
        for b in bindings {
            let keys: Vec<String> = b.keys.iter().map(|k| k.to_string()).collect();
            out.push_str(&item(&keys.join(", "), &b.desc));
        }
    }
    out.push_str(".SH ENVIRONMENT\n");
    for (name, what) in ENVIRONMENT {
        out.push_str(&item(name, what));
    }
    out.push_str(".SH FILES\n");
    for (path, what) in FILES {
        out.push_str(&item(path, what));
    }
    out.push_str(".SH EXIT STATUS\n");
    out.push_str(&paragraph(
        "validate: 0 submittable, 1 errors, 2 unreadable. submit, jobs wait and download say \
         whether money may have been spent:",
    ));
    for (code, what) in exit_codes() {
        out.push_str(&item(&code.to_string(), &what));
    }
    out
}

/// The exit table of `submit`, `jobs wait` and `download` (README.md has the same one).
fn exit_codes() -> Vec<(u8, String)> {
    vec![
        (0, "Done: the files are on disk (without --wait: the provider accepted the task).".into()),
        (EXIT_NOT_SENT, "Not sent, or refused by the provider at create: no task exists, nothing spent.".into()),
        (super::EXIT_UNREADABLE, "Not sent: unreadable board, a usage error, no --yes from a script, or the question answered no.".into()),
        (EXIT_TIMEOUT, "Still running at --timeout; the job carries on (shotdeck jobs wait ID).".into()),
        (EXIT_FAILED_AFTER_ACCEPT, "Failed after the provider accepted the task: it may be charged (shotdeck jobs show ID).".into()),
        (EXIT_NEEDS_ATTENTION, "Needs attention: a download gave up, the keys vanished, or a create's fate is unknown; money may have been spent.".into()),
        (EXIT_INTERRUPTED, "Interrupted (Ctrl-C); the job carries on.".into()),
    ]
}

fn item(tag: &str, text: &str) -> String {
    format!(".TP\n\\fB{}\\fR\n{}\n", escape(tag), escape(text))
}

fn paragraph(text: &str) -> String {
    format!(".PP\n{}\n", escape(text))
}

/// Text as roff shows it literally: backslashes and hyphens escaped, and a line that would
/// start with a control character (`.` or `'`) protected.
fn escape(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}")
    } else {
        escaped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_binding_and_exit_code_is_in_the_page() {
        let km = Keymap::defaults();
        let page = render(&km);
        for section in [
            ".SH KEYS",
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH EXIT STATUS",
        ] {
            assert!(page.contains(section), "{section}");
        }
        for c in Context::ALL {
            for b in km.bindings(c) {
                assert!(page.contains(&escape(&b.desc)), "{}", b.desc);
            }
        }
        assert!(page.contains("\\fB130\\fR"));
        assert_eq!(escape(".x-y\\"), "\\&.x\\-y\\e");
    }

    /// Every variable README.md names is in ENVIRONMENT (README is the user's other reference).
    #[test]
    fn the_environment_names_every_variable_the_readme_names() {
        let page = render(&Keymap::defaults());
        let start = page.find(".SH ENVIRONMENT").unwrap();
        let end = page.find(".SH FILES").unwrap();
        let section = &page[start..end];
        let listed: Vec<&str> = ENVIRONMENT
            .iter()
            .flat_map(|(names, _)| names.split(", "))
            .collect();
        for name in &listed {
            assert!(section.contains(name), "{name} is not printed");
        }
        let mut missing = names(include_str!("../../README.md"));
        missing.retain(|n| !listed.contains(&n.as_str()));
        missing.dedup();
        assert!(missing.is_empty(), "not in the man page: {missing:?}");
        assert!(listed.contains(&"SHOTDECK_DOWNLOAD_RESERVE_MB"));
    }

    /// The whole words that look like our variables (`SHOTDECK_*`, `KLING_*`, `NO_COLOR`).
    fn names(text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .filter(|w| w.starts_with("SHOTDECK_") || w.starts_with("KLING_") || *w == "NO_COLOR")
            .map(str::to_string)
            .collect()
    }
}
