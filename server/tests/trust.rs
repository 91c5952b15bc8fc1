//! Trust at the edges (issue 8): one identity per person across the spellings of a Brazilian
//! mobile, opt-outs and sends that race on PostgreSQL, Evolution answers classified by what
//! they prove, webhook events that fail to apply are applied later, and a bounded inbox.
//! Races are forced with a transaction the test holds open on PostgreSQL (the interleaving
//! cannot happen on SQLite's single writer, where the same end state is set up directly).

mod common;

use std::time::Duration;

use chrono::Utc;
use common::evolution::{incoming, mark_sending, receipt_v2, record_sent, rows};
use common::sim::{Sim, fast, wait_until};
use common::{Backend, TestApp, spawn_with};
use evolution_sim::SimConfig;
use flow_server::domain::delivery::DeliveryStatus;
use flow_server::ingest::{Ctx, UNKNOWN_OUTCOME};
use flow_server::service::campaigns::recount;
use flow_server::sql::stmt;
use sea_orm::{ConnectionTrait, FromQueryResult, Statement, TransactionTrait};
use serde_json::{Value, json};

on_both_databases!(
    one_person_whichever_spelling_imports_first,
    an_opt_out_covers_every_spelling_of_the_number,
    stranded_pending_row_of_an_opted_out_person_does_not_block_completion,
    revoked_key_pauses_the_campaign_and_fails_nobody,
    instance_unknown_to_evolution_pauses_the_campaign,
    unknown_answer_waits_for_send_message_and_never_resends,
    an_event_that_fails_to_apply_is_applied_later,
    the_inbox_is_bounded_by_bytes_and_loses_nothing,
    evolution_calls_follow_no_redirect_and_read_a_bounded_answer,
);

/// Both databases, with the campaign sender off (the test plays it).
macro_rules! on_both_databases_without_sender {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(super::without_sender(super::common::Backend::Sqlite).await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name(super::without_sender(super::common::Backend::Postgres).await).await
            }
        }
    )*};
}

on_both_databases_without_sender!(
    a_spooled_message_is_recorded_when_the_sender_starts,
    a_claimed_contact_who_opts_out_is_not_sent,
    opt_out_racing_a_claim_counts_once,
    send_message_racing_the_stale_sweep_is_recorded_once,
    a_receipt_parked_while_its_id_is_recorded_is_applied,
);

async fn without_sender(backend: Backend) -> TestApp {
    spawn_with(backend, &[("FLOW_SENDER", "off")]).await
}

fn is_postgres(app: &TestApp) -> bool {
    matches!(app.backend, Backend::Postgres)
}

/// The campaign's counters equal a recount of its rows.
async fn assert_counters_true(app: &TestApp, token: &str, campaign_id: i64) {
    let (_, c) = app
        .get(token, &format!("/api/v1/campaigns/{campaign_id}"))
        .await;
    let stored = recount(&app.state.db.read, campaign_id).await.unwrap();
    assert_eq!(
        c["counts"],
        serde_json::to_value(&stored).unwrap(),
        "counters drifted from the rows"
    );
}

