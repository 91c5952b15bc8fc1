//! Crash safety: the server process is killed (SIGKILL) in the middle of a webhook stream,
//! restarted, and what was not acknowledged is sent again, as Evolution does. Every
//! acknowledged event must be applied exactly once: no engagement counted twice, no receipt
//! lost, counters equal to the rows. Runs on SQLite and PostgreSQL.

mod common;

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use app::types::{NewCampaign, NewContact, NewInstance};
use chrono::Utc;
use common::Backend;
use common::evolution::{incoming, receipt_v2};
use flow_server::db::Db;
use flow_server::evolution::client::EvolutionClient;
use flow_server::ingest::{Ctx, attach_message_id};
use flow_server::service::{campaigns, contacts, instances, tenants};
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, TransactionTrait};
use serde_json::Value;
use tokio::process::{Child, Command};

const CONTACTS: usize = 150;

struct Prepared {
    hook: String,
    campaign_id: i64,
    phones: Vec<String>,
}

/// Creates a tenant, an instance and a campaign whose messages were all sent.
async fn prepare(url: &str) -> Prepared {
    let db = Db::open(url).await.expect("open");
    let tenant = tenants::create(&db, "Crash").await.unwrap();
    let inst = instances::create(
        &db,
        &EvolutionClient::new(flow_server::evolution::address::AddressPolicy::AllowPrivate),
        "http://unused",
        tenant.id,
        NewInstance {
            instance_name: "crash-01".into(),
            friendly_name: None,
            api_url: "http://127.0.0.1:9".into(),
            api_key: "k".into(),
            api_version: Some("v2".into()),
            warmup: false,
        },
    )
    .await
    .unwrap();
    let phones: Vec<String> = (0..CONTACTS)
        .map(|i| format!("55119{:08}", 80_000_000 + i))
        .collect();
    contacts::import(
        &db,
        tenant.id,
        phones
            .iter()
            .map(|p| NewContact {
                name: "C".into(),
                phone: p.clone(),
            })
            .collect(),
    )
    .await
    .unwrap();
    let campaign = campaigns::create(
        &db,
        tenant.id,
        NewCampaign {
            name: "Crash".into(),
            message: "Oi".into(),
            instance_ids: vec![inst.id],
            contact_ids: None,
            all_contacts: true,
            list_ids: None,
            exclude_list_ids: None,
            settings: None,
            variants: Vec::new(),
            media: None,
            poll: None,
            send_at_best_hour: false,
            track_links: None,
            utm: None,
        },
    )
    .await
    .unwrap();
    #[derive(FromQueryResult)]
    struct R {
        id: i64,
        phone: String,
    }
    let rows = R::find_by_statement(Statement::from_string(
        db.backend(),
        format!(
            "SELECT cc.id, ct.phone FROM campaign_contact cc JOIN contact ct ON ct.id = cc.contact_id \
             WHERE cc.campaign_id = {} ORDER BY cc.id",
            campaign.id
        ),
    ))
    .all(&db.read)
    .await
    .unwrap();
    let txn = db.write.begin().await.unwrap();
    let now = Utc::now();
    let mut ctx = Ctx::new(&txn, now);
    for r in &rows {
        attach_message_id(&mut ctx, r.id, inst.id, &format!("CRASH-{}", r.phone))
            .await
            .unwrap();
    }
    ctx.effects.flush(&txn, now).await.unwrap();
    txn.commit().await.unwrap();
    db.write.close().await.ok();
    db.read.close().await.ok();
    Prepared {
        hook: format!("/api/webhooks/evolution/i/{}", inst.webhook_secret),
        campaign_id: campaign.id,
        phones,
    }
}

