//! Evolution webhooks over HTTP, on SQLite and PostgreSQL: status codes, every authentication
//! mode, by-events URLs, receipts, orphan receipts, send.message linking, opt-out, engagement,
//! disconnects, the live SSE stream with tenant isolation, and retention of webhook bodies.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::TestApp;
use common::evolution::{
    Setup, connection, incoming, mark_sending, receipt_v1, receipt_v2, record_sent, rows, setup,
};
use common::sse::next_matching;
use flow_server::service::campaigns::recount;
use flow_server::sql::stmt;
use flow_server::webhook::jwt;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement};
use serde_json::{Value, json};

on_both_databases!(
    status_codes,
    authentication_modes,
    receipts_move_forward_only,
    orphan_receipt_applies_when_the_id_is_recorded,
    send_message_links_the_contact_being_sent,
    opt_out_and_engagement,
    disconnect_pauses_campaigns,
    health_counts_the_whole_window_after_each_receipt,
    sse_delivers_live_changes_per_tenant,
    apikey_must_name_exactly_one_instance,
    old_webhook_bodies_and_expired_sessions_are_pruned,
);

async fn campaign(app: &TestApp, s: &Setup) -> Value {
    app.get(
        &s.tenant.token,
        &format!("/api/v1/campaigns/{}", s.campaign_id),
    )
    .await
    .1
}

async fn assert_counts_match_rows(app: &TestApp, s: &Setup) {
    let stored = campaign(app, s).await;
    let truth = recount(&app.state.db.read, s.campaign_id).await.unwrap();
    assert_eq!(stored["counts"], serde_json::to_value(&truth).unwrap());
}

async fn stored_events(app: &TestApp) -> Vec<(String, String, String)> {
    #[derive(FromQueryResult)]
    struct E {
        event: String,
        outcome: Option<String>,
        body: String,
    }
    E::find_by_statement(Statement::from_string(
        app.state.db.backend(),
        "SELECT event, outcome, body FROM webhook_event ORDER BY id",
    ))
    .all(&app.state.db.read)
    .await
    .unwrap()
    .into_iter()
    .map(|e| (e.event, e.outcome.unwrap_or_default(), e.body))
    .collect()
}

