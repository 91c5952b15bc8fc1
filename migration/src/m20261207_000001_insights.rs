//! What the campaigns teach (issue 23).
//!
//! * `campaign.deleted` counts the campaign messages revoked ("apagada para todos");
//!   `campaign_contact.deleted_at` marks them (a revoke is analytics only: the status stays).
//! * `campaign.send_at_best_hour` schedules each recipient at their best hour:
//!   `campaign_contact.due_at` is when the row may be sent and `due_source` why (`personal`,
//!   `audience`, `explore`, `start`).
//! * `reply.whatsapp_message_id` / `reply.deleted_at`: a contact's revoked reply.
//! * `contact_lid` holds the `@lid` ↔ phone pairs WhatsApp revealed, so a later `@lid`-only
//!   event reaches the right person.
//! * `presence_hour` aggregates `presence.update` per contact and weekday × hour of the
//!   tenant's timezone: at most 168 rows a contact, never a row per event.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Deleted,
    SendAtBestHour,
}

#[derive(DeriveIden)]
enum CampaignContact {
    Table,
    DeletedAt,
    DueAt,
    DueSource,
}

#[derive(DeriveIden)]
enum Reply {
    Table,
    TenantId,
    WhatsappMessageId,
    DeletedAt,
}

#[derive(DeriveIden)]
enum ContactLid {
    Table,
    Id,
    TenantId,
    Lid,
    PhoneKey,
    LearntAt,
}

#[derive(DeriveIden)]
enum PresenceHour {
    Table,
    Id,
    TenantId,
    ContactId,
    Weekday,
    Hour,
    Seen,
    LastAt,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
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
        let add = |table: TableRef, column: ColumnDef| {
            Table::alter()
                .table(table)
                .add_column_if_not_exists(column)
                .to_owned()
        };
        // SQLite adds one column per ALTER TABLE.
        for column in [
            big_integer(Campaign::Deleted).default(0).to_owned(),
            boolean(Campaign::SendAtBestHour).default(false).to_owned(),
        ] {
            m.alter_table(add(Campaign::Table.into_table_ref(), column))
                .await?;
        }
        for column in [
            timestamp_with_time_zone_null(CampaignContact::DeletedAt).to_owned(),
            timestamp_with_time_zone_null(CampaignContact::DueAt).to_owned(),
            string_null(CampaignContact::DueSource).to_owned(),
        ] {
            m.alter_table(add(CampaignContact::Table.into_table_ref(), column))
                .await?;
        }
        for column in [
            string_null(Reply::WhatsappMessageId).to_owned(),
            timestamp_with_time_zone_null(Reply::DeletedAt).to_owned(),
        ] {
            m.alter_table(add(Reply::Table.into_table_ref(), column))
                .await?;
        }
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_reply_message")
                .table(Reply::Table)
                .col(Reply::TenantId)
                .col(Reply::WhatsappMessageId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ContactLid::Table)
                .if_not_exists()
                .col(big_pk_auto(ContactLid::Id))
                .col(big_integer(ContactLid::TenantId))
                .col(string(ContactLid::Lid))
                .col(string(ContactLid::PhoneKey))
                .col(timestamp_with_time_zone(ContactLid::LearntAt))
                .foreign_key(&mut fk(
                    ContactLid::Table,
                    ContactLid::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_contact_lid")
                .table(ContactLid::Table)
                .col(ContactLid::TenantId)
                .col(ContactLid::Lid)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_contact_lid_phone")
                .table(ContactLid::Table)
                .col(ContactLid::TenantId)
                .col(ContactLid::PhoneKey)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PresenceHour::Table)
                .if_not_exists()
                .col(big_pk_auto(PresenceHour::Id))
                .col(big_integer(PresenceHour::TenantId))
                .col(big_integer(PresenceHour::ContactId))
                .col(small_integer(PresenceHour::Weekday))
                .col(small_integer(PresenceHour::Hour))
                .col(big_integer(PresenceHour::Seen).default(0))
                .col(timestamp_with_time_zone(PresenceHour::LastAt))
                .foreign_key(&mut fk(
                    PresenceHour::Table,
                    PresenceHour::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .foreign_key(&mut fk(
                    PresenceHour::Table,
                    PresenceHour::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_presence_hour")
                .table(PresenceHour::Table)
                .col(PresenceHour::ContactId)
                .col(PresenceHour::Weekday)
                .col(PresenceHour::Hour)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_presence_hour_tenant")
                .table(PresenceHour::Table)
                .col(PresenceHour::TenantId)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(PresenceHour::Table).to_owned())
            .await?;
        m.drop_table(Table::drop().table(ContactLid::Table).to_owned())
            .await?;
        m.drop_index(
            Index::drop()
                .name("ix_reply_message")
                .table(Reply::Table)
                .to_owned(),
        )
        .await?;
        let drop = |table: TableRef, column: DynIden| {
            Table::alter().table(table).drop_column(column).to_owned()
        };
        m.alter_table(drop(
            Reply::Table.into_table_ref(),
            Reply::DeletedAt.into_iden(),
        ))
        .await?;
        m.alter_table(drop(
            Reply::Table.into_table_ref(),
            Reply::WhatsappMessageId.into_iden(),
        ))
        .await?;
        for column in [
            CampaignContact::DueSource.into_iden(),
            CampaignContact::DueAt.into_iden(),
            CampaignContact::DeletedAt.into_iden(),
        ] {
            m.alter_table(drop(CampaignContact::Table.into_table_ref(), column))
                .await?;
        }
        for column in [
            Campaign::SendAtBestHour.into_iden(),
            Campaign::Deleted.into_iden(),
        ] {
            m.alter_table(drop(Campaign::Table.into_table_ref(), column))
                .await?;
        }
        Ok(())
    }
}
