//! Tenant settings: opt-out keywords (with a tester that runs the same matcher as the webhook
//! ingest), the timezone people read and type dates in, and the defaults of new campaigns.

use app::types::{CampaignSettings, OptOutTest, Pacing, TenantSettings};
use chrono::{DateTime, LocalResult, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, IntoActiveModel, Set};

use crate::db::Db;
use crate::domain::phone::Country;
use crate::domain::timezone::tz_of;
use crate::domain::{optout, warmup};
use crate::entities::tenant;
use crate::service::campaigns::{DEFAULT_SETTINGS, validate_settings};
use crate::service::{Problem, ServiceError, ServiceResult};

/// The most keywords a tenant may have.
pub const MAX_KEYWORDS: usize = 100;

/// The longest keyword, in characters.
pub const MAX_KEYWORD_CHARS: usize = 100;

/// The longest text the opt-out tester reads, in characters.
pub const MAX_TEST_CHARS: usize = 4096;

/// The tenant row.
pub async fn find(conn: &impl ConnectionTrait, tenant_id: i64) -> ServiceResult<tenant::Model> {
    tenant::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound("tenant"))
}

/// The keywords in effect: the tenant's own, else [`optout::DEFAULT_KEYWORDS`] (as the ingest
/// reads them).
fn keywords(t: &tenant::Model) -> Vec<String> {
    t.opt_out_keywords
        .clone()
        .and_then(|v| serde_json::from_value::<Vec<String>>(v).ok())
        .filter(|k| !k.is_empty())
        .unwrap_or_else(optout::default_keywords)
}

fn defaults_of(t: &tenant::Model) -> CampaignSettings {
    t.campaign_defaults
        .clone()
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or(DEFAULT_SETTINGS)
}

/// The tenant's timezone.
pub async fn timezone(conn: &impl ConnectionTrait, tenant_id: i64) -> ServiceResult<Tz> {
    Ok(tz_of(&find(conn, tenant_id).await?.timezone))
}

/// The country whose numbering plan reads the tenant's numbers written without a country code.
pub async fn country(conn: &impl ConnectionTrait, tenant_id: i64) -> ServiceResult<Country> {
    Ok(Country::from_stored(
        &find(conn, tenant_id).await?.default_country,
    ))
}

/// The settings new campaigns of the tenant get when they name none.
pub async fn campaign_defaults(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
) -> ServiceResult<CampaignSettings> {
    Ok(defaults_of(&find(conn, tenant_id).await?))
}

fn view(t: &tenant::Model) -> TenantSettings {
    let defaults = defaults_of(t);
    TenantSettings {
        opt_out_keywords: keywords(t),
        timezone: t.timezone.clone(),
        default_pacing: Pacing {
            min_delay_ms: defaults.min_delay_ms,
            max_delay_ms: defaults.max_delay_ms,
        },
        default_send_window: defaults.send_window,
        default_daily_cap: defaults.daily_cap_per_instance,
        warmup_plan: Some(
            t.warmup_plan
                .clone()
                .and_then(|v| serde_json::from_value(v).ok())
                .unwrap_or_else(warmup::default_plan),
        ),
        optout_pause_percent: Some(i64::from(t.optout_pause_percent)),
        default_country: Some(Country::from_stored(&t.default_country).code()),
    }
}

/// The tenant's settings.
pub async fn get(db: &Db, tenant_id: i64) -> ServiceResult<TenantSettings> {
    Ok(view(&find(&db.read, tenant_id).await?))
}

/// Replaces the tenant's settings after validating every field.
pub async fn put(db: &Db, tenant_id: i64, input: TenantSettings) -> ServiceResult<TenantSettings> {
    let keywords = clean_keywords(&input.opt_out_keywords)?;
    if input.timezone.parse::<Tz>().is_err() {
        return Err(Problem::Timezone {
            timezone: input.timezone,
        }
        .into());
    }
    let defaults = CampaignSettings {
        min_delay_ms: input.default_pacing.min_delay_ms,
        max_delay_ms: input.default_pacing.max_delay_ms,
        daily_cap_per_instance: input.default_daily_cap,
        send_window: input.default_send_window,
        send_days: Vec::new(),
    };
    validate_settings(&defaults)?;
    if let Some(plan) = &input.warmup_plan {
        warmup::validate(plan).map_err(|e| Problem::WarmupPlan {
            reason: e.to_string(),
        })?;
    }
    let mut row = find(&db.write, tenant_id).await?.into_active_model();
    if let Some(p) = input.optout_pause_percent {
        if !(1..=50).contains(&p) {
            return Err(Problem::OptOutPausePercent { min: 1, max: 50 }.into());
        }
        row.optout_pause_percent = Set(p as i32);
    }
    if let Some(code) = input.default_country {
        let country = Country::from_code(&code).ok_or(Problem::Country { country: code })?;
        row.default_country = Set(country.code());
    }
    if let Some(plan) = input.warmup_plan {
        row.warmup_plan = Set(Some(serde_json::json!(plan)));
    }
    row.opt_out_keywords = Set(Some(serde_json::json!(keywords)));
    row.timezone = Set(input.timezone);
    row.campaign_defaults = Set(Some(serde_json::json!(defaults)));
    let saved = row.update(&db.write).await?;
    Ok(view(&saved))
}

