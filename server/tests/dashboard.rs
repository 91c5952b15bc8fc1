//! The dashboard: login, logout and lockout; roles enforced on the server (REST and server
//! functions); tenants isolated; pages rendered on the server with real numbers.

mod common;

use common::sse::next_matching;
use common::{Tenant, TestApp};
use flow_server::auth::Role;
use flow_server::dashboard::users;
use reqwest::header::{ACCEPT, ACCEPT_LANGUAGE, COOKIE, LOCATION, SET_COOKIE};
use sea_orm::ConnectionTrait;
use serde_json::Value;

const PASSWORD: &str = "correct horse battery";

async fn user(app: &TestApp, tenant: &Tenant, email: &str, role: Role) {
    users::create(&app.state.db, tenant.id, email, PASSWORD, role)
        .await
        .expect("user created");
}

async fn login(app: &TestApp, email: &str) -> String {
    let (status, cookie) = app.try_login(email, PASSWORD).await;
    assert_eq!(status, 200);
    cookie.expect("session cookie")
}

/// The text of the element with `data-testid="{id}"` in server-rendered HTML.
fn text_of<'a>(html: &'a str, id: &str) -> &'a str {
    let at = html
        .find(&format!("data-testid=\"{id}\""))
        .unwrap_or_else(|| panic!("{id} is not on the page"));
    let rest = &html[at..];
    let start = rest.find('>').expect("tag end") + 1;
    let len = rest[start..].find('<').expect("text end");
    &rest[start..start + len]
}

/// A page or export as a logged-in browser asking for English sees it (the pages' words are
/// asserted in English here; pt-BR, the default, is tested in `pages_speak_the_users_language`).
async fn get_with(app: &TestApp, cookie: &str, path: &str) -> (u16, String) {
    get_in(app, cookie, path, "en").await
}

/// A page or export for a browser whose `Accept-Language` is `lang`.
async fn get_in(app: &TestApp, cookie: &str, path: &str, lang: &str) -> (u16, String) {
    let res = app
        .client
        .get(app.url(path))
        .header(COOKIE, cookie)
        .header(ACCEPT, "text/html")
        .header(ACCEPT_LANGUAGE, lang)
        .send()
        .await
        .expect("request");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

async fn post_with(app: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> u16 {
    app.client
        .post(app.url(path))
        .header(COOKIE, cookie)
        .form(form)
        .send()
        .await
        .expect("request")
        .status()
        .as_u16()
}

/// A tenant's draft campaign of three contacts (a draft, so no sender touches it); its id.
async fn draft_campaign(app: &TestApp, tenant: &Tenant) -> i64 {
    let instance = app.instance(tenant, &format!("inst-{}", tenant.id)).await;
    let contacts = app.contacts(tenant, 3).await;
    app.campaign(tenant, instance["id"].as_i64().expect("id"), &contacts)
        .await
}

async fn login_sets_an_http_only_cookie_and_logout_ends_the_session(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "Ana@Acme.test", Role::Admin).await;
    let res = app
        .client
        .post(app.url("/api/ui/login"))
        .form(&[("email", "ana@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), 200);
    let set = res.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    let cookie = set.split(';').next().unwrap().to_string();

    let (status, html) = get_with(&app, &cookie, "/").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("ana@acme.test"),
        "the nav shows who is logged in"
    );
    let (status, _) = get_with(&app, &cookie, "/api/v1/campaigns").await;
    assert_eq!(status, 200, "the cookie authenticates the REST API too");

    assert_eq!(post_with(&app, &cookie, "/api/ui/logout", &[]).await, 200);
    let (status, _) = get_with(&app, &cookie, "/api/v1/campaigns").await;
    assert_eq!(status, 401, "the session is gone after logout");
}

async fn wrong_password_is_refused_and_repeated_failures_lock_the_email(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Admin).await;
    let (status, cookie) = app.try_login("ana@acme.test", "wrong password").await;
    assert_eq!((status, cookie), (401, None));
    let (status, _) = app.try_login("nobody@acme.test", PASSWORD).await;
    assert_eq!(status, 401, "unknown emails look the same");
    for _ in 0..4 {
        assert_eq!(app.try_login("ana@acme.test", "wrong again").await.0, 401);
    }
    let (status, cookie) = app.try_login("ana@acme.test", PASSWORD).await;
    assert_eq!(
        (status, cookie),
        (429, None),
        "locked even with the right password"
    );
    let (status, _) = app.try_login("nobody-else@acme.test", "x").await;
    assert_eq!(status, 401, "other emails are not locked");
}

async fn unauthenticated_pages_redirect_to_login(app: TestApp) {
    // Once set up (a tenant exists); before that every page leads to /setup (tests/admin.rs).
    app.tenant("Acme").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/", "/campaigns/1", "/instances", "/opt-outs"] {
        let res = client
            .get(app.url(path))
            .header(ACCEPT, "text/html")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 302, "{path}");
        assert_eq!(res.headers()[LOCATION], "/login", "{path}");
    }
    let (status, _) = get_with(&app, "flow_session=forged", "/api/v1/campaigns").await;
    assert_eq!(status, 401);
    let res = client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}

