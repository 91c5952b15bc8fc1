//! Database connections: SQLite (embedded default) or PostgreSQL, with migrations applied at
//! start. SQLite gets one writer connection (SQLite allows one writer at a time; a single
//! connection turns contention into queueing instead of `database is locked` errors) and a small
//! pool of readers, and a connection of its own for checkpoints (see [`crate::checkpoint`]);
//! PostgreSQL uses one pool for both.

use std::str::FromStr;
use std::time::Duration;

use crate::checkpoint;
use crate::wal::{self, Flush, WalFile};
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The database handles of the server.
#[derive(Clone, Debug)]
pub struct Db {
    /// For writes (and reads that must see them).
    pub write: DatabaseConnection,
    /// For reads that may run beside the writer.
    pub read: DatabaseConnection,
    /// Where the webhook inbox commits without waiting for the disk, and how it then flushes
    /// the write-ahead log itself (see [`crate::wal`]).
    pub flush: Flush,
    /// SQLite: the connection checkpoints run on, beside the writer.
    checkpoints: Option<DatabaseConnection>,
}

/// Why the database could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum DbInitError {
    /// Connecting failed.
    #[error("cannot connect to the database: {0}")]
    Connect(#[source] DbErr),
    /// A migration failed.
    #[error("cannot apply the database migrations: {0}")]
    Migrate(#[source] DbErr),
}

impl Db {
    /// Connects to `url` and applies every pending migration.
    pub async fn open(url: &str) -> Result<Self, DbInitError> {
        let db = if url.starts_with("sqlite:") {
            let write = connect_sqlite(url, Role::Write).await?;
            // Migrate before the readers open, so they see the schema.
            Migrator::up(&write, None)
                .await
                .map_err(DbInitError::Migrate)?;
            let read = connect_sqlite(url, Role::Read).await?;
            let checkpoints = connect_sqlite(url, Role::Checkpoint).await?;
            let file = SqliteConnectOptions::from_str(url)
                .map_err(|e| DbInitError::Connect(DbErr::Custom(e.to_string())))?;
            Self {
                write,
                read,
                flush: Flush::Sqlite(WalFile::of(file.get_filename())),
                checkpoints: Some(checkpoints),
            }
        } else {
            let pool = connect_postgres(url, 16, false).await?;
            Migrator::up(&pool, None)
                .await
                .map_err(DbInitError::Migrate)?;
            let inbox = connect_postgres(url, 1, true).await?;
            Self {
                write: pool.clone(),
                read: pool.clone(),
                flush: Flush::Postgres { inbox, pool },
                checkpoints: None,
            }
        };
        Ok(db)
    }

    /// Which kind of database this is.
    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    /// SQLite: starts checkpointing beside the writer until `stop` (see [`crate::checkpoint`]);
    /// the task, or `None` on PostgreSQL.
    pub fn spawn_checkpointer(&self, stop: CancellationToken) -> Option<JoinHandle<()>> {
        let conn = self.checkpoints.clone()?;
        Some(checkpoint::spawn(conn, stop))
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.read.ping().await.is_ok()
    }
}

/// A PostgreSQL pool of `size` connections; with `deferred`, their commits do not wait for the
/// WAL flush (the webhook inbox's connection, see [`crate::wal`]).
async fn connect_postgres(
    url: &str,
    size: u32,
    deferred: bool,
) -> Result<DatabaseConnection, DbInitError> {
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(size)
        .min_connections(1)
        // A ping on every checkout is a round trip per transaction: only a connection idle long
        // enough to have been dropped is checked first.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false);
    if deferred {
        opts.map_sqlx_postgres_opts(|o| o.options([("synchronous_commit", "off")]));
    }
    Database::connect(opts).await.map_err(DbInitError::Connect)
}

/// What a SQLite connection is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The one writer.
    Write,
    /// One of the readers.
    Read,
    /// Checkpoints only.
    Checkpoint,
}

/// The writer's page cache, in KiB (SQLite's default is 2,000 KiB). Pages it does not hold are
/// read again: through the memory map ([`WRITER_MMAP_BYTES`]) without a copy, or from the WAL
/// while their latest version is there.
///
/// Kept small on purpose: at every commit SQLite drops from this cache the pages past the end
/// of the database (`pager_end_transaction` → `pcache1Truncate`), and when a B-tree page split
/// has renumbered pages it does so by scanning the cache's whole hash table, whose size follows
/// the pages it holds. A split renames a page through the lock-byte page's number (page 262,145
/// with 4 KiB pages, far past the end: `balance_nonroot` in SQLite 3.51's `sqlite3.c`), so a
/// webhook batch, whose inserts split pages, paid that scan at each commit: with a 64 MiB
/// cache it took 10 % of the writer thread's time at 64 connections, 2 % at 4 MiB
/// (issue 26, eighth round).
const WRITER_CACHE_KIB: i64 = 4 * 1024;

/// How much of the database file the writer reads through a memory map instead of a `pread`
/// per page (a receipt's rows and index pages are scattered over the campaign's tables): the
/// pages come from the OS page cache without a system call or a copy. Writes still go through
/// the WAL, so durability is unchanged.
const WRITER_MMAP_BYTES: i64 = 256 * 1024 * 1024;

/// Rows SQLite's worker thread may hand the writer before it waits for the writer to take them
/// (sqlx's default is 50): a webhook batch reads its receipts' rows up to 500 per query
/// (`ingest::tracked`), and each wait is two thread wake-ups on the batch's path.
const WRITER_ROW_BUFFER: usize = 512;

async fn connect_sqlite(url: &str, role: Role) -> Result<DatabaseConnection, DbInitError> {
    let mut opts = ConnectOptions::new(url);
    // One writer connection: `wal::Synchronous` describes that one connection.
    opts.max_connections(if role == Role::Read { 4 } else { 1 })
        .min_connections(1)
        // A file cannot drop the connection: no ping before each checkout (sqlx's default pings
        // every time, a round trip to SQLite's worker thread per transaction).
        .test_before_acquire(false)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            let o = o
                .create_if_missing(role == Role::Write)
                .read_only(role == Role::Read)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit survives power loss, not only a process crash; webhooks are
                // acknowledged only after their commit is on disk (the inbox commits at NORMAL
                // and flushes the WAL itself before answering, see `crate::wal`).
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("temp_store", "memory");
            if role == Role::Write {
                o.pragma("cache_size", (-WRITER_CACHE_KIB).to_string())
                    .pragma("mmap_size", WRITER_MMAP_BYTES.to_string())
                    .pragma(
                        "wal_autocheckpoint",
                        checkpoint::WRITER_AUTOCHECKPOINT.to_string(),
                    )
                    .row_buffer_size(WRITER_ROW_BUFFER)
            } else {
                o
            }
        });
    if role == Role::Write {
        let level = wal::Synchronous::default();
        let connected = level.clone();
        opts.map_sqlx_sqlite_pool_opts(move |pool| {
            let connected = connected.clone();
            pool.after_connect(move |_, _| {
                connected.connected();
                Box::pin(async { Ok(()) })
            })
        })
        .map_sqlx_sqlite_before_acquire(move |conn, _| level.for_caller(conn));
    }
    let db = Database::connect(opts)
        .await
        .map_err(DbInitError::Connect)?;
    Ok(db)
}
