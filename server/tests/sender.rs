//! The campaign sender against the Evolution simulator, on SQLite and PostgreSQL: campaigns
//! complete with counters equal to the simulator's ground truth, opted-out contacts are never
//! messaged, pause/resume and disconnects stop sending, v1 instances get v1 bodies, and no
//! contact is messaged twice — across a kill -9, and with two server processes on one
//! PostgreSQL database.

mod common;

use std::time::Duration;

use common::evolution::incoming;
use common::sim::{
    Sim, assert_nobody_twice, fast, free_port, prepare_remote, remote_campaign, spawn_process,
    wait_until,
};
use common::{ADMIN_TOKEN, Backend, TestApp};
use evolution_sim::SimConfig;
use flow_server::service::campaigns::recount;
use serde_json::{Value, json};

on_both_databases!(
    campaign_completes_with_the_simulators_truth,
    opted_out_contacts_are_never_messaged,
    pause_and_resume_send_each_contact_once,
    disconnect_pauses_until_a_person_resumes,
    v1_instance_gets_v1_bodies,
    daily_cap_and_send_window_hold_sends,
    failure_spike_pauses_the_campaign,
);

/// A tenant with one instance served by `sim` (`name`, `version`) and a started campaign over
/// `contacts` new contacts, sent `delay_ms` apart; returns the tenant and the campaign id.
async fn launch(
    app: &TestApp,
    sim: &Sim,
    name: &str,
    version: &str,
    contacts: usize,
    delay_ms: i64,
) -> (common::Tenant, i64) {
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, sim, name, version).await;
    let ids = app.contacts(&t, contacts).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let id = app.start_campaign(&t, &[instance_id], &ids, delay_ms).await;
    (t, id)
}

/// The campaign once its delivered and read counters reach the simulator's truth: every
/// acknowledged receipt is applied within seconds (one parked while its message id was being
/// recorded is settled by the background sweep). Panics after 10 s.
async fn settled(
    app: &TestApp,
    t: &common::Tenant,
    id: i64,
    truth: &evolution_sim::Truth,
) -> Value {
    wait_until(Duration::from_secs(10), || async {
        let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
        (c["counts"]["delivered"] == truth.delivered && c["counts"]["read"] == truth.read)
            .then_some(c)
    })
    .await
}

