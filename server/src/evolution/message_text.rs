//! Reading the human text and the quoted message id out of a WhatsApp `message` object
//! (Baileys `proto.Message` JSON, as Evolution forwards it).
//!
//! This module owns the list of places text can live. Everything else in `message`
//! (media keys, `messageContextInfo`, binary fields whose encoding changes between
//! Evolution versions) is treated as opaque and never read.

use serde_json::Value;

use super::json::non_blank_str;

/// Wrapper messages whose `.message` holds the real content, unwrapped recursively.
const WRAPPERS: &[&str] = &[
    "ephemeralMessage",
    "viewOnceMessage",
    "viewOnceMessageV2",
    "viewOnceMessageV2Extension",
    "documentWithCaptionMessage",
    "editedMessage",
];

/// Where text may live in one (unwrapped) message, in order of preference. Each
/// `…DisplayText`/`title` is followed by its id fallback.
const TEXT_PATHS: &[&[&str]] = &[
    &["conversation"],
    &["extendedTextMessage", "text"],
    &["buttonsResponseMessage", "selectedDisplayText"],
    &["buttonsResponseMessage", "selectedButtonId"],
    &["templateButtonReplyMessage", "selectedDisplayText"],
    &["templateButtonReplyMessage", "selectedId"],
    &["listResponseMessage", "title"],
    &["listResponseMessage", "singleSelectReply", "selectedRowId"],
    &["interactiveResponseMessage", "body", "text"],
    &["imageMessage", "caption"],
    &["videoMessage", "caption"],
    &["documentMessage", "caption"],
];

/// Deepest wrapper nesting followed (real messages nest two or three levels).
const MAX_DEPTH: usize = 8;

/// The text of a WhatsApp message: typed text, a button/list/interactive reply, or a media
/// caption, as sent (not trimmed). `None` when there is none or it is blank (media without
/// caption, stickers, reactions, locations, ...).
///
/// Looks, in order, at `conversation`, `extendedTextMessage.text`,
/// `buttonsResponseMessage.selectedDisplayText` (then `.selectedButtonId`),
/// `templateButtonReplyMessage.selectedDisplayText` (then `.selectedId`),
/// `listResponseMessage.title` (then `.singleSelectReply.selectedRowId`),
/// `interactiveResponseMessage.body.text` and the image/video/document captions; then
/// inside the wrappers `ephemeralMessage`, `viewOnceMessage`, `viewOnceMessageV2`,
/// `viewOnceMessageV2Extension`, `documentWithCaptionMessage`, `editedMessage` (each
/// `.message`) and `protocolMessage.editedMessage`, recursively.
pub fn message_text(message: &Value) -> Option<String> {
    text_within(message, 0)
}

fn text_within(message: &Value, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH || !message.is_object() {
        return None;
    }
    if let Some(text) = TEXT_PATHS
        .iter()
        .find_map(|path| non_blank_str(message, path))
    {
        return Some(text.to_owned());
    }
    inner_messages(message).find_map(|inner| text_within(inner, depth + 1))
}

/// The messages wrapped by `message` (see [`WRAPPERS`], plus `protocolMessage.editedMessage`).
fn inner_messages(message: &Value) -> impl Iterator<Item = &Value> {
    WRAPPERS
        .iter()
        .filter_map(move |wrapper| message.get(wrapper).and_then(|w| w.get("message")))
        .chain(
            message
                .get("protocolMessage")
                .and_then(|p| p.get("editedMessage")),
        )
}

/// Id of the message an upsert quotes: `data.contextInfo.stanzaId` (v2 puts it there), else
/// the `contextInfo.stanzaId` of the content inside `data.message` (e.g.
/// `extendedTextMessage.contextInfo.stanzaId`, v1), looking through wrappers.
pub(crate) fn quoted_message_id(data: &Value) -> Option<String> {
    non_blank_str(data, &["contextInfo", "stanzaId"])
        .map(str::to_owned)
        .or_else(|| data.get("message").and_then(|m| quoted_within(m, 0)))
}

