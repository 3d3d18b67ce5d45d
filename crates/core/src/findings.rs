//! What validation reports: a severity, a JSON-style path and a message naming the limit.

use serde::{Deserialize, Serialize};
use std::fmt;

use super::field_path::FieldPath;
use super::provider::Provider;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks submit.
    Error,
    /// Shown, but the board can still be submitted.
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub severity: Severity,
    /// 0-based like JSON: `shots[0].prompt` is the first shot (the UI says "Shot 1").
    pub path: FieldPath,
    pub message: String,
    /// Set when the rule is the provider's own rather than Kling v3's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// The route cannot carry what the board asks, so nothing may be sent (the `route`
    /// rule): front ends refuse such a board like an unconfirmed paid send. Not written out:
    /// the message says it in words.
    #[serde(skip)]
    pub route_refusal: bool,
}

impl Finding {
    pub fn error(path: FieldPath, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Error,
            path,
            message: message.into(),
            provider: None,
            route_refusal: false,
        }
    }

    pub fn warning(path: FieldPath, message: impl Into<String>) -> Self {
        Finding {
            severity: Severity::Warning,
            ..Finding::error(path, message)
        }
    }

    pub fn for_provider(mut self, provider: Provider) -> Self {
        self.provider = Some(provider);
        self
    }

    /// Marks the finding as the route's refusal to carry the board ([`Finding::route_refusal`]).
    pub fn refused_by_route(mut self) -> Self {
        self.route_refusal = true;
        self
    }

    /// The shot this finding is about, if its path is inside one.
    pub fn shot_index(&self) -> Option<usize> {
        self.path.shot_index()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.severity.as_str(),
            self.path,
            self.message
        )?;
        if let Some(p) = self.provider {
            write!(f, " ({p} only)")?;
        }
        Ok(())
    }
}

/// True when nothing blocks submit.
pub fn is_submittable(findings: &[Finding]) -> bool {
    findings.iter().all(|f| f.severity != Severity::Error)
}
