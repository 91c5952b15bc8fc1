//! How a campaign with several instances spreads its recipients: not round-robin, but by each
//! instance's remaining capacity today (its warm-up step or the campaign's daily cap, minus
//! what it already sent) and its health (risk level). The strongest instance sends at the
//! campaign's pace; a weaker one waits proportionally longer between its sends, so its part of
//! the campaign follows its weight. An instance without capacity, or at high risk, drops out.

/// Health factor of an instance whose risk is `attention`: half the sends of a healthy one.
pub const ATTENTION_FACTOR: f64 = 0.5;

/// The longest an instance's pause is stretched: a weak instance still sends now and then
/// rather than never (its cap and risk checks still hold).
pub const MAX_STRETCH: f64 = 30.0;

/// What the rotation knows of one instance of the campaign.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Standing {
    /// Whether it may send at all now (active, connected).
    pub available: bool,
    /// Messages it may still send today (`None` = no cap).
    pub remaining_today: Option<i64>,
    /// Its risk level: `ok`, `attention` or `high`.
    pub risk: Risk,
}

/// An instance's risk level, as the rotation weighs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Risk {
    /// Healthy.
    Ok,
    /// A signal past half its limit.
    Attention,
    /// A signal at its limit: the instance drops out.
    High,
}

impl Risk {
    /// Every level.
    pub const ALL: [Self; 3] = [Self::Ok, Self::Attention, Self::High];

    /// The wire name of the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Attention => "attention",
            Self::High => "high",
        }
    }

    /// The level named `level` (`ok`, `attention`, `high`); unknown names count as `ok`.
    pub fn parse(level: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == level)
            .unwrap_or(Self::Ok)
    }

    fn factor(self) -> f64 {
        match self {
            Self::Ok => 1.0,
            Self::Attention => ATTENTION_FACTOR,
            Self::High => 0.0,
        }
    }
}

/// Each instance's share of the campaign's next sends, in `[0, 1]` summing to 1 (all zero when
/// none can send), given `pending` recipients left. An instance's weight is the sends it can
/// still take (its remaining capacity, at most `pending`; `pending` when uncapped) times its
/// health factor.
pub fn shares(standings: &[Standing], pending: i64) -> Vec<f64> {
    let pending = pending.max(1);
    let weights: Vec<f64> = standings
        .iter()
        .map(|s| {
            if !s.available {
                return 0.0;
            }
            let capacity = s.remaining_today.map_or(pending, |r| r.clamp(0, pending));
            capacity as f64 * s.risk.factor()
        })
        .collect();
    let total: f64 = weights.iter().sum();
    if total <= 0.0 {
        return vec![0.0; standings.len()];
    }
    weights.iter().map(|w| w / total).collect()
}

/// How much longer than the campaign's pause an instance with `share` waits between its sends:
/// the instance with the largest share (`top`) waits the pause itself, one with a tenth of it
/// ten times as long (at most [`MAX_STRETCH`]). `None` when it should not send (no share).
pub fn stretch(share: f64, top: f64) -> Option<f64> {
    (share > 0.0 && top > 0.0).then(|| (top / share).min(MAX_STRETCH))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(remaining: Option<i64>, risk: Risk) -> Standing {
        Standing {
            available: true,
            remaining_today: remaining,
            risk,
        }
    }

    #[test]
    fn equal_instances_share_equally() {
        let got = shares(&[s(None, Risk::Ok), s(None, Risk::Ok)], 100);
        assert_eq!(got, vec![0.5, 0.5]);
        assert_eq!(stretch(0.5, 0.5), Some(1.0));
    }

    #[test]
    fn remaining_capacity_weighs() {
        // 5 left today under warm-up against an uncapped number with 95 recipients pending.
        let got = shares(&[s(Some(5), Risk::Ok), s(None, Risk::Ok)], 95);
        assert_eq!(got, vec![0.05, 0.95]);
        let stretched = stretch(got[0], got[1]).unwrap();
        assert!((stretched - 19.0).abs() < 1e-9, "{stretched}");
        // Capacity beyond what is pending weighs no more than the pending recipients.
        let got = shares(&[s(Some(1000), Risk::Ok), s(None, Risk::Ok)], 10);
        assert_eq!(got, vec![0.5, 0.5]);
    }

    #[test]
    fn health_weighs_and_high_risk_drops_out() {
        let got = shares(
            &[
                s(None, Risk::Attention),
                s(None, Risk::Ok),
                s(None, Risk::High),
            ],
            60,
        );
        assert!((got[0] - 1.0 / 3.0).abs() < 1e-9, "{got:?}");
        assert!((got[1] - 2.0 / 3.0).abs() < 1e-9, "{got:?}");
        assert_eq!(got[2], 0.0);
        assert_eq!(stretch(got[2], got[1]), None);
        assert!((stretch(got[0], got[1]).unwrap() - 2.0).abs() < 1e-9);
    }

    #[test]
    fn unavailable_or_exhausted_instances_get_nothing() {
        let mut down = s(None, Risk::Ok);
        down.available = false;
        let got = shares(&[down, s(Some(0), Risk::Ok), s(Some(3), Risk::Ok)], 50);
        assert_eq!(got, vec![0.0, 0.0, 1.0]);
        assert_eq!(
            shares(&[s(Some(0), Risk::Ok), s(Some(-2), Risk::Ok)], 50),
            vec![0.0, 0.0]
        );
    }

    #[test]
    fn stretch_is_bounded() {
        assert_eq!(stretch(0.001, 0.999), Some(MAX_STRETCH));
    }
}
