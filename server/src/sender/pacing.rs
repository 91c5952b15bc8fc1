//! Per-instance pacing and failure tracking (in this process's memory).

use std::collections::VecDeque;
use std::time::Duration;

use tokio::time::Instant;

/// Sends remembered for the failure rate.
const WINDOW: usize = 20;
/// Sends needed before the failure rate can pause a campaign.
const MIN_SAMPLES: usize = 10;

/// The pacing state of one instance.
#[derive(Debug, Default)]
pub struct InstancePace {
    /// A send is under way.
    pub busy: bool,
    next_at: Option<Instant>,
    recent: VecDeque<bool>,
    /// Consecutive "unavailable" answers.
    pub unavailable_in_a_row: u32,
}

impl InstancePace {
    /// Whether the pause since the last send has passed.
    pub fn ready(&self, now: Instant) -> bool {
        self.next_at.is_none_or(|t| now >= t)
    }

    /// Waits `delay` before the next send.
    pub fn wait(&mut self, delay: Duration) {
        self.next_at = Some(Instant::now() + delay);
    }

    /// Waits longer after each consecutive unavailable answer (1, 2, 4 … 60 s).
    pub fn back_off(&mut self) {
        self.unavailable_in_a_row += 1;
        let secs = 1u64 << (self.unavailable_in_a_row - 1).min(6);
        self.wait(Duration::from_secs(secs.min(60)));
    }

    /// Records a send's success.
    pub fn record(&mut self, ok: bool) {
        if ok {
            self.unavailable_in_a_row = 0;
        }
        if self.recent.len() == WINDOW {
            self.recent.pop_front();
        }
        self.recent.push_back(ok);
    }

    /// The failure share of the recent sends, once there are enough of them.
    pub fn failure_percent(&self) -> Option<u32> {
        (self.recent.len() >= MIN_SAMPLES).then(|| {
            let failed = self.recent.iter().filter(|ok| !**ok).count();
            (failed * 100 / self.recent.len()) as u32
        })
    }

    /// Forgets failures (after pausing because of them).
    pub fn reset_failures(&mut self) {
        self.recent.clear();
        self.unavailable_in_a_row = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_rate_needs_samples() {
        let mut p = InstancePace::default();
        for _ in 0..9 {
            p.record(false);
        }
        assert_eq!(p.failure_percent(), None);
        p.record(true);
        assert_eq!(p.failure_percent(), Some(90));
        for _ in 0..20 {
            p.record(true);
        }
        assert_eq!(p.failure_percent(), Some(0));
    }

    #[tokio::test]
    async fn back_off_grows() {
        let mut p = InstancePace::default();
        let now = Instant::now();
        assert!(p.ready(now));
        p.back_off();
        p.back_off();
        assert_eq!(p.unavailable_in_a_row, 2);
        assert!(!p.ready(Instant::now()));
        p.record(true);
        assert_eq!(p.unavailable_in_a_row, 0);
    }
}