async fn viewers_cannot_change_campaigns_through_rest_or_server_functions(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    let id = draft_campaign(&app, &t).await;
    let viewer = login(&app, "viewer@acme.test").await;

    let (status, html) = get_with(&app, &viewer, &format!("/campaigns/{id}")).await;
    assert_eq!(status, 200);
    assert!(!html.contains("action-"), "no action buttons for viewers");
    let rest = |path: String| {
        app.client
            .post(app.url(&path))
            .header(COOKIE, viewer.clone())
            .send()
    };
    for action in ["start", "pause", "cancel"] {
        let path = format!("/api/v1/campaigns/{id}/{action}");
        assert_eq!(rest(path).await.unwrap().status(), 403, "{action}");
        let forged = post_with(
            &app,
            &viewer,
            "/api/ui/campaign_action",
            &[("id", &id.to_string()), ("action", action)],
        )
        .await;
        assert_eq!(forged, 403, "{action}");
    }
    let (_, body) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(body["status"], "draft", "nothing changed");
    let res = app
        .client
        .post(app.url("/api/v1/instances"))
        .header(COOKIE, viewer.clone())
        .json(&serde_json::json!({"instance_name": "x", "api_url": "http://127.0.0.1:9", "api_key": "k"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "viewers cannot create instances");

    let admin = login(&app, "admin@acme.test").await;
    let (_, html) = get_with(&app, &admin, &format!("/campaigns/{id}")).await;
    assert!(html.contains("action-start"), "admins get the start button");
    let res = app
        .client
        .post(app.url("/api/ui/campaign_action"))
        .header(COOKIE, admin.clone())
        .form(&[("id", id.to_string().as_str()), ("action", "start")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["status"], "active");
}

async fn another_tenants_campaign_is_not_found(app: TestApp) {
    let a = app.tenant("Acme").await;
    let b = app.tenant("Rival").await;
    let id = draft_campaign(&app, &a).await;
    user(&app, &b, "bob@rival.test", Role::Admin).await;
    let bob = login(&app, "bob@rival.test").await;
    let (status, html) = get_with(&app, &bob, &format!("/campaigns/{id}")).await;
    assert_eq!(status, 404);
    assert!(html.contains("Campaign not found"));
    assert!(!html.contains("Olá"), "nothing of the campaign leaks");
    let status = post_with(
        &app,
        &bob,
        "/api/ui/campaign_action",
        &[("id", &id.to_string()), ("action", "pause")],
    )
    .await;
    assert_eq!(status, 404);
    let (status, _) = get_with(&app, &bob, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(status, 404);
}

async fn the_campaign_page_renders_its_numbers_on_the_server(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    let id = draft_campaign(&app, &t).await;
    app.state
        .db
        .write
        .execute_unprepared(&format!(
            "UPDATE campaign SET sent = 3, delivered = 2, \"read\" = 1, pending = 0 WHERE id = {id}"
        ))
        .await
        .unwrap();
    let cookie = login(&app, "ana@acme.test").await;
    let (status, html) = get_with(&app, &cookie, &format!("/campaigns/{id}")).await;
    assert_eq!(status, 200);
    for (key, value) in [
        ("sent", "3"),
        ("delivered", "2"),
        ("read", "1"),
        ("pending", "0"),
    ] {
        assert_eq!(text_of(&html, &format!("count-{key}")), value, "{key}");
    }
    assert_eq!(text_of(&html, "rate-delivery"), "66.7%");
    assert_eq!(text_of(&html, "rate-read"), "50.0%");
    let (status, html) = get_with(&app, &cookie, "/").await;
    assert_eq!(status, 200);
    assert!(html.contains("3 of 3 sent"));
}

/// The data a page hands to the browser for hydration: `(id, JSON)` of each
/// `__RESOLVED_RESOURCES[id] = "…"` line.
fn serialized_resources(html: &str) -> Vec<(u32, String)> {
    html.split("__RESOLVED_RESOURCES[")
        .skip(1)
        .filter_map(|rest| {
            let (id, rest) = rest.split_once("] = ")?;
            let value = rest.split_once(";").map_or(rest, |(v, _)| v);
            Some((id.parse().ok()?, value.to_string()))
        })
        .collect()
}

/// Each page hands the browser the same data under the same ids on every load (5 loads), and
/// none of it is an error. The server used to run a `<Suspense>` body a second time when its
/// data were already there, depending on which query finished first: the page then used more
/// ids than the browser counts, a resource of the discarded run serialized "backend missing",
/// and hydration failed in the browser (an error box where the server drew data).
async fn every_page_hands_the_browser_the_same_data_on_every_load(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    let id = draft_campaign(&app, &t).await;
    app.instance(&t, "second").await;
    let cookie = login(&app, "admin@acme.test").await;
    let pages = [
        "/".to_string(),
        format!("/campaigns/{id}"),
        "/campaigns/new".to_string(),
        "/instances".to_string(),
        "/contacts".to_string(),
        "/lists".to_string(),
        "/opt-outs".to_string(),
        "/settings".to_string(),
        "/users".to_string(),
        "/tokens".to_string(),
        "/account".to_string(),
    ];
    for path in &pages {
        let mut first: Option<Vec<u32>> = None;
        for _ in 0..5 {
            let (status, html) = get_with(&app, &cookie, path).await;
            assert_eq!(status, 200, "{path}");
            let data = serialized_resources(&html);
            if let Some((id, value)) = data.iter().find(|(_, v)| v.starts_with("\"{\\\"Err")) {
                panic!("{path}: resource {id} was serialized as an error: {value}");
            }
            let ids: Vec<u32> = data.iter().map(|(id, _)| *id).collect();
            match &first {
                None => first = Some(ids),
                Some(first) => assert_eq!(&ids, first, "{path}: the serialized ids changed"),
            }
        }
    }
}

/// A page renders in time while the same process builds another router, as every test server
/// of a test binary does at its start. Building the route list renders the app once under
/// leptos's process-wide "suppress resource loads" flag; a page whose data load was first polled
/// inside that window waited forever (leptos-rs/leptos#4773): the hangs seen in CI.
async fn pages_render_while_the_process_builds_another_router(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    let id = draft_campaign(&app, &t).await;
    let cookie = login(&app, "admin@acme.test").await;
    use std::sync::atomic::{AtomicBool, Ordering};
    /// Stops the router builder when the page loop ends, also when it fails.
    struct Stop(std::sync::Arc<AtomicBool>);
    impl Drop for Stop {
        fn drop(&mut self) {
            self.0.store(false, Ordering::SeqCst);
        }
    }
    let building = std::sync::Arc::new(AtomicBool::new(true));
    let builder = tokio::task::spawn_blocking({
        let (state, building) = (app.state.clone(), building.clone());
        move || {
            let mut built = 0u32;
            while building.load(Ordering::SeqCst) {
                drop(flow_server::router(state.clone()));
                built += 1;
            }
            built
        }
    });
    let stop = Stop(building);
    let pages = [
        "/".to_string(),
        format!("/campaigns/{id}"),
        "/instances".to_string(),
    ];
    for round in 0..15 {
        for path in &pages {
            let load = get_with(&app, &cookie, path);
            let (status, _) = tokio::time::timeout(std::time::Duration::from_secs(5), load)
                .await
                .unwrap_or_else(|_| panic!("{path} (round {round}) did not render within 5 s"));
            assert_eq!(status, 200, "{path}");
        }
    }
    drop(stop);
    assert!(
        builder.await.expect("builder") > 0,
        "no router was built meanwhile"
    );
}

async fn a_viewers_live_stream_carries_no_webhook_secrets(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    let instance = app.instance(&t, "loja").await;
    let url = instance["webhook_url"].as_str().unwrap().to_string();
    let secret = instance["webhook_secret"].as_str().unwrap().to_string();
    let viewer = login(&app, "viewer@acme.test").await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .header(COOKIE, viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200, "the cookie opens the event stream");
    let body = serde_json::json!({
        "event": "connection.update",
        "instance": "loja",
        "data": {"instance": "loja", "state": "open", "statusReason": 200},
    });
    let (status, _) = app
        .webhook(url.trim_start_matches(&app.base), &[], &body)
        .await;
    assert!(status < 300);
    let seen = read_until_instance_event(&mut stream).await;
    assert!(seen.contains("\"instance_name\":\"loja\""), "{seen}");
    assert!(!seen.contains(&secret), "no webhook secret for viewers");
}

async fn recipients_can_be_searched_and_exported_as_csv(app: TestApp) {
    let t = app.tenant("Acme").await;
    let other = app.tenant("Rival").await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    user(&app, &other, "bob@rival.test", Role::Viewer).await;
    let id = draft_campaign(&app, &t).await;
    let ana = login(&app, "ana@acme.test").await;

    let (_, html) = get_with(&app, &ana, &format!("/campaigns/{id}?q=contact%201")).await;
    assert!(
        html.contains("Contact 1") && !html.contains("Contact 2"),
        "name search"
    );
    let (_, html) = get_with(&app, &ana, &format!("/campaigns/{id}?q=80000002")).await;
    assert!(
        html.contains("Contact 2") && !html.contains("Contact 1<"),
        "phone search"
    );

    let export = format!("/export/campaigns/{id}/recipients.csv");
    let res = app
        .client
        .get(app.url(&export))
        .header(COOKIE, ana.clone())
        .header(ACCEPT_LANGUAGE, "en")
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
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(lines[0].starts_with("name,phone,status,"));
    assert!(lines[1].starts_with("Contact 0,5511980000000,pending,"));
    let (status, csv) = get_with(&app, &ana, &format!("{export}?status=sent")).await;
    assert_eq!((status, csv.lines().count()), (200, 1), "only the header");

    let bob = login(&app, "bob@rival.test").await;
    let (status, _) = get_with(&app, &bob, &export).await;
    assert_eq!(status, 404, "another tenant's campaign");
    let res = app.client.get(app.url(&export)).send().await.unwrap();
    assert_eq!(res.status(), 401);

    app.state
        .db
        .write
        .execute_unprepared(&format!(
            "UPDATE contact SET opted_out_at = created_at, opt_out_keyword = 'SAIR', \
             opt_out_text = '=HYPERLINK(1)' WHERE tenant_id = {} AND phone = '5511980000001'",
            t.id
        ))
        .await
        .unwrap();
    let (status, csv) = get_with(&app, &ana, "/export/opt-outs.csv").await;
    assert_eq!(status, 200);
    assert!(csv.starts_with("opted_out_at,phone,name,keyword,message,campaign\n"));
    assert!(
        csv.contains("5511980000001,Contact 1,SAIR,'=HYPERLINK(1)"),
        "{csv}"
    );
    let (_, csv) = get_with(&app, &bob, "/export/opt-outs.csv").await;
    assert_eq!(csv.lines().count(), 1, "nothing of another tenant");
}

async fn the_timeline_counts_deliveries_and_reads_per_minute(app: TestApp) {
    use flow_server::sql::stmt;
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    let id = draft_campaign(&app, &t).await;
    let cookie = login(&app, "ana@acme.test").await;
    let timeline = || async {
        let res = app
            .client
            .post(app.url("/api/ui/timeline"))
            .header(COOKIE, cookie.clone())
            .form(&[("id", id.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()
    };
    assert_eq!(
        timeline().await["points"],
        serde_json::json!([]),
        "no receipts yet"
    );

    let now = chrono::Utc::now();
    let earlier = now - chrono::Duration::minutes(10);
    let db = &app.state.db.write;
    for (n, delivered, read) in [(0, now, Some(now)), (1, now, None), (2, earlier, None)] {
        db.execute_raw(stmt(
            db.get_database_backend(),
            "UPDATE campaign_contact SET status = 'delivered', delivered_at = ?, read_at = ? \
             WHERE id = (SELECT id FROM campaign_contact WHERE campaign_id = ? ORDER BY id \
             LIMIT 1 OFFSET ?)",
            vec![delivered.into(), read.into(), id.into(), (n as i64).into()],
        ))
        .await
        .unwrap();
    }
    let body = timeline().await;
    let points = body["points"].as_array().unwrap();
    assert_eq!(points.len(), 60);
    assert_eq!(
        points[59]["minute"],
        now.format("%Y-%m-%dT%H:%M").to_string()
    );
    assert_eq!(
        (&points[59]["delivered"], &points[59]["read"]),
        (&Value::from(2), &Value::from(1))
    );
    assert_eq!(points[49]["delivered"], 1, "ten minutes earlier");
    let total: i64 = points
        .iter()
        .map(|p| p["delivered"].as_i64().unwrap())
        .sum();
    assert_eq!(total, 3);
}

async fn admins_create_campaigns_over_pasted_contacts_and_viewers_cannot(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    let instance = app.instance(&t, "loja").await;
    let body = serde_json::json!({
        "input": {
            "name": "Natal",
            "message": "Oi {{first_name}}",
            "instance_ids": [instance["id"]],
            "all_contacts": false,
        },
        "pasted": "Maria Silva, +55 11 98765-4321\n5511912345678\n",
    });
    let post = |cookie: String| {
        app.client
            .post(app.url("/api/ui/create_campaign"))
            .header(COOKIE, cookie)
            .json(&body)
            .send()
    };
    let viewer = login(&app, "viewer@acme.test").await;
    assert_eq!(post(viewer.clone()).await.unwrap().status(), 403);
    let (_, list) = app.get(&t.token, "/api/v1/campaigns").await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing created");

    let admin = login(&app, "admin@acme.test").await;
    let res = post(admin.clone()).await.unwrap();
    assert_eq!(res.status(), 200);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["status"], "draft");
    assert_eq!(view["counts"]["total"], 2);
    let (_, contacts) = app
        .get(&t.token, "/api/v1/contacts?phone=5511987654321")
        .await;
    assert_eq!(
        contacts[0]["name"], "Maria Silva",
        "pasted contacts are imported"
    );

    let (_, html) = get_with(&app, &admin, "/campaigns/new").await;
    assert!(html.contains("data-testid=\"new-campaign\""));
    let (_, html) = get_with(&app, &viewer, "/campaigns/new").await;
    assert!(html.contains("Only admins create campaigns."));
}

async fn admins_configure_the_evolution_webhook_and_viewers_cannot(app: TestApp) {
    let sim = common::sim::Sim::start(common::sim::fast(7)).await;
    let t = app.tenant("Acme").await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    let inst = app.instance_on(&t, &sim, "loja").await;
    let id = inst["id"].to_string();
    let viewer = login(&app, "viewer@acme.test").await;
    let admin = login(&app, "admin@acme.test").await;
    let form = [("id", id.as_str())];
    assert_eq!(
        post_with(&app, &viewer, "/api/ui/configure_webhook", &form).await,
        403
    );
    for path in [
        format!("/api/v1/instances/{id}/webhook"),
        format!("/api/v1/instances/{id}/refresh"),
    ] {
        let res = app
            .client
            .post(app.url(&path))
            .header(COOKIE, viewer.clone())
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{path}");
    }
    let (status, list) = get_with(&app, &viewer, "/api/v1/instances").await;
    assert_eq!(status, 200);
    assert!(
        !list.contains(inst["webhook_secret"].as_str().unwrap()),
        "viewers get no secrets"
    );
    assert_eq!(
        post_with(&app, &admin, "/api/ui/configure_webhook", &form).await,
        200
    );
}

/// A response's status and body text, for the secret walk.
async fn fetched(res: reqwest::Response) -> (u16, String) {
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

/// Reads `stream` until an `instance` event is complete (at most 5 s); answers what it read.
async fn read_until_instance_event(stream: &mut reqwest::Response) -> String {
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    let complete = |s: &str| {
        s.find("event: instance")
            .is_some_and(|at| s[at..].contains("\n\n"))
    };
    while !complete(&seen) {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("an instance event within 5 s")
            .unwrap()
            .expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    seen
}

/// Walks every route a viewer can reach (pages, server functions, REST GETs, CSV exports and
/// the live stream after an instance change) and looks for the webhook secret, the webhook
/// URL and the Evolution api key in every body.
async fn no_route_shows_a_viewer_a_webhook_secret_or_an_api_key(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    let instance = app.instance(&t, "loja").await;
    let instance_id = instance["id"].as_i64().unwrap().to_string();
    let contacts = app.contacts(&t, 3).await;
    let campaign = app
        .campaign(&t, instance["id"].as_i64().unwrap(), &contacts)
        .await
        .to_string();
    let secret = instance["webhook_secret"].as_str().unwrap().to_string();
    let hook_url = instance["webhook_url"].as_str().unwrap().to_string();
    let forbidden = [
        secret.clone(),
        hook_url.clone(),
        "secret-key-loja".to_string(),
    ];

    let admin = login(&app, "admin@acme.test").await;
    let (_, html) = get_with(&app, &admin, "/instances").await;
    assert!(html.contains(&hook_url), "admins still get the webhook URL");
    assert!(!html.contains("secret-key-loja"), "nobody gets the api key");

    let viewer = login(&app, "viewer@acme.test").await;
    let mut bodies: Vec<(String, u16, String)> = Vec::new();
    let pages = [
        "/".to_string(),
        "/login".to_string(),
        "/campaigns/new".to_string(),
        format!("/campaigns/{campaign}"),
        format!("/campaigns/{campaign}?status=pending&q=contact"),
        "/instances".to_string(),
        "/opt-outs".to_string(),
        "/no-such-page".to_string(),
    ];
    let rest = [
        "/api/v1/instances".to_string(),
        "/api/v1/contacts".to_string(),
        format!("/api/v1/contacts/{}", contacts[0]),
        "/api/v1/campaigns".to_string(),
        format!("/api/v1/campaigns/{campaign}"),
        format!("/api/v1/campaigns/{campaign}/contacts"),
        format!("/api/v1/campaigns/{campaign}/logs"),
        "/api/v1/openapi.json".to_string(),
        format!("/export/campaigns/{campaign}/recipients.csv"),
        "/export/opt-outs.csv".to_string(),
    ];
    for path in pages.iter().chain(&rest) {
        let (status, body) = get_with(&app, &viewer, path).await;
        bodies.push((path.clone(), status, body));
    }
    let id = campaign.as_str();
    let server_fns: [(&str, &[(&str, &str)]); 10] = [
        ("me", &[]),
        ("campaigns", &[]),
        ("campaign", &[("id", id)]),
        ("recipients", &[("id", id)]),
        ("timeline", &[("id", id)]),
        ("logs", &[("id", id)]),
        ("instances", &[]),
        ("opt_outs", &[]),
        ("campaign_action", &[("id", id), ("action", "pause")]),
        ("configure_webhook", &[("id", &instance_id)]),
    ];
    for (name, form) in server_fns {
        let res = app
            .client
            .post(app.url(&format!("/api/ui/{name}")))
            .header(COOKIE, viewer.clone())
            .form(form)
            .send()
            .await
            .unwrap();
        let (status, body) = fetched(res).await;
        bodies.push((format!("/api/ui/{name}"), status, body));
    }
    let res = app
        .client
        .post(app.url("/api/ui/create_campaign"))
        .header(COOKIE, viewer.clone())
        .json(&serde_json::json!({
            "input": {"name": "x", "message": "y", "instance_ids": [instance["id"]], "all_contacts": true},
            "pasted": "",
        }))
        .send()
        .await
        .unwrap();
    let (status, body) = fetched(res).await;
    bodies.push(("/api/ui/create_campaign".into(), status, body));

    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .header(COOKIE, viewer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let change = serde_json::json!({
        "event": "connection.update",
        "instance": "loja",
        "data": {"instance": "loja", "state": "open", "statusReason": 200},
    });
    let (status, _) = app
        .webhook(hook_url.trim_start_matches(&app.base), &[], &change)
        .await;
    assert!(status < 300);
    let events = read_until_instance_event(&mut stream).await;
    bodies.push(("/api/v1/events".into(), 200, events));

    let (status, html) = get_with(&app, &viewer, "/instances").await;
    assert_eq!(status, 200);
    assert!(html.contains("loja"), "the viewer sees the instance itself");
    for (path, status, body) in &bodies {
        assert!(!body.is_empty(), "{path} answered {status} with nothing");
        for needle in &forbidden {
            assert!(
                !body.contains(needle.as_str()),
                "{path} ({status}) shows a viewer {needle}"
            );
        }
    }
}

/// The lockout is counted before the slow hash: parallel wrong passwords cannot all be tried.
async fn parallel_wrong_passwords_are_locked_out_after_five(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Admin).await;
    let attempts = (0..30).map(|_| app.try_login("ana@acme.test", "wrong password"));
    let statuses: Vec<u16> = futures_util::future::join_all(attempts)
        .await
        .into_iter()
        .map(|(status, _)| status)
        .collect();
    let refused = statuses.iter().filter(|s| **s == 401).count();
    let locked = statuses.iter().filter(|s| **s == 429).count();
    assert!(refused <= 5, "{refused} passwords were tried: {statuses:?}");
    assert_eq!(refused + locked, 30, "{statuses:?}");
    let (status, cookie) = app.try_login("ana@acme.test", PASSWORD).await;
    assert_eq!((status, cookie), (429, None), "still locked");
    let (status, _) = app.try_login("ANA@acme.test ", PASSWORD).await;
    assert_eq!(status, 429, "the same email however it is written");
}

/// A login with a huge email or password is refused at once and leaves nothing behind.
async fn a_huge_email_or_password_is_refused_without_being_stored(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Admin).await;
    let huge = format!("{}@acme.test", "a".repeat(1 << 20));
    let (status, cookie) = app.try_login(&huge, PASSWORD).await;
    assert!(status == 400 || status == 401, "{status}");
    assert_eq!(cookie, None);
    let (status, _) = app.try_login("ana@acme.test", &"p".repeat(1 << 20)).await;
    assert!(status == 400 || status == 401, "{status}");
    let row = app
        .state
        .db
        .read
        .query_one_raw(sea_orm::Statement::from_string(
            app.state.db.backend(),
            "SELECT COUNT(*) AS n FROM login_attempt",
        ))
        .await
        .expect("the login_attempt table")
        .unwrap();
    let stored: i64 = row.try_get("", "n").unwrap();
    assert_eq!(stored, 0, "nothing of the huge email is stored");
    login(&app, "ana@acme.test").await; // the real email and password still work
}

/// Two servers on one PostgreSQL database share the lockout: spreading the attempts over them
/// does not multiply them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lockout_holds_across_two_servers_on_one_database() {
    let a = common::spawn(common::Backend::Postgres).await;
    let b = common::spawn_on(common::Backend::Postgres, &a.database_url, &[]).await;
    let t = a.tenant("Acme").await;
    user(&a, &t, "ana@acme.test", Role::Admin).await;
    let mut statuses = Vec::new();
    for n in 0..10 {
        let node = if n % 2 == 0 { &a } else { &b };
        statuses.push(node.try_login("ana@acme.test", "wrong password").await.0);
    }
    assert_eq!(
        statuses,
        [401, 401, 401, 401, 401, 429, 429, 429, 429, 429],
        "five tries in all, not five per server"
    );
    assert_eq!(b.try_login("ana@acme.test", PASSWORD).await.0, 429);
}

/// `FLOW_COOKIE_SECURE=true` marks the session cookie Secure even when Flow's public URL is
/// plain http (a proxy terminates TLS).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flow_cookie_secure_marks_the_session_cookie_secure() {
    let app = common::spawn_with(common::Backend::Sqlite, &[("FLOW_COOKIE_SECURE", "true")]).await;
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Admin).await;
    let res = app
        .client
        .post(app.url("/api/ui/login"))
        .form(&[("email", "ana@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let set = res.headers()[SET_COOKIE].to_str().unwrap();
    assert!(set.contains("; Secure"), "{set}");
}

/// A cookie-authenticated change from another site is refused (server functions and REST);
/// the same change from Flow's own pages, or with a bearer token, goes through.
async fn cross_site_changes_with_the_session_cookie_are_refused(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "admin@acme.test", Role::Admin).await;
    let id = draft_campaign(&app, &t).await;
    let admin = login(&app, "admin@acme.test").await;
    let start = |headers: &'static [(&'static str, &'static str)], origin: Option<String>| {
        let mut req = app
            .client
            .post(app.url("/api/ui/campaign_action"))
            .header(COOKIE, admin.clone())
            .form(&[("id", id.to_string()), ("action", "start".into())]);
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        if let Some(origin) = origin {
            req = req.header("origin", origin);
        }
        req.send()
    };
    let evil = Some("https://evil.example".to_string());
    assert_eq!(start(&[], evil.clone()).await.unwrap().status(), 403);
    assert_eq!(
        start(&[("sec-fetch-site", "cross-site")], None)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        start(&[("sec-fetch-site", "same-site")], None)
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(start(&[], Some("null".into())).await.unwrap().status(), 403);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/campaigns/{id}/start")))
        .header(COOKIE, admin.clone())
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "REST with the cookie too");
    let res = app
        .client
        .post(app.url("/api/ui/logout"))
        .header(COOKIE, admin.clone())
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403, "no logout from another site either");
    let (_, body) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(body["status"], "draft", "nothing changed");

    let res = start(&[("sec-fetch-site", "same-origin")], Some(app.base.clone()))
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "Flow's own pages work");
    let (_, body) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    assert_eq!(body["status"], "active");
    let res = app
        .client
        .post(app.url(&format!("/api/v1/campaigns/{id}/pause")))
        .bearer_auth(&t.token)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "a bearer token is not a browser credential"
    );
    let res = app
        .client
        .post(app.url("/api/ui/login"))
        .header(COOKIE, admin.clone())
        .header("origin", app.base.clone())
        .header("sec-fetch-site", "same-origin")
        .form(&[("email", "admin@acme.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        200,
        "the login form posts from Flow's own page"
    );
}

/// A live stream ends soon after its session is revoked (logout in another request).
async fn a_live_stream_ends_when_its_session_is_revoked(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    let viewer = login(&app, "viewer@acme.test").await;
    let mut stream = app
        .client
        .get(app.url("/api/v1/events"))
        .header(COOKIE, viewer.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    assert_eq!(post_with(&app, &viewer, "/api/ui/logout", &[]).await, 200);
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk())
            .await
            .expect("the stream ends within 10 s of the logout");
        match chunk {
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => break,
        }
    }
}

/// With the database away, a logged-in page answers 503 "database unavailable" instead of
/// sending the person to the login page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_shows_503_not_the_login_page() {
    let app = common::spawn(common::Backend::Postgres).await;
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    let cookie = login(&app, "ana@acme.test").await;
    app.allow_connections(false).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .get(app.url("/"))
        .header(COOKIE, cookie.clone())
        .header(ACCEPT, "text/html")
        .header(ACCEPT_LANGUAGE, "en")
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let location = res.headers().get(LOCATION).cloned();
    let html = res.text().await.unwrap();
    app.allow_connections(true).await;
    assert_eq!((status, location), (503, None));
    assert!(
        html.to_lowercase().contains("database unavailable"),
        "{html}"
    );
}

on_both_databases!(with [("FLOW_SESSION_RECHECK_SECS", "1")]; a_live_stream_ends_when_its_session_is_revoked);

/// Pages and JSON go out brotli- or gzip-compressed when the client takes it (far fewer bytes
/// for a phone on 4G); a client that does not gets them plain, and live streams stay plain.
async fn answers_are_compressed_when_the_client_takes_it(app: TestApp) {
    let t = app.tenant("Acme").await;
    let cookie = std::cell::OnceCell::<String>::new();
    let get = |path: &str, encoding: &str| {
        let req = app
            .request("GET", path, None)
            .bearer_auth(&t.token)
            .header("accept-encoding", encoding);
        match cookie.get() {
            Some(c) => req.header(reqwest::header::COOKIE, c),
            None => req,
        }
        .send()
    };
    let plain = get("/api/v1/openapi.json", "identity").await.unwrap();
    assert_eq!(plain.status(), 200);
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_len = plain.bytes().await.unwrap().len();
    for encoding in ["br", "gzip"] {
        let res = get("/api/v1/openapi.json", encoding).await.unwrap();
        assert_eq!(res.headers()["content-encoding"], encoding);
        let len = res.bytes().await.unwrap().len();
        assert!(
            len * 5 < plain_len,
            "{encoding}: {len} of {plain_len} bytes"
        );
    }
    let page = get("/login", "br, gzip").await.unwrap();
    assert_eq!(page.status(), 200);
    assert_eq!(page.headers()["content-encoding"], "br");
    // Streamed downloads arrive whole, compressed.
    app.contacts(&t, 3).await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    cookie.set(login(&app, "ana@acme.test").await).unwrap();
    for path in ["/api/v1/contacts/export", "/export/opt-outs.csv"] {
        let export = get(path, "br")
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(export.headers()["content-encoding"], "br", "{path}");
        let bytes = export.bytes().await;
        assert!(bytes.is_ok_and(|b| !b.is_empty()), "{path} cut short");
    }
    let events = get("/api/v1/events", "br, gzip").await.unwrap();
    assert_eq!(events.status(), 200);
    assert!(events.headers().get("content-encoding").is_none());
}

/// Pages speak the saved choice, else `Accept-Language`, else pt-BR; `<html lang>` follows;
/// the header's switch (a plain form post) saves the choice; CSV headers follow it too.
async fn pages_speak_the_users_language(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    let instance = app.instance(&t, "loja").await;
    let contacts = app.contacts(&t, 2).await;
    let id = app
        .campaign(&t, instance["id"].as_i64().unwrap(), &contacts)
        .await;

    let login_pt = app.client.get(app.url("/login")).send().await.unwrap();
    let html = login_pt.text().await.unwrap();
    assert!(
        html.contains("<html lang=\"pt-BR\""),
        "pt-BR without Accept-Language"
    );
    assert!(html.contains("Entrar"));
    let login_en = app
        .client
        .get(app.url("/login"))
        .header(ACCEPT_LANGUAGE, "en-US,en;q=0.9")
        .send()
        .await
        .unwrap();
    let html = login_en.text().await.unwrap();
    assert!(html.contains("<html lang=\"en\""));
    assert!(html.contains("Log in") && !html.contains("Entrar"));

    let ana = login(&app, "ana@acme.test").await;
    let (_, html) = get_in(&app, &ana, "/", "pt-BR,pt;q=0.9").await;
    assert!(
        html.contains("Campanhas") && !html.contains(">Campaigns<"),
        "{html}"
    );
    assert!(html.contains("data-tz=\"America/Sao_Paulo\""));
    let (_, html) = get_in(&app, &ana, &format!("/campaigns/{id}"), "pt-BR").await;
    assert!(html.contains("Taxa de entrega"));
    assert_eq!(text_of(&html, "rate-delivery"), "0,0%");
    assert!(!html.contains(" UTC"), "times are in the tenant's timezone");
    let (_, html) = get_in(&app, &ana, &format!("/campaigns/{id}"), "en").await;
    assert!(html.contains("Delivery rate") && !html.contains("Taxa de entrega"));
    assert_eq!(text_of(&html, "rate-delivery"), "0.0%");

    // The header's switch: a plain form post (viewers too) saves the choice and goes back.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client
        .post(app.url("/preferences/locale"))
        .header(COOKIE, ana.clone())
        .form(&[("locale", "en"), ("back", "/opt-outs")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(res.headers()[LOCATION], "/opt-outs");
    let (_, html) = get_in(&app, &ana, "/", "pt-BR").await;
    assert!(html.contains("<html lang=\"en\""), "the saved choice wins");
    assert!(html.contains(">Campaigns<"));
    let (_, csv) = get_in(&app, &ana, "/export/opt-outs.csv", "pt-BR").await;
    assert!(csv.starts_with("opted_out_at,phone,"), "{csv}");

    let res = client
        .post(app.url("/preferences/locale"))
        .header(COOKIE, ana.clone())
        .form(&[("locale", "pt-BR"), ("back", "https://evil.example/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[LOCATION], "/", "only local paths");
    let (_, csv) = get_in(&app, &ana, "/export/opt-outs.csv", "en").await;
    assert!(csv.starts_with("descadastrado_em,telefone,nome,"), "{csv}");
    let unknown = post_with(&app, &ana, "/preferences/locale", &[("locale", "xx")]).await;
    assert_eq!(unknown, 400);
    let anonymous = client
        .post(app.url("/preferences/locale"))
        .form(&[("locale", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.headers()[LOCATION], "/login");
}

on_both_databases!(
    every_page_hands_the_browser_the_same_data_on_every_load,
    pages_render_while_the_process_builds_another_router,
    answers_are_compressed_when_the_client_takes_it,
    pages_speak_the_users_language,
    no_route_shows_a_viewer_a_webhook_secret_or_an_api_key,
    parallel_wrong_passwords_are_locked_out_after_five,
    a_huge_email_or_password_is_refused_without_being_stored,
    cross_site_changes_with_the_session_cookie_are_refused,
    admins_configure_the_evolution_webhook_and_viewers_cannot,
    admins_create_campaigns_over_pasted_contacts_and_viewers_cannot,
    the_timeline_counts_deliveries_and_reads_per_minute,
    recipients_can_be_searched_and_exported_as_csv,
    the_recipients_page_moves_by_cursor,
    a_viewers_live_stream_carries_no_webhook_secrets,
    login_sets_an_http_only_cookie_and_logout_ends_the_session,
    wrong_password_is_refused_and_repeated_failures_lock_the_email,
    unauthenticated_pages_redirect_to_login,
    viewers_cannot_change_campaigns_through_rest_or_server_functions,
    another_tenants_campaign_is_not_found,
    the_campaign_page_renders_its_numbers_on_the_server,
    viewers_cannot_edit_remove_rotate_or_pair_instances_nor_see_qr_codes,
);

async fn viewers_cannot_edit_remove_rotate_or_pair_instances_nor_see_qr_codes(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "viewer@acme.test", Role::Viewer).await;
    let inst = app.instance(&t, "campanha-loja-01").await;
    let id = inst["id"].as_i64().unwrap();
    let viewer = login(&app, "viewer@acme.test").await;
    let path = app.url(&format!("/api/v1/instances/{id}"));
    let requests = [
        app.client
            .patch(&path)
            .json(&serde_json::json!({"friendly_name": "x"})),
        app.client.delete(&path),
        app.client
            .post(format!("{path}/connect"))
            .json(&serde_json::json!({})),
        app.client
            .post(format!("{path}/webhook/rotate"))
            .json(&serde_json::json!({})),
    ];
    for req in requests {
        let res = req.header(COOKIE, viewer.clone()).send().await.unwrap();
        assert_eq!(res.status(), 403);
    }
    let id_field = id.to_string();
    let status = post_with(
        &app,
        &viewer,
        "/api/ui/rotate_webhook",
        &[("id", &id_field)],
    )
    .await;
    assert_eq!(status, 403, "a viewer cannot replace the webhook URL");
    let (status, body) = get_with(&app, &viewer, &format!("/api/v1/instances/{id}")).await;
    assert_eq!(status, 200);
    assert!(!body.contains(inst["webhook_secret"].as_str().unwrap()));
    let (_, view) = app.get(&t.token, &format!("/api/v1/instances/{id}")).await;
    assert_eq!(view["friendly_name"], "campanha-loja-01", "nothing changed");
    assert_eq!(
        view["webhook_secret"], inst["webhook_secret"],
        "the secret is the same"
    );

    // A QR code links whoever scans it to the instance: viewers' streams never carry one.
    let open = |req: reqwest::RequestBuilder| async move { req.send().await.unwrap() };
    let mut viewer_stream = open(
        app.client
            .get(app.url("/api/v1/events"))
            .header(COOKIE, viewer.clone()),
    )
    .await;
    let mut admin_stream = open(
        app.client
            .get(app.url("/api/v1/events"))
            .bearer_auth(&t.token),
    )
    .await;
    let body: Value =
        serde_json::from_str(include_str!("fixtures/evolution/v2_qrcode_updated.json")).unwrap();
    let hook = inst["webhook_url"]
        .as_str()
        .unwrap()
        .trim_start_matches(&app.base)
        .to_string();
    let (status, _) = app.webhook(&hook, &[], &body).await;
    assert_eq!(status, 200);
    let wait = std::time::Duration::from_secs(2);
    let (mut a, mut v) = (String::new(), String::new());
    assert!(
        next_matching(&mut admin_stream, &mut a, wait, |e, _| e == "qrcode")
            .await
            .is_some(),
        "admins get the QR"
    );
    let seen = next_matching(&mut viewer_stream, &mut v, wait, |e, _| e == "qrcode").await;
    assert!(seen.is_none(), "a viewer got a QR code: {seen:?}");
}

/// The `href` of the link with `data-testid="{id}"` in server-rendered HTML, unescaped.
fn link_of(html: &str, id: &str) -> Option<String> {
    let at = html.find(&format!("data-testid=\"{id}\""))?;
    let tag_start = html[..at].rfind('<')?;
    let tag = &html[tag_start..at];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&amp;", "&"))
}

/// The recipients' phone numbers on a server-rendered campaign page, in order.
fn recipient_phones(html: &str) -> Vec<String> {
    let table = &html[html
        .find("data-testid=\"recipients\"")
        .expect("recipients table")..];
    let table = &table[..table.find("</table>").expect("table end")];
    table
        .split(">+")
        .skip(1)
        .map(|s| {
            s[..s.find('<').expect("text end")]
                .chars()
                .filter(char::is_ascii_digit)
                .collect()
        })
        .collect()
}

/// Pages of 50 recipients move by row id (keyset), forward and back, and say where they are.
async fn the_recipients_page_moves_by_cursor(app: TestApp) {
    let t = app.tenant("Acme").await;
    user(&app, &t, "ana@acme.test", Role::Viewer).await;
    let instance = app.instance(&t, "acme-01").await;
    let contacts = app.contacts(&t, 120).await;
    let id = app
        .campaign(&t, instance["id"].as_i64().expect("id"), &contacts)
        .await;
    let cookie = login(&app, "ana@acme.test").await;

    let (status, first) = get_with(&app, &cookie, &format!("/campaigns/{id}")).await;
    assert_eq!(status, 200);
    let first_phones = recipient_phones(&first);
    assert_eq!(first_phones.len(), 50);
    assert_eq!(first_phones[0], "5511980000000");
    // Written for people.
    assert!(first.contains(">+55 (11) 98000-0000<"), "{first}");
    assert_eq!(text_of(&first, "recipients-range"), "1–50");
    assert!(
        link_of(&first, "previous-page").is_none(),
        "nothing before the first page"
    );

    let next = link_of(&first, "next-page").expect("a next page");
    assert!(next.contains("after="), "{next}");
    let (_, second) = get_with(&app, &cookie, &next).await;
    let second_phones = recipient_phones(&second);
    assert_eq!(second_phones.len(), 50);
    assert_eq!(second_phones[0], "5511980000050");
    assert_eq!(text_of(&second, "recipients-range"), "51–100");

    let (_, third) = get_with(&app, &cookie, &link_of(&second, "next-page").unwrap()).await;
    assert_eq!(recipient_phones(&third).len(), 20);
    assert_eq!(recipient_phones(&third)[19], "5511980000119");
    assert_eq!(text_of(&third, "recipients-range"), "101–120");
    assert!(
        link_of(&third, "next-page").is_none(),
        "nothing after the last page"
    );

    // Back from the third page is the second; back from the second is the first.
    let back = link_of(&third, "previous-page").expect("a previous page");
    assert!(back.contains("before="), "{back}");
    let (_, again) = get_with(&app, &cookie, &back).await;
    assert_eq!(recipient_phones(&again), second_phones);
    assert_eq!(text_of(&again, "recipients-range"), "51–100");
    let (_, start) = get_with(&app, &cookie, &link_of(&again, "previous-page").unwrap()).await;
    assert_eq!(recipient_phones(&start), first_phones);
    assert_eq!(text_of(&start, "recipients-range"), "1–50");
    assert!(link_of(&start, "previous-page").is_none());
}
