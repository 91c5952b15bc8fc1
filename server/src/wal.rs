//! SQLite's write-ahead log kept off the webhook writer's path, durability unchanged.
//!
//! The webhook inbox commits each batch on the single write connection with `synchronous =
//! NORMAL` (inside [`deferred`]: COMMIT writes the batch into the WAL file, without an fsync),
//! and a flusher then flushes the WAL file ([`WalFile::sync`], one `fdatasync` for every batch
//! committed meanwhile) before any webhook of those batches is answered. So the writer applies
//! the next batch while the disk flushes the previous one, instead of waiting for it. Every
//! other use of the write connection commits with `synchronous = FULL` as before: the setting
//! is made again each time the pool hands the connection out ([`synchronous_for_caller`]).
//!
//! Why an answered webhook is durable: COMMIT returned, so the batch's frames were written to
//! the WAL file before the flusher opened it; `fdatasync` flushes a file's data whichever
//! descriptor wrote it. If SQLite has meanwhile copied those frames into the database and then
//! reset or removed the WAL, it synced the database file after that copy (it does at `NORMAL`
//! as at `FULL`), so the frames are on disk there.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use sea_orm::sqlx::{Executor, SqliteConnection};

tokio::task_local! {
    static DEFERRED: ();
}

/// Runs `work` with the write connection committing without an fsync (SQLite). The caller must
/// [`WalFile::sync`] after the commit and before telling anyone that what `work` committed is
/// stored.
pub async fn deferred<F: Future>(work: F) -> F::Output {
    DEFERRED.scope((), work).await
}

/// The write pool's `before_acquire` hook: `synchronous = NORMAL` for a caller inside
/// [`deferred`], `FULL` for everyone else. One statement each time the connection is handed
/// out; `synchronous` cannot change inside a transaction, so it is set here, before BEGIN.
pub fn synchronous_for_caller(
    conn: &mut SqliteConnection,
) -> BoxFuture<'_, Result<bool, sea_orm::sqlx::Error>> {
    let sql = if DEFERRED.try_with(|_| ()).is_ok() {
        "PRAGMA synchronous = NORMAL"
    } else {
        "PRAGMA synchronous = FULL"
    };
    Box::pin(async move {
        conn.execute(sql).await?;
        Ok(true)
    })
}

/// The WAL file of a SQLite database.
#[derive(Clone, Debug)]
pub struct WalFile {
    path: PathBuf,
}

impl WalFile {
    /// The WAL file of the database at `database` (`<database>-wal`; a relative path is taken
    /// from the current directory now).
    pub fn of(database: &Path) -> Self {
        let database = std::path::absolute(database).unwrap_or_else(|_| database.to_path_buf());
        let mut path = database.into_os_string();
        path.push("-wal");
        Self { path: path.into() }
    }

    /// Flushes to the disk everything committed to the database before this call.
    pub async fn sync(&self) -> io::Result<()> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || match std::fs::File::open(&path) {
            Ok(file) => file.sync_data(),
            // Checkpointed and removed (the last connection closed): the database file holds
            // the frames, synced by that checkpoint.
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e),
        })
        .await
        .map_err(io::Error::other)?
    }
}
