//! The reprocessor: webhook events that were stored but could not be applied (a bug, a
//! constraint, a trigger — anything that is not a passing database condition) are applied
//! later, for sure. Each failed try pushes the next one back (10 s, doubling, at most an hour);
//! events naming the same message id keep their order (a later one waits while an earlier one
//! fails). It runs in the background on every node and as `server webhooks reprocess`.

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};

use crate::db::Db;
use crate::entities::{webhook_event, whatsapp_instance};
use crate::error::is_unavailable;
use crate::evolution::{Event, interpret, parse_envelope};
use crate::ingest::{self, Ctx, InstanceRef, Outcome};
use crate::live::publish::Publisher;
use crate::sql::stmt;
use crate::webhook::inbox::{already_applied, dedup_key};

/// How often the background reprocessor looks for due events.
pub const EVERY: Duration = Duration::from_secs(10);

/// Events looked at per pass.
const BATCH: u64 = 200;

/// The wait after the `attempts`-th failed try: 10 s doubling, at most an hour.
pub fn backoff(attempts: i32) -> chrono::Duration {
    let doublings = attempts.clamp(1, 20) - 1;
    chrono::Duration::seconds((10_i64 << doublings).min(3600))
}

/// What a pass did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Events applied now.
    pub applied: u64,
    /// Events that failed again (retried later).
    pub failed: u64,
    /// Events left for later: not due yet, or behind a failed event of the same message.
    pub deferred: u64,
}

/// Whether unprocessed events remain (due or not).
pub async fn unprocessed(db: &Db) -> Result<u64, DbErr> {
    #[derive(FromQueryResult)]
    struct Count {
        n: i64,
    }
    Ok(Count::find_by_statement(stmt(
        db.backend(),
        "SELECT COUNT(*) AS n FROM webhook_event WHERE processed_at IS NULL AND outcome = 'error'",
        vec![],
    ))
    .one(&db.read)
    .await?
    .map_or(0, |c| c.n.max(0) as u64))
}

/// The message ids an event is about (its ordering key).
fn message_ids(event: &Event) -> Vec<String> {
    match event {
        Event::MessageStatus(updates) => updates.iter().map(|u| u.message_id.clone()).collect(),
        Event::MessageReceived(m) => m
            .message_id
            .iter()
            .chain(m.quoted_message_id.iter())
            .cloned()
            .collect(),
        Event::MessageSent(s) => vec![s.message_id.clone()],
        Event::Revoked(r) => vec![r.message_id.clone()],
        Event::PollVoted(v) => vec![v.poll_message_id.clone()],
        Event::Connection(_)
        | Event::QrCode(_)
        | Event::Presence(_)
        | Event::ContactsSeen(_)
        | Event::Ignored { .. } => Vec::new(),
    }
}

/// One pass over the unprocessed events, oldest first, page by page: those due at `now`
/// (every one when `force`) are applied, each in its own transaction.
pub async fn run_once(
    db: &Db,
    publisher: Option<&Publisher>,
    now: DateTime<Utc>,
    force: bool,
) -> Result<Report, DbErr> {
    let mut report = Report::default();
    let mut blocked: HashSet<String> = HashSet::new();
    let mut after = 0_i64;
    loop {
        let mut page = webhook_event::Entity::find()
            .filter(webhook_event::Column::ProcessedAt.is_null())
            .filter(webhook_event::Column::Outcome.eq(Outcome::Error.as_str()))
            .filter(webhook_event::Column::Id.gt(after));
        if !force {
            page = page.filter(
                sea_orm::Condition::any()
                    .add(webhook_event::Column::NextAttemptAt.is_null())
                    .add(webhook_event::Column::NextAttemptAt.lte(now)),
            );
        }
        let events = page
            .order_by_asc(webhook_event::Column::Id)
            .limit(BATCH)
            .all(&db.write)
            .await?;
        let Some(last) = events.last() else {
            return Ok(report);
        };
        after = last.id;
        for event in events {
            pass_one(db, publisher, now, &event, &mut blocked, &mut report).await?;
        }
    }
}

