//! Audience and consent over HTTP, on SQLite and PostgreSQL: lists and campaigns over lists,
//! opt-out / opt-in by hand with their audit log, erasure (the whole database is searched for
//! the person afterwards), CSV import jobs (encodings, separators, Portuguese headers, invalid
//! rows, 200k rows), contact search and detail, and the replies of a campaign.

mod common;

use std::time::Duration;

use common::evolution::{incoming, record_sent, rows};
use common::{Backend, Tenant, TestApp};
use flow_server::auth::Role;
use flow_server::service::users;
use reqwest::header::COOKIE;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

on_both_databases!(
    lists_and_campaigns_over_lists,
    opt_out_and_opt_in_by_hand_are_audited,
    erasure_leaves_no_trace_and_keeps_the_number_suppressed,
    import_job_reads_spreadsheets_and_reports,
    import_job_of_200k_rows,
    search_detail_and_replies,
    contact_pages_render_and_upload_without_javascript,
    lists_fill_from_a_search_by_hand_and_an_upload,
);

const PASSWORD: &str = "correct horse battery";

/// A viewer's session cookie.
async fn viewer(app: &TestApp, tenant: &Tenant) -> String {
    session(app, tenant, "vera@loja.com", Role::Viewer).await
}

/// The session cookie of a new user of `tenant`.
async fn session(app: &TestApp, tenant: &Tenant, email: &str, role: Role) -> String {
    users::create(&app.state.db, tenant.id, email, PASSWORD, role)
        .await
        .expect("user created");
    app.try_login(email, PASSWORD).await.1.expect("logged in")
}

/// A request with a session cookie; the status.
async fn as_viewer(app: &TestApp, cookie: &str, method: &str, path: &str, body: Value) -> u16 {
    app.with_cookie(cookie, method, path, Some(body)).await.0
}

