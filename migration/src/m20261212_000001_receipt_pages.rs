//! A receipt writes fewer pages: the index of a contact's campaign rows no longer holds their
//! status. A receipt changes a row's status, and every index holding the status moves the row
//! (a delete and an insert in the index's B-tree, on SQLite each one more page in the commit).
//! The index served lookups of one contact's rows (a few per person, filtered after), which
//! `contact_id` alone serves as well.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        replace(m, "contact_id").await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        replace(m, "contact_id, status").await
    }
}

/// Builds `ix_campaign_contact_contact` on `columns` instead. The same SQL is valid on SQLite
/// and PostgreSQL.
async fn replace(m: &SchemaManager<'_>, columns: &str) -> Result<(), DbErr> {
    let db = m.get_connection();
    db.execute_unprepared("DROP INDEX IF EXISTS ix_campaign_contact_contact")
        .await?;
    db.execute_unprepared(&format!(
        "CREATE INDEX ix_campaign_contact_contact ON campaign_contact ({columns})"
    ))
    .await?;
    Ok(())
}
