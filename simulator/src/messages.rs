//! The simulated Evolution endpoints.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde_json::{Value, json};

use crate::sends::{self, Request, Route};
use crate::state::{SentMessage, Sim, Truth};
use crate::webhooks::{self, ReplyShape};

const REPLIES: [&str; 6] = [
    "Obrigado!",
    "Quanto custa?",
    "Tem em azul?",
    "Vou passar na loja amanhã",
    "👍",
    "não quero sair agora, só queria saber o horário",
];
const OPT_OUTS: [&str; 9] = [
    "SAIR",
    "sair",
    "Parar!",
    "NÃO QUERO",
    "Não quero 🙏",
    "stop",
    "Cancelar.",
    "remover",
    "  Sair  ",
];

fn error(status: StatusCode, message: Value) -> Response {
    let (status, body) = sends::error(status, message);
    (status, Json(body)).into_response()
}

/// What Evolution answers for an instance whose key was revoked (401) or that it no longer
/// knows (404), before looking at the request.
pub fn refusal(sim: &Sim, instance: &str) -> Option<Response> {
    let (revoked, deleted) = sim.with_instance(instance, |i| (i.key_revoked, i.deleted));
    if deleted {
        return Some(error(
            StatusCode::NOT_FOUND,
            json!([format!("The \"{instance}\" instance does not exist")]),
        ));
    }
    revoked.then(|| error(StatusCode::UNAUTHORIZED, json!("Unauthorized")))
}

/// Evolution's auth guard: every API route needs the `apikey` header (401 otherwise).
pub async fn require_api_key(
    State(sim): State<Arc<Sim>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let authorized = request
        .headers()
        .get("apikey")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|k| k == sim.config.api_key);
    if authorized {
        next.run(request).await
    } else {
        error(StatusCode::UNAUTHORIZED, json!("Unauthorized"))
    }
}

