//! An import's uploaded file gets a table of its own (`contact_import_file`, one row per job
//! while it runs). Kept on the job row, SQLite rewrote the whole file with every progress update
//! of the job: a 1M-row (42 MB) import spent most of its time copying its own file.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContactImportFile {
    Table,
    /// The job (`contact_import.id`).
    ImportId,
    /// The file as uploaded.
    Data,
}

#[derive(DeriveIden)]
enum ContactImport {
    Table,
    Data,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ContactImportFile::Table)
                .if_not_exists()
                .col(big_integer(ContactImportFile::ImportId).primary_key())
                .col(blob(ContactImportFile::Data))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "INSERT INTO contact_import_file (import_id, data) \
                 SELECT id, data FROM contact_import WHERE data IS NOT NULL",
            )
            .await?;
        m.alter_table(
            Table::alter()
                .table(ContactImport::Table)
                .drop_column(ContactImport::Data)
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(ContactImport::Table)
                .add_column(blob_null(ContactImport::Data))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "UPDATE contact_import SET data = (SELECT f.data FROM contact_import_file f \
                 WHERE f.import_id = contact_import.id)",
            )
            .await?;
        m.drop_table(Table::drop().table(ContactImportFile::Table).to_owned())
            .await
    }
}
