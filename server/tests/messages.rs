//! Messages people actually send (issue 24), on SQLite and PostgreSQL: an uploaded photo
//! reaches the simulator byte for byte with each contact's caption (v1 and v2 bodies); bad
//! uploads are refused with nothing stored; the media URL needs its token and serves ranges; a
//! voice note counts played; poll votes count each person's latest choice and fill the
//! option's list; a test send reaches one number without counting in the campaign; a file
//! Evolution cannot download pauses the campaign.

mod common;

use std::time::Duration;

use common::sim::{Sim, fast, wait_until};
use common::{Tenant, TestApp};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

on_both_databases!(
    a_photo_reaches_every_contact_byte_for_byte,
    bad_uploads_are_refused_and_nothing_is_stored,
    the_media_url_needs_its_token_and_serves_ranges,
    a_voice_note_counts_played,
    poll_votes_count_the_latest_choice_and_fill_lists,
    a_test_send_is_not_counted,
    unused_files_go_after_the_retention_and_used_ones_stay,
    the_same_file_uploaded_at_once_is_stored_once,
    a_vote_before_its_poll_is_linked_waits_for_it,
);

on_both_databases!(
    with [("FLOW_PUBLIC_URL", "http://127.0.0.1:9")];
    a_file_evolution_cannot_download_pauses_the_campaign,
);

/// A PNG of `len` bytes: its signature, then bytes that vary (more than one stored chunk).
fn png(len: usize) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend((0..len.saturating_sub(16)).map(|i| (i * 31 % 251) as u8));
    bytes
}

/// An OGG/Opus voice note of 7 seconds (its header pages and a last page).
fn ogg() -> Vec<u8> {
    let mut bytes = b"OggS\0\x02\0\0\0\0\0\0\0\0".to_vec();
    bytes.extend_from_slice(b"OpusHead\x01\x01\x38\x01\x80\xbb\0\0\0\0\0");
    bytes.extend((0..5000).map(|i| (i % 200) as u8));
    bytes.extend_from_slice(b"OggS\0\x04");
    bytes.extend_from_slice(&(48_000u64 * 7 + 312).to_le_bytes());
    bytes.extend_from_slice(&[0; 16]);
    bytes
}

