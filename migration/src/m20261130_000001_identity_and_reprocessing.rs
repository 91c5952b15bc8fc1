//! One person, one identity: `contact.phone_key` holds the form every spelling of a number
//! shares (a Brazilian mobile with its ninth digit), so an opt-out covers `55 DD 9XXXXXXXX`
//! and `55 DD XXXXXXXX` alike. And webhook events that failed to apply get a retry schedule
//! (`attempts`, `next_attempt_at`) for the reprocessor.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contact {
    Table,
    TenantId,
    PhoneKey,
}

#[derive(DeriveIden)]
enum WebhookEvent {
    Table,
    Attempts,
    NextAttemptAt,
}

/// The identity key of `phone`, in SQL: a 12-digit Brazilian mobile (`55`, an area code
/// without zeros, a subscriber starting 6-9) gains its ninth digit; any other number is
/// itself. The same rule as `flow_server::domain::phone::identity_key`.
const BACKFILL: &str = "UPDATE contact SET phone_key = CASE \
    WHEN length(phone) = 12 AND substr(phone, 1, 2) = '55' \
     AND substr(phone, 3, 1) BETWEEN '1' AND '9' AND substr(phone, 4, 1) BETWEEN '1' AND '9' \
     AND substr(phone, 5, 1) BETWEEN '6' AND '9' \
    THEN substr(phone, 1, 4) || '9' || substr(phone, 5) ELSE phone END";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        if !m.has_column("contact", "phone_key").await? {
            m.alter_table(
                Table::alter()
                    .table(Contact::Table)
                    .add_column(string(Contact::PhoneKey).default(""))
                    .to_owned(),
            )
            .await?;
            m.get_connection().execute_unprepared(BACKFILL).await?;
        }
        m.create_index(
            Index::create()
                .name("idx_contact_tenant_phone_key")
                .table(Contact::Table)
                .col(Contact::TenantId)
                .col(Contact::PhoneKey)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        if !m.has_column("webhook_event", "attempts").await? {
            m.alter_table(
                Table::alter()
                    .table(WebhookEvent::Table)
                    .add_column(integer(WebhookEvent::Attempts).default(0))
                    .to_owned(),
            )
            .await?;
        }
        if !m.has_column("webhook_event", "next_attempt_at").await? {
            m.alter_table(
                Table::alter()
                    .table(WebhookEvent::Table)
                    .add_column(timestamp_with_time_zone_null(WebhookEvent::NextAttemptAt))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("idx_contact_tenant_phone_key")
                .table(Contact::Table)
                .to_owned(),
        )
        .await?;
        for (table, column) in [
            ("contact", "phone_key"),
            ("webhook_event", "attempts"),
            ("webhook_event", "next_attempt_at"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .drop_column(Alias::new(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
