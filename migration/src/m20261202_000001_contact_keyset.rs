//! Contact pages at any depth: an index on `(tenant_id, id)`, so a tenant's contacts are read
//! in id order after a cursor (keyset pages, the streamed export, a list filter) without
//! sorting the tenant's whole table; without it a 1M-contact first page took 160 ms on SQLite.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Contact {
    Table,
    TenantId,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_contact_tenant_id")
                .table(Contact::Table)
                .col(Contact::TenantId)
                .col(Contact::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_contact_tenant_id")
                .table(Contact::Table)
                .to_owned(),
        )
        .await
    }
}