/// Uploads `bytes` as `name` (multipart `file`); status and body.
async fn upload(
    app: &TestApp,
    tenant: &Tenant,
    name: &str,
    bytes: &[u8],
    language: Option<&str>,
) -> (u16, Value) {
    let boundary = "flow-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let mut request = app
        .client
        .post(app.url("/api/v1/media"))
        .bearer_auth(&tenant.token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(body);
    if let Some(language) = language {
        request = request.header("accept-language", language);
    }
    app.respond(request).await
}

async fn count(app: &TestApp, table: &str) -> i64 {
    #[derive(sea_orm::FromQueryResult)]
    struct N {
        n: i64,
    }
    use sea_orm::FromQueryResult;
    N::find_by_statement(sea_orm::Statement::from_string(
        app.state.db.backend(),
        format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
    ))
    .one(&app.state.db.read)
    .await
    .expect("count")
    .map_or(0, |c| c.n)
}

/// Creates a campaign from `body` (instances and contacts filled in) and starts it.
async fn start(app: &TestApp, tenant: &Tenant, mut body: Value) -> i64 {
    body["name"] = json!("Mídia");
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

async fn a_photo_reaches_every_contact_byte_for_byte(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        v1_instances: vec!["loja-v1".into()],
        ..fast(24)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let v2 = app.sim_instance(&tenant, &sim, "loja-v2", "v2").await;
    let v1 = app.sim_instance(&tenant, &sim, "loja-v1", "v1").await;
    // The first number ends in 0000: the simulator says it has no WhatsApp.
    let contacts = &app.contacts(&tenant, 7).await[1..];
    let photo = png(600 * 1024);
    let (status, media) = upload(&app, &tenant, "oferta.png", &photo, None).await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(media["kind"], "image");
    assert_eq!(media["mimetype"], "image/png");
    assert_eq!(media["size"], photo.len() as i64);
    let sha = hex::encode(Sha256::digest(&photo));
    assert_eq!(media["sha256"], sha);
    let id = start(
        &app,
        &tenant,
        json!({
            "message": "Oi {{first_name}}, *oferta* só hoje!",
            "media": {"kind": "image", "media_id": media["id"]},
            "instance_ids": [v2["id"], v1["id"]],
            "contact_ids": contacts,
        }),
    )
    .await;
    let done = app
        .wait_status(&tenant, id, "completed", Duration::from_secs(60))
        .await;
    let (_, recipients) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}/contacts"))
        .await;
    assert_eq!(done["counts"]["sent"], 6, "{recipients}");
    assert_eq!(done["media"]["media_id"], media["id"]);
    let truth = sim.settle().await;
    assert_eq!(truth.messages.len(), 6);
    for message in &truth.messages {
        assert_eq!(message.kind, "image");
        assert_eq!(message.media_sha256.as_deref(), Some(sha.as_str()));
        assert_eq!(message.media_bytes, Some(photo.len() as u64));
        assert_eq!(message.text, "Oi Contact, *oferta* só hoje!");
    }
    assert!(
        truth.bodies.get("v1").copied().unwrap_or(0) > 0,
        "{:?}",
        truth.bodies
    );
    assert!(
        truth.bodies.get("v2").copied().unwrap_or(0) > 0,
        "{:?}",
        truth.bodies
    );
}

async fn bad_uploads_are_refused_and_nothing_is_stored(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let exe = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0this program cannot be run".repeat(10);
    let (status, body) = upload(&app, &tenant, "promo.jpg", &exe, None).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("not a photo"),
        "{body}"
    );
    let (status, body) = upload(&app, &tenant, "promo.jpg", &exe, Some("pt-BR,pt;q=0.9")).await;
    assert_eq!(status, 422);
    assert!(
        body["message"].as_str().unwrap().contains("não é uma foto"),
        "{body}"
    );
    let (status, body) = upload(&app, &tenant, "vazio.pdf", b"", None).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("empty"),
        "{body}"
    );
    let big = png(5 * 1024 * 1024 + 1);
    let (status, body) = upload(&app, &tenant, "grande.png", &big, Some("pt-BR")).await;
    assert_eq!(status, 422, "{body}");
    assert!(body["message"].as_str().unwrap().contains("5 MB"), "{body}");
    assert_eq!(count(&app, "media").await, 0);
    assert_eq!(count(&app, "media_chunk").await, 0);
    // The same file twice is stored once.
    let photo = png(1000);
    let (first, a) = upload(&app, &tenant, "a.png", &photo, None).await;
    let (again, b) = upload(&app, &tenant, "b.png", &photo, None).await;
    assert_eq!((first, again), (201, 200), "{a} {b}");
    assert_eq!(a["id"], b["id"]);
    assert_eq!(count(&app, "media").await, 1);
    // Viewers may not upload.
    let (status, _) = app
        .respond(
            app.client
                .post(app.url("/api/v1/media"))
                .header("content-type", "multipart/form-data; boundary=x")
                .body("--x--"),
        )
        .await;
    assert_eq!(status, 401);
}

