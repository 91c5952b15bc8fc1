//! Numbers as people write them (issue 21): each tenant reads numbers written without a
//! country code in its `default_country` (ISO 3166-1 alpha-2, `BR`); each contact records what
//! kind of line its number is (`line_type`: `mobile`, `landline`, `other`, or `invalid` for a
//! stored number the repair could not read; NULL until the server's one-off repair has parsed
//! it), and `merged_into_id` names the contact a twin was merged into when campaign history
//! kept it. `suppression.legacy` marks the entries written before numbers were parsed: they
//! may hash a national spelling, which lookups then try too.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Tenant {
    Table,
    DefaultCountry,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    LineType,
    MergedIntoId,
}

#[derive(DeriveIden)]
enum Suppression {
    Table,
    Legacy,
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
        m.alter_table(add(
            Tenant::Table.into_table_ref(),
            string(Tenant::DefaultCountry).default("BR").to_owned(),
        ))
        .await?;
        m.alter_table(add(
            Contact::Table.into_table_ref(),
            string_null(Contact::LineType).to_owned(),
        ))
        .await?;
        m.alter_table(add(
            Contact::Table.into_table_ref(),
            big_integer_null(Contact::MergedIntoId).to_owned(),
        ))
        .await?;
        m.alter_table(add(
            Suppression::Table.into_table_ref(),
            boolean(Suppression::Legacy).default(false).to_owned(),
        ))
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE suppression SET legacy = TRUE")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let drop = |table: TableRef, column: DynIden| {
            Table::alter().table(table).drop_column(column).to_owned()
        };
        m.alter_table(drop(
            Suppression::Table.into_table_ref(),
            Suppression::Legacy.into_iden(),
        ))
        .await?;
        m.alter_table(drop(
            Contact::Table.into_table_ref(),
            Contact::MergedIntoId.into_iden(),
        ))
        .await?;
        m.alter_table(drop(
            Contact::Table.into_table_ref(),
            Contact::LineType.into_iden(),
        ))
        .await?;
        m.alter_table(drop(
            Tenant::Table.into_table_ref(),
            Tenant::DefaultCountry.into_iden(),
        ))
        .await
    }
}