/// Trimmed, de-duplicated (by their matched form) keywords; refuses an empty list, a keyword
/// that matches nothing, and lists or keywords that are too long.
fn clean_keywords(given: &[String]) -> ServiceResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for keyword in given {
        let keyword = keyword.trim();
        let normalized = optout::normalize_text(keyword);
        if normalized.is_empty() || keyword.chars().count() > MAX_KEYWORD_CHARS {
            return Err(Problem::Keyword {
                keyword: keyword.to_string(),
                max: MAX_KEYWORD_CHARS,
            }
            .into());
        }
        if !out.iter().any(|k| optout::normalize_text(k) == normalized) {
            out.push(keyword.to_string());
        }
    }
    if out.is_empty() || out.len() > MAX_KEYWORDS {
        return Err(Problem::KeywordCount { max: MAX_KEYWORDS }.into());
    }
    Ok(out)
}

/// Whether `text`, received from a contact, would opt them out with the tenant's keywords.
pub async fn opt_out_test(db: &Db, tenant_id: i64, text: &str) -> ServiceResult<OptOutTest> {
    if text.chars().count() > MAX_TEST_CHARS {
        return Err(Problem::TestText {
            max: MAX_TEST_CHARS,
        }
        .into());
    }
    let keywords = keywords(&find(&db.read, tenant_id).await?);
    let keyword = optout::matching_keyword(text, &keywords).map(str::to_owned);
    Ok(OptOutTest {
        opts_out: keyword.is_some(),
        keyword,
    })
}

/// A start time: RFC 3339 (`2026-12-01T09:00:00-03:00`), or a local date and time in `tz`
/// (`2026-12-01T09:00`, seconds optional, `T` or a space). A local time that a clock change
/// skips is refused; one it repeats means its first occurrence.
pub fn parse_start_at(input: &str, tz: Tz) -> ServiceResult<DateTime<Utc>> {
    let input = input.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(input) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = [
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(input, f).ok())
    .ok_or_else(|| Problem::StartUnreadable {
        input: input.to_string(),
    })?;
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => Ok(t.with_timezone(&Utc)),
        LocalResult::None => Err(Problem::StartSkipped {
            input: input.to_string(),
            timezone: tz.to_string(),
        }
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_at_reads_rfc3339_and_local_times_in_the_tenant_timezone() {
        let sp = chrono_tz::America::Sao_Paulo;
        let want = DateTime::parse_from_rfc3339("2026-12-01T12:00:00Z").unwrap();
        assert_eq!(parse_start_at("2026-12-01T09:00", sp).unwrap(), want);
        assert_eq!(parse_start_at("2026-12-01 09:00:00", sp).unwrap(), want);
        assert_eq!(
            parse_start_at("2026-12-01T09:00:00-03:00", sp).unwrap(),
            want
        );
        assert_eq!(
            parse_start_at("2026-12-01T12:00:00Z", chrono_tz::UTC).unwrap(),
            want
        );
        assert!(parse_start_at("amanhã", sp).is_err());
        // New York skips 02:00–03:00 on 2026-03-08.
        assert!(parse_start_at("2026-03-08T02:30", chrono_tz::America::New_York).is_err());
    }

    #[test]
    fn keywords_are_trimmed_deduplicated_and_never_empty() {
        let k = clean_keywords(&[" sair ".into(), "SAIR!".into(), "Não quero".into()]).unwrap();
        assert_eq!(k, vec!["sair".to_string(), "Não quero".to_string()]);
        assert!(clean_keywords(&[]).is_err());
        assert!(clean_keywords(&["!!".into()]).is_err());
    }
}
