//! Safe sending (issue 11), on SQLite and PostgreSQL: message variants with spintax (an even
//! split, the same text for a recipient every time, a preview with a similarity warning, clear
//! errors), A/B counters equal to the rows, quiet hours in the tenant's timezone, typing time,
//! warm-up caps, ban and risk signals that pause (and a v1 transient close that does not);
//! pacing and warm-up caps across two server processes on one PostgreSQL database.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::sim::{Sim, fast, free_port, spawn_process, wait_until};
use common::{ADMIN_TOKEN, Backend, Tenant, TestApp};
use evolution_sim::SimConfig;
use flow_server::domain::spintax::Spintax;
use flow_server::domain::{template, typing};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Statement};
use serde_json::{Value, json};

on_both_databases!(
    variants_split_evenly_and_each_recipient_gets_its_own_spin,
    unbalanced_braces_are_a_clear_422,
    preview_renders_and_warns_when_too_similar,
    ab_counts_equal_the_rows,
    closed_window_waits_and_says_when_it_opens,
    warmup_caps_the_day_and_shows_it,
    ban_and_logout_pause_with_their_reason,
    restriction_codes_are_distinct,
    optout_wave_pauses_for_risk,
    a_risky_instance_drops_out_and_the_others_continue,
    rotation_spreads_by_remaining_capacity,
);

/// The demo (what `run.sh` shows) on both databases: its campaign over two numbers shows the
/// rotation with the warming-up number's cap, its list was filled from a search, and a customer's
/// correction and data export are in its consent history.
#[tokio::test]
async fn the_demo_shows_the_rotation_and_a_list_sqlite() {
    the_demo_shows_the_rotation_and_a_list(Backend::Sqlite).await;
}

#[tokio::test]
async fn the_demo_shows_the_rotation_and_a_list_postgres() {
    the_demo_shows_the_rotation_and_a_list(Backend::Postgres).await;
}

async fn the_demo_shows_the_rotation_and_a_list(backend: Backend) {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        ..fast(33)
    })
    .await;
    let app = common::spawn_with(
        backend,
        &[
            ("FLOW_DEMO_EVOLUTION_URL", sim.base.as_str()),
            ("FLOW_DEMO_EVOLUTION_KEY", sim.api_key.as_str()),
            ("FLOW_SENDER", "off"),
        ],
    )
    .await;
    let token = flow_server::service::tokens::create(&app.state.db, 1, "demo test")
        .await
        .expect("token")
        .token;
    let (_, campaigns) = app.get(&token, "/api/v1/campaigns").await;
    let running = campaigns
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Black Friday 2026")
        .expect("the running demo campaign")
        .clone();
    let rotation = running["rotation"].as_array().expect("rotation").clone();
    assert_eq!(rotation.len(), 2, "{running}");
    assert_eq!(rotation[0]["name"], "Loja Centro");
    assert_eq!(rotation[0]["remaining_today"], 20, "warm-up day 0");
    assert_eq!(rotation[1]["remaining_today"], Value::Null);
    assert!(
        rotation[0]["share_percent"].as_f64().unwrap()
            < rotation[1]["share_percent"].as_f64().unwrap()
    );
    let (_, lists) = app.get(&token, "/api/v1/lists").await;
    assert_eq!(lists[0]["name"], "Família Silva");
    assert_eq!(lists[0]["contacts"], 21, "{lists}");
    // A customer's requests answered (LGPD art. 18): the bakery's correction and export.
    let (_, found) = app.get(&token, "/api/v1/contacts?q=Padaria").await;
    assert_eq!(found[0]["name"], "Padaria Central Ltda", "{found}");
    let (_, bakery) = app
        .get(&token, &format!("/api/v1/contacts/{}", found[0]["id"]))
        .await;
    let actions: Vec<&str> = bakery["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["exported", "corrected", "corrected"], "{bakery}");
    assert_eq!(bakery["attributes"]["bairro"], "Bela Vista");
}

on_both_databases!(
    with [("FLOW_V1_CLOSE_GRACE_SECS", "1")];
    v1_transient_close_does_not_pause_but_a_lasting_one_does,
);

