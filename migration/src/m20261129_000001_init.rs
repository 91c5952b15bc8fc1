//! The initial schema: tenants and their users and tokens, WhatsApp instances, contacts,
//! campaigns with their contacts and logs, and the webhook inbox.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    Name,
    OptOutKeywords,
    CreatedAt,
}

#[derive(DeriveIden)]
enum User {
    Table,
    Id,
    TenantId,
    Email,
    PasswordHash,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiToken {
    Table,
    Id,
    TenantId,
    TokenHash,
    Name,
    CreatedAt,
    LastUsedAt,
}

#[derive(DeriveIden)]
enum WhatsappInstance {
    Table,
    Id,
    TenantId,
    InstanceName,
    FriendlyName,
    ApiUrl,
    ApiKey,
    ApiVersion,
    WebhookSecret,
    ConnectionState,
    Active,
    HealthScore,
    LastEventAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum InstanceDailyStats {
    Table,
    Id,
    InstanceId,
    Day,
    Sent,
    Delivered,
    Read,
    Failed,
    Disconnects,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
    TenantId,
    Phone,
    Name,
    OptedOutAt,
    OptOutKeyword,
    OptOutText,
    LastInteractionAt,
    TotalMessagesReceived,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Id,
    TenantId,
    Name,
    Message,
    Status,
    PauseReason,
    MinDelayMs,
    MaxDelayMs,
    DailyCap,
    WindowStart,
    WindowEnd,
    WindowUtcOffsetMinutes,
    Total,
    Pending,
    Sent,
    Delivered,
    Read,
    Failed,
    OptedOut,
    Replied,
    Cancelled,
    CreatedAt,
    StartedAt,
    FinishedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignInstance {
    Table,
    CampaignId,
    InstanceId,
}

#[derive(DeriveIden)]
enum CampaignContact {
    Table,
    Id,
    CampaignId,
    ContactId,
    InstanceId,
    Status,
    WhatsappMessageId,
    SentAt,
    DeliveredAt,
    ReadAt,
    FailedAt,
    Error,
    RepliedAt,
    OptedOutAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum CampaignLog {
    Table,
    Id,
    TenantId,
    CampaignId,
    LogType,
    Severity,
    Message,
    Details,
    CreatedAt,
}

#[derive(DeriveIden)]
enum WebhookEvent {
    Table,
    Id,
    TenantId,
    InstanceId,
    Event,
    Body,
    ReceivedAt,
    ProcessedAt,
    Outcome,
    Error,
    DedupKey,
}

#[derive(DeriveIden)]
enum PendingReceipt {
    Table,
    Id,
    TenantId,
    InstanceId,
    WhatsappMessageId,
    Status,
    ReceivedAt,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(Tenant::Table)
                .if_not_exists()
                .col(big_pk_auto(Tenant::Id))
                .col(string(Tenant::Name))
                .col(json_null(Tenant::OptOutKeywords))
                .col(timestamp_with_time_zone(Tenant::CreatedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(User::Table)
                .if_not_exists()
                .col(big_pk_auto(User::Id))
                .col(big_integer(User::TenantId))
                .col(string_uniq(User::Email))
                .col(string(User::PasswordHash))
                .col(string(User::Role))
                .col(timestamp_with_time_zone(User::CreatedAt))
                .foreign_key(&mut fk(
                    User::Table,
                    User::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ApiToken::Table)
                .if_not_exists()
                .col(big_pk_auto(ApiToken::Id))
                .col(big_integer(ApiToken::TenantId))
                .col(string_uniq(ApiToken::TokenHash))
                .col(string(ApiToken::Name))
                .col(timestamp_with_time_zone(ApiToken::CreatedAt))
                .col(timestamp_with_time_zone_null(ApiToken::LastUsedAt))
                .foreign_key(&mut fk(
                    ApiToken::Table,
                    ApiToken::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WhatsappInstance::Table)
                .if_not_exists()
                .col(big_pk_auto(WhatsappInstance::Id))
                .col(big_integer(WhatsappInstance::TenantId))
                .col(string(WhatsappInstance::InstanceName))
                .col(string(WhatsappInstance::FriendlyName))
                .col(string(WhatsappInstance::ApiUrl))
                .col(string(WhatsappInstance::ApiKey))
                .col(string(WhatsappInstance::ApiVersion))
                .col(string_uniq(WhatsappInstance::WebhookSecret))
                .col(string(WhatsappInstance::ConnectionState))
                .col(boolean(WhatsappInstance::Active))
                .col(integer(WhatsappInstance::HealthScore))
                .col(timestamp_with_time_zone_null(WhatsappInstance::LastEventAt))
                .col(timestamp_with_time_zone(WhatsappInstance::CreatedAt))
                .foreign_key(&mut fk(
                    WhatsappInstance::Table,
                    WhatsappInstance::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_instance_tenant_name")
                .table(WhatsappInstance::Table)
                .col(WhatsappInstance::TenantId)
                .col(WhatsappInstance::InstanceName)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(InstanceDailyStats::Table)
                .if_not_exists()
                .col(big_pk_auto(InstanceDailyStats::Id))
                .col(big_integer(InstanceDailyStats::InstanceId))
                .col(string(InstanceDailyStats::Day))
                .col(big_integer(InstanceDailyStats::Sent).default(0))
                .col(big_integer(InstanceDailyStats::Delivered).default(0))
                .col(big_integer(InstanceDailyStats::Read).default(0))
                .col(big_integer(InstanceDailyStats::Failed).default(0))
                .col(big_integer(InstanceDailyStats::Disconnects).default(0))
                .foreign_key(&mut fk(
                    InstanceDailyStats::Table,
                    InstanceDailyStats::InstanceId,
                    WhatsappInstance::Table,
                    WhatsappInstance::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_instance_daily_stats_day")
                .table(InstanceDailyStats::Table)
                .col(InstanceDailyStats::InstanceId)
                .col(InstanceDailyStats::Day)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Contact::Table)
                .if_not_exists()
                .col(big_pk_auto(Contact::Id))
                .col(big_integer(Contact::TenantId))
                .col(string(Contact::Phone))
                .col(string(Contact::Name))
                .col(timestamp_with_time_zone_null(Contact::OptedOutAt))
                .col(string_null(Contact::OptOutKeyword))
                .col(text_null(Contact::OptOutText))
                .col(timestamp_with_time_zone_null(Contact::LastInteractionAt))
                .col(big_integer(Contact::TotalMessagesReceived).default(0))
                .col(timestamp_with_time_zone(Contact::CreatedAt))
                .col(timestamp_with_time_zone(Contact::UpdatedAt))
                .foreign_key(&mut fk(
                    Contact::Table,
                    Contact::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_contact_tenant_phone")
                .table(Contact::Table)
                .col(Contact::TenantId)
                .col(Contact::Phone)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Campaign::Table)
                .if_not_exists()
                .col(big_pk_auto(Campaign::Id))
                .col(big_integer(Campaign::TenantId))
                .col(string(Campaign::Name))
                .col(text(Campaign::Message))
                .col(string(Campaign::Status))
                .col(string_null(Campaign::PauseReason))
                .col(big_integer(Campaign::MinDelayMs))
                .col(big_integer(Campaign::MaxDelayMs))
                .col(big_integer_null(Campaign::DailyCap))
                .col(string_null(Campaign::WindowStart))
                .col(string_null(Campaign::WindowEnd))
                .col(integer(Campaign::WindowUtcOffsetMinutes).default(0))
                .col(big_integer(Campaign::Total).default(0))
                .col(big_integer(Campaign::Pending).default(0))
                .col(big_integer(Campaign::Sent).default(0))
                .col(big_integer(Campaign::Delivered).default(0))
                .col(big_integer(Campaign::Read).default(0))
                .col(big_integer(Campaign::Failed).default(0))
                .col(big_integer(Campaign::OptedOut).default(0))
                .col(big_integer(Campaign::Replied).default(0))
                .col(big_integer(Campaign::Cancelled).default(0))
                .col(timestamp_with_time_zone(Campaign::CreatedAt))
                .col(timestamp_with_time_zone_null(Campaign::StartedAt))
                .col(timestamp_with_time_zone_null(Campaign::FinishedAt))
                .col(timestamp_with_time_zone(Campaign::UpdatedAt))
                .foreign_key(&mut fk(
                    Campaign::Table,
                    Campaign::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_campaign_tenant")
                .table(Campaign::Table)
                .col(Campaign::TenantId)
                .col(Campaign::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CampaignInstance::Table)
                .if_not_exists()
                .col(big_integer(CampaignInstance::CampaignId))
                .col(big_integer(CampaignInstance::InstanceId))
                .primary_key(
                    Index::create()
                        .col(CampaignInstance::CampaignId)
                        .col(CampaignInstance::InstanceId),
                )
                .foreign_key(&mut fk(
                    CampaignInstance::Table,
                    CampaignInstance::CampaignId,
                    Campaign::Table,
                    Campaign::Id,
                ))
                .foreign_key(&mut fk(
                    CampaignInstance::Table,
                    CampaignInstance::InstanceId,
                    WhatsappInstance::Table,
                    WhatsappInstance::Id,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(CampaignContact::Table)
                .if_not_exists()
                .col(big_pk_auto(CampaignContact::Id))
                .col(big_integer(CampaignContact::CampaignId))
                .col(big_integer(CampaignContact::ContactId))
                .col(big_integer_null(CampaignContact::InstanceId))
                .col(string(CampaignContact::Status))
                .col(string_null(CampaignContact::WhatsappMessageId))
                .col(timestamp_with_time_zone_null(CampaignContact::SentAt))
                .col(timestamp_with_time_zone_null(CampaignContact::DeliveredAt))
                .col(timestamp_with_time_zone_null(CampaignContact::ReadAt))
                .col(timestamp_with_time_zone_null(CampaignContact::FailedAt))
                .col(text_null(CampaignContact::Error))
                .col(timestamp_with_time_zone_null(CampaignContact::RepliedAt))
                .col(timestamp_with_time_zone_null(CampaignContact::OptedOutAt))
                .col(timestamp_with_time_zone(CampaignContact::UpdatedAt))
                .foreign_key(&mut fk(
                    CampaignContact::Table,
                    CampaignContact::CampaignId,
                    Campaign::Table,
                    Campaign::Id,
                ))
                .foreign_key(&mut fk(
                    CampaignContact::Table,
                    CampaignContact::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, cols, unique) in [
            (
                "ux_campaign_contact_message_id",
                vec![CampaignContact::WhatsappMessageId],
                true,
            ),
            (
                "ux_campaign_contact_pair",
                vec![CampaignContact::CampaignId, CampaignContact::ContactId],
                true,
            ),
            (
                "ix_campaign_contact_status",
                vec![CampaignContact::CampaignId, CampaignContact::Status],
                false,
            ),
            (
                "ix_campaign_contact_contact",
                vec![CampaignContact::ContactId, CampaignContact::Status],
                false,
            ),
        ] {
            let mut index = Index::create()
                .if_not_exists()
                .name(name)
                .table(CampaignContact::Table)
                .to_owned();
            for col in cols {
                index.col(col);
            }
            if unique {
                index.unique();
            }
            m.create_index(index).await?;
        }

        m.create_table(
            Table::create()
                .table(CampaignLog::Table)
                .if_not_exists()
                .col(big_pk_auto(CampaignLog::Id))
                .col(big_integer(CampaignLog::TenantId))
                .col(big_integer(CampaignLog::CampaignId))
                .col(string(CampaignLog::LogType))
                .col(string(CampaignLog::Severity))
                .col(text(CampaignLog::Message))
                .col(json_null(CampaignLog::Details))
                .col(timestamp_with_time_zone(CampaignLog::CreatedAt))
                .foreign_key(&mut fk(
                    CampaignLog::Table,
                    CampaignLog::CampaignId,
                    Campaign::Table,
                    Campaign::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_campaign_log_campaign")
                .table(CampaignLog::Table)
                .col(CampaignLog::CampaignId)
                .col(CampaignLog::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(WebhookEvent::Table)
                .if_not_exists()
                .col(big_pk_auto(WebhookEvent::Id))
                .col(big_integer_null(WebhookEvent::TenantId))
                .col(big_integer_null(WebhookEvent::InstanceId))
                .col(string(WebhookEvent::Event))
                .col(text(WebhookEvent::Body))
                .col(timestamp_with_time_zone(WebhookEvent::ReceivedAt))
                .col(timestamp_with_time_zone_null(WebhookEvent::ProcessedAt))
                .col(string_null(WebhookEvent::Outcome))
                .col(text_null(WebhookEvent::Error))
                .col(string_null(WebhookEvent::DedupKey))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_webhook_event_dedup")
                .table(WebhookEvent::Table)
                .col(WebhookEvent::InstanceId)
                .col(WebhookEvent::DedupKey)
                .unique()
                .to_owned(),
        )
        .await?;

        // Receipts for message ids Flow has not recorded yet (the receipt beat the sendText
        // answer); applied when the id is recorded, expired after a while.
        m.create_table(
            Table::create()
                .table(PendingReceipt::Table)
                .if_not_exists()
                .col(big_pk_auto(PendingReceipt::Id))
                .col(big_integer(PendingReceipt::TenantId))
                .col(big_integer(PendingReceipt::InstanceId))
                .col(string(PendingReceipt::WhatsappMessageId))
                .col(string(PendingReceipt::Status))
                .col(timestamp_with_time_zone(PendingReceipt::ReceivedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_pending_receipt_message")
                .table(PendingReceipt::Table)
                .col(PendingReceipt::WhatsappMessageId)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_webhook_event_unprocessed")
                .table(WebhookEvent::Table)
                .col(WebhookEvent::ProcessedAt)
                .col(WebhookEvent::Id)
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
