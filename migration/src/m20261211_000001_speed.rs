//! Speed where users feel it (issue 26).
//!
//! * `contact_import_chunk`: an import's upload, stored in chunks as it arrives (one row per
//!   MiB) and read back one chunk at a time, so neither the upload nor the job holds the file.
//!   It replaces `contact_import_file` (one row holding the whole file). `contact_import.encoding`
//!   is what the upload turned out to be (`utf-8` or `windows-1252`), known once it is stored.
//! * An index made for substrings of names and numbers, kept in step with `contact` by the
//!   database itself (every insert, edit and erasure goes through it):
//!   - SQLite: `contact_search`, an FTS5 table with the trigram tokenizer over `contact`'s
//!     `name` and `phone` (external content, kept by triggers). FTS5 is compiled into the
//!     SQLite that Flow bundles, so it is always there.
//!   - PostgreSQL: `pg_trgm` GIN indexes on `LOWER(name)` and `phone`, which the planner uses
//!     for the same `LIKE '%…%'` the search already ran. Without the extension (not installed,
//!     or not allowed to the database user) the migration skips them with a warning and search
//!     scans as before: the same results, slower at scale.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum ContactImportChunk {
    Table,
    /// The job (`contact_import.id`).
    ImportId,
    /// The chunk's place in the file, from 0.
    Seq,
    /// Its bytes.
    Data,
}

#[derive(DeriveIden)]
enum ContactImport {
    Table,
    Encoding,
}

const SQLITE_SEARCH: &[&str] = &[
    "CREATE VIRTUAL TABLE IF NOT EXISTS contact_search USING fts5(name, phone, \
     content='contact', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS contact_search_insert AFTER INSERT ON contact BEGIN \
     INSERT INTO contact_search (rowid, name, phone) VALUES (new.id, new.name, new.phone); END",
    "CREATE TRIGGER IF NOT EXISTS contact_search_delete AFTER DELETE ON contact BEGIN \
     INSERT INTO contact_search (contact_search, rowid, name, phone) \
     VALUES ('delete', old.id, old.name, old.phone); END",
    "CREATE TRIGGER IF NOT EXISTS contact_search_update AFTER UPDATE OF name, phone ON contact BEGIN \
     INSERT INTO contact_search (contact_search, rowid, name, phone) \
     VALUES ('delete', old.id, old.name, old.phone); \
     INSERT INTO contact_search (rowid, name, phone) VALUES (new.id, new.name, new.phone); END",
    "INSERT INTO contact_search (contact_search) VALUES ('rebuild')",
];

const POSTGRES_SEARCH: &[&str] = &[
    "CREATE INDEX IF NOT EXISTS ix_contact_name_trgm ON contact USING gin (LOWER(name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS ix_contact_phone_trgm ON contact USING gin (phone gin_trgm_ops)",
];

/// Creates `pg_trgm` if this database may; false (with a warning) when it may not.
async fn pg_trgm(db: &SchemaManagerConnection<'_>) -> Result<bool, DbErr> {
    let available = db
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT 1 AS one FROM pg_available_extensions WHERE name = 'pg_trgm'",
        ))
        .await?
        .is_some();
    if !available {
        eprintln!(
            "warning: the PostgreSQL extension pg_trgm is not installed: contact search \
             scans the table (same results, slower with many contacts)"
        );
        return Ok(false);
    }
    // A savepoint, so that a refusal (no privilege) leaves the migration's transaction usable.
    let in_savepoint = db.execute_unprepared("SAVEPOINT pg_trgm").await.is_ok();
    match db
        .execute_unprepared("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        .await
    {
        Ok(_) => Ok(true),
        Err(e) => {
            if in_savepoint {
                db.execute_unprepared("ROLLBACK TO SAVEPOINT pg_trgm")
                    .await?;
            }
            eprintln!(
                "warning: cannot create the PostgreSQL extension pg_trgm ({e}): contact search \
                 scans the table (same results, slower with many contacts)"
            );
            Ok(false)
        }
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(ContactImportChunk::Table)
                .if_not_exists()
                .col(big_integer(ContactImportChunk::ImportId))
                .col(integer(ContactImportChunk::Seq))
                .col(blob(ContactImportChunk::Data))
                .primary_key(
                    Index::create()
                        .col(ContactImportChunk::ImportId)
                        .col(ContactImportChunk::Seq),
                )
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        db.execute_unprepared(
            "INSERT INTO contact_import_chunk (import_id, seq, data) \
             SELECT import_id, 0, data FROM contact_import_file",
        )
        .await?;
        m.drop_table(
            Table::drop()
                .table(Alias::new("contact_import_file"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(ContactImport::Table)
                .add_column_if_not_exists(string_null(ContactImport::Encoding))
                .to_owned(),
        )
        .await?;
        match db.get_database_backend() {
            DbBackend::Sqlite => {
                for sql in SQLITE_SEARCH {
                    db.execute_unprepared(sql).await?;
                }
            }
            DbBackend::Postgres if pg_trgm(db).await? => {
                for sql in POSTGRES_SEARCH {
                    db.execute_unprepared(sql).await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let drops: &[&str] = match db.get_database_backend() {
            DbBackend::Sqlite => &[
                "DROP TRIGGER IF EXISTS contact_search_insert",
                "DROP TRIGGER IF EXISTS contact_search_delete",
                "DROP TRIGGER IF EXISTS contact_search_update",
                "DROP TABLE IF EXISTS contact_search",
            ],
            DbBackend::Postgres => &[
                "DROP INDEX IF EXISTS ix_contact_name_trgm",
                "DROP INDEX IF EXISTS ix_contact_phone_trgm",
            ],
            _ => &[],
        };
        for sql in drops {
            db.execute_unprepared(sql).await?;
        }
        m.create_table(
            Table::create()
                .table(Alias::new("contact_import_file"))
                .if_not_exists()
                .col(big_integer(Alias::new("import_id")).primary_key())
                .col(blob(Alias::new("data")))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table(ContactImportChunk::Table).to_owned())
            .await
    }
}
