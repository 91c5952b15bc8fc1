//! Placing each recipient of a `send_at_best_hour` campaign in an hour: the next occurrence of
//! their preferred hour within a day of the start, moved to the nearest hour the send window
//! and days allow, and spilt to the next free hour when the instances cannot send more in it
//! (pacing) or that day (warm-up and daily caps).

use std::collections::HashMap;

use app::insights::Slot;
use chrono::{DateTime, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use crate::domain::send_window::Quiet;

/// Hours ahead the plan looks (a week and a day: every send day comes round).
const HORIZON: usize = 24 * 8;

/// What the instances can send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capacity {
    /// Messages per hour (every instance at its average pause).
    pub per_hour: i64,
    /// Messages the first (local) day still allows; `None` when uncapped.
    pub first_day: Option<i64>,
    /// Messages a later day allows; `None` when uncapped.
    pub per_day: Option<i64>,
}

/// One hour of the plan.
#[derive(Clone, Debug)]
struct Hour {
    /// The earliest instant a message placed here may go (the hour's start, the campaign's
    /// start, or the window's opening inside the hour); `None` when the hour is closed.
    opens: Option<DateTime<Utc>>,
    /// Local hour of day.
    hour: u8,
    /// Local date.
    date: NaiveDate,
    /// Messages placed.
    used: i64,
}

/// The hours from a campaign's start, and what each already holds.
#[derive(Clone, Debug)]
pub struct Planner {
    hours: Vec<Hour>,
    capacity: Capacity,
    first_date: NaiveDate,
    per_date: HashMap<NaiveDate, i64>,
}

impl Planner {
    /// The plan of a campaign starting at `start`, sending under `quiet`, in timezone `tz`.
    pub fn new(start: DateTime<Utc>, tz: Tz, quiet: &Quiet, capacity: Capacity) -> Self {
        let local = start.with_timezone(&tz);
        let floor = start
            - Duration::minutes(i64::from(local.minute()))
            - Duration::seconds(i64::from(local.second()))
            - Duration::nanoseconds(i64::from(local.nanosecond()));
        let hours = (0..HORIZON)
            .map(|k| {
                let begins = floor + Duration::hours(k as i64);
                let from = begins.max(start);
                let ends = begins + Duration::hours(1);
                let opens = if quiet.is_open(from) {
                    Some(from)
                } else {
                    quiet.opens_at(from).filter(|t| *t < ends)
                };
                let at = begins.with_timezone(&tz);
                Hour {
                    opens,
                    hour: at.hour() as u8,
                    date: at.date_naive(),
                    used: 0,
                }
            })
            .collect();
        Self {
            hours,
            capacity,
            first_date: local.date_naive(),
            per_date: HashMap::new(),
        }
    }

    /// The hours of day the first day of the plan may send in (for exploration).
    pub fn open_hours(&self) -> Vec<u8> {
        self.hours
            .iter()
            .take(24)
            .filter(|h| h.opens.is_some())
            .map(|h| h.hour)
            .collect()
    }

    /// Of `slots` (a recommendation's), the hour whose next occurrence comes first within a
    /// day of the start; else the first slot's hour.
    pub fn audience_hour(&self, slots: &[Slot]) -> Option<u8> {
        self.hours
            .iter()
            .take(24)
            .find(|h| {
                slots.iter().any(|s| {
                    s.hour == h.hour
                        && u32::from(s.weekday)
                            == chrono::Datelike::weekday(&h.date).number_from_monday()
                })
            })
            .map(|h| h.hour)
            .or_else(|| slots.first().map(|s| s.hour))
    }

    fn day_cap(&self, date: NaiveDate) -> Option<i64> {
        if date == self.first_date {
            self.capacity.first_day
        } else {
            self.capacity.per_day
        }
    }

    fn has_room(&self, k: usize) -> bool {
        let h = &self.hours[k];
        h.opens.is_some()
            && h.used < self.capacity.per_hour.max(1)
            && self
                .day_cap(h.date)
                .is_none_or(|cap| self.per_date.get(&h.date).copied().unwrap_or(0) < cap)
    }

