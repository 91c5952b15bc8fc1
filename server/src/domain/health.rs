//! The health score of an instance, 0–100, from its last seven days of stats.
//!
//! `score = 100 × (0.8 × success + 0.2 × engagement) − 10 × disconnects`, clamped to 0–100,
//! where `success = delivered / (delivered + failed)` (1 when nothing was attempted) and
//! `engagement = min(1, 2 × read / delivered)` (1 when nothing was delivered, so a new
//! instance starts at 100). Deliveries and reads raise it; failures and disconnects lower it.

/// The stats the score is computed from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RecentStats {
    /// Messages delivered (or read).
    pub delivered: i64,
    /// Messages read.
    pub read: i64,
    /// Messages failed.
    pub failed: i64,
    /// Disconnects (`close`/`refused`).
    pub disconnects: i64,
}

impl std::ops::Add for RecentStats {
    type Output = Self;

    /// The stats of two periods together.
    fn add(self, other: Self) -> Self {
        Self {
            delivered: self.delivered + other.delivered,
            read: self.read + other.read,
            failed: self.failed + other.failed,
            disconnects: self.disconnects + other.disconnects,
        }
    }
}

/// Days of stats the score looks at.
pub const WINDOW_DAYS: i64 = 7;

/// The health score for `s`.
pub fn score(s: RecentStats) -> i32 {
    let attempts = s.delivered + s.failed;
    let success = if attempts <= 0 {
        1.0
    } else {
        s.delivered as f64 / attempts as f64
    };
    let engagement = if s.delivered <= 0 {
        1.0
    } else {
        (2.0 * s.read as f64 / s.delivered as f64).min(1.0)
    };
    let raw = 100.0 * (0.8 * success + 0.2 * engagement) - 10.0 * s.disconnects as f64;
    raw.round().clamp(0.0, 100.0) as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(delivered: i64, read: i64, failed: i64, disconnects: i64) -> RecentStats {
        RecentStats {
            delivered,
            read,
            failed,
            disconnects,
        }
    }

    #[test]
    fn new_instance_is_healthy() {
        assert_eq!(score(s(0, 0, 0, 0)), 100);
    }

    #[test]
    fn failures_and_disconnects_lower_it() {
        let good = score(s(90, 60, 10, 0));
        assert!(good < 100 && good > 80, "{good}");
        assert!(score(s(50, 30, 50, 0)) < good);
        assert!(score(s(90, 60, 10, 2)) < good);
        assert_eq!(score(s(0, 0, 100, 20)), 0);
    }

    #[test]
    fn reads_raise_it() {
        assert!(score(s(100, 50, 0, 0)) > score(s(100, 5, 0, 0)));
        assert_eq!(score(s(100, 50, 0, 0)), 100);
    }
}
