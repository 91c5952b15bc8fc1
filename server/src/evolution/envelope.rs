//! The Evolution webhook envelope: the JSON object around every event, the same in v1 and v2
//! (`{event, instance, data, destination, date_time, sender, server_url, apikey}`), and the
//! errors of parsing webhook bodies.
//!
//! This module owns reading the raw body into an [`Envelope`]; what `data` means per event
//! is [`super::interpret()`]'s job.

use serde_json::{Map, Value};

use super::json::kind;

/// The webhook envelope (v1 and v2).
///
/// Parsed loosely: only `event` is required. Unknown top-level keys (2.3.7+ spreads an
/// `extra` object there) are ignored; optional string fields that are missing, `null` or not
/// strings are `None`.
#[derive(Debug, Clone, PartialEq, utoipa::ToSchema)]
#[schema(as = WebhookEnvelope)]
pub struct Envelope {
    /// Event name in dotted lower case (`messages.update`), whatever form the body used.
    pub event: String,
    /// The instance **name** (not its UUID).
    pub instance: Option<String>,
    /// Event-specific payload: an object or an array depending on the event; `Null` when
    /// the body had no `data`.
    pub data: Value,
    /// Instance token (or, on v1 global webhooks, the global key). `None` when `null` (v2,
    /// exposure off) or missing (v1). Never the only credential: see DESIGN.md.
    pub apikey: Option<String>,
    /// The connected account's jid; missing until the session first connected.
    pub sender: Option<String>,
    /// Evolution's `date_time`: server LOCAL wall-clock time with a `Z` suffix, so not a
    /// reliable UTC timestamp.
    pub date_time: Option<String>,
    /// The webhook URL Evolution posted to (without the by-events suffix).
    pub destination: Option<String>,
    /// Evolution's `SERVER_URL`.
    pub server_url: Option<String>,
}

/// Why a webhook body could not be parsed or interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// The body is not valid JSON (the text is serde_json's message).
    #[error("body is not valid JSON: {0}")]
    NotJson(String),
    /// The body is JSON but not an envelope: not an object, or `event` missing, not a
    /// string, or empty.
    #[error("body is not an Evolution webhook envelope: {0}")]
    NotAnEnvelope(String),
    /// The envelope is fine but its `data` lacks what the event needs (an id, a known
    /// status, a state, ...).
    #[error("invalid data for event {event}: {reason}")]
    InvalidData {
        /// The envelope's event name.
        event: String,
        /// What was missing or wrong.
        reason: String,
    },
}

/// Parses a webhook body into an [`Envelope`].
///
/// Accepts a leading UTF-8 byte-order mark. `apikey` may be a string, `null` or missing.
/// The event name is canonicalised with [`canonical_event_name`], so the configuration
/// spelling (`MESSAGES_UPDATE`) and the by-events URL spelling (`messages-update`) are
/// accepted too.
///
/// # Errors
/// [`ParseError::NotJson`] for invalid JSON; [`ParseError::NotAnEnvelope`] when the body is
/// not an object or its `event` is missing, not a string, or empty.
pub fn parse_envelope(body: &[u8]) -> Result<Envelope, ParseError> {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ParseError::NotJson(e.to_string()))?;
    let Value::Object(mut map) = value else {
        return Err(ParseError::NotAnEnvelope(format!(
            "the body is {}, not an object",
            kind(&value)
        )));
    };
    let event = match map.get("event") {
        Some(Value::String(raw)) => canonical_event_name(raw),
        Some(other) => {
            return Err(ParseError::NotAnEnvelope(format!(
                "`event` is {}, not a string",
                kind(other)
            )));
        }
        None => return Err(ParseError::NotAnEnvelope("`event` is missing".to_owned())),
    };
    if event.is_empty() {
        return Err(ParseError::NotAnEnvelope("`event` is empty".to_owned()));
    }
    Ok(Envelope {
        event,
        instance: take_string(&mut map, "instance"),
        data: map.remove("data").unwrap_or(Value::Null),
        apikey: take_string(&mut map, "apikey"),
        sender: take_string(&mut map, "sender"),
        date_time: take_string(&mut map, "date_time"),
        destination: take_string(&mut map, "destination"),
        server_url: take_string(&mut map, "server_url"),
    })
}

/// Canonical (body) form of an Evolution event name: dotted lower case.
///
/// `messages.update`, `MESSAGES_UPDATE` (webhook configuration) and `messages-update`
/// (by-events URL suffix) all give `messages.update`. A name that already contains a dot is
/// only trimmed and lower-cased, so `group-participants.update` keeps its hyphen; the
/// configuration form `GROUP_PARTICIPANTS_UPDATE` maps back to it too.
pub fn canonical_event_name(raw: &str) -> String {
    let trimmed = raw.trim();
    if trimmed.contains('.') {
        return trimmed.to_ascii_lowercase();
    }
    let dotted = trimmed.to_ascii_lowercase().replace(['_', '-'], ".");
    match dotted.as_str() {
        "group.participants.update" => "group-participants.update".to_owned(),
        _ => dotted,
    }
}

