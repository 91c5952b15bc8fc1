//! Campaign send windows (quiet hours): a daily span of local wall-clock time, e.g.
//! 08:00–20:00, on chosen weekdays, outside which the sender waits.
//!
//! Local time is the tenant's IANA timezone (a window given with a fixed `utc_offset_minutes`
//! keeps that offset, as campaigns made before timezones did). Comparing wall-clock times of
//! real instants is DST-safe: 08:00 is 08:00 on both sides of a change. A window across
//! midnight (22:00–02:00) belongs to the weekday it opens on.

use app::types::SendWindow;
use chrono::{
    DateTime, Datelike, Days, FixedOffset, NaiveDate, NaiveTime, TimeZone, Timelike, Utc, Weekday,
};
use chrono_tz::Tz;

/// The weekday names `send_days` takes, Monday first.
pub const DAY_NAMES: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Minutes after midnight of `HH:MM`, or `None` when it is not a valid time.
pub fn minutes_of(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && hhmm.trim().len() == 5).then_some(h * 60 + m)
}

/// Whether `window` is valid (both times parse and differ; a fixed offset within ±14 h).
pub fn is_valid(window: &SendWindow) -> bool {
    matches!((minutes_of(&window.start), minutes_of(&window.end)), (Some(a), Some(b)) if a != b)
        && window.utc_offset_minutes.is_none_or(|o| o.abs() <= 14 * 60)
}

/// The weekday of a `send_days` name (`mon` … `sun`).
pub fn weekday_of(name: &str) -> Option<Weekday> {
    DAY_NAMES
        .iter()
        .position(|d| d.eq_ignore_ascii_case(name.trim()))
        .and_then(|i| Weekday::try_from(i as u8).ok())
}

/// When a campaign may send: its window (none = all day) on its days (empty = every day), read
/// in `tz`.
#[derive(Clone, Debug)]
pub struct Quiet {
    start: u32,
    end: u32,
    days: Vec<Weekday>,
    clock: Clock,
}

#[derive(Clone, Copy, Debug)]
enum Clock {
    Fixed(FixedOffset),
    Zone(Tz),
}

impl Quiet {
    /// The rules of a campaign: `window` (ignored when invalid), `days` (unknown names are
    /// ignored), read in the tenant's `tz` unless the window has a fixed offset.
    pub fn new(window: Option<&SendWindow>, days: &[String], tz: Tz) -> Self {
        let span = window.and_then(|w| Some((minutes_of(&w.start)?, minutes_of(&w.end)?)));
        let (start, end) = span.unwrap_or((0, 0));
        let fixed = window
            .and_then(|w| w.utc_offset_minutes)
            .and_then(|o| FixedOffset::east_opt(o * 60));
        Self {
            start,
            end,
            days: days.iter().filter_map(|d| weekday_of(d)).collect(),
            clock: fixed.map_or(Clock::Zone(tz), Clock::Fixed),
        }
    }

    fn local(&self, now: DateTime<Utc>) -> (NaiveDate, u32) {
        let naive = match self.clock {
            Clock::Fixed(o) => now.with_timezone(&o).naive_local(),
            Clock::Zone(tz) => now.with_timezone(&tz).naive_local(),
        };
        (naive.date(), naive.hour() * 60 + naive.minute())
    }

    fn day_allowed(&self, day: NaiveDate) -> bool {
        self.days.is_empty() || self.days.contains(&day.weekday())
    }

    /// Whether sending is allowed at `now`.
    pub fn is_open(&self, now: DateTime<Utc>) -> bool {
        let (date, minute) = self.local(now);
        let (start, end) = (self.start, self.end);
        if start == end {
            return self.day_allowed(date);
        }
        if start < end {
            (start..end).contains(&minute) && self.day_allowed(date)
        } else if minute >= start {
            self.day_allowed(date)
        } else {
            // Before `end` the window is the one opened yesterday.
            minute < end && date.pred_opt().is_some_and(|d| self.day_allowed(d))
        }
    }

