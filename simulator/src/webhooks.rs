//! Webhook bodies in Evolution's shapes (v2 and v1) and their delivery with Evolution's retry
//! behaviour (a few attempts with backoff; 400/401/403/404/422 end it at once).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};

use crate::qr::Qr;
use crate::state::Sim;

/// Keeps a `messages.update` status as Evolution's database would, due after `delay`.
fn store_status(sim: &Sim, body: &Value, delay: Duration) {
    if body["event"] != "messages.update" {
        return;
    }
    let data = &body["data"];
    let (Some(id), Some(jid), Some(status)) = (
        data["keyId"].as_str().or_else(|| data["id"].as_str()),
        data["remoteJid"].as_str(),
        data["status"].as_str(),
    ) else {
        return;
    };
    sim.statuses
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(id.to_string())
        .or_default()
        .push(crate::state::StoredStatus {
            remote_jid: jid.to_string(),
            status: status.to_string(),
            at: std::time::Instant::now() + delay,
        });
}

/// The envelope Evolution wraps every event in.
pub fn envelope(event: &str, instance: &str, data: Value) -> Value {
    json!({
        "event": event,
        "instance": instance,
        "data": data,
        "destination": "",
        "date_time": "2025-10-21T10:23:14.512Z",
        "sender": "5511912345678@s.whatsapp.net",
        "server_url": "http://evolution-sim",
        "apikey": null
    })
}

/// A `messages.update` receipt for our message `id`.
pub fn receipt(v1: bool, instance: &str, id: &str, number: &str, status: &str) -> Value {
    let jid = format!("{number}@s.whatsapp.net");
    let data = if v1 {
        json!({"remoteJid": jid, "fromMe": true, "id": id, "status": status, "datetime": 1719410000123u64, "owner": instance})
    } else {
        json!({"keyId": id, "remoteJid": jid, "fromMe": true, "status": status, "instanceId": "sim-instance"})
    };
    envelope("messages.update", instance, data)
}

/// `send.message`: the echo of an API send (`message` and `messageType` as sent).
pub fn send_message(
    instance: &str,
    id: &str,
    number: &str,
    message: &Value,
    message_type: &str,
) -> Value {
    envelope(
        "send.message",
        instance,
        json!({
            "key": {"remoteJid": format!("{number}@s.whatsapp.net"), "fromMe": true, "id": id},
            "pushName": "Você",
            "status": "PENDING",
            "message": message,
            "messageType": message_type,
            "messageTimestamp": 1761055392,
            "instanceId": "sim-instance",
            "source": "web"
        }),
    )
}

/// One person's vote on a poll.
pub struct Vote<'a> {
    /// The poll message's id.
    pub poll_id: &'a str,
    /// The vote message's own id (2.3.7+ upserts).
    pub vote_id: &'a str,
    /// Every option of the poll.
    pub options: &'a [String],
    /// The options chosen (none: the vote withdrawn).
    pub chosen: &'a [String],
    /// When the person voted (Unix milliseconds).
    pub at_ms: u64,
}

