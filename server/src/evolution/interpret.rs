//! Turning an [`Envelope`]'s `data` into an [`Event`], per Evolution event name.
//!
//! This module owns the per-event shape rules (v1, v2, Cloud API and raw Baileys variants)
//! and the decision of what is ignored and why. It is pure: no I/O, no clock, no panics.

use serde_json::{Map, Value};

use super::envelope::{Envelope, ParseError, canonical_event_name};
use super::event::{
    ConnectionState, ConnectionUpdate, ContactSeen, Event, IncomingMessage, PollVote, Presence,
    ReceiptStatus, Revoke, SentMessage, StatusUpdate,
};
use super::json::{kind, lenient_bool, lenient_i64, non_blank_str};
use super::message_text::{message_text, quoted_message_id};
use super::pairing::read_qr;
use crate::domain::phone;

/// Interprets a parsed envelope.
///
/// * `messages.update` → [`Event::MessageStatus`] with the receipts for messages we sent
///   (`fromMe: true`); flat v2 (`keyId`) and v1 (`id`) data, raw Baileys
///   `{key, update}`, one object or an array. Edits and poll votes (a `message` or
///   `pollUpdates` field) are `Ignored("edit")`, contacts' receipts `Ignored("from_contact")`,
///   updates without a status `Ignored("no_status")`.
/// * `messages.upsert` → [`Event::MessageReceived`] for a contact's message; our own
///   (`fromMe: true`) → `Ignored("from_me")`, groups → `Ignored("group")`,
///   `status@broadcast` / broadcast lists / newsletters → `Ignored` likewise.
/// * A poll vote → [`Event::PollVoted`]: a `messages.update` object whose `pollUpdates` name
///   the options and their voters (v1.8, 2.2.x: the chat is the voter), or a contact's
///   `messages.upsert` of a `pollUpdateMessage` (2.3.7+: `vote.selectedOptions` decrypted to
///   the option texts). 2.3.0–2.3.6 report no votes at all.
/// * `send.message` → [`Event::MessageSent`].
/// * `connection.update` → [`Event::Connection`].
/// * `qrcode.updated` → [`Event::QrCode`]; the QR limit notice → `Ignored("qr_limit")`.
/// * `messages.delete` → [`Event::Revoked`]: a bare key, a key with `status: "DELETED"`, or
///   the stored message row `{id, key, …}` (whose `id` is Evolution's row id, so `key.id` wins).
/// * `presence.update` → [`Event::Presence`] with the participants online, typing or recording
///   (`unavailable` and `paused` are dropped).
/// * `contacts.upsert` / `contacts.update` → [`Event::ContactsSeen`]: one object or an array,
///   v2 `remoteJid` or v1 `id`.
/// * Any other event (`chats.upsert`, `chats.update`, …) → `Ignored("unsupported_event")`,
///   whatever its data.
///
/// # Errors
/// [`ParseError::InvalidData`] when a handled event's data lacks what it needs: not an
/// object (or array, for receipts), a missing message id, a missing `fromMe`, an unknown
/// status, a missing `key.remoteJid` or `state`. For an array of receipts, one bad entry
/// fails the whole event (the reason names its index).
pub fn interpret(envelope: &Envelope) -> Result<Event, ParseError> {
    let data = &envelope.data;
    let result = match canonical_event_name(&envelope.event).as_str() {
        "messages.update" => receipts(data),
        "messages.upsert" => incoming(data),
        "send.message" => sent(data),
        "connection.update" => connection(data),
        "qrcode.updated" => qrcode(data),
        "messages.delete" => revoke(data),
        "presence.update" => presence(data),
        "contacts.upsert" | "contacts.update" => contacts(data),
        _ => Ok(Event::Ignored {
            reason: "unsupported_event",
        }),
    };
    result.map_err(|reason| ParseError::InvalidData {
        event: envelope.event.clone(),
        reason,
    })
}

/// Outcome for one `messages.update` entry.
enum Receipt {
    Ours(StatusUpdate),
    Skip(&'static str),
}

/// `messages.update`: one object or an array of them.
fn receipts(data: &Value) -> Result<Event, String> {
    if let Some(vote) = data.as_object().and_then(update_vote) {
        return Ok(vote);
    }
    let outcomes = match data {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(index, item)| receipt(item).map_err(|e| format!("entry {index}: {e}")))
            .collect::<Result<Vec<_>, _>>()?,
        Value::Object(_) => vec![receipt(data)?],
        other => return Err(format!("data is {}, not an object or array", kind(other))),
    };
    let mut updates = Vec::with_capacity(outcomes.len());
    let mut first_skip = None;
    for outcome in outcomes {
        match outcome {
            Receipt::Ours(update) => updates.push(update),
            Receipt::Skip(reason) => {
                first_skip.get_or_insert(reason);
            }
        }
    }
    Ok(if updates.is_empty() {
        Event::Ignored {
            reason: first_skip.unwrap_or("empty"),
        }
    } else {
        Event::MessageStatus(updates)
    })
}