async fn status_codes(app: TestApp) {
    let s = setup(&app, 1, true).await;
    let (status, body) = app
        .webhook(
            &s.hook(),
            &[],
            &receipt_v2(&s.name, "MSG-0", "DELIVERY_ACK"),
        )
        .await;
    assert_eq!((status, &body["status"]), (200, &json!("updated")));

    // Not a JSON envelope: 400.
    let res = app
        .client
        .post(app.url(&s.hook()))
        .header("content-type", "application/json")
        .body("{\"event\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    let (status, body) = app.webhook(&s.hook(), &[], &json!([1, 2])).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("bad_request")));
    // Authenticated but unreadable bodies are kept for inspection.
    let unparsed = stored_events(&app).await;
    assert!(
        unparsed
            .iter()
            .any(|(e, o, b)| e == "unparsed" && o == "invalid" && b == "{\"event\": ")
    );

    // Wrong types inside an envelope: 422, and stored for inspection.
    let bad = json!({"event": "messages.update", "instance": s.name, "data": {"keyId": 42, "fromMe": true, "status": "READ"}});
    let (status, body) = app.webhook(&s.hook(), &[], &bad).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"], "invalid_data");
    assert!(
        stored_events(&app)
            .await
            .iter()
            .any(|(_, o, _)| o == "invalid")
    );

    // Oversized: 413 with a JSON error.
    let huge = json!({"event": "messages.upsert", "instance": s.name, "data": {"pad": "x".repeat(9 * 1024 * 1024)}});
    // On a connection of its own: the server answers before reading the body and closes the
    // connection, which a pooled client could otherwise reuse for the next request.
    let once = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let res = once
        .post(app.url(&s.hook()))
        .json(&huge)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(
        (status, body["error"].as_str()),
        (413, Some("payload_too_large"))
    );

    // Unknown credential: 401; events Flow does not act on: 200 ignored.
    let (status, body) = app
        .webhook(
            "/api/webhooks/evolution/i/whsec_nope",
            &[],
            &receipt_v2(&s.name, "MSG-0", "READ"),
        )
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    // Events Flow reads but that name nobody it knows are stored and ignored; shapes they can
    // never have are a clear 422 (stored for inspection).
    for (event, expected) in [
        ("chats.upsert", (200, "ignored")),
        ("contacts.upsert", (200, "ignored")),
        ("presence.update", (422, "stored")),
        ("messages.delete", (422, "stored")),
    ] {
        let body = json!({"event": event, "instance": s.name, "data": [{"id": "x"}]});
        let (status, res) = app.webhook(&s.hook(), &[], &body).await;
        assert_eq!(
            (status, res["status"].as_str().unwrap_or_default()),
            expected,
            "{event}: {res}"
        );
    }
    let (status, res) = app
        .webhook(
            &s.hook(),
            &[],
            &json!({"event": "contacts.upsert", "instance": s.name, "data": {"remoteJid": "x"}}),
        )
        .await;
    assert_eq!((status, &res["status"]), (200, &json!("ignored")));
}

async fn authentication_modes(app: TestApp) {
    let s = setup(&app, 1, true).await;
    let r = |status: &str| receipt_v2(&s.name, "MSG-0", status);
    let plain = "/api/webhooks/evolution";
    let bearer = |t: &str| vec![("authorization", format!("Bearer {t}"))];

    // The instance URL, with by-events suffixes (also the `//` a trailing slash produces).
    for path in [
        s.hook(),
        format!("{}/messages-update", s.hook()),
        format!("{}//messages-update", s.hook()),
    ] {
        let (status, _) = app.webhook(&path, &[], &r("SERVER_ACK")).await;
        assert_eq!(status, 200, "{path}");
    }
    // The plain URL with a bearer secret, with and without suffix or trailing slash.
    for path in [
        plain.to_string(),
        format!("{plain}/"),
        format!("{plain}/messages-update"),
        format!("{plain}//messages-update"),
    ] {
        let (status, body) = app
            .webhook(&path, &bearer(&s.secret), &r("SERVER_ACK"))
            .await;
        assert_eq!(status, 200, "{path} {body}");
    }
    // jwt_key mode: valid, expired 20 minutes ago (a retry), expired too long ago, wrong key.
    let now = chrono::Utc::now().timestamp();
    let token = |exp: i64, key: &str| {
        jwt::sign(
            &json!({"iat": exp - 600, "exp": exp, "app": "evolution", "action": "webhook"}),
            key.as_bytes(),
        )
    };
    let (status, _) = app
        .webhook(
            plain,
            &bearer(&token(now + 600, &s.secret)),
            &r("DELIVERY_ACK"),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .webhook(
            plain,
            &bearer(&token(now - 1200, &s.secret)),
            &r("DELIVERY_ACK"),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .webhook(
            plain,
            &bearer(&token(now - 2400, &s.secret)),
            &r("DELIVERY_ACK"),
        )
        .await;
    assert_eq!(status, 401);
    let (status, _) = app
        .webhook(
            plain,
            &bearer(&token(now + 600, "not-the-secret")),
            &r("DELIVERY_ACK"),
        )
        .await;
    assert_eq!(status, 401);
    // Only HS256: `alg: none` and HS512 (even signed with the right secret) are refused.
    let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjQxMDI0NDQ4MDB9."; // {"exp":4102444800}
    let (status, _) = app.webhook(plain, &bearer(none), &r("DELIVERY_ACK")).await;
    assert_eq!(status, 401);
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &json!({"iat": now, "exp": now + 600, "app": "evolution", "action": "webhook"}),
        &jsonwebtoken::EncodingKey::from_secret(s.secret.as_bytes()).unwrap(),
    )
    .unwrap();
    let (status, _) = app
        .webhook(plain, &bearer(&hs512), &r("DELIVERY_ACK"))
        .await;
    assert_eq!(status, 401);
    // The body's apikey (the instance's Evolution key).
    let mut with_key = r("READ");
    with_key["apikey"] = json!(s.api_key);
    let (status, body) = app.webhook(plain, &[], &with_key).await;
    assert_eq!((status, &body["status"]), (200, &json!("updated")));
    with_key["apikey"] = json!("wrong");
    let (status, _) = app.webhook(plain, &[], &with_key).await;
    assert_eq!(status, 401);
    // Nothing at all, a wrong bearer, an instance name that does not exist.
    let (status, _) = app.webhook(plain, &[], &r("READ")).await;
    assert_eq!(status, 401);
    let (status, _) = app.webhook(plain, &bearer("whsec_wrong"), &r("READ")).await;
    assert_eq!(status, 401);
    let mut stranger = receipt_v2("nobody", "MSG-0", "READ");
    stranger["apikey"] = json!(s.api_key);
    let (status, _) = app.webhook(plain, &[], &stranger).await;
    assert_eq!(status, 401);

    // The stored body never keeps the apikey.
    let events = stored_events(&app).await;
    assert!(events.iter().all(|(_, _, body)| !body.contains(&s.api_key)));
    assert!(
        events
            .iter()
            .any(|(_, _, body)| body.contains("[redacted]"))
    );
}

async fn receipts_move_forward_only(app: TestApp) {
    let s = setup(&app, 4, true).await;
    let send = |id: &str, status: &str, v1: bool| {
        let body = if v1 {
            receipt_v1(&s.name, id, status)
        } else {
            receipt_v2(&s.name, id, status)
        };
        let path = s.hook();
        let app = &app;
        async move {
            app.webhook(&path, &[], &body).await.1["status"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    // MSG-0: the normal path, with repeats.
    assert_eq!(send("MSG-0", "SERVER_ACK", false).await, "duplicate"); // already sent
    assert_eq!(send("MSG-0", "DELIVERY_ACK", false).await, "updated");
    assert_eq!(send("MSG-0", "DELIVERY_ACK", true).await, "duplicate");
    assert_eq!(send("MSG-0", "READ", true).await, "updated");
    assert_eq!(send("MSG-0", "DELIVERY_ACK", false).await, "duplicate");
    // MSG-1: read before delivered (out of order): delivered counts once.
    assert_eq!(send("MSG-1", "READ", false).await, "updated");
    assert_eq!(send("MSG-1", "DELIVERY_ACK", false).await, "duplicate");
    // MSG-2: failed; MSG-3: an error after delivery is ignored (and logged).
    assert_eq!(send("MSG-2", "ERROR", false).await, "updated");
    assert_eq!(send("MSG-2", "READ", false).await, "duplicate");
    assert_eq!(send("MSG-3", "PLAYED", true).await, "updated");
    assert_eq!(send("MSG-3", "ERROR", false).await, "duplicate");
    assert_eq!(send("MSG-3", "PENDING", false).await, "ignored");
    assert_eq!(send("MSG-3", "DELETED", false).await, "ignored");

    let c = campaign(&app, &s).await;
    assert_eq!(
        c["counts"],
        json!({"total": 4, "pending": 0, "sent": 4, "delivered": 3, "read": 3, "failed": 1, "opted_out": 0, "replied": 0, "cancelled": 0, "deleted": 0, "played": 1})
    );
    assert_eq!(c["delivery_rate"], 75.0);
    assert_eq!(c["read_rate"], 100.0);
    assert_counts_match_rows(&app, &s).await;

    let statuses: Vec<String> = rows(&app, s.campaign_id)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, ["read", "read", "failed", "read"]);
    let (_, list) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/contacts?status=read", s.campaign_id),
        )
        .await;
    let first = &list[0];
    assert!(
        first["sent_at"].is_string()
            && first["delivered_at"].is_string()
            && first["read_at"].is_string()
    );

    let (_, logs) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/logs", s.campaign_id),
        )
        .await;
    let types: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["log_type"].as_str().unwrap())
        .collect();
    assert!(types.contains(&"message_failed"), "{types:?}");
    assert!(types.contains(&"error_after_delivery"), "{types:?}");

    // Instance health and today's numbers follow.
    let (_, instances) = app.get(&s.tenant.token, "/api/v1/instances").await;
    let inst = &instances[0];
    assert_eq!(
        inst["today"],
        json!({"sent": 4, "delivered": 3, "read": 3, "failed": 1})
    );
    let health = inst["health_score"].as_i64().unwrap();
    assert!((60..100).contains(&health), "{health}");
    assert!(inst["last_event_at"].is_string());
}

async fn orphan_receipt_applies_when_the_id_is_recorded(app: TestApp) {
    let s = setup(&app, 2, false).await;
    // The receipts beat the sendText answer.
    let (_, body) = app
        .webhook(
            &s.hook(),
            &[],
            &receipt_v2(&s.name, "EARLY-1", "DELIVERY_ACK"),
        )
        .await;
    assert_eq!(body["status"], "unmatched");
    let (_, body) = app
        .webhook(&s.hook(), &[], &receipt_v1(&s.name, "EARLY-1", "READ"))
        .await;
    assert_eq!(body["status"], "unmatched");
    let c = campaign(&app, &s).await;
    assert_eq!(c["counts"]["delivered"], 0);

    let row = &rows(&app, s.campaign_id).await[0];
    record_sent(&app, row.id, s.instance_id, "EARLY-1").await;
    let c = campaign(&app, &s).await;
    assert_eq!(c["counts"]["sent"], 1);
    assert_eq!(c["counts"]["delivered"], 1);
    assert_eq!(c["counts"]["read"], 1);
    assert_eq!(c["counts"]["pending"], 1);
    assert_eq!(rows(&app, s.campaign_id).await[0].status, "read");
    assert_counts_match_rows(&app, &s).await;
    // Applied once: nothing waits any more.
    let left = app
        .state
        .db
        .read
        .query_one_raw(Statement::from_string(
            app.state.db.backend(),
            "SELECT COUNT(*) AS n FROM pending_receipt",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(left, 0);
}

async fn send_message_links_the_contact_being_sent(app: TestApp) {
    let s = setup(&app, 2, false).await;
    let rows_before = rows(&app, s.campaign_id).await;
    mark_sending(&app, rows_before[1].id, s.instance_id).await;
    let phone = &rows_before[1].phone;
    let body = json!({
        "event": "send.message",
        "instance": s.name,
        "data": {
            "key": {"remoteJid": format!("{phone}@s.whatsapp.net"), "fromMe": true, "id": "LINKED-1"},
            "pushName": "Você",
            "status": "PENDING",
            "message": {"conversation": "Olá"},
            "messageType": "conversation",
            "messageTimestamp": 1761055392,
            "instanceId": "x",
            "source": "web"
        },
        "apikey": null
    });
    let (_, res) = app.webhook(&s.hook(), &[], &body).await;
    assert_eq!(res["status"], "linked");
    let (_, res) = app.webhook(&s.hook(), &[], &body).await;
    assert_eq!(res["status"], "duplicate");
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &receipt_v2(&s.name, "LINKED-1", "DELIVERY_ACK"),
        )
        .await;
    assert_eq!(res["status"], "updated");
    let statuses: Vec<String> = rows(&app, s.campaign_id)
        .await
        .into_iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, ["pending", "delivered"]);
    assert_counts_match_rows(&app, &s).await;
}

async fn opt_out_and_engagement(app: TestApp) {
    let s = setup(&app, 3, false).await;
    let all = rows(&app, s.campaign_id).await;
    // Contact 0 got the campaign message; contacts 1 and 2 are still pending.
    record_sent(&app, all[0].id, s.instance_id, "CAMP-0").await;
    // A second campaign where contact 0 is pending.
    let second = app
        .campaign(&s.tenant, s.instance_id, &[all[0].contact_id])
        .await;

    // A normal reply: engagement and a reply on the campaign it answers.
    let phone0 = all[0].phone.clone();
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &incoming(&s.name, &phone0, "IN-1", "Quanto custa?"),
        )
        .await;
    assert_eq!(res["status"], "engaged");
    // Repeated delivery of the same message is not counted twice.
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &incoming(&s.name, &phone0, "IN-1", "Quanto custa?"),
        )
        .await;
    assert_eq!(res["status"], "duplicate");
    // Not an opt-out although it contains the words.
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &incoming(&s.name, &phone0, "IN-2", "não quero sair agora"),
        )
        .await;
    assert_eq!(res["status"], "engaged");
    // The opt-out, accented, with punctuation and emoji.
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &incoming(&s.name, &phone0, "IN-3", "  Não QUERO!! 🙏 "),
        )
        .await;
    assert_eq!(res["status"], "opted_out");

    let (_, contact) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/contacts/{}", all[0].contact_id),
        )
        .await;
    assert_eq!(contact["opted_out"], true);
    assert_eq!(contact["opt_out_keyword"], "NAO QUERO");
    assert_eq!(contact["total_messages_received"], 3);
    assert!(contact["last_interaction_at"].is_string());

    let c = campaign(&app, &s).await;
    assert_eq!(c["counts"]["replied"], 1);
    assert_eq!(c["counts"]["opted_out"], 1);
    assert_eq!(c["counts"]["sent"], 1);
    assert_counts_match_rows(&app, &s).await;
    let (_, second_view) = app
        .get(&s.tenant.token, &format!("/api/v1/campaigns/{second}"))
        .await;
    assert_eq!(second_view["counts"]["opted_out"], 1);
    assert_eq!(second_view["counts"]["pending"], 0);
    let (_, r2) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{second}/contacts"),
        )
        .await;
    assert_eq!(r2[0]["status"], "opted_out");
    for campaign_id in [s.campaign_id, second] {
        let (_, logs) = app
            .get(
                &s.tenant.token,
                &format!("/api/v1/campaigns/{campaign_id}/logs"),
            )
            .await;
        let line = logs
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["log_type"] == "contact_opted_out")
            .expect("opt-out log");
        assert_eq!(line["severity"], "warning");
        assert_eq!(line["details"]["keyword"], "NAO QUERO");
    }

    // Brazilian mobile without the ninth digit matches the same contact: pending row → opted_out.
    let phone1 = all[1].phone.clone(); // 55119XXXXXXXX (13 digits)
    let without_ninth = format!("{}{}", &phone1[..4], &phone1[5..]);
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &incoming(&s.name, &without_ninth, "IN-4", "sair"),
        )
        .await;
    assert_eq!(res["status"], "opted_out");
    assert_eq!(rows(&app, s.campaign_id).await[1].status, "opted_out");
    assert_counts_match_rows(&app, &s).await;

    // Groups, our own messages and strangers do not count.
    let mut group = incoming(&s.name, &phone0, "IN-5", "SAIR");
    group["data"]["key"]["remoteJid"] = json!("120363025555555555@g.us");
    let (_, res) = app.webhook(&s.hook(), &[], &group).await;
    assert_eq!(res["status"], "ignored");
    let mut mine = incoming(&s.name, &all[2].phone, "IN-6", "SAIR");
    mine["data"]["key"]["fromMe"] = json!(true);
    let (_, res) = app.webhook(&s.hook(), &[], &mine).await;
    assert_eq!(res["status"], "ignored");
    let (_, res) = app
        .webhook(
            &s.hook(),
            &[],
            &incoming(&s.name, "5511900001111", "IN-7", "SAIR"),
        )
        .await;
    assert_eq!(res["status"], "unknown_contact");
    assert_eq!(rows(&app, s.campaign_id).await[2].status, "pending");
}