/// `POST /message/{route}/{instance}`: `sendText`, `sendMedia` (a photo, video, document or
/// audio by URL: Evolution downloads it first), `sendWhatsAppAudio` (a voice note by URL) and
/// `sendPoll`; any other route is 404.
pub async fn send_message(
    State(sim): State<Arc<Sim>>,
    Path((route, instance)): Path<(String, String)>,
    Json(body): Json<Value>,
) -> Response {
    let route = match route.as_str() {
        "sendText" => Route::Text,
        "sendMedia" => Route::Media,
        "sendWhatsAppAudio" => Route::Audio,
        "sendPoll" => Route::Poll,
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    send(sim, instance, route, body).await
}

/// The message object and `messageType` Evolution stores for a send.
fn stored_message(request: &Request, mimetype: Option<&str>) -> (Value, &'static str) {
    let mimetype = mimetype.unwrap_or("application/octet-stream");
    match request.kind.as_str() {
        "text" => (json!({"conversation": request.text}), "conversation"),
        "image" => (
            json!({"imageMessage": {"caption": request.text, "mimetype": mimetype}}),
            "imageMessage",
        ),
        "video" => (
            json!({"videoMessage": {"caption": request.text, "mimetype": mimetype}}),
            "videoMessage",
        ),
        "document" => (
            json!({"documentMessage": {"caption": request.text, "mimetype": mimetype,
                                       "fileName": request.file_name}}),
            "documentMessage",
        ),
        "audio" => (
            json!({"audioMessage": {"mimetype": "audio/ogg; codecs=opus", "ptt": true}}),
            "audioMessage",
        ),
        _ => (
            json!({"pollCreationMessage": {
                "name": request.text,
                "options": request.values.iter().map(|v| json!({"optionName": v})).collect::<Vec<_>>(),
                "selectableOptionsCount": request.selectable,
            }}),
            "pollCreationMessage",
        ),
    }
}

/// Every send route: Evolution's checks and answers, then the message's fate.
async fn send(sim: Arc<Sim>, instance: String, route: Route, body: Value) -> Response {
    if let Some(refused) = refusal(&sim, &instance) {
        sim.record(|t| t.refused_instance += 1);
        return refused;
    }
    let received_at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    let (v1, state, answers_lost, optout_wave) = sim.with_instance(&instance, |i| {
        (i.v1, i.state, i.answers_lost, i.optout_wave)
    });
    let request = match sends::read(route, v1, &body) {
        Ok(request) => request,
        Err((status, body)) => return (status, Json(body)).into_response(),
    };
    if route == Route::Text && request.text.trim().is_empty() {
        return error(StatusCode::BAD_REQUEST, json!(["Text is required"]));
    }
    sim.record(|t| {
        *t.bodies
            .entry(if v1 { "v1" } else { "v2" }.into())
            .or_default() += 1
    });
    if state != "open" {
        sim.record(|t| t.refused_disconnected += 1);
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!("Connection Closed"),
        );
    }
    let number = request.number.clone();
    if number.is_empty() || number.ends_with(&sim.config.not_on_whatsapp_suffix) {
        sim.record(|t| t.not_on_whatsapp += 1);
        return error(
            StatusCode::BAD_REQUEST,
            json!([{"jid": format!("{number}@s.whatsapp.net"), "exists": false, "number": number}]),
        );
    }
    let downloaded = match &request.media {
        Some(url) => match sends::download(&sim.http, route, url).await {
            Ok(file) => Some(file),
            Err((status, body)) => {
                sim.record(|t| t.media_failed += 1);
                return (status, Json(body)).into_response();
            }
        },
        None => None,
    };
    // Evolution shows "typing…" for `delay` before sending; scaled like every other delay
    // (`pace_ms` 1000 = real time), so fast tests stay fast.
    let typing = request.delay.min(8_000) * sim.config.pace_ms / 1000;
    tokio::time::sleep(Duration::from_millis(typing)).await;
    // Evolution builds a text's link preview before relaying it (linkPreview is on unless
    // the body turns it off).
    if route == Route::Text && body_allows_preview(&body) {
        crate::links::preview(&sim, &request.text).await;
    }
    let n = sim.counter.fetch_add(1, Ordering::SeqCst);
    let id = format!("3EB0{:018X}", (sim.config.seed << 32) ^ n);
    sim.record(|t| {
        t.sent += 1;
        *t.sends_per_number.entry(number.clone()).or_default() += 1;
        t.messages.push(SentMessage {
            instance: instance.clone(),
            number: number.clone(),
            text: request.text.clone(),
            delay_ms: request.delay,
            received_at_ms,
            kind: request.kind.clone(),
            media_sha256: downloaded.as_ref().map(|d| d.sha256.clone()),
            media_bytes: downloaded.as_ref().map(|d| d.size),
            file_name: request.file_name.clone(),
            poll_options: request.values.clone(),
        });
    });
    let mimetype = downloaded.as_ref().and_then(|d| d.mimetype.as_deref());
    let (message, message_type) = stored_message(&request, mimetype);
    schedule(
        &sim,
        &instance,
        v1,
        &id,
        &request,
        (&message, message_type),
        optout_wave,
    );
    let banned = sim.with_instance(&instance, |i| match i.ban_after {
        Some(n) if n <= 1 => {
            i.ban_after = None;
            i.state = "close";
            true
        }
        Some(n) => {
            i.ban_after = Some(n - 1);
            false
        }
        None => false,
    });
    if banned {
        let close = webhooks::connection(&instance, "close", 403);
        webhooks::deliver_later(
            &sim,
            &instance,
            close,
            Duration::from_millis(sim.config.pace_ms),
        );
    }
    if answers_lost {
        // Sent, but the answer says nothing useful: only `send.message` tells.
        return error(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!(["Error: socket hang up"]),
        );
    }

    let jid = format!("{number}@s.whatsapp.net");
    let answer = if v1 {
        // v1 answers the raw Baileys message: no `messageType`, a string timestamp.
        let message = if route == Route::Text {
            json!({"extendedTextMessage": {"text": request.text}})
        } else {
            message
        };
        json!({"key": {"remoteJid": jid, "fromMe": true, "id": id},
               "message": message,
               "messageTimestamp": "1719410000", "status": "PENDING"})
    } else {
        json!({"key": {"remoteJid": jid, "fromMe": true, "id": id}, "pushName": "Você",
               "status": "PENDING", "message": message, "contextInfo": {},
               "messageType": message_type, "messageTimestamp": 1761055392,
               "instanceId": "sim-instance", "source": "web"})
    };
    (StatusCode::CREATED, Json(answer)).into_response()
}

