//! Several Flow nodes on one PostgreSQL database, each in its own process (the test's server
//! and `server` binaries), with its own pools, relay and caches: live changes cross nodes and
//! resume on any node, instance changes reach every node's webhook cache at once, and one node
//! leads the periodic work, another taking over when it goes. SQLite is one node by design, so
//! these run on PostgreSQL.

mod common;

use std::time::Duration;

use common::evolution::{connection, receipt_v2, setup};
use common::sim::{NodeProcess, Sim, fast, wait_until};
use common::sse::{next_matching, next_with_id};
use common::{Backend, TestApp, post_webhook};
use sea_orm::ConnectionTrait;

/// The test's server on a fresh PostgreSQL database, and a second node in its own process.
async fn two_nodes() -> (TestApp, NodeProcess) {
    let a = common::spawn(Backend::Postgres).await;
    let b = NodeProcess::start(&a.database_url).await;
    (a, b)
}

/// The live stream of the node at `base`, resumed after `last_event_id` when given.
async fn stream(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    last_event_id: Option<&str>,
) -> reqwest::Response {
    let mut req = client
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(token);
    if let Some(id) = last_event_id {
        req = req.header("last-event-id", id);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.status(), 200);
    res
}

/// The id and data of the next `campaign` event that `want` matches, within 3 s.
async fn next_campaign(
    res: &mut reqwest::Response,
    buf: &mut String,
    want: impl Fn(&serde_json::Value) -> bool,
) -> Option<(u64, serde_json::Value)> {
    let (id, data) = next_with_id(res, buf, Duration::from_secs(3), |e, v| {
        e == "campaign" && want(v)
    })
    .await?;
    Some((id?, data))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_change_on_one_node_reaches_every_node_and_resumes_on_any() {
    let (a, b) = two_nodes().await;
    let s = setup(&a, 3, true).await;
    let token = s.tenant.token.clone();
    let mut on_b = stream(&b.client, &b.base, &token, None).await;
    let mut buf = String::new();
    next_matching(&mut on_b, &mut buf, Duration::from_secs(2), |e, _| {
        e == "ready"
    })
    .await
    .expect("ready");

    // A receipt taken by node A reaches a stream on node B within a second.
    let started = tokio::time::Instant::now();
    let (status, _) = a
        .webhook(
            &s.hook(),
            &[],
            &receipt_v2(&s.name, "MSG-0", "DELIVERY_ACK"),
        )
        .await;
    assert_eq!(status, 200);
    let (first_id, _) = next_campaign(&mut on_b, &mut buf, |v| {
        v["data"]["counts"]["delivered"] == 1
    })
    .await
    .expect("node B sees node A's change");
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "took {:?}",
        started.elapsed()
    );
    drop(on_b);

    // While the client is away, both nodes take receipts; it comes back to node A with the
    // id node B gave it and misses nothing.
    post_webhook(
        &b.client,
        &format!("{}{}", b.base, s.hook()),
        &[],
        &receipt_v2(&s.name, "MSG-1", "DELIVERY_ACK"),
    )
    .await;
    a.webhook(&s.hook(), &[], &receipt_v2(&s.name, "MSG-2", "READ"))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut on_a = stream(&a.client, &a.base, &token, Some(&first_id.to_string())).await;
    let mut buf = String::new();
    let (later_id, latest) = next_campaign(&mut on_a, &mut buf, |v| {
        v["data"]["counts"]["delivered"] == 3 && v["data"]["counts"]["read"] == 1
    })
    .await
    .expect("the resumed stream replays what came meanwhile");
    assert!(later_id > first_id);
    assert_eq!(latest["data"]["id"], s.campaign_id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_instance_stops_authenticating_on_every_node_at_once() {
    let (a, b) = two_nodes().await;
    let s = setup(&a, 1, true).await;
    // Node B has the instance in its cache (a webhook authenticated there).
    let delivered = receipt_v2(&s.name, "MSG-0", "DELIVERY_ACK");
    let hook_on_b = format!("{}{}", b.base, s.hook());
    let (status, _) = post_webhook(&b.client, &hook_on_b, &[], &delivered).await;
    assert_eq!(status, 200);
    // Cancel the campaign (a removed instance must not be in use), then remove it on node A.
    let (status, _) = a
        .post(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/cancel", s.campaign_id),
            serde_json::json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = a
        .delete(
            &s.tenant.token,
            &format!("/api/v1/instances/{}", s.instance_id),
        )
        .await;
    assert_eq!(status, 204);
    // Within a second node B refuses the secret (its cache lived 60 s before).
    let read = receipt_v2(&s.name, "MSG-0", "READ");
    webhook_answers_within_a_second((&b.client, &b.base), &s.secret, &read, 401).await;
}

/// POSTs `body` to the webhook URL of `secret` on the node at `base` until it answers `want`;
/// fails after 1 s.
async fn webhook_answers_within_a_second(
    (client, base): (&reqwest::Client, &str),
    secret: &str,
    body: &serde_json::Value,
    want: u16,
) {
    let url = format!("{base}/api/webhooks/evolution/i/{secret}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    loop {
        let (status, _) = post_webhook(client, &url, &[], body).await;
        if status == want {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{base} still answers {status}, not {want}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_webhook_secret_is_refused_on_every_node_at_once() {
    let (a, b) = two_nodes().await;
    let sim = Sim::start(fast(12)).await;
    let t = a.tenant("Loja").await;
    let inst = a.instance_on(&t, &sim, "loja").await;
    let id = inst["id"].as_i64().unwrap();
    let old = inst["webhook_secret"].as_str().unwrap().to_string();
    let configure = format!("/api/v1/instances/{id}/webhook");
    let (status, _) = a.post(&t.token, &configure, serde_json::json!({})).await;
    assert_eq!(status, 200, "Evolution posts to the old URL");
    let open = connection("loja", "open");
    let (on_a, on_b) = ((&a.client, a.base.as_str()), (&b.client, b.base.as_str()));
    // Node B has the old secret in its cache.
    webhook_answers_within_a_second(on_b, &old, &open, 200).await;

    // While Evolution refuses the change (its api key revoked), nothing changes.
    sim.control("loja", "revoke-key").await;
    let rotate = format!("/api/v1/instances/{id}/webhook/rotate");
    let (status, _) = a.post(&t.token, &rotate, serde_json::json!({})).await;
    assert_eq!(status, 502);
    webhook_answers_within_a_second(on_b, &old, &open, 200).await;
    sim.control("loja", "restore-key").await;

    let (status, view) = a.post(&t.token, &rotate, serde_json::json!({})).await;
    assert_eq!(status, 200, "{view}");
    let new = view["webhook_secret"].as_str().unwrap().to_string();
    assert!(new.starts_with("whsec_") && new != old, "{view}");
    assert!(
        view["webhook_url"].as_str().unwrap().ends_with(&new),
        "{view}"
    );
    // The old secret stops authenticating on both nodes; the new one works on both.
    webhook_answers_within_a_second(on_a, &old, &open, 401).await;
    webhook_answers_within_a_second(on_b, &old, &open, 401).await;
    webhook_answers_within_a_second(on_b, &new, &open, 200).await;

    // Evolution was pointed at the new URL: its next webhook (the number drops) reaches Flow.
    sim.control("loja", "disconnect").await;
    wait_until(Duration::from_secs(5), || async {
        let (_, v) = a.get(&t.token, &format!("/api/v1/instances/{id}")).await;
        (v["connection_state"] == "close").then_some(())
    })
    .await;
}

/// Whether the node at `base` leads the cluster's periodic work (its `/metrics` say so).
async fn leads(node: &NodeProcess) -> bool {
    let metrics = node
        .client
        .get(format!("{}/metrics", node.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    metrics.lines().any(|l| l.trim() == "flow_cluster_leader 1")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_node_leads_the_periodic_work_and_another_takes_over() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    let nodes = [
        NodeProcess::start(&url).await,
        NodeProcess::start(&url).await,
    ];
    let leaders = || async { [leads(&nodes[0]).await, leads(&nodes[1]).await] };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while leaders().await == [false, false] {
        assert!(tokio::time::Instant::now() < deadline, "nobody leads");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Exactly one, for a while.
    for _ in 0..10 {
        let now = leaders().await;
        assert_eq!(now.iter().filter(|l| **l).count(), 1, "{now:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let (gone, stays) = if leads(&nodes[0]).await {
        (&nodes[0], &nodes[1])
    } else {
        (&nodes[1], &nodes[0])
    };

    // The leader's lock connection breaks (as when its process dies): the other node leads
    // within a few seconds, and the old one knows it no longer does.
    let admin = sea_orm::Database::connect(format!("{}/postgres", common::pg_base()))
        .await
        .unwrap();
    let db_name = url.rsplit('/').next().unwrap();
    let killed = admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_stat_activity s \
             ON s.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND s.datname = '{db_name}'"
        ))
        .await
        .unwrap();
    assert_eq!(killed.rows_affected(), 1, "the lead is one advisory lock");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !leads(stays).await || leads(gone).await {
        assert!(
            tokio::time::Instant::now() < deadline,
            "no takeover: {:?}",
            leaders().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
