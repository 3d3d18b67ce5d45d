//! Terminal input on a thread of its own, handed to the event loop through a channel.
//!
//! crossterm's default (mio, edge-triggered) reader takes the terminal's bytes 1 KiB at a
//! time and is only woken again by new bytes: of a 3,000-character burst it delivered the
//! first 1–2 KiB and kept the rest until the next key. With the `use-dev-tty` reader (a
//! level-triggered `poll`) a blocking loop reads everything there is, and the channel lets
//! the event loop take all of it before it draws. The thread sleeps in `poll` while idle.

use std::fs::File;
use std::io::{self, PipeReader, Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rustix::event::{PollFd, PollFlags};

use crossterm::event::Event;
use futures::Stream;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc::{Sender, channel};

/// Input events read ahead of the event loop. A full channel stops the reader (it waits for
/// room, `blocking_send`) and the rest stays in the terminal's own buffer: nothing typed is
/// lost, and a paste larger than this is taken in a few turns of the loop.
const INPUT_CAPACITY: usize = 4_096;

/// Every terminal event, in order; the stream ends after a read error (the terminal is gone).
/// While `gate` is paused nothing is read: the keys belong to a program run on the terminal.
/// Called inside the runtime: a task of its own wakes the thread on SIGWINCH.
pub(super) fn terminal_events(
    gate: InputGate,
) -> io::Result<impl Stream<Item = io::Result<Event>> + Unpin> {
    let (tx, mut rx) = channel(INPUT_CAPACITY);
    // Watched for readiness only (never read here): crossterm reads this terminal.
    let tty = std::fs::File::open("/dev/tty").ok();
    let watch = match tty {
        Some(tty) => Some(Watch::new(tty)?),
        None => None,
    };
    std::thread::Builder::new()
        .name("shotdeck-input".into())
        .spawn(move || read_until_gone(&tx, &gate, watch))?;
    Ok(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

fn read_until_gone(tx: &Sender<io::Result<Event>>, gate: &InputGate, mut watch: Option<Watch>) {
    loop {
        gate.wait_open();
        let event = match watch.as_mut() {
            // Not a zero timeout: crossterm's reader then returns at once without looking
            // (not even at events it already parsed).
            Some(watch) => match crossterm::event::poll(Duration::from_millis(1)) {
                Ok(true) => crossterm::event::read(),
                Ok(false) => {
                    // Waits for a key without taking it, so a key that arrives once the
                    // gate is paused stays in the terminal for the program that has it.
                    watch.wait();
                    continue;
                }
                Err(e) => Err(e),
            },
            // No terminal to watch: read as before (no program is run on it then).
            None => crossterm::event::read(),
        };
        let gone = event.is_err();
        if tx.blocking_send(event).is_err() || gone {
            return;
        }
    }
}

/// The terminal, and a pipe that a resize (SIGWINCH) writes to: crossterm turns the signal
/// into an event, but only once its reader is asked, so the wait must end for it too.
struct Watch {
    tty: File,
    woken: PipeReader,
}

impl Watch {
    fn new(tty: File) -> io::Result<Watch> {
        let (woken, wake) = std::io::pipe()?;
        let mut winch = signal(SignalKind::window_change())?;
        tokio::spawn(async move {
            while winch.recv().await.is_some() {
                // A full pipe already holds a wake-up; a closed one means the thread ended.
                if (&wake).write(&[0]).is_err() {
                    return;
                }
            }
        });
        Ok(Watch { tty, woken })
    }

    fn wait(&mut self) {
        let mut fds = [
            PollFd::new(&self.tty, PollFlags::IN),
            PollFd::new(&self.woken, PollFlags::IN),
        ];
        // An interrupted or failed wait goes round again; crossterm reports real errors.
        if rustix::event::poll(&mut fds, None).is_err() {
            std::thread::sleep(Duration::from_millis(10));
            return;
        }
        if fds[1].revents().contains(PollFlags::IN) {
            let mut buf = [0u8; 64];
            let _ = self.woken.read(&mut buf);
        }
    }
}

/// Stops the input thread from reading while another program owns the terminal.
#[derive(Clone, Default)]
pub(crate) struct InputGate(Arc<(Mutex<bool>, Condvar)>);

impl InputGate {
    pub(crate) fn pause(&self) {
        *self.0.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
    }

    pub(crate) fn resume(&self) {
        *self.0.0.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.0.1.notify_all();
    }

    fn wait_open(&self) {
        let (lock, cvar) = &*self.0;
        let mut paused = lock.lock().unwrap_or_else(|e| e.into_inner());
        while *paused {
            paused = cvar.wait(paused).unwrap_or_else(|e| e.into_inner());
        }
    }
}
