//! The real terminal: raw mode and alternate screen, bracketed paste, focus and mouse
//! reporting, a panic hook that saves unsaved work before the terminal is restored, and file
//! logging (stdout and stderr belong to the TUI while it runs).

mod backend;
mod encode;
#[cfg(test)]
mod encode_tests;
mod graphics;
mod input;

use std::io::{BufWriter, Write, stdout};

use crossterm::cursor::Show;
use crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture,
};
use crossterm::execute;
use crossterm::style::{Attribute, SetAttribute};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};
use ratatui::Terminal;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{Receiver, channel};

use crate::app::deps::UiDeps;
use crate::app::event_loop::{ExitReason, StopSignal};
use crate::model::doc::{OpenedBoard, RescueSlot};
use crate::model::exit_save::rescue_save;
pub use backend::DiffBackend;

/// Keeps the latest unsaved edits (by the one exit rule: never over a read-only board or
/// someone else's change) before the terminal is restored and the panic printed.
fn install_rescue_hook(slot: RescueSlot) {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let saved = rescue_save(&slot);
        tracing::error!("panic: {info}");
        // Not `ratatui::restore`: it prints its error with `eprintln!`, which panics on a
        // hung-up terminal, and a panic inside this hook aborts (the lock stays behind).
        let _ = ratatui::try_restore();
        // Frames leave their colours set for the next one (and the cursor may be hidden);
        // the shell must not inherit them.
        let _ = execute!(
            stdout(),
            SetAttribute(Attribute::Reset),
            Show,
            DisableMouseCapture,
            DisableFocusChange,
            DisableBracketedPaste
        );
        previous(info);
        // Not `eprintln!`: on a hung-up terminal it panics again, inside this hook.
        match saved {
            Some(Ok(kept)) => {
                let _ = writeln!(std::io::stderr(), "shotdeck: {}", kept.describe());
            }
            Some(Err(e)) => {
                let _ = writeln!(std::io::stderr(), "shotdeck: unsaved edits lost: {e}");
            }
            None => {}
        }
    }));
}

/// SIGHUP and SIGTERM as they arrive. Listening replaces their default (ending the process
/// at once, losing the pending autosave and leaving the terminal in raw mode).
///
/// The channel holds a few; a signal that finds it full is dropped: the editor stops on the
/// first one it reads, so the ones behind it change nothing.
fn stop_signals() -> std::io::Result<Receiver<StopSignal>> {
    let mut hangup = signal(SignalKind::hangup())?;
    let mut terminate = signal(SignalKind::terminate())?;
    let (tx, rx) = channel(4);
    tokio::spawn(async move {
        loop {
            let sig = tokio::select! {
                Some(()) = hangup.recv() => StopSignal::Hangup,
                Some(()) = terminate.recv() => StopSignal::Terminate,
                else => return,
            };
            if let Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) = tx.try_send(sig) {
                return;
            }
        }
    });
    Ok(rx)
}

/// Ctrl-Z: gives the terminal back as the shell expects it, stops this process group like
/// the terminal's own suspend key would (raw mode turned that key into a keypress), and
/// takes the terminal again once continued (`fg`). A process group no shell controls
/// ignores the stop, and the editor simply comes back.
fn suspend_to_shell(mouse: bool) -> std::io::Result<()> {
    leave_terminal()?;
    // A stop signal to our own group is acted on before the call returns.
    rustix::process::kill_current_process_group(rustix::process::Signal::TSTP)?;
    take_terminal(mouse)
}

/// `E`: the user's editor gets the terminal as a shell would give it, and the input thread
/// keeps its hands off the keys (they are the editor's) until the editor exits.
fn run_on_terminal(
    mouse: bool,
    gate: &input::InputGate,
    cmd: &mut std::process::Command,
) -> std::io::Result<std::process::ExitStatus> {
    gate.pause();
    let status = leave_terminal().and_then(|()| cmd.status());
    let back = take_terminal(mouse);
    gate.resume();
    let status = status?;
    back.map(|()| status)
}

