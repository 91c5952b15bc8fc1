//! Campaign send windows: a daily span of local time (e.g. 08:00–20:00 at UTC−3) outside which
//! the sender waits.

use app::types::SendWindow;
use chrono::{DateTime, Timelike, Utc};

/// Minutes after midnight of `HH:MM`, or `None` when it is not a valid time.
pub fn minutes_of(hhmm: &str) -> Option<u32> {
    let (h, m) = hhmm.trim().split_once(':')?;
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60 && hhmm.trim().len() == 5).then_some(h * 60 + m)
}

/// Whether `window` is valid (both times parse and differ).
pub fn is_valid(window: &SendWindow) -> bool {
    matches!((minutes_of(&window.start), minutes_of(&window.end)), (Some(a), Some(b)) if a != b)
        && window.utc_offset_minutes.abs() <= 14 * 60
}

/// Whether sending is allowed at `now` (always, without a window).
pub fn is_open(window: Option<&SendWindow>, now: DateTime<Utc>) -> bool {
    let Some(w) = window else { return true };
    let (Some(start), Some(end)) = (minutes_of(&w.start), minutes_of(&w.end)) else {
        return true;
    };
    let utc_minutes = (now.hour() * 60 + now.minute()) as i32;
    let local = (utc_minutes + w.utc_offset_minutes).rem_euclid(24 * 60) as u32;
    if start < end {
        (start..end).contains(&local)
    } else {
        local >= start || local < end
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn w(start: &str, end: &str, off: i32) -> SendWindow {
        SendWindow {
            start: start.into(),
            end: end.into(),
            utc_offset_minutes: off,
        }
    }

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, h, m, 0).unwrap()
    }

    #[test]
    fn parses_times() {
        assert_eq!(minutes_of("08:30"), Some(510));
        assert_eq!(minutes_of("24:00"), None);
        assert_eq!(minutes_of("8:30"), None);
        assert_eq!(minutes_of("ab:cd"), None);
        assert!(is_valid(&w("08:00", "20:00", -180)));
        assert!(!is_valid(&w("08:00", "08:00", 0)));
        assert!(!is_valid(&w("08:00", "25:00", 0)));
    }

    #[test]
    fn open_inside_local_window() {
        let brasilia = w("08:00", "20:00", -180);
        assert!(!is_open(Some(&brasilia), at(10, 0))); // 07:00 local
        assert!(is_open(Some(&brasilia), at(11, 0))); // 08:00 local
        assert!(is_open(Some(&brasilia), at(22, 59))); // 19:59 local
        assert!(!is_open(Some(&brasilia), at(23, 0))); // 20:00 local
        assert!(is_open(None, at(3, 0)));
    }

    #[test]
    fn window_across_midnight() {
        let night = w("22:00", "02:00", 0);
        assert!(is_open(Some(&night), at(23, 0)));
        assert!(is_open(Some(&night), at(1, 59)));
        assert!(!is_open(Some(&night), at(2, 0)));
        assert!(!is_open(Some(&night), at(12, 0)));
    }
}
