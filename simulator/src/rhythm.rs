//! Each contact's daily rhythm: people read WhatsApp at a few favoured hours of their day
//! (lunch, the evening). A message delivered in a favoured hour is read within minutes; one
//! delivered at another hour waits for the next favoured hour. Contacts are seen online
//! (`presence.update` "available") when they read.
//!
//! The live simulator uses it to stretch reads outside the favoured hours; [`Rhythm::history`]
//! plays weeks of past campaigns with it, for the demo's database and for tests of what Flow
//! learns (its best-hours recommendation must name the favoured hours).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The hours contacts favour unless told otherwise (local time): lunch and the evening.
pub const DEFAULT_FAVOURED_HOURS: [u8; 2] = [12, 20];

/// The contacts' UTC offset (Brasília, no DST since 2019).
pub const UTC_OFFSET_SECS: i64 = -3 * 3600;

/// The hours past campaigns were sent at (local), in turn: every hour from 8h to 21h, spread
/// so that a few campaigns already cover the day.
const SEND_HOURS: [u8; 14] = [9, 12, 15, 18, 20, 10, 13, 16, 19, 21, 8, 11, 14, 17];

/// A daily rhythm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rhythm {
    /// Local hours (0–23) when contacts read.
    pub favoured: Vec<u8>,
}

impl Default for Rhythm {
    fn default() -> Self {
        Self {
            favoured: DEFAULT_FAVOURED_HOURS.to_vec(),
        }
    }
}

/// One past campaign message as it happened (Unix seconds).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PastSend {
    /// Index of the past campaign (0 = the oldest).
    pub campaign: usize,
    /// The number it went to.
    pub number: String,
    /// Sent.
    pub sent_at: i64,
    /// Delivered, if it was.
    pub delivered_at: Option<i64>,
    /// Read, if it was.
    pub read_at: Option<i64>,
    /// Answered, if it was.
    pub replied_at: Option<i64>,
}

/// The local hour of day of Unix time `at`.
pub fn local_hour(at: i64) -> u8 {
    ((at + UTC_OFFSET_SECS).rem_euclid(86_400) / 3600) as u8
}

impl Rhythm {
    /// Whether `at` (Unix seconds) falls in a favoured hour.
    pub fn is_favoured(&self, at: i64) -> bool {
        self.favoured.contains(&local_hour(at))
    }

    /// Seconds from `at` to the start of the next favoured hour (0 inside one).
    pub fn until_favoured(&self, at: i64) -> i64 {
        if self.favoured.is_empty() || self.is_favoured(at) {
            return 0;
        }
        let next_hour = (at + UTC_OFFSET_SECS).div_euclid(3600) * 3600 + 3600 - UTC_OFFSET_SECS;
        (0..24)
            .map(|k| next_hour + k * 3600)
            .find(|t| self.is_favoured(*t))
            .map_or(0, |t| t - at)
    }

    /// When a message delivered at `delivered_at` is read: within minutes in a favoured hour,
    /// else some minutes into the next favoured hour.
    pub fn read_at(&self, delivered_at: i64, rng: &mut StdRng) -> i64 {
        let wait = self.until_favoured(delivered_at);
        if wait == 0 {
            delivered_at + rng.random_range(30..1_500)
        } else {
            delivered_at + wait + rng.random_range(300..2_700)
        }
    }

    /// `campaigns` past campaigns to `numbers`, one every `every_days` days, the last the day
    /// before `end` (Unix seconds), sent at the hours of [`SEND_HOURS`] in turn; 90 % delivered,
    /// 75 % of those read as the rhythm says, 10 % of the read answered. Every message sent is
    /// there, delivered or not.
    pub fn history(
        &self,
        numbers: &[String],
        end: i64,
        campaigns: u32,
        every_days: u32,
        seed: u64,
    ) -> Vec<PastSend> {
        let mut rng = StdRng::seed_from_u64(seed);
        let today = (end + UTC_OFFSET_SECS).div_euclid(86_400);
        let mut out = Vec::new();
        let every = i64::from(every_days.max(1));
        for (campaign, ago) in (1..=i64::from(campaigns)).rev().enumerate() {
            let day = ago * every - (every - 1);
            let hour = SEND_HOURS[campaign % SEND_HOURS.len()];
            let start = (today - day) * 86_400 - UTC_OFFSET_SECS + i64::from(hour) * 3600;
            for (n, number) in numbers.iter().enumerate() {
                // A campaign paced at ~12 s a message spreads over its hour.
                let sent_at = start + (n as i64 * 12) % 3_300;
                let delivered_at = rng
                    .random_bool(0.9)
                    .then(|| sent_at + rng.random_range(2..60));
                let read_at = delivered_at
                    .filter(|_| rng.random_bool(0.75))
                    .map(|at| self.read_at(at, &mut rng))
                    .filter(|t| *t < end);
                let replied_at = read_at
                    .filter(|_| rng.random_bool(0.1))
                    .map(|t| t + rng.random_range(20..600))
                    .filter(|t| *t < end);
                out.push(PastSend {
                    campaign,
                    number: number.clone(),
                    sent_at,
                    delivered_at,
                    read_at,
                    replied_at,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-07 00:00 in Brasília, Unix seconds.
    const MIDNIGHT: i64 = 1_796_612_400;

    #[test]
    fn local_hours_and_waits() {
        assert_eq!(local_hour(MIDNIGHT), 0);
        assert_eq!(local_hour(MIDNIGHT + 12 * 3600 + 59), 12);
        let r = Rhythm::default();
        assert!(r.is_favoured(MIDNIGHT + 12 * 3600));
        assert_eq!(r.until_favoured(MIDNIGHT + 12 * 3600 + 10), 0);
        assert_eq!(r.until_favoured(MIDNIGHT + 11 * 3600 + 1800), 1800);
        assert_eq!(r.until_favoured(MIDNIGHT + 21 * 3600), 15 * 3600);
    }

    #[test]
    fn reads_gather_in_the_favoured_hours() {
        let r = Rhythm {
            favoured: vec![10, 19],
        };
        let numbers: Vec<String> = (0..50).map(|n| format!("55119{n:08}")).collect();
        let past = r.history(&numbers, MIDNIGHT + 86_400 * 30, 21, 1, 7);
        let reads: Vec<u8> = past
            .iter()
            .filter_map(|p| p.read_at)
            .map(local_hour)
            .collect();
        let favoured = reads.iter().filter(|h| [10, 19].contains(*h)).count();
        assert!(
            favoured * 10 >= reads.len() * 7,
            "{favoured} of {}",
            reads.len()
        );
        assert_eq!(past, r.history(&numbers, MIDNIGHT + 86_400 * 30, 21, 1, 7));
    }
}
