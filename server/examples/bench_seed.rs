//! Benchmark fixture: a tenant, an instance and one campaign of N contacts whose messages are
//! all sent (message ids `B-<campaign_contact id>`), with a log line for every tenth recipient,
//! on the database at the given URL. Prints the tenant (id, API token), the webhook path and the
//! recipients' id range as JSON. Used by `bench/webhooks.sh` and `bench/recipients.sh`.
//!
//! `cargo run --release --example bench_seed -- <database-url> [contacts]`

use app::types::{NewCampaign, NewContact, NewInstance};
use flow_server::db::Db;
use flow_server::evolution::client::EvolutionClient;
use flow_server::service::{campaigns, contacts, instances, tenants};
use flow_server::sql::stmt;
use sea_orm::{ConnectionTrait, Statement};

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .expect("usage: bench_seed <database-url> [contacts]");
    let n: usize = args
        .next()
        .map_or(100_000, |a| a.parse().expect("contacts"));
    let db = Db::open(&url).await.expect("open database");
    // Each step's time goes to stderr: where a slow seed spends it.
    let mut clock = std::time::Instant::now();
    let mut step = |name: &str| {
        eprintln!("    seed: {name} {:.1} s", clock.elapsed().as_secs_f64());
        clock = std::time::Instant::now();
    };
    let tenant = tenants::create(&db, "Bench").await.expect("tenant");
    let inst = instances::create(
        &db,
        &EvolutionClient::new(flow_server::evolution::address::AddressPolicy::AllowPrivate),
        "http://127.0.0.1:3000",
        tenant.id,
        NewInstance {
            instance_name: "bench-01".into(),
            friendly_name: None,
            api_url: "http://127.0.0.1:9".into(),
            api_key: "bench-key".into(),
            // Nothing answers at its URL to tell the version.
            api_version: Some("v2".into()),
            warmup: false,
        },
    )
    .await
    .expect("instance");
    // In imports of the most one call takes.
    for start in (0..n).step_by(200_000) {
        let rows: Vec<NewContact> = (start..n.min(start + 200_000))
            .map(|i| NewContact {
                name: format!("Contact {i}"),
                phone: format!("55{:011}", 11_900_000_000u64 + i as u64),
            })
            .collect();
        contacts::import(&db, tenant.id, rows)
            .await
            .expect("contacts");
    }
    step("contacts imported");
    let campaign = campaigns::create(
        &db,
        tenant.id,
        NewCampaign {
            name: "Bench".into(),
            message: "Olá {{name}}".into(),
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
    .expect("campaign");
    step("campaign created");
    // What the sender would have done, in one statement.
    let backend = db.backend();
    db.write
        .execute_raw(stmt(
            backend,
            "UPDATE campaign_contact SET whatsapp_message_id = 'B-' || CAST(id AS TEXT), \
             status = 'sent', sent_at = updated_at, instance_id = ? WHERE campaign_id = ?",
            vec![inst.id.into(), campaign.id.into()],
        ))
        .await
        .expect("mark sent");
    db.write
        .execute_raw(stmt(
            backend,
            "UPDATE campaign SET status = 'active', sent = total, pending = 0 WHERE id = ?",
            vec![campaign.id.into()],
        ))
        .await
        .expect("counters");
    step("messages marked sent");
    db.write
        .execute_raw(stmt(
            backend,
            "INSERT INTO campaign_log (tenant_id, campaign_id, log_type, severity, message, created_at) \
             SELECT ?, campaign_id, 'message_sent', 'info', 'Mensagem enviada', updated_at \
             FROM campaign_contact WHERE campaign_id = ? AND id % 10 = 0",
            vec![tenant.id.into(), campaign.id.into()],
        ))
        .await
        .expect("log lines");
    step("log lines written");
    // What autovacuum would do after such a bulk write (it is off on the bench machine's
    // PostgreSQL); SQLite's planner also reads these statistics.
    db.write
        .execute_unprepared("ANALYZE")
        .await
        .expect("analyze");
    step("statistics analyzed");
    let range = db
        .read
        .query_one_raw(Statement::from_string(
            backend,
            format!(
                "SELECT MIN(id) AS lo, MAX(id) AS hi FROM campaign_contact WHERE campaign_id = {}",
                campaign.id
            ),
        ))
        .await
        .expect("range")
        .expect("row");
    let lo: i64 = range.try_get("", "lo").expect("lo");
    let hi: i64 = range.try_get("", "hi").expect("hi");
    println!(
        "{}",
        serde_json::json!({
            "tenant_id": tenant.id,
            "token": tenant.api_token,
            "path": format!("/api/webhooks/evolution/i/{}", inst.webhook_secret),
            "instance": "bench-01",
            "campaign_id": campaign.id,
            "first_id": lo,
            "last_id": hi,
        })
    );
}