async fn campaign_completes_with_the_simulators_truth(app: TestApp) {
    let sim = Sim::start(fast(7)).await;
    let (t, id) = launch(&app, &sim, "loja-01", "v2", 200, 0).await;
    app.wait_status(&t, id, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    let c = settled(&app, &t, id, &truth).await;
    let counts = &c["counts"];
    assert_eq!(
        truth.not_on_whatsapp, 1,
        "5511980000000 is configured as not on WhatsApp"
    );
    assert_eq!(counts["total"], 200);
    assert_eq!(counts["pending"], 0);
    assert_eq!(counts["sent"], truth.sent);
    assert_eq!(counts["delivered"], truth.delivered);
    assert_eq!(counts["read"], truth.read);
    assert_eq!(counts["failed"], truth.failed + truth.not_on_whatsapp);
    assert_eq!(counts["replied"], truth.replied);
    assert_eq!(counts["opted_out"], truth.opted_out);
    assert!(truth.delivered > 150 && truth.read > 80, "{truth:?}");
    assert_nobody_twice(&truth);
    let stored = recount(&app.state.db.read, id).await.unwrap();
    assert_eq!(*counts, serde_json::to_value(&stored).unwrap());
    // The message was personalised, and the log ends with the completion.
    let (_, logs) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/logs?limit=1"))
        .await;
    assert_eq!(logs[0]["log_type"], "campaign_completed");
    let (_, rows) = app
        .get(
            &t.token,
            &format!("/api/v1/campaigns/{id}/contacts?status=failed"),
        )
        .await;
    assert!(
        rows.as_array()
            .unwrap()
            .iter()
            .any(|r| r["error"] == "not on WhatsApp")
    );
}

async fn opted_out_contacts_are_never_messaged(app: TestApp) {
    let sim = Sim::start(SimConfig {
        optout_percent: 0,
        reply_percent: 0,
        ..fast(8)
    })
    .await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let hook = format!(
        "/api/webhooks/evolution/i/{}",
        inst["webhook_secret"].as_str().unwrap()
    );
    let contacts = app.contacts(&t, 12).await;
    let (_, list) = app.get(&t.token, "/api/v1/contacts?limit=100").await;
    let phone = |i: usize| list[i]["phone"].as_str().unwrap().to_string();
    // Contact 1 opted out before the campaign.
    let (_, r) = app
        .webhook(
            &hook,
            &[],
            &incoming("loja-01", &phone(1), "PRE-1", "PARAR"),
        )
        .await;
    assert_eq!(r["status"], "opted_out");
    let id = app
        .start_campaign(&t, &[inst["id"].as_i64().unwrap()], &contacts, 150)
        .await;
    // Contact 11 opts out while the campaign runs (it is sent last).
    wait_until(Duration::from_secs(10), || async {
        (sim.truth().await.sent >= 1).then_some(())
    })
    .await;
    let (_, r) = app
        .webhook(
            &hook,
            &[],
            &incoming("loja-01", &phone(11), "MID-11", "Não quero!"),
        )
        .await;
    assert_eq!(r["status"], "opted_out");
    app.wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    let truth = sim.settle().await;
    assert!(
        !truth.sends_per_number.contains_key(&phone(1)),
        "pre-opted-out contact was messaged"
    );
    assert!(
        !truth.sends_per_number.contains_key(&phone(11)),
        "contact opted out mid-run was messaged"
    );
    let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(c["counts"]["opted_out"], 2);
    assert_nobody_twice(&truth);
}

async fn pause_and_resume_send_each_contact_once(app: TestApp) {
    let sim = Sim::start(fast(9)).await;
    let (t, id) = launch(&app, &sim, "loja-01", "v2", 30, 100).await;
    wait_until(Duration::from_secs(10), || async {
        (sim.truth().await.sent >= 5).then_some(())
    })
    .await;
    let (status, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/pause"),
            json!({}),
        )
        .await;
    assert_eq!((status, c["status"].as_str()), (200, Some("paused")));
    let at_pause = sim.truth().await.sent;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let later = sim.truth().await.sent;
    assert!(
        later <= at_pause + 1,
        "kept sending after pause: {at_pause} -> {later}"
    );
    let (_, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/resume"),
            json!({}),
        )
        .await;
    assert_eq!(c["status"], "active");
    app.wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    let truth = sim.settle().await;
    assert_eq!(truth.sent + truth.not_on_whatsapp, 30);
    assert_eq!(
        truth.sends_per_number.len() as u64 + truth.not_on_whatsapp,
        30
    );
    assert_nobody_twice(&truth);
}

async fn disconnect_pauses_until_a_person_resumes(app: TestApp) {
    let sim = Sim::start(fast(10)).await;
    let (t, id) = launch(&app, &sim, "loja-01", "v2", 25, 100).await;
    wait_until(Duration::from_secs(10), || async {
        (sim.truth().await.sent >= 3).then_some(())
    })
    .await;
    sim.control("loja-01", "disconnect").await;
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(5))
        .await;
    assert_eq!(c["pause_reason"], "instance_disconnected");
    let at_pause = sim.truth().await;
    sim.control("loja-01", "connect").await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(
        c["status"], "paused",
        "a reconnect must not resume by itself"
    );
    let quiet = sim.truth().await;
    assert!(
        quiet.sent <= at_pause.sent + 1,
        "sent while paused: {} -> {}",
        at_pause.sent,
        quiet.sent
    );
    let (_, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/resume"),
            json!({}),
        )
        .await;
    assert_eq!(c["status"], "active");
    app.wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    let truth = sim.settle().await;
    assert_nobody_twice(&truth);
}

async fn v1_instance_gets_v1_bodies(app: TestApp) {
    let sim = Sim::start(SimConfig {
        v1_instances: vec!["velha".into()],
        ..fast(11)
    })
    .await;
    let (t, id) = launch(&app, &sim, "velha", "v1", 20, 0).await;
    app.wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    let truth = sim.settle().await;
    assert_eq!(truth.bodies.get("v1"), Some(&20));
    assert_eq!(truth.bodies.get("v2"), None);
    // v1 receipts were applied.
    settled(&app, &t, id, &truth).await;
}

