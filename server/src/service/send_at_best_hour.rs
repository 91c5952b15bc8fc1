//! Sending each person at their best hour: when a `send_at_best_hour` campaign starts, each
//! pending recipient gets a `due_at` (the sender skips rows not yet due) placed by
//! [`crate::domain::send_plan::Planner`]:
//!
//! 1. `personal`: the hour they most often read or answered in, from at least
//!    [`PERSONAL_MIN`](crate::domain::best_hours::PERSONAL_MIN) reads/replies;
//! 2. `explore`: about one in [`EXPLORE_ONE_IN`] of the others gets a random open hour, so the
//!    analysis keeps learning beyond its own recommendation;
//! 3. `audience`: the recommendation of the team's best-hours grid;
//! 4. `start`: with no recommendation either, the start itself.
//!
//! People with a personal hour are placed first, so a full hour spills the others.
//! Pause, resume, cancel and claiming by several servers are unchanged: `due_at` only gates
//! which pending rows a claim may take.

use std::collections::{BTreeMap, HashMap};

use app::insights::DueHour;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult, Value};

use crate::domain::best_hours::personal_hour;
use crate::domain::send_plan::{Capacity, Planner};
use crate::domain::send_window::Quiet;
use crate::domain::timezone::tz_of;
use crate::domain::warmup::effective_cap;
use crate::entities::{campaign, tenant};
use crate::service::campaign_logs::{self, LogLine, Severity};
use crate::service::insights::{Scope, best_hours};
use crate::service::{ServiceResult, campaigns, instances, timestamp, warmup};
use crate::sql::{placeholders, stmt};

/// One in this many recipients without a history of their own explores a random hour.
pub const EXPLORE_ONE_IN: u64 = 10;

/// Rows updated per statement.
const CHUNK: usize = 500;

/// A deterministic spread of `(campaign, contact)`: the same plan after a retry.
fn mix(campaign_id: i64, contact_id: i64) -> u64 {
    // SplitMix64 finaliser over both ids.
    let mut z = (campaign_id as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(contact_id as u64);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// What the campaign's instances can send per hour and per day from `start`.
async fn capacity(
    conn: &impl ConnectionTrait,
    m: &campaign::Model,
    tenant: Option<&tenant::Model>,
) -> Result<Capacity, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        warmup: bool,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT i.id, i.warmup FROM whatsapp_instance i \
         JOIN campaign_instance ci ON ci.instance_id = i.id WHERE ci.campaign_id = ?",
        vec![m.id.into()],
    ))
    .all(conn)
    .await?;
    let pause_ms = ((m.min_delay_ms + m.max_delay_ms) / 2).max(1);
    let per_hour = (rows.len() as i64 * 3_600_000 / pause_ms).max(1);
    let plan = warmup::plan_of(tenant);
    let today = instances::today(tz_of(tenant.map_or("", |t| &t.timezone)));
    let (mut first_day, mut per_day) = (Some(0i64), Some(0i64));
    for row in &rows {
        let state = warmup::state(conn, row.id, row.warmup, &plan, &today).await?;
        match effective_cap(state.cap_today, m.daily_cap) {
            Some(cap) => {
                first_day = first_day.map(|d| d + (cap - state.sent_today).max(0));
                per_day = per_day.map(|d| d + cap);
            }
            None => (first_day, per_day) = (None, None),
        }
    }
    Ok(Capacity {
        per_hour,
        first_day,
        per_day,
    })
}

/// The local hours of day each of the campaign's recipients read or answered in, over every
/// earlier campaign.
async fn history(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    tz: chrono_tz::Tz,
) -> Result<HashMap<i64, Vec<u8>>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        contact_id: i64,
        read_at: Option<DateTime<Utc>>,
        replied_at: Option<DateTime<Utc>>,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT h.contact_id, h.read_at, h.replied_at FROM campaign_contact h \
         WHERE h.contact_id IN (SELECT contact_id FROM campaign_contact WHERE campaign_id = ?) \
         AND h.campaign_id <> ? AND (h.read_at IS NOT NULL OR h.replied_at IS NOT NULL)",
        vec![campaign_id.into(), campaign_id.into()],
    ))
    .all(conn)
    .await?;
    let mut hours: HashMap<i64, Vec<u8>> = HashMap::new();
    for r in rows {
        for at in [r.read_at, r.replied_at].into_iter().flatten() {
            let local = at.with_timezone(&tz);
            hours
                .entry(r.contact_id)
                .or_default()
                .push(chrono::Timelike::hour(&local) as u8);
        }
    }
    Ok(hours)
}