async fn start(url: &str, port: u16) -> Child {
    let child = Command::new(env!("CARGO_BIN_EXE_server"))
        .env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("FLOW_LOG", "error")
        .env("FLOW_EVOLUTION_ALLOW_PRIVATE", "true")
        .env("FLOW_SUPPRESSION_KEY", common::SUPPRESSION_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn server");
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            && r.status() == 200
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not start");
}

async fn crash_and_recover(backend: Backend) {
    let url = common::fresh_database_url(backend).await;
    let p = prepare(&url).await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}{}", p.hook);

    // Two incoming messages and two receipts per contact.
    let mut events: Vec<Value> = Vec::new();
    for phone in &p.phones {
        events.push(incoming("crash-01", phone, &format!("IN-A-{phone}"), "oi"));
        events.push(receipt_v2(
            "crash-01",
            &format!("CRASH-{phone}"),
            "DELIVERY_ACK",
        ));
        events.push(incoming(
            "crash-01",
            phone,
            &format!("IN-B-{phone}"),
            "tudo bem?",
        ));
        events.push(receipt_v2("crash-01", &format!("CRASH-{phone}"), "READ"));
    }
    let events = Arc::new(events);
    let acked: Arc<Vec<AtomicBool>> =
        Arc::new((0..events.len()).map(|_| AtomicBool::new(false)).collect());
    let acks = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();

    let mut child = start(&url, port).await;
    let workers: Vec<_> = (0..16)
        .map(|_| {
            let (events, acked, acks, next, client, base) = (
                events.clone(),
                acked.clone(),
                acks.clone(),
                next.clone(),
                client.clone(),
                base.clone(),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(body) = events.get(i) else { break };
                    if let Ok(res) = client.post(&base).json(body).send().await
                        && res.status() == 200
                    {
                        acked[i].store(true, Ordering::SeqCst);
                        acks.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    // Kill -9 once a good part of the stream is acknowledged, while requests are in flight.
    while acks.load(Ordering::SeqCst) < events.len() / 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    child.kill().await.expect("kill -9");
    for w in workers {
        w.await.unwrap();
    }
    let acked_before = acks.load(Ordering::SeqCst);
    assert!(
        acked_before < events.len(),
        "the kill came too late to test anything"
    );

    // Restart and re-send what was not acknowledged, until everything is.
    let _child = start(&url, port).await;
    for (i, body) in events.iter().enumerate() {
        let mut tries = 0;
        while !acked[i].load(Ordering::SeqCst) {
            let res = client.post(&base).json(body).send().await.expect("resend");
            if res.status() == 200 {
                acked[i].store(true, Ordering::SeqCst);
            }
            tries += 1;
            assert!(tries < 20, "event {i} never accepted");
        }
    }

    let db = Db::open(&url).await.unwrap();
    #[derive(FromQueryResult)]
    struct C {
        phone: String,
        total_messages_received: i64,
    }
    let contacts = C::find_by_statement(Statement::from_string(
        db.backend(),
        "SELECT phone, total_messages_received FROM contact ORDER BY id",
    ))
    .all(&db.read)
    .await
    .unwrap();
    for c in &contacts {
        assert_eq!(
            c.total_messages_received, 2,
            "{} counted {} messages",
            c.phone, c.total_messages_received
        );
    }
    let statuses = db
        .read
        .query_all_raw(Statement::from_string(
            db.backend(),
            format!(
                "SELECT status FROM campaign_contact WHERE campaign_id = {}",
                p.campaign_id
            ),
        ))
        .await
        .unwrap();
    assert!(
        statuses
            .iter()
            .all(|r| r.try_get::<String>("", "status").unwrap() == "read")
    );
    let stored = campaigns::recount(&db.read, p.campaign_id).await.unwrap();
    let row = db
        .read
        .query_one_raw(Statement::from_string(
            db.backend(),
            format!(
                "SELECT delivered, read, replied, pending FROM campaign WHERE id = {}",
                p.campaign_id
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    let n = CONTACTS as i64;
    assert_eq!((stored.delivered, stored.read, stored.replied), (n, n, n));
    assert_eq!(row.try_get::<i64>("", "delivered").unwrap(), n);
    assert_eq!(row.try_get::<i64>("", "read").unwrap(), n);
    assert_eq!(row.try_get::<i64>("", "replied").unwrap(), n);
    assert_eq!(row.try_get::<i64>("", "pending").unwrap(), 0);
    eprintln!(
        "crash test ({backend:?}): {acked_before} of {} acknowledged before the kill",
        events.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_kill_9_mid_stream_loses_and_repeats_nothing() {
    crash_and_recover(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_kill_9_mid_stream_loses_and_repeats_nothing() {
    crash_and_recover(Backend::Postgres).await;
}