/// A vote on poll `poll_id` choosing `chosen` of `options`: 2.3.7+ (`upsert`) the voter's
/// decrypted `messages.upsert`, v1 / 2.2.x a `messages.update` of the poll's key with
/// `pollUpdates` naming each option's voters.
pub fn poll_vote(v1: bool, upsert: bool, instance: &str, number: &str, vote: &Vote<'_>) -> Value {
    let Vote {
        poll_id,
        vote_id,
        options,
        chosen,
        at_ms,
    } = *vote;
    let jid = format!("{number}@s.whatsapp.net");
    let updates: Vec<Value> = options
        .iter()
        .map(|o| {
            let voters = if chosen.contains(o) {
                json!([jid])
            } else {
                json!([])
            };
            json!({"name": o, "voters": voters})
        })
        .collect();
    if upsert {
        return envelope(
            "messages.upsert",
            instance,
            json!({
                "key": {"remoteJid": jid, "fromMe": false, "id": vote_id},
                "pushName": push_name(number),
                "message": {"pollUpdateMessage": {
                    "pollCreationMessageKey": {"remoteJid": jid, "fromMe": true, "id": poll_id},
                    "vote": {"encPayload": "c2lt", "encIv": "c2lt", "selectedOptions": chosen},
                    "senderTimestampMs": at_ms
                }},
                "messageType": "pollUpdateMessage",
                "messageTimestamp": at_ms / 1000,
                "pollUpdates": updates,
                "instanceId": "sim-instance",
                "source": "android"
            }),
        );
    }
    let data = if v1 {
        json!({"remoteJid": jid, "fromMe": true, "id": poll_id,
               "datetime": at_ms,
               "owner": instance, "pollUpdates": updates})
    } else {
        json!({"messageId": format!("db-{poll_id}"), "keyId": poll_id, "remoteJid": jid,
               "fromMe": true, "participant": jid, "pollUpdates": updates,
               "instanceId": "sim-instance"})
    };
    envelope("messages.update", instance, data)
}

/// How a contact's reply is shaped.
#[derive(Clone, Copy, Debug)]
pub enum ReplyShape {
    /// `message.conversation`.
    Plain,
    /// Quoting our message (`contextInfo.stanzaId`).
    Quoted,
    /// A button reply.
    Button,
}

/// `messages.upsert` from the contact.
pub fn reply(
    v1: bool,
    instance: &str,
    number: &str,
    reply_id: &str,
    quoted: &str,
    text: &str,
    shape: ReplyShape,
) -> Value {
    let key =
        json!({"remoteJid": format!("{number}@s.whatsapp.net"), "fromMe": false, "id": reply_id});
    let (message, context) = match shape {
        ReplyShape::Plain => (json!({"conversation": text}), Value::Null),
        ReplyShape::Quoted if v1 => (
            json!({"extendedTextMessage": {"text": text, "contextInfo": {"stanzaId": quoted}}}),
            json!({"stanzaId": quoted}),
        ),
        ReplyShape::Quoted => (json!({"conversation": text}), json!({"stanzaId": quoted})),
        ReplyShape::Button => (
            json!({"buttonsResponseMessage": {"selectedDisplayText": text, "selectedButtonId": "btn-1"}}),
            Value::Null,
        ),
    };
    let mut data = json!({
        "key": key,
        "pushName": push_name(number),
        "message": message,
        "messageType": "conversation",
        "messageTimestamp": 1761055400,
    });
    if !context.is_null() {
        data["contextInfo"] = context;
    }
    if v1 {
        data["owner"] = json!(instance);
    } else {
        data["instanceId"] = json!("sim-instance");
        data["status"] = json!("DELIVERY_ACK");
    }
    envelope("messages.upsert", instance, data)
}

/// The name a contact gave themselves on WhatsApp (repeatable per number).
pub fn push_name(number: &str) -> String {
    const NAMES: [&str; 12] = [
        "Ana Paula",
        "Bruno",
        "Carla Souza",
        "Dani",
        "Edu Lima",
        "Fê",
        "Gui",
        "Helena M.",
        "Igor",
        "Ju Santos",
        "Léo",
        "Mari",
    ];
    let n = number.bytes().fold(0usize, |acc, b| {
        acc.wrapping_mul(31).wrapping_add(usize::from(b))
    });
    NAMES[n % NAMES.len()].to_string()
}

/// `contacts.upsert` for a contact first seen (a single object, as Evolution sends from an
/// incoming message: v2 `remoteJid`, v1 `id`).
pub fn contact_upsert(v1: bool, instance: &str, number: &str) -> Value {
    let jid = format!("{number}@s.whatsapp.net");
    let data = if v1 {
        json!({"id": jid, "pushName": push_name(number), "profilePictureUrl": null, "owner": instance})
    } else {
        json!({"remoteJid": jid, "pushName": push_name(number), "profilePicUrl": null, "instanceId": "sim-instance"})
    };
    envelope("contacts.upsert", instance, data)
}