/// One receipt: flat v2 `{keyId, remoteJid, fromMe, status, ...}`, flat v1
/// `{id, remoteJid, fromMe, status, ...}`, or raw Baileys `{key:{id, remoteJid, fromMe},
/// update:{status}}`.
fn receipt(item: &Value) -> Result<Receipt, String> {
    let Some(flat) = item.as_object() else {
        return Err(format!("entry is {}, not an object", kind(item)));
    };
    let key = flat.get("key").and_then(Value::as_object);
    let update = flat.get("update").and_then(Value::as_object);

    let is_edit = [Some(flat), update]
        .into_iter()
        .flatten()
        .any(|obj| carries(obj, "message") || carries(obj, "pollUpdates"));
    if is_edit {
        return Ok(Receipt::Skip("edit"));
    }

    match lenient_bool(flat.get("fromMe").or_else(|| key?.get("fromMe"))) {
        Some(true) => {}
        Some(false) => return Ok(Receipt::Skip("from_contact")),
        None => return Err("missing or non-boolean fromMe".to_owned()),
    }

    // `keyId` is v2's WhatsApp id; a flat `id` is v1's. (v2's `messageId` is Evolution's
    // own database row id: never the join key.)
    let message_id = str_field(flat, "keyId")
        .or_else(|| key.and_then(|k| str_field(k, "id")))
        .or_else(|| str_field(flat, "id"))
        .ok_or("missing message id (keyId, key.id or id)")?;
    let remote_jid =
        str_field(flat, "remoteJid").or_else(|| key.and_then(|k| str_field(k, "remoteJid")));

    let raw_status = update
        .and_then(|u| u.get("status"))
        .or_else(|| flat.get("status"))
        .filter(|s| !s.is_null());
    let Some(raw_status) = raw_status else {
        return Ok(Receipt::Skip("no_status"));
    };
    let status = ReceiptStatus::from_json(raw_status)
        .ok_or_else(|| format!("unknown status {raw_status}"))?;

    Ok(Receipt::Ours(StatusUpdate {
        message_id: message_id.to_owned(),
        remote_jid: remote_jid.map(str::to_owned),
        status,
    }))
}

/// The option texts of a `pollUpdates` array whose voters are not empty.
fn chosen_in(poll_updates: &[Value]) -> Vec<String> {
    poll_updates
        .iter()
        .filter(|u| u["voters"].as_array().is_some_and(|v| !v.is_empty()))
        .filter_map(|u| u["name"].as_str().map(str::to_owned))
        .collect()
}

/// A v1.8 / 2.2.x vote: `messages.update` `{keyId | id: <poll id>, remoteJid: <the chat, the
/// voter>, fromMe: true, pollUpdates: [{name, voters}]}`.
fn update_vote(flat: &Map<String, Value>) -> Option<Event> {
    let updates = flat
        .get("pollUpdates")?
        .as_array()
        .filter(|u| !u.is_empty())?;
    let poll_message_id = str_field(flat, "keyId").or_else(|| str_field(flat, "id"))?;
    let chat = str_field(flat, "remoteJid")?;
    if non_contact_chat(chat).is_some() {
        return Some(Event::Ignored { reason: "group" });
    }
    Some(Event::PollVoted(PollVote {
        poll_message_id: poll_message_id.to_owned(),
        phone: phone::from_jid(chat),
        lid: phone::lid_of(chat),
        options: chosen_in(updates),
        at_ms: lenient_i64(flat.get("datetime")),
    }))
}

/// A 2.3.7+ vote: the contact's `messages.upsert` of a `pollUpdateMessage`, its options
/// decrypted into `vote.selectedOptions` (and `pollUpdates` beside the message).
fn upsert_vote(data: &Value, key: &Map<String, Value>) -> Option<PollVote> {
    let update = data.get("message")?.get("pollUpdateMessage")?;
    let poll_message_id = update["pollCreationMessageKey"]["id"].as_str()?;
    let options = match update["vote"]["selectedOptions"].as_array() {
        Some(names) if names.iter().all(Value::is_string) => names
            .iter()
            .filter_map(|n| n.as_str().map(str::to_owned))
            .collect(),
        _ => data["pollUpdates"]
            .as_array()
            .map(|u| chosen_in(u))
            .unwrap_or_default(),
    };
    let jids = [
        "remoteJid",
        "remoteJidAlt",
        "senderPn",
        "participantAlt",
        "senderLid",
    ];
    Some(PollVote {
        poll_message_id: poll_message_id.to_owned(),
        phone: jids
            .iter()
            .filter_map(|f| str_field(key, f))
            .find_map(phone::from_jid),
        lid: jids
            .iter()
            .filter_map(|f| str_field(key, f))
            .find_map(phone::lid_of),
        options,
        at_ms: lenient_i64(update.get("senderTimestampMs"))
            .or_else(|| lenient_i64(data.get("messageTimestamp")).map(|secs| secs * 1000)),
    })
}

/// Whether `obj` has a non-null, non-empty `field`.
fn carries(obj: &Map<String, Value>, field: &str) -> bool {
    match obj.get(field) {
        None | Some(Value::Null) => false,
        Some(Value::Array(items)) => !items.is_empty(),
        Some(Value::Object(map)) => !map.is_empty(),
        Some(_) => true,
    }
}

/// A non-blank string field of an object.
fn str_field<'a>(obj: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    obj.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

