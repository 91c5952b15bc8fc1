//! What the campaigns teach (issue 23), on SQLite and PostgreSQL: time to deliver and to read
//! equal a hand-computed table; every best-hours cell equals a recount of the rows; the
//! simulator's rhythm (two favoured hours) is what the recommendation names and where
//! `send_at_best_hour` puts people; a revoke counts once however often repeated; push names
//! never overwrite a typed name; an `@lid` learnt once reaches the right person later.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use chrono_tz::America::Sao_Paulo;
use common::TestApp;
use common::evolution::{Setup, incoming, rows, setup};
use common::sim::{Sim, fast, wait_until};
use evolution_sim::rhythm::Rhythm;
use flow_server::service::campaigns::recount;
use sea_orm::FromQueryResult;
use serde_json::{Value, json};

on_both_databases!(
    timing_equals_a_hand_computed_table,
    every_heatmap_cell_equals_a_recount,
    the_rhythm_is_learnt_and_people_are_sent_at_their_hour,
    a_revoke_counts_once,
    push_names_fill_only_empty_names,
    an_lid_learnt_once_is_used_for_a_later_opt_out,
);

/// A webhook envelope of `event` from instance `instance`.
fn event(instance: &str, name: &str, data: Value) -> Value {
    json!({"event": name, "instance": instance, "data": data,
           "date_time": "2025-10-21T10:23:14.512Z", "server_url": "http://evolution:8080"})
}

async fn hook(app: &TestApp, s: &Setup, body: &Value) -> String {
    let (status, res) = app.webhook(&s.hook(), &[], body).await;
    assert_eq!(status, 200, "{res}");
    res["status"].as_str().unwrap_or_default().to_string()
}

/// Sets a campaign contact's times, `secs` after `base` (None leaves it NULL).
async fn set_times(
    app: &TestApp,
    row_id: i64,
    base: DateTime<Utc>,
    delivered: Option<i64>,
    read: Option<i64>,
    replied: Option<i64>,
) {
    let at = |s: Option<i64>| -> sea_orm::Value {
        s.map(|s| base + chrono::Duration::seconds(s)).into()
    };
    let status = match (delivered, read) {
        (_, Some(_)) => "read",
        (Some(_), None) => "delivered",
        _ => "sent",
    };
    app.exec_sql(
        "UPDATE campaign_contact SET status = ?, sent_at = ?, delivered_at = ?, read_at = ?, \
         replied_at = ? WHERE id = ?",
        vec![
            status.into(),
            base.into(),
            at(delivered),
            at(read),
            at(replied),
            row_id.into(),
        ],
    )
    .await;
}

async fn timing_equals_a_hand_computed_table(app: TestApp) {
    let s = setup(&app, 5, true).await;
    let path = format!("/api/v1/campaigns/{}", s.campaign_id);
    let (_, before) = app.get(&s.tenant.token, &path).await;
    assert_eq!(before["timing"]["read_p50_secs"], Value::Null, "{before}");
    assert_eq!(before["timing"]["deliver_p90_secs"], Value::Null);

    let base = Utc::now() - chrono::Duration::hours(3);
    let table = [
        (Some(5), Some(60)),
        (Some(10), Some(120)),
        (Some(20), Some(600)),
        (Some(40), Some(3_600)),
        (Some(80), None),
    ];
    for (row, (delivered, read)) in rows(&app, s.campaign_id).await.iter().zip(table) {
        set_times(&app, row.id, base, delivered, read, None).await;
    }
    let (_, c) = app.get(&s.tenant.token, &path).await;
    let t = &c["timing"];
    // Delivered in 5, 10, 20, 40, 80 s: p50 is rank ⌈2.5⌉ = 3, p90 rank ⌈4.5⌉ = 5.
    assert_eq!(t["deliver_p50_secs"], 20, "{t}");
    assert_eq!(t["deliver_p90_secs"], 80);
    // Read in 60, 120, 600, 3600 s: p50 is rank 2, p90 rank ⌈3.6⌉ = 4.
    assert_eq!(t["read_p50_secs"], 120);
    assert_eq!(t["read_p90_secs"], 3_600);
    let bars: BTreeMap<String, i64> = t["read_histogram"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["le_secs"].to_string(), b["count"].as_i64().unwrap()))
        .collect();
    assert_eq!(bars["60"], 1);
    assert_eq!(bars["300"], 1);
    assert_eq!(bars["900"], 1);
    assert_eq!(bars["3600"], 1);
    assert_eq!(bars["null"], 0);
    assert_eq!(bars.values().sum::<i64>(), 4);
}

