//! Following up (issue 25), on SQLite and PostgreSQL: links rewritten per recipient and link,
//! clicks counted once per person in unique and every time in total, previews (HEAD, Evolution's
//! own address, preview agents) never counted; follow-up segments equal a recount of the rows
//! and never take a person who opted out or is already in the chain; `min_age_hours` holds; a
//! sale reported twice counts once and lands on the campaign clicked, else read; the simulator
//! clicks and buys; a click while PostgreSQL is away is counted once it is back.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use common::sim::{Sim, fast, wait_until};
use common::{Backend, Tenant, TestApp};
use serde_json::{Value, json};

on_both_databases!(
    links_are_rewritten_per_recipient_and_only_people_count,
    follow_up_segments_equal_a_recount_and_respect_the_chain,
    a_sale_counts_once_and_lands_on_the_right_campaign,
    the_simulator_clicks_and_buys,
);

#[tokio::test]
async fn a_click_while_postgres_is_away_is_counted_after_it() {
    common::within_limit(
        "a_click_while_postgres_is_away_is_counted_after_it",
        click_during_outage(common::spawn(Backend::Postgres).await),
    )
    .await;
}

/// A phone's browser: another address than Evolution's (127.0.0.1), redirects not followed.
fn phone() -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(evolution_sim::PHONE_ADDRESS)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Visits `url` from `client` with `agent` (HEAD when `head`); status and `Location`.
async fn visit(client: &reqwest::Client, url: &str, agent: &str, head: bool) -> (u16, String) {
    let request = if head {
        client.head(url)
    } else {
        client.get(url)
    };
    let response = request
        .header("user-agent", agent)
        .header("accept-language", "pt-BR,pt;q=0.9")
        .send()
        .await
        .expect("visit");
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (response.status().as_u16(), location)
}

/// The tracked links (`{base}/l/{code}`) of `text`.
fn short_links(base: &str, text: &str) -> Vec<String> {
    text.split_whitespace()
        .filter(|w| w.starts_with(&format!("{base}/l/")))
        .map(|w| w.trim_end_matches(['.', ',']).to_string())
        .collect()
}

