//! What can go wrong talking to a provider, classified by what the caller should do next.
//!
//! The variants answer "stop, retry, or reconcile?", not "which HTTP status came back":
//! Kling sends its balance errors as HTTP 429 next to genuine rate limits, and answers a
//! failed task with HTTP 200, so the body `code` decides (see kling-api-notes.md).

use std::time::Duration;

/// Every code is a string so the official API's numbers (`1102`) and the gateway's names
/// (`insufficient_quota`) print the same way. When a provider sent no code the status is
/// used (`HTTP 502`), so a message always names something the user can search for.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProviderError {
    /// Keys missing, wrong, expired, or not allowed to use this API, model or client IP.
    #[error("{code}: {message} (check the API keys and their permissions)")]
    Auth { code: String, message: String },
    /// Account in arrears or resource pack used up. Never retried: retrying cannot help and
    /// the official API sends these as HTTP 429, which a naive client would retry forever.
    /// (A poll that meets one is still asked again: the task exists. So the words say only
    /// that the submit is not sent again, never "not retried" before "poll retry 8".)
    #[error(
        "{code}: {message} (account balance or resource pack: top it up; a submit is never sent again)"
    )]
    Balance { code: String, message: String },
    #[error("{code}: {message}{}", param_suffix(.param))]
    BadRequest {
        code: String,
        message: String,
        param: Option<String>,
    },
    #[error("{code}: {message}")]
    NotFound { code: String, message: String },
    /// A task with this `external_task_id` already exists: the earlier submit got through.
    #[error("{code}: {message}")]
    Conflict { code: String, message: String },
    /// Platform policy or content safety refused the prompt or an image.
    #[error("{code}: {message} (content policy: edit the prompt or images)")]
    Policy { code: String, message: String },
    #[error("{code}: {message}{}", retry_suffix(.retry_after))]
    RateLimited {
        code: String,
        message: String,
        retry_after: Option<Duration>,
    },
    #[error("{code}: {message} (HTTP {status})")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// A refusal with a code this client does not know, on a status that is not a server
    /// error: stopping is safer than guessing that a retry is harmless.
    #[error("{code}: {message} (HTTP {status})")]
    Rejected {
        status: u16,
        code: String,
        message: String,
    },
    /// Timed out, or the connection dropped after the request went out.
    #[error("transport error: {0}")]
    Transport(String),
    /// No connection was made (refused, DNS, TLS handshake): nothing was sent, so even a
    /// create is safe to send again.
    #[error("could not connect (nothing was sent): {0}")]
    Unreachable(String),
    /// The provider answered something this client cannot read.
    #[error("malformed response: {0}")]
    Malformed(String),
    #[error("{0}")]
    Config(String),
}

fn param_suffix(param: &Option<String>) -> String {
    match param.as_deref() {
        Some(p) if !p.is_empty() => format!(" (param: {p})"),
        _ => String::new(),
    }
}

fn retry_suffix(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {} s)", d.as_secs()),
        None => String::new(),
    }
}

impl ProviderError {
    /// Whether sending the same request again may succeed. Says nothing about whether a
    /// failed create may already have made the task: see [`Self::may_have_created`].
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Server { .. }
                | ProviderError::Transport(_)
                | ProviderError::Unreachable(_)
        )
    }

    /// Kling's 1303: the account already runs as many tasks as it may, so nothing was
    /// created. A gateway relays Kling's body inside its own message.
    pub fn is_over_concurrency(&self) -> bool {
        matches!(self, ProviderError::RateLimited { code, message, .. }
            if code == "1303" || message.replace(' ', "").contains("\"code\":1303"))
    }

    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ProviderError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub fn code(&self) -> Option<String> {
        match self {
            ProviderError::Auth { code, .. }
            | ProviderError::Balance { code, .. }
            | ProviderError::BadRequest { code, .. }
            | ProviderError::NotFound { code, .. }
            | ProviderError::Conflict { code, .. }
            | ProviderError::Policy { code, .. }
            | ProviderError::RateLimited { code, .. }
            | ProviderError::Server { code, .. }
            | ProviderError::Rejected { code, .. } => Some(code.clone()),
            ProviderError::Transport(_)
            | ProviderError::Unreachable(_)
            | ProviderError::Malformed(_)
            | ProviderError::Config(_) => None,
        }
    }

    /// On a create: the provider may have made (and billed) the task even though we got no
    /// usable answer, so it must be looked up by `external_task_id` before any re-send.
    pub fn may_have_created(&self) -> bool {
        matches!(
            self,
            ProviderError::Transport(_)
                | ProviderError::Malformed(_)
                | ProviderError::Server { .. }
        )
    }

    /// On a create: the task may exist although this answer did not return it (the answer
    /// was lost or unreadable, or the provider already knows the `external_task_id`), so
    /// whoever sends it again must look it up first.
    pub fn task_may_exist(&self) -> bool {
        self.may_have_created() || matches!(self, ProviderError::Conflict { .. })
    }

    /// The official API's "token not yet valid / expired" codes: re-sign and retry once.
    pub(crate) fn is_token_timing(&self) -> bool {
        matches!(self, ProviderError::Auth { code, .. } if code == "1003" || code == "1004")
    }

    /// Attaches the `Retry-After` the response carried (only rate limits use it).
    pub(crate) fn with_retry_after(self, wait: Option<Duration>) -> Self {
        match self {
            ProviderError::RateLimited {
                code,
                message,
                retry_after: None,
            } => ProviderError::RateLimited {
                code,
                message,
                retry_after: wait,
            },
            other => other,
        }
    }
}

