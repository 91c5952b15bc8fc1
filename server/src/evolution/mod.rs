//! Evolution API webhooks: parsing POST bodies (v1 and v2, Baileys and Cloud API channels)
//! into typed events.
//!
//! This module owns the wire format only: [`parse_envelope`] reads the raw body,
//! [`interpret()`] turns its `data` into an [`Event`], and [`message_text()`] finds the text of
//! a WhatsApp message. It is pure (no database, no HTTP, no clock) and never panics on any
//! input. What an event does to campaigns, contacts and instances belongs to the domain and
//! the event processor.
//!
//! Payload shapes are documented, with sources, in `shared/evolution/README.md`; the example
//! bodies in `tests/fixtures/evolution/` are interpreted by this module's tests.
//!
//! ```text
//! let envelope = parse_envelope(body)?;          // 400 if this fails
//! match interpret(&envelope)? { Event::MessageStatus(updates) => …, … }
//! ```

pub mod address;
pub mod client;
mod envelope;
mod event;
mod interpret;
mod json;
mod message_text;
pub mod outgoing;
pub mod pairing;

pub use envelope::{Envelope, ParseError, canonical_event_name, parse_envelope};
pub use event::{
    ConnectionState, ConnectionUpdate, ContactSeen, Event, IncomingMessage, PollVote, Presence,
    QrCode, ReceiptStatus, Revoke, SentMessage, StatusUpdate,
};
pub use interpret::interpret;
pub use message_text::message_text;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    const FIXTURE_DIR: &str = "tests/fixtures/evolution";

    /// Every webhook fixture with the exact event it must produce.
    fn fixtures() -> Vec<(&'static str, &'static str, Event)> {
        macro_rules! fixture {
            ($name:literal, $event:expr) => {
                (
                    $name,
                    include_str!(concat!("../../tests/fixtures/evolution/", $name)),
                    $event,
                )
            };
        }
        let ignored = || Event::Ignored {
            reason: "unsupported_event",
        };
        vec![
            // v1
            fixture!("v1_chats_upsert.json", ignored()),
            fixture!(
                "v1_connection_update_open.json",
                connection(ConnectionState::Open, 200)
            ),
            fixture!(
                "v1_contacts_upsert.json",
                Event::ContactsSeen(vec![seen(Some("5511987654321"), None, Some("Maria Silva"))])
            ),
            fixture!(
                "v1_messages_delete.json",
                revoked("3A5F0C2E9B1D7A4C8E21", false)
            ),
            fixture!(
                "v1_messages_update_delivered.json",
                status(
                    "3EB0B2D1F0E9C8A7B6C5D4",
                    "5511987654321@s.whatsapp.net",
                    ReceiptStatus::Delivered
                )
            ),
            fixture!(
                "v1_messages_upsert_text.json",
                Event::MessageReceived(IncomingMessage {
                    message_id: Some("3A5F0C2E9B1D7A4C8E21".into()),
                    remote_jid: "5511987654321@s.whatsapp.net".into(),
                    phone: Some("5511987654321".into()),
                    push_name: Some("Maria Silva".into()),
                    text: Some("Parar".into()),
                    quoted_message_id: Some("3EB0B2D1F0E9C8A7B6C5D4".into()),
                    timestamp: Some(1_719_410_200),
                    lid: None,
                })
            ),
            fixture!(
                "v1_presence_update.json",
                Event::Presence(vec![Presence {
                    phone: Some("5511987654321".into()),
                    lid: None
                }])
            ),
            fixture!(
                "v1_qrcode_updated.json",
                qr(
                    "2@Pq9Wm3Ev7Rb1Tn5Yc8Ux2Iz6Ol0Ka4Sj,Hx7Gf3Dq9Cw5Bv1Nm8Lk2Jh6Gf4Ds0Ap=,Mz3Nx7Bc1Vq5Wl9Ek2Rj6Th0Yg4Uf8I=,Lo2Kp6Ji0Hu4Gy8Ft3Dr7Es1Wa5Qz9X=,1"
                )
            ),
            fixture!(
                "v1_send_message.json",
                sent("3EB0B2D1F0E9C8A7B6C5D4", Some("5511987654321"))
            ),
            // v2
            fixture!("v2_chats_upsert.json", ignored()),
            fixture!(
                "v2_connection_update_close.json",
                connection(ConnectionState::Close, 401)
            ),
            fixture!(
                "v2_connection_update_open.json",
                // The number the instance is connected as.
                Event::Connection(ConnectionUpdate {
                    state: ConnectionState::Open,
                    status_reason: Some(200),
                    phone: Some("5511912345678".into()),
                })
            ),
            fixture!(
                "v2_contacts_upsert.json",
                Event::ContactsSeen(vec![
                    seen(Some("5511987654321"), None, Some("Maria Silva")),
                    seen(Some("5521998877665"), None, None),
                ])
            ),
            fixture!(
                "v2_contacts_upsert_from_message.json",
                Event::ContactsSeen(vec![seen(
                    None,
                    Some("103899771998284"),
                    Some("Carlos Souza")
                )])
            ),
            fixture!(
                "v2_messages_delete.json",
                revoked("3A5F0C2E9B1D7A4C8E21", false)
            ),
            fixture!(
                "v2_messages_update_delivered.json",
                status(
                    "3EB0C431D2A5F8E9B6A1F2",
                    "5511987654321@s.whatsapp.net",
                    ReceiptStatus::Delivered
                )
            ),
            fixture!(
                "v2_messages_update_edit_2.3.7.json",
                Event::Ignored { reason: "edit" }
            ),
            fixture!(
                "v2_messages_update_error.json",
                status(
                    "3EB07D2E61A9C0F4B8E3D5",
                    "5511955554444@s.whatsapp.net",
                    ReceiptStatus::Failed
                )
            ),
            fixture!(
                "v2_messages_update_read_lid.json",
                status(
                    "3EB0C431D2A5F8E9B6A1F2",
                    "128441234567890@lid",
                    ReceiptStatus::Read
                )
            ),
            fixture!(
                "v2_messages_upsert_group.json",
                Event::Ignored { reason: "group" }
            ),
            fixture!(
                "v2_messages_upsert_lid.json",
                Event::MessageReceived(IncomingMessage {
                    message_id: Some("4F1B2C9D8E7A6B5C4D3E2F1A0B9C8D7E".into()),
                    remote_jid: "103899771998284@lid".into(),
                    phone: Some("5521998877665".into()),
                    push_name: Some("Carlos Souza".into()),
                    text: Some("Qual o horário de funcionamento?".into()),
                    quoted_message_id: None,
                    timestamp: Some(1_761_055_611),
                    lid: Some("103899771998284".into()),
                })
            ),
            fixture!(
                "v2_messages_upsert_quoted_optout.json",
                Event::MessageReceived(IncomingMessage {
                    message_id: Some("3A1D8E0B7C6F5A4E3D2C".into()),
                    remote_jid: "5511987654321@s.whatsapp.net".into(),
                    phone: Some("5511987654321".into()),
                    push_name: Some("Maria Silva".into()),
                    text: Some("Sair!".into()),
                    quoted_message_id: Some("3EB0C431D2A5F8E9B6A1F2".into()),
                    timestamp: Some(1_761_056_003),
                    lid: Some("128441234567890".into()),
                })
            ),
            fixture!(
                "v2_messages_upsert_text.json",
                Event::MessageReceived(IncomingMessage {
                    message_id: Some("3A5F0C2E9B1D7A4C8E21".into()),
                    remote_jid: "5511987654321@s.whatsapp.net".into(),
                    phone: Some("5511987654321".into()),
                    push_name: Some("Maria Silva".into()),
                    text: Some("Oi! Quero saber mais sobre a promoção.".into()),
                    quoted_message_id: None,
                    timestamp: Some(1_761_055_520),
                    lid: Some("128441234567890".into()),
                })
            ),
            fixture!(
                "v2_presence_update.json",
                Event::Presence(vec![Presence {
                    phone: Some("5511987654321".into()),
                    lid: None
                }])
            ),
            fixture!(
                "v2_qrcode_updated.json",
                qr(
                    "2@y8Kq3mVb7TzQ1nWc5Lp0RfXg9JdHs2Ae,Jx4Vn8Qw2Ek6Rt1Yu5Io9Pa3Sd7Fg0Hj=,Zx1Cv2Bn3Mq4Wr5Et6Yu7Io8Pa9Sd0Fg=,Qw1Er2Ty3Ui4Op5As6Df7Gh8Jk9Lz0Xc=,1"
                )
            ),
            fixture!(
                "v2_qrcode_updated_limit.json",
                Event::Ignored { reason: "qr_limit" }
            ),
            fixture!(
                "v2_send_message.json",
                sent("3EB0C431D2A5F8E9B6A1F2", Some("5511987654321"))
            ),
        ]
    }

    /// Send-API bodies (not webhooks): requests, responses, errors.
    fn api_bodies() -> Vec<(&'static str, &'static str)> {
        macro_rules! body {
            ($name:literal) => {
                (
                    $name,
                    include_str!(concat!("../../tests/fixtures/evolution/", $name)),
                )
            };
        }
        vec![
            body!("v1_error_400_not_on_whatsapp.json"),
            body!("v1_instance_connect_response.json"),
            body!("v1_root_response.json"),
            body!("v1_sendText_request.json"),
            body!("v1_sendText_response_201.json"),
            body!("v2_connectionState_response.json"),
            body!("v2_error_400_not_on_whatsapp.json"),
            body!("v2_error_500_connection_closed.json"),
            body!("v2_fetchInstances_response.json"),
            body!("v2_instance_connect_response.json"),
            body!("v2_root_response.json"),
            body!("v2_sendText_request.json"),
            body!("v2_sendText_response_201.json"),
        ]
    }

    /// A `qrcode.updated` of the fixtures' 1×1 PNG, without a pairing code.
    fn qr(code: &str) -> Event {
        Event::QrCode(QrCode {
            base64: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==".into(),
            pairing_code: None,
            code: Some(code.into()),
        })
    }

    fn status(id: &str, jid: &str, status: ReceiptStatus) -> Event {
        Event::MessageStatus(vec![StatusUpdate {
            message_id: id.into(),
            remote_jid: Some(jid.into()),
            status,
        }])
    }

    fn revoked(id: &str, from_me: bool) -> Event {
        Event::Revoked(Revoke {
            message_id: id.into(),
            from_me: Some(from_me),
        })
    }

    fn seen(phone: Option<&str>, lid: Option<&str>, push_name: Option<&str>) -> ContactSeen {
        ContactSeen {
            phone: phone.map(str::to_owned),
            lid: lid.map(str::to_owned),
            push_name: push_name.map(str::to_owned),
        }
    }

    fn sent(id: &str, phone: Option<&str>) -> Event {
        Event::MessageSent(SentMessage {
            message_id: id.into(),
            phone: phone.map(str::to_owned),
        })
    }

    fn connection(state: ConnectionState, reason: i64) -> Event {
        Event::Connection(ConnectionUpdate {
            state,
            status_reason: Some(reason),
            phone: None,
        })
    }

    /// Webhook bodies are every JSON file except the send-API ones: `*_request*`,
    /// `*_response*` and the `vN_error_*` HTTP error bodies. (`v2_messages_update_error.json`
    /// is a webhook: a receipt with status ERROR.)
    fn is_webhook_fixture(name: &str) -> bool {
        let api_error = name
            .split_once('_')
            .is_some_and(|(_, rest)| rest.starts_with("error_"));
        name.ends_with(".json")
            && !name.contains("_request")
            && !name.contains("_response")
            && !api_error
    }

    #[test]
    fn every_webhook_fixture_interprets_to_its_event() {
        for (name, body, expected) in fixtures() {
            let envelope = parse_envelope(body.as_bytes())
                .unwrap_or_else(|e| panic!("{name}: parse_envelope failed: {e}"));
            assert_eq!(
                envelope.instance.as_deref(),
                Some("campanha-loja-01"),
                "{name}"
            );
            assert!(envelope.apikey.is_some(), "{name}: apikey");
            assert!(envelope.destination.is_some(), "{name}: destination");
            assert!(envelope.server_url.is_some(), "{name}: server_url");
            assert!(envelope.date_time.is_some(), "{name}: date_time");
            assert_eq!(
                envelope.sender.is_none(),
                name.contains("qrcode"),
                "{name}: sender is missing only before the first connection"
            );
            let got = interpret(&envelope);
            assert_eq!(got.as_ref(), Ok(&expected), "{name}");
        }
    }

    #[test]
    fn fixture_table_covers_the_fixture_directory() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE_DIR);
        let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
            .map(|entry| {
                entry
                    .expect("directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .filter(|name| name != "README.md")
            .collect();
        let webhooks_on_disk: BTreeSet<&str> = on_disk
            .iter()
            .map(String::as_str)
            .filter(|name| is_webhook_fixture(name))
            .collect();
        let in_table: BTreeSet<&str> = fixtures().iter().map(|(name, ..)| *name).collect();
        assert_eq!(
            webhooks_on_disk, in_table,
            "every webhook fixture in {FIXTURE_DIR} needs a row in fixtures() and vice versa"
        );
        let api_on_disk: BTreeSet<&str> = on_disk
            .iter()
            .map(String::as_str)
            .filter(|name| !is_webhook_fixture(name))
            .collect();
        let api_in_table: BTreeSet<&str> = api_bodies().iter().map(|(name, _)| *name).collect();
        assert_eq!(
            api_on_disk, api_in_table,
            "non-webhook files in {FIXTURE_DIR}"
        );
    }

    #[test]
    fn send_api_bodies_are_not_envelopes() {
        for (name, body) in api_bodies() {
            assert!(
                matches!(
                    parse_envelope(body.as_bytes()),
                    Err(ParseError::NotAnEnvelope(_))
                ),
                "{name}"
            );
        }
    }

    #[test]
    fn quoted_optout_fixture_opts_out() {
        let (_, body, _) = fixtures()
            .into_iter()
            .find(|(name, ..)| *name == "v2_messages_upsert_quoted_optout.json")
            .expect("fixture in table");
        let envelope = parse_envelope(body.as_bytes()).expect("envelope");
        let Ok(Event::MessageReceived(message)) = interpret(&envelope) else {
            panic!("expected MessageReceived");
        };
        let keywords = crate::domain::optout::default_keywords();
        let text = message.text.unwrap_or_default();
        assert_eq!(
            crate::domain::optout::matching_keyword(&text, &keywords),
            Some("SAIR")
        );
    }

    #[test]
    fn apikey_null_vs_missing_in_full_bodies() {
        let null = br#"{"event":"connection.update","instance":"i","data":{"instance":"i","state":"open","statusReason":200},"apikey":null}"#;
        let missing = br#"{"event":"connection.update","instance":"i","data":{"instance":"i","state":"open","statusReason":200}}"#;
        let a = parse_envelope(null).expect("envelope");
        let b = parse_envelope(missing).expect("envelope");
        assert_eq!(a, b);
        assert_eq!(a.apikey, None);
        assert_eq!(interpret(&a), Ok(connection(ConnectionState::Open, 200)));
    }

    #[test]
    fn uppercase_by_events_name_is_interpreted() {
        let body = br#"{"event":"MESSAGES_UPDATE","instance":"i","data":{"keyId":"K","remoteJid":"5511987654321@s.whatsapp.net","fromMe":true,"status":"READ"}}"#;
        let envelope = parse_envelope(body).expect("envelope");
        assert_eq!(envelope.event, "messages.update");
        assert_eq!(
            interpret(&envelope),
            Ok(status(
                "K",
                "5511987654321@s.whatsapp.net",
                ReceiptStatus::Read
            ))
        );
        let kebab = br#"{"event":"send-message","data":{"key":{"id":"S","remoteJid":"5511987654321@s.whatsapp.net"}}}"#;
        let envelope = parse_envelope(kebab).expect("envelope");
        assert_eq!(interpret(&envelope), Ok(sent("S", Some("5511987654321"))));
    }

    #[test]
    fn body_errors() {
        assert!(matches!(
            parse_envelope(b"not json"),
            Err(ParseError::NotJson(_))
        ));
        assert!(matches!(
            parse_envelope(br#"[{"event":"messages.update"}]"#),
            Err(ParseError::NotAnEnvelope(_))
        ));
        assert!(matches!(
            parse_envelope(br#"{"event":["messages.update"],"data":{}}"#),
            Err(ParseError::NotAnEnvelope(_))
        ));
        let missing_id =
            br#"{"event":"messages.update","data":{"remoteJid":"x@s.whatsapp.net","fromMe":true,"status":"READ"}}"#;
        let envelope = parse_envelope(missing_id).expect("envelope");
        let err = interpret(&envelope).expect_err("missing id");
        assert!(
            matches!(err, ParseError::InvalidData { ref event, .. } if event == "messages.update")
        );
        assert!(
            err.to_string()
                .starts_with("invalid data for event messages.update: missing message id"),
            "{err}"
        );
    }

    #[test]
    fn arbitrary_bodies_never_panic() {
        // Every fixture with each top-level data swapped for odd shapes.
        let odd = [
            serde_json::json!(null),
            serde_json::json!([]),
            serde_json::json!([null, 1, "x", {}]),
            serde_json::json!({}),
            serde_json::json!({"key": "x", "update": 3, "message": [], "status": {}}),
            serde_json::json!({"key": {"fromMe": false, "remoteJid": 5}}),
            serde_json::json!({"key": {"fromMe": false, "remoteJid": "@"}, "message": {"conversation": {}}}),
            serde_json::json!("string"),
            serde_json::json!(-1.5),
        ];
        for (name, body, _) in fixtures() {
            let mut envelope = parse_envelope(body.as_bytes()).expect(name);
            for data in &odd {
                envelope.data = data.clone();
                let _ = interpret(&envelope);
            }
        }
    }
}
