//! Clean shutdown and readiness. SIGTERM reaches the real `server` process while a campaign is
//! mid-send and a live stream is open: the stream ends, the send in flight records its answer,
//! nothing new is sent, and the process exits 0 within 10 s. `/readyz` reports the background
//! tasks and the database. Runs on SQLite and PostgreSQL.

mod common;

use std::time::Duration;

use common::sim::{Sim, fast, free_port, prepare_remote, spawn_process, wait_until};
use common::{ADMIN_TOKEN, Backend, TestApp};
use evolution_sim::{SimConfig, Truth};
use flow_server::db::Db;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use tokio::process::Command;

on_both_databases!(readyz_reports_tasks_and_names_the_database_when_it_is_gone);

/// Send requests the simulator received (each waits the typing delay before it is answered).
fn requests(t: &Truth) -> u64 {
    t.bodies.values().sum()
}

/// Send requests the simulator answered.
fn answered(t: &Truth) -> u64 {
    t.sent + t.not_on_whatsapp + t.refused_disconnected
}

async fn count(db: &Db, sql: String) -> i64 {
    db.read
        .query_one_raw(Statement::from_string(db.backend(), sql))
        .await
        .expect("count")
        .expect("a row")
        .try_get::<i64>("", "n")
        .expect("n")
}

async fn sigterm_mid_send_exits_cleanly(backend: Backend) {
    let sim = Sim::start(SimConfig {
        error_percent: 0,
        ..fast(31)
    })
    .await;
    let url = common::fresh_database_url(backend).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = spawn_process(&url, port, &[("FLOW_ADMIN_TOKEN", ADMIN_TOKEN)]).await;
    // Each send waits 1.2 s at the simulator (the typing delay), then the instance rests 1.2 s.
    let (token, campaign_id) = prepare_remote(&base, &sim, 20, 1200).await;

    let mut events = reqwest::Client::new()
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("events");
    assert_eq!(events.status(), 200);
    let first = events.chunk().await.expect("first event").expect("a chunk");
    assert!(String::from_utf8_lossy(&first).contains("event: ready"));

    // One message went out and the next one is in flight at the simulator.
    let at_signal = wait_until(Duration::from_secs(30), || async {
        let t = sim.truth().await;
        (t.sent >= 1 && requests(&t) > answered(&t)).then_some(t)
    })
    .await;
    let pid = child.id().expect("running").to_string();
    let kill = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .await
        .expect("kill");
    assert!(kill.success());
    let signalled = std::time::Instant::now();

    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("the server still runs 10 s after SIGTERM")
        .expect("wait");
    assert!(exit.success(), "the server exited with {exit}");
    eprintln!(
        "shutdown ({backend:?}): exited {:?} after SIGTERM",
        signalled.elapsed()
    );
    let ended = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match events.chunk().await {
                Ok(Some(_)) => {}
                Ok(None) => return true,
                Err(_) => return false,
            }
        }
    })
    .await;
    assert!(
        matches!(ended, Ok(true)),
        "the live stream did not end cleanly: {ended:?}"
    );

    // The process is gone: what the simulator saw is final.
    let truth = sim.truth().await;
    assert_eq!(
        requests(&truth),
        requests(&at_signal),
        "a send was started after SIGTERM"
    );
    assert_eq!(
        truth.sent,
        at_signal.sent + 1,
        "the send in flight at SIGTERM was not completed"
    );
    let db = Db::open(&url).await.expect("open");
    let rows =
        format!("SELECT COUNT(*) AS n FROM campaign_contact WHERE campaign_id = {campaign_id}");
    assert_eq!(
        count(&db, format!("{rows} AND status = 'sending'")).await,
        0,
        "a row was left `sending`"
    );
    assert_eq!(
        count(&db, format!("{rows} AND whatsapp_message_id IS NOT NULL")).await as u64,
        truth.sent,
        "every message the simulator sent is recorded"
    );
    assert!(count(&db, format!("{rows} AND status = 'pending'")).await > 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_sigterm_mid_send_with_open_stream_exits_cleanly() {
    sigterm_mid_send_exits_cleanly(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_sigterm_mid_send_with_open_stream_exits_cleanly() {
    sigterm_mid_send_exits_cleanly(Backend::Postgres).await;
}

async fn readyz(app: &TestApp) -> (u16, Value) {
    let res = app
        .client
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn readyz_reports_tasks_and_names_the_database_when_it_is_gone(app: TestApp) {
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ready", "{body}");
    for check in ["database", "writer", "sender", "publisher"] {
        assert_eq!(body["checks"][check], "ok", "{check}: {body}");
    }
    assert_eq!(body["failing"], serde_json::json!([]), "{body}");

    app.state.db.read.clone().close().await.expect("close");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready", "{body}");
    assert_eq!(body["failing"], serde_json::json!(["database"]), "{body}");
    assert_eq!(body["checks"]["writer"], "ok", "{body}");
}