/// Plans campaign `campaign_id` starting at `start` (inside the transaction that starts it);
/// nothing for a campaign not sent at best hours.
pub async fn plan(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    start: DateTime<Utc>,
) -> ServiceResult<()> {
    let Some(m) = campaign::Entity::find_by_id(campaign_id).one(conn).await? else {
        return Ok(());
    };
    if !m.send_at_best_hour {
        return Ok(());
    }
    let tenant = tenant::Entity::find_by_id(m.tenant_id).one(conn).await?;
    let tz = tz_of(tenant.as_ref().map_or("", |t| &t.timezone));
    let settings = campaigns::settings(&m);
    let quiet = Quiet::new(settings.send_window.as_ref(), &settings.send_days, tz);
    let capacity = capacity(conn, &m, tenant.as_ref()).await?;
    let mut planner = Planner::new(start, tz, &quiet, capacity);
    let audience = best_hours(conn, m.tenant_id, &Scope::default())
        .await?
        .recommendation
        .map(|r| r.slots)
        .unwrap_or_default();
    let audience_hour = planner.audience_hour(&audience);
    let open_hours = planner.open_hours();
    let history = history(conn, campaign_id, tz).await?;

    #[derive(FromQueryResult)]
    struct Recipient {
        id: i64,
        contact_id: i64,
    }
    let recipients = Recipient::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, contact_id FROM campaign_contact WHERE campaign_id = ? AND status = 'pending' \
         ORDER BY id",
        vec![campaign_id.into()],
    ))
    .all(conn)
    .await?;
    let mut placed: BTreeMap<(DateTime<Utc>, &'static str), Vec<i64>> = BTreeMap::new();
    let (personal, others): (Vec<_>, Vec<_>) = recipients.into_iter().partition(|r| {
        history
            .get(&r.contact_id)
            .and_then(|h| personal_hour(h))
            .is_some()
    });
    for r in personal {
        let hour = history.get(&r.contact_id).and_then(|h| personal_hour(h));
        placed
            .entry((planner.place(hour), "personal"))
            .or_default()
            .push(r.id);
    }
    for r in others {
        let spread = mix(campaign_id, r.contact_id);
        let (hour, source) = if spread.is_multiple_of(EXPLORE_ONE_IN) && !open_hours.is_empty() {
            let pick = open_hours[(spread / EXPLORE_ONE_IN) as usize % open_hours.len()];
            (Some(pick), "explore")
        } else if audience_hour.is_some() {
            (audience_hour, "audience")
        } else {
            (None, "start")
        };
        placed
            .entry((planner.place(hour), source))
            .or_default()
            .push(r.id);
    }
    let backend = conn.get_database_backend();
    let mut by_source: BTreeMap<&str, usize> = BTreeMap::new();
    for ((due_at, source), ids) in &placed {
        *by_source.entry(source).or_default() += ids.len();
        for chunk in ids.chunks(CHUNK) {
            let mut values: Vec<Value> = vec![(*due_at).into(), (*source).into()];
            values.extend(chunk.iter().map(|i| Value::from(*i)));
            conn.execute_raw(stmt(
                backend,
                &format!(
                    "UPDATE campaign_contact SET due_at = ?, due_source = ? WHERE id IN ({})",
                    placeholders(chunk.len())
                ),
                values,
            ))
            .await?;
        }
    }
    let last = placed.keys().map(|(at, _)| *at).max();
    campaign_logs::write(
        conn,
        LogLine {
            tenant_id: m.tenant_id,
            campaign_id,
            log_type: "best_hours_planned",
            severity: Severity::Info,
            message: format!(
                "Recipients planned at their best hour: {} personal, {} from the audience, {} exploring, {} at the start; the last is due {}",
                by_source.get("personal").unwrap_or(&0),
                by_source.get("audience").unwrap_or(&0),
                by_source.get("explore").unwrap_or(&0),
                by_source.get("start").unwrap_or(&0),
                last.map(timestamp).unwrap_or_default(),
            ),
            details: Some(serde_json::json!({
                "personal": by_source.get("personal").unwrap_or(&0),
                "audience": by_source.get("audience").unwrap_or(&0),
                "explore": by_source.get("explore").unwrap_or(&0),
                "start": by_source.get("start").unwrap_or(&0),
            })),
        },
    )
    .await?;
    Ok(())
}

/// The recipients of campaign `campaign_id` still waiting for their hour at `now`, soonest
/// first.
pub async fn due_hours(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    now: DateTime<Utc>,
) -> Result<Vec<DueHour>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        due_at: DateTime<Utc>,
        n: i64,
        explored: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT due_at, COUNT(*) AS n, \
         COALESCE(SUM(CASE WHEN due_source = 'explore' THEN 1 ELSE 0 END), 0) AS explored \
         FROM campaign_contact WHERE campaign_id = ? AND status = 'pending' AND due_at > ? \
         GROUP BY due_at ORDER BY due_at",
        vec![campaign_id.into(), now.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DueHour {
            at: timestamp(r.due_at),
            count: r.n,
            explored: r.explored,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn about_one_in_ten_explores() {
        let explorers = (1..=10_000)
            .filter(|c| mix(7, *c).is_multiple_of(EXPLORE_ONE_IN))
            .count();
        assert!((850..=1_150).contains(&explorers), "{explorers}");
        assert_eq!(mix(7, 42), mix(7, 42));
    }
}