/// Tries one event of a pass (unless an earlier event of the same message failed or is being
/// applied by another node), recording the result in `report`.
async fn pass_one(
    db: &Db,
    publisher: Option<&Publisher>,
    now: DateTime<Utc>,
    event: &webhook_event::Model,
    blocked: &mut HashSet<String>,
    report: &mut Report,
) -> Result<(), DbErr> {
    let parsed = parse_envelope(event.body.as_bytes())
        .map_err(|e| e.to_string())
        .and_then(|envelope| interpret(&envelope).map_err(|e| e.to_string()));
    let ids = parsed.as_ref().map(message_ids).unwrap_or_default();
    if ids.iter().any(|id| blocked.contains(id)) {
        blocked.extend(ids);
        report.deferred += 1;
        return Ok(());
    }
    let result = match parsed {
        Ok(parsed) => apply_one(db, event, &parsed, now).await,
        Err(reason) => Err(DbErr::Custom(format!(
            "the stored body cannot be read: {reason}"
        ))),
    };
    match result {
        Ok(Some(effects)) => {
            report.applied += 1;
            if let Some(publisher) = publisher {
                publisher.publish(effects);
            }
        }
        // Another node holds it: later events of its messages wait for that node.
        Ok(None) => {
            blocked.extend(ids);
            report.deferred += 1;
        }
        // The database itself is away: the next pass tries again.
        Err(e) if is_unavailable(&e) => return Err(e),
        Err(e) => {
            report.failed += 1;
            blocked.extend(ids);
            record_failure(db, event, &e.to_string(), now).await?;
        }
    }
    Ok(())
}

/// Applies one stored event and marks it processed, in one transaction; `None` when another
/// node holds it or already applied it.
async fn apply_one(
    db: &Db,
    event: &webhook_event::Model,
    parsed: &Event,
    now: DateTime<Utc>,
) -> Result<Option<ingest::Effects>, DbErr> {
    let instance = match event.instance_id {
        Some(id) => {
            whatsapp_instance::Entity::find_by_id(id)
                .one(&db.write)
                .await?
        }
        None => None,
    }
    .ok_or_else(|| DbErr::Custom("the event's instance no longer exists".into()))?;
    let instance = InstanceRef {
        id: instance.id,
        tenant_id: instance.tenant_id,
        name: instance.instance_name,
    };
    let txn = db.write.begin().await?;
    let backend = txn.get_database_backend();
    // Take the row (on PostgreSQL, one node at a time); skip it if another pass got it.
    let lock = if backend == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    #[derive(FromQueryResult)]
    struct Still {
        id: i64,
    }
    let still = Still::find_by_statement(stmt(
        backend,
        &format!("SELECT id FROM webhook_event WHERE id = ? AND processed_at IS NULL{lock}"),
        vec![event.id.into()],
    ))
    .one(&txn)
    .await?;
    if still.is_none_or(|s| s.id != event.id) {
        return Ok(None);
    }
    let mut ctx = Ctx::new(&txn, now);
    let mut key = dedup_key(parsed);
    let outcome = match &key {
        Some(k) if already_applied(&txn, instance.id, k).await? => {
            key = None;
            Outcome::Duplicate
        }
        _ => ingest::apply(&mut ctx, &instance, parsed).await?,
    };
    ctx.effects.flush(&txn, now).await?;
    txn.execute_raw(stmt(
        backend,
        "UPDATE webhook_event SET processed_at = ?, outcome = ?, error = NULL, dedup_key = ?, \
         next_attempt_at = NULL WHERE id = ?",
        vec![
            now.into(),
            outcome.as_str().into(),
            key.into(),
            event.id.into(),
        ],
    ))
    .await?;
    let effects = std::mem::take(&mut ctx.effects);
    txn.commit().await?;
    tracing::info!(
        webhook_event = event.id,
        outcome = outcome.as_str(),
        "a stored webhook event was applied"
    );
    Ok(Some(effects))
}

async fn record_failure(
    db: &Db,
    event: &webhook_event::Model,
    error: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let attempts = event.attempts.saturating_add(1);
    tracing::warn!(webhook_event = event.id, attempts, %error, "a stored webhook event still cannot be applied");
    db.write
        .execute_raw(stmt(
            db.backend(),
            "UPDATE webhook_event SET attempts = ?, next_attempt_at = ?, error = ? \
             WHERE id = ? AND processed_at IS NULL",
            vec![
                attempts.into(),
                (now + backoff(attempts)).into(),
                error.into(),
                event.id.into(),
            ],
        ))
        .await?;
    Ok(())
}

/// Runs [`run_once`] every [`EVERY`], for as long as the server runs.
pub fn spawn(db: Db, publisher: Publisher) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_once(&db, Some(&publisher), Utc::now(), false).await {
                Ok(r) if r.applied + r.failed > 0 => {
                    tracing::info!(
                        applied = r.applied,
                        failed = r.failed,
                        deferred = r.deferred,
                        "webhook reprocessing pass"
                    );
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::debug!(error = %e, "webhook reprocessing waits for the database")
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::backoff;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff(1).num_seconds(), 10);
        assert_eq!(backoff(2).num_seconds(), 20);
        assert_eq!(backoff(5).num_seconds(), 160);
        assert_eq!(backoff(30).num_seconds(), 3600);
    }
}