/// Creates a campaign from `body` (pacing filled in) and starts it; its id.
async fn start(app: &TestApp, tenant: &Tenant, mut body: Value) -> i64 {
    body["name"] = body.get("name").cloned().unwrap_or(json!("Links"));
    body["settings"] = json!({"min_delay_ms": 0, "max_delay_ms": 0});
    let (status, created) = app.post(&tenant.token, "/api/v1/campaigns", body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().expect("id");
    let (status, started) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    id
}

/// Every recipient of campaign `id` (one page is enough here).
async fn recipients(app: &TestApp, tenant: &Tenant, id: i64, filter: &str) -> Vec<Value> {
    let (status, rows) = app
        .get(
            &tenant.token,
            &format!("/api/v1/campaigns/{id}/contacts?limit=1000{filter}"),
        )
        .await;
    assert_eq!(status, 200, "{rows}");
    rows.as_array().cloned().unwrap_or_default()
}

async fn links_are_rewritten_per_recipient_and_only_people_count(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 100,
        click_percent: 0,
        crawler_percent: 0,
        error_percent: 0,
        delivered_percent: 100,
        optout_percent: 0,
        reply_percent: 0,
        ..fast(25)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let instance = app.sim_instance(&tenant, &sim, "loja", "v2").await;
    let contacts = &app.contacts(&tenant, 5).await[1..];
    let id = start(
        &app,
        &tenant,
        json!({
            "message": "Oi {{first_name}}! Black Friday: https://loja.exemplo.com.br/black?cor=azul e frete em www.loja.exemplo.com.br/frete.",
            "instance_ids": [instance["id"]],
            "contact_ids": contacts,
            "utm": {"source": "whatsapp", "medium": "flow", "campaign": "black-friday"},
        }),
    )
    .await;
    app.wait_status(&tenant, id, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    assert_eq!(truth.messages.len(), 4);
    let mut codes = BTreeSet::new();
    let mut by_number: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for m in &truth.messages {
        assert!(!m.text.contains("loja.exemplo"), "{}", m.text);
        let links = short_links(&app.base, &m.text);
        assert_eq!(links.len(), 2, "{}", m.text);
        assert!(
            m.text.starts_with("Oi Contact! Black Friday: "),
            "{}",
            m.text
        );
        codes.extend(links.iter().cloned());
        by_number.insert(m.number.clone(), links);
    }
    // One code per recipient and link.
    assert_eq!(codes.len(), 8, "{codes:?}");

    let mut people = by_number.values();
    let (a, b) = (people.next().unwrap(), people.next().unwrap());
    let browser = phone();
    let agent = evolution_sim::PHONE_AGENT;
    let (status, location) = visit(&browser, &a[0], agent, false).await;
    assert_eq!(status, 302);
    assert_eq!(
        location,
        "https://loja.exemplo.com.br/black?cor=azul&utm_source=whatsapp&utm_medium=flow&utm_campaign=black-friday"
    );
    assert_eq!(visit(&browser, &a[0], agent, false).await.0, 302);
    let (status, location) = visit(&browser, &b[1], agent, false).await;
    assert_eq!(status, 302);
    assert!(
        location.starts_with("https://www.loja.exemplo.com.br/frete?utm_source=whatsapp"),
        "{location}"
    );
    // Machines: HEAD, a crawler, Evolution's own fetch, a headless browser; all redirected,
    // none counted.
    let evolution = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    assert_eq!(visit(&browser, &b[0], agent, true).await.0, 302);
    assert_eq!(
        visit(&browser, &b[0], evolution_sim::CRAWLER_AGENT, false)
            .await
            .0,
        302
    );
    assert_eq!(
        visit(&evolution, &b[0], evolution_sim::EVOLUTION_AGENT, false)
            .await
            .0,
        302
    );
    // Evolution's server, whatever agent it sends (the instance's URL is 127.0.0.1).
    assert_eq!(visit(&evolution, &b[0], agent, false).await.0, 302);
    assert_eq!(
        visit(
            &browser,
            &b[0],
            "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0.0.0 Safari/537.36",
            false
        )
        .await
        .0,
        302
    );

    let view = wait_until(Duration::from_secs(10), || async {
        let (_, c) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{id}"))
            .await;
        (c["clicks"]["total"] == 3).then_some(c)
    })
    .await;
    assert_eq!(view["clicks"]["unique"], 2, "{}", view["clicks"]);
    assert_eq!(view["clicks"]["rate"], 50.0, "2 of 4 delivered");
    let links = view["clicks"]["links"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(
        links[0]["url"],
        "https://loja.exemplo.com.br/black?cor=azul"
    );
    assert_eq!(
        (links[0]["total"].as_i64(), links[0]["unique"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(links[1]["url"], "www.loja.exemplo.com.br/frete");
    assert_eq!(
        (links[1]["total"].as_i64(), links[1]["unique"].as_i64()),
        (Some(1), Some(1))
    );
    let previews: i64 = {
        #[derive(sea_orm::FromQueryResult)]
        struct N {
            n: i64,
        }
        use sea_orm::FromQueryResult;
        N::find_by_statement(sea_orm::Statement::from_string(
            app.state.db.backend(),
            "SELECT CAST(COALESCE(SUM(previews), 0) AS BIGINT) AS n FROM link_code",
        ))
        .one(&app.state.db.read)
        .await
        .unwrap()
        .map_or(0, |n| n.n)
    };
    assert_eq!(
        previews, 5,
        "HEAD, crawler, node, Evolution's address, headless"
    );
    // The recipients filter "clicou".
    let clicked = recipients(&app, &tenant, id, "&status=clicked").await;
    let numbers: BTreeSet<String> = clicked
        .iter()
        .map(|r| r["phone"].as_str().unwrap().to_string())
        .collect();
    let expected: BTreeSet<String> = by_number
        .iter()
        .filter(|(_, l)| *l == a || *l == b)
        .map(|(n, _)| n.clone())
        .collect();
    assert_eq!(numbers, expected);
    assert!(clicked.iter().all(|r| r["clicked_at"].is_string()));

    // An unknown code: a page in the reader's language, never a 500.
    let (status, _) = visit(&browser, &app.url("/l/ZZZZZZZZZZ"), agent, false).await;
    assert_eq!(status, 404);
    let page = browser
        .get(app.url("/l/nope"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 404);
    assert!(page.text().await.unwrap().contains("Link unavailable"));
    let page = browser.get(app.url("/l/ZZZZZZZZZZ")).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Link indisponível"));

    // Untracked: the links go as written.
    let sim2 = Sim::start(fast(26)).await;
    let other = app.sim_instance(&tenant, &sim2, "loja-2", "v2").await;
    let plain = start(
        &app,
        &tenant,
        json!({
            "message": "Veja https://loja.exemplo.com.br/x",
            "instance_ids": [other["id"]],
            "contact_ids": &contacts[..2],
            "track_links": false,
        }),
    )
    .await;
    app.wait_status(&tenant, plain, "completed", Duration::from_secs(60))
        .await;
    let truth = sim2.settle().await;
    assert!(
        truth
            .messages
            .iter()
            .all(|m| m.text == "Veja https://loja.exemplo.com.br/x")
    );
}

/// Moves campaign `id`'s sends `hours` into the past (a test cannot wait 24 h).
async fn age(app: &TestApp, id: i64, hours: i64, only: &[i64]) {
    for row in only {
        app.exec_sql(
            "UPDATE campaign_contact SET sent_at = ? WHERE campaign_id = ? AND id = ?",
            vec![
                (chrono::Utc::now() - chrono::Duration::hours(hours)).into(),
                id.into(),
                (*row).into(),
            ],
        )
        .await;
    }
}

async fn follow_up_segments_equal_a_recount_and_respect_the_chain(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 50,
        reply_percent: 30,
        optout_percent: 0,
        click_percent: 0,
        ..fast(27)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let instance = app.sim_instance(&tenant, &sim, "loja", "v2").await;
    let contacts = app.contacts(&tenant, 25).await[1..].to_vec();
    let body = json!({
        "message": "Oi {{first_name}}, chegou a coleção nova",
        "instance_ids": [instance["id"]],
        "contact_ids": contacts,
    });
    // A draft cannot be followed up.
    let (status, draft) = app
        .post(&tenant.token, "/api/v1/campaigns", {
            let mut b = body.clone();
            b["name"] = json!("Rascunho");
            b
        })
        .await;
    assert_eq!(status, 201);
    let (status, refused) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{}/follow-up", draft["id"]),
            json!({"segment": "not_read"}),
        )
        .await;
    assert_eq!(status, 409, "{refused}");

    let parent = start(&app, &tenant, body).await;
    app.wait_status(&tenant, parent, "completed", Duration::from_secs(60))
        .await;
    sim.settle().await;
    for hours in [11, 241] {
        let (status, refused) = app
            .post(
                &tenant.token,
                &format!("/api/v1/campaigns/{parent}/follow-up"),
                json!({"segment": "not_read", "min_age_hours": hours}),
            )
            .await;
        assert_eq!(status, 422, "{hours}: {refused}");
    }
    let rows = recipients(&app, &tenant, parent, "").await;
    // Half of the messages are two days old; the others were just sent (too young).
    let old: Vec<i64> = rows
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 2 == 0)
        .map(|(_, r)| r["id"].as_i64().unwrap())
        .collect();
    age(&app, parent, 48, &old).await;
    // One old unread person opts out before the follow-up starts.
    let unread_old: Vec<&Value> = rows
        .iter()
        .filter(|r| r["status"] == "delivered" && old.contains(&r["id"].as_i64().unwrap()))
        .collect();
    assert!(unread_old.len() >= 3, "{rows:?}");
    let gone = unread_old[0]["contact_id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &tenant.token,
            &format!("/api/v1/contacts/{gone}/opt-out"),
            json!({"reason": "pediu por telefone"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, first) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{parent}/follow-up"),
            json!({"segment": "not_read", "message": "Oi {{first_name}}, viu a coleção?"}),
        )
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["status"], "draft");
    assert_eq!(first["counts"]["total"], 0, "taken at the start");
    assert_eq!(first["follow_up"]["parent_id"], parent);
    assert_eq!(first["follow_up"]["segment"], "not_read");
    assert_eq!(first["follow_up"]["min_age_hours"], 24);
    let first_id = first["id"].as_i64().unwrap();
    // A second reminder of the same segment, made before the first starts.
    let (_, second) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{parent}/follow-up"),
            json!({"segment": "not_read", "min_age_hours": 12}),
        )
        .await;
    let second_id = second["id"].as_i64().unwrap();

    // The segment when it starts: a recount of the parent's rows.
    let rows = recipients(&app, &tenant, parent, "").await;
    let expected: BTreeSet<i64> = rows
        .iter()
        .filter(|r| {
            r["status"] == "delivered"
                && old.contains(&r["id"].as_i64().unwrap())
                && r["contact_id"].as_i64() != Some(gone)
        })
        .map(|r| r["contact_id"].as_i64().unwrap())
        .collect();
    assert!(!expected.is_empty());
    let (status, started) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{first_id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{started}");
    let taken: BTreeSet<i64> = recipients(&app, &tenant, first_id, "")
        .await
        .iter()
        .map(|r| r["contact_id"].as_i64().unwrap())
        .collect();
    assert_eq!(taken, expected);
    assert!(!taken.contains(&gone));
    app.wait_status(&tenant, first_id, "completed", Duration::from_secs(60))
        .await;
    // The sibling takes nobody already reminded.
    let (status, _) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{second_id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200);
    let again: BTreeSet<i64> = recipients(&app, &tenant, second_id, "")
        .await
        .iter()
        .map(|r| r["contact_id"].as_i64().unwrap())
        .collect();
    assert!(again.is_disjoint(&taken), "{again:?} {taken:?}");
    let truth = sim.settle().await;
    let gone_phone = rows
        .iter()
        .find(|r| r["contact_id"].as_i64() == Some(gone))
        .unwrap()["phone"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(truth.sends_per_number.get(&gone_phone), Some(&1));

    // read_not_replied, recounted the same way.
    let (_, third) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{parent}/follow-up"),
            json!({"segment": "read_not_replied"}),
        )
        .await;
    let third_id = third["id"].as_i64().unwrap();
    let rows = recipients(&app, &tenant, parent, "").await;
    let expected: BTreeSet<i64> = rows
        .iter()
        .filter(|r| {
            r["status"] == "read"
                && r["replied_at"].is_null()
                && old.contains(&r["id"].as_i64().unwrap())
        })
        .map(|r| r["contact_id"].as_i64().unwrap())
        .collect();
    app.post(
        &tenant.token,
        &format!("/api/v1/campaigns/{third_id}/start"),
        json!({}),
    )
    .await;
    let taken: BTreeSet<i64> = recipients(&app, &tenant, third_id, "")
        .await
        .iter()
        .map(|r| r["contact_id"].as_i64().unwrap())
        .collect();
    assert_eq!(taken, expected);

    // The parent shows its follow-ups and the read rate they add.
    let view = wait_until(Duration::from_secs(30), || async {
        let (_, c) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{parent}"))
            .await;
        c["combined"].is_object().then_some(c)
    })
    .await;
    let children: Vec<i64> = view["follow_ups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_i64().unwrap())
        .collect();
    assert_eq!(children, vec![first_id, second_id, third_id]);
    let combined = view["combined"]["read_rate"].as_f64().unwrap();
    let own = view["read_rate"].as_f64().unwrap();
    assert!(combined >= own, "{combined} {own}");
    let gain = view["combined"]["gain_points"].as_f64().unwrap();
    assert!(
        (combined - own - gain).abs() < 0.011,
        "{}",
        view["combined"]
    );
}

async fn a_sale_counts_once_and_lands_on_the_right_campaign(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 100,
        delivered_percent: 100,
        error_percent: 0,
        reply_percent: 0,
        optout_percent: 0,
        click_percent: 0,
        ..fast(28)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let instance = app.sim_instance(&tenant, &sim, "loja", "v2").await;
    let contacts = app.contacts(&tenant, 3).await[1..].to_vec();
    let read_only = start(
        &app,
        &tenant,
        json!({"name": "Lida", "message": "Novidades na loja", "instance_ids": [instance["id"]], "contact_ids": contacts}),
    )
    .await;
    app.wait_status(&tenant, read_only, "completed", Duration::from_secs(60))
        .await;
    let clicked = start(
        &app,
        &tenant,
        json!({"name": "Clicada", "message": "Oferta: https://loja.exemplo.com.br/p", "instance_ids": [instance["id"]], "contact_ids": &contacts[..1]}),
    )
    .await;
    app.wait_status(&tenant, clicked, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    let buyer = &truth.messages.last().unwrap();
    let link = short_links(&app.base, &buyer.text)
        .pop()
        .expect("a tracked link");
    assert_eq!(
        visit(&phone(), &link, evolution_sim::PHONE_AGENT, false)
            .await
            .0,
        302
    );
    let (_, c) = app
        .get(&tenant.token, &format!("/api/v1/contacts/{}", contacts[1]))
        .await;
    let reader_phone = c["phone"].as_str().unwrap().to_string();
    wait_until(Duration::from_secs(10), || async {
        let (_, c) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{clicked}"))
            .await;
        (c["clicks"]["unique"] == 1).then_some(())
    })
    .await;

    // The clicker buys (their number written the Brazilian way): the clicked campaign.
    let national = format!(
        "({}) {}-{}",
        &buyer.number[2..4],
        &buyer.number[4..9],
        &buyer.number[9..]
    );
    let sale = json!({"phone": national, "value": 199.9, "currency": "BRL", "order_id": "PED-1"});
    let (status, first) = app
        .post(&tenant.token, "/api/v1/conversions", sale.clone())
        .await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(first["campaign_id"], clicked);
    assert_eq!(first["attributed_by"], "click");
    // Reported again: the first report stands.
    let (status, again) = app
        .post(
            &tenant.token,
            "/api/v1/conversions",
            json!({"phone": national, "value": 5.0, "order_id": "PED-1"}),
        )
        .await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["value"], 199.9);
    // The one who only read: the campaign read.
    let (status, read) = app
        .post(
            &tenant.token,
            "/api/v1/conversions",
            json!({"phone": reader_phone, "value": 50, "order_id": "PED-2"}),
        )
        .await;
    assert_eq!(status, 201, "{read}");
    assert_eq!(
        (read["campaign_id"].as_i64(), read["attributed_by"].as_str()),
        (Some(read_only), Some("read"))
    );
    // Long after the window: nobody's.
    let late = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let (_, outside) = app
        .post(
            &tenant.token,
            "/api/v1/conversions",
            json!({"phone": reader_phone, "value": 10, "order_id": "PED-3", "occurred_at": late}),
        )
        .await;
    assert!(outside["campaign_id"].is_null(), "{outside}");
    // Named by the shop.
    let (_, named) = app
        .post(
            &tenant.token,
            "/api/v1/conversions",
            json!({"contact_id": contacts[1], "value": 20.05, "order_id": "PED-4", "campaign_id": clicked}),
        )
        .await;
    assert_eq!(named["attributed_by"], "explicit");
    // Refusals.
    for bad in [
        json!({"value": 1, "order_id": "X"}),
        json!({"phone": reader_phone, "value": -1, "order_id": "X"}),
        json!({"phone": reader_phone, "value": 1, "currency": "USD", "order_id": "X"}),
        json!({"phone": reader_phone, "value": 1, "order_id": ""}),
    ] {
        let (status, body) = app
            .post(&tenant.token, "/api/v1/conversions", bad.clone())
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
    }
    let (_, view) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{clicked}"))
        .await;
    assert_eq!(view["conversions"]["count"], 2, "{}", view["conversions"]);
    assert_eq!(view["conversions"]["revenue"], 219.95);
    assert_eq!(view["conversions"]["revenue_per_message"], 219.95);
    assert_eq!(view["conversions"]["currency"], "BRL");
    let (_, view) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{read_only}"))
        .await;
    assert_eq!(view["conversions"]["count"], 1);
    assert_eq!(
        view["conversions"]["revenue_per_message"], 25.0,
        "R$ 50 over 2 sent"
    );
}

async fn the_simulator_clicks_and_buys(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 100,
        delivered_percent: 100,
        error_percent: 0,
        optout_percent: 0,
        reply_percent: 0,
        click_percent: 60,
        crawler_percent: 100,
        buy_percent: 50,
        shop: Some(evolution_sim::Shop {
            flow_url: app.base.clone(),
            token: tenant.token.clone(),
        }),
        ..fast(29)
    })
    .await;
    let instance = app.sim_instance(&tenant, &sim, "loja", "v2").await;
    let contacts = &app.contacts(&tenant, 21).await[1..];
    let id = start(
        &app,
        &tenant,
        json!({"message": "Só hoje: https://loja.exemplo.com.br/hoje", "instance_ids": [instance["id"]], "contact_ids": contacts}),
    )
    .await;
    app.wait_status(&tenant, id, "completed", Duration::from_secs(60))
        .await;
    // Wait for the people and the shop.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let truth = sim.settle().await;
    assert_eq!(truth.crawler_visits, 20);
    let clickers = truth.clicks.len() as i64;
    let clicks: u64 = truth.clicks.values().sum();
    assert!(clickers > 0 && clickers < 20, "{:?}", truth.clicks);
    let view = wait_until(Duration::from_secs(10), || async {
        let (_, c) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{id}"))
            .await;
        (c["clicks"]["total"] == clicks && c["conversions"]["count"] == truth.sales.len())
            .then_some(c)
    })
    .await;
    assert_eq!(view["clicks"]["unique"], clickers, "crawlers never count");
    assert!(view["conversions"]["revenue"].as_f64().unwrap() > 0.0 || truth.sales.is_empty());
}

async fn click_during_outage(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 100,
        delivered_percent: 100,
        error_percent: 0,
        click_percent: 0,
        crawler_percent: 0,
        ..fast(30)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let instance = app.sim_instance(&tenant, &sim, "loja", "v2").await;
    let contacts = &app.contacts(&tenant, 2).await[1..];
    let id = start(
        &app,
        &tenant,
        json!({"message": "Veja https://loja.exemplo.com.br/x", "instance_ids": [instance["id"]], "contact_ids": contacts}),
    )
    .await;
    app.wait_status(&tenant, id, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    let link = short_links(&app.base, &truth.messages[0].text)
        .pop()
        .unwrap();
    app.allow_connections(false).await;
    // The person is taken where they were going, and the click is kept on disk.
    let (status, location) = visit(&phone(), &link, evolution_sim::PHONE_AGENT, false).await;
    app.allow_connections(true).await;
    assert_eq!(
        (status, location.as_str()),
        (302, "https://loja.exemplo.com.br/x")
    );
    let view = wait_until(Duration::from_secs(30), || async {
        let (status, c) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{id}"))
            .await;
        (status == 200 && c["clicks"]["total"] == 1).then_some(c)
    })
    .await;
    assert_eq!(view["clicks"]["unique"], 1);
}
