//! A/B verdicts: is one message variant's reply (or read) rate better than another's beyond
//! noise? A two-proportion z-test between the best and the worst variant at 95 % confidence,
//! once every variant has enough sent messages.

use app::types::{AbVerdict, VariantCounts};

/// Sent messages every variant needs before any verdict.
pub const MIN_SENT_PER_VARIANT: i64 = 30;

/// |z| at or above this is beyond noise (two-sided, 95 %).
const Z_95: f64 = 1.96;

/// The two-proportion z statistic of `a1/n1` against `a2/n2` (0 when undefined).
pub fn z_score(a1: i64, n1: i64, a2: i64, n2: i64) -> f64 {
    if n1 <= 0 || n2 <= 0 {
        return 0.0;
    }
    let (p1, p2) = (a1 as f64 / n1 as f64, a2 as f64 / n2 as f64);
    let pooled = (a1 + a2) as f64 / (n1 + n2) as f64;
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 as f64 + 1.0 / n2 as f64)).sqrt();
    if se == 0.0 { 0.0 } else { (p1 - p2) / se }
}

fn pct(num: i64, den: i64) -> f64 {
    if den == 0 {
        0.0
    } else {
        (10_000.0 * num as f64 / den as f64).round() / 100.0
    }
}

/// The verdict over `variants` (index, counts); `None` with fewer than two variants.
pub fn verdict(variants: &[(i32, VariantCounts)]) -> Option<AbVerdict> {
    if variants.len() < 2 {
        return None;
    }
    if variants.iter().any(|(_, c)| c.sent < MIN_SENT_PER_VARIANT) {
        return Some(AbVerdict::NotEnoughData {
            needed_per_variant: MIN_SENT_PER_VARIANT,
        });
    }
    type Metric = fn(&VariantCounts) -> i64;
    let metrics: [(&str, Metric); 2] = [("replied", |c| c.replied), ("read", |c| c.read)];
    for (name, of) in metrics {
        let rate = |c: &VariantCounts| of(c) as f64 / c.sent as f64;
        let best = variants
            .iter()
            .max_by(|a, b| rate(&a.1).total_cmp(&rate(&b.1)))?;
        let worst = variants
            .iter()
            .min_by(|a, b| rate(&a.1).total_cmp(&rate(&b.1)))?;
        let z = z_score(of(&best.1), best.1.sent, of(&worst.1), worst.1.sent);
        if z >= Z_95 {
            return Some(AbVerdict::Better {
                variant: best.0,
                metric: name.to_string(),
                rate: pct(of(&best.1), best.1.sent),
                than: worst.0,
                than_rate: pct(of(&worst.1), worst.1.sent),
            });
        }
    }
    Some(AbVerdict::NoDifference)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(sent: i64, read: i64, replied: i64) -> VariantCounts {
        VariantCounts {
            sent,
            delivered: sent,
            read,
            replied,
            opted_out: 0,
        }
    }

    #[test]
    fn z_of_known_values() {
        // 60/100 against 40/100: pooled 0.5, se 0.0707, z 2.83.
        assert!((z_score(60, 100, 40, 100) - 2.828).abs() < 0.01);
        assert_eq!(z_score(0, 0, 1, 10), 0.0);
        assert_eq!(z_score(0, 10, 0, 10), 0.0);
    }

    #[test]
    fn verdicts() {
        assert_eq!(verdict(&[(0, c(10, 5, 1))]), None);
        assert_eq!(
            verdict(&[(0, c(29, 20, 5)), (1, c(100, 10, 1))]),
            Some(AbVerdict::NotEnoughData {
                needed_per_variant: MIN_SENT_PER_VARIANT
            })
        );
        assert_eq!(
            verdict(&[(0, c(100, 50, 5)), (1, c(100, 48, 6))]),
            Some(AbVerdict::NoDifference)
        );
        assert_eq!(
            verdict(&[(0, c(100, 50, 5)), (1, c(100, 52, 20))]),
            Some(AbVerdict::Better {
                variant: 1,
                metric: "replied".into(),
                rate: 20.0,
                than: 0,
                than_rate: 5.0
            })
        );
        assert_eq!(
            verdict(&[(0, c(200, 150, 5)), (1, c(200, 90, 6)), (2, c(200, 120, 5))]),
            Some(AbVerdict::Better {
                variant: 0,
                metric: "read".into(),
                rate: 75.0,
                than: 1,
                than_rate: 45.0
            })
        );
    }
}
