//! Properties of the pure response parsers: no input makes them panic, and the rules that
//! protect the user's money hold for every status a server might pair with a code.

use proptest::prelude::*;
use serde_json::json;
use shotdeck::core::gateway_profile::GatewayProfile;
use shotdeck::providers::{
    ProviderError, TaskSnapshot, parse_gateway_created, parse_gateway_task, parse_kling_list,
    parse_kling_task, parse_relay_task,
};

fn parse_gateway(status: u16, body: &[u8]) -> Result<TaskSnapshot, ProviderError> {
    parse_gateway_task(status, body, "task_1", &GatewayProfile::default())
}

fn statuses() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(400),
        Just(401),
        Just(404),
        Just(429),
        Just(500),
        Just(503),
        100u16..600
    ]
}

proptest! {
    #[test]
    fn parsers_never_panic_on_arbitrary_bytes(status in 0u16..1000, body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = parse_kling_task(status, &body);
        let _ = parse_kling_list(status, &body);
        let _ = parse_gateway(status, &body);
        let _ = parse_gateway_created(status, &body);
        let _ = parse_relay_task(status, &body);
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_json_shapes(status in statuses(), code in any::<i64>(), status_word in "[a-z]{0,10}", n in any::<f64>()) {
        let kling = json!({"code": code, "message": status_word, "data": {"task_id": n, "task_status": status_word,
            "task_result": {"videos": [{"url": status_word, "duration": n}]}}});
        let _ = parse_kling_task(status, kling.to_string().as_bytes());
        let gateway = json!({"task_id": code, "status": status_word, "url": n,
            "data": {"status": n, "result_url": [status_word], "data": [code]},
            "error": {"code": n, "message": code}});
        let _ = parse_gateway(status, gateway.to_string().as_bytes());
        let _ = parse_gateway_created(status, gateway.to_string().as_bytes());
        let _ = parse_relay_task(status, gateway.to_string().as_bytes());
    }

    #[test]
    fn kling_balance_codes_are_never_retryable_whatever_the_status(status in statuses(), code in 1100i64..=1102) {
        let body = json!({"code": code, "message": "arrears"}).to_string();
        let err = parse_kling_task(status, body.as_bytes()).unwrap_err();
        prop_assert!(matches!(err, ProviderError::Balance { .. }), "{:?}", err);
        prop_assert!(!err.is_retryable());
        prop_assert_eq!(err.code(), Some(code.to_string()));
    }

    #[test]
    fn kling_rate_limits_and_server_codes_are_retryable(status in statuses(), code in prop_oneof![1302i64..=1303, 5000i64..=5002]) {
        let body = json!({"code": code, "message": "busy"}).to_string();
        prop_assert!(parse_kling_task(status, body.as_bytes()).unwrap_err().is_retryable());
    }

    #[test]
    fn kling_unknown_codes_retry_only_on_5xx(status in 100u16..600, code in 6000i64..9000) {
        let body = json!({"code": code, "message": "?"}).to_string();
        let err = parse_kling_task(status, body.as_bytes()).unwrap_err();
        prop_assert_eq!(err.is_retryable(), (500..600).contains(&status));
    }

    #[test]
    fn gateway_retries_exactly_429_and_5xx(status in 300u16..600) {
        let body = json!({"error": {"message": "m", "type": "t", "param": null, "code": "c"}}).to_string();
        let err = parse_gateway(status, body.as_bytes()).unwrap_err();
        prop_assert_eq!(err.is_retryable(), status == 429 || (500..600).contains(&status));
        if status == 402 {
            prop_assert!(matches!(err, ProviderError::Balance { .. }), "{:?}", err);
        }
    }

    #[test]
    fn gateway_quota_codes_are_never_retryable_whatever_the_status(status in statuses(),
        code in prop_oneof![Just("quota_not_enough"), Just("insufficient_user_quota"), Just("insufficient_quota")]) {
        let task_error = json!({"code": code, "message": "user quota is not enough", "data": null}).to_string();
        let err = parse_gateway(status.max(300), task_error.as_bytes()).unwrap_err();
        prop_assert!(matches!(err, ProviderError::Balance { .. }), "{:?}", err);
        prop_assert!(!err.is_retryable());
    }

    #[test]
    fn an_unknown_gateway_status_is_never_terminal(word in "[A-Za-z_]{1,12}") {
        let p = GatewayProfile::default();
        let known = [&p.status_succeeded, &p.status_failed].iter().any(|l| l.iter().any(|w| w.eq_ignore_ascii_case(&word)));
        let body = json!({"status": word, "url": "https://a/1.mp4"}).to_string();
        let task = parse_gateway(200, body.as_bytes()).unwrap();
        prop_assert_eq!(task.state.is_terminal(), known);
    }
}
