//! A campaign's rotation read from the database (the truth across processes): each of its
//! instances' standing — connected, the sends it has left today under its warm-up step and the
//! campaign's daily cap, its risk — weighed by [`crate::domain::rotation`].

use app::types::RotationShare;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};

use crate::domain::rotation::{self, Risk, Standing};
use crate::domain::timezone::tz_of;
use crate::domain::warmup::effective_cap;
use crate::entities::tenant;
use crate::service::{instances, risk, warmup};
use crate::sql::stmt;

/// How campaign `campaign_id` (daily cap `daily_cap`, `pending` recipients left) spreads its
/// next sends over its instances, in instance id order.
pub async fn shares(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    daily_cap: Option<i64>,
    pending: i64,
) -> Result<Vec<RotationShare>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        friendly_name: String,
        active: bool,
        connection_state: String,
        warmup: bool,
        tenant_id: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT i.id, i.friendly_name, i.active, i.connection_state, i.warmup, i.tenant_id \
         FROM whatsapp_instance i JOIN campaign_instance ci ON ci.instance_id = i.id \
         WHERE ci.campaign_id = ? ORDER BY i.id",
        vec![campaign_id.into()],
    ))
    .all(conn)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    // One campaign is one tenant's: one plan, one calendar, one opt-out limit, one read.
    let tenant = tenant::Entity::find_by_id(first.tenant_id)
        .one(conn)
        .await?;
    let plan = warmup::plan_of(tenant.as_ref());
    let today = instances::today(tz_of(tenant.as_ref().map_or("", |t| &t.timezone)));
    let optout_percent = risk::optout_percent_of(tenant.as_ref());
    let mut standings = Vec::with_capacity(rows.len());
    let mut risks = Vec::with_capacity(rows.len());
    for row in &rows {
        let state = warmup::state(conn, row.id, row.warmup, &plan, &today).await?;
        let remaining = effective_cap(state.cap_today, daily_cap).map(|cap| cap - state.sent_today);
        let (view, _) =
            crate::domain::risk::assess(risk::recent(conn, row.id).await?, optout_percent);
        standings.push(Standing {
            available: row.active && row.connection_state == "open",
            remaining_today: remaining.map(|r| r.max(0)),
            risk: Risk::parse(&view.level),
        });
        risks.push(view.level);
    }
    let shares = rotation::shares(&standings, pending);
    Ok(rows
        .into_iter()
        .zip(standings)
        .zip(risks.into_iter().zip(shares))
        .map(|((row, standing), (risk, share))| RotationShare {
            instance_id: row.id,
            name: row.friendly_name,
            share_percent: share * 100.0,
            remaining_today: standing.remaining_today,
            risk,
            available: standing.available,
        })
        .collect())
}
