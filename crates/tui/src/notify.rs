//! Announcing a finished job outside the editor's cells: the bell (tmux marks the window,
//! terminals flash or badge the tab) and desktop notifications through OSC 9 (iTerm2,
//! WezTerm, kitty, Windows Terminal…) and OSC 777 (rxvt, foot, VTE-based terminals).
//!
//! Inside tmux an OSC would be swallowed by tmux itself, so it is wrapped in tmux's DCS
//! passthrough (`ESC P tmux; …` with every ESC doubled), which tmux forwards to the outer
//! terminal when `allow-passthrough` is on. The bell is sent bare: tmux acts on it.

use shotdeck_core::printable;
use shotdeck_files::config::NotifyMode;

/// The bytes that announce `title`/`body` under `mode` (empty for `Off`). The texts may come
/// from a provider, so control characters are escaped and `;` (the OSC 777 separator) is
/// replaced: nothing in them can end the sequence early or start another.
pub fn sequence(mode: NotifyMode, title: &str, body: &str, in_tmux: bool) -> String {
    let (bell, osc) = match mode {
        NotifyMode::Off => return String::new(),
        NotifyMode::Bell => (true, false),
        NotifyMode::Osc => (false, true),
        NotifyMode::Both => (true, true),
    };
    let mut out = String::new();
    if osc {
        let title = clean(title);
        let body = clean(body);
        let osc9 = format!("\x1b]9;{title}: {body}\x07");
        let osc777 = format!("\x1b]777;notify;{title};{body}\x07");
        for seq in [osc9, osc777] {
            out.push_str(&if in_tmux { tmux_passthrough(&seq) } else { seq });
        }
    }
    if bell {
        out.push('\x07');
    }
    out
}

/// True when running inside tmux (`$TMUX` is set).
pub fn in_tmux() -> bool {
    std::env::var_os("TMUX").is_some_and(|v| !v.is_empty())
}

fn clean(text: &str) -> String {
    printable(text).replace(';', ",")
}

pub(crate) fn tmux_passthrough(seq: &str) -> String {
    format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_sends_osc_9_osc_777_and_the_bell() {
        assert_eq!(
            sequence(NotifyMode::Both, "shotdeck", "job #3 done", false),
            "\x1b]9;shotdeck: job #3 done\x07\x1b]777;notify;shotdeck;job #3 done\x07\x07"
        );
        assert_eq!(sequence(NotifyMode::Bell, "t", "b", false), "\x07");
        assert_eq!(
            sequence(NotifyMode::Osc, "t", "b", false),
            "\x1b]9;t: b\x07\x1b]777;notify;t;b\x07"
        );
        assert_eq!(sequence(NotifyMode::Off, "t", "b", true), "");
    }

    #[test]
    fn inside_tmux_the_osc_goes_through_passthrough_and_the_bell_stays_bare() {
        assert_eq!(
            sequence(NotifyMode::Both, "t", "b", true),
            "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\\x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\\x07"
        );
    }

    #[test]
    fn remote_text_cannot_break_out_of_the_sequence() {
        let s = sequence(
            NotifyMode::Osc,
            "t",
            "failed: \x07\x1b]52;c;aGk=\x07; rm",
            false,
        );
        assert_eq!(s.matches('\x07').count(), 2, "{s:?}");
        assert_eq!(s.matches('\x1b').count(), 2, "{s:?}");
        assert!(s.contains("failed: \\x07\\x1b]52,c,aGk=\\x07, rm"), "{s:?}");
    }
}
