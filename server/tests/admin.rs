//! Running a team from the browser, on SQLite and PostgreSQL: first-run setup, users, API
//! tokens, the own password, tenant settings with the opt-out tester, and campaigns that are
//! scheduled, start by themselves (once across servers) and are duplicated.

mod common;

use std::time::Duration;

use chrono::{DateTime, Utc};
use common::dashboard::session_cookie;
use common::evolution::{incoming, record_sent, rows};
use common::{ADMIN_TOKEN, Tenant, TestApp};
use flow_server::auth::Role;
use flow_server::dashboard::users;
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

on_both_databases!(
    first_run_setup_creates_one_tenant_once_then_is_gone,
    admins_manage_users_and_the_last_admin_stays,
    a_removed_user_loses_their_session_at_once,
    tokens_are_shown_once_stamped_when_used_and_revoked_at_once,
    every_user_changes_their_own_password,
    settings_round_trip_and_the_opt_out_tester_uses_the_tenants_keywords,
    campaigns_are_scheduled_unscheduled_and_duplicated,
    a_scheduled_campaign_starts_by_itself_once_across_two_servers,
    opt_outs_name_the_campaign_the_contact_answered,
    refusals_read_in_the_readers_language_with_and_without_javascript,
    a_token_created_without_javascript_is_shown_once,
    the_new_campaign_form_schedules_or_refuses_before_creating,
);

const PASSWORD: &str = "correct horse battery";

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn user(app: &TestApp, tenant: &Tenant, email: &str, role: Role) -> String {
    users::create(&app.state.db, tenant.id, email, PASSWORD, role)
        .await
        .expect("user created");
    app.try_login(email, PASSWORD).await.1.expect("logged in")
}

async fn tenants(app: &TestApp) -> i64 {
    use sea_orm::{EntityTrait, PaginatorTrait};
    flow_server::entities::tenant::Entity::find()
        .count(&app.state.db.read)
        .await
        .unwrap() as i64
}

