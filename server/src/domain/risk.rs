//! An instance's risk of losing its number, from its last sends (over every campaign and
//! process): a spike of opt-outs, of "not on WhatsApp" answers (a bought or stale list) or of
//! other failures warns early (`attention`), and past the limit (`high`) pauses the campaigns
//! it sends before WhatsApp bans the number.

use app::types::{RiskSignal, RiskView};

/// Sends looked at. Shares are of this many sends even before there are so many, so a few
/// early opt-outs are not a spike (3 % needs 3 opt-outs).
pub const WINDOW: i64 = 100;

/// The default opt-out limit: 3 % of the last sends.
pub const DEFAULT_OPTOUT_PERCENT: i64 = 3;

/// "Not on WhatsApp" answers past this share of the last sends are a spike.
pub const NOT_ON_WHATSAPP_PERCENT: i64 = 20;

/// Other failures past this share of the last sends are a rising failure rate.
pub const FAILURE_PERCENT: i64 = 30;

/// The last sends of an instance.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Recent {
    /// Sends attempted (accepted or failed).
    pub attempts: i64,
    /// Failed for another reason than the number not being on WhatsApp.
    pub failed: i64,
    /// Refused: the number is not on WhatsApp.
    pub not_on_whatsapp: i64,
    /// The contact opted out after getting it.
    pub opted_out: i64,
}

/// A signal and the campaign pause reason it gives when high.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// Opt-outs.
    OptOuts,
    /// "Not on WhatsApp" answers.
    NotOnWhatsapp,
    /// Other failures.
    Failures,
}

impl Signal {
    /// Every signal.
    pub const ALL: [Self; 3] = [Self::OptOuts, Self::NotOnWhatsapp, Self::Failures];

    /// Its wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptOuts => "opt_outs",
            Self::NotOnWhatsapp => "not_on_whatsapp",
            Self::Failures => "failures",
        }
    }

    /// The pause reason of the campaigns when it is high.
    pub fn pause_reason(self) -> &'static str {
        match self {
            Self::OptOuts => "optout_spike",
            Self::NotOnWhatsapp => "not_on_whatsapp_spike",
            Self::Failures => "high_failure_rate",
        }
    }
}

/// The risk of `recent` with the tenant's opt-out limit (percent): `high` at a limit,
/// `attention` from half of it, each signal with its share; the signal to pause for first.
pub fn assess(recent: Recent, optout_percent: i64) -> (RiskView, Option<Signal>) {
    let base = recent.attempts.max(WINDOW);
    let checks = [
        (Signal::OptOuts, recent.opted_out, optout_percent),
        (
            Signal::NotOnWhatsapp,
            recent.not_on_whatsapp,
            NOT_ON_WHATSAPP_PERCENT,
        ),
        (Signal::Failures, recent.failed, FAILURE_PERCENT),
    ];
    let mut view = ok();
    let mut pause = None;
    for (signal, count, limit) in checks {
        // Compared in hundredths, so 3 of 100 is exactly at a 3 % limit.
        let share = 100 * count * 100 / base;
        let level = if share >= limit * 100 {
            pause = pause.or(Some(signal));
            "high"
        } else if 2 * share >= limit * 100 && count > 0 {
            "attention"
        } else {
            continue;
        };
        if level == "high" || view.level == "ok" {
            view.level = level.into();
        }
        view.signals.push(RiskSignal {
            signal: signal.as_str().into(),
            percent: (share as f64 / 100.0),
            limit_percent: limit,
            level: level.into(),
        });
    }
    (view, pause)
}

fn ok() -> RiskView {
    RiskView {
        level: "ok".into(),
        signals: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(attempts: i64, failed: i64, not_on_whatsapp: i64, opted_out: i64) -> Recent {
        Recent {
            attempts,
            failed,
            not_on_whatsapp,
            opted_out,
        }
    }

    #[test]
    fn levels_table() {
        let cases = [
            (r(10, 10, 0, 0), "ok", None),
            (r(10, 0, 0, 2), "attention", None),
            (r(20, 0, 0, 3), "high", Some(Signal::OptOuts)),
            (r(100, 0, 0, 0), "ok", None),
            (r(100, 0, 0, 2), "attention", None),
            (r(100, 0, 0, 3), "high", Some(Signal::OptOuts)),
            (r(100, 0, 10, 0), "attention", None),
            (r(100, 0, 20, 0), "high", Some(Signal::NotOnWhatsapp)),
            (r(100, 29, 0, 0), "attention", None),
            (r(100, 30, 25, 1), "high", Some(Signal::NotOnWhatsapp)),
            (r(40, 0, 0, 2), "attention", None),
        ];
        for (recent, level, pause) in cases {
            let (view, p) = assess(recent, DEFAULT_OPTOUT_PERCENT);
            assert_eq!((view.level.as_str(), p), (level, pause), "{recent:?}");
        }
        let (view, _) = assess(r(100, 30, 10, 1), DEFAULT_OPTOUT_PERCENT);
        let names: Vec<_> = view.signals.iter().map(|s| s.signal.as_str()).collect();
        assert_eq!(names, ["not_on_whatsapp", "failures"]);
        assert_eq!(view.signals[1].percent, 30.0);
        // A tenant may set its own opt-out limit.
        assert_eq!(assess(r(100, 0, 0, 3), 5).0.level, "attention");
    }
}