/// `messages.upsert`: one message `{key, pushName, message, contextInfo?, messageTimestamp}`.
fn incoming(data: &Value) -> Result<Event, String> {
    if !data.is_object() {
        return Err(format!("data is {}, not a message object", kind(data)));
    }
    let key = data
        .get("key")
        .and_then(Value::as_object)
        .ok_or("missing key object")?;
    match lenient_bool(key.get("fromMe")) {
        Some(false) => {}
        Some(true) => return Ok(Event::Ignored { reason: "from_me" }),
        None => return Err("missing or non-boolean key.fromMe".to_owned()),
    }
    let remote_jid = str_field(key, "remoteJid").ok_or("missing key.remoteJid")?;
    if let Some(reason) = non_contact_chat(remote_jid) {
        return Ok(Event::Ignored { reason });
    }

    if let Some(vote) = upsert_vote(data, key) {
        return Ok(Event::PollVoted(vote));
    }
    let phone = ["remoteJid", "remoteJidAlt", "senderPn", "participantAlt"]
        .iter()
        .filter_map(|field| str_field(key, field))
        .find_map(phone::from_jid);
    let lid = ["remoteJid", "remoteJidAlt", "senderLid", "participant"]
        .iter()
        .filter_map(|field| str_field(key, field))
        .find_map(phone::lid_of);

    Ok(Event::MessageReceived(IncomingMessage {
        message_id: str_field(key, "id").map(str::to_owned),
        remote_jid: remote_jid.to_owned(),
        phone,
        push_name: non_blank_str(data, &["pushName"]).map(str::to_owned),
        text: data.get("message").and_then(message_text),
        quoted_message_id: quoted_message_id(data),
        timestamp: lenient_i64(data.get("messageTimestamp")),
        lid,
    }))
}

/// `messages.delete`: the revoked message's key, bare (v1, v2.3.6), with `status: "DELETED"`
/// (v2.3.7+), or inside the stored message row (v2's own delete endpoint).
fn revoke(data: &Value) -> Result<Event, String> {
    let obj = data
        .as_object()
        .ok_or_else(|| format!("data is {}, not an object", kind(data)))?;
    let key = obj.get("key").and_then(Value::as_object).unwrap_or(obj);
    let message_id = str_field(key, "id").ok_or("missing message id (key.id or id)")?;
    if let Some(remote_jid) = str_field(key, "remoteJid")
        && let Some(reason) = non_contact_chat(remote_jid)
    {
        return Ok(Event::Ignored { reason });
    }
    Ok(Event::Revoked(Revoke {
        message_id: message_id.to_owned(),
        from_me: lenient_bool(key.get("fromMe")),
    }))
}

/// `presence.update`: `{id: <chat jid>, presences: {<jid>: {lastKnownPresence, lastSeen?}}}`.
fn presence(data: &Value) -> Result<Event, String> {
    let chat = non_blank_str(data, &["id"]).ok_or("missing id (the chat jid)")?;
    if let Some(reason) = non_contact_chat(chat) {
        return Ok(Event::Ignored { reason });
    }
    let presences = data
        .get("presences")
        .and_then(Value::as_object)
        .ok_or("missing presences object")?;
    let seen: Vec<Presence> = presences
        .iter()
        .filter(|(_, p)| {
            let state = p.get("lastKnownPresence").and_then(Value::as_str);
            matches!(state, Some("available" | "composing" | "recording"))
        })
        .filter_map(|(jid, _)| {
            let (phone, lid) = (phone::from_jid(jid), phone::lid_of(jid));
            (phone.is_some() || lid.is_some()).then_some(Presence { phone, lid })
        })
        .collect();
    Ok(if seen.is_empty() {
        Event::Ignored { reason: "offline" }
    } else {
        Event::Presence(seen)
    })
}

/// `contacts.upsert` / `contacts.update`: `{remoteJid | id, pushName, …}` or an array of them.
fn contacts(data: &Value) -> Result<Event, String> {
    let items: Vec<&Value> = match data {
        Value::Array(items) => items.iter().collect(),
        Value::Object(_) => vec![data],
        other => return Err(format!("data is {}, not an object or array", kind(other))),
    };
    let seen: Vec<ContactSeen> = items
        .into_iter()
        .filter_map(|item| {
            let jid =
                non_blank_str(item, &["remoteJid"]).or_else(|| non_blank_str(item, &["id"]))?;
            let (phone, lid) = (phone::from_jid(jid), phone::lid_of(jid));
            // A push name that is just the number says nothing.
            let push_name = non_blank_str(item, &["pushName"])
                .map(str::trim)
                .filter(|n| !n.bytes().all(|b| b.is_ascii_digit() || b == b'+'))
                .map(str::to_owned);
            (phone.is_some() || lid.is_some()).then_some(ContactSeen {
                phone,
                lid,
                push_name,
            })
        })
        .collect();
    Ok(if seen.is_empty() {
        Event::Ignored { reason: "empty" }
    } else {
        Event::ContactsSeen(seen)
    })
}

/// Why a chat jid is not a one-to-one chat with a contact, if it is not.
fn non_contact_chat(remote_jid: &str) -> Option<&'static str> {
    let jid = remote_jid.trim().to_ascii_lowercase();
    let server = jid.rsplit_once('@').map_or("", |(_, server)| server);
    if server == "g.us" {
        Some("group")
    } else if jid == "status@broadcast" {
        Some("status_broadcast")
    } else if server == "broadcast" {
        Some("broadcast")
    } else if server == "newsletter" {
        Some("newsletter")
    } else {
        None
    }
}