async fn the_media_url_needs_its_token_and_serves_ranges(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let photo = png(700 * 1024);
    let (_, media) = upload(&app, &tenant, "oferta.png", &photo, None).await;
    let id = media["id"].as_i64().unwrap();
    let token = flow_server::service::media::token_of(&app.state.db.read, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(token.len(), 64);
    let get = |path: String, range: Option<&str>| {
        let mut r = app.client.get(app.url(&path));
        if let Some(range) = range {
            r = r.header("range", range);
        }
        r.send()
    };
    let wrong = get(format!("/media/{}", "0".repeat(64)), None)
        .await
        .unwrap();
    assert_eq!(wrong.status(), 404);
    let full = get(format!("/media/{token}"), None).await.unwrap();
    assert_eq!(full.status(), 200);
    assert_eq!(full.headers()["content-type"], "image/png");
    assert_eq!(
        full.headers()["content-length"],
        photo.len().to_string().as_str()
    );
    assert_eq!(full.bytes().await.unwrap().as_ref(), photo.as_slice());
    // A range across the 256 KiB chunk boundary.
    let part = get(format!("/media/{token}"), Some("bytes=262140-262149"))
        .await
        .unwrap();
    assert_eq!(part.status(), 206);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 262140-262149/{}", photo.len()).as_str()
    );
    assert_eq!(
        part.bytes().await.unwrap().as_ref(),
        &photo[262_140..262_150]
    );
    let past = get(
        format!("/media/{token}"),
        Some(&format!("bytes={}-", photo.len())),
    )
    .await
    .unwrap();
    assert_eq!(past.status(), 416);
    // Another tenant sees nothing of it.
    let other = app.tenant("Outra").await;
    let (status, _) = app.get(&other.token, &format!("/api/v1/media/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = app.get(&tenant.token, &format!("/api/v1/media/{id}")).await;
    assert_eq!(status, 200);
}

async fn a_voice_note_counts_played(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        read_percent: 100,
        delivered_percent: 100,
        error_percent: 0,
        played_percent: 60,
        ..fast(7)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let inst = app.sim_instance(&tenant, &sim, "loja-01", "v2").await;
    let contacts = &app.contacts(&tenant, 11).await[1..];
    let (status, media) = upload(&app, &tenant, "recado.ogg", &ogg(), None).await;
    assert_eq!(status, 201, "{media}");
    assert_eq!(
        (media["kind"].as_str(), media["duration_secs"].as_i64()),
        (Some("audio"), Some(7))
    );
    // A voice note carries no text.
    let (status, refused) = app
        .post(
            &tenant.token,
            "/api/v1/campaigns",
            json!({"name": "x", "message": "Ouça!", "media": {"kind": "audio", "media_id": media["id"]},
                   "instance_ids": [inst["id"]], "contact_ids": contacts}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    let id = start(
        &app,
        &tenant,
        json!({"message": "", "media": {"kind": "audio", "media_id": media["id"]},
               "instance_ids": [inst["id"]], "contact_ids": contacts}),
    )
    .await;
    app.wait_status(&tenant, id, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    assert!(truth.messages.iter().all(|m| m.kind == "audio"));
    assert!(truth.played > 0 && truth.played < 10, "{}", truth.played);
    let view = wait_until(Duration::from_secs(20), || async {
        let (_, c) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{id}"))
            .await;
        (c["counts"]["played"] == truth.played && c["counts"]["read"] == 10).then_some(c)
    })
    .await;
    let recount = flow_server::service::campaigns::recount(&app.state.db.read, id)
        .await
        .unwrap();
    assert_eq!(recount.played, view["counts"]["played"].as_i64().unwrap());
}

async fn poll_votes_count_the_latest_choice_and_fill_lists(app: TestApp) {
    let sim = Sim::start(evolution_sim::SimConfig {
        delivered_percent: 100,
        error_percent: 0,
        optout_percent: 0,
        vote_percent: 80,
        vote_change_percent: 50,
        v1_instances: vec!["loja-v1".into()],
        // People read a poll before they vote, seconds after it arrives (× pace).
        pace_ms: 60,
        ..fast(11)
    })
    .await;
    let tenant = app.tenant("Loja").await;
    let v2 = app.sim_instance(&tenant, &sim, "loja-v2", "v2").await;
    let v1 = app.sim_instance(&tenant, &sim, "loja-v1", "v1").await;
    let contacts = &app.contacts(&tenant, 31).await[1..];
    let (status, list) = app
        .post(
            &tenant.token,
            "/api/v1/lists",
            json!({"name": "Interessados"}),
        )
        .await;
    assert_eq!(status, 201, "{list}");
    let options = ["Quero o catálogo", "Agora não", "Me liga"];
    let id = start(
        &app,
        &tenant,
        json!({"message": "", "poll": {"question": "Oi {{first_name}}, quer o catálogo?",
                                       "options": options, "selectable_count": 1,
                                       "option_lists": {"Quero o catálogo": list["id"]}},
               "instance_ids": [v2["id"], v1["id"]], "contact_ids": contacts}),
    )
    .await;
    app.wait_status(&tenant, id, "completed", Duration::from_secs(60))
        .await;
    let truth = sim.settle().await;
    assert!(
        truth
            .messages
            .iter()
            .all(|m| m.kind == "poll" && m.poll_options == options)
    );
    assert!(truth.vote_changes > 0, "some people change their vote");
    let expected: Vec<i64> = options
        .iter()
        .map(|o| {
            truth
                .votes
                .values()
                .filter(|v| v.iter().any(|c| c == o))
                .count() as i64
        })
        .collect();
    let results = wait_until(Duration::from_secs(20), || async {
        let (_, r) = app
            .get(&tenant.token, &format!("/api/v1/campaigns/{id}/poll"))
            .await;
        let got: Vec<i64> = r["options"]
            .as_array()?
            .iter()
            .map(|o| o["votes"].as_i64().unwrap_or(-1))
            .collect();
        (got == expected).then_some(r)
    })
    .await;
    assert_eq!(results["voters"], truth.votes.len() as i64, "{results}");
    assert_eq!(results["options"][0]["list_id"], list["id"]);
    let (_, members) = app
        .get(
            &tenant.token,
            &format!("/api/v1/lists/{}", list["id"].as_i64().unwrap()),
        )
        .await;
    assert_eq!(members["contacts"], expected[0], "{members}");
    // The campaign view carries the same results.
    let (_, view) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}"))
        .await;
    assert_eq!(view["poll_results"], results);
    // A poll needs 2 to 12 distinct options.
    let (status, _) = app
        .post(
            &tenant.token,
            "/api/v1/campaigns",
            json!({"name": "x", "message": "", "poll": {"question": "?", "options": ["só uma"]},
                   "instance_ids": [v2["id"]], "contact_ids": contacts}),
        )
        .await;
    assert_eq!(status, 422);
}

async fn a_test_send_is_not_counted(app: TestApp) {
    let sim = Sim::start(fast(3)).await;
    let tenant = app.tenant("Loja").await;
    let inst = app.sim_instance(&tenant, &sim, "loja-01", "v2").await;
    let contacts = &app.contacts(&tenant, 4).await[1..];
    let (_, media) = upload(&app, &tenant, "oferta.png", &png(2000), None).await;
    let (status, draft) = app
        .post(
            &tenant.token,
            "/api/v1/campaigns",
            json!({"name": "Teste", "message": "Oi {{first_name}}!",
                   "variants": ["Olá {{name}}!", {"text": "Veja o PDF", "media": null}],
                   "media": {"kind": "image", "media_id": media["id"]},
                   "instance_ids": [inst["id"]], "contact_ids": contacts}),
        )
        .await;
    assert_eq!(status, 201, "{draft}");
    let id = draft["id"].as_i64().unwrap();
    let (status, report) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{id}/test"),
            json!({"phone": "(11) 98888-7777", "contact_id": contacts[1]}),
        )
        .await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["phone"], "5511988887777");
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(
        results.iter().all(|r| r["message_id"].is_string()),
        "{report}"
    );
    let truth = sim.truth().await;
    assert_eq!(truth.sends_per_number.get("5511988887777"), Some(&3));
    let texts: Vec<&str> = truth.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Oi Contact!", "Olá Contact 2!", "Veja o PDF"]);
    assert!(truth.messages.iter().all(|m| m.kind == "image"));
    let (_, after) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}"))
        .await;
    assert_eq!(after["status"], "draft");
    assert_eq!(after["counts"]["sent"], 0);
    assert_eq!(after["counts"]["pending"], 3);
    let (_, logs) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}/logs"))
        .await;
    assert!(
        logs.as_array()
            .unwrap()
            .iter()
            .any(|l| l["log_type"] == "test_sent"),
        "{logs}"
    );
    // Never to a number that opted out, however it is written.
    let (status, optout) = app
        .post(
            &tenant.token,
            &format!("/api/v1/contacts/{}/opt-out", contacts[0]),
            json!({"reason": "pediu por telefone"}),
        )
        .await;
    assert!(status == 200 || status == 201, "{optout}");
    let (_, first) = app
        .get(&tenant.token, &format!("/api/v1/contacts/{}", contacts[0]))
        .await;
    let phone = first["phone"].as_str().unwrap().to_string();
    let spelled = format!("+{} {} {}", &phone[..2], &phone[2..4], &phone[4..]);
    let (status, refused) = app
        .post(
            &tenant.token,
            &format!("/api/v1/campaigns/{id}/test"),
            json!({"phone": spelled}),
        )
        .await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(sim.truth().await.sent, 3);
}