/// `(campaign_contact id, variant, phone, name)` of every row of the campaign.
async fn rows(app: &TestApp, campaign_id: i64) -> Vec<(i64, i32, String, String)> {
    let db = &app.state.db.read;
    let result = db
        .query_all_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            match app.backend {
                common::Backend::Sqlite => {
                    "SELECT cc.id, cc.variant, ct.phone, ct.name FROM campaign_contact cc \
                     JOIN contact ct ON ct.id = cc.contact_id WHERE cc.campaign_id = ? ORDER BY cc.id"
                }
                common::Backend::Postgres => {
                    "SELECT cc.id, cc.variant, ct.phone, ct.name FROM campaign_contact cc \
                     JOIN contact ct ON ct.id = cc.contact_id WHERE cc.campaign_id = $1 ORDER BY cc.id"
                }
            },
            [campaign_id.into()],
        ))
        .await
        .unwrap();
    result
        .iter()
        .map(|r| {
            (
                r.try_get::<i64>("", "id").unwrap(),
                r.try_get::<i32>("", "variant").unwrap(),
                r.try_get::<String>("", "phone").unwrap(),
                r.try_get::<String>("", "name").unwrap(),
            )
        })
        .collect()
}

const VARIANTS: [&str; 3] = [
    "{Olá|Oi|E aí} {{first_name}}, {temos novidades|chegou coleção nova}!",
    "{Bom dia|Boa tarde}, {{name}}: \\{promo\\} de {verão|{primavera|outono}}.",
    "{{first_name}}, responda {SIM|QUERO} para ver as ofertas.",
];

/// A started campaign with the three [`VARIANTS`] over `n` new contacts through an instance
/// of `sim`.
async fn variant_campaign(app: &TestApp, sim: &Sim, n: usize) -> (Tenant, i64) {
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, sim, "loja-01", "v2").await;
    let ids = app.contacts(&t, n).await;
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({
                "name": "A/B", "message": VARIANTS[0], "variants": VARIANTS[1..],
                "instance_ids": [inst["id"]], "contact_ids": ids,
                "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    assert_eq!(body["variants"].as_array().unwrap().len(), 3);
    assert_eq!(body["variants"][1]["text"], VARIANTS[1]);
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    (t, id)
}

async fn variants_split_evenly_and_each_recipient_gets_its_own_spin(app: TestApp) {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        ..fast(11)
    })
    .await;
    let (t, id) = variant_campaign(&app, &sim, 40).await;
    app.wait_status(&t, id, "completed", Duration::from_secs(60))
        .await;
    let rows = rows(&app, id).await;
    let mut per_variant: BTreeMap<i32, usize> = BTreeMap::new();
    for (_, v, _, _) in &rows {
        *per_variant.entry(*v).or_default() += 1;
    }
    assert_eq!(per_variant.keys().copied().collect::<Vec<_>>(), [0, 1, 2]);
    let (lo, hi) = (
        per_variant.values().min().unwrap(),
        per_variant.values().max().unwrap(),
    );
    assert!(hi - lo <= 1, "uneven split {per_variant:?}");
    // Each recipient got exactly the spin seeded by its row: a resend (after a crash) of that
    // row renders the same text.
    let truth = sim.truth().await;
    let sent: BTreeMap<&str, &str> = truth
        .messages
        .iter()
        .map(|m| (m.number.as_str(), m.text.as_str()))
        .collect();
    assert_eq!(sent.len(), 40);
    let mut distinct = std::collections::BTreeSet::new();
    for (row, variant, phone, name) in &rows {
        let spin = Spintax::parse(VARIANTS[*variant as usize])
            .unwrap()
            .spin(*row as u64);
        let expected = template::render(&spin, name, phone);
        assert_eq!(sent[phone.as_str()], expected, "row {row}");
        let m = truth.messages.iter().find(|m| m.number == *phone).unwrap();
        assert_eq!(
            m.delay_ms,
            typing::delay_ms(&expected),
            "typing time of {expected:?}"
        );
        assert!(!expected.contains('{') || *variant == 1, "{expected}");
        distinct.insert(expected);
    }
    assert!(distinct.len() >= 15, "spins vary: {distinct:?}");
    assert!(distinct.iter().any(|t| t.contains("{promo}")));
}

