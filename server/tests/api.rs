//! The JSON API end to end, on SQLite and PostgreSQL: bootstrap, auth, CRUD, campaign state
//! transitions, tenant isolation and bad input.

mod common;

use common::{ADMIN_TOKEN, TestApp};
use flow_server::service::campaigns::recount;
use serde_json::{Value, json};

on_both_databases!(
    bootstrap_and_health,
    authentication,
    instances_crud,
    contacts_import_and_lookup,
    campaign_lifecycle,
    recipients_and_logs_page_by_cursor,
    campaign_validation,
    tenant_isolation,
    bad_input_gets_clear_4xx,
    openapi_documents_real_routes,
    openapi_keeps_its_contract,
    shell_page_renders,
);

fn assert_error(status: u16, body: &Value, want_status: u16, want_code: &str) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"], want_code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "error without message: {body}"
    );
}

async fn bootstrap_and_health(app: TestApp) {
    let res = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    let t = app.tenant("Loja Azul").await;
    assert!(t.token.starts_with("flow_") && t.token.len() > 40);
    let (status, body) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!([]));
}

async fn authentication(app: TestApp) {
    let res = app
        .client
        .get(app.url("/api/v1/campaigns"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_error(401, &body, 401, "unauthorized");

    let (status, body) = app.get("flow_not-a-real-token", "/api/v1/campaigns").await;
    assert_error(status, &body, 401, "unauthorized");

    // The admin token is not a tenant token.
    let (status, body) = app.get(ADMIN_TOKEN, "/api/v1/campaigns").await;
    assert_error(status, &body, 401, "unauthorized");

    // A tenant token cannot create tenants; no token cannot either.
    let t = app.tenant("A").await;
    let (status, body) = app
        .post(&t.token, "/api/v1/tenants", json!({"name": "B"}))
        .await;
    assert_error(status, &body, 403, "forbidden");
    let res = app
        .client
        .post(app.url("/api/v1/tenants"))
        .json(&json!({"name": "B"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // Case-insensitive scheme works, other schemes do not.
    let res = app
        .client
        .get(app.url("/api/v1/campaigns"))
        .header("authorization", format!("bearer {}", t.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(app.url("/api/v1/campaigns"))
        .header("authorization", format!("Basic {}", t.token))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

async fn instances_crud(app: TestApp) {
    let t = app.tenant("A").await;
    let (status, inst) = app
        .post(
            &t.token,
            "/api/v1/instances",
            json!({
                "instance_name": "campanha-loja-01",
                "friendly_name": "Loja 01",
                "api_url": "https://evo.example.com/",
                "api_key": "super-secret-evolution-key",
                "api_version": "v1",
            }),
        )
        .await;
    assert_eq!(status, 201, "{inst}");
    assert_eq!(inst["instance_name"], "campanha-loja-01");
    assert_eq!(inst["friendly_name"], "Loja 01");
    assert_eq!(inst["api_url"], "https://evo.example.com");
    assert_eq!(inst["api_version"], "v1");
    assert_eq!(inst["connection_state"], "connecting");
    assert_eq!(inst["active"], true);
    assert_eq!(inst["health_score"], 100);
    let secret = inst["webhook_secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"));
    assert_eq!(
        inst["webhook_url"].as_str().unwrap(),
        format!("{}/api/webhooks/evolution/i/{secret}", app.base)
    );
    assert!(
        !inst.to_string().contains("super-secret-evolution-key"),
        "api_key leaked: {inst}"
    );

    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/instances",
            json!({"instance_name": "campanha-loja-01", "api_url": "http://x", "api_key": "k"}),
        )
        .await;
    assert_error(status, &body, 409, "conflict");

    for bad in [
        json!({"instance_name": "", "api_url": "http://x", "api_key": "k"}),
        json!({"instance_name": "a/b", "api_url": "http://x", "api_key": "k"}),
        json!({"instance_name": "x", "api_url": "ftp://x", "api_key": "k"}),
        json!({"instance_name": "x", "api_url": "http://x", "api_key": " "}),
        json!({"instance_name": "x", "api_url": "http://x", "api_key": "k", "api_version": "v3"}),
    ] {
        let (status, body) = app.post(&t.token, "/api/v1/instances", bad.clone()).await;
        assert_error(status, &body, 422, "validation_failed");
    }

    app.instance(&t, "second").await;
    let (status, list) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(status, 200);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["instance_name"], "campanha-loja-01");
    assert_eq!(
        list[0]["today"],
        json!({"sent": 0, "delivered": 0, "read": 0, "failed": 0})
    );
    assert!(
        !Value::Array(list.clone())
            .to_string()
            .contains("secret-key-second")
    );
}

async fn contacts_import_and_lookup(app: TestApp) {
    let t = app.tenant("A").await;
    let (status, report) = app
        .post(
            &t.token,
            "/api/v1/contacts",
            json!([
                {"name": "Maria", "phone": "+55 (11) 98765-4321"},
                {"name": "João", "phone": "5511912345678"},
                {"name": "Dup", "phone": "55 11 91234 5678"},
                {"name": "Bad", "phone": "12ab"},
                {"name": "Short", "phone": "123"},
            ]),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["created"], 2);
    assert_eq!(report["updated"], 0);
    let invalid = report["invalid"].as_array().unwrap();
    assert_eq!(invalid.len(), 2);
    assert_eq!(invalid[0]["phone"], "12ab");
    assert!(invalid[0]["error"].as_str().unwrap().len() > 3);

    // Re-import: same phone with a new name updates, unchanged rows count nowhere.
    let (_, report) = app
        .post(
            &t.token,
            "/api/v1/contacts",
            json!([{"name": "Maria Silva", "phone": "5511987654321"}, {"name": "Dup", "phone": "5511912345678"}]),
        )
        .await;
    assert_eq!(report["created"], 0);
    assert_eq!(report["updated"], 1);

    // CSV upload.
    let res = app
        .client
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&t.token)
        .header("content-type", "text/csv")
        .body("nome,telefone\nAna,+55 21 99999-0000\n\"Souza, Bia\",5521988887777\nX,abc\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["created"], 2, "{report}");
    assert_eq!(report["invalid"].as_array().unwrap().len(), 1);

    // Lookup by phone, in any notation.
    let (status, found) = app
        .get(&t.token, "/api/v1/contacts?phone=%2B55%2011%2098765-4321")
        .await;
    assert_eq!(status, 200);
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["name"], "Maria Silva");
    assert_eq!(found[0]["phone"], "5511987654321");
    assert_eq!(found[0]["opted_out"], false);
    assert_eq!(found[0]["total_messages_received"], 0);

    let id = found[0]["id"].as_i64().unwrap();
    let (status, one) = app.get(&t.token, &format!("/api/v1/contacts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["phone"], "5511987654321");
    assert_eq!(one["opted_out_at"], Value::Null);

    let (status, all) = app.get(&t.token, "/api/v1/contacts?limit=2&offset=1").await;
    assert_eq!(status, 200);
    assert_eq!(all.as_array().unwrap().len(), 2);

    let (status, body) = app.get(&t.token, "/api/v1/contacts/999999").await;
    assert_error(status, &body, 404, "not_found");
}

async fn campaign_lifecycle(app: TestApp) {
    let t = app.tenant("A").await;
    let inst = app.instance(&t, "loja").await;
    let ids = app.contacts(&t, 5).await;

    let (status, c) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({
                "name": "Black Friday",
                "message": "Olá {{name}}, 20% off!",
                "instance_ids": [inst["id"]],
                "contact_ids": [ids[0], ids[1], ids[2], ids[2]],
                "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
            }),
        )
        .await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(c["status"], "draft");
    assert_eq!(c["instance_ids"], json!([inst["id"]]));
    assert_eq!(c["settings"], json!({"min_delay_ms": 0, "max_delay_ms": 0}));
    assert_eq!(c["counts"]["total"], 3);
    assert_eq!(c["counts"]["pending"], 3);
    assert_eq!(c["delivery_rate"], 0.0);
    let id = c["id"].as_i64().unwrap();

    let (status, rows) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/contacts"))
        .await;
    assert_eq!(status, 200);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["status"], "pending");
    assert_eq!(rows[0]["phone"], "5511980000000");
    assert_eq!(rows[0]["whatsapp_message_id"], Value::Null);

    // all_contacts, with default pacing.
    let (status, all) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({"name": "All", "message": "Oi", "instance_ids": [inst["id"]], "all_contacts": true}),
        )
        .await;
    assert_eq!(status, 201, "{all}");
    assert_eq!(all["counts"]["total"], 5);
    assert_eq!(
        all["settings"],
        json!({"min_delay_ms": 3000, "max_delay_ms": 10000})
    );

    // Transitions.
    let path = |a: &str| format!("/api/v1/campaigns/{id}/{a}");
    let (status, body) = app.post(&t.token, &path("pause"), json!({})).await;
    assert_error(status, &body, 409, "conflict");
    assert!(body["message"].as_str().unwrap().contains("draft"));
    let (status, body) = app.post(&t.token, &path("start"), json!({})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "active");
    assert!(body["started_at"].is_string());
    let (status, body) = app.post(&t.token, &path("start"), json!({})).await;
    assert_error(status, &body, 409, "conflict");
    let (_, body) = app.post(&t.token, &path("pause"), json!({})).await;
    assert_eq!(body["status"], "paused");
    assert_eq!(body["pause_reason"], "manual");
    let (_, body) = app.post(&t.token, &path("resume"), json!({})).await;
    assert_eq!(body["status"], "active");
    assert_eq!(body["pause_reason"], Value::Null);
    let (_, body) = app.post(&t.token, &path("cancel"), json!({})).await;
    assert_eq!(body["status"], "cancelled");
    assert_eq!(body["counts"]["pending"], 0);
    assert_eq!(body["counts"]["cancelled"], 3);
    assert!(body["finished_at"].is_string());
    let (status, body) = app.post(&t.token, &path("resume"), json!({})).await;
    assert_error(status, &body, 409, "conflict");
    let (status, body) = app.post(&t.token, &path("explode"), json!({})).await;
    assert_error(status, &body, 404, "not_found");

    let (_, rows) = app
        .get(
            &t.token,
            &format!("/api/v1/campaigns/{id}/contacts?status=cancelled"),
        )
        .await;
    assert_eq!(rows.as_array().unwrap().len(), 3);

    // Stored counters equal a recount of the rows.
    let stored: Value = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}"))
        .await
        .1;
    let truth = recount(&app.state.db.read, id).await.unwrap();
    assert_eq!(stored["counts"], serde_json::to_value(&truth).unwrap());

    // The log tells the story, newest first.
    let (status, logs) = app
        .get(&t.token, &format!("/api/v1/campaigns/{id}/logs"))
        .await;
    assert_eq!(status, 200);
    let types: Vec<&str> = logs
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["log_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "campaign_cancelled",
            "campaign_resumed",
            "campaign_paused",
            "campaign_started",
            "campaign_created"
        ]
    );
    let (_, list) = app.get(&t.token, "/api/v1/campaigns").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert_eq!(list[0]["name"], "All");
}

async fn campaign_validation(app: TestApp) {
    let t = app.tenant("A").await;
    let inst = app.instance(&t, "loja").await;
    let ids = app.contacts(&t, 2).await;
    let base =
        json!({"name": "C", "message": "Oi", "instance_ids": [inst["id"]], "contact_ids": ids});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        with("name", json!(" ")),
        with("message", json!("")),
        with("instance_ids", json!([])),
        with("instance_ids", json!([999_999])),
        with("contact_ids", json!([])),
        with("contact_ids", json!([ids[0], 999_999])),
        with("all_contacts", json!(true)),
        with(
            "settings",
            json!({"min_delay_ms": 5000, "max_delay_ms": 10}),
        ),
        with("settings", json!({"min_delay_ms": -1, "max_delay_ms": 10})),
    ];
    for body in cases {
        let (status, res) = app.post(&t.token, "/api/v1/campaigns", body.clone()).await;
        assert_error(status, &res, 422, "validation_failed");
    }
    let mut neither = base.clone();
    neither.as_object_mut().unwrap().remove("contact_ids");
    let (status, res) = app.post(&t.token, "/api/v1/campaigns", neither).await;
    assert_error(status, &res, 422, "validation_failed");

    // Nothing half-created.
    let (_, list) = app.get(&t.token, "/api/v1/campaigns").await;
    assert_eq!(list, json!([]));

    // A tenant without contacts cannot make an all_contacts campaign.
    let u = app.tenant("B").await;
    let inst_b = app.instance(&u, "b").await;
    let (status, res) = app
        .post(
            &u.token,
            "/api/v1/campaigns",
            json!({"name": "C", "message": "Oi", "instance_ids": [inst_b["id"]], "all_contacts": true}),
        )
        .await;
    assert_error(status, &res, 422, "validation_failed");
}

