//! Audience and consent: contact lists, contact attributes (extra CSV columns usable in
//! templates), the replies people sent, a campaign-independent consent log, erasure (LGPD art.
//! 18) with a suppression list of salted phone hashes, and background contact import jobs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    /// Random salt of the suppression hashes; made on first erasure.
    SuppressionSalt,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
    /// JSON object of extra fields (`{"cidade": "Recife"}`).
    Attributes,
    /// When the contact was erased (its row stays, anonymised, for the campaign counters).
    ErasedAt,
}

#[derive(DeriveIden)]
enum List {
    Table,
    Id,
    TenantId,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ListContact {
    Table,
    ListId,
    ContactId,
    AddedAt,
}

#[derive(DeriveIden)]
enum ConsentEvent {
    Table,
    Id,
    TenantId,
    ContactId,
    /// `opt_out`, `opt_in` or `erased`.
    Action,
    Note,
    /// Who did it: a user's email, an API token's name, or `whatsapp` for a keyword.
    Actor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Suppression {
    Table,
    Id,
    TenantId,
    PhoneHash,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reply {
    Table,
    Id,
    TenantId,
    ContactId,
    CampaignId,
    Text,
    OptOut,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum ContactImport {
    Table,
    Id,
    TenantId,
    Status,
    ListId,
    /// The uploaded file while the job runs; emptied when it ends.
    Data,
    TotalRows,
    Processed,
    Created,
    Updated,
    Unchanged,
    Duplicates,
    Invalid,
    KeptOptedOut,
    /// JSON array of `{line, phone, reason}`.
    InvalidRows,
    Error,
    CreatedAt,
    UpdatedAt,
    FinishedAt,
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
        // SQLite adds one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .add_column_if_not_exists(string_null(Tenant::SuppressionSalt))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Contact::Table)
                .add_column_if_not_exists(json_null(Contact::Attributes))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Contact::Table)
                .add_column_if_not_exists(timestamp_with_time_zone_null(Contact::ErasedAt))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(List::Table)
                .if_not_exists()
                .col(big_pk_auto(List::Id))
                .col(big_integer(List::TenantId))
                .col(string(List::Name))
                .col(timestamp_with_time_zone(List::CreatedAt))
                .col(timestamp_with_time_zone(List::UpdatedAt))
                .foreign_key(&mut fk(
                    List::Table,
                    List::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_list_tenant_name")
                .table(List::Table)
                .col(List::TenantId)
                .col(List::Name)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ListContact::Table)
                .if_not_exists()
                .col(big_integer(ListContact::ListId))
                .col(big_integer(ListContact::ContactId))
                .col(timestamp_with_time_zone(ListContact::AddedAt))
                .primary_key(
                    Index::create()
                        .col(ListContact::ListId)
                        .col(ListContact::ContactId),
                )
                .foreign_key(&mut fk(
                    ListContact::Table,
                    ListContact::ListId,
                    List::Table,
                    List::Id,
                ))
                .foreign_key(&mut fk(
                    ListContact::Table,
                    ListContact::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_list_contact_contact")
                .table(ListContact::Table)
                .col(ListContact::ContactId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ConsentEvent::Table)
                .if_not_exists()
                .col(big_pk_auto(ConsentEvent::Id))
                .col(big_integer(ConsentEvent::TenantId))
                .col(big_integer(ConsentEvent::ContactId))
                .col(string(ConsentEvent::Action))
                .col(text(ConsentEvent::Note))
                .col(string(ConsentEvent::Actor))
                .col(timestamp_with_time_zone(ConsentEvent::CreatedAt))
                .foreign_key(&mut fk(
                    ConsentEvent::Table,
                    ConsentEvent::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .foreign_key(&mut fk(
                    ConsentEvent::Table,
                    ConsentEvent::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_consent_event_contact")
                .table(ConsentEvent::Table)
                .col(ConsentEvent::ContactId)
                .col(ConsentEvent::Id)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Suppression::Table)
                .if_not_exists()
                .col(big_pk_auto(Suppression::Id))
                .col(big_integer(Suppression::TenantId))
                .col(string(Suppression::PhoneHash))
                .col(timestamp_with_time_zone(Suppression::CreatedAt))
                .foreign_key(&mut fk(
                    Suppression::Table,
                    Suppression::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_suppression_tenant_hash")
                .table(Suppression::Table)
                .col(Suppression::TenantId)
                .col(Suppression::PhoneHash)
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Reply::Table)
                .if_not_exists()
                .col(big_pk_auto(Reply::Id))
                .col(big_integer(Reply::TenantId))
                .col(big_integer(Reply::ContactId))
                .col(big_integer_null(Reply::CampaignId))
                .col(text(Reply::Text))
                .col(boolean(Reply::OptOut).default(false))
                .col(timestamp_with_time_zone(Reply::ReceivedAt))
                .foreign_key(&mut fk(
                    Reply::Table,
                    Reply::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .foreign_key(&mut fk(
                    Reply::Table,
                    Reply::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_reply_campaign")
                .table(Reply::Table)
                .col(Reply::CampaignId)
                .col(Reply::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_reply_contact")
                .table(Reply::Table)
                .col(Reply::ContactId)
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(ContactImport::Table)
                .if_not_exists()
                .col(big_pk_auto(ContactImport::Id))
                .col(big_integer(ContactImport::TenantId))
                .col(string(ContactImport::Status))
                .col(big_integer_null(ContactImport::ListId))
                .col(blob_null(ContactImport::Data))
                .col(big_integer(ContactImport::TotalRows).default(0))
                .col(big_integer(ContactImport::Processed).default(0))
                .col(big_integer(ContactImport::Created).default(0))
                .col(big_integer(ContactImport::Updated).default(0))
                .col(big_integer(ContactImport::Unchanged).default(0))
                .col(big_integer(ContactImport::Duplicates).default(0))
                .col(big_integer(ContactImport::Invalid).default(0))
                .col(big_integer(ContactImport::KeptOptedOut).default(0))
                .col(text_null(ContactImport::InvalidRows))
                .col(text_null(ContactImport::Error))
                .col(timestamp_with_time_zone(ContactImport::CreatedAt))
                .col(timestamp_with_time_zone(ContactImport::UpdatedAt))
                .col(timestamp_with_time_zone_null(ContactImport::FinishedAt))
                .foreign_key(&mut fk(
                    ContactImport::Table,
                    ContactImport::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_contact_import_status")
                .table(ContactImport::Table)
                .col(ContactImport::Status)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            ContactImport::Table.into_iden(),
            Reply::Table.into_iden(),
            Suppression::Table.into_iden(),
            ConsentEvent::Table.into_iden(),
            ListContact::Table.into_iden(),
            List::Table.into_iden(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for (table, column) in [
            (Contact::Table.into_iden(), Contact::ErasedAt.into_iden()),
            (Contact::Table.into_iden(), Contact::Attributes.into_iden()),
            (
                Tenant::Table.into_iden(),
                Tenant::SuppressionSalt.into_iden(),
            ),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
