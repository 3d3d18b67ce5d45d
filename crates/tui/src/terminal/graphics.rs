//! Which graphics protocol image previews use, asked of the terminal once at start: the
//! query writes escape sequences and reads the answer from stdin, so it must run before the
//! input thread takes stdin, and only when both ends are a terminal.

use std::io::IsTerminal;

use ratatui_image::picker::cap_parser::QueryStdioOptions;
use ratatui_image::picker::{Picker, ProtocolType};

use shotdeck_files::config::ImagesMode;

/// A terminal that answers at all answers within a few frames, even over SSH; one that
/// never answers costs the editor this much at start.
const QUERY_TIMEOUT_MS: i32 = 300;

/// The terminal's best protocol for `images = "auto"`; `None` (half-blocks) otherwise, over
/// a pipe, or when the terminal did not answer.
pub(super) fn query_picker(mode: ImagesMode) -> Option<Picker> {
    if mode != ImagesMode::Auto
        || !std::io::stdin().is_terminal()
        || !std::io::stdout().is_terminal()
    {
        return None;
    }
    let options = QueryStdioOptions {
        timeout_ms: QUERY_TIMEOUT_MS,
        ..QueryStdioOptions::default()
    };
    match Picker::from_query_stdio_with_options(options) {
        Ok(mut picker) => {
            // tmux passes graphics through only where configured to, and drops them when
            // the window changes: half-blocks always show.
            if picker.tmux_detected() {
                picker.set_protocol_type(ProtocolType::Halfblocks);
            }
            tracing::info!("image previews: {:?}", picker.protocol_type());
            Some(picker)
        }
        Err(e) => {
            tracing::info!("image previews: half-blocks (terminal query failed: {e})");
            None
        }
    }
}