async fn tenant_isolation(app: TestApp) {
    let a = app.tenant("A").await;
    let b = app.tenant("B").await;
    let inst_a = app.instance(&a, "shared-name").await;
    app.instance(&b, "shared-name").await; // names are unique per tenant only
    let ids_a = app.contacts(&a, 2).await;
    let (_, camp) = app
        .post(
            &a.token,
            "/api/v1/campaigns",
            json!({"name": "A's", "message": "Oi", "instance_ids": [inst_a["id"]], "contact_ids": ids_a}),
        )
        .await;
    let cid = camp["id"].as_i64().unwrap();

    for path in [
        format!("/api/v1/campaigns/{cid}"),
        format!("/api/v1/campaigns/{cid}/contacts"),
        format!("/api/v1/campaigns/{cid}/logs"),
        format!("/api/v1/contacts/{}", ids_a[0]),
    ] {
        let (status, body) = app.get(&b.token, &path).await;
        assert_error(status, &body, 404, "not_found");
    }
    for action in ["start", "pause", "resume", "cancel"] {
        let (status, body) = app
            .post(
                &b.token,
                &format!("/api/v1/campaigns/{cid}/{action}"),
                json!({}),
            )
            .await;
        assert_error(status, &body, 404, "not_found");
    }
    let (_, list) = app.get(&b.token, "/api/v1/campaigns").await;
    assert_eq!(list, json!([]));
    let (_, insts) = app.get(&b.token, "/api/v1/instances").await;
    assert_eq!(insts.as_array().unwrap().len(), 1);
    assert_ne!(insts[0]["id"], inst_a["id"]);
    let (_, contacts) = app.get(&b.token, "/api/v1/contacts").await;
    assert_eq!(contacts, json!([]));

    // B cannot use A's instance or contacts.
    let ids_b = app.contacts(&b, 1).await;
    let (status, body) = app
        .post(
            &b.token,
            "/api/v1/campaigns",
            json!({"name": "x", "message": "Oi", "instance_ids": [inst_a["id"]], "contact_ids": ids_b}),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");

    // A's campaign is untouched.
    let (_, camp) = app.get(&a.token, &format!("/api/v1/campaigns/{cid}")).await;
    assert_eq!(camp["status"], "draft");
}

async fn bad_input_gets_clear_4xx(app: TestApp) {
    let t = app.tenant("A").await;
    let send = |body: &'static str, ct: &'static str| {
        app.client
            .post(app.url("/api/v1/instances"))
            .bearer_auth(&t.token)
            .header("content-type", ct)
            .body(body)
            .send()
    };
    let res = send("{not json", "application/json").await.unwrap();
    let status = res.status().as_u16();
    assert_error(status, &res.json().await.unwrap(), 400, "bad_request");

    let res = send(
        r#"{"instance_name": 5, "api_url": "http://x", "api_key": "k"}"#,
        "application/json",
    )
    .await
    .unwrap();
    let status = res.status().as_u16();
    assert_error(status, &res.json().await.unwrap(), 422, "validation_failed");

    let res = send(
        r#"{"instance_name": "x", "api_url": "http://x", "api_key": "k", "apikey": "typo"}"#,
        "application/json",
    )
    .await
    .unwrap();
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert_error(status, &body, 422, "validation_failed");
    assert!(
        body["message"].as_str().unwrap().contains("apikey"),
        "{body}"
    );

    let res = send("{}", "text/plain").await.unwrap();
    let status = res.status().as_u16();
    assert_error(
        status,
        &res.json().await.unwrap(),
        415,
        "unsupported_media_type",
    );

    // Contacts: wrong shape, malformed, unsupported type.
    let (status, body) = app
        .post(&t.token, "/api/v1/contacts", json!({"phone": "1"}))
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let res = app
        .client
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&t.token)
        .header("content-type", "application/json")
        .body("[{")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    assert_error(status, &res.json().await.unwrap(), 400, "bad_request");

    // Query and path errors.
    let (status, body) = app.get(&t.token, "/api/v1/contacts?limit=5000").await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = app.get(&t.token, "/api/v1/contacts?limit=abc").await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = app.get(&t.token, "/api/v1/contacts?phone=abc").await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = app.get(&t.token, "/api/v1/campaigns/abc").await;
    assert_error(status, &body, 400, "bad_request");
    let (status, body) = app
        .get(&t.token, "/api/v1/campaigns/1/contacts?status=weird")
        .await;
    assert!(status == 404 || status == 422, "{status} {body}");
    let (status, body) = app.get(&t.token, "/api/v1/nothing-here").await;
    assert_error(status, &body, 404, "not_found");

    // Tenant creation input.
    let res = app
        .client
        .post(app.url("/api/v1/tenants"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": ""}))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    assert_error(status, &res.json().await.unwrap(), 422, "validation_failed");
}

async fn openapi_documents_real_routes(app: TestApp) {
    let t = app.tenant("A").await;
    let (status, doc) = app.get(&t.token, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    let res = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/json");
    let recipient = &doc["components"]["schemas"]["CampaignContact"]["properties"];
    assert!(recipient["id"].is_object() && recipient["contact_id"].is_object());
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 12);
    for (path, ops) in paths {
        if path == "/api/v1/events" {
            continue; // a stream: checked in tests/webhooks.rs
        }
        let concrete = path.replace("{id}", "1").replace("{secret}", "whsec_x");
        for method in ops.as_object().unwrap().keys() {
            let req = match method.as_str() {
                "get" => app.client.get(app.url(&concrete)),
                "post" => app.client.post(app.url(&concrete)).json(&json!({})),
                "put" => app.client.put(app.url(&concrete)).json(&json!({})),
                "patch" => app.client.patch(app.url(&concrete)).json(&json!({})),
                "delete" => app.client.delete(app.url(&concrete)),
                other => panic!("unexpected method {other}"),
            };
            let res = req.bearer_auth(&t.token).send().await.unwrap();
            let body: Value = res.json().await.unwrap_or(Value::Null);
            assert_ne!(
                body["message"], "endpoint not found",
                "{method} {path} is not routed"
            );
        }
    }
}

async fn openapi_keeps_its_contract(app: TestApp) {
    let t = app.tenant("A").await;
    let (status, doc) = app.get(&t.token, "/api/v1/openapi.json").await;
    assert_eq!(status, 200);
    openapi::lists_every_route_and_only_them(&doc);
    openapi::operations_keep_their_parameters_bodies_and_answers(&doc);
    openapi::schemas_carry_their_fields(&doc);
    openapi::errors_share_one_answer_and_calls_need_the_bearer_token(&doc);
    openapi::string_fields_list_their_values(&doc);
}

/// What the generated OpenAPI document must keep: the operations (the `/api/v1` router is built
/// from the documented ones, so these are its routes too), their parameters, bodies and answers,
/// and the fields of the schemas.
mod openapi {
    use std::collections::BTreeSet;

    use serde_json::{Value, json};

    /// An operation: method, path, parameters, request body, success status and answer.
    type Operation = (
        &'static str,
        &'static str,
        &'static [&'static str],
        &'static str,
        u16,
        &'static str,
    );

    /// Every operation of the API: method, path, parameters, request body (a JSON schema,
    /// `[Schema]` for an array of them, else its media types), success status and answer (the
    /// same, or empty). The `/api/v1` router is built from the documented operations, so this is
    /// also the list of its routes.
    #[rustfmt::skip]
    const OPERATIONS: &[Operation] = &[
        ("post", "/api/v1/tenants", &[], "NewTenant", 201, "TenantCreated"),
        ("get", "/api/v1/instances", &[], "", 200, "[Instance]"),
        ("post", "/api/v1/instances", &[], "NewInstance", 201, "Instance"),
        ("get", "/api/v1/instances/{id}", &["id"], "", 200, "Instance"),
        ("patch", "/api/v1/instances/{id}", &["id"], "InstancePatch", 200, "Instance"),
        ("delete", "/api/v1/instances/{id}", &["id"], "", 204, ""),
        ("post", "/api/v1/instances/{id}/connect", &["id"], "", 200, "InstanceQr"),
        ("get", "/api/v1/instances/{id}/stats", &["id"], "", 200, "[InstanceDay]"),
        ("post", "/api/v1/instances/{id}/refresh", &["id"], "", 200, "Instance"),
        ("post", "/api/v1/instances/{id}/webhook", &["id"], "", 200, "Instance"),
        ("post", "/api/v1/instances/{id}/webhook/rotate", &["id"], "", 200, "Instance"),
        ("get", "/api/v1/contacts", &["q", "phone", "list_id", "opted_out", "interacted_since", "line_type", "cursor", "limit", "offset"], "", 200, "[Contact]"),
        ("post", "/api/v1/contacts", &[], "[NewContact]", 200, "ImportReport"),
        ("post", "/api/v1/contacts/import", &["list_id"], "multipart/form-data, text/csv", 202, "ImportJob"),
        ("get", "/api/v1/contacts/imports/{id}", &["id"], "", 200, "ImportJob"),
        ("get", "/api/v1/contacts/imports/{id}/errors.csv", &["id"], "", 200, "text/csv"),
        ("get", "/api/v1/contacts/export", &["q", "phone", "list_id", "opted_out", "interacted_since", "line_type", "cursor", "limit", "offset"], "", 200, "text/csv"),
        ("get", "/api/v1/contacts/{id}", &["id"], "", 200, "ContactDetail"),
        ("patch", "/api/v1/contacts/{id}", &["id"], "ContactCorrection", 200, "ContactDetail"),
        ("delete", "/api/v1/contacts/{id}", &["id"], "", 204, ""),
        ("get", "/api/v1/contacts/{id}/data-export", &["id", "format"], "", 200, "DataSubjectExport"),
        ("post", "/api/v1/contacts/{id}/opt-out", &["id"], "OptOutBody", 200, "ContactDetail"),
        ("post", "/api/v1/contacts/{id}/opt-in", &["id"], "OptInBody", 200, "ContactDetail"),
        ("get", "/api/v1/lists", &[], "", 200, "[List]"),
        ("post", "/api/v1/lists", &[], "ListName", 201, "List"),
        ("get", "/api/v1/lists/{id}", &["id"], "", 200, "List"),
        ("patch", "/api/v1/lists/{id}", &["id"], "ListName", 200, "List"),
        ("delete", "/api/v1/lists/{id}", &["id"], "", 204, ""),
        ("get", "/api/v1/lists/{id}/contacts", &["id", "cursor", "limit"], "", 200, "[Contact]"),
        ("post", "/api/v1/lists/{id}/contacts", &["id"], "ListMembers", 200, "ListMembersChanged"),
        ("delete", "/api/v1/lists/{id}/contacts", &["id"], "ListMembers", 200, "ListMembersChanged"),
        ("get", "/api/v1/audience", &["list_ids", "exclude_list_ids"], "", 200, "AudienceCount"),
        ("get", "/api/v1/campaigns", &["limit", "offset"], "", 200, "[Campaign]"),
        ("post", "/api/v1/campaigns", &[], "NewCampaign", 201, "Campaign"),
        ("post", "/api/v1/campaigns/preview", &[], "PreviewRequest", 200, "CampaignPreview"),
        ("get", "/api/v1/campaigns/compare", &["ids"], "", 200, "Comparison"),
        ("get", "/api/v1/campaigns/{id}", &["id"], "", 200, "Campaign"),
        ("get", "/api/v1/campaigns/{id}/contacts", &["id", "status", "cursor", "limit", "offset"], "", 200, "[CampaignContact]"),
        ("get", "/api/v1/campaigns/{id}/logs", &["id", "cursor", "limit", "offset"], "", 200, "[CampaignLog]"),
        ("get", "/api/v1/campaigns/{id}/replies", &["id", "only_opt_outs", "cursor", "limit"], "", 200, "[Reply]"),
        ("post", "/api/v1/campaigns/{id}/start", &["id"], "", 200, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/pause", &["id"], "", 200, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/resume", &["id"], "", 200, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/cancel", &["id"], "", 200, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/schedule", &["id"], "ScheduleBody", 200, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/unschedule", &["id"], "", 200, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/duplicate", &["id"], "", 201, "Campaign"),
        ("post", "/api/v1/campaigns/{id}/test", &["id"], "TestSendRequest", 200, "TestSendReport"),
        ("get", "/api/v1/campaigns/{id}/poll", &["id"], "", 200, "PollResults"),
        ("post", "/api/v1/campaigns/{id}/follow-up", &["id"], "NewFollowUp", 201, "Campaign"),
        ("post", "/api/v1/conversions", &[], "NewConversion", 201, "ConversionView"),
        ("post", "/api/v1/media", &[], "multipart/form-data", 201, "MediaView"),
        ("get", "/api/v1/media/{id}", &["id"], "", 200, "MediaView"),
        ("get", "/api/v1/media/{id}/content", &["id"], "", 200, "*/*"),
        ("get", "/api/v1/insights/best-hours", &["list_ids", "campaign_id"], "", 200, "BestHours"),
        ("get", "/api/v1/users", &[], "", 200, "[User]"),
        ("post", "/api/v1/users", &[], "NewUser", 201, "User"),
        ("patch", "/api/v1/users/{id}", &["id"], "RoleChange", 200, "User"),
        ("delete", "/api/v1/users/{id}", &["id"], "", 204, ""),
        ("post", "/api/v1/me/password", &[], "PasswordChange", 204, ""),
        ("get", "/api/v1/tokens", &[], "", 200, "[Token]"),
        ("post", "/api/v1/tokens", &[], "NewToken", 201, "TokenCreated"),
        ("delete", "/api/v1/tokens/{id}", &["id"], "", 204, ""),
        ("get", "/api/v1/settings", &[], "", 200, "TenantSettings"),
        ("put", "/api/v1/settings", &[], "TenantSettings", 200, "TenantSettings"),
        ("post", "/api/v1/settings/opt-out-test", &[], "OptOutTestBody", 200, "OptOutTest"),
        ("get", "/api/v1/events", &[], "", 200, "text/event-stream"),
        ("get", "/api/v1/openapi.json", &[], "", 200, "{}"),
        ("post", "/api/webhooks/evolution", &[], "WebhookEnvelope", 200, "WebhookStored"),
        ("post", "/api/webhooks/evolution/i/{secret}", &["secret"], "WebhookEnvelope", 200, "WebhookStored"),
        ("get", "/healthz", &[], "", 200, ""),
    ];

    /// Fields each schema must have.
    #[rustfmt::skip]
    const SCHEMAS: &[(&str, &[&str])] = &[
        ("Error", &["error", "message"]),
        ("TenantCreated", &["id", "name", "api_token"]),
        ("NewTenant", &["name"]),
        ("NewInstance", &["instance_name", "friendly_name", "api_url", "api_key", "api_version", "warmup"]),
        ("Instance", &["id", "instance_name", "friendly_name", "api_url", "api_version", "connection_state", "active", "health_score", "webhook_url", "webhook_secret", "today", "last_event_at", "unprocessed_events", "warmup", "risk"]),
        ("DayCounts", &["sent", "delivered", "read", "failed"]),
        ("WarmupView", &["enabled", "day", "cap_today", "sent_today"]),
        ("RiskView", &["level", "signals"]),
        ("RiskSignal", &["signal", "percent", "limit_percent", "level"]),
        ("InstancePatch", &["friendly_name", "api_key", "warmup"]),
        ("InstanceQr", &["instance_id", "base64", "pairing_code", "code", "connected"]),
        ("InstanceDay", &["day", "counts", "disconnects"]),
        ("NewContact", &["name", "phone"]),
        ("ImportReport", &["created", "updated", "invalid"]),
        ("InvalidContact", &["phone", "error"]),
        ("Contact", &["id", "name", "phone", "opted_out", "opted_out_at", "opt_out_keyword", "last_interaction_at", "total_messages_received", "created_at"]),
        ("ContactDetail", &["id", "phone", "attributes", "lists", "campaigns", "replies", "consent_history"]),
        ("ContactCampaign", &["campaign_id", "campaign_name", "status", "sent_at", "delivered_at", "read_at", "failed_at", "replied_at"]),
        ("Reply", &["id", "contact_id", "name", "phone", "campaign_id", "text", "opt_out", "received_at"]),
        ("ConsentEvent", &["id", "action", "note", "actor", "created_at"]),
        ("OptOutBody", &["reason"]),
        ("OptInBody", &["consent_note"]),
        ("ImportForm", &["file", "list_id"]),
        ("ImportJob", &["id", "status", "list_id", "total", "processed", "created", "updated", "unchanged", "duplicates", "invalid", "kept_opted_out", "errors", "error", "created_at", "finished_at"]),
        ("ImportError", &["line", "phone", "reason"]),
        ("List", &["id", "name", "contacts", "created_at"]),
        ("ListName", &["name"]),
        ("ListMembers", &["contact_ids", "search"]),
        ("MemberSearch", &["q", "list_id", "opted_out"]),
        ("ListMembersChanged", &["changed", "contacts"]),
        ("AudienceCount", &["contacts", "opted_out"]),
        ("Settings", &["min_delay_ms", "max_delay_ms", "daily_cap_per_instance", "send_window", "send_days"]),
        ("SendWindow", &["start", "end", "utc_offset_minutes"]),
        ("NewCampaign", &["name", "message", "instance_ids", "contact_ids", "all_contacts", "settings", "variants", "list_ids", "exclude_list_ids"]),
        ("PreviewRequest", &["message", "variants"]),
        ("CampaignPreview", &["renderings", "too_similar"]),
        ("Rendering", &["variant", "text"]),
        ("Campaign", &["id", "name", "message", "status", "pause_reason", "settings", "instance_ids", "counts", "delivery_rate", "read_rate", "created_at", "started_at", "finished_at", "start_at", "variants", "ab_test", "waiting_for_window", "rotation"]),
        ("CampaignCounts", &["total", "pending", "sent", "delivered", "read", "failed", "opted_out", "replied", "cancelled"]),
        ("Variant", &["index", "text", "counts", "rates"]),
        ("VariantCounts", &["sent", "delivered", "read", "replied", "opted_out"]),
        ("VariantRates", &["delivered", "read", "replied", "opted_out"]),
        ("AbVerdict", &["verdict", "needed_per_variant", "variant", "metric", "rate", "than", "than_rate"]),
        ("WindowOpens", &["at", "local_time"]),
        ("RotationShare", &["instance_id", "name", "share_percent", "remaining_today", "risk", "available"]),
        ("CampaignContact", &["id", "contact_id", "phone", "name", "status", "whatsapp_message_id", "sent_at", "delivered_at", "read_at", "failed_at", "error", "replied_at"]),
        ("CampaignLog", &["id", "log_type", "severity", "message", "details", "created_at"]),
        ("ScheduleBody", &["start_at"]),
        ("User", &["id", "email", "role", "last_login_at", "created_at"]),
        ("NewUser", &["email", "password", "role"]),
        ("RoleChange", &["role"]),
        ("PasswordChange", &["current_password", "new_password"]),
        ("Token", &["id", "name", "created_at", "last_used_at"]),
        ("TokenCreated", &["id", "name", "token", "created_at"]),
        ("TenantSettings", &["opt_out_keywords", "timezone", "default_pacing", "default_send_window", "default_daily_cap", "warmup_plan", "optout_pause_percent"]),
        ("Pacing", &["min_delay_ms", "max_delay_ms"]),
        ("WarmupStep", &["day", "cap"]),
        ("OptOutTestBody", &["text"]),
        ("OptOutTest", &["opts_out", "keyword"]),
        ("WebhookEnvelope", &["event", "instance", "data", "apikey"]),
        ("WebhookStored", &["status"]),
    ];

    /// The operations of `doc`: `(method, path)` with the operation.
    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let paths = doc["paths"].as_object().expect("paths");
        paths
            .iter()
            .flat_map(|(path, item)| {
                let item = item.as_object().expect("path item");
                item.iter()
                    .map(move |(method, op)| (method.clone(), path.clone(), op))
            })
            .collect()
    }

    /// The schema named by `reference` (`#/components/schemas/Name`).
    fn resolve<'a>(doc: &'a Value, reference: &str) -> &'a Value {
        let name = reference
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("not a schema reference: {reference}"));
        &doc["components"]["schemas"][name]
    }

    /// `Name` for a reference to schema `Name`, `[Name]` for an array of them, `{}` for anything.
    fn shape(schema: &Value) -> String {
        if let Some(reference) = schema["$ref"].as_str() {
            return reference.rsplit('/').next().unwrap_or_default().to_string();
        }
        if schema["type"] == "array" {
            return format!("[{}]", shape(&schema["items"]));
        }
        assert_eq!(schema, &json!({}), "an inline schema");
        "{}".to_string()
    }

    /// A body's shape: its JSON schema's, else its media types.
    fn content_shape(content: &Value) -> String {
        let Some(content) = content.as_object() else {
            return String::new();
        };
        match content.get("application/json") {
            Some(json) => shape(&json["schema"]),
            None => {
                let mut types: Vec<&str> = content.keys().map(String::as_str).collect();
                types.sort_unstable();
                types.join(", ")
            }
        }
    }

    /// Every property name of `schema`, through references and `allOf` / `oneOf` parts.
    fn fields(doc: &Value, schema: &Value) -> BTreeSet<String> {
        if let Some(reference) = schema["$ref"].as_str() {
            return fields(doc, resolve(doc, reference));
        }
        let mut names: BTreeSet<String> = schema["properties"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        for key in ["allOf", "oneOf"] {
            for part in schema[key].as_array().into_iter().flatten() {
                names.extend(fields(doc, part));
            }
        }
        names
    }

    /// The document lists exactly the [`OPERATIONS`].
    pub fn lists_every_route_and_only_them(doc: &Value) {
        let documented: BTreeSet<(String, String)> = operations(doc)
            .into_iter()
            .map(|(method, path, _)| (method, path))
            .collect();
        let expected: BTreeSet<(String, String)> = OPERATIONS
            .iter()
            .map(|(method, path, ..)| (method.to_string(), path.to_string()))
            .collect();
        assert_eq!(
            documented.difference(&expected).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "documented but not in the list"
        );
        assert_eq!(
            expected.difference(&documented).collect::<Vec<_>>(),
            Vec::<&(String, String)>::new(),
            "in the list but not documented (not routed)"
        );
    }

    /// Each operation has its summary, a unique id, and the parameters, body and answer of
    /// [`OPERATIONS`].
    pub fn operations_keep_their_parameters_bodies_and_answers(doc: &Value) {
        let mut ids = BTreeSet::new();
        for &(method, path, params, body, status, answer) in OPERATIONS {
            let op = &doc["paths"][path][method];
            let at = format!("{method} {path}");
            assert!(
                op["summary"]
                    .as_str()
                    .is_some_and(|s| !s.is_empty() && !s.contains('\n')),
                "{at}: summary {}",
                op["summary"]
            );
            assert!(
                ids.insert(op["operationId"].as_str().expect("operationId")),
                "{at}: operationId {} used twice",
                op["operationId"]
            );
            let got: BTreeSet<&str> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["name"].as_str().expect("parameter name"))
                .collect();
            assert_eq!(got, params.iter().copied().collect(), "{at}: parameters");
            assert_eq!(
                content_shape(&op["requestBody"]["content"]),
                body,
                "{at}: body"
            );
            let success = &op["responses"][status.to_string()];
            assert!(success.is_object(), "{at}: no {status} answer");
            assert_eq!(content_shape(&success["content"]), answer, "{at}: answer");
        }
    }

    /// Each schema of [`SCHEMAS`] has its fields.
    pub fn schemas_carry_their_fields(doc: &Value) {
        for &(name, expected) in SCHEMAS {
            let schema = &doc["components"]["schemas"][name];
            assert!(schema.is_object(), "no schema {name}");
            let got = fields(doc, schema);
            for field in expected {
                assert!(got.contains(*field), "{name} has no {field}: {got:?}");
            }
        }
        let error = &doc["components"]["schemas"]["Error"];
        assert_eq!(error["required"], json!(["error", "message"]));
        // Always present, even when null.
        let qr = &doc["components"]["schemas"]["InstanceQr"];
        assert_eq!(
            qr["required"],
            json!(["instance_id", "base64", "pairing_code", "code", "connected"])
        );
    }

    /// Every error answer is the shared `Error`; every operation but the public ones needs the
    /// bearer token.
    pub fn errors_share_one_answer_and_calls_need_the_bearer_token(doc: &Value) {
        assert_eq!(
            doc["components"]["responses"]["Error"]["content"]["application/json"]["schema"],
            json!({"$ref": "#/components/schemas/Error"})
        );
        assert_eq!(
            doc["components"]["securitySchemes"]["bearer"],
            json!({"type": "http", "scheme": "bearer"})
        );
        assert_eq!(doc["security"], json!([{"bearer": []}]));
        for (method, path, op) in operations(doc) {
            let responses = op["responses"].as_object().expect("responses");
            for (status, answer) in responses {
                if status.starts_with(['4', '5']) && path != "/healthz" {
                    assert_eq!(
                        answer,
                        &json!({"$ref": "#/components/responses/Error"}),
                        "{method} {path} {status}"
                    );
                }
            }
            let public = [
                "/healthz",
                "/api/v1/openapi.json",
                "/api/webhooks/evolution",
                "/api/webhooks/evolution/i/{secret}",
            ];
            let security = if public.contains(&path.as_str()) {
                json!([])
            } else {
                Value::Null
            };
            assert_eq!(op["security"], security, "{method} {path}");
        }
    }

    /// String fields with a fixed set of values list them.
    pub fn string_fields_list_their_values(doc: &Value) {
        let schemas = &doc["components"]["schemas"];
        let status = &schemas["Campaign"]["properties"]["status"]["enum"];
        assert!(
            status
                .as_array()
                .is_some_and(|v| v.contains(&json!("scheduled")))
        );
        assert_eq!(
            schemas["NewInstance"]["properties"]["api_version"]["enum"],
            json!(["v2", "v1", null])
        );
        assert_eq!(
            schemas["Settings"]["properties"]["send_days"]["items"]["enum"],
            json!(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
        );
        assert_eq!(
            schemas["User"]["properties"]["role"]["enum"],
            json!(["admin", "viewer"])
        );
    }
}

