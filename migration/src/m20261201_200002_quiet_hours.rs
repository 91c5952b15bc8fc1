//! Quiet hours in the tenant's timezone (issue 11): whether a campaign's window keeps a fixed
//! UTC offset (`campaign.window_fixed_offset`, true for the campaigns made before, false for
//! windows that follow the tenant's timezone) and the weekdays it may send on
//! (`campaign.send_days`, e.g. `mon,tue,wed,thu,fri,sat`; NULL = every day).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaign {
    Table,
    /// The window is read at `window_utc_offset_minutes`, not in the tenant's timezone.
    WindowFixedOffset,
    /// Comma-separated weekdays (`mon` … `sun`); NULL = every day.
    SendDays,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(Campaign::Table)
                .add_column_if_not_exists(boolean(Campaign::WindowFixedOffset).default(true))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Campaign::Table)
                .add_column_if_not_exists(string_len_null(Campaign::SendDays, 64))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [Campaign::SendDays, Campaign::WindowFixedOffset] {
            m.alter_table(
                Table::alter()
                    .table(Campaign::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
