//! What one send hands to Evolution, and the request each API version expects for it
//! (shapes read in Evolution's source: shared/evolution/README.md §3 and
//! docs/notes/evolution-media-polls.md).

use serde_json::{Value, json};

use crate::evolution::client::ApiVersion;

/// One message, rendered for its recipient.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outgoing {
    /// Text (`sendText`).
    Text(String),
    /// A photo, video or document with an optional caption (`sendMedia`).
    Media {
        /// `image`, `video` or `document`.
        mediatype: String,
        /// Its MIME type.
        mimetype: String,
        /// Where Evolution downloads it.
        url: String,
        /// The caption (may be empty).
        caption: String,
        /// The name a document shows.
        file_name: String,
    },
    /// A voice note, shown as recorded on the spot (`sendWhatsAppAudio`).
    Audio {
        /// Where Evolution downloads it.
        url: String,
    },
    /// A poll (`sendPoll`).
    Poll {
        /// The question.
        name: String,
        /// The options, in order.
        values: Vec<String>,
        /// How many options one person may pick.
        selectable_count: u32,
    },
}

impl Outgoing {
    /// The text a person types for it, which sets the typing delay (the caption, the poll).
    pub fn typed_text(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Media { caption, .. } => caption.clone(),
            Self::Audio { .. } => String::new(),
            Self::Poll { name, values, .. } => format!("{name} {}", values.join(" ")),
        }
    }

    /// Its name in the Evolution call metrics (`send_text`, `send_media`, …).
    pub fn call_name(&self) -> &'static str {
        match self {
            Self::Text(_) => "send_text",
            Self::Media { .. } => "send_media",
            Self::Audio { .. } => "send_audio",
            Self::Poll { .. } => "send_poll",
        }
    }

    /// The Evolution route (after `/message/`) and the JSON body for `version`.
    pub fn request(
        &self,
        version: ApiVersion,
        number: &str,
        delay_ms: u64,
    ) -> (&'static str, Value) {
        match (self, version) {
            (Self::Text(text), ApiVersion::V2) => (
                "sendText",
                json!({ "number": number, "text": text, "delay": delay_ms }),
            ),
            (Self::Text(text), ApiVersion::V1) => (
                "sendText",
                json!({
                    "number": number,
                    "options": { "delay": delay_ms, "presence": "composing" },
                    "textMessage": { "text": text },
                }),
            ),
            (
                Self::Media {
                    mediatype,
                    mimetype,
                    url,
                    caption,
                    file_name,
                },
                ApiVersion::V2,
            ) => (
                "sendMedia",
                json!({
                    "number": number,
                    "mediatype": mediatype,
                    "mimetype": mimetype,
                    "caption": caption,
                    "media": url,
                    "fileName": file_name,
                    "delay": delay_ms,
                }),
            ),
            (
                Self::Media {
                    mediatype,
                    url,
                    caption,
                    file_name,
                    ..
                },
                ApiVersion::V1,
            ) => (
                "sendMedia",
                json!({
                    "number": number,
                    "options": { "delay": delay_ms, "presence": "composing" },
                    "mediaMessage": {
                        "mediatype": mediatype,
                        "media": url,
                        "caption": caption,
                        "fileName": file_name,
                    },
                }),
            ),
            (Self::Audio { url }, ApiVersion::V2) => (
                "sendWhatsAppAudio",
                json!({ "number": number, "audio": url, "delay": delay_ms, "encoding": true }),
            ),
            (Self::Audio { url }, ApiVersion::V1) => (
                "sendWhatsAppAudio",
                json!({
                    "number": number,
                    "options": { "delay": delay_ms, "presence": "recording", "encoding": true },
                    "audioMessage": { "audio": url },
                }),
            ),
            (
                Self::Poll {
                    name,
                    values,
                    selectable_count,
                },
                ApiVersion::V2,
            ) => (
                "sendPoll",
                json!({
                    "number": number,
                    "name": name,
                    "selectableCount": selectable_count,
                    "values": values,
                    "delay": delay_ms,
                }),
            ),
            (
                Self::Poll {
                    name,
                    values,
                    selectable_count,
                },
                ApiVersion::V1,
            ) => (
                "sendPoll",
                json!({
                    "number": number,
                    "options": { "delay": delay_ms, "presence": "composing" },
                    "pollMessage": {
                        "name": name,
                        "selectableCount": selectable_count,
                        "values": values,
                    },
                }),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo() -> Outgoing {
        Outgoing::Media {
            mediatype: "image".into(),
            mimetype: "image/jpeg".into(),
            url: "https://flow.example/media/t0k3n".into(),
            caption: "Oferta, *Maria*!".into(),
            file_name: "oferta.jpg".into(),
        }
    }

    #[test]
    fn media_is_flat_in_v2_and_nested_in_v1() {
        let (route, v2) = photo().request(ApiVersion::V2, "5511987654321", 1200);
        assert_eq!(route, "sendMedia");
        assert_eq!(v2["media"], "https://flow.example/media/t0k3n");
        assert_eq!(v2["mediatype"], "image");
        assert_eq!(v2["mimetype"], "image/jpeg");
        assert_eq!(v2["fileName"], "oferta.jpg");
        assert_eq!(v2["delay"], 1200);
        let (_, v1) = photo().request(ApiVersion::V1, "5511987654321", 1200);
        assert_eq!(v1["mediaMessage"]["caption"], "Oferta, *Maria*!");
        assert_eq!(v1["options"]["delay"], 1200);
        assert!(v1.get("media").is_none());
    }

    #[test]
    fn a_voice_note_is_encoded_in_both_versions() {
        let audio = Outgoing::Audio {
            url: "https://flow.example/media/a".into(),
        };
        let (route, v2) = audio.request(ApiVersion::V2, "5511", 0);
        assert_eq!(route, "sendWhatsAppAudio");
        assert_eq!(v2["encoding"], true);
        assert_eq!(v2["audio"], "https://flow.example/media/a");
        let (_, v1) = audio.request(ApiVersion::V1, "5511", 0);
        assert_eq!(v1["audioMessage"]["audio"], "https://flow.example/media/a");
        assert_eq!(v1["options"]["encoding"], true);
    }

    #[test]
    fn a_poll_names_its_options() {
        let poll = Outgoing::Poll {
            name: "Qual horário você prefere?".into(),
            values: vec!["Manhã".into(), "Tarde".into()],
            selectable_count: 1,
        };
        let (route, v2) = poll.request(ApiVersion::V2, "5511", 0);
        assert_eq!(route, "sendPoll");
        assert_eq!(v2["selectableCount"], 1);
        assert_eq!(v2["values"][1], "Tarde");
        let (_, v1) = poll.request(ApiVersion::V1, "5511", 0);
        assert_eq!(v1["pollMessage"]["name"], "Qual horário você prefere?");
    }
}