async fn shell_page_renders(app: TestApp) {
    // Pages need a session: once set up (a tenant exists), the root sends a visitor to the
    // login page, rendered on the server with the hydration script.
    app.tenant("Acme").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client.get(app.url("/")).send().await.unwrap();
    assert!(res.status().is_redirection(), "{}", res.status());
    assert!(
        res.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    let res = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("Alrea Flow"), "{html}");
    assert!(html.contains("/pkg/flow.js"), "no hydration script: {html}");
}

/// Follows `cursor` pages of `path` (`limit` rows each) to the end; every page's rows, in order.
async fn pages_by_cursor(app: &TestApp, token: &str, path: &str, limit: usize) -> Vec<Vec<Value>> {
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut pages: Vec<Vec<Value>> = Vec::new();
    let mut cursor: Option<i64> = None;
    loop {
        let url = match cursor {
            None => format!("{path}{sep}limit={limit}"),
            Some(c) => format!("{path}{sep}limit={limit}&cursor={c}"),
        };
        let (status, body) = app.get(token, &url).await;
        assert_eq!(status, 200, "{url}: {body}");
        let rows = body.as_array().expect("array").clone();
        if rows.is_empty() {
            return pages;
        }
        cursor = rows.last().and_then(|r| r["id"].as_i64());
        pages.push(rows);
    }
}

