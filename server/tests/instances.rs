//! Instances from the dashboard's point of view (issue 9 item 3): the API version detected by
//! asking Evolution, editing, removing (never under an unfinished campaign), pairing by QR code
//! against the simulator, `qrcode.updated` applied and published live, the 30-day stats, and
//! tenants kept apart.

mod common;

use std::time::Duration;

use common::sim::{Sim, fast, wait_until};
use common::sse::next_matching;
use common::{Tenant, TestApp};
use evolution_sim::SimConfig;
use serde_json::{Value, json};

on_both_databases!(
    create_detects_the_api_version_by_asking_evolution,
    edit_changes_the_friendly_name_and_the_key,
    remove_is_refused_while_a_campaign_uses_the_instance,
    connect_shows_the_qr_code_until_the_phone_pairs,
    qrcode_webhook_is_applied_and_published_to_admins,
    stats_cover_thirty_days_with_disconnects,
    other_tenants_cannot_touch_an_instance,
);

/// Creates an instance on `sim` without saying its version; returns status and body.
async fn add(app: &TestApp, t: &Tenant, sim: &Sim, name: &str) -> (u16, Value) {
    app.post(
        &t.token,
        "/api/v1/instances",
        json!({"instance_name": name, "friendly_name": "Loja", "api_url": sim.base, "api_key": sim.api_key}),
    )
    .await
}

