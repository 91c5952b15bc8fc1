//! Running Flow from the browser: a user's last login, the tenant's defaults for new campaigns
//! (its timezone is m20261130_000010's), and a campaign's scheduled start (`start_at`, indexed with the status so
//! the scheduler finds due campaigns without a scan).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum User {
    Table,
    LastLoginAt,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    /// JSON: the pacing, send window and daily cap new campaigns start with; NULL = built-in.
    CampaignDefaults,
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Status,
    /// When a `scheduled` campaign starts by itself.
    StartAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(User::Table)
                .add_column_if_not_exists(timestamp_with_time_zone_null(User::LastLoginAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .add_column_if_not_exists(json_null(Tenant::CampaignDefaults))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Campaign::Table)
                .add_column_if_not_exists(timestamp_with_time_zone_null(Campaign::StartAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("idx_campaign_status_start_at")
                .table(Campaign::Table)
                .col(Campaign::Status)
                .col(Campaign::StartAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_campaign_status_start_at")
                .table(Campaign::Table)
                .to_owned(),
        )
        .await?;
        for (table, column) in [
            (Campaign::Table.into_iden(), Campaign::StartAt.into_iden()),
            (
                Tenant::Table.into_iden(),
                Tenant::CampaignDefaults.into_iden(),
            ),
            (User::Table.into_iden(), User::LastLoginAt.into_iden()),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