async fn a_file_evolution_cannot_download_pauses_the_campaign(app: TestApp) {
    let sim = Sim::start(fast(5)).await;
    let tenant = app.tenant("Loja").await;
    let inst = app.sim_instance(&tenant, &sim, "loja-01", "v2").await;
    let contacts = &app.contacts(&tenant, 5).await[1..];
    let (_, media) = upload(
        &app,
        &tenant,
        "catalogo.pdf",
        b"%PDF-1.7\n%\xe2\xe3\n1 0 obj",
        None,
    )
    .await;
    assert_eq!(media["kind"], "document");
    let id = start(
        &app,
        &tenant,
        json!({"message": "Nosso catálogo", "media": {"kind": "document", "media_id": media["id"]},
               "instance_ids": [inst["id"]], "contact_ids": contacts}),
    )
    .await;
    let paused = app
        .wait_status(&tenant, id, "paused", Duration::from_secs(30))
        .await;
    assert_eq!(paused["pause_reason"], "media_unreachable", "{paused}");
    let (_, recipients) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}/contacts"))
        .await;
    assert_eq!(
        paused["counts"]["pending"], 4,
        "nothing was sent nor failed: {recipients}"
    );
    let truth = sim.truth().await;
    assert_eq!(truth.sent, 0);
    assert!(truth.media_failed >= 1);
}

