//! The best hour to send, learnt from reads and replies.
//!
//! Like the send-time optimisers of e-mail tools, slots are ranked by engagement **per message
//! sent in them**, never by raw counts (which would only echo when the team happened to send):
//! a send slot's rate is the share of its messages read or answered within
//! [`READ_SOON_SECS`]. The recommendation is the (at most [`MAX_SLOTS`], at most
//! [`MAX_PER_HOUR`] of one hour of day) slots with the highest rate above the overall rate,
//! among slots with at least [`MIN_SLOT_SENDS`] messages, once [`MIN_SENDS`] messages were
//! sent in all. A person's own best hour is the hour of day they
//! most often read or answered in, once they did so [`PERSONAL_MIN`] times.

use app::insights::{Recommendation, Slot};
use chrono::{Datelike, NaiveDateTime, Timelike};

/// Messages sent in all below which there is no recommendation ("not enough data yet").
pub const MIN_SENDS: i64 = 200;
/// Messages a slot needs to be recommended.
pub const MIN_SLOT_SENDS: i64 = 20;
/// A message read (or answered) this soon after it was sent counts as engaged.
pub const READ_SOON_SECS: i64 = 3_600;
/// Slots a recommendation names at most.
pub const MAX_SLOTS: usize = 3;
/// Slots of one hour of day a recommendation names at most.
pub const MAX_PER_HOUR: usize = 2;
/// Reads and replies a person needs for a best hour of their own.
pub const PERSONAL_MIN: usize = 3;
/// Weekday × hour cells in a week.
pub const CELLS: usize = 7 * 24;

/// The slot of a local time.
pub fn slot_of(local: NaiveDateTime) -> Slot {
    Slot {
        weekday: local.weekday().number_from_monday() as u8,
        hour: local.hour() as u8,
    }
}

/// The cell index of a slot: Monday 0h is 0, Sunday 23h is 167.
pub fn index(slot: Slot) -> usize {
    (usize::from(slot.weekday.clamp(1, 7)) - 1) * 24 + usize::from(slot.hour.min(23))
}

/// The slot of a cell index.
pub fn slot_at(index: usize) -> Slot {
    Slot {
        weekday: (index / 24 + 1) as u8,
        hour: (index % 24) as u8,
    }
}

/// Messages sent per send slot and, of them, those read or answered soon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SendStats {
    /// Messages sent, per cell.
    pub sends: Vec<i64>,
    /// Of them, read or answered within [`READ_SOON_SECS`], per cell.
    pub engaged: Vec<i64>,
}

impl Default for SendStats {
    fn default() -> Self {
        Self {
            sends: vec![0; CELLS],
            engaged: vec![0; CELLS],
        }
    }
}

impl SendStats {
    /// Adds `n` messages sent in `slot`, `engaged` of them read or answered soon.
    pub fn add(&mut self, slot: Slot, n: i64, engaged: i64) {
        let i = index(slot);
        self.sends[i] += n;
        self.engaged[i] += engaged;
    }
}

/// The recommendation `stats` support, if any.
pub fn recommend(stats: &SendStats) -> Option<Recommendation> {
    let total: i64 = stats.sends.iter().sum();
    let engaged: i64 = stats.engaged.iter().sum();
    if total < MIN_SENDS || engaged == 0 {
        return None;
    }
    let baseline = engaged as f64 / total as f64;
    let rate = |i: usize| stats.engaged[i] as f64 / stats.sends[i] as f64;
    let mut best: Vec<usize> = (0..CELLS)
        .filter(|&i| stats.sends[i] >= MIN_SLOT_SENDS && rate(i) > baseline)
        .collect();
    best.sort_by(|&a, &b| {
        rate(b)
            .total_cmp(&rate(a))
            .then(stats.sends[b].cmp(&stats.sends[a]))
            .then(a.cmp(&b))
    });
    // At most two slots an hour of day: the recommendation names the hours that work rather
    // than one hour on every weekday.
    let mut per_hour = [0usize; 24];
    best.retain(|&i| {
        let hour = i % 24;
        per_hour[hour] += 1;
        per_hour[hour] <= MAX_PER_HOUR
    });
    best.truncate(MAX_SLOTS);
    if best.is_empty() {
        return None;
    }
    best.sort_unstable();
    let sends: i64 = best.iter().map(|&i| stats.sends[i]).sum();
    let soon: i64 = best.iter().map(|&i| stats.engaged[i]).sum();
    Some(Recommendation {
        slots: best.into_iter().map(slot_at).collect(),
        read_rate: soon as f64 / sends as f64,
        baseline_rate: baseline,
        evidence: sends,
    })
}

/// A person's best hour of day from the local hours of their reads and replies: the most
/// frequent (the earliest of equals), once there are [`PERSONAL_MIN`].
pub fn personal_hour(hours: &[u8]) -> Option<u8> {
    if hours.len() < PERSONAL_MIN {
        return None;
    }
    let mut counts = [0usize; 24];
    for h in hours {
        counts[usize::from(*h).min(23)] += 1;
    }
    let max = *counts.iter().max()?;
    counts.iter().position(|c| *c == max).map(|h| h as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slot(weekday: u8, hour: u8) -> Slot {
        Slot { weekday, hour }
    }

    #[test]
    fn cells_round_trip() {
        for i in 0..CELLS {
            assert_eq!(index(slot_at(i)), i);
        }
        assert_eq!(index(slot(1, 0)), 0);
        assert_eq!(index(slot(7, 23)), 167);
    }

    #[test]
    fn ranks_by_rate_per_send_not_by_counts() {
        let mut stats = SendStats::default();
        // Monday 10h: many sends, many reads, but a low rate.
        stats.add(slot(1, 10), 1_000, 200);
        // Tuesday and Thursday 19h: fewer sends, read soon far more often.
        stats.add(slot(2, 19), 100, 80);
        stats.add(slot(4, 19), 100, 70);
        // Too few sends to count, however good.
        stats.add(slot(5, 8), 5, 5);
        let r = recommend(&stats).expect("enough data");
        assert_eq!(r.slots, vec![slot(2, 19), slot(4, 19)]);
        assert_eq!(r.evidence, 200);
        assert!((r.read_rate - 0.75).abs() < 1e-9);
        assert!((r.baseline_rate - 355.0 / 1205.0).abs() < 1e-9);
    }

    #[test]
    fn at_most_two_slots_of_one_hour() {
        let mut stats = SendStats::default();
        for weekday in 1..=5 {
            stats.add(slot(weekday, 20), 100, 90);
        }
        stats.add(slot(3, 12), 100, 80);
        stats.add(slot(1, 9), 1_000, 10);
        let r = recommend(&stats).expect("enough data");
        assert_eq!(r.slots, vec![slot(1, 20), slot(2, 20), slot(3, 12)]);
    }

    #[test]
    fn no_recommendation_below_the_threshold() {
        let mut stats = SendStats::default();
        stats.add(slot(2, 19), MIN_SENDS - 1, 100);
        assert_eq!(recommend(&stats), None);
        let mut flat = SendStats::default();
        flat.add(slot(1, 9), 300, 30);
        flat.add(slot(1, 10), 300, 30);
        assert_eq!(recommend(&flat), None, "no slot beats the average");
    }

    #[test]
    fn personal_hour_needs_three_events() {
        assert_eq!(personal_hour(&[20, 20]), None);
        assert_eq!(personal_hour(&[20, 20, 9]), Some(20));
        assert_eq!(personal_hour(&[9, 20, 21]), Some(9));
    }
}
