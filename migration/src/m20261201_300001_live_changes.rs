//! The cluster's change log: on PostgreSQL every node writes the changes it publishes here
//! (and notifies the others), and every node reads them back in id order for its live streams,
//! so an id means the same change on every node and `Last-Event-ID` resumes anywhere. Rows
//! live a few minutes. SQLite (one node) does not use the table.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LiveChange {
    Table,
    /// Increasing; the SSE event id.
    Id,
    /// Whose change it is.
    TenantId,
    /// The change as JSON (`{"type": …, "data": …}`).
    Payload,
    /// When it was written.
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LiveChange::Table)
                .if_not_exists()
                .col(big_pk_auto(LiveChange::Id))
                .col(big_integer(LiveChange::TenantId))
                .col(text(LiveChange::Payload))
                .col(timestamp_with_time_zone(LiveChange::CreatedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_live_change_created_at")
                .table(LiveChange::Table)
                .col(LiveChange::CreatedAt)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LiveChange::Table).to_owned())
            .await
    }
}