async fn unused_files_go_after_the_retention_and_used_ones_stay(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let inst = app.instance(&tenant, "loja-01").await;
    let contacts = app.contacts(&tenant, 2).await;
    let (_, used) = upload(&app, &tenant, "usada.png", &png(300 * 1024), None).await;
    let (_, unused) = upload(&app, &tenant, "esquecida.png", &png(301 * 1024), None).await;
    let (status, _) = app
        .post(
            &tenant.token,
            "/api/v1/campaigns",
            json!({"name": "x", "message": "Oi", "media": {"kind": "image", "media_id": used["id"]},
                   "instance_ids": [inst["id"]], "contact_ids": contacts}),
        )
        .await;
    assert_eq!(status, 201);
    // Nothing is old enough yet.
    let now = chrono::Utc::now();
    let gone =
        flow_server::service::media::prune_unused(&app.state.db, now - chrono::Duration::days(7))
            .await
            .unwrap();
    assert_eq!(gone, 0);
    let gone = flow_server::service::media::prune_unused(
        &app.state.db,
        now + chrono::Duration::seconds(1),
    )
    .await
    .unwrap();
    assert_eq!(gone, 1);
    let (status, _) = app
        .get(&tenant.token, &format!("/api/v1/media/{}", unused["id"]))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(
            &tenant.token,
            &format!("/api/v1/media/{}/content", used["id"]),
        )
        .await;
    assert_eq!(status, 200);
    // Only the used file's two chunks are left.
    assert_eq!(count(&app, "media_chunk").await, 2);
}

