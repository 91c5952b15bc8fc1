//! Ban and risk signals (issue 11): `whatsapp_instance.closed_at`, when a v1 instance sent a
//! `close` that may be one of its transient drops (campaigns are paused only if no `open`
//! follows within `FLOW_V1_CLOSE_GRACE_SECS`; NULL = nothing waits), and each tenant's opt-out
//! limit (`tenant.optout_pause_percent`, default 3 % of an instance's last 100 sends).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WhatsappInstance {
    Table,
    /// A v1 close waiting for its grace period.
    ClosedAt,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    /// Opt-outs past this share of an instance's last sends pause its campaigns.
    OptoutPausePercent,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .add_column_if_not_exists(timestamp_with_time_zone_null(WhatsappInstance::ClosedAt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .add_column_if_not_exists(integer(Tenant::OptoutPausePercent).default(3))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .drop_column(Tenant::OptoutPausePercent)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .drop_column(WhatsappInstance::ClosedAt)
                .to_owned(),
        )
        .await
    }
}