/// Removes `key` and returns it if it is a string.
fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn not_json_is_not_json() {
        for body in [
            &b""[..],
            b"{",
            b"event=messages.update",
            b"\xff\xfe",
            b"{\"event\":}",
        ] {
            assert!(
                matches!(parse_envelope(body), Err(ParseError::NotJson(_))),
                "{body:?}"
            );
        }
    }

    #[test]
    fn json_that_is_not_an_object_is_not_an_envelope() {
        for body in [
            &b"[]"[..],
            b"[{\"event\":\"messages.update\"}]",
            b"\"x\"",
            b"42",
            b"null",
        ] {
            assert!(
                matches!(parse_envelope(body), Err(ParseError::NotAnEnvelope(_))),
                "{body:?}"
            );
        }
        let Err(ParseError::NotAnEnvelope(reason)) = parse_envelope(b"[1]") else {
            panic!("expected NotAnEnvelope");
        };
        assert_eq!(reason, "the body is an array, not an object");
    }

    #[test]
    fn event_must_be_a_non_empty_string() {
        let cases = [
            json!({"instance": "x", "data": {}}),
            json!({"event": 42, "data": {}}),
            json!({"event": null}),
            json!({"event": ["messages.update"]}),
            json!({"event": {"name": "messages.update"}}),
            json!({"event": ""}),
            json!({"event": "   "}),
        ];
        for body in cases {
            let bytes = body.to_string().into_bytes();
            assert!(
                matches!(parse_envelope(&bytes), Err(ParseError::NotAnEnvelope(_))),
                "{body}"
            );
        }
        let Err(ParseError::NotAnEnvelope(reason)) = parse_envelope(br#"{"event": 1}"#) else {
            panic!("expected NotAnEnvelope");
        };
        assert_eq!(reason, "`event` is a number, not a string");
    }

    #[test]
    fn apikey_null_missing_or_string() {
        let null = parse_envelope(br#"{"event":"messages.update","apikey":null,"data":{}}"#)
            .expect("envelope");
        assert_eq!(null.apikey, None);
        let missing =
            parse_envelope(br#"{"event":"messages.update","data":{}}"#).expect("envelope");
        assert_eq!(missing.apikey, None);
        let present = parse_envelope(br#"{"event":"messages.update","apikey":"K-1","data":{}}"#)
            .expect("envelope");
        assert_eq!(present.apikey.as_deref(), Some("K-1"));
        let number =
            parse_envelope(br#"{"event":"messages.update","apikey":7}"#).expect("envelope");
        assert_eq!(number.apikey, None);
    }

    #[test]
    fn all_fields_unknown_keys_and_missing_data() {
        let body = br#"{
            "isLatest": true, "extra": {"progress": 3},
            "event": "messages.set", "instance": "loja", "data": [1, 2],
            "destination": "https://d", "date_time": "2025-10-21T11:03:14.902Z",
            "sender": "5511912345678@s.whatsapp.net", "server_url": "https://evo",
            "apikey": "K"
        }"#;
        let envelope = parse_envelope(body).expect("envelope");
        assert_eq!(
            envelope,
            Envelope {
                event: "messages.set".into(),
                instance: Some("loja".into()),
                data: json!([1, 2]),
                apikey: Some("K".into()),
                sender: Some("5511912345678@s.whatsapp.net".into()),
                date_time: Some("2025-10-21T11:03:14.902Z".into()),
                destination: Some("https://d".into()),
                server_url: Some("https://evo".into()),
            }
        );
        let bare =
            parse_envelope(br#"{"event":"qrcode.updated","instance":{"x":1}}"#).expect("envelope");
        assert_eq!(bare.data, Value::Null);
        assert_eq!(bare.instance, None);
        assert_eq!(bare.sender, None);
    }

    #[test]
    fn byte_order_mark_is_tolerated() {
        let envelope =
            parse_envelope(b"\xEF\xBB\xBF{\"event\":\"connection.update\"}").expect("envelope");
        assert_eq!(envelope.event, "connection.update");
    }

    #[test]
    fn event_names_are_canonicalised() {
        let cases = [
            ("messages.update", "messages.update"),
            ("MESSAGES_UPDATE", "messages.update"),
            ("messages-update", "messages.update"),
            ("Messages.Update", "messages.update"),
            (" send.message ", "send.message"),
            ("SEND_MESSAGE", "send.message"),
            ("CONNECTION_UPDATE", "connection.update"),
            ("QRCODE_UPDATED", "qrcode.updated"),
            ("group-participants.update", "group-participants.update"),
            ("GROUP_PARTICIPANTS_UPDATE", "group-participants.update"),
            ("group-participants-update", "group-participants.update"),
            ("send.message.update", "send.message.update"),
        ];
        for (raw, expected) in cases {
            assert_eq!(canonical_event_name(raw), expected, "{raw}");
        }
        let envelope =
            parse_envelope(br#"{"event":"MESSAGES_UPDATE","data":{}}"#).expect("envelope");
        assert_eq!(envelope.event, "messages.update");
    }
}