async fn unbalanced_braces_are_a_clear_422(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let ids = app.contacts(&t, 2).await;
    let create = |message: &str, variants: Value| {
        json!({"name": "X", "message": message, "variants": variants,
               "instance_ids": [inst["id"]], "contact_ids": ids})
    };
    let (status, body) = app
        .post(&t.token, "/api/v1/campaigns", create("{Olá|Oi", json!([])))
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("message: the `{` at character 1 is never closed"),
        "{body}"
    );
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            create("Oi", json!(["ok", "a}b"])),
        )
        .await;
    assert_eq!(status, 422);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("variants[1]: the `}` at character 2 closes nothing"),
        "{body}"
    );
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            create("a", json!(["b", "c", "d", "e", "f"])),
        )
        .await;
    assert_eq!(status, 422);
    assert!(body["message"].as_str().unwrap().contains("at most 5"));
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns/preview",
            json!({"message": "{a|b"}),
        )
        .await;
    assert_eq!(status, 422, "{body}");
}

async fn preview_renders_and_warns_when_too_similar(app: TestApp) {
    let t = app.tenant("Loja").await;
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns/preview",
            json!({"message": VARIANTS[0], "variants": [VARIANTS[2]]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let renderings = body["renderings"].as_array().unwrap();
    assert_eq!(
        renderings.len(),
        5,
        "3 spins of the first, 2 of the last: {body}"
    );
    assert!(
        renderings
            .iter()
            .all(|r| !r["text"].as_str().unwrap().contains("{{"))
    );
    assert!(renderings[0]["text"].as_str().unwrap().contains("Maria"));
    assert_eq!(renderings[4]["variant"], 1);
    assert_eq!(body["too_similar"], false);
    let (_, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns/preview",
            json!({"message": "Olá {{name}}, a loja tem novidades para você hoje",
                   "variants": ["Olá {{name}}, a loja tem novidades para você hoje!"]}),
        )
        .await;
    assert_eq!(body["too_similar"], true, "{body}");
}

async fn ab_counts_equal_the_rows(app: TestApp) {
    let sim = Sim::start(SimConfig {
        reply_percent: 30,
        ..fast(12)
    })
    .await;
    let (t, id) = variant_campaign(&app, &sim, 60).await;
    app.wait_status(&t, id, "completed", Duration::from_secs(60))
        .await;
    sim.settle().await;
    // Receipts are applied within moments of delivery.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    let rows = rows(&app, id).await;
    let (_, list) = app
        .get(
            &t.token,
            &format!("/api/v1/campaigns/{id}/contacts?limit=1000"),
        )
        .await;
    let list = list.as_array().unwrap();
    let variants = c["variants"].as_array().unwrap();
    let mut total_sent = 0;
    for v in variants {
        let index = v["index"].as_i64().unwrap() as i32;
        let mine: Vec<&Value> = rows
            .iter()
            .zip(list)
            .filter(|((_, variant, _, _), _)| *variant == index)
            .map(|(_, r)| r)
            .collect();
        let count = |f: &dyn Fn(&Value) -> bool| mine.iter().filter(|r| f(r)).count() as i64;
        let sent = count(&|r| !r["whatsapp_message_id"].is_null());
        let delivered = count(&|r| r["status"] == "delivered" || r["status"] == "read");
        let read = count(&|r| r["status"] == "read");
        let replied = count(&|r| !r["replied_at"].is_null());
        assert_eq!(v["counts"]["sent"], sent, "{v}");
        assert_eq!(v["counts"]["delivered"], delivered, "{v}");
        assert_eq!(v["counts"]["read"], read, "{v}");
        assert_eq!(v["counts"]["replied"], replied, "{v}");
        if sent > 0 {
            let rate = (10_000.0 * read as f64 / sent as f64).round() / 100.0;
            assert_eq!(v["rates"]["read"].as_f64().unwrap(), rate);
        }
        total_sent += sent;
    }
    assert_eq!(c["counts"]["sent"], total_sent);
    // 60 recipients over three variants: fewer than 30 sent each.
    assert_eq!(c["ab_test"]["verdict"], "not_enough_data", "{c}");
}

async fn closed_window_waits_and_says_when_it_opens(app: TestApp) {
    let sim = Sim::start(fast(20)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let ids = app.contacts(&t, 3).await;
    // The tenant's timezone (São Paulo by default): a window that opens in two hours.
    let local = chrono::Utc::now().with_timezone(&chrono_tz::America::Sao_Paulo);
    let hhmm = |h: i64| {
        (local + chrono::Duration::hours(h))
            .format("%H:%M")
            .to_string()
    };
    let body = |settings: Value| {
        json!({"name": "W", "message": "Oi", "instance_ids": [inst["id"]], "contact_ids": ids,
               "settings": settings})
    };
    let (status, err) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            body(json!({"min_delay_ms": 0, "max_delay_ms": 0, "send_days": ["domingo"]})),
        )
        .await;
    assert_eq!(status, 422, "{err}");
    assert!(err["message"].as_str().unwrap().contains("mon, tue"));
    let (status, c) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            body(json!({"min_delay_ms": 0, "max_delay_ms": 0,
                        "send_window": {"start": hhmm(2), "end": hhmm(3)},
                        "send_days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]})),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    assert!(
        c["settings"]["send_window"]
            .get("utc_offset_minutes")
            .is_none()
    );
    assert_eq!(c["settings"]["send_days"].as_array().unwrap().len(), 7);
    let id = c["id"].as_i64().unwrap();
    let (_, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(c["waiting_for_window"]["local_time"], hhmm(2), "{c}");
    let opens: chrono::DateTime<chrono::Utc> = c["waiting_for_window"]["at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let wait = opens - chrono::Utc::now();
    assert!(wait > chrono::Duration::minutes(118) && wait <= chrono::Duration::minutes(120));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sim.truth().await.sent, 0, "sent outside the window");
}

/// Sets instance `id` to warm up (`PATCH`), checking the answer.
async fn warm_up(app: &TestApp, t: &Tenant, id: &Value) {
    let (status, v) = app
        .patch(
            &t.token,
            &format!("/api/v1/instances/{id}"),
            json!({"warmup": true}),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["warmup"]["enabled"], true);
}

async fn warmup_caps_the_day_and_shows_it(app: TestApp) {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        ..fast(21)
    })
    .await;
    let t = app.tenant("Loja").await;
    // Created without `warmup`: not warming up (existing scripts keep their behaviour).
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    assert_eq!(
        inst["warmup"],
        json!({"enabled": false, "day": 0, "cap_today": null, "sent_today": 0})
    );
    warm_up(&app, &t, &inst["id"]).await;
    let ids = app.contacts(&t, 30).await;
    let first = app
        .start_campaign(&t, &[inst["id"].as_i64().unwrap()], &ids[..15], 0)
        .await;
    let second = app
        .start_campaign(&t, &[inst["id"].as_i64().unwrap()], &ids[15..], 0)
        .await;
    // Day 0 of the default plan: 20 a day over both campaigns.
    wait_until(Duration::from_secs(20), || async {
        (sim.truth().await.sent >= 20).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(sim.truth().await.sent, 20);
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(
        list[0]["warmup"],
        json!({"enabled": true, "day": 0, "cap_today": 20, "sent_today": 20})
    );
    let (_, a) = app
        .get(&t.token, &format!("/api/v1/campaigns/{first}"))
        .await;
    let (_, b) = app
        .get(&t.token, &format!("/api/v1/campaigns/{second}"))
        .await;
    assert_eq!(
        a["counts"]["sent"].as_i64().unwrap() + b["counts"]["sent"].as_i64().unwrap(),
        20
    );
    assert_eq!(b["status"], "active");
    // The campaign's own cap counts when lower: min(step, campaign cap).
    let t2 = app.tenant("Outra").await;
    let sim2 = Sim::start(fast(22)).await;
    let inst2 = app.sim_instance(&t2, &sim2, "outra-01", "v2").await;
    warm_up(&app, &t2, &inst2["id"]).await;
    let ids2 = app.contacts(&t2, 12).await;
    let (status, c) = app
        .post(
            &t2.token,
            "/api/v1/campaigns",
            json!({"name": "Cap", "message": "Oi", "instance_ids": [inst2["id"]], "contact_ids": ids2,
                   "settings": {"min_delay_ms": 0, "max_delay_ms": 0, "daily_cap_per_instance": 4}}),
        )
        .await;
    assert_eq!(status, 201);
    let id = c["id"].as_i64().unwrap();
    app.post(
        &t2.token,
        &format!("/api/v1/campaigns/{id}/start"),
        json!({}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sim2.truth().await.sent, 4);
    // A tenant can edit its plan.
    let (_, mut settings) = app.get(&t2.token, "/api/v1/settings").await;
    assert_eq!(settings["warmup_plan"][4], json!({"day": 31, "cap": 400}));
    settings["warmup_plan"] = json!([{"day": 0, "cap": 10}, {"day": 0, "cap": 5}]);
    let (status, _) = app
        .put(&t2.token, "/api/v1/settings", settings.clone())
        .await;
    assert_eq!(status, 422);
    settings["warmup_plan"] = json!([{"day": 0, "cap": 10}, {"day": 7, "cap": 30}]);
    let (status, saved) = app.put(&t2.token, "/api/v1/settings", settings).await;
    assert_eq!(status, 200, "{saved}");
    let (_, list) = app.get(&t2.token, "/api/v1/instances").await;
    assert_eq!(list[0]["warmup"]["cap_today"], 10);
}

/// A tenant with a started campaign over `n` contacts through instance `name` of `sim`
/// (`version`), paced `delay_ms`; returns the tenant, the instance and the campaign id.
async fn running(
    app: &TestApp,
    sim: &Sim,
    name: &str,
    version: &str,
    n: usize,
    delay_ms: i64,
) -> (Tenant, Value, i64) {
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, sim, name, version).await;
    let ids = app.contacts(&t, n).await;
    let id = app
        .start_campaign(&t, &[inst["id"].as_i64().unwrap()], &ids, delay_ms)
        .await;
    (t, inst, id)
}

async fn instance_state(app: &TestApp, t: &Tenant) -> Value {
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    list[0].clone()
}

async fn ban_and_logout_pause_with_their_reason(app: TestApp) {
    let sim = Sim::start(fast(23)).await;
    let (t, _, id) = running(&app, &sim, "loja-01", "v2", 20, 50).await;
    sim.control("loja-01", "ban-after-3").await;
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(10))
        .await;
    assert_eq!(c["pause_reason"], "instance_banned");
    let inst = instance_state(&app, &t).await;
    assert_eq!(inst["connection_state"], "banned");
    assert_eq!(inst["active"], false);
    assert_eq!(sim.truth().await.sent, 3);
    let (_, logs) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/logs?limit=1"))
        .await;
    assert_eq!(logs[0]["log_type"], "instance_banned");
    assert_eq!(logs[0]["details"]["status_reason"], 403);

    let sim = Sim::start(fast(24)).await;
    let (t, _, id) = running(&app, &sim, "loja-02", "v2", 20, 50).await;
    wait_until(Duration::from_secs(10), || async {
        (sim.truth().await.sent >= 2).then_some(())
    })
    .await;
    sim.control("loja-02", "logout").await;
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(10))
        .await;
    assert_eq!(c["pause_reason"], "instance_logged_out");
    assert_eq!(
        instance_state(&app, &t).await["connection_state"],
        "logged_out"
    );
}

async fn restriction_codes_are_distinct(app: TestApp) {
    let t = app.tenant("Loja").await;
    for (name, code, state) in [("r-402", 402, "restricted"), ("r-406", 406, "locked")] {
        let inst = app.instance(&t, name).await;
        let hook = format!(
            "/api/webhooks/evolution/i/{}",
            inst["webhook_secret"].as_str().unwrap()
        );
        let update = |state: &str, reason: i64| {
            json!({"event": "connection.update", "instance": name,
                   "data": {"instance": name, "state": state, "statusReason": reason}})
        };
        let (status, _) = app.webhook(&hook, &[], &update("open", 200)).await;
        assert_eq!(status, 200);
        let (_, r) = app.webhook(&hook, &[], &update("close", code)).await;
        assert_eq!(r["status"], "disconnected", "{r}");
        let (_, list) = app.get(&t.token, "/api/v1/instances").await;
        let mine = list
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["instance_name"] == name)
            .unwrap();
        assert_eq!(mine["connection_state"], state);
        // The same close again is a repeat.
        let (_, r) = app.webhook(&hook, &[], &update("close", code)).await;
        assert_eq!(r["status"], "duplicate");
    }
}

async fn v1_transient_close_does_not_pause_but_a_lasting_one_does(app: TestApp) {
    let sim = Sim::start(SimConfig {
        v1_instances: vec!["loja-v1".into()],
        not_on_whatsapp_suffix: "none".into(),
        ..fast(25)
    })
    .await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-v1", "v1").await;
    let iid = inst["id"].as_i64().unwrap();
    let mut ids = app.contacts(&t, 35).await;
    ids.sort_unstable();
    let id = app.start_campaign(&t, &[iid], &ids[..30], 60).await;
    wait_until(Duration::from_secs(10), || async {
        (sim.truth().await.sent >= 3).then_some(())
    })
    .await;
    // close, then open 40 ms later: within the 1 s grace.
    sim.control("loja-v1", "blip").await;
    let c = app
        .wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    assert_eq!(c["counts"]["sent"], 30);
    assert!(c["pause_reason"].is_null(), "{c}");

    // A close that is not followed by open pauses once the grace is over.
    let id = app.start_campaign(&t, &[iid], &ids[30..], 200).await;
    sim.control("loja-v1", "disconnect").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(c["status"], "active", "within the grace: {c}");
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(5))
        .await;
    assert_eq!(c["pause_reason"], "instance_disconnected");
}

async fn optout_wave_pauses_for_risk(app: TestApp) {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        optout_percent: 0,
        error_percent: 0,
        ..fast(26)
    })
    .await;
    let (t, _, id) = running(&app, &sim, "loja-01", "v2", 60, 30).await;
    sim.control("loja-01", "optout-wave").await;
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(30))
        .await;
    assert_eq!(c["pause_reason"], "optout_spike", "{c}");
    assert!(c["counts"]["pending"].as_i64().unwrap() > 0);
    let inst = instance_state(&app, &t).await;
    assert_eq!(inst["risk"]["level"], "high", "{inst}");
    assert_eq!(inst["risk"]["signals"][0]["signal"], "opt_outs");
    assert_eq!(inst["risk"]["signals"][0]["limit_percent"], 3);
}

