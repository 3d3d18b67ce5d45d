//! Terminal input on a thread of its own, handed to the event loop through a channel.
//!
//! crossterm's default (mio, edge-triggered) reader takes the terminal's bytes 1 KiB at a
//! time and is only woken again by new bytes: of a 3,000-character burst it delivered the
//! first 1–2 KiB and kept the rest until the next key. With the `use-dev-tty` reader (a
//! level-triggered `poll`) a blocking loop reads everything there is, and the channel lets
//! the event loop take all of it before it draws. The thread sleeps in `poll` while idle.

use std::io;

use crossterm::event::Event;
use futures::Stream;
use tokio::sync::mpsc::{Sender, channel};

/// Input events read ahead of the event loop. A full channel stops the reader (it waits for
/// room, `blocking_send`) and the rest stays in the terminal's own buffer: nothing typed is
/// lost, and a paste larger than this is taken in a few turns of the loop.
const INPUT_CAPACITY: usize = 4_096;

/// Every terminal event, in order; the stream ends after a read error (the terminal is gone).
pub(super) fn terminal_events() -> io::Result<impl Stream<Item = io::Result<Event>> + Unpin> {
    let (tx, mut rx) = channel(INPUT_CAPACITY);
    std::thread::Builder::new()
        .name("shotdeck-input".into())
        .spawn(move || read_until_gone(&tx))?;
    Ok(futures::stream::poll_fn(move |cx| rx.poll_recv(cx)))
}

fn read_until_gone(tx: &Sender<io::Result<Event>>) {
    loop {
        let event = crossterm::event::read();
        let gone = event.is_err();
        if tx.blocking_send(event).is_err() || gone {
            return;
        }
    }
}
