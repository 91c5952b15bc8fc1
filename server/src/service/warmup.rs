//! Warm-up state read from the database (the source of truth across processes): the tenant's
//! plan, an instance's day in it, today's cap and what it sent today over every campaign.

use app::types::{WarmupStep, WarmupView};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};

use crate::domain::warmup;
use crate::entities::tenant;
use crate::sql::stmt;

/// The tenant's warm-up plan (the default one unless it set its own).
pub async fn plan(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Vec<WarmupStep>, DbErr> {
    Ok(plan_of(
        tenant::Entity::find_by_id(tenant_id)
            .one(conn)
            .await?
            .as_ref(),
    ))
}

/// The warm-up plan of a tenant row already read (the default one without a valid own plan).
pub fn plan_of(tenant: Option<&tenant::Model>) -> Vec<WarmupStep> {
    tenant
        .and_then(|t| t.warmup_plan.clone())
        .and_then(|v| serde_json::from_value::<Vec<WarmupStep>>(v).ok())
        .filter(|p| warmup::validate(p).is_ok())
        .unwrap_or_else(warmup::default_plan)
}

/// Instance `instance_id`'s warm-up on `today` (its key in `instance_daily_stats`, a day of
/// the tenant's calendar): its day (days since its first day with a message sent through
/// Flow), the plan's cap for that day when `enabled`, and the messages it sent today.
pub async fn state(
    conn: &impl ConnectionTrait,
    instance_id: i64,
    enabled: bool,
    plan: &[WarmupStep],
    today: &str,
) -> Result<WarmupView, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        first: Option<String>,
        today: Option<i64>,
    }
    let row = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT MIN(day) AS first, \
         MAX(CASE WHEN day = ? THEN sent ELSE NULL END) AS today \
         FROM instance_daily_stats WHERE instance_id = ? AND sent > 0",
        vec![today.into(), instance_id.into()],
    ))
    .one(conn)
    .await?;
    let parse = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    let (first, sent_today) = row.map_or((None, 0), |r| (r.first, r.today.unwrap_or(0)));
    let day = match (first.as_deref().and_then(parse), parse(today)) {
        (Some(first), Some(today)) => (today - first).num_days().max(0),
        _ => 0,
    };
    Ok(WarmupView {
        enabled,
        day,
        cap_today: enabled.then(|| warmup::cap_on(plan, day)),
        sent_today,
    })
}
