//! The person's rights (issue 27).
//!
//! * `consent_event.field`, `old_value`, `new_value`: a correction of a contact (action
//!   `corrected`) names the field (`name`, `phone`, `attributes.cidade`) and the values before
//!   and after; an erasure empties the values.
//! * `whatsapp_instance.phone`: the number the instance is connected as (the `wuid` of its
//!   `connection.update`), so a data-subject export can say which numbers messaged the person.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ConsentEvent {
    Table,
    Field,
    OldValue,
    NewValue,
}

#[derive(DeriveIden)]
enum WhatsappInstance {
    Table,
    Phone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [
            string_null(ConsentEvent::Field).to_owned(),
            text_null(ConsentEvent::OldValue).to_owned(),
            text_null(ConsentEvent::NewValue).to_owned(),
        ] {
            m.alter_table(
                Table::alter()
                    .table(ConsentEvent::Table)
                    .add_column_if_not_exists(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .add_column_if_not_exists(string_null(WhatsappInstance::Phone))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            ConsentEvent::Field,
            ConsentEvent::OldValue,
            ConsentEvent::NewValue,
        ] {
            m.alter_table(
                Table::alter()
                    .table(ConsentEvent::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(WhatsappInstance::Table)
                .drop_column(WhatsappInstance::Phone)
                .to_owned(),
        )
        .await
    }
}
