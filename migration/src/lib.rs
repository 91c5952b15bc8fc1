//! Database migrations of Alrea Flow. The same migrations run on SQLite (the embedded default)
//! and PostgreSQL; the server applies them at start, and applying them twice is a no-op.

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_init;
mod m20261129_000002_sessions;
mod m20261130_000001_identity_and_reprocessing;
mod m20261130_000002_webhook_retention;
mod m20261130_000003_login_attempts;
mod m20261130_000010_user_locale;
mod m20261130_000020_admin;
mod m20261201_100001_audience;
mod m20261201_200001_variants;
mod m20261201_200002_quiet_hours;
mod m20261201_200003_pacing;
mod m20261201_200004_warmup;
mod m20261201_200005_ban_signals;
mod m20261201_300001_live_changes;
mod m20261202_000001_contact_keyset;
mod m20261202_000002_import_files;
mod m20261203_000001_recipient_keyset;
mod m20261203_000002_partial_webhook_indexes;
mod m20261203_000003_timeline_indexes;
mod m20261206_000001_phone_numbers;
mod m20261207_000001_insights;
mod m20261208_000001_media_polls;
mod m20261209_000001_follow_ups;
mod m20261210_000001_data_subject;
mod m20261211_000001_speed;
mod m20261212_000001_receipt_pages;

/// Every migration of Flow, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_init::Migration),
            Box::new(m20261129_000002_sessions::Migration),
            Box::new(m20261130_000001_identity_and_reprocessing::Migration),
            Box::new(m20261130_000002_webhook_retention::Migration),
            Box::new(m20261130_000003_login_attempts::Migration),
            Box::new(m20261130_000010_user_locale::Migration),
            Box::new(m20261130_000020_admin::Migration),
            Box::new(m20261201_100001_audience::Migration),
            Box::new(m20261201_200001_variants::Migration),
            Box::new(m20261201_200002_quiet_hours::Migration),
            Box::new(m20261201_200003_pacing::Migration),
            Box::new(m20261201_200004_warmup::Migration),
            Box::new(m20261201_200005_ban_signals::Migration),
            Box::new(m20261201_300001_live_changes::Migration),
            Box::new(m20261202_000001_contact_keyset::Migration),
            Box::new(m20261202_000002_import_files::Migration),
            Box::new(m20261203_000001_recipient_keyset::Migration),
            Box::new(m20261203_000002_partial_webhook_indexes::Migration),
            Box::new(m20261203_000003_timeline_indexes::Migration),
            Box::new(m20261206_000001_phone_numbers::Migration),
            Box::new(m20261207_000001_insights::Migration),
            Box::new(m20261208_000001_media_polls::Migration),
            Box::new(m20261209_000001_follow_ups::Migration),
            Box::new(m20261210_000001_data_subject::Migration),
            Box::new(m20261211_000001_speed::Migration),
            Box::new(m20261212_000001_receipt_pages::Migration),
        ]
    }
}
