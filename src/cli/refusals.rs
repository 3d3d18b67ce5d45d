//! How a command the engine refused ends: its exit code follows from the refusal's kind.

use std::process::ExitCode;

use crate::engine::events::Refusal;

/// How a command the engine refused exits: by the kind of refusal, never its wording. A
/// config.toml whose money keys must be fixed first exits as the CLI's own check of it does
/// (2); every other refusal sent nothing (1).
pub(super) fn exit_code(refusal: &Refusal) -> ExitCode {
    match refusal {
        Refusal::MoneyConfig { .. } => ExitCode::from(super::EXIT_UNREADABLE),
        _ => ExitCode::from(super::follow::EXIT_NOT_SENT),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_money_config_refusal_exits_as_the_clis_own_check_and_others_as_not_sent() {
        let money = Refusal::MoneyConfig {
            why: "fix it".into(),
        };
        assert_eq!(
            exit_code(&money),
            ExitCode::from(super::super::EXIT_UNREADABLE)
        );
        let held = Refusal::LeaseHeld { id: 3 };
        assert_eq!(
            exit_code(&held),
            ExitCode::from(super::super::follow::EXIT_NOT_SENT)
        );
    }
}
