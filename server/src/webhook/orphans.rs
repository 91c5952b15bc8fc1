//! Receipts that never found their message: after the configured window they are reported
//! (a warning with the count) and dropped, so `pending_receipt` does not grow forever.

use std::time::Duration;

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr};

use crate::db::Db;
use crate::service::sql::stmt;

/// Drops unmatched receipts older than `ttl`; returns how many.
pub async fn expire(db: &Db, ttl: Duration) -> Result<u64, DbErr> {
    let cutoff = Utc::now() - chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    let res = db
        .write
        .execute_raw(stmt(
            db.backend(),
            "DELETE FROM pending_receipt WHERE received_at < ?",
            vec![cutoff.into()],
        ))
        .await?;
    Ok(res.rows_affected())
}

/// Runs [`expire`] every minute, for as long as the server runs.
pub fn spawn_expiry(db: Db, ttl: Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
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