async fn import(app: &TestApp, token: &str, rows: Value) -> Value {
    let (status, body) = app.post(token, "/api/v1/contacts", rows).await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn contacts(app: &TestApp, token: &str) -> Vec<Value> {
    let (_, list) = app.get(token, "/api/v1/contacts?limit=1000").await;
    list.as_array().unwrap().clone()
}

async fn post_webhook(app: &TestApp, inst: &Value, body: &Value) -> (u16, Value) {
    let url = inst["webhook_url"].as_str().unwrap();
    let path = url.strip_prefix(&app.base).unwrap().to_string();
    app.webhook(&path, &[], body).await
}

/// Runs `sql` with `?` placeholders bound to `values`.
async fn exec_with(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) {
    app.state
        .db
        .write
        .execute_raw(stmt(app.state.db.backend(), sql, values))
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn exec(app: &TestApp, sql: &str) {
    app.state
        .db
        .write
        .execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn one_person_whichever_spelling_imports_first(app: TestApp) {
    let t = app.tenant("Loja").await;
    // With the ninth digit first, then without it (and the other way round).
    let first = import(
        &app,
        &t.token,
        json!([{"name": "Ana", "phone": "+55 11 98765-0001"}]),
    )
    .await;
    assert_eq!(first["created"], 1);
    let again = import(
        &app,
        &t.token,
        json!([{"name": "Ana Maria", "phone": "+55 11 8765-0001"}]),
    )
    .await;
    assert_eq!(
        (again["created"].clone(), again["updated"].clone()),
        (json!(0), json!(1))
    );
    import(
        &app,
        &t.token,
        json!([{"name": "Bia", "phone": "55 21 8877-0002"}]),
    )
    .await;
    let again = import(
        &app,
        &t.token,
        json!([{"name": "Bia", "phone": "55 21 98877-0002"}]),
    )
    .await;
    assert_eq!(again["created"], 0);
    // Both spellings in one file are one person too.
    let both = import(
        &app,
        &t.token,
        json!([{"name": "Caio", "phone": "5531987650003"}, {"name": "Caio", "phone": "553187650003"}]),
    )
    .await;
    assert_eq!(both["created"], 1);
    let list = contacts(&app, &t.token).await;
    assert_eq!(list.len(), 3, "{list:?}");
    assert_eq!(list[0]["name"], "Ana Maria");
    // Looking a contact up by either spelling finds it.
    for phone in ["5511987650001", "551187650001"] {
        let (_, found) = app
            .get(&t.token, &format!("/api/v1/contacts?phone={phone}"))
            .await;
        assert_eq!(found.as_array().unwrap().len(), 1, "{phone}");
    }
}

async fn an_opt_out_covers_every_spelling_of_the_number(app: TestApp) {
    let sim = Sim::start(SimConfig {
        optout_percent: 0,
        reply_percent: 0,
        ..fast(11)
    })
    .await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let name = "loja-01";
    // Imported with the ninth digit, opts out without it; and the other way round (stored with
    // it: Flow keeps a Brazilian mobile in its current form).
    import(
        &app,
        &t.token,
        json!([
            {"name": "Ana", "phone": "5511987650001"},
            {"name": "Bia", "phone": "552187650002"},
            {"name": "Caio", "phone": "5531987650003"},
        ]),
    )
    .await;
    // Twins imported before identities existed (two contacts, one person).
    for phone in ["5541987650004", "554187650004"] {
        exec_with(
            &app,
            "INSERT INTO contact (tenant_id, phone, phone_key, name, total_messages_received, created_at, updated_at) \
             VALUES (?, ?, '5541987650004', 'Dora', 0, ?, ?)",
            vec![t.id.into(), phone.into(), Utc::now().into(), Utc::now().into()],
        )
        .await;
    }
    for (phone, text) in [
        ("551187650001", "SAIR"),
        ("5521987650002", "parar"),
        ("554187650004", "Não quero"),
    ] {
        let (status, body) = post_webhook(
            &app,
            &inst,
            &incoming(name, phone, &format!("IN-{phone}"), text),
        )
        .await;
        assert_eq!(
            (status, body["status"].as_str()),
            (200, Some("opted_out")),
            "{phone}"
        );
    }
    let list = contacts(&app, &t.token).await;
    let opted: Vec<&str> = list
        .iter()
        .filter(|c| c["opted_out"] == true)
        .map(|c| c["phone"].as_str().unwrap())
        .collect();
    assert_eq!(
        opted,
        [
            "5511987650001",
            "5521987650002",
            "5541987650004",
            "554187650004"
        ],
        "every spelling of each person who opted out"
    );
    // A campaign to everybody messages only Caio, whatever the spelling of the others.
    let ids: Vec<i64> = list.iter().map(|c| c["id"].as_i64().unwrap()).collect();
    let instance_id = inst["id"].as_i64().unwrap();
    let id = app.start_campaign(&t, &[instance_id], &ids, 0).await;
    app.wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    let truth = sim.settle().await;
    assert_eq!(
        truth.sends_per_number.keys().collect::<Vec<_>>(),
        ["5531987650003"],
        "only the person who did not opt out was messaged"
    );
    // A later import of an opted-out number in its other spelling stays opted out.
    let again = import(
        &app,
        &t.token,
        json!([{"name": "Ana", "phone": "551187650001"}]),
    )
    .await;
    assert_eq!(again["created"], 0);
    assert_counters_true(&app, &t.token, id).await;
}

/// The campaign due for sending and its instance, as the sender sees them.
async fn due(
    app: &TestApp,
    campaign_id: i64,
) -> (
    flow_server::sender::claim::DueCampaign,
    flow_server::sender::claim::Available,
) {
    let campaign = flow_server::sender::claim::active_campaigns(&app.state.db, &app.base)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == campaign_id)
        .expect("active campaign");
    let instance = flow_server::sender::claim::available_instances(&app.state.db, campaign_id)
        .await
        .unwrap()
        .pop()
        .expect("open instance");
    (campaign, instance)
}

fn sender_deps(app: &TestApp) -> flow_server::sender::SenderDeps {
    flow_server::sender::SenderDeps {
        db: app.state.db.clone(),
        publisher: flow_server::live::publish::Publisher::start(
            app.state.db.clone(),
            app.state.bus.clone(),
            app.base.clone(),
            flow_server::readiness::Beat::default(),
        ),
        client: flow_server::evolution::client::EvolutionClient::new(
            flow_server::evolution::address::AddressPolicy::AllowPrivate,
        ),
        spool: flow_server::sender::spool::Spool::new(
            &std::env::temp_dir().join("flow-test-spool"),
        ),
        public_url: app.base.clone(),
        clicks: app.state.clicks.clone(),
    }
}

async fn a_claimed_contact_who_opts_out_is_not_sent(app: TestApp) {
    use flow_server::sender::claim::{Recheck, claim_next, recheck};
    let sim = Sim::start(fast(3)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    import(
        &app,
        &t.token,
        json!([{"name": "Ana", "phone": "5511987650001"}]),
    )
    .await;
    let ids: Vec<i64> = contacts(&app, &t.token)
        .await
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let id = app
        .start_campaign(&t, &[inst["id"].as_i64().unwrap()], &ids, 0)
        .await;
    let (campaign, instance) = due(&app, id).await;
    let claimed = claim_next(
        &app.state.db,
        &campaign,
        &instance,
        &[instance.id],
        Duration::from_secs(30),
    )
    .await
    .unwrap()
    .expect("a pending row");
    // Between the claim and the call, the person answers an earlier message with "SAIR",
    // from the other spelling of their number.
    let (status, body) = post_webhook(
        &app,
        &inst,
        &incoming("loja-01", "551187650001", "IN-1", "SAIR"),
    )
    .await;
    assert_eq!((status, body["status"].as_str()), (200, Some("opted_out")));
    let deps = sender_deps(&app);
    assert_eq!(recheck(&deps, &claimed).await.unwrap(), Recheck::OptedOut);
    let r = rows(&app, id).await;
    assert_eq!(r[0].status, "opted_out");
    assert_eq!(sim.truth().await.sent, 0, "nobody was messaged");
    wait_until(Duration::from_secs(5), || async {
        let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
        (c["counts"]["opted_out"] == 1).then_some(())
    })
    .await;
    assert_counters_true(&app, &t.token, id).await;
}

/// A tenant, an instance (no Evolution behind it), `n` contacts and an active campaign over
/// them; returns the tenant, the instance view and the campaign id.
async fn active_campaign(app: &TestApp, n: usize) -> (common::Tenant, Value, i64) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let instance_id = inst["id"].as_i64().unwrap();
    let ids = app.contacts(&t, n).await;
    let id = app.campaign(&t, instance_id, &ids).await;
    exec(
        app,
        &format!("UPDATE campaign SET status = 'active' WHERE id = {id}"),
    )
    .await;
    (t, inst, id)
}

async fn opt_out_racing_a_claim_counts_once(app: TestApp) {
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    let optout = incoming("loja-01", &row.phone, "IN-1", "SAIR");
    if is_postgres(&app) {
        // The sender's claim holds the row while the opt-out reads it as pending; the claim
        // commits first, so the opt-out's update finds it `sending`.
        let txn = app.state.db.write.begin().await.unwrap();
        txn.execute_unprepared(&format!(
            "UPDATE campaign_contact SET status = 'sending', instance_id = {instance_id} WHERE id = {}",
            row.id
        ))
        .await
        .unwrap();
        let posting = {
            let (app_base, client, inst) = (app.base.clone(), app.client.clone(), inst.clone());
            let body = optout.clone();
            tokio::spawn(async move {
                let url = inst["webhook_url"].as_str().unwrap().to_string();
                assert!(url.starts_with(&app_base));
                client.post(url).json(&body).send().await.unwrap().status()
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        txn.commit().await.unwrap();
        assert_eq!(posting.await.unwrap(), 200);
    } else {
        mark_sending(&app, row.id, instance_id).await;
        let (status, _) = post_webhook(&app, &inst, &optout).await;
        assert_eq!(status, 200);
    }
    // The claimed row is left to the sender's re-check; nothing was counted for it.
    assert_eq!(rows(&app, id).await[0].status, "sending");
    assert_counters_true(&app, &t.token, id).await;
}

/// What the sender's stale sweep does to a row left `sending`, in `txn`.
async fn stale_sweep(
    txn: &sea_orm::DatabaseTransaction,
    row_id: i64,
    campaign_id: i64,
    instance_id: i64,
) {
    let now = Utc::now();
    txn.execute_raw(stmt(
        txn.get_database_backend(),
        "UPDATE campaign_contact SET status = 'failed', failed_at = ?, error = ? \
         WHERE id = ? AND status = 'sending'",
        vec![now.into(), UNKNOWN_OUTCOME.into(), row_id.into()],
    ))
    .await
    .unwrap();
    let mut ctx = Ctx::new(txn, now);
    ctx.effects.transition(
        campaign_id,
        Some(instance_id),
        DeliveryStatus::Sending,
        DeliveryStatus::Failed,
    );
    ctx.effects.flush(txn, now).await.unwrap();
}

async fn send_message_racing_the_stale_sweep_is_recorded_once(app: TestApp) {
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    let send_message = json!({
        "event": "send.message",
        "instance": "loja-01",
        "data": {
            "key": {"remoteJid": format!("{}@s.whatsapp.net", row.phone), "fromMe": true, "id": "MSG-1"},
            "message": {"conversation": "Olá"},
            "messageType": "conversation",
            "messageTimestamp": 1761055392,
            "status": "PENDING"
        },
        "date_time": "2025-10-21T10:23:14.512Z",
        "server_url": "http://evolution:8080",
        "apikey": null
    });
    // The stale sweep fails the row (outcome unknown) as the link arrives.
    if is_postgres(&app) {
        let txn = app.state.db.write.begin().await.unwrap();
        stale_sweep(&txn, row.id, id, instance_id).await;
        let posting = {
            let (client, inst, body) = (app.client.clone(), inst.clone(), send_message.clone());
            tokio::spawn(async move {
                let url = inst["webhook_url"].as_str().unwrap().to_string();
                client.post(url).json(&body).send().await.unwrap().status()
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        txn.commit().await.unwrap();
        assert_eq!(posting.await.unwrap(), 200);
    } else {
        let txn = app.state.db.write.begin().await.unwrap();
        stale_sweep(&txn, row.id, id, instance_id).await;
        txn.commit().await.unwrap();
        let (status, _) = post_webhook(&app, &inst, &send_message).await;
        assert_eq!(status, 200);
    }
    // Evolution proved it was sent: the failure is taken back, and counted once.
    let (_, recipients) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/contacts"))
        .await;
    assert_eq!(recipients[0]["status"], "sent", "{recipients}");
    assert_eq!(recipients[0]["whatsapp_message_id"], "MSG-1");
    assert_counters_true(&app, &t.token, id).await;
}

async fn a_receipt_parked_while_its_id_is_recorded_is_applied(app: TestApp) {
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    let read = receipt_v2("loja-01", "MSG-1", "READ");
    if is_postgres(&app) {
        // The sender records the id in a transaction that has already looked for parked
        // receipts; the READ arrives before that transaction commits, finds no row with the
        // id (not committed yet) and is parked.
        let txn = app.state.db.write.begin().await.unwrap();
        let now = Utc::now();
        let mut ctx = Ctx::new(&txn, now);
        assert!(
            flow_server::ingest::attach_message_id(&mut ctx, row.id, instance_id, "MSG-1")
                .await
                .unwrap()
        );
        ctx.effects.flush(&txn, now).await.unwrap();
        let posting = {
            let (client, inst, body) = (app.client.clone(), inst.clone(), read.clone());
            tokio::spawn(async move {
                let url = inst["webhook_url"].as_str().unwrap().to_string();
                let res = client.post(url).json(&body).send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        };
        tokio::time::sleep(Duration::from_millis(500)).await;
        txn.commit().await.unwrap();
        let (status, body) = posting.await.unwrap();
        assert_eq!((status, body["status"].as_str()), (200, Some("unmatched")));
    } else {
        // SQLite has one writer: the end state of that interleaving, set up directly.
        record_sent(&app, row.id, instance_id, "MSG-1").await;
        exec_with(
            &app,
            "INSERT INTO pending_receipt (tenant_id, instance_id, whatsapp_message_id, status, received_at) \
             VALUES (?, ?, 'MSG-1', 'read', ?)",
            vec![t.id.into(), instance_id.into(), Utc::now().into()],
        )
        .await;
    }
    // The acknowledged READ is applied within seconds.
    wait_until(Duration::from_secs(10), || async {
        let r = rows(&app, id).await;
        (r[0].status == "read").then_some(())
    })
    .await;
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let left = N::find_by_statement(Statement::from_string(
        app.state.db.backend(),
        "SELECT COUNT(*) AS n FROM pending_receipt",
    ))
    .one(&app.state.db.read)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(left.n, 0);
    wait_until(Duration::from_secs(5), || async {
        let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
        (c["counts"]["read"] == 1).then_some(())
    })
    .await;
    assert_counters_true(&app, &t.token, id).await;
}

async fn stranded_pending_row_of_an_opted_out_person_does_not_block_completion(app: TestApp) {
    let sim = Sim::start(SimConfig {
        optout_percent: 0,
        ..fast(5)
    })
    .await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let ids = app.contacts(&t, 3).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let id = app.campaign(&t, instance_id, &ids).await;
    // A row put back to pending (Evolution refused the send) after its contact opted out.
    exec_with(
        &app,
        "UPDATE contact SET opted_out_at = ? WHERE id = ?",
        vec![Utc::now().into(), ids[0].into()],
    )
    .await;
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let c = app
        .wait_status(&t, id, "completed", Duration::from_secs(20))
        .await;
    assert_eq!(c["counts"]["opted_out"], 1);
    assert_eq!(sim.settle().await.sent, 2);
    assert_counters_true(&app, &t.token, id).await;
}

/// Starts a campaign over 10 contacts on a simulator instance after `action` was applied to
/// it there; waits for the pause and returns (tenant, campaign view, instance id).
async fn paused_by(app: &TestApp, action: &str, reason: &str) -> (common::Tenant, Value, i64) {
    let sim = Sim::start(fast(9)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let instance_id = inst["id"].as_i64().unwrap();
    let ids = app.contacts(&t, 10).await;
    sim.control("loja-01", action).await;
    let id = app.start_campaign(&t, &[instance_id], &ids, 0).await;
    let c = app
        .wait_status(&t, id, "paused", Duration::from_secs(20))
        .await;
    assert_eq!(c["pause_reason"], reason, "{c}");
    assert_eq!(c["counts"]["failed"], 0, "the contacts are not to blame");
    assert_eq!(
        c["counts"]["pending"], 10,
        "every contact waits for the fix"
    );
    let truth = sim.truth().await;
    assert_eq!(truth.sent, 0);
    assert_eq!(
        truth.refused_instance, 1,
        "one try, then the campaign stopped"
    );
    let (_, logs) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/logs?limit=1"))
        .await;
    assert_eq!(logs[0]["log_type"], reason);
    assert_eq!(logs[0]["severity"], "critical");
    assert_counters_true(app, &t.token, id).await;
    (t, c, instance_id)
}

async fn revoked_key_pauses_the_campaign_and_fails_nobody(app: TestApp) {
    let (t, _, instance_id) = paused_by(&app, "revoke-key", "evolution_auth_failed").await;
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    let inst = &list.as_array().unwrap()[0];
    assert_eq!(inst["id"], instance_id);
    assert_eq!(inst["connection_state"], "auth_failed");
    assert_eq!(inst["active"], false);
}

async fn instance_unknown_to_evolution_pauses_the_campaign(app: TestApp) {
    let (t, _, _) = paused_by(&app, "delete", "evolution_instance_missing").await;
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(list[0]["connection_state"], "missing");
}

async fn unknown_answer_waits_for_send_message_and_never_resends(app: TestApp) {
    let sim = Sim::start(SimConfig {
        optout_percent: 0,
        error_percent: 0,
        ..fast(13)
    })
    .await;
    let t = app.tenant("Loja").await;
    let a = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let b = app.sim_instance(&t, &sim, "loja-02", "v2").await;
    // loja-01's sends go out, but Evolution answers 500 with an unrelated error.
    sim.control("loja-01", "lose-answers").await;
    let ids = app.contacts(&t, 6).await;
    let instances = [a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap()];
    let id = app.start_campaign(&t, &instances, &ids, 0).await;
    app.wait_status(&t, id, "completed", Duration::from_secs(30))
        .await;
    let truth = sim.settle().await;
    assert_eq!(
        (truth.sent, truth.not_on_whatsapp),
        (5, 1),
        "5511980000000 is not on WhatsApp: {truth:?}"
    );
    assert!(
        truth.sends_per_number.values().all(|n| *n == 1),
        "a send with an unknown outcome was sent again: {truth:?}"
    );
    // Every message was recorded through Evolution's send.message webhook or the answer.
    let c = wait_until(Duration::from_secs(10), || async {
        let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
        (c["counts"]["sent"] == 5).then_some(c)
    })
    .await;
    assert_eq!(
        c["counts"]["failed"], 1,
        "only the number without WhatsApp: {c}"
    );
    assert_counters_true(&app, &t.token, id).await;
}

async fn an_event_that_fails_to_apply_is_applied_later(app: TestApp) {
    use flow_server::webhook::reprocess;
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    record_sent(&app, row.id, instance_id, "MSG-1").await;
    // Any update of a campaign contact fails (a bug, a bad migration…) while the receipt
    // arrives.
    let (add, drop) = if is_postgres(&app) {
        (
            vec![
                "CREATE FUNCTION flow_test_boom() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER flow_test_boom BEFORE UPDATE ON campaign_contact FOR EACH ROW EXECUTE FUNCTION flow_test_boom()",
            ],
            "DROP TRIGGER flow_test_boom ON campaign_contact",
        )
    } else {
        (
            vec![
                "CREATE TRIGGER flow_test_boom BEFORE UPDATE ON campaign_contact BEGIN SELECT RAISE(ABORT, 'boom'); END",
            ],
            "DROP TRIGGER flow_test_boom",
        )
    };
    for sql in add {
        exec(&app, sql).await;
    }
    let (status, body) =
        post_webhook(&app, &inst, &receipt_v2("loja-01", "MSG-1", "DELIVERY_ACK")).await;
    assert_eq!(status, 200, "stored durably for the reprocessor: {body}");
    assert_eq!(rows(&app, id).await[0].status, "sent");
    assert_eq!(reprocess::unprocessed(&app.state.db).await.unwrap(), 1);
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(
        list[0]["unprocessed_events"], 1,
        "shown on the instances page"
    );
    // Still failing: retried later, not lost.
    let pass = reprocess::run_once(&app.state.db, None, Utc::now(), true)
        .await
        .unwrap();
    assert_eq!((pass.applied, pass.failed), (0, 1));
    exec(&app, drop).await;
    // Not due yet without force (backoff), then applied.
    let pass = reprocess::run_once(&app.state.db, None, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!(pass.applied, 0);
    let later = Utc::now() + chrono::Duration::hours(2);
    let pass = reprocess::run_once(&app.state.db, None, later, false)
        .await
        .unwrap();
    assert_eq!(pass.applied, 1);
    assert_eq!(rows(&app, id).await[0].status, "delivered");
    assert_eq!(reprocess::unprocessed(&app.state.db).await.unwrap(), 0);
    let (_, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(list[0]["unprocessed_events"], 0);
    assert_counters_true(&app, &t.token, id).await;
}

async fn the_inbox_is_bounded_by_bytes_and_loses_nothing(app: TestApp) {
    let app = spawn_with(
        app.backend,
        &[
            ("FLOW_WEBHOOK_MAX_BYTES", "4096"),
            ("FLOW_INBOX_MAX_BYTES", "8192"),
            ("FLOW_SENDER", "off"),
        ],
    )
    .await;
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    record_sent(&app, row.id, instance_id, "MSG-1").await;
    // Hold the writer: the database is busy with another transaction (SQLite has one
    // writer; on PostgreSQL the inbox's table is locked).
    let txn = app.state.db.write.begin().await.unwrap();
    txn.execute_unprepared(if is_postgres(&app) {
        "LOCK TABLE webhook_event IN EXCLUSIVE MODE"
    } else {
        "UPDATE tenant SET name = name"
    })
    .await
    .unwrap();
    let mut body = receipt_v2("loja-01", "MSG-1", "DELIVERY_ACK");
    body["padding"] = json!("x".repeat(3000));
    let mut posts = Vec::new();
    for _ in 0..6 {
        let (client, inst, body) = (app.client.clone(), inst.clone(), body.clone());
        posts.push(tokio::spawn(async move {
            let url = inst["webhook_url"].as_str().unwrap().to_string();
            client
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    txn.commit().await.unwrap();
    let mut codes = Vec::new();
    for p in posts {
        codes.push(p.await.unwrap());
    }
    let accepted = codes.iter().filter(|c| **c == 200).count();
    let refused = codes.iter().filter(|c| **c == 503).count();
    assert_eq!(accepted + refused, 6, "{codes:?}");
    assert!(refused >= 3, "about 8 KiB of bodies may wait: {codes:?}");
    assert!(accepted >= 1, "{codes:?}");
    #[derive(FromQueryResult)]
    struct N {
        n: i64,
    }
    let stored = N::find_by_statement(Statement::from_string(
        app.state.db.backend(),
        "SELECT COUNT(*) AS n FROM webhook_event WHERE event = 'messages.update'",
    ))
    .one(&app.state.db.read)
    .await
    .unwrap()
    .unwrap();
    assert_eq!(
        stored.n as usize, accepted,
        "every acknowledged webhook was stored"
    );
    // Once the writer caught up, webhooks are taken again.
    let (status, _) = post_webhook(&app, &inst, &receipt_v2("loja-01", "MSG-1", "READ")).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&app, id).await[0].status, "read");
    assert_counters_true(&app, &t.token, id).await;
}

/// A fake Evolution that redirects every call to a second server (which would receive the
/// api key if the redirect were followed) and answers connection states with 5 MiB.
async fn evolution_calls_follow_no_redirect_and_read_a_bounded_answer(app: TestApp) {
    use axum::routing::{any, get};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    let stolen = Arc::new(AtomicU32::new(0));
    let thief = {
        let stolen = stolen.clone();
        axum::Router::new().fallback(any(move || {
            let stolen = stolen.clone();
            async move {
                stolen.fetch_add(1, Ordering::SeqCst);
                "got it"
            }
        }))
    };
    let thief_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let thief_addr = thief_listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(thief_listener, thief).await });
    let evolution = axum::Router::new()
        .route(
            "/instance/connectionState/{name}",
            get(|| async { "x".repeat(5 * 1024 * 1024) }),
        )
        .fallback(any(move || async move {
            axum::response::Redirect::temporary(&format!("http://{thief_addr}/steal"))
        }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let evolution_addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, evolution).await });

    let t = app.tenant("Loja").await;
    let api_url = format!("http://{evolution_addr}");
    // Asking Evolution for its version meets the redirect: refused, not followed.
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/instances",
            json!({"instance_name": "loja-01", "api_url": api_url, "api_key": "secret-key"}),
        )
        .await;
    assert_eq!(status, 502, "{body}");
    let (status, inst) = app
        .post(
            &t.token,
            "/api/v1/instances",
            json!({"instance_name": "loja-01", "api_url": api_url, "api_key": "secret-key", "api_version": "v2"}),
        )
        .await;
    assert_eq!(status, 201, "{inst}");
    let id = inst["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &t.token,
            &format!("/api/v1/instances/{id}/webhook"),
            json!({}),
        )
        .await;
    assert_eq!(status, 502, "{body}");
    let (status, body) = app
        .post(
            &t.token,
            &format!("/api/v1/instances/{id}/refresh"),
            json!({}),
        )
        .await;
    assert_eq!(status, 502, "a 5 MiB answer is not read: {body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.chars().count() < 300, "a short message: {message}");
    assert_eq!(stolen.load(Ordering::SeqCst), 0, "no redirect was followed");
}

/// PostgreSQL only (the condition is PostgreSQL's): an event that cannot take its row in time
/// (lock_not_available, 55P03) is answered 503 so that Evolution retries it, not stored as
/// failed; the retry applies it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_lock_timeout_is_answered_503_and_the_retry_applies() {
    let url = common::fresh_database_url(Backend::Postgres).await;
    let name = url.rsplit('/').next().unwrap().to_string();
    let admin = sea_orm::Database::connect(format!("{}/postgres", common::pg_base()))
        .await
        .unwrap();
    admin
        .execute_unprepared(&format!(
            "ALTER DATABASE \"{name}\" SET lock_timeout = '300ms'"
        ))
        .await
        .unwrap();
    let app = common::spawn_on(Backend::Postgres, &url, &[("FLOW_SENDER", "off")]).await;
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    record_sent(&app, row.id, instance_id, "MSG-1").await;
    // Another transaction holds the row longer than the lock timeout.
    let other = sea_orm::Database::connect(&url).await.unwrap();
    let txn = other.begin().await.unwrap();
    txn.execute_unprepared(&format!(
        "SELECT id FROM campaign_contact WHERE id = {} FOR UPDATE",
        row.id
    ))
    .await
    .unwrap();
    let delivered = receipt_v2("loja-01", "MSG-1", "DELIVERY_ACK");
    let (status, body) = post_webhook(&app, &inst, &delivered).await;
    assert_eq!(status, 503, "{body}");
    txn.commit().await.unwrap();
    assert_eq!(
        flow_server::webhook::reprocess::unprocessed(&app.state.db)
            .await
            .unwrap(),
        0,
        "nothing was stored as failed"
    );
    let (status, body) = post_webhook(&app, &inst, &delivered).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("updated")));
    assert_eq!(rows(&app, id).await[0].status, "delivered");
    assert_counters_true(&app, &t.token, id).await;
}

/// A message Evolution accepted while the database was away, spooled by a process that then
/// stopped: the next process records it (the row is `sending`, or already swept as failed
/// "check before resending") and drops it from the spool.
async fn a_spooled_message_is_recorded_when_the_sender_starts(app: TestApp) {
    use flow_server::sender::spool::{Spool, Unrecorded};
    let (t, inst, id) = active_campaign(&app, 2).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let r = rows(&app, id).await;
    mark_sending(&app, r[0].id, instance_id).await;
    mark_sending(&app, r[1].id, instance_id).await;
    // The stale sweep already failed the second one.
    let txn = app.state.db.write.begin().await.unwrap();
    stale_sweep(&txn, r[1].id, id, instance_id).await;
    txn.commit().await.unwrap();
    exec(
        &app,
        &format!("UPDATE campaign SET status = 'paused' WHERE id = {id}"),
    )
    .await;
    let dir = std::env::temp_dir().join(format!("flow-spool-{}", rand::random::<u32>()));
    let spool = Spool::new(&dir);
    for (row, message_id) in [(&r[0], "MSG-A"), (&r[1], "MSG-B")] {
        spool
            .add(&Unrecorded {
                campaign_contact_id: row.id,
                campaign_id: id,
                instance_id,
                message_id: message_id.into(),
            })
            .await
            .unwrap();
    }
    let dir_text = dir.to_string_lossy().to_string();
    let _next = common::spawn_on(
        app.backend,
        &app.database_url,
        &[("FLOW_SPOOL_DIR", &dir_text)],
    )
    .await;
    wait_until(Duration::from_secs(10), || async {
        let r = rows(&app, id).await;
        (r[0].status == "sent" && r[1].status == "sent").then_some(())
    })
    .await;
    let (_, recipients) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/contacts"))
        .await;
    let ids: Vec<&str> = recipients
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["whatsapp_message_id"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(ids, ["MSG-A", "MSG-B"]);
    assert!(spool.entries().await.unwrap().is_empty());
    assert_counters_true(&app, &t.token, id).await;
    std::fs::remove_dir_all(&dir).ok();
}

on_both_databases!(
    a_person_is_one_recipient_whatever_the_list_says,
    concurrent_imports_of_both_spellings_make_one_contact,
    an_old_failure_is_not_taken_back_by_a_later_message,
    poison_events_do_not_hide_newer_ones_from_the_reprocessor,
);

on_both_databases_without_sender!(a_row_claimed_when_its_campaign_is_cancelled_ends_cancelled);

async fn a_person_is_one_recipient_whatever_the_list_says(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let instance_id = inst["id"].as_i64().unwrap();
    import(
        &app,
        &t.token,
        json!([{"name": "Ana", "phone": "5511987650001"}]),
    )
    .await;
    // A legacy twin of Ana (before identities existed).
    exec_with(
        &app,
        "INSERT INTO contact (tenant_id, phone, phone_key, name, total_messages_received, created_at, updated_at) \
         VALUES (?, '551187650001', '5511987650001', 'Ana', 0, ?, ?)",
        vec![t.id.into(), Utc::now().into(), Utc::now().into()],
    )
    .await;
    let ids: Vec<i64> = contacts(&app, &t.token)
        .await
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    // Both twins by id: one recipient.
    let by_ids = app.campaign(&t, instance_id, &ids).await;
    assert_eq!(rows(&app, by_ids).await.len(), 1);
    // A pasted list in the other spelling finds the person.
    let input = app::types::NewCampaign {
        name: "Pasted".into(),
        message: "Oi".into(),
        instance_ids: vec![instance_id],
        contact_ids: None,
        all_contacts: false,
        list_ids: None,
        exclude_list_ids: None,
        settings: None,
        variants: Vec::new(),
        media: None,
        poll: None,
        send_at_best_hour: false,
        track_links: None,
        utm: None,
    };
    let view = flow_server::dashboard::new_campaign::create(
        &app.state.db,
        t.id,
        input,
        "Ana;+55 11 8765-0001",
    )
    .await
    .unwrap();
    assert_eq!(view.counts.total, 1, "{view:?}");
}

async fn concurrent_imports_of_both_spellings_make_one_contact(app: TestApp) {
    let t = app.tenant("Loja").await;
    for round in 0..5 {
        let (a, b) = (
            format!("55119876500{round:02}"),
            format!("5511876500{round:02}"),
        );
        let (ra, rb) = tokio::join!(
            app.post(
                &t.token,
                "/api/v1/contacts",
                json!([{"name": "A", "phone": a}])
            ),
            app.post(
                &t.token,
                "/api/v1/contacts",
                json!([{"name": "B", "phone": b}])
            ),
        );
        assert_eq!((ra.0, rb.0), (200, 200));
    }
    assert_eq!(
        contacts(&app, &t.token).await.len(),
        5,
        "one contact per person"
    );
}

async fn an_old_failure_is_not_taken_back_by_a_later_message(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let instance_id = inst["id"].as_i64().unwrap();
    let ids = app.contacts(&t, 1).await;
    let id = app.campaign(&t, instance_id, &ids).await;
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    let txn = app.state.db.write.begin().await.unwrap();
    stale_sweep(&txn, row.id, id, instance_id).await;
    txn.commit().await.unwrap();
    // The sweep failed it two hours ago; now an operator types to the person on the phone.
    exec_with(
        &app,
        "UPDATE campaign_contact SET failed_at = ? WHERE id = ?",
        vec![
            (Utc::now() - chrono::Duration::hours(2)).into(),
            row.id.into(),
        ],
    )
    .await;
    let body = json!({
        "event": "send.message",
        "instance": "loja-01",
        "data": {
            "key": {"remoteJid": format!("{}@s.whatsapp.net", row.phone), "fromMe": true, "id": "TYPED-1"},
            "message": {"conversation": "Oi, tudo bem?"},
            "messageType": "conversation",
            "messageTimestamp": 1761055392,
            "status": "PENDING"
        },
        "apikey": null
    });
    let (status, _) = post_webhook(&app, &inst, &body).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&app, id).await[0].status, "failed");
    assert_counters_true(&app, &t.token, id).await;
}

async fn poison_events_do_not_hide_newer_ones_from_the_reprocessor(app: TestApp) {
    use flow_server::webhook::reprocess;
    let (t, inst, id) = active_campaign(&app, 1).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let row = &rows(&app, id).await[0];
    mark_sending(&app, row.id, instance_id).await;
    record_sent(&app, row.id, instance_id, "MSG-1").await;
    let later = Utc::now() + chrono::Duration::hours(1);
    // 250 events that can never apply, retried in an hour, then one that can, due now.
    for _ in 0..250 {
        exec_with(
            &app,
            "INSERT INTO webhook_event (tenant_id, instance_id, event, body, received_at, outcome, error, attempts, next_attempt_at) \
             VALUES (?, ?, 'unknown', 'not json', ?, 'error', 'boom', 3, ?)",
            vec![t.id.into(), instance_id.into(), Utc::now().into(), later.into()],
        )
        .await;
    }
    let good = receipt_v2("loja-01", "MSG-1", "DELIVERY_ACK").to_string();
    exec_with(
        &app,
        "INSERT INTO webhook_event (tenant_id, instance_id, event, body, received_at, outcome, error, attempts) \
         VALUES (?, ?, 'messages.update', ?, ?, 'error', 'boom', 1)",
        vec![t.id.into(), instance_id.into(), good.into(), Utc::now().into()],
    )
    .await;
    let pass = reprocess::run_once(&app.state.db, None, Utc::now(), false)
        .await
        .unwrap();
    assert_eq!((pass.applied, pass.failed), (1, 0), "{pass:?}");
    assert_eq!(rows(&app, id).await[0].status, "delivered");
    // Forced, every poison event is tried (and fails again), none hides another.
    let pass = reprocess::run_once(&app.state.db, None, Utc::now(), true)
        .await
        .unwrap();
    assert_eq!((pass.applied, pass.failed), (0, 250), "{pass:?}");
}

async fn a_row_claimed_when_its_campaign_is_cancelled_ends_cancelled(app: TestApp) {
    use flow_server::sender::claim::{Recheck, claim_next, recheck};
    let sim = Sim::start(fast(4)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let ids = app.contacts(&t, 2).await;
    let id = app
        .start_campaign(&t, &[inst["id"].as_i64().unwrap()], &ids, 0)
        .await;
    let (campaign, instance) = due(&app, id).await;
    let claimed = claim_next(
        &app.state.db,
        &campaign,
        &instance,
        &[instance.id],
        Duration::from_secs(30),
    )
    .await
    .unwrap()
    .expect("a pending row");
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let deps = sender_deps(&app);
    assert_eq!(recheck(&deps, &claimed).await.unwrap(), Recheck::Stopped);
    let statuses: Vec<String> = rows(&app, id).await.into_iter().map(|r| r.status).collect();
    assert_eq!(statuses, ["cancelled", "cancelled"]);
    let c = wait_until(Duration::from_secs(5), || async {
        let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
        (c["counts"]["cancelled"] == 2).then_some(c)
    })
    .await;
    assert_eq!(c["counts"]["pending"], 0);
    assert_counters_true(&app, &t.token, id).await;
    assert_eq!(sim.truth().await.sent, 0);
}
