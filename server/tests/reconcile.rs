//! Reconciliation with Evolution, on SQLite and PostgreSQL, against the simulator dropping
//! its webhooks (as when Evolution gave up retrying while Flow was down): receipts of messages
//! stuck in `sent` are recovered with `findStatusMessage` (v2 and v1 shapes), and a disconnect
//! nobody was told about is found by polling `connectionState` and pauses like the webhook.

mod common;

use std::time::Duration;

use common::TestApp;
use common::sim::{Sim, fast, wait_until};
use evolution_sim::SimConfig;
use serde_json::json;

on_both_databases!(
    with [("FLOW_RECONCILE_SECS", "1"), ("FLOW_RECONCILE_STUCK_SECS", "1")];
    what_dropped_webhooks_said_is_recovered_by_asking_evolution,
);

async fn what_dropped_webhooks_said_is_recovered_by_asking_evolution(app: TestApp) {
    let sim = Sim::start(SimConfig {
        v1_instances: vec!["loja-v1".into()],
        error_percent: 0,
        delivered_percent: 100,
        read_percent: 50,
        reply_percent: 0,
        optout_percent: 0,
        duplicate_percent: 0,
        ..fast(11)
    })
    .await;
    let t = app.tenant("Loja").await;
    let v2 = app.sim_instance(&t, &sim, "loja-v2", "v2").await;
    let v1 = app.sim_instance(&t, &sim, "loja-v1", "v1").await;
    for name in ["loja-v2", "loja-v1"] {
        sim.control(name, "drop-webhooks").await;
    }
    let ids = [v2["id"].as_i64().unwrap(), v1["id"].as_i64().unwrap()];
    let contacts = app.contacts(&t, 8).await;
    let campaign = app.start_campaign(&t, &ids, &contacts, 0).await;

    // Every receipt was dropped, yet the campaign's numbers end equal to Evolution's truth.
    wait_until(Duration::from_secs(30), || async {
        let t = sim.truth().await;
        (t.sent + t.not_on_whatsapp == 8).then_some(())
    })
    .await;
    let truth = sim.settle().await;
    assert!(
        truth.webhooks_dropped >= 16,
        "the webhooks were not dropped: {truth:?}"
    );
    let counts = wait_until(Duration::from_secs(30), || async {
        let (_, c) = app
            .get(&t.token, &format!("/api/v1/campaigns/{campaign}"))
            .await;
        let counts = c["counts"].clone();
        (counts["delivered"] == json!(truth.delivered) && counts["read"] == json!(truth.read))
            .then_some(counts)
    })
    .await;
    assert_eq!(counts["sent"], json!(truth.sent), "{counts}");

    // A disconnect whose webhook was dropped is found by polling: the instance goes inactive
    // and the active campaign on it pauses, as the webhook would have done. (The campaign's
    // next send is a minute away, so no refused send can tell the sender first.)
    let third = app.sim_instance(&t, &sim, "loja-3", "v2").await;
    sim.control("loja-3", "drop-webhooks").await;
    let third = third["id"].as_i64().unwrap();
    let more = &contacts[1..3];
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({"name": "Depois", "message": "Oi", "instance_ids": [third], "contact_ids": more,
                   "settings": {"min_delay_ms": 60000, "max_delay_ms": 60000}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let second = body["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{second}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    wait_until(Duration::from_secs(15), || async {
        let (_, c) = app
            .get(&t.token, &format!("/api/v1/campaigns/{second}"))
            .await;
        (c["counts"]["sent"] == 1).then_some(())
    })
    .await;
    let refused_before = sim.truth().await.refused_disconnected;
    sim.control("loja-3", "disconnect").await;
    let paused = wait_until(Duration::from_secs(15), || async {
        let (_, c) = app
            .get(&t.token, &format!("/api/v1/campaigns/{second}"))
            .await;
        (c["status"] == "paused").then_some(c)
    })
    .await;
    assert_eq!(paused["pause_reason"], "instance_disconnected", "{paused}");
    let (_, inst) = app
        .get(&t.token, &format!("/api/v1/instances/{third}"))
        .await;
    assert_eq!(inst["connection_state"], "close", "{inst}");
    assert_eq!(
        sim.truth().await.refused_disconnected,
        refused_before,
        "a refused send told it, not the polling"
    );
}
