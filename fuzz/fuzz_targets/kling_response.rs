//! Any status and body through the official API's response parsers: an error or a snapshot,
//! never a panic; and every error names a code a user can look up.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shotdeck::providers::{parse_kling_list, parse_kling_task};

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    if let Err(e) = parse_kling_task(status, body) {
        let _ = (e.to_string(), e.is_retryable(), e.retry_after());
    }
    let _ = parse_kling_list(status, body);
});