/// Weekday (1 = Monday) and hour of `at` in São Paulo.
fn cell(at: DateTime<Utc>) -> (u32, u32) {
    let local = at.with_timezone(&Sao_Paulo);
    (local.weekday().number_from_monday(), local.hour())
}

async fn every_heatmap_cell_equals_a_recount(app: TestApp) {
    let s = setup(&app, 12, true).await;
    // Sends spread over a week and its hours; reads and replies some hours later.
    let monday = Sao_Paulo
        .with_ymd_and_hms(2026, 11, 23, 0, 0, 0)
        .unwrap()
        .to_utc();
    for (i, row) in rows(&app, s.campaign_id).await.iter().enumerate() {
        let i = i as i64;
        let base = monday + chrono::Duration::minutes(i * 797);
        let read = (i % 3 != 0).then_some(900 + i * 1_100);
        let replied = (i % 4 == 1).then_some(5_000 + i * 60);
        set_times(&app, row.id, base, Some(30), read, replied).await;
    }
    // Someone is seen online twice in this hour: one person-hour.
    let phone = rows(&app, s.campaign_id).await[0].phone.clone();
    let jid = format!("{phone}@s.whatsapp.net");
    let presence = event(
        &s.name,
        "presence.update",
        json!({"id": jid, "presences": {jid.clone(): {"lastKnownPresence": "available"}}}),
    );
    assert_eq!(hook(&app, &s, &presence).await, "updated");
    assert_eq!(hook(&app, &s, &presence).await, "updated");
    let offline = event(
        &s.name,
        "presence.update",
        json!({"id": jid, "presences": {jid.clone(): {"lastKnownPresence": "unavailable"}}}),
    );
    assert_eq!(hook(&app, &s, &offline).await, "ignored");
    let seen_at = Utc::now();

    let (status, grid) = app
        .get(&s.tenant.token, "/api/v1/insights/best-hours")
        .await;
    assert_eq!(status, 200, "{grid}");
    assert_eq!(grid["timezone"], "America/Sao_Paulo");
    let cells = grid["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 168);

    #[derive(FromQueryResult)]
    struct R {
        sent_at: Option<DateTime<Utc>>,
        read_at: Option<DateTime<Utc>>,
        replied_at: Option<DateTime<Utc>>,
    }
    let stored = R::find_by_statement(flow_server::sql::stmt(
        app.state.db.backend(),
        "SELECT sent_at, read_at, replied_at FROM campaign_contact WHERE campaign_id = ?",
        vec![s.campaign_id.into()],
    ))
    .all(&app.state.db.read)
    .await
    .unwrap();
    let mut expected: BTreeMap<(u32, u32), [i64; 4]> = BTreeMap::new();
    for r in &stored {
        for (k, at) in [r.sent_at, r.read_at, r.replied_at].into_iter().enumerate() {
            if let Some(at) = at {
                expected.entry(cell(at)).or_default()[k] += 1;
            }
        }
    }
    expected.entry(cell(seen_at)).or_default()[3] += 1;
    for c in cells {
        let key = (
            c["weekday"].as_u64().unwrap() as u32,
            c["hour"].as_u64().unwrap() as u32,
        );
        let want = expected.get(&key).copied().unwrap_or_default();
        let got = ["sends", "reads", "replies", "active"].map(|f| c[f].as_i64().unwrap());
        assert_eq!(got, want, "cell {key:?}");
    }
    assert_eq!(grid["evidence"]["sends"], 12);
    // Far below the threshold: no recommendation yet.
    assert_eq!(grid["recommendation"], Value::Null);

    // Scoped to a list nobody is on: an empty grid; to another tenant's list: refused.
    let (_, list) = app
        .post(&s.tenant.token, "/api/v1/lists", json!({"name": "Vazia"}))
        .await;
    let list_id = list["id"].as_i64().unwrap();
    let (_, empty) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/insights/best-hours?list_ids={list_id}"),
        )
        .await;
    assert_eq!(empty["evidence"]["sends"], 0, "{empty}");
    let other = app.tenant("Outra").await;
    let (status, _) = app
        .get(
            &other.token,
            &format!("/api/v1/insights/best-hours?list_ids={list_id}"),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .get(
            &other.token,
            &format!("/api/v1/insights/best-hours?campaign_id={}", s.campaign_id),
        )
        .await;
    assert_eq!(status, 404);
}

async fn the_rhythm_is_learnt_and_people_are_sent_at_their_hour(app: TestApp) {
    let sim = Sim::start(fast(23)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let instance_id = inst["id"].as_i64().unwrap();
    let ids = app.contacts(&t, 60).await;
    let (_, listed) = app.get(&t.token, "/api/v1/contacts?limit=1000").await;
    let phone_of: BTreeMap<String, i64> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["phone"].as_str().unwrap().to_string(),
                c["id"].as_i64().unwrap(),
            )
        })
        .collect();
    let phones: Vec<String> = phone_of.keys().cloned().collect();

    // Three weeks of past campaigns, read as the simulator's rhythm says: 10h and 19h.
    let rhythm = Rhythm {
        favoured: vec![10, 19],
    };
    let now = Utc::now();
    let past = rhythm.history(&phones, now.timestamp(), 21, 1, 5);
    let mut campaigns: BTreeMap<usize, i64> = BTreeMap::new();
    for p in &past {
        if let std::collections::btree_map::Entry::Vacant(slot) = campaigns.entry(p.campaign) {
            let id = app.campaign(&t, instance_id, &ids).await;
            app.exec_sql(
                "UPDATE campaign SET status = 'completed' WHERE id = ?",
                vec![id.into()],
            )
            .await;
            slot.insert(id);
        }
        let at = |s: i64| Utc.timestamp_opt(s, 0).unwrap();
        app.exec_sql(
            "UPDATE campaign_contact SET status = ?, whatsapp_message_id = ?, sent_at = ?, \
             delivered_at = ?, read_at = ?, replied_at = ? \
             WHERE campaign_id = ? AND contact_id = ?",
            vec![
                match (p.delivered_at, p.read_at) {
                    (_, Some(_)) => "read",
                    (Some(_), None) => "delivered",
                    _ => "sent",
                }
                .into(),
                format!("H{}-{}", p.campaign, p.number).into(),
                at(p.sent_at).into(),
                p.delivered_at.map(at).into(),
                p.read_at.map(at).into(),
                p.replied_at.map(at).into(),
                campaigns[&p.campaign].into(),
                phone_of[&p.number].into(),
            ],
        )
        .await;
    }

    let (_, grid) = app.get(&t.token, "/api/v1/insights/best-hours").await;
    let rec = &grid["recommendation"];
    assert!(rec.is_object(), "a recommendation: {}", grid["evidence"]);
    let hours: Vec<u64> = rec["slots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["hour"].as_u64().unwrap())
        .collect();
    assert!(hours.iter().all(|h| [10, 19].contains(h)), "{rec}");
    assert!(
        hours.contains(&10) && hours.contains(&19),
        "both named: {rec}"
    );
    assert!(rec["read_rate"].as_f64().unwrap() > rec["baseline_rate"].as_f64().unwrap());

    // A campaign sent at each person's best hour, inside 08:00–22:00.
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({
                "name": "No melhor horário",
                "message": "Oi {{first_name}}",
                "instance_ids": [instance_id],
                "contact_ids": ids,
                "send_at_best_hour": true,
                "settings": {"min_delay_ms": 1000, "max_delay_ms": 1000,
                             "send_window": {"start": "08:00", "end": "22:00"}},
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["send_at_best_hour"], true);
    let id = body["id"].as_i64().unwrap();
    let started = Utc::now();
    let (status, view) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{view}");

    #[derive(FromQueryResult)]
    struct Due {
        due_at: Option<DateTime<Utc>>,
        due_source: Option<String>,
    }
    let due = Due::find_by_statement(flow_server::sql::stmt(
        app.state.db.backend(),
        "SELECT due_at, due_source FROM campaign_contact WHERE campaign_id = ?",
        vec![id.into()],
    ))
    .all(&app.state.db.read)
    .await
    .unwrap();
    assert_eq!(due.len(), 60);
    let mut at_favoured = 0;
    for d in &due {
        let at = d.due_at.expect("every recipient is planned");
        let local = at.with_timezone(&Sao_Paulo);
        assert!(
            (8..22).contains(&local.hour()),
            "inside the window: {local}"
        );
        assert!(at >= started - chrono::Duration::seconds(1));
        assert!(
            at <= started + chrono::Duration::hours(24),
            "within a day: {at}"
        );
        if [10, 19].contains(&local.hour()) {
            at_favoured += 1;
        }
    }
    assert!(at_favoured >= 48, "{at_favoured} of 60 at 10h or 19h");
    let personal = due
        .iter()
        .filter(|d| d.due_source.as_deref() == Some("personal"))
        .count();
    assert!(personal >= 40, "{personal} planned from their own reads");
    // The page and API show who waits for which hour (unless all were due at once).
    let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    let waiting: i64 = c["due_hours"]
        .as_array()
        .map(|d| d.iter().map(|h| h["count"].as_i64().unwrap()).sum())
        .unwrap_or(0);
    let due_later = due
        .iter()
        .filter(|d| d.due_at.is_some_and(|at| at > Utc::now()))
        .count() as i64;
    assert_eq!(waiting, due_later, "{}", c["due_hours"]);
    // Pausing and resuming leaves the plan alone.
    for action in ["pause", "resume"] {
        let (status, _) = app
            .post(
                &t.token,
                &format!("/api/v1/campaigns/{id}/{action}"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let still = Due::find_by_statement(flow_server::sql::stmt(
        app.state.db.backend(),
        "SELECT due_at, due_source FROM campaign_contact WHERE campaign_id = ? ORDER BY id",
        vec![id.into()],
    ))
    .all(&app.state.db.read)
    .await
    .unwrap();
    assert_eq!(
        still.iter().filter(|d| d.due_at.is_some()).count(),
        60,
        "the plan survives a pause"
    );
}

async fn a_revoke_counts_once(app: TestApp) {
    let s = setup(&app, 3, true).await;
    let all = rows(&app, s.campaign_id).await;
    let jid = |phone: &str| format!("{phone}@s.whatsapp.net");
    // The team revokes campaign message MSG-0, reported in every version's shape.
    let shapes = [
        json!({"remoteJid": jid(&all[0].phone), "fromMe": true, "id": "MSG-0"}),
        json!({"remoteJid": jid(&all[0].phone), "fromMe": true, "id": "MSG-0", "status": "DELETED"}),
        json!({"id": "cmh0x7k2p000bqz8l5v3n9d1f", "key": {"remoteJid": jid(&all[0].phone), "fromMe": true, "id": "MSG-0"},
               "status": "DELETED", "messageType": "conversation"}),
    ];
    let mut outcomes = Vec::new();
    for data in &shapes {
        outcomes.push(hook(&app, &s, &event(&s.name, "messages.delete", data.clone())).await);
    }
    assert_eq!(outcomes, ["revoked", "duplicate", "duplicate"]);
    let (_, c) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}", s.campaign_id),
        )
        .await;
    assert_eq!(c["counts"]["deleted"], 1, "{}", c["counts"]);
    assert_eq!(c["counts"]["failed"], 0);
    let truth = recount(&app.state.db.read, s.campaign_id).await.unwrap();
    assert_eq!(c["counts"], serde_json::to_value(&truth).unwrap());
    assert_eq!(rows(&app, s.campaign_id).await[0].status, "sent");

    // Contact 1 opts out, then deletes that message for everyone: the opt-out stays.
    let phone = all[1].phone.clone();
    assert_eq!(
        hook(&app, &s, &incoming(&s.name, &phone, "IN-1", "SAIR")).await,
        "opted_out"
    );
    let revoke = event(
        &s.name,
        "messages.delete",
        json!({"remoteJid": jid(&phone), "fromMe": false, "id": "IN-1"}),
    );
    assert_eq!(hook(&app, &s, &revoke).await, "revoked");
    assert_eq!(hook(&app, &s, &revoke).await, "duplicate");
    let (_, contact) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/contacts/{}", all[1].contact_id),
        )
        .await;
    assert_eq!(contact["opted_out"], true);
    let (_, replies) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/replies", s.campaign_id),
        )
        .await;
    let reply = &replies.as_array().unwrap()[0];
    assert_eq!(reply["text"], "SAIR");
    assert!(reply["deleted_at"].is_string(), "{reply}");
    let (_, logs) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/logs", s.campaign_id),
        )
        .await;
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .any(|l| l["log_type"] == "opt_out_revoked"),
        "{logs}"
    );
    // A revoke of something Flow never saw changes nothing.
    let unknown = event(
        &s.name,
        "messages.delete",
        json!({"remoteJid": jid(&phone), "fromMe": true, "id": "NOPE"}),
    );
    assert_eq!(hook(&app, &s, &unknown).await, "ignored");
    let chats = event(&s.name, "chats.upsert", json!([]));
    assert_eq!(hook(&app, &s, &chats).await, "ignored");
}

