//! Properties: the Evolution webhook parser and the opt-out matcher never panic. Whatever bytes,
//! JSON or text arrive — random, envelope-shaped with random `data` built from the words
//! Evolution uses, or real webhook fixtures with random parts replaced — parsing answers a
//! typed result.

use std::sync::LazyLock;

use flow_server::domain::optout::{matching_keyword, normalize_text};
use flow_server::evolution::{ParseError, interpret, message_text, parse_envelope};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys and words Evolution bodies use, so random values often reach deep into the parser.
const WORDS: &[&str] = &[
    "key",
    "keyId",
    "id",
    "messageId",
    "remoteJid",
    "remoteJidAlt",
    "participant",
    "senderPn",
    "fromMe",
    "status",
    "state",
    "statusReason",
    "message",
    "messages",
    "conversation",
    "extendedTextMessage",
    "text",
    "caption",
    "contextInfo",
    "stanzaId",
    "pushName",
    "messageTimestamp",
    "imageMessage",
    "ephemeralMessage",
    "viewOnceMessage",
    "documentWithCaptionMessage",
    "editedMessage",
    "protocolMessage",
    "buttonsResponseMessage",
    "listResponseMessage",
    "singleSelectReply",
    "selectedRowId",
    "interactiveResponseMessage",
    "nativeFlowResponseMessage",
    "paramsJson",
    "update",
    "body",
    "type",
    "instance",
    "data",
    "READ",
    "DELIVERY_ACK",
    "SERVER_ACK",
    "PLAYED",
    "ERROR",
    "PENDING",
    "DELETED",
    "SENT",
    "DELIVERED",
    "FAILED",
    "open",
    "close",
    "connecting",
    "5511987654321@s.whatsapp.net",
    "123@g.us",
    "status@broadcast",
    "1@lid",
    "SAIR",
    "Não quero",
];

/// Event names Flow interprets, in every spelling Evolution uses, and some it does not.
const EVENTS: &[&str] = &[
    "messages.update",
    "MESSAGES_UPDATE",
    "messages-update",
    "messages.upsert",
    "send.message",
    "connection.update",
    "CONNECTION_UPDATE",
    "messages.edited",
    "presence.update",
    "qrcode.updated",
    "group-participants.update",
    "something.new",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(WORDS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// Any JSON value, up to a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        word().prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(word(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An envelope around random `data` (and random other fields).
fn envelope() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(EVENTS),
        json(),
        json(),
        prop::option::of(json()),
    )
        .prop_map(|(event, instance, data, apikey)| {
            let mut map = Map::new();
            map.insert("event".into(), event.into());
            map.insert("instance".into(), instance);
            map.insert("data".into(), data);
            if let Some(apikey) = apikey {
                map.insert("apikey".into(), apikey);
            }
            Value::Object(map)
        })
}

/// The webhook bodies of `tests/fixtures/evolution` (those with an `event`).
static FIXTURES: LazyLock<Vec<Value>> = LazyLock::new(|| {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/evolution");
    let mut bodies: Vec<Value> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|entry| std::fs::read(entry.expect("fixture").path()).expect("readable"))
        .filter_map(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .filter(|v| v.get("event").is_some())
        .collect();
    bodies.sort_by_key(Value::to_string);
    assert!(
        bodies.len() > 10,
        "webhook fixtures found in {}",
        dir.display()
    );
    bodies
});

/// Replaces the value reached by walking `path` (each step picks a child by index modulo
/// the number of children) with `new`.
fn replace_at(value: &mut Value, path: &[usize], new: Value) {
    let child = match (path.split_first(), &mut *value) {
        (Some((step, _)), Value::Object(map)) if !map.is_empty() => {
            let n = step % map.len();
            map.values_mut().nth(n)
        }
        (Some((step, _)), Value::Array(items)) if !items.is_empty() => {
            let n = step % items.len();
            items.get_mut(n)
        }
        _ => None,
    };
    match child {
        Some(child) => replace_at(child, &path[1..], new),
        None => *value = new,
    }
}

/// A real webhook body with a few of its parts (at any depth) replaced by random JSON.
fn mutated_fixture() -> impl Strategy<Value = Value> {
    let edits = prop::collection::vec((prop::collection::vec(any::<usize>(), 1..7), json()), 1..4);
    (any::<prop::sample::Index>(), edits).prop_map(|(which, edits)| {
        let mut body = which.get(&FIXTURES).clone();
        for (path, new) in edits {
            replace_at(&mut body, &path, new);
        }
        body
    })
}

/// Parses and interprets `body`, as the webhook handler does.
fn parse(body: &[u8]) -> Result<(), ParseError> {
    interpret(&parse_envelope(body)?).map(drop)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = parse(&body);
    }

    #[test]
    fn arbitrary_text_never_panics(body in any::<String>()) {
        let _ = parse(body.as_bytes());
    }

    #[test]
    fn arbitrary_json_never_panics(value in json()) {
        let body = serde_json::to_vec(&value).expect("serializes");
        let result = parse(&body);
        if !value.is_object() {
            prop_assert!(matches!(result, Err(ParseError::NotAnEnvelope(_))), "{result:?}");
        }
        let _ = message_text(&value);
    }

    #[test]
    fn envelopes_with_random_data_never_panic(value in envelope()) {
        let body = serde_json::to_vec(&value).expect("serializes");
        let envelope = parse_envelope(&body);
        prop_assert!(envelope.is_ok(), "{envelope:?}");
        if let Ok(envelope) = envelope {
            match interpret(&envelope) {
                Ok(_) | Err(ParseError::InvalidData { .. }) => {}
                Err(other) => prop_assert!(false, "a valid envelope failed with {other:?}"),
            }
            let _ = message_text(&envelope.data);
        }
    }

    #[test]
    fn mutated_real_webhooks_never_panic(value in mutated_fixture()) {
        let body = serde_json::to_vec(&value).expect("serializes");
        let _ = parse(&body);
        if let Some(data) = value.get("data") {
            let _ = message_text(data);
        }
    }

    #[test]
    fn opt_out_matching_never_panics(
        text in prop_oneof![any::<String>(), word()],
        keywords in prop::collection::vec(prop_oneof![any::<String>(), word()], 0..6),
    ) {
        if let Some(keyword) = matching_keyword(&text, &keywords) {
            let normalized = normalize_text(&text);
            prop_assert!(!normalized.is_empty());
            prop_assert_eq!(normalize_text(keyword), normalized);
        }
        // A message that is exactly a keyword matches it, unless it normalises to nothing.
        for keyword in &keywords {
            let found = matching_keyword(keyword, &keywords);
            prop_assert_eq!(found.is_some(), !normalize_text(keyword).is_empty());
        }
    }

    #[test]
    fn opt_out_matching_of_arbitrary_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = matching_keyword(&text, &flow_server::domain::optout::default_keywords());
    }
}