/// `send.message`: the sendText response object `{key:{id, remoteJid, fromMe}, ...}`.
fn sent(data: &Value) -> Result<Event, String> {
    if !data.is_object() {
        return Err(format!("data is {}, not a message object", kind(data)));
    }
    let key = data.get("key").and_then(Value::as_object);
    let message_id = key
        .and_then(|k| str_field(k, "id"))
        .ok_or("missing key.id")?;
    let phone = key.and_then(|k| {
        ["remoteJid", "remoteJidAlt"]
            .iter()
            .filter_map(|field| str_field(k, field))
            .find_map(phone::from_jid)
    });
    Ok(Event::MessageSent(SentMessage {
        message_id: message_id.to_owned(),
        phone,
    }))
}

/// `connection.update`: `{instance, state, statusReason, wuid?, ...}`.
fn connection(data: &Value) -> Result<Event, String> {
    if !data.is_object() {
        return Err(format!("data is {}, not an object", kind(data)));
    }
    let state = non_blank_str(data, &["state"]).ok_or("missing state")?;
    Ok(Event::Connection(ConnectionUpdate {
        state: ConnectionState::from_word(state),
        status_reason: lenient_i64(data.get("statusReason")),
        phone: data
            .as_object()
            .and_then(|o| str_field(o, "wuid"))
            .and_then(phone::from_jid),
    }))
}

