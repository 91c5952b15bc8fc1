//! Database connections: SQLite (embedded default) or PostgreSQL, with migrations applied at
//! start. SQLite gets one writer connection (SQLite allows one writer at a time; a single
//! connection turns contention into queueing instead of `database is locked` errors) and a small
//! pool of readers; PostgreSQL uses one pool for both.

use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbBackend, DbErr};

/// The database handles of the server.
#[derive(Clone, Debug)]
pub struct Db {
    /// For writes (and reads that must see them).
    pub write: DatabaseConnection,
    /// For reads that may run beside the writer.
    pub read: DatabaseConnection,
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
            let write = connect_sqlite(url, 1, false).await?;
            // Migrate before the readers open, so they see the schema.
            Migrator::up(&write, None)
                .await
                .map_err(DbInitError::Migrate)?;
            let read = connect_sqlite(url, 4, true).await?;
            Self { write, read }
        } else {
            let mut opts = ConnectOptions::new(url);
            opts.max_connections(16)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(5))
                .acquire_timeout(Duration::from_secs(5))
                .sqlx_logging(false);
            let pool = Database::connect(opts)
                .await
                .map_err(DbInitError::Connect)?;
            Migrator::up(&pool, None)
                .await
                .map_err(DbInitError::Migrate)?;
            Self {
                write: pool.clone(),
                read: pool,
            }
        };
        Ok(db)
    }

    /// Which kind of database this is.
    pub fn backend(&self) -> DbBackend {
        self.write.get_database_backend()
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.read.ping().await.is_ok()
    }
}

async fn connect_sqlite(
    url: &str,
    connections: u32,
    read_only: bool,
) -> Result<DatabaseConnection, DbInitError> {
    let mut opts = ConnectOptions::new(url);
    opts.max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(!read_only)
                .read_only(read_only)
                .journal_mode(SqliteJournalMode::Wal)
                // FULL: a commit survives power loss, not only a process crash; webhooks are
                // acknowledged only after their commit.
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
                .pragma("temp_store", "memory")
        });
    let db = Database::connect(opts)
        .await
        .map_err(DbInitError::Connect)?;
    Ok(db)
}