async fn push_names_fill_only_empty_names(app: TestApp) {
    let s = setup(&app, 1, false).await;
    app.import_one(&s.tenant, "Maria Digitada", "+55 11 98888-0001")
        .await;
    app.import_one(&s.tenant, "", "+55 11 98888-0002").await;
    app.import_one(&s.tenant, "", "+55 11 98888-0003").await;
    let upsert = event(
        &s.name,
        "contacts.upsert",
        json!([
            {"remoteJid": "5511988880001@s.whatsapp.net", "pushName": "Zé", "profilePicUrl": null},
            {"remoteJid": "5511988880002@s.whatsapp.net", "pushName": "Bia", "profilePicUrl": null}
        ]),
    );
    assert_eq!(hook(&app, &s, &upsert).await, "updated");
    // A later name never replaces the one WhatsApp filled in, nor a typed one.
    let update = event(
        &s.name,
        "contacts.update",
        json!({"id": "5511988880002@s.whatsapp.net", "pushName": "Outra", "owner": "loja-01"}),
    );
    assert_eq!(hook(&app, &s, &update).await, "ignored");
    let mut message = incoming(&s.name, "5511988880003", "IN-7", "Oi");
    message["data"]["pushName"] = json!("Carol");
    assert_eq!(hook(&app, &s, &message).await, "engaged");
    let mut typed = incoming(&s.name, "5511988880001", "IN-8", "Oi");
    typed["data"]["pushName"] = json!("Outro Nome");
    hook(&app, &s, &typed).await;
    let names = names_by_phone(&app, &s).await;
    assert_eq!(names["5511988880001"], "Maria Digitada");
    assert_eq!(names["5511988880002"], "Bia");
    assert_eq!(names["5511988880003"], "Carol");
}