    /// When the window next opens after `now`, if it is closed now (and opens within a week).
    pub fn opens_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if self.is_open(now) {
            return None;
        }
        let (today, _) = self.local(now);
        let start = NaiveTime::from_hms_opt(self.start / 60, self.start % 60, 0)?;
        (0..=7u64)
            .filter_map(|n| today.checked_add_days(Days::new(n)))
            .filter(|d| self.day_allowed(*d))
            .filter_map(|d| self.instant(d.and_time(start)))
            .find(|t| *t > now)
    }

    /// The local wall-clock time of `at`, `HH:MM`.
    pub fn local_time(&self, at: DateTime<Utc>) -> String {
        let (_, minute) = self.local(at);
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    /// The instant of a local wall-clock time; one skipped by a DST change is the first
    /// instant after the gap.
    fn instant(&self, local: chrono::NaiveDateTime) -> Option<DateTime<Utc>> {
        match self.clock {
            Clock::Fixed(o) => o.from_local_datetime(&local).earliest().map(|t| t.to_utc()),
            Clock::Zone(tz) => (0..=180)
                .step_by(15)
                .find_map(|m| {
                    tz.from_local_datetime(&(local + chrono::Duration::minutes(m)))
                        .earliest()
                })
                .map(|t| t.to_utc()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(start: &str, end: &str, off: Option<i32>) -> SendWindow {
        SendWindow {
            start: start.into(),
            end: end.into(),
            utc_offset_minutes: off,
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    const SP: Tz = chrono_tz::America::Sao_Paulo;
    const NY: Tz = chrono_tz::America::New_York;

    #[test]
    fn parses_times_and_days() {
        assert_eq!(minutes_of("08:30"), Some(510));
        assert_eq!(minutes_of("24:00"), None);
        assert_eq!(minutes_of("8:30"), None);
        assert_eq!(minutes_of("ab:cd"), None);
        assert!(is_valid(&w("08:00", "20:00", Some(-180))));
        assert!(is_valid(&w("08:00", "20:00", None)));
        assert!(!is_valid(&w("08:00", "08:00", None)));
        assert!(!is_valid(&w("08:00", "25:00", None)));
        assert!(!is_valid(&w("08:00", "20:00", Some(15 * 60))));
        assert_eq!(weekday_of("sun"), Some(Weekday::Sun));
        assert_eq!(weekday_of(" Mon "), Some(Weekday::Mon));
        assert_eq!(weekday_of("domingo"), None);
    }

    #[test]
    fn fixed_offset_window_as_before() {
        let q = Quiet::new(Some(&w("08:00", "20:00", Some(-180))), &[], NY);
        assert!(!q.is_open(utc(2026, 11, 29, 10, 0))); // 07:00 local
        assert!(q.is_open(utc(2026, 11, 29, 11, 0))); // 08:00 local
        assert!(q.is_open(utc(2026, 11, 29, 22, 59))); // 19:59 local
        assert!(!q.is_open(utc(2026, 11, 29, 23, 0))); // 20:00 local
        assert!(Quiet::new(None, &[], SP).is_open(utc(2026, 11, 29, 3, 0)));
    }

    #[test]
    fn sao_paulo_across_its_last_dst_change() {
        // 2018-11-04 00:00 local: clocks went forward to 01:00 (UTC−3 → UTC−2).
        let q = Quiet::new(Some(&w("08:00", "20:00", None)), &[], SP);
        // The day before: 08:00 local is 11:00 UTC.
        assert!(!q.is_open(utc(2018, 11, 3, 10, 30)));
        assert!(q.is_open(utc(2018, 11, 3, 11, 0)));
        // The day after: 08:00 local is 10:00 UTC.
        assert!(q.is_open(utc(2018, 11, 5, 10, 30)));
        assert!(!q.is_open(utc(2018, 11, 5, 9, 59)));
        assert!(!q.is_open(utc(2018, 11, 5, 22, 0))); // 20:00 local
        // Closed at night, it opens at 08:00 local of the new offset.
        let opens = q.opens_at(utc(2018, 11, 4, 2, 0));
        assert_eq!(opens, Some(utc(2018, 11, 4, 10, 0)));
        assert_eq!(q.local_time(opens.unwrap()), "08:00");
        // A window opening at the skipped midnight opens when the day begins (01:00).
        let night = Quiet::new(Some(&w("00:00", "06:00", None)), &[], SP);
        assert_eq!(
            night.opens_at(utc(2018, 11, 3, 20, 0)),
            Some(utc(2018, 11, 4, 3, 0))
        );
        assert!(night.is_open(utc(2018, 11, 4, 3, 30)));
    }

    #[test]
    fn new_york_spring_and_fall() {
        let q = Quiet::new(Some(&w("08:00", "20:00", None)), &[], NY);
        // 2026-03-08: EST (−5) becomes EDT (−4) at 02:00.
        assert!(q.is_open(utc(2026, 3, 7, 13, 0))); // 08:00 EST
        assert!(!q.is_open(utc(2026, 3, 7, 12, 30)));
        assert!(q.is_open(utc(2026, 3, 8, 12, 0))); // 08:00 EDT
        assert!(!q.is_open(utc(2026, 3, 8, 11, 59)));
        // 2026-11-01: back to EST at 02:00.
        assert!(!q.is_open(utc(2026, 11, 1, 12, 30))); // 07:30 EST
        assert!(q.is_open(utc(2026, 11, 1, 13, 0)));
        assert_eq!(
            q.opens_at(utc(2026, 11, 1, 5, 0)),
            Some(utc(2026, 11, 1, 13, 0))
        );
    }

    #[test]
    fn midnight_and_weekdays() {
        let days: Vec<String> = ["sat"].map(String::from).to_vec();
        let q = Quiet::new(Some(&w("22:00", "02:00", None)), &days, SP);
        // 2026-11-28 is a Saturday; São Paulo is UTC−3.
        assert!(q.is_open(utc(2026, 11, 29, 1, 0))); // Sat 22:00
        assert!(q.is_open(utc(2026, 11, 29, 4, 59))); // Sun 01:59, Saturday's window
        assert!(!q.is_open(utc(2026, 11, 29, 5, 0))); // Sun 02:00
        assert!(!q.is_open(utc(2026, 11, 30, 1, 0))); // Sun 22:00
        assert!(!q.is_open(utc(2026, 11, 28, 4, 0))); // Sat 01:00, Friday's window
        assert_eq!(
            q.opens_at(utc(2026, 11, 29, 6, 0)),
            Some(utc(2026, 12, 6, 1, 0))
        );
        // No Sundays, no window: all day Monday to Saturday.
        let weekdays: Vec<String> = DAY_NAMES[..6].iter().map(|d| d.to_string()).collect();
        let q = Quiet::new(None, &weekdays, SP);
        assert!(!q.is_open(utc(2026, 11, 29, 15, 0))); // Sunday noon
        assert!(q.is_open(utc(2026, 11, 30, 3, 0))); // Monday 00:00
        assert_eq!(
            q.opens_at(utc(2026, 11, 29, 15, 0)),
            Some(utc(2026, 11, 30, 3, 0))
        );
    }
}
