//! The webhook inbox commits without waiting for the disk and answers only once it has flushed
//! the write-ahead log itself (`flow_server::wal`). SQLite: every other use of the write
//! connection commits with `synchronous = FULL`. PostgreSQL: only the inbox's own connection
//! commits with `synchronous_commit = off`.

mod common;

use chrono::Utc;
use common::Backend;
use flow_server::db::Db;
use flow_server::evolution::Event;
use flow_server::ingest::{InstanceRef, Outcome};
use flow_server::live::bus::ChangeBus;
use flow_server::live::publish::Publisher;
use flow_server::readiness::Beat;
use flow_server::wal::{self, Flush, WalFile};
use flow_server::webhook::inbox::{DEFAULT_MAX_QUEUED_BYTES, Inbox, Job, Parsed, StoreError};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use tokio_util::sync::CancellationToken;

/// The one value `sql` (a `PRAGMA` or `SHOW`) answers on `conn`, in its column `column`.
async fn setting<T: sea_orm::TryGetable>(conn: &DatabaseConnection, sql: &str, column: &str) -> T {
    conn.query_one_raw(Statement::from_string(conn.get_database_backend(), sql))
        .await
        .expect(sql)
        .expect("a row")
        .try_get::<T>("", column)
        .expect(column)
}

/// The write connection's `synchronous` level (1 NORMAL, 2 FULL).
async fn synchronous(db: &Db) -> i64 {
    setting(&db.write, "PRAGMA synchronous", "synchronous").await
}

#[tokio::test]
async fn only_the_inbox_commits_without_waiting_for_the_disk() {
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let db = Db::open(&url).await.expect("db");
    assert_eq!(synchronous(&db).await, 2, "FULL by default");
    assert_eq!(
        wal::deferred(synchronous(&db)).await,
        1,
        "NORMAL for the inbox"
    );
    // The connection the inbox used is handed to the next caller at FULL again.
    assert_eq!(synchronous(&db).await, 2, "FULL again after the inbox");
}

/// The size of the database file itself (what checkpoints have copied into it), not its WAL.
fn database_file_size(url: &str) -> u64 {
    let path = url
        .trim_start_matches("sqlite://")
        .split('?')
        .next()
        .expect("a path");
    std::fs::metadata(path).expect("the database file").len()
}

#[tokio::test]
async fn checkpoints_copy_the_wal_into_the_database_beside_the_writer() {
    let url = common::fresh_database_url(Backend::Sqlite).await;
    let db = Db::open(&url).await.expect("db");
    db.write
        .execute_unprepared("CREATE TABLE filler (b BLOB)")
        .await
        .expect("table");
    db.write
        .execute_unprepared(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) \
             INSERT INTO filler SELECT randomblob(3000) FROM n",
        )
        .await
        .expect("2,000 pages of rows");
    let before = database_file_size(&url);
    // About 2,000 pages: far below the writer's own threshold, so they wait in the WAL.
    assert!(
        before < 4_000_000,
        "the writer checkpointed by itself ({before} bytes)"
    );

    let stop = CancellationToken::new();
    let checkpointer = db.spawn_checkpointer(stop.clone()).expect("SQLite");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while database_file_size(&url) < before + 6_000_000 {
        assert!(
            std::time::Instant::now() < deadline,
            "the checkpointer copied nothing within 10 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    stop.cancel();
    checkpointer.await.expect("the checkpointer ends");
}

/// A tenant's instance to send webhooks as.
async fn instance_of(app: &common::TestApp) -> InstanceRef {
    let tenant = app.tenant("Loja").await;
    let instance = app.instance(&tenant, "loja-1").await;
    InstanceRef {
        id: instance["id"].as_i64().expect("id"),
        tenant_id: tenant.id,
        name: "loja-1".into(),
    }
}

/// The `presence.update` webhooks stored.
async fn stored(app: &common::TestApp) -> i64 {
    app.count_sql(
        "SELECT COUNT(*) AS n FROM webhook_event WHERE event = 'presence.update'",
        vec![],
    )
    .await
}

/// An inbox writing to `db`, publishing to `app`'s live stream.
fn inbox_on(db: &Db, app: &common::TestApp) -> Inbox {
    let publisher = Publisher::start(
        db.clone(),
        ChangeBus::default(),
        app.base.clone(),
        Beat::default(),
    );
    Inbox::start(
        db.clone(),
        publisher,
        DEFAULT_MAX_QUEUED_BYTES,
        CancellationToken::new(),
        Beat::default(),
    )
    .0
}

fn job(instance: &InstanceRef) -> Job {
    Job {
        instance: instance.clone(),
        event_name: "presence.update".into(),
        body: r#"{"event":"presence.update"}"#.into(),
        parsed: Parsed::Event(Event::Ignored {
            reason: "unsupported_event",
        }),
        received_at: Utc::now(),
    }
}

#[tokio::test]
async fn a_webhook_is_answered_only_after_the_wal_is_flushed() {
    let app = common::spawn(Backend::Sqlite).await;
    let instance = instance_of(&app).await;

    let mut db = Db::open(&app.database_url).await.expect("db");

    let flushed = inbox_on(&db, &app);
    assert_eq!(flushed.submit(job(&instance)).await, Ok(Outcome::Ignored));
    assert_eq!(stored(&app).await, 1);

    // A WAL that cannot be flushed (a path through a file): the batch is committed, but not
    // known to be on disk, so the webhook is refused and Evolution sends it again.
    db.flush = Flush::Sqlite(WalFile::of(std::path::Path::new("/etc/hostname/flow.db")));
    let unflushed = inbox_on(&db, &app);
    assert_eq!(
        unflushed.submit(job(&instance)).await,
        Err(StoreError::Unavailable)
    );
    assert_eq!(stored(&app).await, 2, "committed all the same");
    assert_eq!(
        synchronous(&db).await,
        2,
        "the write connection is FULL again"
    );
}

/// A PostgreSQL connection's `synchronous_commit`.
async fn synchronous_commit(conn: &DatabaseConnection) -> String {
    setting(conn, "SHOW synchronous_commit", "synchronous_commit").await
}

#[tokio::test]
async fn postgres_answers_a_webhook_only_after_a_synchronous_commit() {
    let app = common::spawn(Backend::Postgres).await;
    let instance = instance_of(&app).await;

    let mut db = Db::open(&app.database_url).await.expect("db");
    let Flush::Postgres { inbox: own, pool } = db.flush.clone() else {
        panic!("PostgreSQL flushes with a commit");
    };
    assert_eq!(
        synchronous_commit(&own).await,
        "off",
        "the inbox's connection"
    );
    assert_eq!(synchronous_commit(&pool).await, "on", "everyone else");

    let flushed = inbox_on(&db, &app);
    assert_eq!(flushed.submit(job(&instance)).await, Ok(Outcome::Ignored));
    assert_eq!(stored(&app).await, 1);

    // The flushing commit cannot run (its pool is closed): the batch is committed, but not
    // known to be on disk, so the webhook is refused and Evolution sends it again.
    let closed = Database::connect(&app.database_url).await.expect("pool");
    let same = closed.clone();
    closed.close().await.expect("close");
    db.flush = Flush::Postgres {
        inbox: own,
        pool: same,
    };
    let unflushed = inbox_on(&db, &app);
    assert_eq!(
        unflushed.submit(job(&instance)).await,
        Err(StoreError::Unavailable)
    );
    assert_eq!(stored(&app).await, 2, "committed all the same");
}
