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
//! While the writes are few (the last checkpoint copied fewer than [`FEW_PAGES`]) it runs every
//! [`CHECKPOINT_EVERY_WHEN_QUIET`] instead ([`pause_after`]): each checkpoint ends with an `fsync`
//! of the database file, which slows the inbox's own WAL flushes while it runs, and a small one
//! slows them less (issue 26, tenth round: a webhook's p99 at 1,000/s 3.1–3.7 ms instead of
//! 4.7–4.8 ms, full-speed throughput unchanged).
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

/// How often the checkpointer copies the WAL into the database file while the writes are many.
pub const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

/// How often it does while they are few: at full speed a checkpoint this often copied the same
/// pages again and again, 4–6 % of the webhooks per second; at 1,000 webhooks/s (about 75 pages
/// every 25 ms) each is small, and so is its `fsync`.
pub const CHECKPOINT_EVERY_WHEN_QUIET: Duration = Duration::from_millis(25);

/// Pages copied by a checkpoint under which the next one comes after
/// [`CHECKPOINT_EVERY_WHEN_QUIET`].
pub const FEW_PAGES: u64 = 512;

/// How long the checkpointer waits after a checkpoint that copied `pages`.
pub fn pause_after(pages: u64) -> Duration {
    if pages < FEW_PAGES {
        CHECKPOINT_EVERY_WHEN_QUIET
    } else {
        CHECKPOINT_EVERY
    }
}

/// WAL pages after which the write connection checkpoints by itself (`wal_autocheckpoint`;
/// SQLite's default is 1,000): it copies what the checkpointer has not copied yet, so the WAL
/// file can start again from its beginning. 65,536 pages of 4 KiB: the WAL file grows to at most
/// 256 MiB in a long burst (a webhook's receipt is about three pages). At full speed the writer's
/// own checkpoints, every 32,768 pages, cost about 6 % of its throughput; every 65,536 or
/// 100,000 pages measured the same.
pub const WRITER_AUTOCHECKPOINT: u32 = 65_536;

/// Copies the WAL into the database on `conn`, a connection of its own, until `stop`, pausing
/// [`pause_after`] each checkpoint.
pub fn spawn(conn: DatabaseConnection, stop: CancellationToken) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut copied_before = 0;
        let mut pause = CHECKPOINT_EVERY;
        loop {
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
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
                    pause = pause_after(new);
                    if new > 0 {
                        metrics::histogram!(telemetry::SQLITE_CHECKPOINT)
                            .record(started.elapsed().as_secs_f64());
                        metrics::counter!(telemetry::SQLITE_CHECKPOINT_PAGES).increment(new);
                    }
                }
                Err(e) => {
                    pause = CHECKPOINT_EVERY;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_checkpoint_brings_the_next_one_sooner() {
        assert_eq!(pause_after(0), CHECKPOINT_EVERY_WHEN_QUIET);
        assert_eq!(pause_after(FEW_PAGES - 1), CHECKPOINT_EVERY_WHEN_QUIET);
        assert_eq!(pause_after(FEW_PAGES), CHECKPOINT_EVERY);
        assert_eq!(pause_after(30_000), CHECKPOINT_EVERY);
        assert!(CHECKPOINT_EVERY_WHEN_QUIET < CHECKPOINT_EVERY);
    }
}
