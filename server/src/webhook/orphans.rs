//! Receipts kept in `pending_receipt` (and poll votes in `pending_vote`) because their message
//! id was not known yet.
//!
//! * [`settle`] applies those whose id has since been recorded. A receipt can be parked in
//!   one transaction while the sender records its id in another (on PostgreSQL neither sees
//!   the other's uncommitted row); the sweep makes sure such a receipt is applied within
//!   seconds instead of waiting forever.
//! * [`expire`] drops those that never found their message after the configured window, with
//!   a warning, so `pending_receipt` does not grow forever.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait};

use crate::cluster::leader::Leader;
use crate::db::Db;
use crate::ingest::{Ctx, apply_waiting_receipts};
use crate::live::publish::Publisher;
use crate::sql::stmt;

/// How often parked receipts are matched against recorded message ids.
pub const SETTLE_EVERY: Duration = Duration::from_secs(2);

/// Most message ids one settle pass applies.
const SETTLE_BATCH: u64 = 500;

/// Applies parked receipts whose message id is now recorded; returns how many message ids
/// were settled.
pub async fn settle(db: &Db, publisher: &Publisher) -> Result<u64, DbErr> {
    #[derive(FromQueryResult)]
    struct Waiting {
        whatsapp_message_id: String,
        tenant_id: i64,
    }
    let waiting = Waiting::find_by_statement(stmt(
        db.backend(),
        &format!(
            "SELECT DISTINCT pr.whatsapp_message_id, pr.tenant_id FROM \
             (SELECT whatsapp_message_id, tenant_id FROM pending_receipt \
              UNION SELECT poll_message_id, tenant_id FROM pending_vote) pr \
             JOIN campaign_contact cc ON cc.whatsapp_message_id = pr.whatsapp_message_id \
             JOIN campaign c ON c.id = cc.campaign_id AND c.tenant_id = pr.tenant_id \
             LIMIT {SETTLE_BATCH}"
        ),
        vec![],
    ))
    .all(&db.write)
    .await?;
    if waiting.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let txn = db.write.begin().await?;
    let mut ctx = Ctx::new(&txn, now);
    let ids: Vec<String> = waiting
        .iter()
        .map(|w| w.whatsapp_message_id.clone())
        .collect();
    // Locks the rows on PostgreSQL: a concurrent settle or receipt waits, then finds the
    // parked receipts gone.
    ctx.effects.tracked.prefetch(&txn, &ids).await?;
    let mut settled = 0;
    for w in &waiting {
        if let Some(row) = ctx
            .effects
            .tracked
            .find(&txn, w.tenant_id, &w.whatsapp_message_id)
            .await?
        {
            crate::ingest::votes::apply_waiting(&mut ctx, &row).await?;
            apply_waiting_receipts(&mut ctx, row, &w.whatsapp_message_id).await?;
            settled += 1;
        }
    }
    let mut effects = std::mem::take(&mut ctx.effects);
    effects.flush(&txn, now).await?;
    txn.commit().await?;
    publisher.publish(effects);
    Ok(settled)
}

/// Drops unmatched receipts and poll votes older than `ttl`; returns how many.
pub async fn expire(db: &Db, ttl: Duration) -> Result<u64, DbErr> {
    let cutoff = Utc::now() - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    let mut expired = 0;
    for sql in [
        "DELETE FROM pending_receipt WHERE received_at < ?",
        "DELETE FROM pending_vote WHERE received_at < ?",
    ] {
        expired += db
            .write
            .execute_raw(stmt(db.backend(), sql, vec![cutoff.into()]))
            .await?
            .rows_affected();
    }
    Ok(expired)
}

/// Runs [`settle`] every [`SETTLE_EVERY`] and [`expire`] every minute, for as long as the
/// server runs.
pub fn spawn(db: Db, publisher: Publisher, ttl: Duration, leader: Leader) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SETTLE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_expiry = tokio::time::Instant::now();
        loop {
            tick.tick().await;
            if !leader.leads() {
                continue;
            }
            match settle(&db, &publisher).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    message_ids = n,
                    "receipts parked before their message id was recorded were applied"
                ),
                Err(e) => tracing::debug!(error = %e, "cannot settle parked receipts now"),
            }
            if last_expiry.elapsed() < Duration::from_secs(60) {
                continue;
            }
            last_expiry = tokio::time::Instant::now();
            match expire(&db, ttl).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(
                    expired = n,
                    ttl_secs = ttl.as_secs(),
                    "receipts for unknown message ids expired without a match"
                ),
                Err(e) => tracing::warn!(error = %e, "cannot expire unmatched receipts"),
            }
        }
    });
}