/// Decides what happens to a message and schedules its webhooks.
fn schedule(
    sim: &Arc<Sim>,
    instance: &str,
    v1: bool,
    id: &str,
    request: &Request,
    (message, message_type): (&Value, &str),
    optout_wave: bool,
) {
    let number = request.number.as_str();
    let c = &sim.config;
    let mut rng = sim.rng_for(number);
    let pct = |rng: &mut rand::rngs::StdRng, p: u32| rng.random_range(0..100) < p;
    let ms = |rng: &mut rand::rngs::StdRng, lo: f64, hi: f64| {
        Duration::from_millis((rng.random_range(lo..hi) * c.pace_ms as f64) as u64)
    };
    let send = |body: Value, at: Duration, rng: &mut rand::rngs::StdRng| {
        if pct(rng, c.duplicate_percent) {
            webhooks::deliver_later(
                sim,
                instance,
                body.clone(),
                at + Duration::from_millis(c.pace_ms / 3),
            );
        }
        webhooks::deliver_later(sim, instance, body, at);
    };
    send(
        webhooks::send_message(instance, id, number, message, message_type),
        Duration::from_millis(5),
        &mut rng,
    );
    // A number messaged for the first time: WhatsApp tells its push name.
    let first_time = sim
        .known_numbers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(number.to_string());
    if first_time {
        sim.record(|t| t.named += 1);
        webhooks::deliver_later(
            sim,
            instance,
            webhooks::contact_upsert(v1, instance, number),
            Duration::from_millis(10),
        );
    }
    // What WhatsApp tells beyond the receipts draws from its own generator, so the decisions
    // below stay what they were for a seed.
    let mut extra = sim.rng_for(&format!("{number}/extra"));
    let ack_at = ms(&mut rng, 0.05, 0.3);
    send(
        webhooks::receipt(v1, instance, id, number, "SERVER_ACK"),
        ack_at,
        &mut rng,
    );
    if pct(&mut rng, c.error_percent) {
        sim.record(|t| t.failed += 1);
        send(
            webhooks::receipt(v1, instance, id, number, "ERROR"),
            ack_at + ms(&mut rng, 0.2, 1.0),
            &mut rng,
        );
        return;
    }
    if !optout_wave && !pct(&mut rng, c.delivered_percent) {
        return;
    }
    let delivered_at = ack_at + ms(&mut rng, 0.2, 2.0);
    let read = pct(&mut rng, c.read_percent);
    // Outside the contact's favoured hours the read takes longer.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let rhythm = if c.rhythm.is_favoured(now) {
        1.0
    } else {
        crate::state::OFF_HOURS_FACTOR
    };
    let read_at = if read && pct(&mut rng, c.out_of_order_percent) {
        delivered_at.saturating_sub(Duration::from_millis(c.pace_ms / 10 + 1))
    } else {
        delivered_at + ms(&mut rng, 0.5, 3.0).mul_f64(rhythm)
    };
    send(
        webhooks::receipt(v1, instance, id, number, "DELIVERY_ACK"),
        delivered_at,
        &mut rng,
    );
    sim.record(|t: &mut Truth| t.delivered += 1);
    if pct(&mut extra, c.revoke_percent) {
        sim.record(|t| t.revoked += 1);
        webhooks::deliver_later(
            sim,
            instance,
            webhooks::revoke(v1, sim.keyed_revokes(), instance, number, id, true),
            delivered_at + ms(&mut extra, 1.0, 3.0),
        );
    }
    if read {
        sim.record(|t| {
            t.read += 1;
            t.presences += 1;
        });
        webhooks::deliver_later(sim, instance, webhooks::presence(instance, number), read_at);
        send(
            webhooks::receipt(v1, instance, id, number, "READ"),
            read_at,
            &mut rng,
        );
        if matches!(request.kind.as_str(), "audio" | "video") && pct(&mut extra, c.played_percent) {
            sim.record(|t| t.played += 1);
            send(
                webhooks::receipt(v1, instance, id, number, "PLAYED"),
                read_at + ms(&mut extra, 0.5, 2.0),
                &mut extra,
            );
        }
    }
    if request.kind != "poll" && request.kind != "audio" {
        crate::links::after_reading(sim, number, id, &request.text, read.then_some(read_at));
    }
    // Only people who opened the chat (read the poll) vote, some seconds after reading.
    if read && request.kind == "poll" {
        vote(sim, instance, v1, id, request, delivered_at.max(read_at));
    }
    let opt_out = optout_wave || pct(&mut rng, c.optout_percent);
    let reply = opt_out || pct(&mut rng, c.reply_percent);
    if reply {
        let text = if optout_wave {
            "SAIR"
        } else if opt_out {
            OPT_OUTS[rng.random_range(0..OPT_OUTS.len())]
        } else {
            REPLIES[rng.random_range(0..REPLIES.len())]
        };
        let shape = match rng.random_range(0..3) {
            0 => ReplyShape::Plain,
            1 => ReplyShape::Quoted,
            _ => ReplyShape::Button,
        };
        let reply_id = format!("{id}R");
        let at = read_at.max(delivered_at) + ms(&mut rng, 0.5, 2.0);
        sim.record(|t| {
            t.replied += 1;
            if opt_out {
                t.opted_out += 1;
            }
        });
        send(
            webhooks::reply(v1, instance, number, &reply_id, id, text, shape),
            at,
            &mut rng,
        );
        if !opt_out && pct(&mut extra, c.reply_revoke_percent) {
            sim.record(|t| t.replies_revoked += 1);
            webhooks::deliver_later(
                sim,
                instance,
                webhooks::revoke(v1, sim.keyed_revokes(), instance, number, &reply_id, false),
                at + ms(&mut extra, 1.0, 2.0),
            );
        }
    }
}