/// The terminal as the shell expects it: main screen, cooked mode, no reports, a cursor.
fn leave_terminal() -> std::io::Result<()> {
    execute!(
        stdout(),
        SetAttribute(Attribute::Reset),
        DisableMouseCapture,
        DisableFocusChange,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        Show
    )?;
    crossterm::terminal::disable_raw_mode()
}

/// The terminal as the editor runs in it again, after [`leave_terminal`].
fn take_terminal(mouse: bool) -> std::io::Result<()> {
    crossterm::terminal::enable_raw_mode()?;
    let mut out = stdout();
    execute!(out, EnterAlternateScreen)?;
    enable_input_modes(&mut out, mouse)
}

/// Bracketed paste, focus reports and, unless config.toml says `mouse = false`, mouse
/// reports: with them on, tmux and the terminal cannot select text with the mouse.
fn enable_input_modes(out: &mut impl Write, mouse: bool) -> std::io::Result<()> {
    execute!(out, EnableBracketedPaste, EnableFocusChange)?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

#[cfg(test)]
#[test]
fn mouse_false_leaves_the_mouse_to_the_terminal() {
    let modes = |mouse| {
        let mut out = Vec::new();
        enable_input_modes(&mut out, mouse).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert!(modes(true).contains("\x1b[?1000h"), "{:?}", modes(true));
    let off = modes(false);
    assert!(
        !off.contains("\x1b[?1000h") && !off.contains("\x1b[?1006h"),
        "{off:?}"
    );
    assert!(
        off.contains("\x1b[?2004h"),
        "bracketed paste stays on: {off:?}"
    );
}

/// Runs the UI in the real terminal until the user quits.
pub async fn run_terminal(opened: OpenedBoard, mut deps: UiDeps) -> anyhow::Result<ExitReason> {
    // Before the terminal changes: a failure here leaves it as it was.
    deps.outside.stop = Some(stop_signals()?);
    let mouse = deps.config.mouse;
    deps.outside.suspend = Some(Box::new(move || suspend_to_shell(mouse)));
    // Before the input thread: the terminal's answer arrives on stdin.
    deps.picker = graphics::query_picker(deps.config.images);
    let gate = input::InputGate::default();
    let input = input::terminal_events(gate.clone())?;
    deps.outside.external = Some(Box::new(move |cmd: &mut std::process::Command| {
        run_on_terminal(mouse, &gate, cmd)
    }));
    // Our panic hook saves, then restores the terminal (ratatui's own hook would print
    // with `eprintln!`, which panics again once the terminal is gone).
    install_rescue_hook(deps.rescue.clone());
    if let Err(e) = crossterm::terminal::enable_raw_mode()
        .and_then(|()| execute!(stdout(), EnterAlternateScreen))
    {
        let _ = ratatui::try_restore();
        return Err(anyhow::anyhow!("cannot set up the terminal: {e}"));
    }
    // One buffered write per frame instead of stdout's 1 KiB line-buffer chunks, each frame
    // only what differs from what the terminal already shows (see `backend`).
    let backend = DiffBackend::new(BufWriter::with_capacity(1 << 16, stdout()));
    let result = async {
        let mut terminal = Terminal::new(backend)?;
        enable_input_modes(terminal.backend_mut(), deps.config.mouse)?;
        let reason = crate::app::event_loop::run(&mut terminal, input, opened, deps).await;
        execute!(
            terminal.backend_mut(),
            SetAttribute(Attribute::Reset),
            DisableMouseCapture,
            DisableFocusChange,
            DisableBracketedPaste
        )?;
        terminal.backend_mut().flush()?;
        reason
    }
    .await;
    // Errors ignored, never printed: after a hangup there is no terminal to print on.
    let _ = ratatui::try_restore();
    // The shell gets its cursor back whatever the last frame did with it.
    let _ = execute!(stdout(), Show);
    result
}
