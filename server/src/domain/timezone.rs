//! Tenants' timezones, stored by IANA name.

use chrono_tz::Tz;

/// The timezone of a stored name (`America/Sao_Paulo` when unknown).
pub fn tz_of(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::America::Sao_Paulo)
}
