//! Each user's saved language (`user.locale`: `pt-BR`, `en`, or null to follow the browser) and
//! each tenant's timezone (`tenant.timezone`, an IANA name, default `America/Sao_Paulo`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum User {
    Table,
    /// The language the user chose in the header; null follows `Accept-Language`.
    Locale,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    /// IANA timezone the dashboard shows times in.
    Timezone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("user", "locale").await? {
            m.alter_table(
                Table::alter()
                    .table(User::Table)
                    .add_column(string_len_null(User::Locale, 16))
                    .to_owned(),
            )
            .await?;
        }
        if !m.has_column("tenant", "timezone").await? {
            m.alter_table(
                Table::alter()
                    .table(Tenant::Table)
                    .add_column(string_len(Tenant::Timezone, 64).default("America/Sao_Paulo"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [("user", "locale"), ("tenant", "timezone")] {
            if m.has_column(table, column).await? {
                m.alter_table(
                    Table::alter()
                        .table(Alias::new(table))
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
            }
        }
        Ok(())
    }
}
