//! A short lockout after repeated failed logins for one email, kept in memory: after
//! [`MAX_FAILURES`] failures in a row the email is refused for [`LOCKOUT`], whatever password.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failed logins in a row that lock an email.
pub const MAX_FAILURES: u32 = 5;

/// How long a locked email stays locked.
pub const LOCKOUT: Duration = Duration::from_secs(5 * 60);

/// Entries kept before old ones are swept.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// Failed-login counts per email.
#[derive(Default)]
pub struct LoginGuard {
    failures: Mutex<HashMap<String, Failures>>,
}

impl LoginGuard {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Failures>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `email` is locked out now.
    pub fn is_locked(&self, email: &str) -> bool {
        self.map()
            .get(email)
            .is_some_and(|f| f.count >= MAX_FAILURES && f.last.elapsed() < LOCKOUT)
    }

    /// Counts a failed login of `email`.
    pub fn failed(&self, email: &str) {
        let now = Instant::now();
        let mut map = self.map();
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, f| f.last.elapsed() < LOCKOUT);
        }
        let entry = map.entry(email.to_string()).or_insert(Failures {
            count: 0,
            last: now,
        });
        if entry.last.elapsed() >= LOCKOUT {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    /// Forgets the failures of `email` after a successful login.
    pub fn succeeded(&self, email: &str) {
        self.map().remove(email);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locks_after_max_failures_and_clears_on_success() {
        let guard = LoginGuard::default();
        for _ in 0..MAX_FAILURES - 1 {
            guard.failed("a@x");
        }
        assert!(!guard.is_locked("a@x"));
        guard.failed("a@x");
        assert!(guard.is_locked("a@x"));
        assert!(!guard.is_locked("b@x"));
        guard.succeeded("a@x");
        assert!(!guard.is_locked("a@x"));
    }
}