async fn the_same_file_uploaded_at_once_is_stored_once(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let photo = png(400 * 1024);
    let uploads = (0..6).map(|i| {
        let (app, tenant, photo) = (&app, &tenant, &photo);
        async move { upload(app, tenant, &format!("foto-{i}.png"), photo, None).await }
    });
    let answers = futures_util::future::join_all(uploads).await;
    let ids: std::collections::BTreeSet<i64> = answers
        .iter()
        .map(|(status, body)| {
            assert!(*status == 201 || *status == 200, "{body}");
            body["id"].as_i64().unwrap()
        })
        .collect();
    assert_eq!(ids.len(), 1, "{answers:?}");
    assert_eq!(count(&app, "media").await, 1);
    assert_eq!(count(&app, "media_chunk").await, 2);
}

/// A vote that overtakes the send's answer (its poll's message id not recorded yet) waits in
/// `pending_vote` and counts once `send.message` links the id.
async fn a_vote_before_its_poll_is_linked_waits_for_it(app: TestApp) {
    let tenant = app.tenant("Loja").await;
    let instance = app.instance(&tenant, "loja-01").await;
    let contacts = app.contacts(&tenant, 2).await;
    let (status, created) = app
        .post(
            &tenant.token,
            "/api/v1/campaigns",
            json!({"name": "Enquete", "message": "",
                   "poll": {"question": "Quer o catálogo?", "options": ["Sim", "Não"]},
                   "instance_ids": [instance["id"]], "contact_ids": &contacts[..1]}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_i64().unwrap();
    let (_, rows) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}/contacts"))
        .await;
    let row = &rows[0];
    let phone = row["phone"].as_str().unwrap().to_string();
    // The sender claimed the row and Evolution sent the poll; its answer is still on the way.
    app.exec_sql(
        "UPDATE campaign_contact SET status = 'sending', instance_id = ? WHERE id = ?",
        vec![
            instance["id"].as_i64().unwrap().into(),
            row["id"].as_i64().unwrap().into(),
        ],
    )
    .await;
    let url = instance["webhook_url"].as_str().unwrap().to_string();
    let vote = json!({
        "event": "messages.upsert",
        "instance": "loja-01",
        "data": {
            "key": {"remoteJid": format!("{phone}@s.whatsapp.net"), "fromMe": false, "id": "VOTE-1"},
            "message": {"pollUpdateMessage": {
                "pollCreationMessageKey": {"id": "POLL-1", "fromMe": true},
                "vote": {"selectedOptions": ["Sim"]}}},
            "messageType": "pollUpdateMessage",
            "messageTimestamp": 1765000000
        }
    });
    let (status, _) = common::post_webhook(&app.client, &url, &[], &vote).await;
    assert_eq!(status, 200);
    let (_, results) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}/poll"))
        .await;
    assert_eq!(results["voters"], 0, "{results}");
    let sent = json!({
        "event": "send.message",
        "instance": "loja-01",
        "data": {
            "key": {"remoteJid": format!("{phone}@s.whatsapp.net"), "fromMe": true, "id": "POLL-1"},
            "message": {"pollCreationMessage": {"name": "Quer o catálogo?"}},
            "messageType": "pollCreationMessage",
            "messageTimestamp": 1765000000,
            "status": "PENDING"
        }
    });
    let (status, _) = common::post_webhook(&app.client, &url, &[], &sent).await;
    assert_eq!(status, 200);
    let (_, results) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{id}/poll"))
        .await;
    assert_eq!(results["voters"], 1, "{results}");
    assert_eq!(results["options"][0]["votes"], 1, "{results}");
    assert_eq!(count(&app, "pending_vote").await, 0);
}