async fn a_risky_instance_drops_out_and_the_others_continue(app: TestApp) {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        optout_percent: 0,
        error_percent: 0,
        ..fast(29)
    })
    .await;
    let t = app.tenant("Loja").await;
    let a = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let b = app.sim_instance(&t, &sim, "loja-02", "v2").await;
    let ids = app.contacts(&t, 60).await;
    sim.control("loja-01", "optout-wave").await;
    let id = app
        .start_campaign(
            &t,
            &[a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap()],
            &ids,
            40,
        )
        .await;
    let c = app
        .wait_status(&t, id, "completed", Duration::from_secs(60))
        .await;
    assert_eq!(c["counts"]["pending"], 0);
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(list[0]["risk"]["level"], "high", "{}", list[0]);
    assert_eq!(list[0]["active"], false);
    assert_eq!(list[1]["active"], true);
    assert_eq!(list[1]["risk"]["level"], "ok");
    let truth = sim.truth().await;
    let by_a = truth
        .messages
        .iter()
        .filter(|m| m.instance == "loja-01")
        .count();
    assert!(by_a < 20, "loja-01 kept sending: {by_a}");
}

/// A campaign over two numbers, one warming up with 2 sends left today and one uncapped: the
/// API shows the split (≈ 2/62 against 60/62), the weak number waits far longer between its
/// two sends than the campaign's pause (round-robin or first-free would send both within a
/// second), the strong one carries the campaign, and the day's cap still holds.
async fn rotation_spreads_by_remaining_capacity(app: TestApp) {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        optout_percent: 0,
        error_percent: 0,
        ..fast(31)
    })
    .await;
    let t = app.tenant("Loja").await;
    let a = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let b = app.sim_instance(&t, &sim, "loja-02", "v2").await;
    warm_up(&app, &t, &a["id"]).await;
    // loja-01 already sent 18 of its 20 today (day 0 of the default plan).
    let today = flow_server::service::instances::today(chrono_tz::America::Sao_Paulo);
    flow_server::entities::instance_daily_stats::ActiveModel {
        instance_id: sea_orm::Set(a["id"].as_i64().unwrap()),
        day: sea_orm::Set(today),
        sent: sea_orm::Set(18),
        delivered: sea_orm::Set(0),
        read: sea_orm::Set(0),
        failed: sea_orm::Set(0),
        disconnects: sea_orm::Set(0),
        ..Default::default()
    }
    .insert(&app.state.db.write)
    .await
    .unwrap();
    let ids = app.contacts(&t, 60).await;
    let (status, c) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({"name": "Rodízio", "message": "Oi {{first_name}}",
                   "instance_ids": [a["id"], b["id"]], "contact_ids": ids,
                   "settings": {"min_delay_ms": 150, "max_delay_ms": 150}}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let rotation = &c["rotation"];
    assert_eq!(rotation[0]["remaining_today"], 2, "{rotation}");
    assert_eq!(rotation[1]["remaining_today"], Value::Null, "{rotation}");
    let (weak, strong) = (
        rotation[0]["share_percent"].as_f64().unwrap(),
        rotation[1]["share_percent"].as_f64().unwrap(),
    );
    assert!((weak - 200.0 / 62.0).abs() < 0.01, "{rotation}");
    assert!((strong - 6000.0 / 62.0).abs() < 0.01, "{rotation}");
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let by = |truth: &evolution_sim::Truth, name: &str| -> Vec<i64> {
        truth
            .messages
            .iter()
            .filter(|m| m.instance == name)
            .map(|m| m.received_at_ms)
            .collect()
    };
    let truth = wait_until(Duration::from_secs(40), || async {
        let truth = sim.truth().await;
        (by(&truth, "loja-01").len() >= 2).then_some(truth)
    })
    .await;
    let weak_sends = by(&truth, "loja-01");
    let gap = weak_sends[1] - weak_sends[0];
    assert!(
        gap >= 2500,
        "the weak number sent again after {gap} ms (campaign pause 150 ms)"
    );
    let strong_before = by(&truth, "loja-02")
        .iter()
        .filter(|at| **at < weak_sends[1])
        .count();
    assert!(strong_before >= 8, "loja-02 sent {strong_before} meanwhile");
    // Once its second send is recorded, it has nothing left today and sits out.
    let path = format!("/api/v1/campaigns/{id}");
    let c = wait_until(Duration::from_secs(10), || async {
        let (_, c) = app.get(&t.token, &path).await;
        (c["rotation"][0]["remaining_today"] == 0).then_some(c)
    })
    .await;
    assert_eq!(c["rotation"][0]["share_percent"], 0.0, "{c}");
    assert_eq!(c["rotation"][1]["share_percent"], 100.0, "{c}");
    let c = app
        .wait_status(&t, id, "completed", Duration::from_secs(60))
        .await;
    assert_eq!(c["counts"]["sent"], 60);
    assert!(c.get("rotation").is_none(), "{c}");
    assert_eq!(by(&sim.truth().await, "loja-01").len(), 2);
}