    /// Places one recipient who prefers `hour` (`None`: as soon as possible) and answers when
    /// they are due.
    pub fn place(&mut self, hour: Option<u8>) -> DateTime<Utc> {
        let wanted = hour
            .and_then(|h| self.hours.iter().take(24).position(|x| x.hour == h))
            .unwrap_or(0);
        // The nearest open hour to the wanted one (the earlier of two equally near).
        let nearest = (0..HORIZON).find_map(|d| {
            [wanted.checked_sub(d), Some(wanted + d)]
                .into_iter()
                .flatten()
                .find(|&k| k < HORIZON && self.hours[k].opens.is_some())
        });
        let Some(nearest) = nearest else {
            // Never open within the horizon: due at once, the window still gates the send.
            return self.hours[0].opens.unwrap_or_else(|| self.first_instant());
        };
        let k = (nearest..HORIZON)
            .find(|&k| self.has_room(k))
            .unwrap_or(nearest);
        let h = &mut self.hours[k];
        h.used += 1;
        *self.per_date.entry(h.date).or_default() += 1;
        h.opens.unwrap_or_else(Utc::now)
    }

    fn first_instant(&self) -> DateTime<Utc> {
        self.hours
            .iter()
            .find_map(|h| h.opens)
            .unwrap_or_else(Utc::now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::types::SendWindow;
    use chrono::TimeZone;
    use chrono_tz::America::Sao_Paulo;

    fn quiet(window: Option<(&str, &str)>) -> Quiet {
        let w = window.map(|(start, end)| SendWindow {
            start: start.into(),
            end: end.into(),
            utc_offset_minutes: None,
        });
        Quiet::new(w.as_ref(), &[], Sao_Paulo)
    }

    /// 2026-12-07 (a Monday) at `h`:`m` in São Paulo (UTC−3).
    fn local(h: u32, m: u32) -> DateTime<Utc> {
        Sao_Paulo
            .with_ymd_and_hms(2026, 12, 7, h, m, 0)
            .unwrap()
            .to_utc()
    }

    fn roomy() -> Capacity {
        Capacity {
            per_hour: 1_000,
            first_day: None,
            per_day: None,
        }
    }

    #[test]
    fn next_occurrence_of_the_hour() {
        let start = local(10, 20);
        let mut p = Planner::new(start, Sao_Paulo, &quiet(None), roomy());
        assert_eq!(p.place(Some(19)), local(19, 0));
        assert_eq!(
            p.place(Some(10)),
            start,
            "the start's own hour is due at once"
        );
        assert_eq!(
            p.place(Some(8)),
            local(8, 0) + Duration::days(1),
            "an hour already past is tomorrow's"
        );
        assert_eq!(p.place(None), start);
    }

    #[test]
    fn outside_the_window_goes_to_the_nearest_edge() {
        let start = local(9, 0);
        let mut p = Planner::new(start, Sao_Paulo, &quiet(Some(("08:00", "20:00"))), roomy());
        assert_eq!(
            p.place(Some(21)),
            local(19, 0),
            "after the window: its last hour"
        );
        assert_eq!(
            p.place(Some(6)),
            local(8, 0) + Duration::days(1),
            "before the window: its first hour"
        );
        let mut half = Planner::new(start, Sao_Paulo, &quiet(Some(("08:30", "20:00"))), roomy());
        assert_eq!(
            half.place(Some(8)),
            local(8, 30) + Duration::days(1),
            "a window opening inside the hour is due when it opens"
        );
    }

    #[test]
    fn a_full_hour_spills_to_the_next_free_one() {
        let start = local(9, 0);
        let capacity = Capacity {
            per_hour: 2,
            first_day: Some(5),
            per_day: Some(100),
        };
        let mut p = Planner::new(start, Sao_Paulo, &quiet(Some(("08:00", "22:00"))), capacity);
        let due: Vec<_> = (0..6).map(|_| p.place(Some(19))).collect();
        assert_eq!(due[0], local(19, 0));
        assert_eq!(due[1], local(19, 0));
        assert_eq!(due[2], local(20, 0));
        assert_eq!(due[3], local(20, 0));
        assert_eq!(due[4], local(21, 0));
        // The first day's cap (5) is spent: the sixth waits for the next day's window.
        assert_eq!(due[5], local(8, 0) + Duration::days(1));
    }

    #[test]
    fn audience_hour_prefers_a_slot_within_the_day() {
        let start = local(10, 0); // Monday
        let p = Planner::new(start, Sao_Paulo, &quiet(None), roomy());
        let slots = [
            Slot {
                weekday: 2,
                hour: 9,
            },
            Slot {
                weekday: 1,
                hour: 19,
            },
        ];
        assert_eq!(p.audience_hour(&slots), Some(19));
        assert_eq!(
            p.audience_hour(&[Slot {
                weekday: 5,
                hour: 7
            }]),
            Some(7)
        );
        assert_eq!(p.audience_hour(&[]), None);
        assert_eq!(p.open_hours().len(), 24);
    }
}