async fn daily_cap_and_send_window_hold_sends(app: TestApp) {
    let sim = Sim::start(fast(14)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let iid = inst["id"].as_i64().unwrap();
    let contacts = app.contacts(&t, 12).await;
    // A window that is closed right now (it opens in 12 hours).
    let now = chrono::Utc::now();
    let hhmm = |h: i64| {
        (now + chrono::Duration::hours(h))
            .format("%H:%M")
            .to_string()
    };
    let create = |settings: Value| {
        app.post(
            &t.token,
            "/api/v1/campaigns",
            json!({"name": "C", "message": "Oi", "instance_ids": [iid], "contact_ids": contacts, "settings": settings}),
        )
    };
    let (status, closed) = create(json!({"min_delay_ms": 0, "max_delay_ms": 0,
        "send_window": {"start": hhmm(12), "end": hhmm(13), "utc_offset_minutes": 0}}))
    .await;
    assert_eq!(status, 201, "{closed}");
    assert_eq!(closed["settings"]["send_window"]["start"], hhmm(12));
    let closed_id = closed["id"].as_i64().unwrap();
    app.post(
        &t.token,
        &format!("/api/v1/campaigns/{closed_id}/start"),
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(sim.truth().await.sent, 0, "sent outside the send window");
    app.post(
        &t.token,
        &format!("/api/v1/campaigns/{closed_id}/cancel"),
        json!({}),
    )
    .await;

    // A cap of 5 accepted messages per instance per day: 5 go out (a number without WhatsApp
    // sends nothing and does not count), the rest wait for tomorrow.
    let (_, capped) =
        create(json!({"min_delay_ms": 0, "max_delay_ms": 0, "daily_cap_per_instance": 5})).await;
    let capped_id = capped["id"].as_i64().unwrap();
    app.post(
        &t.token,
        &format!("/api/v1/campaigns/{capped_id}/start"),
        json!({}),
    )
    .await;
    wait_until(Duration::from_secs(10), || async {
        let t = sim.truth().await;
        (t.sent >= 5).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(600)).await;
    let truth = sim.truth().await;
    assert_eq!(truth.sent, 5, "{truth:?}");
    let (_, c) = app
        .get(&t.token, &format!("/api/v1/campaigns/{capped_id}"))
        .await;
    assert_eq!(c["status"], "active");
    assert_eq!(c["counts"]["sent"], 5);
    assert_eq!(
        c["counts"]["pending"],
        12 - 5 - truth.not_on_whatsapp as i64
    );
}

async fn failure_spike_pauses_the_campaign(app: TestApp) {
    // Every number is "not on WhatsApp": the failure rate reaches 100%.
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: String::new(),
        ..fast(15)
    })
    .await;
    let (t, id) = launch(&app, &sim, "loja-01", "v2", 25, 0).await;
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(20))
        .await;
    assert_eq!(c["pause_reason"], "high_failure_rate");
    assert!(c["counts"]["pending"].as_i64().unwrap() > 0, "{c}");
    let (_, logs) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/logs?limit=1"))
        .await;
    assert_eq!(logs[0]["log_type"], "high_failure_rate");
    assert_eq!(logs[0]["severity"], "critical");
}

async fn crash_mid_campaign_sends_nobody_twice(backend: Backend) {
    let sim = Sim::start(fast(12)).await;
    let url = common::fresh_database_url(backend).await;
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let env = [
        ("FLOW_ADMIN_TOKEN", ADMIN_TOKEN),
        ("FLOW_SENDING_GRACE_SECS", "3"),
    ];
    let mut child = spawn_process(&url, port, &env).await;
    let (token, id) = prepare_remote(&base, &sim, 60, 30).await;
    wait_until(Duration::from_secs(20), || async {
        (sim.truth().await.sent >= 15).then_some(())
    })
    .await;
    child.kill().await.expect("kill -9");
    let _child = spawn_process(&url, port, &env).await;
    let c = wait_until(Duration::from_secs(60), || async {
        let c = remote_campaign(&base, &token, id).await;
        (c["status"] == "completed").then_some(c)
    })
    .await;
    let truth = sim.settle().await;
    assert_nobody_twice(&truth);
    assert_eq!(c["counts"]["pending"], 0);
    // A send cut by the kill is linked by Evolution's send.message retry, or — when that did
    // not arrive within the grace — marked failed for review; never sent again.
    let rows: Value = reqwest::Client::new()
        .get(format!(
            "{base}/api/v1/campaigns/{id}/contacts?status=failed&limit=100"
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let review = rows
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["error"]
                .as_str()
                .is_some_and(|e| e.contains("outcome unknown"))
        })
        .count() as u64;
    let sent = c["counts"]["sent"].as_u64().unwrap();
    assert_eq!(sent + review, 60, "{c}");
    assert!(
        sent <= truth.sent && truth.sent <= sent + review,
        "{c} {truth:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_crash_mid_campaign_sends_nobody_twice() {
    crash_mid_campaign_sends_nobody_twice(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_crash_mid_campaign_sends_nobody_twice() {
    crash_mid_campaign_sends_nobody_twice(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_never_send_a_contact_twice() {
    let sim = Sim::start(SimConfig {
        error_percent: 0,
        ..fast(13)
    })
    .await;
    let url = common::fresh_database_url(Backend::Postgres).await;
    let (p1, p2) = (free_port(), free_port());
    let env = [("FLOW_ADMIN_TOKEN", ADMIN_TOKEN)];
    let _a = spawn_process(&url, p1, &env).await;
    let _b = spawn_process(&url, p2, &env).await;
    let base = format!("http://127.0.0.1:{p1}");
    let (token, id) = prepare_remote(&base, &sim, 150, 0).await;
    let c = wait_until(Duration::from_secs(60), || async {
        let c = remote_campaign(&base, &token, id).await;
        (c["status"] == "completed").then_some(c)
    })
    .await;
    let truth = sim.settle().await;
    assert_nobody_twice(&truth);
    assert_eq!(truth.sent, 150);
    assert_eq!(c["counts"]["sent"], 150);
}