/// Two server processes on one PostgreSQL database, with `extra` configuration: returns
/// both bases (the processes end when the children drop).
async fn two_processes(url: &str) -> (String, tokio::process::Child, tokio::process::Child) {
    let (p1, p2) = (free_port(), free_port());
    let env = [("FLOW_ADMIN_TOKEN", ADMIN_TOKEN)];
    let a = spawn_process(url, p1, &env).await;
    let b = spawn_process(url, p2, &env).await;
    (format!("http://127.0.0.1:{p1}"), a, b)
}

/// Through the API at `base`: a tenant, an instance on `sim` (warming up when `warmup`), `n`
/// contacts and a started campaign paced `delay_ms`; returns the token and campaign id.
async fn remote_campaign_on(
    base: &str,
    sim: &Sim,
    n: usize,
    delay_ms: i64,
    warmup: bool,
) -> (String, i64) {
    let http = reqwest::Client::new();
    let post = |path: String, token: String, body: Value| {
        let req = http
            .post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body);
        async move { req.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let tenant = post(
        "/api/v1/tenants".into(),
        ADMIN_TOKEN.into(),
        json!({"name": "P"}),
    )
    .await;
    let token = tenant["api_token"].as_str().unwrap().to_string();
    let inst = post(
        "/api/v1/instances".into(),
        token.clone(),
        json!({"instance_name": "loja-01", "api_url": sim.base, "api_key": sim.api_key,
               "api_version": "v2", "warmup": warmup}),
    )
    .await;
    assert_eq!(inst["warmup"]["enabled"], warmup, "{inst}");
    let iid = inst["id"].as_i64().unwrap();
    post(
        format!("/api/v1/instances/{iid}/refresh"),
        token.clone(),
        json!({}),
    )
    .await;
    post(
        format!("/api/v1/instances/{iid}/webhook"),
        token.clone(),
        json!({}),
    )
    .await;
    let rows: Vec<Value> = (0..n)
        .map(|i| json!({"name": "C", "phone": format!("55119{:08}", 70_000_001 + i)}))
        .collect();
    post("/api/v1/contacts".into(), token.clone(), Value::Array(rows)).await;
    let c = post(
        "/api/v1/campaigns".into(),
        token.clone(),
        json!({"name": "P", "message": "Oi", "instance_ids": [iid], "all_contacts": true,
               "settings": {"min_delay_ms": delay_ms, "max_delay_ms": delay_ms}}),
    )
    .await;
    let cid = c["id"].as_i64().unwrap();
    post(
        format!("/api/v1/campaigns/{cid}/start"),
        token.clone(),
        json!({}),
    )
    .await;
    (token, cid)
}

async fn remote(base: &str, token: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_never_send_one_instance_closer_than_its_pacing() {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        ..fast(27)
    })
    .await;
    let url = common::fresh_database_url(Backend::Postgres).await;
    let (base, _a, _b) = two_processes(&url).await;
    let (token, id) = remote_campaign_on(&base, &sim, 12, 300, false).await;
    wait_until(Duration::from_secs(60), || async {
        let c = remote(&base, &token, &format!("/api/v1/campaigns/{id}")).await;
        (c["status"] == "completed").then_some(())
    })
    .await;
    let truth = sim.truth().await;
    let mut at: Vec<i64> = truth.messages.iter().map(|m| m.received_at_ms).collect();
    at.sort_unstable();
    assert_eq!(at.len(), 12);
    let gaps: Vec<i64> = at.windows(2).map(|w| w[1] - w[0]).collect();
    eprintln!(
        "pacing across two processes: gaps {gaps:?} ms (min {:?})",
        gaps.iter().min()
    );
    assert!(
        gaps.iter().all(|g| *g >= 300),
        "two sends of one instance closer than 300 ms: {gaps:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_hold_the_warmup_cap() {
    let sim = Sim::start(SimConfig {
        not_on_whatsapp_suffix: "none".into(),
        ..fast(28)
    })
    .await;
    let url = common::fresh_database_url(Backend::Postgres).await;
    let (base, _a, _b) = two_processes(&url).await;
    let (token, id) = remote_campaign_on(&base, &sim, 35, 0, true).await;
    wait_until(Duration::from_secs(20), || async {
        (sim.truth().await.sent >= 20).then_some(())
    })
    .await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(sim.truth().await.sent, 20, "day 0 of the warm-up: 20 a day");
    let c = remote(&base, &token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(c["status"], "active");
    assert_eq!(c["counts"]["sent"], 20);
    let list = remote(&base, &token, "/api/v1/instances").await;
    assert_eq!(list[0]["warmup"]["sent_today"], 20);
    assert_eq!(list[0]["warmup"]["cap_today"], 20);
}
