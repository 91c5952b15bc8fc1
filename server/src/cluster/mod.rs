//! Several Flow nodes on one PostgreSQL. Nothing another node needs lives only in one node's
//! memory:
//! - [`relay`]: the live changes every node publishes go through a change log table and
//!   `NOTIFY`, so a stream on any node sees every node's changes with the same ids;
//!   webhook-directory caches are dropped on every node when an instance changes.
//! - [`leader`]: work that must run once per cluster (expiring unmatched receipts, retention,
//!   starting scheduled campaigns) runs on the node holding a PostgreSQL advisory lock.
//!
//! On SQLite (one node) the bus stays in process and the node always leads.

pub mod leader;
pub mod relay;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement};

use crate::db::Db;

/// The channel that says "an instance changed: drop your cached secrets".
pub const DIRECTORY_CHANNEL: &str = "flow_directory";

/// Tells every node (this one included) to drop its webhook-directory cache: an instance was
/// removed or its credentials changed. Nothing to do on SQLite, where this node is the only one.
pub async fn directory_changed(db: &Db) -> Result<(), DbErr> {
    if db.write.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    db.write
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            format!("SELECT pg_notify('{DIRECTORY_CHANNEL}', '')"),
        ))
        .await
        .map(drop)
}
