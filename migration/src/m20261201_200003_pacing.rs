//! Pacing held in the database (issue 11): `whatsapp_instance.next_send_at`, the earliest time
//! the instance may start its next send. A sender claims it (compare-and-set) before sending,
//! so several Flow processes on one instance never send closer than its pacing.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum WhatsappInstance {
    Table,
    /// NULL = may send now.
    NextSendAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .add_column_if_not_exists(timestamp_with_time_zone_null(
                    WhatsappInstance::NextSendAt,
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .drop_column(WhatsappInstance::NextSendAt)
                .to_owned(),
        )
        .await
    }
}