async fn new_list(app: &TestApp, t: &Tenant, name: &str, ids: &[i64]) -> i64 {
    let (status, list) = app
        .post(&t.token, "/api/v1/lists", json!({"name": name}))
        .await;
    assert_eq!(status, 201, "{list}");
    let id = list["id"].as_i64().unwrap();
    if !ids.is_empty() {
        let (status, body) = app
            .post(
                &t.token,
                &format!("/api/v1/lists/{id}/contacts"),
                json!({"contact_ids": ids}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    id
}

async fn campaign_over(app: &TestApp, t: &Tenant, instance: i64, audience: Value) -> (u16, Value) {
    let mut body = json!({
        "name": "Lists",
        "message": "Oi {{nome}}",
        "instance_ids": [instance],
        "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
    });
    for (k, v) in audience.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post(&t.token, "/api/v1/campaigns", body).await
}

/// Contact ids of a campaign's rows with their status, by contact id.
async fn recipients(app: &TestApp, campaign_id: i64) -> Vec<(i64, String)> {
    let mut out: Vec<(i64, String)> = rows(app, campaign_id)
        .await
        .into_iter()
        .map(|r| (r.contact_id, r.status))
        .collect();
    out.sort();
    out
}

async fn lists_and_campaigns_over_lists(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await["id"].as_i64().unwrap();
    let ids = app.contacts(&t, 6).await;
    // Contact 5 opted out (by hand).
    let (status, body) = app
        .post(
            &t.token,
            &format!("/api/v1/contacts/{}/opt-out", ids[5]),
            json!({"reason": "pediu por telefone"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let a = new_list(&app, &t, "Clientes SP", &ids[0..3]).await;
    let b = new_list(&app, &t, "Clientes RJ", &[ids[2], ids[3], ids[5]]).await;
    let vip = new_list(&app, &t, "Excluir", &[ids[1]]).await;

    // Names are unique per tenant; renaming and listing.
    let (status, _) = app
        .post(&t.token, "/api/v1/lists", json!({"name": "Clientes SP"}))
        .await;
    assert_eq!(status, 409);
    let (status, _) = app
        .post(&t.token, "/api/v1/lists", json!({"name": "  "}))
        .await;
    assert_eq!(status, 422);
    let (status, renamed) = app
        .patch(
            &t.token,
            &format!("/api/v1/lists/{vip}"),
            json!({"name": "Não enviar"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(renamed["name"], "Não enviar");
    let (_, all) = app.get(&t.token, "/api/v1/lists").await;
    let counts: Vec<(String, i64)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap().to_string(),
                l["contacts"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        vec![
            ("Clientes RJ".into(), 3),
            ("Clientes SP".into(), 3),
            ("Não enviar".into(), 1)
        ]
    );
    // Adding twice changes nothing; keyset pages of the members.
    let (_, changed) = app
        .post(
            &t.token,
            &format!("/api/v1/lists/{a}/contacts"),
            json!({"contact_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(changed, json!({"changed": 0, "contacts": 3}));
    let (_, page) = app
        .get(&t.token, &format!("/api/v1/lists/{a}/contacts?limit=2"))
        .await;
    assert_eq!(page.as_array().unwrap().len(), 2);
    let cursor = page[1]["id"].as_i64().unwrap();
    let (_, rest) = app
        .get(
            &t.token,
            &format!("/api/v1/lists/{a}/contacts?limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(rest.as_array().unwrap().len(), 1);
    assert_eq!(rest[0]["id"], ids[2]);

    // The live count: union of A and B (0,1,2,3,5) minus the excluded list (1).
    let (status, count) = app
        .get(
            &t.token,
            &format!("/api/v1/audience?list_ids={a},{b}&exclude_list_ids={vip}"),
        )
        .await;
    assert_eq!(status, 200, "{count}");
    assert_eq!(count, json!({"contacts": 4, "opted_out": 1}));
    let (_, everyone) = app.get(&t.token, "/api/v1/audience").await;
    assert_eq!(everyone, json!({"contacts": 6, "opted_out": 1}));

    let (status, c) = campaign_over(
        &app,
        &t,
        inst,
        json!({"list_ids": [a, b], "exclude_list_ids": [vip]}),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["counts"]["total"], 4);
    assert_eq!(c["counts"]["opted_out"], 1);
    assert_eq!(c["counts"]["pending"], 3);
    let cid = c["id"].as_i64().unwrap();
    assert_eq!(
        recipients(&app, cid).await,
        vec![
            (ids[0], "pending".to_string()),
            (ids[2], "pending".to_string()),
            (ids[3], "pending".to_string()),
            (ids[5], "opted_out".to_string()),
        ]
    );
    // Recipients are frozen: list changes after creation do not move them.
    app.call(
        &t.token,
        "DELETE",
        &format!("/api/v1/lists/{a}/contacts"),
        Some(json!({"contact_ids": [ids[0]]})),
    )
    .await;
    assert_eq!(recipients(&app, cid).await.len(), 4);

    // All contacts minus a list.
    let (status, c) = campaign_over(
        &app,
        &t,
        inst,
        json!({"all_contacts": true, "exclude_list_ids": [b]}),
    )
    .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["counts"]["total"], 3);

    // Wrong combinations and other tenants' lists are refused.
    for audience in [
        json!({"list_ids": [a], "all_contacts": true}),
        json!({"list_ids": []}),
        json!({"contact_ids": [ids[0]], "exclude_list_ids": [a]}),
        json!({"list_ids": [999_999]}),
    ] {
        let (status, body) = campaign_over(&app, &t, inst, audience.clone()).await;
        assert_eq!(status, 422, "{audience}: {body}");
    }
    let other = app.tenant("Outra").await;
    let (status, _) = app.get(&other.token, &format!("/api/v1/lists/{a}")).await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post(
            &other.token,
            &format!("/api/v1/lists/{a}/contacts"),
            json!({"contact_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(status, 404);
    let own = new_list(&app, &other, "Minha", &[]).await;
    let (status, _) = app
        .post(
            &other.token,
            &format!("/api/v1/lists/{own}/contacts"),
            json!({"contact_ids": [ids[0]]}),
        )
        .await;
    assert_eq!(status, 422, "another tenant's contact");
    let (_, theirs) = app.get(&other.token, "/api/v1/lists").await;
    assert_eq!(theirs.as_array().unwrap().len(), 1);

    // Viewers read but do not change.
    let cookie = viewer(&app, &t).await;
    assert_eq!(
        as_viewer(&app, &cookie, "GET", "/api/v1/lists", Value::Null).await,
        200
    );
    assert_eq!(
        as_viewer(&app, &cookie, "POST", "/api/v1/lists", json!({"name": "x"})).await,
        403
    );
    assert_eq!(
        as_viewer(
            &app,
            &cookie,
            "DELETE",
            &format!("/api/v1/lists/{a}"),
            Value::Null
        )
        .await,
        403
    );

    // Deleting a list keeps its contacts and the campaigns made from it.
    let (status, _) = app.delete(&t.token, &format!("/api/v1/lists/{b}")).await;
    assert_eq!(status, 204);
    let (status, _) = app.get(&t.token, &format!("/api/v1/lists/{b}")).await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(&t.token, &format!("/api/v1/contacts/{}", ids[3]))
        .await;
    assert_eq!(status, 200);
    assert_eq!(recipients(&app, cid).await.len(), 4);
}

async fn opt_out_and_opt_in_by_hand_are_audited(app: TestApp) {
    let t = app.tenant("Loja").await;
    let created = app.instance(&t, "loja-01").await;
    let inst = created["id"].as_i64().unwrap();
    let secret = created["webhook_secret"].as_str().unwrap().to_string();
    let ids = app.contacts(&t, 2).await;
    let cid = app.campaign(&t, inst, &ids).await;

    // The reason is required.
    let path = format!("/api/v1/contacts/{}/opt-out", ids[0]);
    let (status, _) = app.post(&t.token, &path, json!({"reason": "  "})).await;
    assert_eq!(status, 422);
    let (status, _) = app.post(&t.token, &path, json!({})).await;
    assert_eq!(status, 422);
    let (status, detail) = app
        .post(&t.token, &path, json!({"reason": "pediu por telefone"}))
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["opted_out"], true);
    assert_eq!(detail["consent_history"][0]["action"], "opt_out");
    assert_eq!(detail["consent_history"][0]["note"], "pediu por telefone");
    assert!(
        detail["consent_history"][0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("API token")
    );
    let (status, _) = app
        .post(&t.token, &path, json!({"reason": "de novo"}))
        .await;
    assert_eq!(status, 409, "already opted out");

    // The same path as a keyword: the pending send is cancelled for good.
    assert_eq!(
        recipients(&app, cid).await,
        vec![(ids[0], "opted_out".into()), (ids[1], "pending".into())]
    );
    let (_, c) = app.get(&t.token, &format!("/api/v1/campaigns/{cid}")).await;
    assert_eq!(c["counts"]["opted_out"], 1);
    assert_eq!(c["counts"]["pending"], 1);
    let recount = flow_server::service::campaigns::recount(&app.state.db.read, cid)
        .await
        .unwrap();
    assert_eq!(recount.opted_out, 1);
    assert_eq!(recount.pending, 1);

    // Opt-in needs a consent note; the old opt-out stays in the history.
    let back = format!("/api/v1/contacts/{}/opt-in", ids[0]);
    let (status, _) = app.post(&t.token, &back, json!({"consent_note": ""})).await;
    assert_eq!(status, 422);
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/contacts/{}/opt-in", ids[1]),
            json!({"consent_note": "x"}),
        )
        .await;
    assert_eq!(status, 409, "not opted out");
    let (status, detail) = app
        .post(
            &t.token,
            &back,
            json!({"consent_note": "assinou o formulário na loja em 30/11"}),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["opted_out"], false);
    let history: Vec<&str> = detail["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(history, vec!["opt_in", "opt_out"]);
    // The campaign made before keeps them out; a new one includes them.
    assert_eq!(recipients(&app, cid).await[0].1, "opted_out");
    let again = app.campaign(&t, inst, &ids).await;
    assert_eq!(recipients(&app, again).await[0].1, "pending");

    // A keyword opt-out is in the same log, by "whatsapp".
    let phone = app
        .get(&t.token, &format!("/api/v1/contacts/{}", ids[1]))
        .await
        .1["phone"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, res) = app
        .webhook(
            &format!("/api/webhooks/evolution/i/{secret}"),
            &[],
            &incoming("loja-01", &phone, "IN-1", "SAIR"),
        )
        .await;
    assert_eq!(res["status"], "opted_out");
    let (_, detail) = app
        .get(&t.token, &format!("/api/v1/contacts/{}", ids[1]))
        .await;
    assert_eq!(detail["consent_history"][0]["actor"], "whatsapp");
    assert_eq!(detail["consent_history"][0]["note"], "SAIR");

    // Viewers cannot, other tenants do not see the contact.
    let cookie = viewer(&app, &t).await;
    assert_eq!(
        as_viewer(&app, &cookie, "POST", &path, json!({"reason": "x"})).await,
        403
    );
    assert_eq!(
        as_viewer(&app, &cookie, "POST", &back, json!({"consent_note": "x"})).await,
        403
    );
    let other = app.tenant("Outra").await;
    let (status, _) = app.post(&other.token, &path, json!({"reason": "x"})).await;
    assert_eq!(status, 404);
}

/// Every row of every table as text.
async fn dump(app: &TestApp) -> String {
    let db = &app.state.db.read;
    let backend = app.state.db.backend();
    let tables_sql = match app.backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'"
        }
    };
    let tables: Vec<String> = db
        .query_all_raw(Statement::from_string(backend, tables_sql))
        .await
        .unwrap()
        .iter()
        .map(|r| r.try_get::<String>("", "name").unwrap())
        .collect();
    assert!(tables.len() > 15, "{tables:?}");
    let mut out = String::new();
    for table in tables {
        let sql = match app.backend {
            Backend::Postgres => {
                format!("SELECT CAST(row_to_json(t) AS TEXT) AS line FROM \"{table}\" t")
            }
            Backend::Sqlite => {
                let columns: Vec<String> = db
                    .query_all_raw(Statement::from_string(
                        backend,
                        format!("PRAGMA table_info(\"{table}\")"),
                    ))
                    .await
                    .unwrap()
                    .iter()
                    .map(|r| r.try_get::<String>("", "name").unwrap())
                    .collect();
                let parts: Vec<String> = columns
                    .iter()
                    .map(|c| format!("COALESCE(CAST(\"{c}\" AS TEXT), '')"))
                    .collect();
                format!(
                    "SELECT {} AS line FROM \"{table}\"",
                    parts.join(" || '|' || ")
                )
            }
        };
        for row in db
            .query_all_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
        {
            out.push_str(&table);
            out.push_str(": ");
            out.push_str(&row.try_get::<String>("", "line").unwrap_or_default());
            out.push('\n');
        }
    }
    out
}

async fn erasure_leaves_no_trace_and_keeps_the_number_suppressed(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let inst_id = inst["id"].as_i64().unwrap();
    let secret = inst["webhook_secret"].as_str().unwrap().to_string();
    // The person, under the 8-digit spelling (stored with its ninth digit); and someone else.
    let (status, _) = app
        .client
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&t.token)
        .header("content-type", "text/csv")
        .body("nome;telefone;cidade\nZuleica Esquecida;55 81 8765-4321;Olinda\nOutra Pessoa;5581912340000;Recife\n")
        .send()
        .await
        .map(|r| (r.status().as_u16(), ()))
        .unwrap();
    assert_eq!(status, 200);
    let (_, found) = app.get(&t.token, "/api/v1/contacts?q=Zuleica").await;
    let id = found[0]["id"].as_i64().unwrap();
    let other_id = app.get(&t.token, "/api/v1/contacts?q=Outra").await.1[0]["id"]
        .as_i64()
        .unwrap();
    let list = new_list(&app, &t, "Pernambuco", &[id, other_id]).await;
    // A campaign sent to them, a reply and an opt-out over WhatsApp under the 8-digit
    // spelling WhatsApp reports for older accounts, and a second campaign still pending.
    let sent = app.campaign(&t, inst_id, &[id, other_id]).await;
    for (i, row) in rows(&app, sent).await.iter().enumerate() {
        record_sent(&app, row.id, inst_id, &format!("MSG-{i}")).await;
    }
    let pending = app.campaign(&t, inst_id, &[id, other_id]).await;
    let hook = format!("/api/webhooks/evolution/i/{secret}");
    app.webhook(
        &hook,
        &[],
        &incoming(
            "loja-01",
            "558187654321",
            "IN-1",
            "Aqui é a Zuleica Esquecida, de Olinda",
        ),
    )
    .await;
    let (_, res) = app
        .webhook(
            &hook,
            &[],
            &incoming("loja-01", "558187654321", "IN-2", "sair"),
        )
        .await;
    assert_eq!(res["status"], "opted_out");
    app.webhook(
        &hook,
        &[],
        &incoming("loja-01", "5581912340000", "IN-3", "Oi"),
    )
    .await;
    let (_, before) = app
        .get(&t.token, &format!("/api/v1/campaigns/{sent}"))
        .await;
    assert_eq!(before["counts"]["replied"], 2);
    let text = dump(&app).await;
    assert!(text.contains("558187654321") && text.contains("5581987654321"));
    assert!(text.contains("Zuleica"));

    // Viewers cannot erase.
    let cookie = viewer(&app, &t).await;
    assert_eq!(
        as_viewer(
            &app,
            &cookie,
            "DELETE",
            &format!("/api/v1/contacts/{id}"),
            Value::Null
        )
        .await,
        403
    );
    let (status, _) = app
        .delete(&t.token, &format!("/api/v1/contacts/{id}"))
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .delete(&t.token, &format!("/api/v1/contacts/{id}"))
        .await;
    assert_eq!(status, 404);

    // Nothing holds the number (either spelling) or the name, in the API or in the database.
    let text = dump(&app).await;
    for needle in [
        "558187654321",
        "5581987654321",
        "Zuleica",
        "Esquecida",
        "Olinda",
    ] {
        let lines: Vec<&str> = text.lines().filter(|l| l.contains(needle)).collect();
        assert!(lines.is_empty(), "{needle} is still in: {lines:#?}");
    }
    for path in [
        "/api/v1/contacts?limit=1000".to_string(),
        "/api/v1/contacts/export".to_string(),
        format!("/api/v1/campaigns/{sent}/contacts"),
        format!("/api/v1/campaigns/{sent}/replies"),
        format!("/api/v1/campaigns/{sent}/logs"),
        format!("/api/v1/lists/{list}/contacts"),
    ] {
        let body = app
            .client
            .get(app.url(&path))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for needle in ["87654321", "Zuleica", "Olinda"] {
            assert!(
                !body.contains(needle),
                "{path} still shows {needle}: {body}"
            );
        }
    }
    // Campaign counters keep their numbers; the other person is untouched.
    let (_, after) = app
        .get(&t.token, &format!("/api/v1/campaigns/{sent}"))
        .await;
    assert_eq!(after["counts"], before["counts"]);
    let (_, p) = app
        .get(&t.token, &format!("/api/v1/campaigns/{pending}"))
        .await;
    assert_eq!(p["counts"]["pending"], 1);
    assert_eq!(p["counts"]["total"], 2);
    let (status, other) = app
        .get(&t.token, &format!("/api/v1/contacts/{other_id}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(other["name"], "Outra Pessoa");
    assert_eq!(other["replies"].as_array().unwrap().len(), 1);

    // Imported again (either spelling), the number comes back opted out and no campaign
    // sends to it.
    let (status, report) = app
        .post(
            &t.token,
            "/api/v1/contacts",
            json!([{"name": "Zuleica", "phone": "+55 81 98765-4321"}]),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 1);
    let (_, back) = app.get(&t.token, "/api/v1/contacts?q=5581987654321").await;
    assert_eq!(back.as_array().unwrap().len(), 1, "{back}");
    assert_eq!(back[0]["opted_out"], true);
    let back_id = back[0]["id"].as_i64().unwrap();
    let again = app.campaign(&t, inst_id, &[back_id, other_id]).await;
    assert_eq!(recipients(&app, again).await, {
        let mut v = vec![
            (back_id, "opted_out".to_string()),
            (other_id, "pending".to_string()),
        ];
        v.sort();
        v
    });
    // The salt keeps the hash from being a plain digest of the number.
    let text = dump(&app).await;
    assert!(text.lines().any(|l| l.starts_with("suppression: ")));
}

/// Posts a file to the import job endpoint; the job view.
async fn upload(app: &TestApp, t: &Tenant, query: &str, body: Vec<u8>) -> (u16, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/contacts/import{query}")))
        .bearer_auth(&t.token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Waits for a job to end; its last view.
async fn finished(app: &TestApp, t: &Tenant, id: i64) -> Value {
    for _ in 0..1200 {
        let (status, job) = app
            .get(&t.token, &format!("/api/v1/contacts/imports/{id}"))
            .await;
        assert_eq!(status, 200);
        if job["status"] == "done" || job["status"] == "failed" {
            return job;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("import {id} did not finish");
}

async fn import_job_reads_spreadsheets_and_reports(app: TestApp) {
    let t = app.tenant("Loja").await;
    // An opted-out person already there.
    let ids = app.contacts(&t, 1).await;
    app.post(
        &t.token,
        &format!("/api/v1/contacts/{}/opt-out", ids[0]),
        json!({"reason": "loja"}),
    )
    .await;
    let list = new_list(&app, &t, "Planilha", &[]).await;

    // Excel in Brazil: Windows-1252 and semicolons, Portuguese headers, an extra column.
    let mut file = b"Nome;Celular;Cidade\r\n".to_vec();
    file.extend(b"Jo\xE3o Ara\xFAjo;+55 (11) 98888-0001;S\xE3o Paulo\r\n");
    file.extend(b"Maria;+55 11 9888 80002;\r\n");
    file.extend(b"Sem telefone;;Recife\r\n");
    file.extend(b"Jo\xE3o de novo;55 11 8888-0001;Santos\r\n");
    file.extend(b"Letras;11 9888A-0003;\r\n");
    file.extend(b"Contact 0;+55 11 98000-0000;\r\n");
    let (status, job) = upload(&app, &t, &format!("?list_id={list}"), file).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    let job = finished(&app, &t, id).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["total"], 3);
    assert_eq!(job["processed"], 3);
    assert_eq!(job["created"], 2);
    assert_eq!(job["updated"], 0);
    assert_eq!(job["unchanged"], 1);
    assert_eq!(job["duplicates"], 1);
    assert_eq!(job["invalid"], 2);
    assert_eq!(job["kept_opted_out"], 1);
    let lines: Vec<i64> = job["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, vec![4, 6]);
    // The errors as CSV, for Excel.
    let res = app
        .client
        .get(app.url(&format!("/api/v1/contacts/imports/{id}/errors.csv")))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let csv_lines: Vec<&str> = csv.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(csv_lines[0], "linha;telefone;motivo");
    assert!(csv_lines[2].starts_with("6;11 9888A-0003;"), "{csv}");

    // The accents survived, the last row of a number won, the extra column is an attribute.
    let (_, found) = app.get(&t.token, "/api/v1/contacts?q=11988880001").await;
    let joao = found[0]["id"].as_i64().unwrap();
    let (_, detail) = app.get(&t.token, &format!("/api/v1/contacts/{joao}")).await;
    assert_eq!(detail["name"], "João de novo");
    assert_eq!(detail["attributes"], json!({"cidade": "Santos"}));
    assert_eq!(detail["lists"][0]["name"], "Planilha");
    let (_, members) = app
        .get(&t.token, &format!("/api/v1/lists/{list}/contacts"))
        .await;
    assert_eq!(members.as_array().unwrap().len(), 3);
    let (_, opted) = app
        .get(&t.token, &format!("/api/v1/contacts/{}", ids[0]))
        .await;
    assert_eq!(opted["opted_out"], true);

    // UTF-8 with commas and English headers, as a multipart form: an update this time.
    let (content_type, form) = multipart_csv(
        "phone,name,city\n5511988880001,João Araújo,São Paulo\n",
        Some(list),
    );
    let res = app
        .client
        .post(app.url("/api/v1/contacts/import"))
        .bearer_auth(&t.token)
        .header("content-type", content_type)
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    let job: Value = res.json().await.unwrap();
    let job = finished(&app, &t, job["id"].as_i64().unwrap()).await;
    assert_eq!(
        (job["created"].as_i64(), job["updated"].as_i64()),
        (Some(0), Some(1)),
        "{job}"
    );
    let (_, detail) = app.get(&t.token, &format!("/api/v1/contacts/{joao}")).await;
    assert_eq!(detail["name"], "João Araújo");
    assert_eq!(
        detail["attributes"],
        json!({"cidade": "Santos", "city": "São Paulo"})
    );

    // A file without a phone column is refused at once; viewers cannot import; other tenants
    // cannot see the job.
    let (status, _) = upload(&app, &t, "", b"nome;email\nA;a@x\n".to_vec()).await;
    assert_eq!(status, 422);
    let (status, _) = upload(
        &app,
        &t,
        "?list_id=999999",
        b"phone\n5511988880009\n".to_vec(),
    )
    .await;
    assert_eq!(status, 404);
    let cookie = viewer(&app, &t).await;
    assert_eq!(
        as_viewer(
            &app,
            &cookie,
            "POST",
            "/api/v1/contacts/import",
            Value::Null
        )
        .await,
        403
    );
    let other = app.tenant("Outra").await;
    let (status, _) = app
        .get(&other.token, &format!("/api/v1/contacts/imports/{id}"))
        .await;
    assert_eq!(status, 404);
}

async fn import_job_of_200k_rows(app: TestApp) {
    let t = app.tenant("Loja").await;
    let mut file = String::from("nome;telefone;cidade\n");
    for i in 0..200_000u32 {
        file.push_str(&format!(
            "Pessoa {i};+55 21 9{:08};Niterói\n",
            60_000_000 + i
        ));
    }
    file.push_str("Ruim;123;\n");
    let started = std::time::Instant::now();
    let (status, job) = upload(&app, &t, "", file.into_bytes()).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_i64().unwrap();
    // Progress is visible while it runs.
    let mut seen_partial = false;
    let job = loop {
        let (_, job) = app
            .get(&t.token, &format!("/api/v1/contacts/imports/{id}"))
            .await;
        let processed = job["processed"].as_i64().unwrap();
        if job["status"] == "running" && processed > 0 && processed < 200_000 {
            seen_partial = true;
        }
        if job["status"] == "done" || job["status"] == "failed" {
            break job;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "too slow: {job}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    eprintln!(
        "200k-row import on {:?}: {:?}",
        app.backend,
        started.elapsed()
    );
    assert_eq!(job["status"], "done", "{job}");
    assert!(seen_partial, "no progress seen");
    assert_eq!(job["created"], 200_000);
    assert_eq!(job["invalid"], 1);
    assert_eq!(job["errors"][0]["line"], 200_002);
    let (_, count) = app.get(&t.token, "/api/v1/audience").await;
    assert_eq!(count["contacts"], 200_000);
    // Deep keyset pages are served.
    let (status, page) = app
        .get(&t.token, "/api/v1/contacts?cursor=199990&limit=5")
        .await;
    assert_eq!(status, 200);
    assert_eq!(page.as_array().unwrap().len(), 5);
}

async fn search_detail_and_replies(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let inst_id = inst["id"].as_i64().unwrap();
    let secret = inst["webhook_secret"].as_str().unwrap().to_string();
    app.post(
        &t.token,
        "/api/v1/contacts",
        json!([
            {"name": "Ana Beatriz", "phone": "+55 11 98765-4321"},
            {"name": "Bruno", "phone": "551187650000"},
            {"name": "Carla", "phone": "+1 415 555 0100"},
        ]),
    )
    .await;
    // Name (any case, a part), phone in any formatting and either mobile form.
    for (q, expected) in [
        ("ana", vec!["Ana Beatriz"]),
        ("BEATRIZ", vec!["Ana Beatriz"]),
        ("(11) 98765-4321", vec!["Ana Beatriz"]),
        ("+55 11 8765-4321", vec!["Ana Beatriz"]),
        ("11 8765 4321", vec!["Ana Beatriz"]),
        ("5511987650000", vec!["Bruno"]),
        ("8765", vec!["Ana Beatriz", "Bruno"]),
        ("zzz", vec![]),
    ] {
        let (status, found) = app
            .get(&t.token, &format!("/api/v1/contacts?q={}", urlencode(q)))
            .await;
        assert_eq!(status, 200, "{q}");
        let names: Vec<&str> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, expected, "q={q}");
    }
    let (_, all) = app.get(&t.token, "/api/v1/contacts").await;
    let ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    // Keyset pages.
    let (_, first) = app.get(&t.token, "/api/v1/contacts?limit=2").await;
    let cursor = first[1]["id"].as_i64().unwrap();
    let (_, next) = app
        .get(
            &t.token,
            &format!("/api/v1/contacts?limit=2&cursor={cursor}"),
        )
        .await;
    assert_eq!(next[0]["name"], "Carla");
    // Filters: list and opted out.
    let list = new_list(&app, &t, "L", &[ids[1]]).await;
    let (_, on_list) = app
        .get(&t.token, &format!("/api/v1/contacts?list_id={list}"))
        .await;
    assert_eq!(on_list[0]["name"], "Bruno");
    assert_eq!(on_list.as_array().unwrap().len(), 1);

    // A campaign, replies and an opt-out over WhatsApp.
    let cid = app.campaign(&t, inst_id, &ids).await;
    for (i, row) in rows(&app, cid).await.iter().enumerate() {
        record_sent(&app, row.id, inst_id, &format!("MSG-{i}")).await;
    }
    let hook = format!("/api/webhooks/evolution/i/{secret}");
    app.webhook(
        &hook,
        &[],
        &incoming("loja-01", "5511987654321", "IN-1", "Quanto custa?"),
    )
    .await;
    app.webhook(
        &hook,
        &[],
        &incoming("loja-01", "5511987650000", "IN-2", "Parar"),
    )
    .await;
    app.webhook(
        &hook,
        &[],
        &incoming("loja-01", "551187654321", "IN-3", "Obrigada!"),
    )
    .await;
    let (status, replies) = app
        .get(&t.token, &format!("/api/v1/campaigns/{cid}/replies"))
        .await;
    assert_eq!(status, 200, "{replies}");
    let texts: Vec<&str> = replies
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, vec!["Obrigada!", "Parar", "Quanto custa?"]);
    let (_, only) = app
        .get(
            &t.token,
            &format!("/api/v1/campaigns/{cid}/replies?only_opt_outs=true"),
        )
        .await;
    assert_eq!(only.as_array().unwrap().len(), 1);
    assert_eq!(only[0]["name"], "Bruno");
    assert_eq!(only[0]["opt_out"], true);
    let (_, opted) = app.get(&t.token, "/api/v1/contacts?opted_out=true").await;
    assert_eq!(opted.as_array().unwrap().len(), 1);
    let (_, reachable) = app.get(&t.token, "/api/v1/contacts?opted_out=false").await;
    assert_eq!(reachable.as_array().unwrap().len(), 2);

    // The contact page: campaigns with status and times, replies, lists.
    let (_, ana) = app
        .get(&t.token, &format!("/api/v1/contacts/{}", ids[0]))
        .await;
    assert_eq!(ana["campaigns"][0]["campaign_id"], cid);
    assert_eq!(ana["campaigns"][0]["status"], "sent");
    assert!(ana["campaigns"][0]["sent_at"].is_string());
    assert!(ana["campaigns"][0]["replied_at"].is_string());
    assert_eq!(ana["replies"].as_array().unwrap().len(), 2);
    assert_eq!(ana["replies"][0]["text"], "Obrigada!");
    let (_, bruno) = app
        .get(&t.token, &format!("/api/v1/contacts/{}", ids[1]))
        .await;
    assert_eq!(bruno["lists"][0]["name"], "L");

    // CSV export of a search.
    let res = app
        .client
        .get(app.url("/api/v1/contacts/export?q=ana"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = res.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains("Ana Beatriz;5511987654321"), "{csv}");

    // Other tenants see none of it.
    let other = app.tenant("Outra").await;
    let (status, _) = app
        .get(&other.token, &format!("/api/v1/campaigns/{cid}/replies"))
        .await;
    assert_eq!(status, 404);
    let (_, none) = app.get(&other.token, "/api/v1/contacts?q=ana").await;
    assert_eq!(none, json!([]));
    let (status, _) = app
        .get(&other.token, &format!("/api/v1/contacts?list_id={list}"))
        .await;
    assert_eq!(status, 200);
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn contact_pages_render_and_upload_without_javascript(app: TestApp) {
    let t = app.tenant("Loja").await;
    let cookie = session(&app, &t, "ana@loja.com", Role::Admin).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The upload form posts multipart to the API; a browser is sent to the job's page.
    let job_page = upload_form(
        &app,
        &cookie,
        "nome;telefone;cidade\nDora Dias;+55 31 98765-1111;BH\nX;abc;\n",
        None,
    )
    .await;
    assert!(job_page.starts_with("/contacts/imports/"), "{job_page}");
    let job_id: i64 = job_page.rsplit('/').next().unwrap().parse().unwrap();
    finished(&app, &t, job_id).await;
    let page = |path: String| {
        let (client, cookie) = (client.clone(), cookie.clone());
        let url = app.url(&path);
        async move {
            let res = client.get(url).header(COOKIE, cookie).send().await.unwrap();
            assert_eq!(res.status(), 200, "{path}");
            res.text().await.unwrap()
        }
    };
    let html = page(job_page.clone()).await;
    assert!(
        html.contains("Concluída") && html.contains("Linhas inválidas"),
        "{html}"
    );
    assert!(html.contains(&format!("/api/v1/contacts/imports/{job_id}/errors.csv")));
    let html = page("/contacts?q=dora".into()).await;
    assert!(
        html.contains("Dora Dias") && html.contains("Importar contatos"),
        "{html}"
    );
    let id = app.get(&t.token, "/api/v1/contacts?q=dora").await.1[0]["id"]
        .as_i64()
        .unwrap();
    let html = page(format!("/contacts/{id}")).await;
    for text in [
        "Dora Dias",
        "+55 (31) 98765-1111",
        "{{cidade}}",
        "BH",
        "Descadastrar",
        "Esquecer contato",
    ] {
        assert!(html.contains(text), "{text} missing: {html}");
    }
    // Lists: created by a form without JavaScript, shown with their size.
    let res = client
        .post(app.url("/api/ui/save_list"))
        .header(COOKIE, &cookie)
        .header("accept", "text/html")
        .form(&[("name", "Clientes BH")])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{}",
        res.status()
    );
    let list = app.get(&t.token, "/api/v1/lists").await.1[0]["id"]
        .as_i64()
        .unwrap();
    app.post(
        &t.token,
        &format!("/api/v1/lists/{list}/contacts"),
        json!({"contact_ids": [id]}),
    )
    .await;
    let html = page("/lists".into()).await;
    assert!(
        html.contains("Clientes BH") && html.contains("Criar lista"),
        "{html}"
    );
    let html = page(format!("/contacts?list_id={list}")).await;
    assert!(html.contains("Dora Dias"), "{html}");
    let inst = app.instance(&t, "loja-01").await;
    let html = page("/campaigns/new".into()).await;
    assert!(
        html.contains("Contatos de listas") && html.contains("Clientes BH"),
        "{html}"
    );
    // A campaign over the list, and its replies view.
    let (status, c) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({"name": "BH", "message": "Oi", "instance_ids": [inst["id"]], "list_ids": [list]}),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    let html = page(format!("/campaigns/{}?replies=opt_outs", c["id"])).await;
    assert!(
        html.contains("Só descadastros") && html.contains("Nenhuma resposta."),
        "{html}"
    );

    // The forms post without JavaScript: opt-out, then erase.
    let res = client
        .post(app.url("/api/ui/contact_opt_out"))
        .header(COOKIE, &cookie)
        .header("accept", "text/html")
        .form(&[
            ("id", id.to_string()),
            ("reason", "pediu na loja".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_redirection() || res.status().is_success(),
        "{}",
        res.status()
    );
    let (_, detail) = app.get(&t.token, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(detail["opted_out"], true);
    assert_eq!(detail["consent_history"][0]["actor"], "ana@loja.com");
    let res = client
        .post(app.url("/api/ui/contact_erase"))
        .header(COOKIE, &cookie)
        .header("accept", "text/html")
        .form(&[("id", id.to_string()), ("confirm", "yes".to_string())])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let (status, _) = app.get(&t.token, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(status, 404);
}

/// The upload form's multipart body with `csv` as its file and the chosen list: its
/// content type and body.
fn multipart_csv(csv: &str, list_id: Option<i64>) -> (String, String) {
    let boundary = "flow-test-boundary";
    let mut form = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contatos.csv\"\r\n\
         Content-Type: text/csv\r\n\r\n{csv}\r\n"
    );
    if let Some(list_id) = list_id {
        form.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"list_id\"\r\n\r\n{list_id}\r\n"
        ));
    }
    form.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), form)
}

/// Posts the contacts page's upload form (multipart, as a browser without JavaScript does) with
/// `csv` and the chosen list; the job page the browser is sent to (303).
async fn upload_form(app: &TestApp, cookie: &str, csv: &str, list_id: Option<i64>) -> String {
    let (content_type, form) = multipart_csv(csv, list_id);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(app.url("/api/v1/contacts/import"))
        .header(COOKIE, cookie)
        .header("accept", "text/html")
        .header("content-type", content_type)
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    res.headers()["location"].to_str().unwrap().to_string()
}

/// A form post without JavaScript to server function `endpoint` with `cookie`: the status.
async fn form_post(app: &TestApp, cookie: &str, endpoint: &str, form: &[(&str, String)]) -> u16 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    client
        .post(app.url(&format!("/api/ui/{endpoint}")))
        .header(COOKIE, cookie)
        .header("accept", "text/html")
        .form(form)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// The names on list `id`.
async fn names_on(app: &TestApp, t: &Tenant, id: i64) -> Vec<String> {
    let (status, members) = app
        .get(&t.token, &format!("/api/v1/lists/{id}/contacts"))
        .await;
    assert_eq!(status, 200, "{members}");
    let mut names: Vec<String> = members
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

async fn lists_fill_from_a_search_by_hand_and_an_upload(app: TestApp) {
    let t = app.tenant("Loja").await;
    let ids = app.contacts(&t, 6).await;
    app.post(
        &t.token,
        &format!("/api/v1/contacts/{}/opt-out", ids[5]),
        json!({"reason": "pediu por telefone"}),
    )
    .await;
    // Every reachable contact a search finds, in one request, once.
    let all = new_list(&app, &t, "Todos", &[]).await;
    let path = format!("/api/v1/lists/{all}/contacts");
    let body = json!({"search": {"q": "contact", "opted_out": false}});
    let (status, changed) = app.post(&t.token, &path, body.clone()).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed, json!({"changed": 5, "contacts": 5}));
    let (_, again) = app.post(&t.token, &path, body).await;
    assert_eq!(again, json!({"changed": 0, "contacts": 5}));
    // A phone in any formatting, within a list; ids and a search together.
    let one = new_list(&app, &t, "Uma", &[]).await;
    let (_, changed) = app
        .post(
            &t.token,
            &format!("/api/v1/lists/{one}/contacts"),
            json!({"contact_ids": [ids[4]], "search": {"q": "(11) 98000-0001", "list_id": all}}),
        )
        .await;
    assert_eq!(changed, json!({"changed": 2, "contacts": 2}));
    assert_eq!(names_on(&app, &t, one).await, ["Contact 1", "Contact 4"]);
    // Taken off by a search too; an empty change is refused.
    let (status, changed) = app
        .call(
            &t.token,
            "DELETE",
            &path,
            Some(json!({"search": {"q": "Contact 1"}})),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed, json!({"changed": 1, "contacts": 4}));
    let (status, _) = app.post(&t.token, &path, json!({})).await;
    assert_eq!(status, 422);
    // Another tenant's search never reaches these contacts.
    let other = app.tenant("Outra").await;
    let theirs = new_list(&app, &other, "Deles", &[]).await;
    let (_, changed) = app
        .post(
            &other.token,
            &format!("/api/v1/lists/{theirs}/contacts"),
            json!({"search": {"q": ""}}),
        )
        .await;
    assert_eq!(changed, json!({"changed": 0, "contacts": 0}));

    // The contacts page, without JavaScript: every result of a search onto a list, then the
    // page says how many.
    let cookie = session(&app, &t, "ana@loja.com", Role::Admin).await;
    let page_list = new_list(&app, &t, "Da busca", &[]).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(app.url("/api/ui/contacts_add_to_list"))
        .header(COOKIE, &cookie)
        .header("accept", "text/html")
        .form(&[
            ("target", page_list.to_string()),
            ("q", "contact".to_string()),
            ("opted_out", "yes".to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    let back = res.headers()["location"].to_str().unwrap().to_string();
    assert_eq!(
        back,
        format!("/contacts?q=contact&opted_out=yes&added=1&to={page_list}")
    );
    assert_eq!(names_on(&app, &t, page_list).await, ["Contact 5"]);
    let (_, html) = app.page_with_cookie(&cookie, &back).await;
    assert!(
        html.contains("Contatos adicionados à lista: 1.") && html.contains("Colocar numa lista"),
        "{html}"
    );
    // One person by hand, on and off, from their page.
    let status = form_post(
        &app,
        &cookie,
        "contact_add_to_list",
        &[("id", ids[0].to_string()), ("list_id", one.to_string())],
    )
    .await;
    assert!((200..400).contains(&status), "{status}");
    assert_eq!(
        names_on(&app, &t, one).await,
        ["Contact 0", "Contact 1", "Contact 4"]
    );
    let (_, html) = app
        .page_with_cookie(&cookie, &format!("/contacts/{}", ids[0]))
        .await;
    assert!(
        html.contains("Tirar da lista") && html.contains("Colocar em outra lista"),
        "{html}"
    );
    form_post(
        &app,
        &cookie,
        "contact_remove_from_list",
        &[("id", ids[0].to_string()), ("list_id", one.to_string())],
    )
    .await;
    assert_eq!(names_on(&app, &t, one).await, ["Contact 1", "Contact 4"]);
    // A viewer changes nothing.
    let vera = viewer(&app, &t).await;
    form_post(
        &app,
        &vera,
        "contact_add_to_list",
        &[("id", ids[0].to_string()), ("list_id", one.to_string())],
    )
    .await;
    form_post(
        &app,
        &vera,
        "contacts_add_to_list",
        &[
            ("target", one.to_string()),
            ("q", String::new()),
            ("opted_out", String::new()),
        ],
    )
    .await;
    assert_eq!(names_on(&app, &t, one).await, ["Contact 1", "Contact 4"]);

    // An upload straight into a chosen list (the form's list_id field).
    let job_page = upload_form(
        &app,
        &cookie,
        "nome;telefone\nEva Souza;+55 21 98765-2222\n",
        Some(one),
    )
    .await;
    let job: i64 = job_page.rsplit('/').next().unwrap().parse().unwrap();
    finished(&app, &t, job).await;
    assert_eq!(
        names_on(&app, &t, one).await,
        ["Contact 1", "Contact 4", "Eva Souza"]
    );
    let (_, html) = app.page_with_cookie(&cookie, "/contacts").await;
    assert!(
        html.contains("Colocar na lista (opcional)") && html.contains("Nenhuma lista"),
        "{html}"
    );
}
