//! Login attempts per email, shared by every server process: the dashboard counts an attempt
//! here (one atomic upsert) before it checks the password, and refuses the email once its
//! window holds too many. The email is stored as its SHA-256, so a row has a fixed size.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum LoginAttempt {
    Table,
    /// Hex SHA-256 of the normalized email.
    EmailKey,
    /// Unix seconds at which the current window opened.
    WindowStart,
    /// Attempts counted in the current window.
    Failures,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(LoginAttempt::Table)
                .if_not_exists()
                .col(string_len(LoginAttempt::EmailKey, 64).primary_key())
                .col(big_integer(LoginAttempt::WindowStart))
                .col(big_integer(LoginAttempt::Failures))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("idx_login_attempt_window_start")
                .table(LoginAttempt::Table)
                .col(LoginAttempt::WindowStart)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(LoginAttempt::Table).to_owned())
            .await
    }
}
