//! Cheaper webhook inserts: the dedup index and the unprocessed-events index only hold the rows
//! they are for. Receipts (most webhooks) have no dedup key and are processed in the
//! transaction that stores them, so each stored receipt no longer adds an entry to either index.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        // The same SQL is valid on SQLite and PostgreSQL.
        for sql in [
            "DROP INDEX IF EXISTS ux_webhook_event_dedup",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_webhook_event_dedup \
             ON webhook_event (instance_id, dedup_key) WHERE dedup_key IS NOT NULL",
            "DROP INDEX IF EXISTS ix_webhook_event_unprocessed",
            "CREATE INDEX IF NOT EXISTS ix_webhook_event_unprocessed \
             ON webhook_event (id) WHERE processed_at IS NULL",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        for sql in [
            "DROP INDEX IF EXISTS ux_webhook_event_dedup",
            "CREATE UNIQUE INDEX IF NOT EXISTS ux_webhook_event_dedup \
             ON webhook_event (instance_id, dedup_key)",
            "DROP INDEX IF EXISTS ix_webhook_event_unprocessed",
            "CREATE INDEX IF NOT EXISTS ix_webhook_event_unprocessed \
             ON webhook_event (processed_at, id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }
}