/// `presence.update`: the contact is online.
pub fn presence(instance: &str, number: &str) -> Value {
    let jid = format!("{number}@s.whatsapp.net");
    envelope(
        "presence.update",
        instance,
        json!({"id": jid, "presences": {jid.clone(): {"lastKnownPresence": "available"}}}),
    )
}

/// `messages.delete`: message `id` revoked for everyone; `from_me` for one of ours. v1 and
/// v2 before 2.3.7 send the bare key, 2.3.7+ the key with `status: "DELETED"`.
pub fn revoke(
    v1: bool,
    keyed_status: bool,
    instance: &str,
    number: &str,
    id: &str,
    from_me: bool,
) -> Value {
    let mut data =
        json!({"remoteJid": format!("{number}@s.whatsapp.net"), "fromMe": from_me, "id": id});
    if !v1 && keyed_status {
        data["status"] = json!("DELETED");
    }
    envelope("messages.delete", instance, data)
}

/// `connection.update`; an instance that opens names the number it is connected as in `wuid`,
/// as Evolution v2 does (`whatsapp.baileys.service.ts`, the `connection === 'open'` branch of
/// `connectionUpdate`: `wuid: this.instance.wuid`).
pub fn connection(instance: &str, state: &str, reason: u16) -> Value {
    let mut data = json!({"instance": instance, "state": state, "statusReason": reason});
    if state == "open" {
        data["wuid"] = json!(format!("{}@s.whatsapp.net", instance_number(instance)));
    }
    envelope("connection.update", instance, data)
}

/// The number an instance of the simulator is connected as: a São Paulo mobile made from its
/// name, the same at every start.
pub fn instance_number(instance: &str) -> String {
    // FNV-1a: stable across runs and platforms.
    let hash = instance.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("55119{:08}", hash % 100_000_000)
}

/// `qrcode.updated`: a new QR to scan (`{qrcode: {instance, pairingCode, code, base64}}`).
pub fn qrcode(instance: &str, qr: &Qr) -> Value {
    let mut body = envelope(
        "qrcode.updated",
        instance,
        json!({"qrcode": {
            "instance": instance,
            "pairingCode": qr.pairing_code,
            "code": qr.code,
            "base64": qr.base64,
        }}),
    );
    // Before the first pairing Evolution knows no sender.
    if let Some(map) = body.as_object_mut() {
        map.remove("sender");
    }
    body
}

/// Posts `body` to the instance's webhook after `delay`, retrying like Evolution.
pub fn deliver_later(sim: &Arc<Sim>, instance: &str, body: Value, delay: Duration) {
    store_status(sim, &body, delay);
    let (url, dropped) =
        sim.with_instance(instance, |i| (i.webhook_url.clone(), i.webhooks_dropped));
    if dropped {
        sim.dropped.fetch_add(1, Ordering::SeqCst);
        return;
    }
    let Some(url) = url else {
        return;
    };
    let sim = sim.clone();
    sim.pending.fetch_add(1, Ordering::SeqCst);
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        // Evolution retries for minutes; ten tries over about 25 s keep tests short.
        let mut backoff = Duration::from_millis(200);
        for _ in 0..10 {
            match sim
                .http
                .post(&url)
                .json(&body)
                .timeout(Duration::from_secs(30))
                .send()
                .await
            {
                Ok(r) if r.status().is_success() => {
                    sim.delivered.fetch_add(1, Ordering::SeqCst);
                    break;
                }
                Ok(r) if [400, 401, 403, 404, 422].contains(&r.status().as_u16()) => {
                    tracing::warn!(status = %r.status(), "webhook refused for good");
                    break;
                }
                _ => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                }
            }
        }
        sim.pending.fetch_sub(1, Ordering::SeqCst);
    });
}
