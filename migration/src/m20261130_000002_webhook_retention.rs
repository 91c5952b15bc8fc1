//! Webhook retention: raw webhook bodies are deleted after `FLOW_WEBHOOK_RETENTION_DAYS`, but
//! first counted into `webhook_event_daily` (one row per UTC day, tenant, instance, event and
//! outcome), so the numbers outlive the bodies. `received_at` gets an index so finding what
//! has expired does not scan the whole inbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WebhookEventDaily {
    Table,
    Id,
    Day,
    TenantId,
    InstanceId,
    Event,
    Outcome,
    Count,
}

#[derive(DeriveIden)]
enum WebhookEvent {
    Table,
    ReceivedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(WebhookEventDaily::Table)
                .if_not_exists()
                .col(big_pk_auto(WebhookEventDaily::Id))
                // `YYYY-MM-DD`, UTC, of `received_at`.
                .col(string(WebhookEventDaily::Day))
                // 0 when the event had no tenant / instance; '' when it had no outcome.
                .col(big_integer(WebhookEventDaily::TenantId))
                .col(big_integer(WebhookEventDaily::InstanceId))
                .col(string(WebhookEventDaily::Event))
                .col(string(WebhookEventDaily::Outcome))
                .col(big_integer(WebhookEventDaily::Count).default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_webhook_event_daily_key")
                .table(WebhookEventDaily::Table)
                .col(WebhookEventDaily::Day)
                .col(WebhookEventDaily::TenantId)
                .col(WebhookEventDaily::InstanceId)
                .col(WebhookEventDaily::Event)
                .col(WebhookEventDaily::Outcome)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_webhook_event_received")
                .table(WebhookEvent::Table)
                .col(WebhookEvent::ReceivedAt)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_webhook_event_received")
                .table(WebhookEvent::Table)
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(WebhookEventDaily::Table).to_owned())
            .await
    }
}