async fn names_by_phone(app: &TestApp, s: &Setup) -> BTreeMap<String, String> {
    let (_, list) = app
        .get(&s.tenant.token, "/api/v1/contacts?limit=1000")
        .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["phone"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn an_lid_learnt_once_is_used_for_a_later_opt_out(app: TestApp) {
    let s = setup(&app, 1, false).await;
    app.import_one(&s.tenant, "Carlos", "+55 21 99887-7665")
        .await;
    let lid_message = |id: &str, text: &str, alt: bool| {
        let mut key = json!({"remoteJid": "103899771998284@lid", "fromMe": false, "id": id, "addressingMode": "lid"});
        if alt {
            key["remoteJidAlt"] = json!("5521998877665@s.whatsapp.net");
        }
        event(
            &s.name,
            "messages.upsert",
            json!({"key": key, "pushName": "Carlos Souza", "message": {"conversation": text},
                   "messageType": "conversation", "messageTimestamp": 1761055611}),
        )
    };
    // Before WhatsApp shows the pair, an @lid alone reaches nobody.
    let (_, unknown) = app
        .webhook(&s.hook(), &[], &lid_message("L-0", "oi", false))
        .await;
    assert_eq!(unknown["status"], "unknown_contact");
    assert_eq!(
        hook(&app, &s, &lid_message("L-1", "Qual o horário?", true)).await,
        "engaged"
    );
    // Later the same person writes SAIR with only the @lid: they are opted out.
    assert_eq!(
        hook(&app, &s, &lid_message("L-2", "SAIR", false)).await,
        "opted_out"
    );
    let (_, found) = app
        .get(&s.tenant.token, "/api/v1/contacts?phone=5521998877665")
        .await;
    let carlos = &found.as_array().unwrap()[0];
    assert_eq!(carlos["opted_out"], true, "{carlos}");
    assert_eq!(carlos["name"], "Carlos", "a typed name stays");
    // Presence reported by @lid counts for them too.
    let presence = event(
        &s.name,
        "presence.update",
        json!({"id": "103899771998284@lid", "presences": {"103899771998284@lid": {"lastKnownPresence": "composing"}}}),
    );
    assert_eq!(hook(&app, &s, &presence).await, "updated");
    let (_, grid) = app
        .get(&s.tenant.token, "/api/v1/insights/best-hours")
        .await;
    let active: i64 = grid["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["active"].as_i64().unwrap())
        .sum();
    assert_eq!(active, 1);
    // The simulator's own webhooks name contacts and are accepted.
    let sim = Sim::start(fast(24)).await;
    let inst = app.sim_instance(&s.tenant, &sim, "loja-02", "v2").await;
    app.import_one(&s.tenant, "", "+55 31 99123-4567").await;
    let (_, found) = app
        .get(&s.tenant.token, "/api/v1/contacts?phone=5531991234567")
        .await;
    let fresh = found[0]["id"].as_i64().unwrap();
    // (A template without {{name}}: the contact has none yet.)
    let (_, created) = app
        .post(
            &s.tenant.token,
            "/api/v1/campaigns",
            json!({"name": "Oi", "message": "Oi! Chegou novidade.", "instance_ids": [inst["id"]],
                   "contact_ids": [fresh], "settings": {"min_delay_ms": 0, "max_delay_ms": 0}}),
        )
        .await;
    let id = created["id"].as_i64().unwrap();
    app.post(
        &s.tenant.token,
        &format!("/api/v1/campaigns/{id}/start"),
        json!({}),
    )
    .await;
    let done = app
        .wait_status(&s.tenant, id, "completed", Duration::from_secs(30))
        .await;
    assert_eq!(done["counts"]["sent"], 1, "{done}");
    wait_until(Duration::from_secs(30), || async {
        (sim.truth().await.webhooks_pending == 0).then_some(())
    })
    .await;
    let truth = sim.truth().await;
    assert_eq!(truth.named, 1, "{truth:?}");
    let (_, found) = app
        .get(&s.tenant.token, "/api/v1/contacts?phone=5531991234567")
        .await;
    assert_eq!(
        found[0]["name"],
        evolution_sim::push_name("5531991234567"),
        "the simulator's contacts.upsert named the contact"
    );
}