/// A contact's vote on poll `id` (if they vote), and maybe a change of mind later, in the
/// version's shape; the final choice goes to the ground truth.
fn vote(sim: &Arc<Sim>, instance: &str, v1: bool, id: &str, request: &Request, after: Duration) {
    let c = &sim.config;
    let Some(upsert) = sim.vote_shape(v1) else {
        // Evolution 2.3.0–2.3.6 reports no votes.
        return;
    };
    let number = request.number.as_str();
    let mut rng = sim.rng_for(&format!("{number}/{id}/vote"));
    if request.values.is_empty() || rng.random_range(0..100) >= c.vote_percent {
        return;
    }
    let at = |rng: &mut rand::rngs::StdRng, lo: f64, hi: f64| {
        Duration::from_millis((rng.random_range(lo..hi) * c.pace_ms as f64) as u64)
    };
    let pick = |rng: &mut rand::rngs::StdRng| {
        let how_many =
            rng.random_range(1..=request.selectable.clamp(1, request.values.len() as u64));
        let mut chosen: Vec<String> = Vec::new();
        while (chosen.len() as u64) < how_many {
            let option = &request.values[rng.random_range(0..request.values.len())];
            if !chosen.contains(option) {
                chosen.push(option.clone());
            }
        }
        chosen
    };
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut chosen = pick(&mut rng);
    let mut when = after + at(&mut rng, 2.0, 6.0);
    let mut n = 0;
    loop {
        n += 1;
        webhooks::deliver_later(
            sim,
            instance,
            webhooks::poll_vote(
                v1,
                upsert,
                instance,
                number,
                &webhooks::Vote {
                    poll_id: id,
                    vote_id: &format!("{id}V{n}"),
                    options: &request.values,
                    chosen: &chosen,
                    // When the person votes: the webhook's delivery time, so a change of mind
                    // sorts after the first choice.
                    at_ms: now_ms + when.as_millis() as u64,
                },
            ),
            when,
        );
        if n > 1 || rng.random_range(0..100) >= c.vote_change_percent {
            break;
        }
        let again = pick(&mut rng);
        if again == chosen {
            break;
        }
        sim.record(|t| t.vote_changes += 1);
        chosen = again;
        when += at(&mut rng, 1.0, 3.0);
    }
    sim.record(|t| {
        t.votes.insert(number.to_string(), chosen);
    });
}

/// `GET /instance/connectionState/{instance}`.
pub async fn connection_state(
    State(sim): State<Arc<Sim>>,
    Path(instance): Path<String>,
) -> Response {
    if let Some(refused) = refusal(&sim, &instance) {
        return refused;
    }
    let state = sim.with_instance(&instance, |i| i.state);
    Json(json!({"instance": {"instanceName": instance, "state": state}})).into_response()
}

