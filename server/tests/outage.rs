//! The database outage drill (PostgreSQL): Flow runs as its own process, reaching PostgreSQL
//! through a TCP proxy this test controls. In the middle of a 120-contact campaign with
//! receipts flowing, the proxy cuts every connection and refuses new ones for 8 seconds, as a
//! database restart would. Afterwards every message Evolution accepted is recorded, every
//! acknowledged receipt is applied, the campaign completes and nobody is messaged twice.
//! (SQLite is a file inside the process: it has no outage of this kind.)

mod common;

use std::time::Duration;

use common::sim::{
    Sim, assert_nobody_twice, fast, free_port, prepare_remote, remote_campaign, spawn_process,
    wait_until,
};
use common::{ADMIN_TOKEN, Backend};
use flow_server::service::campaigns::recount;
use sea_orm::Database;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// A TCP proxy to PostgreSQL that can play an outage.
struct Proxy {
    port: u16,
    down: watch::Sender<bool>,
}

impl Proxy {
    async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let (down, watcher) = watch::channel(false);
        tokio::spawn(async move {
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    continue;
                };
                let mut watcher = watcher.clone();
                if *watcher.borrow() {
                    // Refused: the database is not there.
                    drop(client);
                    continue;
                }
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    let Ok(mut server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                        _ = watcher.wait_for(|down| *down) => {}
                    }
                });
            }
        });
        Self { port, down }
    }

    fn set_down(&self, down: bool) {
        self.down.send_replace(down);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_outage_mid_campaign_loses_nothing_and_sends_nobody_twice() {
    let sim = Sim::start(fast(21)).await;
    let url = common::fresh_database_url(Backend::Postgres).await;
    let (server_part, db_name) = url.rsplit_once('/').expect("database url");
    let upstream = server_part
        .rsplit_once('@')
        .map_or(server_part, |(_, host)| host)
        .to_string();
    let proxy = Proxy::start(upstream).await;
    let proxied = format!("postgres://postgres@127.0.0.1:{}/{db_name}", proxy.port);
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let spool = std::env::temp_dir().join(format!("flow-outage-spool-{port}"));
    let spool_dir = spool.to_string_lossy().to_string();
    let _child = spawn_process(
        &proxied,
        port,
        &[
            ("FLOW_ADMIN_TOKEN", ADMIN_TOKEN),
            ("FLOW_SPOOL_DIR", &spool_dir),
        ],
    )
    .await;
    let (token, id) = prepare_remote(&base, &sim, 120, 40).await;

    wait_until(Duration::from_secs(20), || async {
        (sim.truth().await.sent >= 20).then_some(())
    })
    .await;
    proxy.set_down(true);
    tokio::time::sleep(Duration::from_secs(8)).await;
    proxy.set_down(false);

    let c = wait_until(Duration::from_secs(120), || async {
        let c = remote_campaign(&base, &token, id).await;
        (c["status"] == "completed").then_some(c)
    })
    .await;
    let truth = sim.settle().await;
    assert_nobody_twice(&truth);
    assert_eq!(c["counts"]["pending"], 0, "{c}");
    // Every message Evolution accepted is recorded as sent, and every acknowledged receipt
    // is applied (Evolution retries what got 503 during the outage).
    let c = wait_until(Duration::from_secs(20), || async {
        let c = remote_campaign(&base, &token, id).await;
        let counts = &c["counts"];
        (counts["sent"] == truth.sent
            && counts["delivered"] == truth.delivered
            && counts["read"] == truth.read)
            .then_some(c)
    })
    .await;
    assert_eq!(
        c["counts"]["failed"],
        truth.failed + truth.not_on_whatsapp,
        "no send was swept as failed: {c} {truth:?}"
    );
    let direct = Database::connect(&url).await.expect("connect");
    let stored = recount(&direct, id).await.unwrap();
    assert_eq!(c["counts"], serde_json::to_value(&stored).unwrap());
    assert!(
        !spool.join("sent.jsonl").exists(),
        "everything spooled during the outage was recorded"
    );
}
