//! Any status and body through the gateway's response parsers: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shotdeck::providers::{parse_gateway_error, parse_gateway_list, parse_gateway_task};

fuzz_target!(|input: (u16, &[u8])| {
    let (status, body) = input;
    if let Err(e) = parse_gateway_task(status, body) {
        let _ = (e.to_string(), e.is_retryable(), e.retry_after());
    }
    let _ = parse_gateway_list(status, body);
    let _ = parse_gateway_error(status, body).to_string();
});
