//! Scheduled campaigns start by themselves: every [`INTERVAL`] each server looks for
//! `scheduled` campaigns whose `start_at` has passed and starts each with a guarded
//! `UPDATE … WHERE status = 'scheduled' AND start_at <= now`. The schedule lives in the
//! database, so it survives restarts; with several servers on one database only the one whose
//! update changed the row starts (and logs, and publishes) the campaign.

use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};
use serde_json::json;

use crate::cluster::leader::Leader;
use crate::db::Db;
use crate::domain::campaign_state::CampaignStatus;
use crate::entities::campaign;
use crate::live::ChangeBus;
use crate::live::transition::publish_transition;
use crate::service::campaign_logs::{self, LogLine, Severity};
use crate::service::{ServiceResult, campaigns, timestamp};

/// How often due campaigns are looked for.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// Due campaigns started per look.
const BATCH: u64 = 100;

/// Starts the campaigns due at `now`; answers the ids this call started (not those another
/// server started first).
pub async fn start_due(db: &Db, bus: &ChangeBus, now: DateTime<Utc>) -> ServiceResult<Vec<i64>> {
    let scheduled = CampaignStatus::Scheduled.as_str();
    let due: Vec<(i64, i64)> = campaign::Entity::find()
        .select_only()
        .column(campaign::Column::Id)
        .column(campaign::Column::TenantId)
        .filter(campaign::Column::Status.eq(scheduled))
        .filter(campaign::Column::StartAt.lte(now))
        .order_by_asc(campaign::Column::StartAt)
        .limit(BATCH)
        .into_tuple()
        .all(&db.read)
        .await?;
    let mut started = Vec::new();
    for (id, tenant_id) in due {
        let txn = db.write.begin().await?;
        let none: Option<String> = None;
        let res = campaign::Entity::update_many()
            .col_expr(
                campaign::Column::Status,
                Expr::value(CampaignStatus::Active.as_str()),
            )
            .col_expr(campaign::Column::StartedAt, Expr::value(now))
            .col_expr(campaign::Column::PauseReason, Expr::value(none))
            .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
            .filter(campaign::Column::Id.eq(id))
            .filter(campaign::Column::Status.eq(scheduled))
            .filter(campaign::Column::StartAt.lte(now))
            .exec(&txn)
            .await?;
        if res.rows_affected != 1 {
            // Another server started it, or it was unscheduled meanwhile.
            continue;
        }
        crate::service::follow_ups::take_segment(&txn, id, now).await?;
        crate::service::send_at_best_hour::plan(&txn, id, now).await?;
        campaign_logs::write(
            &txn,
            LogLine {
                tenant_id,
                campaign_id: id,
                log_type: "campaign_started",
                severity: Severity::Info,
                message: format!(
                    "Campaign started at its scheduled time ({})",
                    timestamp(now)
                ),
                details: Some(json!({ "from": scheduled, "to": "active", "scheduled": true })),
            },
        )
        .await?;
        txn.commit().await?;
        tracing::info!(campaign_id = id, tenant_id, "scheduled campaign started");
        let view = campaigns::get(db, tenant_id, id).await?;
        publish_transition(&db.read, bus, tenant_id, &view).await;
        started.push(id);
    }
    Ok(started)
}

/// Runs [`start_due`] every [`INTERVAL`] until the process ends.
pub fn spawn(db: Db, bus: ChangeBus, leader: Leader) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !leader.leads() {
                continue;
            }
            if let Err(e) = start_due(&db, &bus, Utc::now()).await {
                tracing::warn!(error = %e, "cannot start scheduled campaigns");
            }
        }
    });
}
