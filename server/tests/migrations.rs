//! Migrations apply on an empty database of each kind, and applying them again is a no-op.

mod common;

use common::{Backend, fresh_database_url};
use flow_server::db::Db;
use sea_orm::{ConnectionTrait, Statement};

async fn applied(db: &Db) -> i64 {
    let row = db
        .read
        .query_one_raw(Statement::from_string(
            db.backend(),
            "SELECT COUNT(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

async fn twice_is_a_noop(backend: Backend) {
    let url = fresh_database_url(backend).await;
    let first = Db::open(&url)
        .await
        .expect("migrations apply on an empty database");
    let n = applied(&first).await;
    assert!(n >= 1);
    for table in [
        "tenant",
        "user",
        "api_token",
        "whatsapp_instance",
        "instance_daily_stats",
        "contact",
        "campaign",
        "campaign_instance",
        "campaign_contact",
        "campaign_log",
        "webhook_event",
        "pending_receipt",
        "session",
        "login_attempt",
        "webhook_event_daily",
        "list",
        "list_contact",
        "consent_event",
        "suppression",
        "reply",
        "contact_import",
    ] {
        let sql = format!("SELECT COUNT(*) AS n FROM \"{table}\"");
        first
            .read
            .query_one_raw(Statement::from_string(first.backend(), sql))
            .await
            .unwrap_or_else(|e| panic!("table {table} missing: {e}"));
    }
    drop(first);
    let second = Db::open(&url).await.expect("second open");
    assert_eq!(
        applied(&second).await,
        n,
        "re-applying changed the migration table"
    );
}

#[tokio::test]
async fn sqlite_migrations_apply_twice() {
    twice_is_a_noop(Backend::Sqlite).await;
}

#[tokio::test]
async fn postgres_migrations_apply_twice() {
    twice_is_a_noop(Backend::Postgres).await;
}
