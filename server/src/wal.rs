//! The database's write-ahead log kept off the webhook writer's path, durability unchanged.
//!
//! PostgreSQL: the inbox commits each batch on a connection of its own whose commits do not
//! wait for the WAL flush (`synchronous_commit = off`, set when it connects), and the flusher
//! then commits one small transaction on the pool, at the server's `synchronous_commit`, before
//! any webhook of those batches is answered. That commit returns once the WAL is flushed up to
//! its own commit record, which was written after every batch committed before it: those batches
//! are on disk too (the WAL is flushed in order). The transaction writes one WAL record, a
//! transactional logical message (`pg_logical_emit_message`, any `wal_level`, no privilege
//! needed): PostgreSQL flushes at commit only for a transaction that wrote WAL, so one that
//! merely took a transaction id (`pg_current_xact_id()`) would return without flushing.
//!
//! SQLite:
//! The webhook inbox commits each batch on the single write connection with `synchronous =
//! NORMAL` (inside [`deferred`]: COMMIT writes the batch into the WAL file, without an fsync),
//! and a flusher then flushes the WAL file ([`WalFile::sync`], one `fdatasync` for every batch
//! committed meanwhile) before any webhook of those batches is answered. So the writer applies
//! the next batch while the disk flushes the previous one, instead of waiting for it. Every
//! other use of the write connection commits with `synchronous = FULL` as before: the level is
//! set again whenever the pool hands the connection out to a caller that needs the other one
//! ([`Synchronous`]).
//!
//! Why an answered webhook is durable: COMMIT returned, so the batch's frames were written to
//! the WAL file before the flusher opened it; `fdatasync` flushes a file's data whichever
//! descriptor wrote it. If SQLite has meanwhile copied those frames into the database and then
//! reset or removed the WAL, it synced the database file after that copy (it does at `NORMAL`
//! as at `FULL`), so the frames are on disk there.

use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};

use futures_util::future::BoxFuture;
use sea_orm::sqlx::{Executor, SqliteConnection};
use sea_orm::{ConnectionTrait, DatabaseConnection};

/// Where the webhook inbox commits without waiting for the disk, and how it then makes those
/// commits durable before answering.
#[derive(Clone, Debug)]
pub enum Flush {
    /// SQLite: commit on the write connection inside [`deferred`], then flush the WAL file.
    Sqlite(WalFile),
    /// PostgreSQL: commit on `inbox` (`synchronous_commit = off`), then commit a transaction
    /// that writes WAL on `pool`, at the server's `synchronous_commit`.
    Postgres {
        /// The inbox's own connection.
        inbox: DatabaseConnection,
        /// The pool the flushing transaction runs on.
        pool: DatabaseConnection,
    },
}

impl Flush {
    /// The connection the inbox commits on: `write` on SQLite (inside [`deferred`]).
    pub fn connection<'a>(&'a self, write: &'a DatabaseConnection) -> &'a DatabaseConnection {
        match self {
            Self::Sqlite(_) => write,
            Self::Postgres { inbox, .. } => inbox,
        }
    }

    /// Flushes to the disk everything the inbox committed before this call.
    pub async fn sync(&self) -> io::Result<()> {
        match self {
            Self::Sqlite(file) => file.sync().await,
            Self::Postgres { pool, .. } => pool
                .execute_unprepared("SELECT pg_logical_emit_message(true, 'flow.inbox', '')")
                .await
                .map(drop)
                .map_err(io::Error::other),
        }
    }
}

tokio::task_local! {
    static DEFERRED: ();
}

/// Runs `work` with the write connection committing without an fsync (SQLite). The caller must
/// [`WalFile::sync`] after the commit and before telling anyone that what `work` committed is
/// stored.
pub async fn deferred<F: Future>(work: F) -> F::Output {
    DEFERRED.scope((), work).await
}

/// The `synchronous` level of the write connection as last set, so that the pool's
/// `before_acquire` hook ([`Synchronous::for_caller`]) sends a `PRAGMA` only when the caller
/// needs the other level: a burst of webhook batches pays for it once, not once per batch.
///
/// It describes one connection: the write pool has exactly one (see [`crate::db`]). A new
/// connection (after the old one closed) makes it unknown again ([`Synchronous::connected`]),
/// so the next caller sets the level explicitly. While a `PRAGMA` runs it is unknown too: a
/// failure leaves it so, never claiming a level the connection may not have.
#[derive(Clone, Debug, Default)]
pub struct Synchronous(Arc<AtomicU8>);

/// [`Synchronous`]'s states.
const UNKNOWN: u8 = 0;
const FULL: u8 = 1;
const NORMAL: u8 = 2;

impl Synchronous {
    /// The write pool's `after_connect` hook: a new connection's level is not known here.
    pub fn connected(&self) {
        self.0.store(UNKNOWN, Ordering::Release);
    }

    /// The write pool's `before_acquire` hook: `synchronous = NORMAL` for a caller inside
    /// [`deferred`], `FULL` for everyone else, set only when the connection is not known to
    /// have it already. `synchronous` cannot change inside a transaction, so it is set here,
    /// before BEGIN.
    pub fn for_caller<'c>(
        &self,
        conn: &'c mut SqliteConnection,
    ) -> BoxFuture<'c, Result<bool, sea_orm::sqlx::Error>> {
        let (want, sql) = if DEFERRED.try_with(|_| ()).is_ok() {
            (NORMAL, "PRAGMA synchronous = NORMAL")
        } else {
            (FULL, "PRAGMA synchronous = FULL")
        };
        let state = self.0.clone();
        Box::pin(async move {
            if state.load(Ordering::Acquire) != want {
                state.store(UNKNOWN, Ordering::Release);
                conn.execute(sql).await?;
                state.store(want, Ordering::Release);
            }
            Ok(true)
        })
    }
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
