//! SQLite checkpoints beside the writer, not inside its commits.
//!
//! A checkpoint copies the pages the WAL holds into the database file and syncs that file. Left
//! to SQLite, the write connection runs one inside the commit that takes the WAL past
//! `wal_autocheckpoint` pages (1,000 by default), so the webhook writer waited for it: at full
//! speed a batch of 110 receipts dirties about 350 pages, a checkpoint came every third batch,
//! and batches took 7.6 ms with them against 3.5 ms without (the copy's `fsync` of the database
//! file, mostly; SQLite alone, same statements).
//!
//! Here a connection of its own runs a `PASSIVE` checkpoint every [`CHECKPOINT_EVERY`]: it copies
//! what the writers have committed, neither waiting for them nor blocking them or the readers.
//! The write connection still checkpoints by itself once the WAL passes [`WRITER_AUTOCHECKPOINT`]
//! pages; by then this one has copied all but its last interval, and that commit lets SQLite
//! start the WAL file again from its beginning, so the file stays bounded.
//!
//! Durability is SQLite's: a `PASSIVE` checkpoint syncs the WAL before copying and the database
//! file after, and a WAL is only reused once everything in it is in the synced database file.

use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::telemetry;

/// How often the checkpointer copies the WAL into the database file.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// WAL pages after which the write connection checkpoints by itself (`wal_autocheckpoint`;
/// SQLite's default is 1,000): it copies what the checkpointer has not copied yet, so the WAL
/// file can start again from its beginning. 65,536 pages of 4 KiB: the WAL file grows to at most
/// 256 MiB in a long burst (a webhook's receipt is about three pages). At full speed the writer's
/// own checkpoints, every 32,768 pages, cost about 6 % of its throughput; every 65,536 or
/// 100,000 pages measured the same.
pub const WRITER_AUTOCHECKPOINT: u32 = 65_536;

/// Copies the WAL into the database every [`CHECKPOINT_EVERY`] on `conn`, a connection of its
/// own, until `stop`.
pub fn spawn(conn: DatabaseConnection, stop: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(CHECKPOINT_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut copied_before = 0;
        loop {
            tokio::select! {
                _ = every.tick() => {}
                () = stop.cancelled() => break,
            }
            let started = Instant::now();
            match checkpoint(&conn).await {
                Ok(copied) => {
                    // The count is the WAL's since it last started again, whoever copied them.
                    let new = if copied >= copied_before {
                        copied - copied_before
                    } else {
                        copied
                    };
                    copied_before = copied;
                    if new > 0 {
                        metrics::histogram!(telemetry::SQLITE_CHECKPOINT)
                            .record(started.elapsed().as_secs_f64());
                        metrics::counter!(telemetry::SQLITE_CHECKPOINT_PAGES).increment(new);
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "WAL checkpoint failed; the writer checkpoints by itself");
                }
            }
        }
        let _ = conn.close().await;
    })
}

/// Runs one `PASSIVE` checkpoint; the WAL pages copied into the database since the WAL last
/// started again.
async fn checkpoint(conn: &DatabaseConnection) -> Result<u64, sea_orm::DbErr> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "PRAGMA wal_checkpoint(PASSIVE)",
        ))
        .await?;
    // (busy, pages in the WAL, pages copied); -1 when the database is not in WAL mode.
    let copied = match row {
        Some(row) => row.try_get_by_index::<i64>(2)?,
        None => 0,
    };
    Ok(u64::try_from(copied).unwrap_or(0))
}