/// The official API's error table (kling-api-notes.md), keyed on the body `code`.
/// Codes outside the table are decided by the HTTP status.
pub fn classify_kling_code(status: u16, code: i64, message: &str) -> ProviderError {
    let c = code.to_string();
    let m = message.to_string();
    match code {
        1000..=1004 | 1103 | 1304 => ProviderError::Auth {
            code: c,
            message: m,
        },
        1100..=1102 => ProviderError::Balance {
            code: c,
            message: m,
        },
        1200..=1202 if mentions_duplicate(message) => ProviderError::Conflict {
            code: c,
            message: m,
        },
        1200..=1202 => ProviderError::BadRequest {
            code: c,
            message: m,
            param: None,
        },
        1203 => ProviderError::NotFound {
            code: c,
            message: m,
        },
        1300 | 1301 => ProviderError::Policy {
            code: c,
            message: m,
        },
        1302 | 1303 => ProviderError::RateLimited {
            code: c,
            message: m,
            retry_after: None,
        },
        5000..=5002 => ProviderError::Server {
            status,
            code: c,
            message: m,
        },
        _ => classify_by_status(status, c, m),
    }
}

/// Codes that mean the account's balance or quota is used up, whatever status carries them:
/// OpenAI's `insufficient_quota` (often on 429), new-api's `insufficient_user_quota` and its
/// task relay's `quota_not_enough` (on 403), `pre_consume_token_quota_failed`.
const BALANCE_CODES: [&str; 4] = [
    "insufficient_quota",
    "insufficient_user_quota",
    "quota_not_enough",
    "pre_consume_token_quota_failed",
];

/// The gateway's errors: the status decides, except that a balance code (see
/// [`BALANCE_CODES`]) is a balance problem whatever status carries it.
pub fn classify_gateway_error(
    status: u16,
    code: Option<&str>,
    kind: Option<&str>,
    message: &str,
    param: Option<&str>,
) -> ProviderError {
    let name = code
        .filter(|s| !s.is_empty())
        .or(kind.filter(|s| !s.is_empty()))
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let m = if message.is_empty() {
        format!("HTTP {status} without an error message")
    } else {
        message.to_string()
    };
    if [code, kind]
        .iter()
        .flatten()
        .any(|s| BALANCE_CODES.contains(s))
    {
        return ProviderError::Balance {
            code: name,
            message: m,
        };
    }
    match status {
        400 | 422 => ProviderError::BadRequest {
            code: name,
            message: m,
            param: param.filter(|p| !p.is_empty()).map(str::to_string),
        },
        402 => ProviderError::Balance {
            code: name,
            message: m,
        },
        409 => ProviderError::Conflict {
            code: name,
            message: m,
        },
        429 => ProviderError::RateLimited {
            code: name,
            message: m,
            retry_after: None,
        },
        _ => classify_by_status(status, name, m),
    }
}

/// For answers whose code says nothing we know: 5xx may pass, anything else stops.
pub fn classify_by_status(status: u16, code: String, message: String) -> ProviderError {
    match status {
        401 | 403 => ProviderError::Auth { code, message },
        404 => ProviderError::NotFound { code, message },
        500..=599 => ProviderError::Server {
            status,
            code,
            message,
        },
        _ => ProviderError::Rejected {
            status,
            code,
            message,
        },
    }
}

/// The official API reports a reused `external_task_id` as a parameter error; its wording is
/// not documented, so this looks for the words any such message would use about a task.
fn mentions_duplicate(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    (m.contains("duplicate") || m.contains("already exist")) && m.contains("task")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_balance_error_does_not_claim_polls_stop() {
        let e = ProviderError::Balance {
            code: "1102".into(),
            message: "Account balance not enough".into(),
        };
        let shown = format!("{e}; poll retry 8 in 60 s");
        assert!(!shown.contains("not retried"), "{shown}");
        assert!(shown.contains("a submit is never sent again"), "{shown}");
    }
}