/// `qrcode.updated`: `{qrcode: {instance, pairingCode, code, base64}}`, or on the QR limit
/// `{message, statusCode}`.
fn qrcode(data: &Value) -> Result<Event, String> {
    match data.get("qrcode") {
        Some(qr) => read_qr(qr)
            .map(Event::QrCode)
            .ok_or_else(|| "qrcode.base64 is not a PNG data URL".to_string()),
        None if data.get("statusCode").is_some() => Ok(Event::Ignored { reason: "qr_limit" }),
        None => Err(format!("data is {} without qrcode", kind(data))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn envelope(event: &str, data: Value) -> Envelope {
        Envelope {
            event: event.to_owned(),
            instance: Some("campanha-loja-01".into()),
            data,
            apikey: None,
            sender: None,
            date_time: None,
            destination: None,
            server_url: None,
        }
    }

    fn run(event: &str, data: Value) -> Result<Event, ParseError> {
        interpret(&envelope(event, data))
    }

    fn one(id: &str, jid: Option<&str>, status: ReceiptStatus) -> StatusUpdate {
        StatusUpdate {
            message_id: id.into(),
            remote_jid: jid.map(str::to_owned),
            status,
        }
    }

    fn invalid_reason(result: Result<Event, ParseError>) -> String {
        match result {
            Err(ParseError::InvalidData { reason, .. }) => reason,
            other => panic!("expected InvalidData, got {other:?}"),
        }
    }

    const JID: &str = "5511987654321@s.whatsapp.net";

    #[test]
    fn numeric_status_uses_baileys_codes() {
        let expected = [
            (0, ReceiptStatus::Failed),
            (1, ReceiptStatus::Pending),
            (2, ReceiptStatus::Sent),
            (3, ReceiptStatus::Delivered),
            (4, ReceiptStatus::Read),
            (5, ReceiptStatus::Played),
        ];
        for (code, status) in expected {
            let got = run(
                "messages.update",
                json!({"keyId": "ABC", "remoteJid": JID, "fromMe": true, "status": code}),
            );
            assert_eq!(
                got,
                Ok(Event::MessageStatus(vec![one("ABC", Some(JID), status)]))
            );
        }
        let reason = invalid_reason(run(
            "messages.update",
            json!({"keyId": "ABC", "fromMe": true, "status": 9}),
        ));
        assert_eq!(reason, "unknown status 9");
    }

    #[test]
    fn raw_baileys_key_update_shape() {
        let got = run(
            "messages.update",
            json!({"key": {"remoteJid": JID, "fromMe": true, "id": "3EB0AA"}, "update": {"status": 3}}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![one(
                "3EB0AA",
                Some(JID),
                ReceiptStatus::Delivered
            )]))
        );
        // The same shape with a string status, and as an array (issue #2192's log).
        let got = run(
            "messages.update",
            json!([{"key": {"remoteJid": JID, "fromMe": true, "id": "A"}, "update": {"status": "READ"}},
                   {"key": {"remoteJid": JID, "fromMe": true, "id": "B"}, "update": {"status": 2}}]),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![
                one("A", Some(JID), ReceiptStatus::Read),
                one("B", Some(JID), ReceiptStatus::Sent),
            ]))
        );
        // Raw Baileys edit: update.message.
        let got = run(
            "messages.update",
            json!({"key": {"remoteJid": JID, "fromMe": true, "id": "A"}, "update": {"message": {"conversation": "x"}}}),
        );
        assert_eq!(got, Ok(Event::Ignored { reason: "edit" }));
        // Raw Baileys revoke: message null and no status.
        let got = run(
            "messages.update",
            json!({"key": {"remoteJid": JID, "fromMe": true, "id": "A"}, "update": {"message": null, "messageStubType": 1}}),
        );
        assert_eq!(
            got,
            Ok(Event::Ignored {
                reason: "no_status"
            })
        );
        // Contact's message in the raw shape.
        let got = run(
            "messages.update",
            json!({"key": {"remoteJid": JID, "fromMe": false, "id": "A"}, "update": {"status": 4}}),
        );
        assert_eq!(
            got,
            Ok(Event::Ignored {
                reason: "from_contact"
            })
        );
    }

    #[test]
    fn array_data_keeps_our_receipts_and_skips_the_rest() {
        let got = run(
            "messages.update",
            json!([
                {"keyId": "A", "remoteJid": JID, "fromMe": true, "status": "DELIVERY_ACK"},
                {"keyId": "B", "remoteJid": JID, "fromMe": false, "status": "READ"},
                {"id": "C", "remoteJid": JID, "fromMe": true, "status": "READ"},
                {"keyId": "D", "remoteJid": JID, "fromMe": true, "status": "SERVER_ACK", "pollUpdates": [{"vote": 1}]}
            ]),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![
                one("A", Some(JID), ReceiptStatus::Delivered),
                one("C", Some(JID), ReceiptStatus::Read),
            ]))
        );
        let only_contacts = run(
            "messages.update",
            json!([{"keyId": "B", "fromMe": false, "status": "READ"}]),
        );
        assert_eq!(
            only_contacts,
            Ok(Event::Ignored {
                reason: "from_contact"
            })
        );
        assert_eq!(
            run("messages.update", json!([])),
            Ok(Event::Ignored { reason: "empty" })
        );
        let reason = invalid_reason(run(
            "messages.update",
            json!([{"keyId": "A", "fromMe": true, "status": "READ"}, {"fromMe": true, "status": "READ"}]),
        ));
        assert!(
            reason.starts_with("entry 1: missing message id"),
            "{reason}"
        );
        let reason = invalid_reason(run("messages.update", json!(["READ"])));
        assert_eq!(reason, "entry 0: entry is a string, not an object");
    }

    #[test]
    fn cloud_api_words() {
        for (word, status) in [
            ("SENT", ReceiptStatus::Sent),
            ("DELIVERED", ReceiptStatus::Delivered),
            ("READ", ReceiptStatus::Read),
            ("FAILED", ReceiptStatus::Failed),
            ("sent", ReceiptStatus::Sent),
        ] {
            let got = run(
                "messages.update",
                json!({"keyId": "wamid.HBgM", "remoteJid": JID, "fromMe": true, "status": word}),
            );
            assert_eq!(
                got,
                Ok(Event::MessageStatus(vec![one(
                    "wamid.HBgM",
                    Some(JID),
                    status
                )]))
            );
        }
    }

    #[test]
    fn pending_deleted_and_played() {
        for (word, status) in [
            ("PENDING", ReceiptStatus::Pending),
            ("DELETED", ReceiptStatus::Deleted),
            ("PLAYED", ReceiptStatus::Played),
        ] {
            let got = run(
                "messages.update",
                json!({"keyId": "X", "fromMe": true, "status": word}),
            );
            assert_eq!(got, Ok(Event::MessageStatus(vec![one("X", None, status)])));
        }
    }

    #[test]
    fn receipt_errors() {
        let event_name = |r: Result<Event, ParseError>| match r {
            Err(ParseError::InvalidData { event, .. }) => event,
            other => panic!("expected InvalidData, got {other:?}"),
        };
        assert_eq!(
            event_name(run(
                "messages.update",
                json!({"fromMe": true, "status": "READ"})
            )),
            "messages.update"
        );
        let cases = [
            (
                json!({"remoteJid": JID, "fromMe": true, "status": "READ"}),
                "missing message id",
            ),
            (
                json!({"keyId": "", "fromMe": true, "status": "READ"}),
                "missing message id",
            ),
            (
                json!({"keyId": 12, "fromMe": true, "status": "READ"}),
                "missing message id",
            ),
            (
                json!({"keyId": "A", "fromMe": true, "status": "SEEN"}),
                "unknown status \"SEEN\"",
            ),
            (
                json!({"keyId": "A", "fromMe": true, "status": true}),
                "unknown status true",
            ),
            (
                json!({"keyId": "A", "status": "READ"}),
                "missing or non-boolean fromMe",
            ),
            (
                json!({"keyId": "A", "fromMe": "yes", "status": "READ"}),
                "missing or non-boolean fromMe",
            ),
            (json!("READ"), "data is a string, not an object or array"),
            (json!(null), "data is null, not an object or array"),
        ];
        for (data, expected) in cases {
            let reason = invalid_reason(run("messages.update", data.clone()));
            assert!(reason.starts_with(expected), "{data}: {reason}");
        }
        // A contact's receipt needs no id: it is skipped before the id is read.
        assert_eq!(
            run(
                "messages.update",
                json!({"fromMe": false, "status": "READ"})
            ),
            Ok(Event::Ignored {
                reason: "from_contact"
            })
        );
    }

    #[test]
    fn receipt_without_status_is_skipped() {
        // 2.2.x sends edits without a status key and without `message`.
        for data in [
            json!({"keyId": "A", "remoteJid": JID, "fromMe": true}),
            json!({"keyId": "A", "remoteJid": JID, "fromMe": true, "status": null}),
        ] {
            assert_eq!(
                run("messages.update", data),
                Ok(Event::Ignored {
                    reason: "no_status"
                })
            );
        }
        // Empty pollUpdates / null message are not edits.
        let got = run(
            "messages.update",
            json!({"keyId": "A", "fromMe": true, "status": "READ", "pollUpdates": [], "message": null}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![one(
                "A",
                None,
                ReceiptStatus::Read
            )]))
        );
    }

    #[test]
    fn key_id_wins_over_database_ids() {
        // v2: messageId is Evolution's DB row; a stored-row shape has a DB `id` and `key.id`.
        let got = run(
            "messages.update",
            json!({"keyId": "WA1", "messageId": "cmh0x", "id": "db", "fromMe": true, "status": "READ"}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![one(
                "WA1",
                None,
                ReceiptStatus::Read
            )]))
        );
        let got = run(
            "messages.update",
            json!({"id": "cmh0db", "key": {"id": "WA2", "fromMe": true, "remoteJid": JID}, "status": "DELIVERY_ACK"}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![one(
                "WA2",
                Some(JID),
                ReceiptStatus::Delivered
            )]))
        );
    }

    fn upsert(key: Value, message: Value) -> Value {
        json!({"key": key, "pushName": "Maria", "message": message, "messageTimestamp": "1761055520"})
    }

    #[test]
    fn poll_votes_in_every_version_that_reports_them() {
        // v1.8: the poll's key spread flat, the chat is the voter.
        let v1 = run(
            "messages.update",
            json!({"remoteJid": JID, "fromMe": true, "id": "POLL1", "datetime": 1719410000123u64,
                   "owner": "loja", "pollUpdates": [{"name": "Manhã", "voters": [JID]},
                                                     {"name": "Tarde", "voters": []}]}),
        );
        let Ok(Event::PollVoted(vote)) = v1 else {
            panic!("not a vote: {v1:?}")
        };
        assert_eq!(vote.poll_message_id, "POLL1");
        assert_eq!(vote.options, ["Manhã"]);
        assert_eq!(vote.phone.as_deref(), Some("5511987654321"));
        assert_eq!(vote.at_ms, Some(1719410000123));
        // 2.2.x: keyId.
        let v22 = run(
            "messages.update",
            json!({"messageId": "db1", "keyId": "POLL2", "remoteJid": JID, "fromMe": true,
                   "participant": JID, "instanceId": "i",
                   "pollUpdates": [{"name": "Sim", "voters": []}, {"name": "Não", "voters": []}]}),
        );
        let Ok(Event::PollVoted(vote)) = v22 else {
            panic!("not a vote: {v22:?}")
        };
        assert!(vote.options.is_empty(), "a withdrawn vote chooses nothing");
        // 2.3.7+: the contact's upsert with the decrypted options.
        let v237 = run(
            "messages.upsert",
            json!({"key": {"remoteJid": JID, "fromMe": false, "id": "VOTE"},
                   "messageType": "pollUpdateMessage", "messageTimestamp": 1761055392,
                   "message": {"pollUpdateMessage": {
                       "pollCreationMessageKey": {"remoteJid": JID, "fromMe": true, "id": "POLL3"},
                       "vote": {"selectedOptions": ["Quero o catálogo"], "encPayload": "x", "encIv": "y"}}},
                   "pollUpdates": [{"name": "Quero o catálogo", "voters": [JID]}]}),
        );
        let Ok(Event::PollVoted(vote)) = v237 else {
            panic!("not a vote: {v237:?}")
        };
        assert_eq!(vote.poll_message_id, "POLL3");
        assert_eq!(vote.options, ["Quero o catálogo"]);
        assert_eq!(vote.at_ms, Some(1761055392000));
    }

    #[test]
    fn upsert_filters() {
        let cases = [
            (
                json!({"remoteJid": JID, "fromMe": true, "id": "A"}),
                "from_me",
            ),
            (
                json!({"remoteJid": "120363041234567890@g.us", "fromMe": false, "id": "A"}),
                "group",
            ),
            (
                json!({"remoteJid": "status@broadcast", "fromMe": false, "id": "A", "participant": JID}),
                "status_broadcast",
            ),
            (
                json!({"remoteJid": "1719410000@broadcast", "fromMe": false, "id": "A"}),
                "broadcast",
            ),
            (
                json!({"remoteJid": "120363123456789012@newsletter", "fromMe": false, "id": "A"}),
                "newsletter",
            ),
        ];
        for (key, reason) in cases {
            let got = run(
                "messages.upsert",
                upsert(key.clone(), json!({"conversation": "Sair"})),
            );
            assert_eq!(got, Ok(Event::Ignored { reason }), "{key}");
        }
    }

    #[test]
    fn upsert_phone_sources() {
        let cases = [
            (
                json!({"remoteJid": JID, "fromMe": false}),
                Some("5511987654321"),
            ),
            (
                json!({"remoteJid": "5511987654321:7@s.whatsapp.net", "fromMe": false}),
                Some("5511987654321"),
            ),
            (
                json!({"remoteJid": "1@lid", "remoteJidAlt": "5521998877665@s.whatsapp.net", "fromMe": false}),
                Some("5521998877665"),
            ),
            (
                json!({"remoteJid": "1@lid", "senderPn": "5531988887777@s.whatsapp.net", "fromMe": false}),
                Some("5531988887777"),
            ),
            (
                json!({"remoteJid": "1@lid", "participantAlt": "5541977776666@s.whatsapp.net", "fromMe": false}),
                Some("5541977776666"),
            ),
            (
                json!({"remoteJid": "1@lid", "remoteJidAlt": "2@lid", "fromMe": false}),
                None,
            ),
            (json!({"remoteJid": "1@lid", "fromMe": "false"}), None),
        ];
        for (key, phone) in cases {
            let Ok(Event::MessageReceived(message)) = run(
                "messages.upsert",
                upsert(key.clone(), json!({"conversation": "oi"})),
            ) else {
                panic!("expected MessageReceived for {key}");
            };
            assert_eq!(message.phone.as_deref(), phone, "{key}");
            assert_eq!(message.message_id, None);
            assert_eq!(message.timestamp, Some(1761055520));
        }
    }

    #[test]
    fn upsert_without_text_or_name_still_counts() {
        let got = run(
            "messages.upsert",
            json!({"key": {"remoteJid": JID, "fromMe": false, "id": "S1"},
                   "pushName": "", "message": {"stickerMessage": {"url": "x"}}}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageReceived(IncomingMessage {
                message_id: Some("S1".into()),
                remote_jid: JID.into(),
                phone: Some("5511987654321".into()),
                push_name: None,
                text: None,
                quoted_message_id: None,
                timestamp: None,
                lid: None,
            }))
        );
    }

    #[test]
    fn upsert_wrapped_v1_reply_with_long_timestamp() {
        let got = run(
            "messages.upsert",
            json!({
                "key": {"remoteJid": JID, "fromMe": false, "id": "R1"},
                "message": {"ephemeralMessage": {"message": {"extendedTextMessage": {
                    "text": "STOP", "contextInfo": {"stanzaId": "3EB0CAMPAIGN"}}}}},
                "messageTimestamp": {"low": 1719410200, "high": 0, "unsigned": true}
            }),
        );
        let Ok(Event::MessageReceived(message)) = got else {
            panic!("expected MessageReceived, got {got:?}");
        };
        assert_eq!(message.text.as_deref(), Some("STOP"));
        assert_eq!(message.quoted_message_id.as_deref(), Some("3EB0CAMPAIGN"));
        assert_eq!(message.timestamp, Some(1719410200));
    }

    #[test]
    fn upsert_errors() {
        let cases = [
            (
                json!([{"key": {"remoteJid": JID, "fromMe": false}}]),
                "data is an array",
            ),
            (
                json!({"message": {"conversation": "x"}}),
                "missing key object",
            ),
            (
                json!({"key": {"fromMe": false, "id": "A"}}),
                "missing key.remoteJid",
            ),
            (
                json!({"key": {"remoteJid": JID, "id": "A"}}),
                "missing or non-boolean key.fromMe",
            ),
        ];
        for (data, expected) in cases {
            let reason = invalid_reason(run("messages.upsert", data.clone()));
            assert!(reason.starts_with(expected), "{data}: {reason}");
        }
    }

    #[test]
    fn send_message_shapes() {
        let got = run(
            "send.message",
            json!({"key": {"remoteJid": "120363041234567890@g.us", "fromMe": true, "id": "G1"}, "status": "PENDING"}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageSent(SentMessage {
                message_id: "G1".into(),
                phone: None
            }))
        );
        for data in [
            json!({"status": "PENDING"}),
            json!({"key": {"id": ""}}),
            json!([]),
        ] {
            let reason = invalid_reason(run("send.message", data.clone()));
            assert!(!reason.is_empty(), "{data}");
        }
    }

    #[test]
    fn connection_shapes() {
        let got = run(
            "connection.update",
            json!({"state": "refused", "statusReason": "428"}),
        );
        assert_eq!(
            got,
            Ok(Event::Connection(ConnectionUpdate {
                state: ConnectionState::Refused,
                status_reason: Some(428),
                phone: None,
            }))
        );
        let got = run(
            "connection.update",
            json!({"instance": "x", "state": "connecting"}),
        );
        assert_eq!(
            got,
            Ok(Event::Connection(ConnectionUpdate {
                state: ConnectionState::Connecting,
                status_reason: None,
                phone: None,
            }))
        );
        let got = run(
            "connection.update",
            json!({"state": "syncing", "statusReason": 200}),
        );
        assert_eq!(
            got,
            Ok(Event::Connection(ConnectionUpdate {
                state: ConnectionState::Other("syncing".into()),
                status_reason: Some(200),
                phone: None,
            }))
        );
        let got = run(
            "connection.update",
            json!({"instance": "x", "state": "open", "statusReason": 200,
                   "wuid": "5511912345678@s.whatsapp.net"}),
        );
        assert_eq!(
            got,
            Ok(Event::Connection(ConnectionUpdate {
                state: ConnectionState::Open,
                status_reason: Some(200),
                phone: Some("5511912345678".into()),
            }))
        );
        assert_eq!(
            invalid_reason(run("connection.update", json!({"statusReason": 401}))),
            "missing state"
        );
        assert_eq!(
            invalid_reason(run("connection.update", json!("open"))),
            "data is a string, not an object"
        );
    }

    #[test]
    fn unsupported_events_are_ignored_whatever_the_data() {
        let datas = [
            json!(null),
            json!([]),
            json!({}),
            json!("x"),
            json!(3),
            json!([{"id": 1}]),
        ];
        for event in [
            "chats.upsert",
            "chats.update",
            "messages.edited",
            "messages.set",
            "send.message.update",
            "group-participants.update",
            "logout.instance",
            "something.new",
        ] {
            for data in &datas {
                assert_eq!(
                    run(event, data.clone()),
                    Ok(Event::Ignored {
                        reason: "unsupported_event"
                    }),
                    "{event} {data}"
                );
            }
        }
    }

    #[test]
    fn revoke_shapes_by_version() {
        let ours = |id: &str, from_me| {
            Ok(Event::Revoked(Revoke {
                message_id: id.into(),
                from_me,
            }))
        };
        // v1 and v2.3.6: the bare key.
        let bare = json!({"remoteJid": JID, "fromMe": true, "id": "R1"});
        assert_eq!(run("messages.delete", bare), ours("R1", Some(true)));
        // v2.3.7+: the key with status DELETED; a contact's own revoke.
        let v237 = json!({"remoteJid": "128441234567890@lid", "fromMe": false, "id": "R2", "status": "DELETED"});
        assert_eq!(run("MESSAGES_DELETE", v237), ours("R2", Some(false)));
        // v2's delete endpoint: the stored row, whose `id` is Evolution's own row id.
        let row = json!({"id": "cmh0x7k2p", "instanceId": "i", "key": {"remoteJid": JID, "fromMe": true, "id": "R3"}, "status": "DELETED", "messageType": "conversation"});
        assert_eq!(run("messages.delete", row), ours("R3", Some(true)));
        let group = json!({"remoteJid": "120363041234567890@g.us", "fromMe": false, "id": "G"});
        assert_eq!(
            run("messages.delete", group),
            Ok(Event::Ignored { reason: "group" })
        );
        for bad in [json!([]), json!({"remoteJid": JID}), json!("x")] {
            assert!(run("messages.delete", bad).is_err());
        }
    }

    #[test]
    fn presence_keeps_active_participants() {
        let data = json!({"id": JID, "presences": {
            JID: {"lastKnownPresence": "available"},
            "128441234567890@lid": {"lastKnownPresence": "composing"},
            "5521998877665@s.whatsapp.net": {"lastKnownPresence": "unavailable", "lastSeen": 1761055611}
        }});
        let Ok(Event::Presence(mut seen)) = run("presence.update", data) else {
            panic!("presence expected");
        };
        seen.sort_by(|a, b| a.phone.cmp(&b.phone));
        assert_eq!(
            seen,
            vec![
                Presence {
                    phone: None,
                    lid: Some("128441234567890".into())
                },
                Presence {
                    phone: Some("5511987654321".into()),
                    lid: None
                },
            ]
        );
        let offline = json!({"id": JID, "presences": {JID: {"lastKnownPresence": "paused"}}});
        assert_eq!(
            run("presence.update", offline),
            Ok(Event::Ignored { reason: "offline" })
        );
        assert!(run("presence.update", json!({"id": JID})).is_err());
    }

    #[test]
    fn contacts_object_or_array_v1_or_v2() {
        let v2 = json!([
            {"remoteJid": JID, "pushName": "Maria Silva", "profilePicUrl": null},
            {"remoteJid": "5521998877665@s.whatsapp.net", "pushName": "5521998877665"}
        ]);
        assert_eq!(
            run("contacts.upsert", v2),
            Ok(Event::ContactsSeen(vec![
                ContactSeen {
                    phone: Some("5511987654321".into()),
                    lid: None,
                    push_name: Some("Maria Silva".into())
                },
                ContactSeen {
                    phone: Some("5521998877665".into()),
                    lid: None,
                    push_name: None
                },
            ]))
        );
        let v1 = json!({"id": "128441234567890@lid", "pushName": " Carlos ", "owner": "x"});
        assert_eq!(
            run("contacts.update", v1),
            Ok(Event::ContactsSeen(vec![ContactSeen {
                phone: None,
                lid: Some("128441234567890".into()),
                push_name: Some("Carlos".into())
            }]))
        );
        assert_eq!(
            run(
                "contacts.upsert",
                json!([{"remoteJid": "120363041234567890@g.us"}])
            ),
            Ok(Event::Ignored { reason: "empty" })
        );
        assert!(run("contacts.upsert", json!("x")).is_err());
    }

    #[test]
    fn qrcode_shapes() {
        use crate::evolution::QrCode;
        let png = "data:image/png;base64,iVBORw0KGgo=";
        assert_eq!(
            run(
                "qrcode.updated",
                json!({"qrcode": {"instance": "x", "pairingCode": "ABCD1234", "code": "2@q", "base64": png}})
            ),
            Ok(Event::QrCode(QrCode {
                base64: png.into(),
                pairing_code: Some("ABCD1234".into()),
                code: Some("2@q".into()),
            }))
        );
        assert_eq!(
            run(
                "QRCODE_UPDATED",
                json!({"message": "QR code limit reached, please login again", "statusCode": 500})
            ),
            Ok(Event::Ignored { reason: "qr_limit" })
        );
        for bad in [
            json!({"qrcode": {"base64": "https://evil.example/x.png"}}),
            json!({"qrcode": {}}),
            json!({}),
            json!([]),
        ] {
            assert!(
                invalid_reason(run("qrcode.updated", bad.clone())).len() > 3,
                "{bad}"
            );
        }
    }

    #[test]
    fn interpret_canonicalises_hand_built_envelopes() {
        let got = run(
            "MESSAGES_UPDATE",
            json!({"keyId": "A", "fromMe": true, "status": "READ"}),
        );
        assert_eq!(
            got,
            Ok(Event::MessageStatus(vec![one(
                "A",
                None,
                ReceiptStatus::Read
            )]))
        );
    }
}
