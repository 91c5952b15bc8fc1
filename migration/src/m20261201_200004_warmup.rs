//! Warm-up of new numbers (issue 11): whether an instance follows the plan
//! (`whatsapp_instance.warmup`, false for the instances made before) and each tenant's plan
//! (`tenant.warmup_plan`, JSON steps `[{day, cap}]`; NULL = the default 20/50/100/200/400 at
//! days 0/4/8/15/31).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WhatsappInstance {
    Table,
    /// Follows the warm-up plan.
    Warmup,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    /// JSON steps; NULL = the default plan.
    WarmupPlan,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .add_column_if_not_exists(boolean(WhatsappInstance::Warmup).default(false))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .add_column_if_not_exists(json_null(Tenant::WarmupPlan))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .drop_column(Tenant::WarmupPlan)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .drop_column(WhatsappInstance::Warmup)
                .to_owned(),
        )
        .await
    }
}
