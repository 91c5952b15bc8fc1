//! Brazilian numbers as Brazilians write them (issue 21), on SQLite and PostgreSQL: a shop's
//! spreadsheet in national formats reaches the simulator at `55…` numbers only, with the rows
//! that are no number reported in Portuguese; an erased person stays erased in every spelling;
//! numbers stored before they were parsed are repaired once (twins merged, an opt-out on either
//! wins, unreadable ones kept and never sent to); and old suppression entries that hashed a
//! national spelling still suppress.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::sim::{Sim, fast};
use common::{Tenant, TestApp};
use flow_server::service::phone_repair;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

on_both_databases!(
    a_brazilian_spreadsheet_reaches_the_right_people,
    an_erased_person_stays_erased_in_every_spelling,
    stored_phones_are_repaired_once,
);

/// Creates and starts a campaign to every contact of the tenant; waits for it to complete.
async fn send_to_everyone(app: &TestApp, t: &Tenant, instance_id: i64) -> i64 {
    let (status, body) = app
        .post(
            &t.token,
            "/api/v1/campaigns",
            json!({
                "name": "Promoção",
                "message": "Oi {{first_name}}!",
                "instance_ids": [instance_id],
                "all_contacts": true,
                "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_i64().unwrap();
    let (status, body) = app
        .post(
            &t.token,
            &format!("/api/v1/campaigns/{id}/start"),
            json!({}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    app.wait_status(t, id, "completed", Duration::from_secs(60))
        .await;
    id
}

async fn a_brazilian_spreadsheet_reaches_the_right_people(app: TestApp) {
    let sim = Sim::start(fast(21)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    // Excel in Brazil: Windows-1252, semicolons, every way people write a number.
    let rows: &[(&[u8], &str)] = &[
        (b"Ana", "(11) 98765-4321"),
        (b"Bia", "11 98765 4322"),
        (b"Cid", "011 98765-4323"),
        (b"Davi", "0 15 11 98765-4324"),
        (b"Eva", "0xx11 98765-4325"),
        (b"F\xE1bio", "+55 11 98765-4326"),
        (b"Gil", "5511987654327"),
        (b"Hugo", "0055 11 98765-4328"),
        (b"\xCDris", "11 8765-4329"),
        (b"J\xF4", "(11) 3265-4321"),
        (b"K\xE1tia", "(20) 98765-4321"),
        (b"Lia", "98765-4321"),
    ];
    let mut file = b"nome;telefone\r\n".to_vec();
    for (name, phone) in rows {
        file.extend_from_slice(name);
        file.extend_from_slice(format!(";{phone}\r\n").as_bytes());
    }
    let job = app.import_file(&t, file).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["created"], 10, "{job}");
    assert_eq!(job["invalid"], 2, "{job}");
    let codes: Vec<&str> = job["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(codes, ["not_valid", "too_short"], "{job}");
    // The report says why in the reader's language: the CSV (Portuguese) says it in pt-BR.
    let csv = app
        .client
        .get(app.url(&format!(
            "/api/v1/contacts/imports/{}/errors.csv",
            job["id"]
        )))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        csv.contains("12;(20) 98765-4321;não é um número válido do país (confira o DDD)"),
        "{csv}"
    );
    assert!(csv.contains("13;98765-4321;tem dígitos de menos"), "{csv}");

    // Stored in E.164; the landline is marked so the marketer can filter it.
    let (_, landlines) = app
        .get(&t.token, "/api/v1/contacts?line_type=landline")
        .await;
    let landlines = landlines.as_array().unwrap();
    assert_eq!(landlines.len(), 1, "{landlines:?}");
    assert_eq!(landlines[0]["phone"], "551132654321");
    let (status, _) = app.get(&t.token, "/api/v1/contacts?line_type=fax").await;
    assert_eq!(status, 422);
    // Search finds a person in any spelling.
    let (_, found) = app
        .get(&t.token, "/api/v1/contacts?q=0xx11%2098765-4321")
        .await;
    assert_eq!(found[0]["name"], "Ana", "{found}");

    send_to_everyone(&app, &t, inst["id"].as_i64().unwrap()).await;
    let truth = sim.settle().await;
    let reached: BTreeSet<String> = truth.sends_per_number.keys().cloned().collect();
    let mut expected: BTreeSet<String> = (1..=9).map(|i| format!("551198765432{i}")).collect();
    expected.insert("551132654321".into());
    assert_eq!(reached, expected, "only 55… numbers, each the right person");
}

/// The tenant's contacts (not erased), as the API lists them.
async fn everyone(app: &TestApp, t: &Tenant) -> Vec<Value> {
    let (_, list) = app.get(&t.token, "/api/v1/contacts?limit=1000").await;
    list.as_array().unwrap().clone()
}

async fn an_erased_person_stays_erased_in_every_spelling(app: TestApp) {
    let sim = Sim::start(fast(22)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    app.import_one(&t, "Outra Pessoa", "(21) 99887-7665").await;
    // Erased as the shop typed it: national, without a country code.
    app.import_one(&t, "Zé Esquecido", "11988880002").await;
    let spellings = [
        "5511988880002",
        "+55 (11) 98888-0002",
        "(11) 98888-0002",
        "11 98888 0002",
        "011 98888-0002",
        "0 21 11 98888-0002",
        "0xx11 98888-0002",
        "0055 11 98888-0002",
        "55 11 8888-0002",
        "11 8888-0002",
    ];
    for spelling in spellings {
        let zé = everyone(&app, &t)
            .await
            .into_iter()
            .find(|c| c["phone"] == "5511988880002")
            .expect("the person is there");
        let (status, _) = app
            .delete(&t.token, &format!("/api/v1/contacts/{}", zé["id"]))
            .await;
        assert_eq!(status, 204, "erasing before {spelling}");
        let report = app.import_one(&t, "Zé de Novo", spelling).await;
        assert_eq!(report["created"], 1, "{spelling}: {report}");
        let back = everyone(&app, &t)
            .await
            .into_iter()
            .find(|c| c["phone"] == "5511988880002")
            .expect("imported again");
        assert_eq!(back["opted_out"], true, "{spelling} must stay suppressed");
    }
    // Through the spreadsheet path too.
    let job = app
        .import_file(&t, b"nome;telefone\r\nZ\xE9;(11) 9 8888-0002\r\n".to_vec())
        .await;
    assert_eq!(job["kept_opted_out"], 1, "{job}");

    send_to_everyone(&app, &t, inst["id"].as_i64().unwrap()).await;
    let truth = sim.settle().await;
    let reached: Vec<&String> = truth.sends_per_number.keys().collect();
    assert_eq!(
        reached,
        ["5521998877665"],
        "the erased person is never messaged"
    );
}

/// Writes a contact as versions before issue 21 stored it (phone as typed, no line type).
async fn legacy_contact(app: &TestApp, t: &Tenant, name: &str, phone: &str, key: &str) -> i64 {
    let now = chrono::Utc::now();
    app.exec_sql(
        "INSERT INTO contact (tenant_id, phone, phone_key, name, total_messages_received, \
         created_at, updated_at) VALUES (?, ?, ?, ?, 0, ?, ?)",
        vec![
            t.id.into(),
            phone.into(),
            key.into(),
            name.into(),
            now.into(),
            now.into(),
        ],
    )
    .await;
    let (_, found) = app
        .get(
            &t.token,
            &format!("/api/v1/contacts?q={}", name.replace(' ', "%20")),
        )
        .await;
    found[0]["id"].as_i64().expect("the legacy contact")
}

async fn stored_phones_are_repaired_once(app: TestApp) {
    let sim = Sim::start(fast(23)).await;
    let t = app.tenant("Loja").await;
    let inst = app.sim_instance(&t, &sim, "loja-01", "v2").await;
    let inst_id = inst["id"].as_i64().unwrap();
    // The old rule: national spellings kept as typed, twins under two identities.
    let ana = legacy_contact(&app, &t, "Ana Nacional", "11987654321", "11987654321").await;
    let twin = legacy_contact(&app, &t, "Ana Intl", "5511987654321", "5511987654321").await;
    let cid = legacy_contact(&app, &t, "Cid Tronco", "011912345678", "011912345678").await;
    let bad = legacy_contact(&app, &t, "Dado Torto", "123456", "123456").await;
    let us = legacy_contact(&app, &t, "Eve Abroad", "14155552671", "14155552671").await;
    let old = legacy_contact(&app, &t, "Fred Antigo", "558187654321", "5581987654321").await;
    // The twin opted out; each is on a list; a campaign has both, another only the twin.
    app.post(
        &t.token,
        &format!("/api/v1/contacts/{twin}/opt-out"),
        json!({"reason": "pediu por telefone"}),
    )
    .await;
    for (name, id) in [("Nacional", ana), ("Intl", twin)] {
        let (status, list) = app
            .post(&t.token, "/api/v1/lists", json!({ "name": name }))
            .await;
        assert_eq!(status, 201, "{list}");
        let (status, _) = app
            .post(
                &t.token,
                &format!("/api/v1/lists/{}/contacts", list["id"]),
                json!({ "contact_ids": [id] }),
            )
            .await;
        assert_eq!(status, 200);
    }
    let both = app.campaign(&t, inst_id, &[ana, twin]).await;
    let only_twin = app.campaign(&t, inst_id, &[twin]).await;
    // An erasure recorded by the old rule: the hash of a national spelling.
    app.exec_sql(
        "UPDATE tenant SET suppression_salt = 'sal' WHERE id = ?",
        vec![t.id.into()],
    )
    .await;
    let hash = hex::encode(Sha256::digest("sal:21987650000"));
    app.exec_sql(
        "INSERT INTO suppression (tenant_id, phone_hash, created_at, legacy) VALUES (?, ?, ?, TRUE)",
        vec![t.id.into(), hash.into(), chrono::Utc::now().into()],
    )
    .await;

    let report = phone_repair::run(&app.state.db).await.unwrap();
    assert_eq!(report.parsed, 6, "{report:?}");
    assert_eq!(report.merged, 1, "{report:?}");
    assert_eq!(report.invalid.len(), 1, "{report:?}");
    assert_eq!(report.invalid[0].1, bad);
    // Idempotent: nothing is left to read.
    let again = phone_repair::run(&app.state.db).await.unwrap();
    assert_eq!(again, phone_repair::RepairReport::default());

    // One person, in E.164, opted out (the twin's opt-out wins), on both lists.
    let (_, people) = app
        .get(&t.token, "/api/v1/contacts?phone=(11)%2098765-4321")
        .await;
    let people = people.as_array().unwrap();
    assert_eq!(people.len(), 1, "{people:?}");
    assert_eq!(people[0]["id"], ana);
    assert_eq!(people[0]["phone"], "5511987654321");
    assert_eq!(people[0]["opted_out"], true);
    let (_, detail) = app.get(&t.token, &format!("/api/v1/contacts/{ana}")).await;
    assert_eq!(
        detail["lists"].as_array().map(Vec::len),
        Some(2),
        "{detail}"
    );
    // The twin is no longer a contact of its own; its campaign moved to the survivor, and
    // the campaign that had both keeps the twin's row as history.
    let (status, _) = app.get(&t.token, &format!("/api/v1/contacts/{twin}")).await;
    assert_eq!(status, 404);
    let (_, rows) = app
        .get(&t.token, &format!("/api/v1/campaigns/{only_twin}/contacts"))
        .await;
    assert_eq!(rows[0]["contact_id"], ana, "{rows}");
    let (_, rows) = app
        .get(&t.token, &format!("/api/v1/campaigns/{both}/contacts"))
        .await;
    assert_eq!(rows.as_array().map(Vec::len), Some(2), "{rows}");

    let phones: BTreeSet<(i64, String, String)> = everyone(&app, &t)
        .await
        .iter()
        .map(|c| {
            (
                c["id"].as_i64().unwrap(),
                c["phone"].as_str().unwrap().to_string(),
                c["line_type"].as_str().unwrap_or("-").to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(i64, String, String)> = [
        (ana, "5511987654321", "mobile"),
        (cid, "5511912345678", "mobile"),
        (bad, "123456", "invalid"),
        (us, "14155552671", "mobile"),
        (old, "5581987654321", "mobile"),
    ]
    .into_iter()
    .map(|(id, p, l)| (id, p.to_string(), l.to_string()))
    .collect();
    assert_eq!(phones, expected);
    let (_, invalid) = app
        .get(&t.token, "/api/v1/contacts?line_type=invalid")
        .await;
    assert_eq!(invalid[0]["id"], bad, "{invalid}");

    // The old erasure still suppresses the person in a spelling it never saw.
    let report = app.import_one(&t, "Voltou", "+55 (21) 98765-0000").await;
    assert_eq!(report["created"], 1);
    let (_, back) = app
        .get(&t.token, "/api/v1/contacts?phone=21987650000")
        .await;
    assert_eq!(back[0]["opted_out"], true, "{back}");

    // The sender never hands Evolution a number it could not place.
    let id = app.start_campaign(&t, &[inst_id], &[cid, bad, us], 0).await;
    let c = app
        .wait_status(&t, id, "completed", Duration::from_secs(60))
        .await;
    assert_eq!(c["counts"]["failed"], 1, "{c}");
    let (_, failed) = app
        .get(
            &t.token,
            &format!("/api/v1/campaigns/{id}/contacts?status=failed"),
        )
        .await;
    assert_eq!(failed[0]["contact_id"], bad, "{failed}");
    assert!(
        failed[0]["error"]
            .as_str()
            .unwrap()
            .starts_with("invalid number"),
        "{failed}"
    );
    let truth = sim.settle().await;
    let reached: Vec<&String> = truth.sends_per_number.keys().collect();
    assert_eq!(reached, ["14155552671", "5511912345678"]);
}