/// `POST /chat/findStatusMessage/{instance}` `{"where": {"remoteJid", "id"}}`: the statuses
/// stored for the message so far, as rows of Evolution's `MessageUpdate` (v2: `keyId`; v1:
/// `id`, `owner`).
pub async fn find_status_message(
    State(sim): State<Arc<Sim>>,
    Path(instance): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = refusal(&sim, &instance) {
        return refused;
    }
    let Some(id) = body["where"]["id"].as_str() else {
        return (StatusCode::BAD_REQUEST, Json(json!({"status": 400, "error": "Bad Request", "response": {"message": ["where.id is required"]}}))).into_response();
    };
    let v1 = sim.speaks_v1(&instance);
    let now = std::time::Instant::now();
    let rows: Vec<Value> = sim
        .statuses
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(id)
        .map(|stored| {
            stored
                .iter()
                .filter(|s| s.at <= now)
                .map(|s| {
                    if v1 {
                        json!({"id": id, "remoteJid": s.remote_jid, "fromMe": true, "status": s.status, "owner": instance})
                    } else {
                        json!({"keyId": id, "remoteJid": s.remote_jid, "fromMe": true, "status": s.status, "instanceId": "sim-instance"})
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    Json(Value::Array(rows)).into_response()
}

/// `POST /webhook/set/{instance}`: v2 `{webhook: {url, …}}` or v1 flat `{url, …}`.
pub async fn set_webhook(
    State(sim): State<Arc<Sim>>,
    Path(instance): Path<String>,
    Json(body): Json<Value>,
) -> Response {
    if let Some(refused) = refusal(&sim, &instance) {
        return refused;
    }
    let config = if body["webhook"].is_object() {
        &body["webhook"]
    } else {
        &body
    };
    let Some(url) = config["url"].as_str().filter(|u| u.starts_with("http")) else {
        return error(
            StatusCode::BAD_REQUEST,
            json!(["instance requires property \"url\""]),
        );
    };
    sim.with_instance(&instance, |i| i.webhook_url = Some(url.to_string()));
    (
        StatusCode::CREATED,
        Json(json!({"webhook": {"instanceName": instance, "webhook": config}})),
    )
        .into_response()
}

/// `GET /sim/truth`: what the simulator decided so far.
pub async fn truth(State(sim): State<Arc<Sim>>) -> Json<Truth> {
    let mut t = sim.truth.lock().unwrap_or_else(|e| e.into_inner()).clone();
    t.webhooks_pending = sim.pending.load(Ordering::SeqCst);
    t.webhooks_delivered = sim.delivered.load(Ordering::SeqCst);
    t.webhooks_dropped = sim.dropped.load(Ordering::SeqCst);
    Json(t)
}

/// `POST /sim/instances/{instance}/{action}`: plays what Evolution and WhatsApp do to an
/// instance, each with its `connection.update`:
/// * `disconnect` / `connect`: the connection drops (close, statusReason 428) / comes back;
/// * `logout`: the phone unlinked the instance (close, 401); `ban`: WhatsApp banned the number
///   (close, 403); `ban-after-N`: that ban, after N more sends;
/// * `blip`: a v1-style transient drop, close (428) then open `2 × pace_ms` later;
/// * `optout-wave` / `calm`: every contact messaged from now on answers "SAIR" / stops;
/// * `revoke-key`, `restore-key`, `delete`, `restore`, `lose-answers`, `keep-answers`: how
///   Evolution answers the sends.
pub async fn control(
    State(sim): State<Arc<Sim>>,
    Path((instance, action)): Path<(String, String)>,
) -> Response {
    let (state, reason) = match action.as_str() {
        "disconnect" | "blip" => ("close", 428),
        "logout" => ("close", 401),
        "ban" => ("close", 403),
        "connect" => ("open", 200),
        "revoke-key" | "restore-key" | "delete" | "restore" | "lose-answers" | "keep-answers"
        | "optout-wave" | "calm" | "drop-webhooks" | "deliver-webhooks" => {
            sim.with_instance(&instance, |i| match action.as_str() {
                "revoke-key" => i.key_revoked = true,
                "restore-key" => i.key_revoked = false,
                "delete" => i.deleted = true,
                "restore" => i.deleted = false,
                "lose-answers" => i.answers_lost = true,
                "keep-answers" => i.answers_lost = false,
                "drop-webhooks" => i.webhooks_dropped = true,
                "deliver-webhooks" => i.webhooks_dropped = false,
                "optout-wave" => i.optout_wave = true,
                _ => i.optout_wave = false,
            });
            return Json(json!({"instance": instance, "done": action})).into_response();
        }
        other => match other
            .strip_prefix("ban-after-")
            .and_then(|n| n.parse::<u64>().ok())
        {
            Some(n) => {
                sim.with_instance(&instance, |i| i.ban_after = Some(n));
                return Json(json!({"instance": instance, "done": action})).into_response();
            }
            None => return StatusCode::NOT_FOUND.into_response(),
        },
    };
    sim.with_instance(&instance, |i| i.state = state);
    webhooks::deliver_later(
        &sim,
        &instance,
        webhooks::connection(&instance, state, reason),
        Duration::ZERO,
    );
    if action == "blip" {
        let (sim, instance) = (sim.clone(), instance.clone());
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(sim.config.pace_ms * 2)).await;
            sim.with_instance(&instance, |i| i.state = "open");
            webhooks::deliver_later(
                &sim,
                &instance,
                webhooks::connection(&instance, "open", 200),
                Duration::ZERO,
            );
        });
    }
    Json(json!({"instance": instance, "state": state})).into_response()
}

/// Whether a send's body leaves the link preview on: Evolution turns it off only for
/// `linkPreview: false` (v2 top level, v1 `options`).
fn body_allows_preview(body: &Value) -> bool {
    let off = |v: Option<&Value>| v.and_then(Value::as_bool) == Some(false);
    !(off(body.get("linkPreview")) || off(body.pointer("/options/linkPreview")))
}
