//! Nothing grows without bound: raw webhook bodies (personal data, kept only as long as they
//! are needed) are deleted once older than `FLOW_WEBHOOK_RETENTION_DAYS`, so are the rejected
//! rows of import reports (cells as people typed them), and expired login sessions are
//! deleted, every [`INTERVAL`].
//!
//! Before a webhook row goes, it is counted into `webhook_event_daily` (UTC day, tenant,
//! instance, event, outcome → count) in the same transaction, so the numbers survive the
//! bodies. Rows are deleted [`BATCH`] at a time, yielding between batches, so the SQLite
//! writer is never held for long. Unprocessed events (`processed_at IS NULL`) are never
//! pruned: they wait for the reprocessor however old they are. A message's `upsert:`/`send:`
//! dedup key goes with its row, which is safe because Evolution stops repeating an event
//! within minutes, far inside any retention.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait};

use crate::cluster::leader::Leader;
use crate::dashboard::session;
use crate::db::Db;
use crate::service::instances::day;
use crate::sql::stmt;

/// How often expired rows are pruned.
pub const INTERVAL: Duration = Duration::from_secs(5 * 60);

/// The most webhook rows one statement deletes.
pub const BATCH: usize = 500;

/// What one [`prune_once`] removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PruneReport {
    /// Webhook rows deleted (and counted into `webhook_event_daily`).
    pub events: u64,
    /// Expired sessions deleted.
    pub sessions: u64,
    /// Import reports whose rejected rows (raw cells people typed) were dropped.
    pub import_reports: u64,
}

/// A deleted webhook row, as far as its count needs it.
#[derive(FromQueryResult)]
struct Gone {
    tenant_id: Option<i64>,
    instance_id: Option<i64>,
    event: String,
    outcome: Option<String>,
    received_at: DateTime<Utc>,
}

/// The `webhook_event_daily` key of a row: day, tenant, instance, event, outcome.
type DailyKey = (String, i64, i64, String, String);

/// Deletes the processed webhook rows received before `now - retention` (counting them first)
/// and the sessions expired at `now`.
pub async fn prune_once(
    db: &Db,
    now: DateTime<Utc>,
    retention: Duration,
) -> Result<PruneReport, DbErr> {
    let cutoff = now - chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
    let mut report = PruneReport::default();
    loop {
        let deleted = prune_batch(db, cutoff).await?;
        report.events += deleted as u64;
        if deleted < BATCH {
            break;
        }
        tokio::task::yield_now().await;
    }
    report.sessions = session::delete_expired(db, now).await?;
    // The rejected rows of an import report hold cells as people typed them: kept as long as
    // webhook bodies, then only the report's counts stay.
    report.import_reports = db
        .write
        .execute_raw(stmt(
            db.backend(),
            "UPDATE contact_import SET invalid_rows = NULL \
             WHERE invalid_rows IS NOT NULL AND finished_at < ?",
            vec![cutoff.into()],
        ))
        .await?
        .rows_affected();
    Ok(report)
}

/// Deletes up to [`BATCH`] expired, processed webhook rows and adds them to their daily
/// counts, in one transaction; answers how many went.
async fn prune_batch(db: &Db, cutoff: DateTime<Utc>) -> Result<usize, DbErr> {
    let backend = db.backend();
    let txn = db.write.begin().await?;
    // What this statement really deleted (another process pruning at the same time cannot
    // make a row count twice).
    let gone = Gone::find_by_statement(stmt(
        backend,
        &format!(
            "DELETE FROM webhook_event WHERE id IN (SELECT id FROM webhook_event \
             WHERE processed_at IS NOT NULL AND received_at < ? LIMIT {BATCH}) \
             RETURNING tenant_id, instance_id, event, outcome, received_at"
        ),
        vec![cutoff.into()],
    ))
    .all(&txn)
    .await?;
    let mut counts: BTreeMap<DailyKey, i64> = BTreeMap::new();
    for row in &gone {
        let key = (
            // An operator's rollup: UTC days, whatever the tenant's calendar.
            day(row.received_at, chrono_tz::UTC),
            row.tenant_id.unwrap_or(0),
            row.instance_id.unwrap_or(0),
            row.event.clone(),
            row.outcome.clone().unwrap_or_default(),
        );
        *counts.entry(key).or_default() += 1;
    }
    for ((day, tenant_id, instance_id, event, outcome), count) in counts {
        txn.execute_raw(stmt(
            backend,
            "INSERT INTO webhook_event_daily (day, tenant_id, instance_id, event, outcome, count) \
             VALUES (?, ?, ?, ?, ?, ?) \
             ON CONFLICT (day, tenant_id, instance_id, event, outcome) \
             DO UPDATE SET count = webhook_event_daily.count + excluded.count",
            vec![
                day.into(),
                tenant_id.into(),
                instance_id.into(),
                event.into(),
                outcome.into(),
                count.into(),
            ],
        ))
        .await?;
    }
    txn.commit().await?;
    Ok(gone.len())
}

/// Runs [`prune_once`] every [`INTERVAL`] (the first run one interval after start), for as
/// long as the server runs.
pub fn spawn(db: Db, retention: Duration, media_retention: Duration, leader: Leader) {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + INTERVAL;
        let mut tick = tokio::time::interval_at(start, INTERVAL);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if !leader.leads() {
                continue;
            }
            let cutoff = Utc::now()
                - chrono::Duration::from_std(media_retention).unwrap_or(chrono::Duration::MAX);
            match crate::service::media::prune_unused(&db, cutoff).await {
                Ok(0) => {}
                Ok(files) => tracing::info!(files, "deleted uploaded files no campaign uses"),
                Err(e) => tracing::warn!(error = %e, "cannot delete unused uploaded files"),
            }
            match prune_once(&db, Utc::now(), retention).await {
                Ok(PruneReport {
                    events: 0,
                    sessions: 0,
                    import_reports: 0,
                }) => {}
                Ok(report) => tracing::info!(
                    webhook_events = report.events,
                    sessions = report.sessions,
                    import_reports = report.import_reports,
                    retention_days = retention.as_secs() / 86_400,
                    "pruned expired webhook bodies and sessions"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot prune expired webhook bodies and sessions")
                }
            }
        }
    });
}
