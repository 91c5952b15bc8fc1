//! Benchmark of the tracked-link redirect (`bench/links.sh`).
//!
//! * `bench_clicks seed <database-url> <recipients> <public-url>`: a tenant, an instance and a
//!   campaign whose recipients each have a code for its link; prints one code per line.
//! * `bench_clicks load <url-prefix> <codes-file|-> <rate> <connections> <seconds>`: requests
//!   `<url-prefix><code>` (codes in turn; `-` requests the prefix alone) at `<rate>` per second
//!   in total, open loop (each request has its due time, and its latency counts from then, so a
//!   slow answer delays nothing it should not), over `<connections>` keep-alive connections from
//!   a phone's address and user agent. Prints p50, p99, max and the rate reached.

use std::time::{Duration, Instant};

use app::types::{NewCampaign, NewContact, NewInstance};
use flow_server::db::Db;
use flow_server::evolution::client::EvolutionClient;
use flow_server::evolution::outgoing::Outgoing;
use flow_server::service::links::{self, Recipient, Tracking};
use flow_server::service::{campaigns, contacts, instances, tenants};
use flow_server::sql::stmt;
use sea_orm::{ConnectionTrait, FromQueryResult};

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("seed") => seed(&args[1], args[2].parse().expect("recipients"), &args[3]).await,
        Some("load") => {
            load(
                &args[1],
                &args[2],
                args[3].parse().expect("rate"),
                args[4].parse().expect("connections"),
                args[5].parse().expect("seconds"),
            )
            .await
        }
        _ => eprintln!("usage: bench_clicks seed … | load …"),
    }
}

async fn seed(url: &str, n: usize, public_url: &str) {
    let db = Db::open(url).await.expect("open database");
    let tenant = tenants::create(&db, "Bench").await.expect("tenant");
    let instance = instances::create(
        &db,
        &EvolutionClient::new(flow_server::evolution::address::AddressPolicy::AllowPrivate),
        public_url,
        tenant.id,
        NewInstance {
            instance_name: "bench-01".into(),
            friendly_name: None,
            api_url: "http://127.0.0.1:9".into(),
            api_key: "bench-key".into(),
            api_version: Some("v2".into()),
            warmup: false,
        },
    )
    .await
    .expect("instance");
    let rows: Vec<NewContact> = (0..n)
        .map(|i| NewContact {
            name: format!("Contact {i}"),
            phone: format!("55{:011}", 11_900_000_000u64 + i as u64),
        })
        .collect();
    contacts::import(&db, tenant.id, rows)
        .await
        .expect("contacts");
    let campaign = campaigns::create(
        &db,
        tenant.id,
        NewCampaign {
            name: "Bench links".into(),
            message: "Oferta: https://loja.exemplo.com.br/black".into(),
            instance_ids: vec![instance.id],
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
    .expect("campaign");
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        contact_id: i64,
    }
    let rows = Row::find_by_statement(stmt(
        db.backend(),
        "SELECT id, contact_id FROM campaign_contact WHERE campaign_id = ?",
        vec![campaign.id.into()],
    ))
    .all(&db.read)
    .await
    .expect("rows");
    // As the sender does before each send: the recipient's code, and the message was sent
    // through the instance (so the redirect knows its Evolution).
    db.write
        .execute_raw(stmt(
            db.backend(),
            "UPDATE campaign_contact SET instance_id = ? WHERE campaign_id = ?",
            vec![instance.id.into(), campaign.id.into()],
        ))
        .await
        .expect("instance");
    let tracking = Tracking {
        campaign_id: campaign.id,
        tenant_id: tenant.id,
        utm: None,
    };
    for row in rows {
        let mut message = Outgoing::Text(campaign.message.clone());
        let targets = links::track(
            &db.write,
            public_url,
            &tracking,
            Recipient {
                campaign_contact_id: row.id,
                contact_id: row.contact_id,
                variant: 0,
            },
            "http://127.0.0.1:9",
            &mut message,
        )
        .await
        .expect("codes");
        for t in targets {
            println!("{}", t.code);
        }
    }
}

async fn load(prefix: &str, codes: &str, rate: f64, connections: usize, seconds: f64) {
    let codes: Vec<String> = if codes == "-" {
        vec![String::new()]
    } else {
        std::fs::read_to_string(codes)
            .expect("codes file")
            .lines()
            .map(String::from)
            .collect()
    };
    let total = (rate * seconds) as usize;
    let interval = Duration::from_secs_f64(1.0 / rate);
    let start = Instant::now() + Duration::from_millis(200);
    let mut tasks = Vec::new();
    for c in 0..connections {
        let client = reqwest::Client::builder()
            .local_address(evolution_sim::PHONE_ADDRESS)
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(1)
            .build()
            .expect("client");
        let urls: Vec<(Instant, String)> = (c..total)
            .step_by(connections)
            .map(|i| {
                (
                    start + interval * i as u32,
                    format!("{prefix}{}", codes[i % codes.len()]),
                )
            })
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(urls.len());
            let mut failed = 0usize;
            for (due, url) in urls {
                tokio::time::sleep_until(due.into()).await;
                let ok = client
                    .get(&url)
                    .header("user-agent", evolution_sim::PHONE_AGENT)
                    .send()
                    .await
                    .is_ok_and(|r| r.status().is_redirection() || r.status().is_success());
                if !ok {
                    failed += 1;
                }
                latencies.push(due.elapsed());
            }
            (latencies, failed)
        }));
    }
    let mut all = Vec::with_capacity(total);
    let mut failed = 0;
    for task in tasks {
        let (latencies, f) = task.await.expect("task");
        all.extend(latencies);
        failed += f;
    }
    let took = start.elapsed().as_secs_f64();
    all.sort();
    let at =
        |q: f64| all[((all.len() as f64 * q) as usize).min(all.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "p50 {:6.2} ms   p99 {:6.2} ms   max {:7.2} ms   {:7.1} req/s   {} requests, {} failed",
        at(0.5),
        at(0.99),
        at(1.0),
        all.len() as f64 / took,
        all.len(),
        failed
    );
}
