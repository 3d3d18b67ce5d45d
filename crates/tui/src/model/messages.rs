//! The message log: every toast the status bar showed (the next key erases it there), kept
//! in a bounded ring so a long session holds at most [`LOG_CAPACITY`] of them.

use std::collections::VecDeque;

use crate::labels::time_of_day;
use crate::model::msg::Toast;

/// How many messages the log keeps; the oldest goes first.
pub const LOG_CAPACITY: usize = 100;

/// One message as the status bar showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoggedMessage {
    pub text: String,
    pub error: bool,
    /// Local wall-clock time (`HH:MM:SS`) of its latest showing.
    pub at: String,
    /// How many times in a row it was shown (1 when once).
    pub repeats: u32,
}

#[derive(Debug, Default)]
pub struct MessageLog {
    entries: VecDeque<LoggedMessage>,
}

impl MessageLog {
    /// Records a toast shown at `local_ms` (Unix milliseconds shifted to local time). The
    /// same text again right after only counts up, so a held key cannot flood the log.
    pub fn push(&mut self, toast: &Toast, local_ms: i64) {
        let at = time_of_day(local_ms);
        if let Some(last) = self.entries.back_mut()
            && last.text == toast.text
            && last.error == toast.error
        {
            last.repeats += 1;
            last.at = at;
            return;
        }
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(LoggedMessage {
            text: toast.text.clone(),
            error: toast.error,
            at,
            repeats: 1,
        });
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &LoggedMessage> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_101st_message_drops_the_oldest() {
        let mut log = MessageLog::default();
        for n in 1..=LOG_CAPACITY + 1 {
            log.push(&Toast::info(format!("message {n}")), n as i64 * 1000);
        }
        assert_eq!(log.len(), LOG_CAPACITY);
        let texts: Vec<&str> = log.iter().map(|m| m.text.as_str()).collect();
        assert_eq!(texts[0], "message 2");
        assert_eq!(texts[LOG_CAPACITY - 1], "message 101");
    }

    #[test]
    fn a_repeat_in_a_row_counts_up_and_takes_the_latest_time() {
        let mut log = MessageLog::default();
        log.push(&Toast::info("nothing to undo"), 1_000);
        log.push(&Toast::info("nothing to undo"), 3_723_000);
        log.push(&Toast::error("nothing to undo"), 3_724_000);
        log.push(&Toast::info("nothing to undo"), 3_725_000);
        let all: Vec<_> = log.iter().map(|m| (m.error, m.repeats)).collect();
        assert_eq!(all, [(false, 2), (true, 1), (false, 1)]);
        assert_eq!(log.iter().next().unwrap().at, "01:02:03");
    }
}