async fn recipients_and_logs_page_by_cursor(app: TestApp) {
    let t = app.tenant("Loja Azul").await;
    let inst = app.instance(&t, "loja-01").await;
    let contacts = app.contacts(&t, 7).await;
    let id = app
        .campaign(&t, inst["id"].as_i64().unwrap(), &contacts)
        .await;
    let recipients = format!("/api/v1/campaigns/{id}/contacts");

    // Keyset pages of 3 walk every recipient once, in campaign order: 3 + 3 + 1.
    let pages = pages_by_cursor(&app, &t.token, &recipients, 3).await;
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 1]);
    let walked: Vec<i64> = pages
        .iter()
        .flatten()
        .map(|r| r["contact_id"].as_i64().unwrap())
        .collect();
    assert_eq!(walked, contacts, "every recipient once, in order");
    let (_, all) = app.get(&t.token, &recipients).await;
    assert_eq!(
        pages.concat(),
        all.as_array().unwrap().clone(),
        "the same rows as one page"
    );
    // The cursor is the row id, which increases; offset still works beside it.
    let ids: Vec<i64> = pages
        .concat()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let (_, skipped) = app
        .get(
            &t.token,
            &format!("{recipients}?cursor={}&offset=1&limit=2", ids[1]),
        )
        .await;
    assert_eq!(skipped.as_array().unwrap().clone(), pages.concat()[3..5]);

    // Cancelled: the status filter pages the same way.
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let cancelled =
        pages_by_cursor(&app, &t.token, &format!("{recipients}?status=cancelled"), 2).await;
    assert_eq!(
        cancelled.iter().map(Vec::len).collect::<Vec<_>>(),
        [2, 2, 2, 1]
    );
    let (_, none) = app
        .get(
            &t.token,
            &format!("{recipients}?status=pending&cursor={}", ids[0]),
        )
        .await;
    assert_eq!(none, json!([]));

    // The log pages newest first: each cursor page holds older lines than the one before.
    let logs = pages_by_cursor(&app, &t.token, &format!("/api/v1/campaigns/{id}/logs"), 1).await;
    let types: Vec<&str> = logs
        .iter()
        .flatten()
        .map(|l| l["log_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["campaign_cancelled", "campaign_created"]);

    // A bad cursor is a clear 4xx; another tenant's campaign is not found.
    let (status, body) = app.get(&t.token, &format!("{recipients}?cursor=abc")).await;
    assert_error(status, &body, 422, "validation_failed");
    let other = app.tenant("Loja Verde").await;
    let (status, body) = app
        .get(&other.token, &format!("{recipients}?cursor={}", ids[0]))
        .await;
    assert_error(status, &body, 404, "not_found");
}
