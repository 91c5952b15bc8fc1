//! The person's rights and the team's habits (issue 27), on SQLite and PostgreSQL: a
//! data-subject export holds everything about a seeded person (messages, replies, clicks,
//! sales, consent, the numbers that messaged them) and nothing of a twin-number neighbour;
//! corrections are logged old → new and refuse another's or an erased person's number;
//! Portuguese placeholders fill like the English ones and an unknown one is a 422 naming it.

mod common;

use std::time::Duration;

use common::sim::{Sim, fast, wait_until};
use common::{Tenant, TestApp};
use serde_json::{Value, json};

on_both_databases!(
    an_export_holds_everything_about_the_person_and_nothing_of_a_neighbour,
    corrections_are_logged_and_refuse_taken_or_erased_numbers,
    portuguese_placeholders_fill_and_unknown_ones_are_refused,
    parallel_corrections_give_a_number_to_one_contact,
);

/// The person's row as `GET /contacts?phone=` finds it.
async fn contact_by_phone(app: &TestApp, tenant: &Tenant, phone: &str) -> Value {
    let (status, rows) = app
        .get(
            &tenant.token,
            &format!("/api/v1/contacts?phone={}", urlencode(phone)),
        )
        .await;
    assert_eq!(status, 200, "{rows}");
    rows[0].clone()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Creates a campaign from `body` and starts it; its id.
async fn start(app: &TestApp, tenant: &Tenant, body: Value) -> i64 {
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

/// Imports `csv` (with attributes) and waits for the job.
async fn import(app: &TestApp, tenant: &Tenant, csv: &str) {
    let job = app.import_file(tenant, csv.to_string()).await;
    assert_eq!(job["status"], "done", "{job}");
}

async fn an_export_holds_everything_about_the_person_and_nothing_of_a_neighbour(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 100,
        delivered_percent: 100,
        reply_percent: 100,
        click_percent: 0,
        crawler_percent: 0,
        error_percent: 0,
        optout_percent: 0,
        ..fast(25)
    })
    .await;
    let tenant = app.tenant("Loja da Maria").await;
    let instance = app.sim_instance(&tenant, &sim, "loja", "v2").await;
    // The instance says which number it is when it (re)connects.
    sim.control("loja", "connect").await;
    // The person and a neighbour: same name, a number one digit away.
    import(
        &app,
        &tenant,
        "nome;telefone;cidade\nMaria Souza;(11) 98100-0001;Recife\nMaria Souza;(11) 98100-0002;Olinda\n",
    )
    .await;
    let maria = contact_by_phone(&app, &tenant, "11981000001").await;
    let neighbour = contact_by_phone(&app, &tenant, "11981000002").await;
    let (id, other) = (
        maria["id"].as_i64().unwrap(),
        neighbour["id"].as_i64().unwrap(),
    );
    assert_ne!(id, other);

    // Consent by hand, a correction.
    for (path, body) in [
        ("opt-out", json!({"reason": "pediu por telefone"})),
        (
            "opt-in",
            json!({"consent_note": "pediu para voltar na loja"}),
        ),
    ] {
        let (status, body) = app
            .post(
                &tenant.token,
                &format!("/api/v1/contacts/{id}/{path}"),
                body,
            )
            .await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = app
        .patch(
            &tenant.token,
            &format!("/api/v1/contacts/{id}"),
            json!({"name": "Maria Souza Lima"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // A campaign to both: each reads and replies.
    let campaign = start(
        &app,
        &tenant,
        json!({
                "name": "Liquida",
                "message": "Oi {{primeiro_nome}} de {{cidade}}! Veja https://loja.exemplo.com.br/liquida",
                "instance_ids": [instance["id"]],
                "contact_ids": [id, other],
                "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
        }),
    )
    .await;
    app.wait_status(&tenant, campaign, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    let to_maria = truth
        .messages
        .iter()
        .find(|m| m.number == "5511981000001")
        .expect("Maria's message");
    assert!(
        to_maria.text.starts_with("Oi Maria de Recife! Veja "),
        "{}",
        to_maria.text
    );
    // Wait for the reads and the replies of both.
    let detail = wait_until(Duration::from_secs(20), || async {
        let (_, d) = app
            .get(&tenant.token, &format!("/api/v1/contacts/{id}"))
            .await;
        let (_, n) = app
            .get(&tenant.token, &format!("/api/v1/contacts/{other}"))
            .await;
        let ready = |d: &Value| {
            d["campaigns"][0]["read_at"].is_string()
                && !d["replies"].as_array().is_none_or(Vec::is_empty)
        };
        (ready(&d) && ready(&n)).then_some(d)
    })
    .await;
    // Maria clicks her link; both buy.
    let link = to_maria
        .text
        .split_whitespace()
        .find(|w| w.contains("/l/"))
        .expect("tracked link")
        .to_string();
    let browser = reqwest::Client::builder()
        .local_address(evolution_sim::PHONE_ADDRESS)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let visit = browser
        .get(&link)
        .header("user-agent", evolution_sim::PHONE_AGENT)
        .send()
        .await
        .unwrap();
    assert_eq!(visit.status().as_u16(), 302);
    for (phone, order) in [("11981000001", "PED-MARIA"), ("11981000002", "PED-VIZINHA")] {
        let (status, body) = app
            .post(
                &tenant.token,
                "/api/v1/conversions",
                json!({"phone": phone, "value": 1234.56, "order_id": order}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }

    // The export, once the click is stored.
    wait_until(Duration::from_secs(10), || async {
        let clicks = app
            .count_sql(
                "SELECT COUNT(*) AS n FROM link_click WHERE kind = 'click'",
                Vec::new(),
            )
            .await;
        (clicks == 1).then_some(())
    })
    .await;
    let (status, export) = app
        .get(&tenant.token, &format!("/api/v1/contacts/{id}/data-export"))
        .await;
    assert_eq!(status, 200, "{export}");
    assert_eq!(export["controller"], "Loja da Maria");
    assert_eq!(export["contact"]["name"], "Maria Souza Lima");
    assert_eq!(export["contact"]["phone"], "5511981000001");
    assert_eq!(export["phone_display"], "+55 (11) 98100-0001");
    assert_eq!(export["attributes"]["cidade"], "Recife");
    let messages = export["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{export}");
    assert_eq!(messages[0]["campaign_id"], campaign);
    assert_eq!(messages[0]["status"], "read");
    assert!(messages[0]["sent_at"].is_string() && messages[0]["read_at"].is_string());
    assert!(messages[0]["clicked_at"].is_string(), "{export}");
    // Every reply of hers, as her page lists them.
    let replies: Vec<&str> = export["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    let mut on_page: Vec<&str> = detail["replies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap())
        .collect();
    on_page.reverse();
    assert_eq!(replies, on_page);
    let clicks = export["clicks"].as_array().unwrap();
    assert_eq!(clicks.len(), 1, "{export}");
    assert_eq!(clicks[0]["url"], "https://loja.exemplo.com.br/liquida");
    assert_eq!(clicks[0]["kind"], "click");
    let sales = export["conversions"].as_array().unwrap();
    assert_eq!(sales.len(), 1, "{export}");
    assert_eq!(sales[0]["order_id"], "PED-MARIA");
    assert_eq!(sales[0]["value_cents"], 123_456);
    let actions: Vec<&str> = export["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["opt_out", "opt_in", "corrected", "exported"],
        "{export}"
    );
    let (_, seen) = app
        .get(
            &tenant.token,
            &format!("/api/v1/instances/{}", instance["id"]),
        )
        .await;
    assert_eq!(
        seen["phone"].as_str(),
        Some(evolution_sim::instance_number("loja").as_str())
    );
    let instances = export["instances"].as_array().unwrap();
    assert_eq!(instances.len(), 1, "{export}");
    assert_eq!(instances[0]["id"], instance["id"]);
    assert_eq!(instances[0]["messages"], 1);
    assert_eq!(
        instances[0]["phone"].as_str(),
        Some(evolution_sim::instance_number("loja").as_str())
    );
    // Nothing of the neighbour.
    let text = export.to_string();
    for theirs in ["5511981000002", "98100-0002", "PED-VIZINHA", "Olinda"] {
        assert!(!text.contains(theirs), "{theirs} in {text}");
    }
    assert!(!text.contains(&format!("\"contact_id\":{other}")), "{text}");

    // The readable page, in Portuguese, with the number as people write it.
    let page = app
        .client
        .get(app.url(&format!("/api/v1/contacts/{id}/data-export?format=html")))
        .bearer_auth(&tenant.token)
        .header("accept-language", "pt-BR")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Dados do titular"), "{html}");
    assert!(html.contains("+55 (11) 98100-0001"), "{html}");
    assert!(html.contains("R$ 1.234,56"), "{html}");
    assert!(!html.contains("Olinda") && !html.contains("98100-0002"));
    // A browser opening the address without `format` gets the page too.
    let browser_page = app
        .client
        .get(app.url(&format!("/api/v1/contacts/{id}/data-export")))
        .bearer_auth(&tenant.token)
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(
        browser_page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    // Every export is in the consent log, with who made it.
    let (_, detail) = app
        .get(&tenant.token, &format!("/api/v1/contacts/{id}"))
        .await;
    let exports: Vec<&Value> = detail["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "exported")
        .collect();
    assert_eq!(exports.len(), 3, "{detail}");
    assert!(
        exports[0]["actor"]
            .as_str()
            .unwrap()
            .starts_with("API token")
    );
    // Another tenant cannot export her.
    let stranger = app.tenant("Outra loja").await;
    let (status, _) = app
        .get(
            &stranger.token,
            &format!("/api/v1/contacts/{id}/data-export"),
        )
        .await;
    assert_eq!(status, 404);
}

async fn corrections_are_logged_and_refuse_taken_or_erased_numbers(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    import(
        &app,
        &tenant,
        "nome;telefone;cidade\nAna Lima;(21) 98765-0001;Niterói\nBeto;(21) 98765-0002;\nCaio;(21) 98765-0003;\n",
    )
    .await;
    let ana = contact_by_phone(&app, &tenant, "21987650001").await["id"]
        .as_i64()
        .unwrap();
    let beto = contact_by_phone(&app, &tenant, "21987650002").await["id"]
        .as_i64()
        .unwrap();
    let caio = contact_by_phone(&app, &tenant, "21987650003").await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/contacts/{ana}");

    // Name and attributes: set, added, removed; each change a line with old and new.
    let (status, body) = app
        .patch(
            &tenant.token,
            &path,
            json!({"name": "Ana Lima Souza", "attributes": {"cidade": null, "plano": "ouro"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "Ana Lima Souza");
    assert_eq!(body["attributes"], json!({"plano": "ouro"}));
    let changes: Vec<(String, Value, Value, String)> = body["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "corrected")
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_string(),
                e["old_value"].clone(),
                e["new_value"].clone(),
                e["actor"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(changes.len(), 3, "{body}");
    assert!(changes.iter().all(|c| c.3.starts_with("API token")));
    let field = |f: &str| changes.iter().find(|c| c.0 == f).cloned().unwrap();
    assert_eq!(
        (field("name").1, field("name").2),
        (json!("Ana Lima"), json!("Ana Lima Souza"))
    );
    assert_eq!(
        (field("attributes.cidade").1, field("attributes.cidade").2),
        (json!("Niterói"), Value::Null)
    );
    assert_eq!(
        (field("attributes.plano").1, field("attributes.plano").2),
        (Value::Null, json!("ouro"))
    );
    // The same values again change nothing and log nothing.
    let (status, again) = app
        .patch(&tenant.token, &path, json!({"name": "Ana Lima Souza"}))
        .await;
    assert_eq!(status, 200);
    assert_eq!(again["consent_history"], body["consent_history"]);

    // Another contact's number (any spelling): 409, nothing changed.
    let (status, refused) = app
        .patch(&tenant.token, &path, json!({"phone": "+55 21 8765-0002"}))
        .await;
    assert_eq!(status, 409, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains(&beto.to_string())
    );
    // An erased person's number: 422, nothing changed.
    let (status, _) = app
        .delete(&tenant.token, &format!("/api/v1/contacts/{caio}"))
        .await;
    assert_eq!(status, 204);
    let (status, refused) = app
        .patch(&tenant.token, &path, json!({"phone": "(21) 98765-0003"}))
        .await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("erased"));
    // Not a number; nothing asked: 422.
    for body in [json!({"phone": "abc"}), json!({})] {
        let (status, refused) = app.patch(&tenant.token, &path, body).await;
        assert_eq!(status, 422, "{refused}");
    }
    let (_, now) = app.get(&tenant.token, &path).await;
    assert_eq!(now["phone"], "5521987650001");

    // A new number, written the Brazilian way: stored in E.164, logged.
    let (status, moved) = app
        .patch(&tenant.token, &path, json!({"phone": "(21) 99999-0001"}))
        .await;
    assert_eq!(status, 200, "{moved}");
    assert_eq!(moved["phone"], "5521999990001");
    let phone_change = moved["consent_history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["field"] == "phone")
        .cloned()
        .expect("phone change logged");
    assert_eq!(phone_change["old_value"], "5521987650001");
    assert_eq!(phone_change["new_value"], "5521999990001");
    assert_eq!(
        contact_by_phone(&app, &tenant, "21999990001").await["id"],
        ana
    );

    // Erasing her empties what the corrections recorded.
    let (status, _) = app.delete(&tenant.token, &path).await;
    assert_eq!(status, 204);
    let leftovers = app
        .count_sql(
            "SELECT COUNT(*) AS n FROM consent_event WHERE contact_id = ? \
             AND (old_value IS NOT NULL OR new_value IS NOT NULL)",
            vec![ana.into()],
        )
        .await;
    assert_eq!(leftovers, 0);
}

async fn portuguese_placeholders_fill_and_unknown_ones_are_refused(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let instance = app.instance(&tenant, "loja").await;
    import(
        &app,
        &tenant,
        "nome;telefone;Cidade\nAna;(11) 98100-0001;Recife\n",
    )
    .await;
    let ana = contact_by_phone(&app, &tenant, "11981000001").await["id"].clone();
    let create = |message: &str| {
        json!({
            "name": "Campanha",
            "message": message,
            "instance_ids": [instance["id"]],
            "contact_ids": [ana],
        })
    };
    for ok in [
        "Oi {{nome}}, {{primeiro_nome}} ({{telefone}}) de {{ Cidade }}",
        "Oi {{name}} {{first_name}} {{phone}} {{cidade}}",
    ] {
        let (status, body) = app
            .post(&tenant.token, "/api/v1/campaigns", create(ok))
            .await;
        assert_eq!(status, 201, "{ok}: {body}");
    }
    for (bad, named, suggested) in [
        (
            "Oi {{nome}} de {{cidadee}}",
            "{{cidadee}}",
            Some("{{cidade}}"),
        ),
        (
            "Oi {{primeiro_nom}}",
            "{{primeiro_nom}}",
            Some("{{primeiro_nome}}"),
        ),
        ("Cupom {{desconto}}", "{{desconto}}", None),
    ] {
        let (status, body) = app
            .post(&tenant.token, "/api/v1/campaigns", create(bad))
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(named), "{message}");
        match suggested {
            Some(s) => assert!(message.contains(&format!("did you mean {s}")), "{message}"),
            None => assert!(!message.contains("did you mean"), "{message}"),
        }
    }
    // A variant is checked too; an attribute of another team does not count.
    let other = app.tenant("Outra").await;
    import(
        &app,
        &other,
        "nome;telefone;bairro\nZé;(11) 98100-0009;Centro\n",
    )
    .await;
    let mut body = create("Oi {{nome}}");
    body["variants"] = json!(["Olá {{bairro}}"]);
    let (status, refused) = app.post(&tenant.token, "/api/v1/campaigns", body).await;
    assert_eq!(status, 422, "{refused}");
    assert!(refused["message"].as_str().unwrap().contains("{{bairro}}"));
}

async fn parallel_corrections_give_a_number_to_one_contact(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let ids = app.contacts(&tenant, 9).await;
    // Eight people at once are given the same new number (two spellings of it).
    let requests = ids[1..].iter().enumerate().map(|(i, id)| {
        let phone = if i % 2 == 0 {
            "(11) 97777-0001"
        } else {
            "+55 11 97777-0001"
        };
        let (app, token) = (&app, tenant.token.clone());
        async move {
            app.patch(
                &token,
                &format!("/api/v1/contacts/{id}"),
                json!({"phone": phone}),
            )
            .await
            .0
        }
    });
    let mut statuses = futures_util::future::join_all(requests).await;
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409, 409, 409, 409, 409, 409, 409]);
    let holders = app
        .count_sql(
            "SELECT COUNT(*) AS n FROM contact WHERE tenant_id = ? AND phone = ?",
            vec![tenant.id.into(), "5511977770001".into()],
        )
        .await;
    assert_eq!(holders, 1);
}