async fn first_run_setup_creates_one_tenant_once_then_is_gone(app: TestApp) {
    let client = no_redirects();
    // An empty database: every page leads to the setup page.
    for path in ["/", "/login", "/campaigns/1", "/users"] {
        let res = client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 303, "{path}");
        assert_eq!(res.headers()[LOCATION], "/setup", "{path}");
    }
    let res = client.get(app.url("/setup")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // The API is not redirected.
    let res = client
        .get(app.url("/api/v1/campaigns"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // A bad form goes back to the page with an error, and creates nothing.
    let res = client
        .post(app.url("/setup"))
        .form(&[
            ("tenant_name", "Loja"),
            ("email", "ana@loja.com"),
            ("password", "short"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()[LOCATION], "/setup?error=invalid");
    assert_eq!(tenants(&app).await, 0);

    // Two setups at once: one tenant.
    let post = |email: &'static str| {
        client
            .post(app.url("/setup"))
            .form(&[
                ("tenant_name", "Loja Azul"),
                ("email", email),
                ("password", PASSWORD),
            ])
            .send()
    };
    let (a, b) = tokio::join!(post("ana@loja.com"), post("bia@loja.com"));
    let (a, b) = (a.unwrap(), b.unwrap());
    let mut statuses = [a.status().as_u16(), b.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [303, 404],
        "one setup wins, the other finds it done"
    );
    let winner = if a.status() == 303 { a } else { b };
    assert_eq!(winner.headers()[LOCATION], "/");
    let cookie = session_cookie(&winner).expect("the new admin is logged in");
    assert_eq!(tenants(&app).await, 1);

    // The admin is logged in and may manage users.
    let (status, list) = app.with_cookie(&cookie, "GET", "/api/v1/users", None).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["role"], "admin");

    // Afterwards the page is gone, pages go to the login, and the operator API still works.
    let res = client.get(app.url("/setup")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = client
        .post(app.url("/setup"))
        .form(&[
            ("tenant_name", "Other"),
            ("email", "eve@x.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(res.headers()[LOCATION], "/login");
    let (status, _) = app
        .post(ADMIN_TOKEN, "/api/v1/tenants", json!({"name": "Second"}))
        .await;
    assert_eq!(status, 201);
    assert_eq!(tenants(&app).await, 2);
}

async fn admins_manage_users_and_the_last_admin_stays(app: TestApp) {
    let t = app.tenant("Loja").await;
    let other = app.tenant("Other").await;

    let (status, created) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/users",
            Some(json!({"email": "Vera@Loja.com", "password": PASSWORD, "role": "viewer"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["email"], "vera@loja.com");
    assert_eq!(created["role"], "viewer");
    assert_eq!(created["last_login_at"], Value::Null);
    assert!(created.get("password_hash").is_none() && created.get("password").is_none());
    let vera = created["id"].as_i64().unwrap();

    // Bad role, short password, taken e-mail.
    let (status, _) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/users",
            Some(json!({"email": "x@loja.com", "password": PASSWORD, "role": "owner"})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/users",
            Some(json!({"email": "x@loja.com", "password": "short", "role": "viewer"})),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .call(
            &other.token,
            "POST",
            "/api/v1/users",
            Some(json!({"email": "vera@loja.com", "password": PASSWORD, "role": "viewer"})),
        )
        .await;
    assert_eq!(status, 409);

    // Logging in stamps last_login_at.
    let viewer = app
        .try_login("vera@loja.com", PASSWORD)
        .await
        .1
        .expect("login");
    let (_, list) = app.call(&t.token, "GET", "/api/v1/users", None).await;
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == vera)
        .unwrap()
        .clone();
    assert!(listed["last_login_at"].as_str().is_some(), "{listed}");

    // Viewers may not see or change users or tokens.
    for (method, path, body) in [
        ("GET", "/api/v1/users".to_string(), None),
        (
            "POST",
            "/api/v1/users".to_string(),
            Some(json!({"email": "z@loja.com", "password": PASSWORD, "role": "admin"})),
        ),
        (
            "PATCH",
            format!("/api/v1/users/{vera}"),
            Some(json!({"role": "admin"})),
        ),
        ("DELETE", format!("/api/v1/users/{vera}"), None),
        ("GET", "/api/v1/tokens".to_string(), None),
        (
            "POST",
            "/api/v1/tokens".to_string(),
            Some(json!({"name": "x"})),
        ),
        (
            "PUT",
            "/api/v1/settings".to_string(),
            Some(
                json!({"opt_out_keywords": ["SAIR"], "timezone": "UTC", "default_pacing": {"min_delay_ms": 0, "max_delay_ms": 0}}),
            ),
        ),
    ] {
        let (status, body) = app.with_cookie(&viewer, method, &path, body).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
    }

    // Another tenant's user is not found.
    let (status, _) = app
        .call(
            &other.token,
            "PATCH",
            &format!("/api/v1/users/{vera}"),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .call(
            &other.token,
            "DELETE",
            &format!("/api/v1/users/{vera}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (_, others) = app.call(&other.token, "GET", "/api/v1/users", None).await;
    assert_eq!(others, json!([]));

    // Promote Vera; her next request acts as an admin.
    let (status, body) = app
        .call(
            &t.token,
            "PATCH",
            &format!("/api/v1/users/{vera}"),
            Some(json!({"role": "admin"})),
        )
        .await;
    assert_eq!((status, body["role"].clone()), (200, json!("admin")));
    let (status, _) = app.with_cookie(&viewer, "GET", "/api/v1/users", None).await;
    assert_eq!(status, 200);

    // With Vera the only admin, she can neither be demoted nor removed.
    let (status, body) = app
        .call(
            &t.token,
            "PATCH",
            &format!("/api/v1/users/{vera}"),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, 409, "{body}");
    let (status, _) = app
        .call(&t.token, "DELETE", &format!("/api/v1/users/{vera}"), None)
        .await;
    assert_eq!(status, 409);
    // A second admin: now one of them may go.
    let (_, bob) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/users",
            Some(json!({"email": "bob@loja.com", "password": PASSWORD, "role": "admin"})),
        )
        .await;
    let (status, _) = app
        .call(
            &t.token,
            "PATCH",
            &format!("/api/v1/users/{vera}"),
            Some(json!({"role": "viewer"})),
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .call(
            &t.token,
            "DELETE",
            &format!("/api/v1/users/{}", bob["id"]),
            None,
        )
        .await;
    assert_eq!(status, 409, "bob is now the last admin");
    let (status, _) = app
        .call(&t.token, "DELETE", &format!("/api/v1/users/{vera}"), None)
        .await;
    assert_eq!(status, 204);
    let (_, list) = app.call(&t.token, "GET", "/api/v1/users", None).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

async fn a_removed_user_loses_their_session_at_once(app: TestApp) {
    let t = app.tenant("Loja").await;
    let admin = user(&app, &t, "ana@loja.com", Role::Admin).await;
    let viewer = user(&app, &t, "vera@loja.com", Role::Viewer).await;
    let (status, _) = app
        .with_cookie(&viewer, "GET", "/api/v1/campaigns", None)
        .await;
    assert_eq!(status, 200);
    let (_, list) = app.with_cookie(&admin, "GET", "/api/v1/users", None).await;
    let vera = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "vera@loja.com")
        .unwrap()["id"]
        .clone();
    let (status, _) = app
        .with_cookie(&admin, "DELETE", &format!("/api/v1/users/{vera}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .with_cookie(&viewer, "GET", "/api/v1/campaigns", None)
        .await;
    assert_eq!(status, 401);
    let res = no_redirects()
        .get(app.url("/"))
        .header(COOKIE, &viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[LOCATION], "/login");
    assert!(app.try_login("vera@loja.com", PASSWORD).await.1.is_none());
}

async fn tokens_are_shown_once_stamped_when_used_and_revoked_at_once(app: TestApp) {
    let t = app.tenant("Loja").await;
    let other = app.tenant("Other").await;
    let (status, created) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": "CRM"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("flow_"));
    let id = created["id"].as_i64().unwrap();
    let (status, _) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": "  "})),
        )
        .await;
    assert_eq!(status, 422);

    // Listed without the secret; unused so far.
    let (_, list) = app.call(&t.token, "GET", "/api/v1/tokens", None).await;
    let crm = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(crm["name"], "CRM");
    assert_eq!(crm["last_used_at"], Value::Null);
    assert!(
        !list.to_string().contains(&token),
        "a secret is listed: {list}"
    );

    // It works with the API and is stamped.
    let (status, _) = app.get(&token, "/api/v1/campaigns").await;
    assert_eq!(status, 200);
    let (_, list) = app.call(&t.token, "GET", "/api/v1/tokens", None).await;
    let crm = list
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap()
        .clone();
    assert!(crm["last_used_at"].as_str().is_some(), "{crm}");

    // Another tenant cannot see or revoke it.
    let (_, theirs) = app.call(&other.token, "GET", "/api/v1/tokens", None).await;
    assert!(theirs.as_array().unwrap().iter().all(|x| x["id"] != id));
    let (status, _) = app
        .call(
            &other.token,
            "DELETE",
            &format!("/api/v1/tokens/{id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);

    // Revoked: 401 on the next request.
    let (status, _) = app
        .call(&t.token, "DELETE", &format!("/api/v1/tokens/{id}"), None)
        .await;
    assert_eq!(status, 204);
    let (status, _) = app.get(&token, "/api/v1/campaigns").await;
    assert_eq!(status, 401);
    let (status, _) = app
        .call(&t.token, "DELETE", &format!("/api/v1/tokens/{id}"), None)
        .await;
    assert_eq!(status, 404);
}

async fn every_user_changes_their_own_password(app: TestApp) {
    let t = app.tenant("Loja").await;
    let viewer = user(&app, &t, "vera@loja.com", Role::Viewer).await;
    let other_session = app.try_login("vera@loja.com", PASSWORD).await.1.unwrap();
    let change =
        |current: &str, new: &str| json!({"current_password": current, "new_password": new});

    let (status, _) = app
        .with_cookie(
            &viewer,
            "POST",
            "/api/v1/me/password",
            Some(change("wrong password", "a brand new secret")),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .with_cookie(
            &viewer,
            "POST",
            "/api/v1/me/password",
            Some(change(PASSWORD, "short")),
        )
        .await;
    assert_eq!(status, 422);
    // A token is not a person.
    let (status, _) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/me/password",
            Some(change(PASSWORD, "a brand new secret")),
        )
        .await;
    assert_eq!(status, 401);

    let (status, _) = app
        .with_cookie(
            &viewer,
            "POST",
            "/api/v1/me/password",
            Some(change(PASSWORD, "a brand new secret")),
        )
        .await;
    assert_eq!(status, 204);
    // This session stays, the other ends; the old password no longer works.
    let (status, _) = app
        .with_cookie(&viewer, "GET", "/api/v1/campaigns", None)
        .await;
    assert_eq!(status, 200);
    let (status, _) = app
        .with_cookie(&other_session, "GET", "/api/v1/campaigns", None)
        .await;
    assert_eq!(status, 401);
    assert!(app.try_login("vera@loja.com", PASSWORD).await.1.is_none());
    assert!(
        app.try_login("vera@loja.com", "a brand new secret")
            .await
            .1
            .is_some()
    );
}

async fn settings_round_trip_and_the_opt_out_tester_uses_the_tenants_keywords(app: TestApp) {
    let t = app.tenant("Loja").await;
    let other = app.tenant("Other").await;
    let (status, s) = app.get(&t.token, "/api/v1/settings").await;
    assert_eq!(status, 200);
    assert_eq!(s["timezone"], "America/Sao_Paulo");
    assert_eq!(
        s["default_pacing"],
        json!({"min_delay_ms": 3000, "max_delay_ms": 10000})
    );
    assert!(
        s["opt_out_keywords"]
            .as_array()
            .unwrap()
            .contains(&json!("SAIR"))
    );

    let test = |token: String, text: &'static str| {
        let app = &app;
        async move {
            app.post(
                &token,
                "/api/v1/settings/opt-out-test",
                json!({"text": text}),
            )
            .await
        }
    };
    let (status, r) = test(t.token.clone(), "  Sair!! 🙏").await;
    assert_eq!(status, 200);
    assert_eq!(r, json!({"opts_out": true, "keyword": "SAIR"}));
    let (_, r) = test(t.token.clone(), "vou sair mais tarde").await;
    assert_eq!(r, json!({"opts_out": false, "keyword": null}));

    let new = json!({
        "opt_out_keywords": ["Parar tudo", " descadastrar ", "PARAR TUDO!"],
        "timezone": "America/Manaus",
        "default_pacing": {"min_delay_ms": 1000, "max_delay_ms": 2000},
        "default_send_window": {"start": "08:00", "end": "20:00", "utc_offset_minutes": -240},
        "default_daily_cap": 500
    });
    let (status, saved) = app
        .call(&t.token, "PUT", "/api/v1/settings", Some(new))
        .await;
    assert_eq!(status, 200, "{saved}");
    assert_eq!(
        saved["opt_out_keywords"],
        json!(["Parar tudo", "descadastrar"])
    );
    let (_, again) = app.get(&t.token, "/api/v1/settings").await;
    assert_eq!(again, saved);
    let (_, r) = test(t.token.clone(), "parar tudo").await;
    assert_eq!(r, json!({"opts_out": true, "keyword": "Parar tudo"}));
    let (_, r) = test(t.token.clone(), "SAIR").await;
    assert_eq!(r["opts_out"], false, "the tenant replaced the defaults");
    // The other tenant keeps its own.
    let (_, r) = test(other.token.clone(), "SAIR").await;
    assert_eq!(r["opts_out"], true);
    let (_, theirs) = app.get(&other.token, "/api/v1/settings").await;
    assert_eq!(theirs["timezone"], "America/Sao_Paulo");

    // New campaigns without settings get the defaults.
    let inst = app.instance(&t, "loja-01").await;
    let ids = app.contacts(&t, 2).await;
    let (status, c) = app.post(&t.token, "/api/v1/campaigns", json!({
        "name": "Defaults", "message": "Oi", "instance_ids": [inst["id"]], "contact_ids": ids,
    })).await;
    assert_eq!(status, 201, "{c}");
    assert_eq!(
        c["settings"],
        json!({
            "min_delay_ms": 1000, "max_delay_ms": 2000, "daily_cap_per_instance": 500,
            "send_window": {"start": "08:00", "end": "20:00", "utc_offset_minutes": -240}
        })
    );

    // Bad values are refused with 422.
    for bad in [
        json!({"opt_out_keywords": [], "timezone": "UTC", "default_pacing": {"min_delay_ms": 0, "max_delay_ms": 0}}),
        json!({"opt_out_keywords": ["!!"], "timezone": "UTC", "default_pacing": {"min_delay_ms": 0, "max_delay_ms": 0}}),
        json!({"opt_out_keywords": ["SAIR"], "timezone": "Mars/Olympus", "default_pacing": {"min_delay_ms": 0, "max_delay_ms": 0}}),
        json!({"opt_out_keywords": ["SAIR"], "timezone": "UTC", "default_pacing": {"min_delay_ms": 5, "max_delay_ms": 1}}),
        json!({"opt_out_keywords": ["SAIR"], "timezone": "UTC", "default_pacing": {"min_delay_ms": 0, "max_delay_ms": 0}, "default_daily_cap": 0}),
    ] {
        let (status, body) = app
            .call(&t.token, "PUT", "/api/v1/settings", Some(bad.clone()))
            .await;
        assert_eq!(status, 422, "{bad} → {body}");
    }
}

async fn campaign_with_contacts(app: &TestApp, t: &Tenant, n: usize) -> (i64, i64) {
    let inst = app.instance(t, &format!("inst-{}", t.id)).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let ids = app.contacts(t, n).await;
    (app.campaign(t, instance_id, &ids).await, instance_id)
}

async fn campaigns_are_scheduled_unscheduled_and_duplicated(app: TestApp) {
    let t = app.tenant("Loja").await;
    let other = app.tenant("Other").await;
    let viewer = user(&app, &t, "vera@loja.com", Role::Viewer).await;
    let (id, instance_id) = campaign_with_contacts(&app, &t, 3).await;

    // A local time in the tenant's timezone (São Paulo, UTC−3 all year).
    let (status, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/schedule"),
            json!({"start_at": "2099-12-01T09:00"}),
        )
        .await;
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["status"], "scheduled");
    assert_eq!(c["start_at"], "2099-12-01T12:00:00.000Z");
    // Moved: RFC 3339 works too.
    let (status, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/schedule"),
            json!({"start_at": "2099-12-02T10:00:00+00:00"}),
        )
        .await;
    assert_eq!(
        (status, c["start_at"].clone()),
        (200, json!("2099-12-02T10:00:00.000Z"))
    );
    // The past, nonsense, viewers and other tenants are refused.
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/schedule"),
            json!({"start_at": "2001-01-01T09:00"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/schedule"),
            json!({"start_at": "amanhã"}),
        )
        .await;
    assert_eq!(status, 422);
    let (status, _) = app
        .with_cookie(
            &viewer,
            "POST",
            &format!("/api/v1/campaigns/{id}/schedule"),
            Some(json!({"start_at": "2099-12-01T09:00"})),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .with_cookie(
            &viewer,
            "POST",
            &format!("/api/v1/campaigns/{id}/unschedule"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            &other.token,
            &format!("/api/v1/campaigns/{id}/schedule"),
            json!({"start_at": "2099-12-01T09:00"}),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .post(
            &other.token,
            &format!("/api/v1/campaigns/{id}/unschedule"),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);

    // Back to draft; unscheduling a draft is a conflict.
    let (status, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/unschedule"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (c["status"].clone(), c["start_at"].clone()),
        (json!("draft"), Value::Null)
    );
    let (status, _) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/unschedule"),
            json!({}),
        )
        .await;
    assert_eq!(status, 409);

    // Duplicate: a draft with the same message, instances, settings and contacts.
    let (_, original) = app.get(&t.token, &format!("/api/v1/campaigns/{id}")).await;
    let (status, copy) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/duplicate"),
            json!({}),
        )
        .await;
    assert_eq!(status, 201, "{copy}");
    assert_ne!(copy["id"], original["id"]);
    assert_eq!(copy["status"], "draft");
    assert_eq!(copy["name"], "Campaign (cópia)");
    for field in ["message", "settings", "instance_ids"] {
        assert_eq!(copy[field], original[field], "{field}");
    }
    assert_eq!(copy["instance_ids"], json!([instance_id]));
    assert_eq!(copy["counts"]["total"], 3);
    assert_eq!(copy["counts"]["pending"], 3);
    let (status, _) = app
        .with_cookie(
            &viewer,
            "POST",
            &format!("/api/v1/campaigns/{id}/duplicate"),
            None,
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .post(
            &other.token,
            &format!("/api/v1/campaigns/{id}/duplicate"),
            json!({}),
        )
        .await;
    assert_eq!(status, 404);
}

async fn status_of(app: &TestApp, t: &Tenant, id: i64) -> Value {
    app.get(&t.token, &format!("/api/v1/campaigns/{id}"))
        .await
        .1
}

async fn a_scheduled_campaign_starts_by_itself_once_across_two_servers(app: TestApp) {
    // A second server on the same database, with its own scheduler; neither sends (the
    // instance is unreachable, and the test looks at the start only).
    let second = common::spawn_on(app.backend, &app.database_url, &[]).await;
    let t = app.tenant("Loja").await;
    let (id, _) = campaign_with_contacts(&app, &t, 2).await;
    let start_at: DateTime<Utc> = Utc::now() + chrono::Duration::seconds(2);
    let (status, c) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/schedule"),
            json!({"start_at": start_at.to_rfc3339()}),
        )
        .await;
    assert_eq!(
        (status, c["status"].clone()),
        (200, json!("scheduled")),
        "{c}"
    );

    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    let started = loop {
        let c = status_of(&app, &t, id).await;
        if c["status"] != "scheduled" {
            break c;
        }
        assert!(tokio::time::Instant::now() < deadline, "never started: {c}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_ne!(started["status"], "draft");
    let started_at: DateTime<Utc> = started["started_at"].as_str().unwrap().parse().unwrap();
    assert!(
        started_at >= start_at,
        "started early: {started_at} < {start_at}"
    );
    // Give the other server's scheduler time to try too: one start, one log line.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, logs) = second
        .get(&t.token, &format!("/api/v1/campaigns/{id}/logs"))
        .await;
    let starts = logs
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["log_type"] == "campaign_started")
        .count();
    assert_eq!(starts, 1, "{logs}");
}

async fn opt_outs_name_the_campaign_the_contact_answered(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let instance_id = inst["id"].as_i64().unwrap();
    let secret = inst["webhook_secret"].as_str().unwrap().to_string();
    let ids = app.contacts(&t, 2).await;
    let (status, c) = app.post(&t.token, "/api/v1/campaigns", json!({
        "name": "Black Friday", "message": "Oi", "instance_ids": [instance_id], "contact_ids": ids,
        "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
    })).await;
    assert_eq!(status, 201, "{c}");
    let all = rows(&app, c["id"].as_i64().unwrap()).await;
    record_sent(&app, all[0].id, instance_id, "CAMP-0").await;
    let (_, res) = app
        .webhook(
            &format!("/api/webhooks/evolution/i/{secret}"),
            &[],
            &incoming("loja-01", &all[0].phone, "IN-1", "SAIR"),
        )
        .await;
    assert_eq!(res["status"], "opted_out", "{res}");

    let res = app
        .client
        .get(app.url("/export/opt-outs.csv"))
        .bearer_auth(&t.token)
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let csv = res.text().await.unwrap();
    let mut lines = csv.lines();
    assert!(lines.next().unwrap().ends_with(",campaign"), "{csv}");
    let row = lines.next().expect("one opt-out");
    assert!(row.ends_with(",Black Friday"), "{csv}");
    assert!(lines.next().is_none(), "{csv}");
}

/// A plain (no-JavaScript) form post with the session cookie from `referer`, in `lang`.
async fn form_post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
    lang: &str,
    referer: &str,
) -> reqwest::Response {
    no_redirects()
        .post(app.url(path))
        .header(COOKIE, cookie)
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::ACCEPT_LANGUAGE, lang)
        .header(reqwest::header::REFERER, app.url(referer))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A page as a browser in `lang` gets it: status, `Set-Cookie` values and HTML.
async fn page(app: &TestApp, cookie: &str, path: &str, lang: &str) -> (u16, Vec<String>, String) {
    let res = no_redirects()
        .get(app.url(path))
        .header(COOKIE, cookie)
        .header(reqwest::header::ACCEPT, "text/html")
        .header(reqwest::header::ACCEPT_LANGUAGE, lang)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let cookies = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .collect();
    (status, cookies, res.text().await.unwrap())
}

async fn refusals_read_in_the_readers_language_with_and_without_javascript(app: TestApp) {
    let t = app.tenant("Loja").await;
    let admin = user(&app, &t, "ana@loja.com", Role::Admin).await;
    // The server-function client (JavaScript): the refusal in the browser's language.
    for (lang, text) in [
        ("pt-BR", "O nome deve ter de 1 a 100 caracteres."),
        ("en", "The name must be 1 to 100 characters."),
    ] {
        let res = app
            .client
            .post(app.url("/api/ui/create_token"))
            .header(COOKIE, &admin)
            .header(reqwest::header::ACCEPT_LANGUAGE, lang)
            .form(&[("name", "   ")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains(text), "{lang}: {body}");
    }
    // The REST API keeps its English message and code.
    let (status, body) = app
        .call(
            &t.token,
            "POST",
            "/api/v1/tokens",
            Some(json!({"name": ""})),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(body["message"], "name must be 1 to 100 characters");

    // A plain form post goes back to the page, which shows the refusal in Portuguese.
    let res = form_post(
        &app,
        &admin,
        "/api/ui/create_token",
        &[("name", "  ")],
        "pt-BR",
        "/tokens",
    )
    .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()[LOCATION].to_str().unwrap().to_string();
    assert!(back.contains("/tokens?"), "{back}");
    let path = back.trim_start_matches(&app.url(""));
    let (status, _, html) = page(&app, &admin, path, "pt-BR").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("O nome deve ter de 1 a 100 caracteres."),
        "the refusal is not on the page"
    );
    // So does the instance form: a name Evolution cannot have.
    let res = form_post(
        &app,
        &admin,
        "/api/ui/add_instance",
        &[
            ("api_url", "http://127.0.0.1:1"),
            ("instance_name", "a/b"),
            ("api_key", "k"),
            ("friendly_name", "Loja"),
        ],
        "pt-BR",
        "/instances",
    )
    .await;
    assert_eq!(res.status(), 302);
    let back = res.headers()[LOCATION].to_str().unwrap().to_string();
    let (_, _, html) = page(&app, &admin, back.trim_start_matches(&app.url("")), "pt-BR").await;
    assert!(
        html.contains("O nome da instância deve ter de 1 a 100 caracteres"),
        "the instance refusal is not on the page"
    );
}

async fn a_token_created_without_javascript_is_shown_once(app: TestApp) {
    let t = app.tenant("Loja").await;
    let admin = user(&app, &t, "ana@loja.com", Role::Admin).await;
    let res = form_post(
        &app,
        &admin,
        "/api/ui/create_token",
        &[("name", "Planilha")],
        "pt-BR",
        "/tokens",
    )
    .await;
    assert_eq!(res.status(), 302);
    assert_eq!(res.headers()[LOCATION], "/tokens");
    let flash = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("flow_new_token=flow_"))
        .expect("the secret travels in a one-time cookie")
        .to_string();
    assert!(
        flash.contains("HttpOnly") && flash.contains("Path=/tokens"),
        "{flash}"
    );
    let pair = flash.split(';').next().unwrap().to_string();
    let secret = pair.trim_start_matches("flow_new_token=").to_string();

    // The page shows it once, and clears the cookie.
    let (status, cookies, html) = page(&app, &format!("{admin}; {pair}"), "/tokens", "pt-BR").await;
    assert_eq!(status, 200);
    assert!(html.contains(&secret), "the new secret is not shown");
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("flow_new_token=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );
    let (_, _, html) = page(&app, &admin, "/tokens", "pt-BR").await;
    assert!(!html.contains(&secret), "the secret is shown twice");
    // And it works.
    let (status, _) = app.get(&secret, "/api/v1/campaigns").await;
    assert_eq!(status, 200);
    // A viewer's page never reads another's cookie into HTML.
    let viewer = user(&app, &t, "vera@loja.com", Role::Viewer).await;
    let (_, _, html) = page(&app, &format!("{viewer}; {pair}"), "/tokens", "pt-BR").await;
    assert!(!html.contains(&secret));
}

async fn the_new_campaign_form_schedules_or_refuses_before_creating(app: TestApp) {
    let t = app.tenant("Loja").await;
    let admin = user(&app, &t, "ana@loja.com", Role::Admin).await;
    let instance = app.instance(&t, "loja").await;
    let form = |start_at: &str| {
        json!({
            "input": {
                "name": "Natal",
                "message": "Oi {{first_name}}",
                "instance_ids": [instance["id"]],
                "all_contacts": false,
            },
            "pasted": "Maria Silva, +55 11 98765-4321\n",
            "start_at": start_at,
        })
    };
    let post = |body: Value| {
        app.client
            .post(app.url("/api/ui/create_campaign"))
            .header(COOKIE, &admin)
            .header(reqwest::header::ACCEPT_LANGUAGE, "pt-BR")
            .json(&body)
            .send()
    };
    // A past time or nonsense refuses the form and creates nothing.
    for (start_at, text) in [
        ("2001-01-01T09:00", "A data de início deve estar no futuro."),
        ("amanhã cedo", "Não entendi a data de início"),
    ] {
        let res = post(form(start_at)).await.unwrap();
        assert_eq!(res.status(), 422);
        let body = res.text().await.unwrap();
        assert!(body.contains(text), "{body}");
    }
    let (_, list) = app.get(&t.token, "/api/v1/campaigns").await;
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing created: {list}");

    // A local time in the team's timezone (São Paulo, UTC−3): scheduled at once.
    let res = post(form("2099-12-01T09:00")).await.unwrap();
    assert_eq!(res.status(), 200);
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["status"], "scheduled");
    assert_eq!(view["start_at"], "2099-12-01T12:00:00.000Z");
    // Empty: a draft, as before.
    let res = post(form("")).await.unwrap();
    let view: Value = res.json().await.unwrap();
    assert_eq!(view["status"], "draft");
}