fn quoted_within(message: &Value, depth: usize) -> Option<String> {
    if depth > MAX_DEPTH {
        return None;
    }
    let content = message.as_object()?;
    let direct = content
        .iter()
        .filter(|(name, _)| name.as_str() != "messageContextInfo")
        .find_map(|(_, body)| non_blank_str(body, &["contextInfo", "stanzaId"]));
    if let Some(id) = direct {
        return Some(id.to_owned());
    }
    inner_messages(message).find_map(|inner| quoted_within(inner, depth + 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_table() {
        let cases = [
            (json!({"conversation": "Sair"}), Some("Sair")),
            (
                json!({"extendedTextMessage": {"text": "Parar"}}),
                Some("Parar"),
            ),
            (
                json!({"conversation": "", "extendedTextMessage": {"text": "x"}}),
                Some("x"),
            ),
            (
                json!({"buttonsResponseMessage": {"selectedDisplayText": "Quero sair", "selectedButtonId": "btn-1"}}),
                Some("Quero sair"),
            ),
            (
                json!({"buttonsResponseMessage": {"selectedButtonId": "btn-1"}}),
                Some("btn-1"),
            ),
            (
                json!({"templateButtonReplyMessage": {"selectedDisplayText": "STOP", "selectedId": "t1"}}),
                Some("STOP"),
            ),
            (
                json!({"templateButtonReplyMessage": {"selectedId": "t1", "selectedIndex": 0}}),
                Some("t1"),
            ),
            (
                json!({"listResponseMessage": {"title": "Cancelar", "singleSelectReply": {"selectedRowId": "row-9"}}}),
                Some("Cancelar"),
            ),
            (
                json!({"listResponseMessage": {"singleSelectReply": {"selectedRowId": "row-9"}}}),
                Some("row-9"),
            ),
            (
                json!({"interactiveResponseMessage": {"body": {"text": "Remover"}, "nativeFlowResponseMessage": {"paramsJson": "{}"}}}),
                Some("Remover"),
            ),
            (
                json!({"imageMessage": {"caption": "foto", "mimetype": "image/jpeg"}}),
                Some("foto"),
            ),
            (json!({"videoMessage": {"caption": "vídeo"}}), Some("vídeo")),
            (
                json!({"documentMessage": {"caption": "doc", "fileName": "a.pdf"}}),
                Some("doc"),
            ),
            (
                json!({"documentWithCaptionMessage": {"message": {"documentMessage": {"caption": "contrato"}}}}),
                Some("contrato"),
            ),
            (
                json!({"ephemeralMessage": {"message": {"extendedTextMessage": {"text": "sumindo"}}}}),
                Some("sumindo"),
            ),
            (
                json!({"viewOnceMessage": {"message": {"imageMessage": {"caption": "uma vez"}}}}),
                Some("uma vez"),
            ),
            (
                json!({"viewOnceMessageV2": {"message": {"videoMessage": {"caption": "v2"}}}}),
                Some("v2"),
            ),
            (
                json!({"editedMessage": {"message": {"protocolMessage": {"type": 14, "editedMessage": {"conversation": "editado"}}}}}),
                Some("editado"),
            ),
            (
                json!({"ephemeralMessage": {"message": {"viewOnceMessageV2": {"message": {"imageMessage": {"caption": "fundo"}}}}}}),
                Some("fundo"),
            ),
            (
                json!({"conversation": "  sair  ", "messageContextInfo": {"deviceListMetadataVersion": 2}}),
                Some("  sair  "),
            ),
            (json!({"conversation": "   "}), None),
            (json!({"imageMessage": {"mimetype": "image/jpeg"}}), None),
            (
                json!({"reactionMessage": {"text": "👍", "key": {"id": "X"}}}),
                None,
            ),
            (json!({"stickerMessage": {}}), None),
            (json!({"conversation": 42}), None),
            (json!({"ephemeralMessage": {"message": "oops"}}), None),
            (json!({}), None),
            (json!(null), None),
            (json!("Sair"), None),
            (json!([{"conversation": "Sair"}]), None),
        ];
        for (message, expected) in cases {
            assert_eq!(message_text(&message).as_deref(), expected, "{message}");
        }
    }

    #[test]
    fn deep_nesting_stops_without_panicking() {
        let mut message = json!({"conversation": "deep"});
        for _ in 0..100 {
            message = json!({"ephemeralMessage": {"message": message}});
        }
        assert_eq!(message_text(&message), None);
        assert_eq!(quoted_message_id(&json!({"message": message})), None);
    }

    #[test]
    fn quoted_ids() {
        let cases = [
            (
                json!({"contextInfo": {"stanzaId": "TOP"}, "message": {"extendedTextMessage": {"text": "x", "contextInfo": {"stanzaId": "INNER"}}}}),
                Some("TOP"),
            ),
            (
                json!({"message": {"extendedTextMessage": {"text": "x", "contextInfo": {"stanzaId": "INNER"}}}}),
                Some("INNER"),
            ),
            (
                json!({"message": {"imageMessage": {"caption": "x", "contextInfo": {"stanzaId": "IMG"}}}}),
                Some("IMG"),
            ),
            (
                json!({"message": {"ephemeralMessage": {"message": {"extendedTextMessage": {"contextInfo": {"stanzaId": "EPH"}}}}}}),
                Some("EPH"),
            ),
            (
                json!({"contextInfo": {"mentionedJid": []}, "message": {"conversation": "x"}}),
                None,
            ),
            (json!({"contextInfo": {"stanzaId": ""}}), None),
            (json!({"message": null}), None),
            (json!(null), None),
        ];
        for (data, expected) in cases {
            assert_eq!(quoted_message_id(&data).as_deref(), expected, "{data}");
        }
    }
}
