//! Warm-up of a new number: its daily cap follows steps by days since its first send through
//! Flow (default 20/50/100/200/400 messages a day from days 0/4/8/15/31), so WhatsApp sees a
//! number that grows its traffic like a person would. From the last step on, that step's cap
//! holds (turn warm-up off to lift it).

use app::types::WarmupStep;

/// The default plan.
pub fn default_plan() -> Vec<WarmupStep> {
    [(0, 20), (4, 50), (8, 100), (15, 200), (31, 400)]
        .into_iter()
        .map(|(day, cap)| WarmupStep { day, cap })
        .collect()
}

/// Why a plan is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// No steps, or more than 20.
    #[error("a warm-up plan has 1 to 20 steps")]
    Size,
    /// The first step is not day 0.
    #[error("the first warm-up step starts on day 0")]
    FirstDay,
    /// Days do not increase, or a cap is below 1.
    #[error("warm-up steps need increasing days and caps of at least 1")]
    Order,
}

/// Checks a plan: 1 to 20 steps, the first on day 0, increasing days, caps ≥ 1.
pub fn validate(plan: &[WarmupStep]) -> Result<(), PlanError> {
    if plan.is_empty() || plan.len() > 20 {
        return Err(PlanError::Size);
    }
    if plan[0].day != 0 {
        return Err(PlanError::FirstDay);
    }
    if plan.windows(2).any(|w| w[1].day <= w[0].day) || plan.iter().any(|s| s.cap < 1) {
        return Err(PlanError::Order);
    }
    Ok(())
}

/// The cap on `day` (days since the first send) under `plan`.
pub fn cap_on(plan: &[WarmupStep], day: i64) -> i64 {
    plan.iter()
        .take_while(|s| s.day <= day)
        .last()
        .or(plan.first())
        .map_or(i64::MAX, |s| s.cap)
}

/// The effective daily cap: the warm-up step (when warming up) and the campaign's cap,
/// whichever is lower; `None` = no cap.
pub fn effective_cap(warmup_cap: Option<i64>, campaign_cap: Option<i64>) -> Option<i64> {
    match (warmup_cap, campaign_cap) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_by_day() {
        let plan = default_plan();
        let caps: Vec<i64> = [0, 3, 4, 6, 8, 14, 15, 30, 31, 365]
            .iter()
            .map(|d| cap_on(&plan, *d))
            .collect();
        assert_eq!(caps, [20, 20, 50, 50, 100, 100, 200, 200, 400, 400]);
        assert_eq!(cap_on(&plan, -1), 20);
    }

    #[test]
    fn effective_is_the_lower() {
        assert_eq!(effective_cap(Some(50), Some(30)), Some(30));
        assert_eq!(effective_cap(Some(20), Some(30)), Some(20));
        assert_eq!(effective_cap(None, Some(30)), Some(30));
        assert_eq!(effective_cap(Some(20), None), Some(20));
        assert_eq!(effective_cap(None, None), None);
    }

    #[test]
    fn plans_are_checked() {
        let s = |day, cap| WarmupStep { day, cap };
        assert_eq!(validate(&default_plan()), Ok(()));
        assert_eq!(validate(&[]), Err(PlanError::Size));
        assert_eq!(validate(&[s(1, 10)]), Err(PlanError::FirstDay));
        assert_eq!(validate(&[s(0, 10), s(0, 20)]), Err(PlanError::Order));
        assert_eq!(validate(&[s(0, 0)]), Err(PlanError::Order));
    }
}