/// The instance `id` as the API shows it.
async fn instance(app: &TestApp, t: &Tenant, id: i64) -> Value {
    let (status, body) = app.get(&t.token, &format!("/api/v1/instances/{id}")).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn create_detects_the_api_version_by_asking_evolution(app: TestApp) {
    let t = app.tenant("A").await;
    let v2 = Sim::start(fast(1)).await;
    let v1 = Sim::start(SimConfig {
        version: "1.8.2".into(),
        ..fast(2)
    })
    .await;
    let (status, body) = add(&app, &t, &v2, "loja-v2").await;
    assert_eq!(
        (status, body["api_version"].as_str()),
        (201, Some("v2")),
        "{body}"
    );
    let (status, body) = add(&app, &t, &v1, "loja-v1").await;
    assert_eq!(
        (status, body["api_version"].as_str()),
        (201, Some("v1")),
        "{body}"
    );
    // Flow then reads the state from each, in its own dialect.
    let id = body["id"].as_i64().unwrap();
    wait_until(Duration::from_secs(5), || async {
        (instance(&app, &t, id).await["connection_state"] == "open").then_some(())
    })
    .await;

    // Nothing answers: nothing is created, and the admin is told why.
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/instances",
            json!({"instance_name": "ghost", "api_url": "http://127.0.0.1:9", "api_key": "k"}),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (502, Some("upstream_failed")),
        "{body}"
    );
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

async fn edit_changes_the_friendly_name_and_the_key(app: TestApp) {
    let t = app.tenant("A").await;
    let id = app.instance(&t, "loja").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/instances/{id}");
    let (status, body) = app
        .patch(&t.token, &path, json!({"friendly_name": "  Loja Centro  "}))
        .await;
    assert_eq!(
        (status, body["friendly_name"].as_str()),
        (200, Some("Loja Centro")),
        "{body}"
    );
    let (status, body) = app
        .patch(
            &t.token,
            &path,
            json!({"api_key": "a-brand-new-evolution-key"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["friendly_name"], "Loja Centro",
        "untouched fields stay"
    );
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert!(
        !list.to_string().contains("a-brand-new-evolution-key"),
        "the api key is write-only: {list}"
    );
    for bad in [
        json!({"friendly_name": "  "}),
        json!({"api_key": ""}),
        json!({"friendly_name": "x".repeat(101)}),
    ] {
        let (status, body) = app.patch(&t.token, &path, bad.clone()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (422, Some("validation_failed")),
            "{bad}"
        );
    }
    let (status, _) = app
        .patch(&t.token, &path, json!({"instance_name": "renamed"}))
        .await;
    assert!(
        (400..500).contains(&status),
        "unknown fields are refused: {status}"
    );
    assert_eq!(instance(&app, &t, id).await["instance_name"], "loja");
}

async fn remove_is_refused_while_a_campaign_uses_the_instance(app: TestApp) {
    let t = app.tenant("A").await;
    let inst = app.instance(&t, "loja").await;
    let id = inst["id"].as_i64().unwrap();
    let hook = inst["webhook_url"].as_str().unwrap().to_string();
    let contacts = app.contacts(&t, 2).await;
    let campaign = app.campaign(&t, id, &contacts).await;
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{campaign}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);

    let path = format!("/api/v1/instances/{id}");
    let (status, body) = app.delete(&t.token, &path).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(
        body["message"].as_str().unwrap().contains("Campaign"),
        "{body}"
    );
    assert_eq!(instance(&app, &t, id).await["id"], id, "still there");

    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{campaign}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = app.delete(&t.token, &path).await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = app.get(&t.token, &path).await;
    assert_eq!(status, 404);
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(list, json!([]));
    // Its webhook URL no longer authenticates.
    let (status, _) = app
        .webhook(
            hook.trim_start_matches(&app.base),
            &[],
            &common::evolution::connection("loja", "open"),
        )
        .await;
    assert_eq!(status, 401);
    // The cancelled campaign keeps its numbers.
    let (status, _) = app
        .get(&t.token, &format!("/api/v1/campaigns/{campaign}"))
        .await;
    assert_eq!(status, 200);
}

async fn connect_shows_the_qr_code_until_the_phone_pairs(app: TestApp) {
    let t = app.tenant("A").await;
    let sim = Sim::start(SimConfig {
        closed_instances: vec!["quiosque".into()],
        ..fast(3)
    })
    .await;
    let (status, body) = add(&app, &t, &sim, "quiosque").await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/instances/{id}/webhook"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    wait_until(Duration::from_secs(5), || async {
        (instance(&app, &t, id).await["connection_state"] == "close").then_some(())
    })
    .await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    let mut buf = String::new();

    let connect = format!("/api/v1/instances/{id}/connect");
    let (status, qr) = app.post(&t.token, &connect, json!({})).await;
    assert_eq!(status, 200, "{qr}");
    assert!(
        qr["base64"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR"),
        "{qr}"
    );
    assert_eq!(qr["pairing_code"].as_str().unwrap().len(), 8, "{qr}");
    assert_eq!(qr["connected"], false);
    assert_eq!(
        instance(&app, &t, id).await["connection_state"],
        "connecting"
    );

    // Evolution's qrcode.updated webhooks bring new codes live (a burst ends on the newest).
    let live = next_matching(&mut stream, &mut buf, Duration::from_secs(5), |e, v| {
        e == "qrcode" && v["data"]["instance_id"] == id
    })
    .await
    .expect("the QR on the live stream");
    let seen = live["data"]["code"].clone();
    let fresh = next_matching(&mut stream, &mut buf, Duration::from_secs(5), |e, v| {
        e == "qrcode" && v["data"]["code"] != seen
    })
    .await
    .expect("a refreshed QR");
    assert!(
        fresh["data"]["base64"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png")
    );

    // The phone scans it: connection.update open.
    sim.control("quiosque", "connect").await;
    next_matching(&mut stream, &mut buf, Duration::from_secs(5), |e, v| {
        e == "instance" && v["data"]["id"] == id && v["data"]["connection_state"] == "open"
    })
    .await
    .expect("connected live");
    let view = instance(&app, &t, id).await;
    assert_eq!(
        (view["connection_state"].as_str(), view["active"].as_bool()),
        (Some("open"), Some(true))
    );
    let (status, qr) = app.post(&t.token, &connect, json!({})).await;
    assert_eq!(
        (status, qr["connected"].as_bool()),
        (200, Some(true)),
        "{qr}"
    );
    assert_eq!(qr["base64"], "");
}

async fn qrcode_webhook_is_applied_and_published_to_admins(app: TestApp) {
    let t = app.tenant("A").await;
    let inst = app.instance(&t, "campanha-loja-01").await;
    let id = inst["id"].as_i64().unwrap();
    let hook = inst["webhook_url"]
        .as_str()
        .unwrap()
        .trim_start_matches(&app.base)
        .to_string();
    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    let mut buf = String::new();
    let body: Value =
        serde_json::from_str(include_str!("fixtures/evolution/v2_qrcode_updated.json")).unwrap();
    let (status, answer) = app.webhook(&hook, &[], &body).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("updated")),
        "{answer}"
    );
    let qr = next_matching(&mut stream, &mut buf, Duration::from_secs(3), |e, _| {
        e == "qrcode"
    })
    .await
    .expect("published");
    assert_eq!(qr["data"]["instance_id"], id);
    assert_eq!(qr["data"]["base64"], body["data"]["qrcode"]["base64"]);
    assert_eq!(
        instance(&app, &t, id).await["connection_state"],
        "connecting"
    );

    // Once open, a late QR does not take the state back.
    let (status, _) = app
        .webhook(
            &hook,
            &[],
            &common::evolution::connection("campanha-loja-01", "open"),
        )
        .await;
    assert_eq!(status, 200);
    app.webhook(&hook, &[], &body).await;
    assert_eq!(instance(&app, &t, id).await["connection_state"], "open");

    // The QR limit notice is stored and ignored.
    let limit: Value = serde_json::from_str(include_str!(
        "fixtures/evolution/v2_qrcode_updated_limit.json"
    ))
    .unwrap();
    let (status, answer) = app.webhook(&hook, &[], &limit).await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("ignored")),
        "{answer}"
    );
}

