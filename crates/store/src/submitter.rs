//! Who asks for jobs through a store: the user and machine of this process. Both stores
//! use the host: a team's store records it on each job (files land on the machine that
//! asked), and an engine downloads only the jobs its own machine asked for.

/// Who asked for a job (budgets and `spend` per user; the Jobs pane shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitter {
    pub user: String,
    pub host: String,
}

impl Submitter {
    /// This process's user (`$USER`, `$LOGNAME`) and machine (the kernel's host name).
    pub fn of_this_process() -> Submitter {
        let user = crate::local_user();
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unknown".into());
        Submitter { user, host }
    }

    /// `user@host`, as front ends show it.
    pub fn label(&self) -> String {
        format!("{}@{}", self.user, self.host)
    }
}