/// The instance's health score as the API shows it.
async fn health(app: &TestApp, s: &Setup) -> i64 {
    let (_, inst) = app.get(&s.tenant.token, "/api/v1/instances").await;
    inst[0]["health_score"].as_i64().unwrap()
}

async fn health_counts_the_whole_window_after_each_receipt(app: TestApp) {
    use flow_server::domain::health::{RecentStats, score};
    use sea_orm::{ActiveModelTrait, Set};
    let s = setup(&app, 3, true).await;
    // Two days ago the instance had as many failures as deliveries.
    let zone = chrono_tz::America::Sao_Paulo;
    flow_server::entities::instance_daily_stats::ActiveModel {
        instance_id: Set(s.instance_id),
        day: Set(flow_server::service::instances::day(
            Utc::now() - chrono::Duration::days(2),
            zone,
        )),
        sent: Set(20),
        delivered: Set(10),
        read: Set(0),
        failed: Set(10),
        disconnects: Set(0),
        ..Default::default()
    }
    .insert(&app.state.db.write)
    .await
    .unwrap();
    let window = |delivered: i64, read: i64, failed: i64| {
        i64::from(score(RecentStats {
            delivered: 10 + delivered,
            read,
            failed: 10 + failed,
            disconnects: 0,
        }))
    };
    let send = |id: &'static str, status: &'static str| {
        let body = receipt_v2(&s.name, id, status);
        let path = s.hook();
        let app = &app;
        async move { app.webhook(&path, &[], &body).await.1["status"].clone() }
    };

    // Each receipt's score counts the earlier day and every receipt of today so far, also
    // when several arrive within the same second.
    assert_eq!(send("MSG-0", "DELIVERY_ACK").await, "updated");
    assert_eq!(health(&app, &s).await, window(1, 0, 0));
    assert_eq!(send("MSG-0", "READ").await, "updated");
    assert_eq!(health(&app, &s).await, window(1, 1, 0));
    assert_eq!(send("MSG-1", "READ").await, "updated");
    assert_eq!(health(&app, &s).await, window(2, 2, 0));
    assert_eq!(send("MSG-2", "ERROR").await, "updated");
    assert_eq!(health(&app, &s).await, window(2, 2, 1));
    assert!(window(2, 2, 1) < window(2, 2, 0), "the failure lowers it");

    // A repeat changes no figure, but it is an event: a second later, `last_event_at` moves.
    let last_event = |inst: Value| {
        DateTime::parse_from_rfc3339(inst[0]["last_event_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    let first = last_event(app.get(&s.tenant.token, "/api/v1/instances").await.1);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let before = Utc::now();
    assert_eq!(send("MSG-0", "DELIVERY_ACK").await, "duplicate");
    let (_, inst) = app.get(&s.tenant.token, "/api/v1/instances").await;
    assert_eq!(inst[0]["health_score"].as_i64().unwrap(), window(2, 2, 1));
    let latest = last_event(inst);
    assert!(latest > first, "{first} → {latest}");
    assert!(
        latest >= before - chrono::Duration::milliseconds(1),
        "{before} → {latest}"
    );
}

async fn disconnect_pauses_campaigns(app: TestApp) {
    let s = setup(&app, 2, false).await;
    let (_, c) = app
        .post(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/start", s.campaign_id),
            json!({}),
        )
        .await;
    assert_eq!(c["status"], "active");

    let (_, res) = app
        .webhook(&s.hook(), &[], &connection(&s.name, "close"))
        .await;
    assert_eq!(res["status"], "disconnected");
    let c = campaign(&app, &s).await;
    assert_eq!(c["status"], "paused");
    assert_eq!(c["pause_reason"], "instance_disconnected");
    let (_, inst) = app.get(&s.tenant.token, "/api/v1/instances").await;
    assert_eq!(inst[0]["connection_state"], "close");
    assert_eq!(inst[0]["active"], false);
    assert!(inst[0]["health_score"].as_i64().unwrap() < 100);
    let (_, logs) = app
        .get(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/logs", s.campaign_id),
        )
        .await;
    assert_eq!(logs[0]["log_type"], "instance_disconnected");
    assert_eq!(logs[0]["severity"], "critical");

    // A repeated close changes nothing more.
    let (_, res) = app
        .webhook(&s.hook(), &[], &connection(&s.name, "close"))
        .await;
    assert_eq!(res["status"], "duplicate");

    // Reconnected: the instance is active, the campaign waits for a person.
    let (_, res) = app
        .webhook(&s.hook(), &[], &connection(&s.name, "open"))
        .await;
    assert_eq!(res["status"], "connected");
    let (_, inst) = app.get(&s.tenant.token, "/api/v1/instances").await;
    assert_eq!(
        (
            inst[0]["connection_state"].as_str(),
            inst[0]["active"].as_bool()
        ),
        (Some("open"), Some(true))
    );
    assert_eq!(campaign(&app, &s).await["status"], "paused");
    let (_, c) = app
        .post(
            &s.tenant.token,
            &format!("/api/v1/campaigns/{}/resume", s.campaign_id),
            json!({}),
        )
        .await;
    assert_eq!(c["status"], "active");

    // refused also pauses.
    let (_, res) = app
        .webhook(&s.hook(), &[], &connection(&s.name, "refused"))
        .await;
    assert_eq!(res["status"], "disconnected");
    assert_eq!(
        campaign(&app, &s).await["pause_reason"],
        "instance_disconnected"
    );
}

async fn sse_delivers_live_changes_per_tenant(app: TestApp) {
    let s = setup(&app, 2, true).await;
    let other = app.tenant("Other").await;
    let open = |token: String| {
        let req = app.client.get(app.url("/api/v1/events")).bearer_auth(token);
        async move { req.send().await.unwrap() }
    };
    let mut mine = open(s.tenant.token.clone()).await;
    assert_eq!(mine.status(), 200);
    assert!(
        mine.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut theirs = open(other.token.clone()).await;
    let res = app
        .client
        .get(app.url("/api/v1/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let (mut buf, mut other_buf) = (String::new(), String::new());
    next_matching(&mut mine, &mut buf, Duration::from_secs(2), |e, _| {
        e == "ready"
    })
    .await
    .expect("ready");

    app.webhook(
        &s.hook(),
        &[],
        &receipt_v2(&s.name, "MSG-0", "DELIVERY_ACK"),
    )
    .await;
    let cid = s.campaign_id;
    let update = next_matching(&mut mine, &mut buf, Duration::from_secs(2), |e, v| {
        e == "campaign" && v["data"]["id"] == cid && v["data"]["counts"]["delivered"] == 1
    })
    .await
    .expect("campaign update within 2 s");
    assert_eq!(update["data"]["delivery_rate"], 50.0);

    // A burst ends on the latest numbers.
    for status in ["READ", "DELIVERY_ACK"] {
        app.webhook(&s.hook(), &[], &receipt_v2(&s.name, "MSG-1", status))
            .await;
    }
    next_matching(&mut mine, &mut buf, Duration::from_secs(2), |e, v| {
        e == "campaign" && v["data"]["counts"]["read"] == 1 && v["data"]["counts"]["delivered"] == 2
    })
    .await
    .expect("latest numbers");

    // The other tenant saw none of it.
    let leaked = next_matching(
        &mut theirs,
        &mut other_buf,
        Duration::from_millis(700),
        |e, _| e == "campaign" || e == "instance" || e == "log",
    )
    .await;
    assert!(leaked.is_none(), "tenant isolation broken: {leaked:?}");

    // Resuming with Last-Event-ID replays what came after it.
    let res = app
        .client
        .get(app.url("/api/v1/events"))
        .bearer_auth(&s.tenant.token)
        .header("last-event-id", "1")
        .send()
        .await
        .unwrap();
    let mut resumed = res;
    let mut rbuf = String::new();
    next_matching(&mut resumed, &mut rbuf, Duration::from_secs(2), |e, v| {
        e == "campaign" && v["data"]["counts"]["read"] == 1
    })
    .await
    .expect("replayed latest campaign state");
}

/// When the database cannot be reached the webhook answers 503 (Evolution retries it), and
/// the retry is accepted once the database is back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_database_answers_503_then_recovers() {
    let app = common::spawn(common::Backend::Postgres).await;
    let s = setup(&app, 1, true).await;
    let name = app.database_name().await;
    let admin = sea_orm::Database::connect(format!("{}/postgres", common::pg_base()))
        .await
        .unwrap();
    let set_allowed =
        |allowed: bool| format!("ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allowed}");
    admin.execute_unprepared(&set_allowed(false)).await.unwrap();
    admin
        .execute_unprepared(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .await
        .unwrap();

    let receipt = receipt_v2(&s.name, "MSG-0", "DELIVERY_ACK");
    let (status, body) = app.webhook(&s.hook(), &[], &receipt).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"], "unavailable");

    admin.execute_unprepared(&set_allowed(true)).await.unwrap();
    let mut last = (0, Value::Null);
    for _ in 0..20 {
        last = app.webhook(&s.hook(), &[], &receipt).await;
        if last.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert_eq!(last.0, 200, "{}", last.1);
    assert_eq!(last.1["status"], "updated");
}

/// The single number `sql` (`SELECT COUNT(*) AS n …`) answers.
async fn count(app: &TestApp, sql: &str) -> i64 {
    app.state
        .db
        .read
        .query_one_raw(Statement::from_string(app.state.db.backend(), sql))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap()
}

/// How many `webhook_event` rows instance `instance_id` has.
async fn events_of(app: &TestApp, instance_id: i64) -> i64 {
    count(
        app,
        &format!("SELECT COUNT(*) AS n FROM webhook_event WHERE instance_id = {instance_id}"),
    )
    .await
}

async fn apikey_must_name_exactly_one_instance(app: TestApp) {
    let plain = "/api/webhooks/evolution";
    // Two tenants on one Evolution server: same instance name, same (global) key.
    let a = setup(&app, 1, true).await;
    let b = app.tenant("Outra").await;
    let b_instance = app.instance(&b, &a.name).await["id"].as_i64().unwrap();
    // A third tenant's instance of that name has a key of its own.
    let c = app.tenant("Terceira").await;
    let (status, c_instance) = app
        .post(
            &c.token,
            "/api/v1/instances",
            json!({"instance_name": a.name, "api_url": "http://127.0.0.1:9", "api_key": "own-key-of-c", "api_version": "v2"}),
        )
        .await;
    assert_eq!(status, 201, "{c_instance}");
    let c_instance = c_instance["id"].as_i64().unwrap();

    // Name + shared key fit two instances: refused, and nothing lands anywhere.
    let mut shared = receipt_v2(&a.name, "MSG-0", "READ");
    shared["apikey"] = json!(a.api_key);
    let (status, body) = app.webhook(plain, &[], &shared).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    assert_eq!(campaign(&app, &a).await["counts"]["read"], 0);
    assert_eq!(events_of(&app, a.instance_id).await, 0);
    assert_eq!(events_of(&app, b_instance).await, 0);

    // Name + key that fit exactly one instance: accepted, for that instance only.
    let mut own = receipt_v2(&a.name, "MSG-0", "READ");
    own["apikey"] = json!("own-key-of-c");
    let (status, body) = app.webhook(plain, &[], &own).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(events_of(&app, c_instance).await, 1);
    assert_eq!(events_of(&app, a.instance_id).await, 0);

    // The instance URL still authenticates tenant A's events by itself.
    let (status, _) = app.webhook(&a.hook(), &[], &shared).await;
    assert_eq!(status, 200);
    assert_eq!(campaign(&app, &a).await["counts"]["read"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apikey_auth_can_be_turned_off() {
    let app = common::spawn_with(
        common::Backend::Sqlite,
        &[("FLOW_WEBHOOK_APIKEY_AUTH", "off")],
    )
    .await;
    let s = setup(&app, 1, true).await;
    let mut with_key = receipt_v2(&s.name, "MSG-0", "READ");
    with_key["apikey"] = json!(s.api_key);
    let (status, _) = app.webhook("/api/webhooks/evolution", &[], &with_key).await;
    assert_eq!(status, 401);
    assert_eq!(events_of(&app, s.instance_id).await, 0);
    // The other modes are unaffected.
    let (status, _) = app.webhook(&s.hook(), &[], &with_key).await;
    assert_eq!(status, 200);
}

/// `(day, tenant_id, instance_id, event, outcome, count)` rows of `webhook_event_daily`.
async fn daily_counts(app: &TestApp) -> Vec<(String, i64, i64, String, String, i64)> {
    #[derive(FromQueryResult)]
    struct D {
        day: String,
        tenant_id: i64,
        instance_id: i64,
        event: String,
        outcome: String,
        count: i64,
    }
    D::find_by_statement(Statement::from_string(
        app.state.db.backend(),
        "SELECT day, tenant_id, instance_id, event, outcome, count FROM webhook_event_daily \
         ORDER BY day, outcome",
    ))
    .all(&app.state.db.read)
    .await
    .unwrap()
    .into_iter()
    .map(|d| {
        (
            d.day,
            d.tenant_id,
            d.instance_id,
            d.event,
            d.outcome,
            d.count,
        )
    })
    .collect()
}

/// Stores `n` webhook rows of instance `s`, received at `at`, processed or not.
async fn stored_rows(app: &TestApp, s: &Setup, n: usize, at: DateTime<Utc>, processed: bool) {
    use flow_server::entities::webhook_event;
    use sea_orm::{EntityTrait, Set};
    let rows: Vec<webhook_event::ActiveModel> = (0..n)
        .map(|i| webhook_event::ActiveModel {
            tenant_id: Set(Some(s.tenant.id)),
            instance_id: Set(Some(s.instance_id)),
            event: Set("messages.update".into()),
            body: Set(format!("{{\"n\": {i}}}")),
            received_at: Set(at),
            processed_at: Set(processed.then_some(at)),
            outcome: Set(Some(if processed { "duplicate" } else { "error" }.into())),
            error: Set(None),
            dedup_key: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in rows.chunks(400) {
        webhook_event::Entity::insert_many(chunk.to_vec())
            .exec(&app.state.db.write)
            .await
            .unwrap();
    }
}

async fn old_webhook_bodies_and_expired_sessions_are_pruned(app: TestApp) {
    use flow_server::auth::Role;
    use flow_server::dashboard::{session, users};
    use flow_server::service::instances::day;
    use flow_server::webhook::retention::{BATCH, PruneReport, prune_once};

    let s = setup(&app, 1, true).await;
    let now = Utc::now();
    let retention = Duration::from_secs(30 * 24 * 3600);
    let (old, older) = (
        now - chrono::Duration::days(40),
        now - chrono::Duration::days(41),
    );
    // Two real webhooks, received 40 days ago.
    for status in ["DELIVERY_ACK", "READ"] {
        let (code, body) = app
            .webhook(&s.hook(), &[], &receipt_v2(&s.name, "MSG-0", status))
            .await;
        assert_eq!((code, &body["status"]), (200, &json!("updated")));
    }
    app.state
        .db
        .write
        .execute_raw(stmt(
            app.state.db.backend(),
            "UPDATE webhook_event SET received_at = ?",
            vec![old.into()],
        ))
        .await
        .unwrap();
    // More than two batches of processed rows 41 days old; unprocessed ones just as old; and
    // processed ones still inside the retention.
    let many = 2 * BATCH + 7;
    stored_rows(&app, &s, many, older, true).await;
    stored_rows(&app, &s, 3, older, false).await;
    stored_rows(&app, &s, 4, now - chrono::Duration::days(29), true).await;
    // A session that expired, and one that has not.
    let user = users::create(
        &app.state.db,
        s.tenant.id,
        "ana@loja.com",
        "a long password",
        Role::Admin,
    )
    .await
    .unwrap();
    let expired = session::create(&app.state.db, &user).await.unwrap();
    let valid = session::create(&app.state.db, &user).await.unwrap();
    app.state
        .db
        .write
        .execute_raw(stmt(
            app.state.db.backend(),
            "UPDATE session SET expires_at = ? WHERE token_hash = ?",
            vec![
                (now - chrono::Duration::hours(1)).into(),
                flow_server::auth::token::hash(&expired).into(),
            ],
        ))
        .await
        .unwrap();

    let report = prune_once(&app.state.db, now, retention).await.unwrap();
    assert_eq!(
        report,
        PruneReport {
            events: 2 + many as u64,
            sessions: 1,
            import_reports: 0
        }
    );
    // Unprocessed events stay however old; recent ones stay.
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM webhook_event").await,
        7
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM webhook_event WHERE processed_at IS NULL"
        )
        .await,
        3
    );
    // The counts survive the bodies.
    let (t, i) = (s.tenant.id, s.instance_id);
    let update = "messages.update".to_string();
    assert_eq!(
        daily_counts(&app).await,
        vec![
            (
                day(older, chrono_tz::UTC),
                t,
                i,
                update.clone(),
                "duplicate".into(),
                many as i64
            ),
            (
                day(old, chrono_tz::UTC),
                t,
                i,
                update.clone(),
                "updated".into(),
                2
            ),
        ]
    );
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM session").await, 1);
    assert!(
        session::lookup(&app.state.db, &valid)
            .await
            .unwrap()
            .is_some()
    );

    // Later prunes add to the same day's counts; nothing left means nothing done.
    stored_rows(&app, &s, 5, older, true).await;
    let report = prune_once(&app.state.db, now, retention).await.unwrap();
    assert_eq!(
        report,
        PruneReport {
            events: 5,
            sessions: 0,
            import_reports: 0
        }
    );
    assert_eq!(daily_counts(&app).await[0].5, many as i64 + 5);
    let report = prune_once(&app.state.db, now, retention).await.unwrap();
    assert_eq!(report, PruneReport::default());
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM webhook_event").await,
        7
    );
}