async fn stats_cover_thirty_days_with_disconnects(app: TestApp) {
    let t = app.tenant("A").await;
    let inst = app.instance(&t, "loja").await;
    let id = inst["id"].as_i64().unwrap();
    let hook = inst["webhook_url"]
        .as_str()
        .unwrap()
        .trim_start_matches(&app.base)
        .to_string();
    for state in ["open", "close"] {
        let (status, _) = app
            .webhook(&hook, &[], &common::evolution::connection("loja", state))
            .await;
        assert_eq!(status, 200);
    }
    let (status, days) = app
        .get(&t.token, &format!("/api/v1/instances/{id}/stats"))
        .await;
    assert_eq!(status, 200, "{days}");
    let days = days.as_array().unwrap();
    assert_eq!(days.len(), 30);
    // Days are the tenant's (São Paulo by default), not UTC's: from 21:00 to 24:00 UTC they differ.
    let today = chrono::Utc::now()
        .with_timezone(&app::prefs::DEFAULT_TZ)
        .format("%Y-%m-%d")
        .to_string();
    assert_eq!(days[29]["day"], today.as_str());
    assert_eq!(days[29]["disconnects"], 1);
    assert!(days[0]["day"].as_str().unwrap() < days[29]["day"].as_str().unwrap());
    assert_eq!(
        days[0],
        json!({"day": days[0]["day"], "counts": {"sent": 0, "delivered": 0, "read": 0, "failed": 0}, "disconnects": 0})
    );
}

async fn other_tenants_cannot_touch_an_instance(app: TestApp) {
    let a = app.tenant("A").await;
    let b = app.tenant("B").await;
    let id = app.instance(&a, "loja").await["id"].as_i64().unwrap();
    let path = format!("/api/v1/instances/{id}");
    assert_eq!(app.get(&b.token, &path).await.0, 404);
    assert_eq!(app.get(&b.token, &format!("{path}/stats")).await.0, 404);
    assert_eq!(
        app.patch(&b.token, &path, json!({"friendly_name": "mine"}))
            .await
            .0,
        404
    );
    assert_eq!(
        app.post(&b.token, &format!("{path}/connect"), json!({}))
            .await
            .0,
        404
    );
    assert_eq!(app.delete(&b.token, &path).await.0, 404);
    assert_eq!(instance(&app, &a, id).await["friendly_name"], "loja");
}
