//! The typed events Flow acts on, as read from Evolution webhooks, and the vocabularies
//! (message receipt statuses, connection states) mapped from Evolution's words.
//!
//! This module owns the types and the word mappings only. Ranks and transitions of a
//! campaign contact's status belong to the domain, not here.

use serde_json::Value;

/// A message receipt status, mapped from Evolution's words (any version or channel).
///
/// | Evolution (Baileys) | Cloud API | Baileys number | here |
/// |---|---|---|---|
/// | `ERROR` | `FAILED` | 0 | [`Failed`](Self::Failed) |
/// | `PENDING` | | 1 | [`Pending`](Self::Pending) |
/// | `SERVER_ACK` | `SENT` | 2 | [`Sent`](Self::Sent) |
/// | `DELIVERY_ACK` | `DELIVERED` | 3 | [`Delivered`](Self::Delivered) |
/// | `READ` | `READ` | 4 | [`Read`](Self::Read) |
/// | `PLAYED` | | 5 | [`Played`](Self::Played) |
/// | `DELETED` | `DELETED` | | [`Deleted`](Self::Deleted) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReceiptStatus {
    /// Queued on the sending phone/server (`PENDING`, 1). Carries no progress.
    Pending,
    /// Accepted by WhatsApp's server, one grey tick (`SERVER_ACK`, `SENT`, 2).
    Sent,
    /// Delivered to the recipient's device (`DELIVERY_ACK`, `DELIVERED`, 3).
    Delivered,
    /// Read (`READ`, 4).
    Read,
    /// A voice note or video played (`PLAYED`, 5): read, and heard.
    Played,
    /// Sending failed (`ERROR`, `FAILED`, 0).
    Failed,
    /// The message was deleted (`DELETED`): for analytics only.
    Deleted,
}

impl ReceiptStatus {
    /// Maps an Evolution status word (case-insensitive, trimmed), e.g. `DELIVERY_ACK`.
    /// A decimal string is read as a Baileys number. `None` for anything unknown.
    pub fn from_word(word: &str) -> Option<Self> {
        let word = word.trim();
        if let Ok(code) = word.parse::<u64>() {
            return Self::from_baileys_code(code);
        }
        match word.to_ascii_uppercase().as_str() {
            "PENDING" => Some(Self::Pending),
            "SERVER_ACK" | "SENT" => Some(Self::Sent),
            "DELIVERY_ACK" | "DELIVERED" => Some(Self::Delivered),
            "READ" => Some(Self::Read),
            "PLAYED" => Some(Self::Played),
            "ERROR" | "FAILED" => Some(Self::Failed),
            "DELETED" => Some(Self::Deleted),
            _ => None,
        }
    }

    /// Maps a raw Baileys `WAMessageStatus` number: 0 ERROR, 1 PENDING, 2 SERVER_ACK,
    /// 3 DELIVERY_ACK, 4 READ, 5 PLAYED. `None` outside 0-5.
    pub fn from_baileys_code(code: u64) -> Option<Self> {
        match code {
            0 => Some(Self::Failed),
            1 => Some(Self::Pending),
            2 => Some(Self::Sent),
            3 => Some(Self::Delivered),
            4 => Some(Self::Read),
            5 => Some(Self::Played),
            _ => None,
        }
    }

    /// Maps a JSON status: a word (see [`from_word`](Self::from_word)) or a Baileys number.
    pub fn from_json(value: &Value) -> Option<Self> {
        match value {
            Value::String(word) => Self::from_word(word),
            Value::Number(n) => n.as_u64().and_then(Self::from_baileys_code),
            _ => None,
        }
    }

    /// Lower-case name, for logs and JSON (`"delivered"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Played => "played",
            Self::Failed => "failed",
            Self::Deleted => "deleted",
        }
    }
}

/// One receipt for a message we sent (`messages.update` with `fromMe: true`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusUpdate {
    /// WhatsApp message id (v2 `keyId`, v1 `id`, raw Baileys `key.id`): the join key with
    /// `campaign_contact.whatsapp_message_id`.
    pub message_id: String,
    /// The chat jid as sent; may be an `@lid`, so never join on it.
    pub remote_jid: Option<String>,
    /// The new status.
    pub status: ReceiptStatus,
}

/// A message received from a contact (`messages.upsert`, `fromMe: false`, not a group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMessage {
    /// WhatsApp id of the incoming message (`key.id`).
    pub message_id: Option<String>,
    /// The chat jid (`key.remoteJid`): `@s.whatsapp.net` or `@lid`.
    pub remote_jid: String,
    /// The contact's phone (digits), from the first of `remoteJid`, `remoteJidAlt`,
    /// `senderPn`, `participantAlt` that is a phone jid. `None` for an `@lid` chat without
    /// an alternative phone.
    pub phone: Option<String>,
    /// The contact's WhatsApp display name.
    pub push_name: Option<String>,
    /// The message text (see [`super::message_text()`]); `None` for media without caption,
    /// stickers, reactions, ...
    pub text: Option<String>,
    /// Id of the message this one quotes (replies to), e.g. a campaign message.
    pub quoted_message_id: Option<String>,
    /// `messageTimestamp` in seconds since the epoch.
    pub timestamp: Option<i64>,
    /// The person's linked id (`@lid`), when the key names one beside (or instead of) the phone.
    pub lid: Option<String>,
}

/// A message revoked for everyone (`messages.delete`). WhatsApp never tells a sender that the
/// recipient deleted a message only for themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revoke {
    /// WhatsApp id of the revoked message (`key.id`, or `id` of a bare key).
    pub message_id: String,
    /// `true`: one of our messages (a campaign message) was revoked by the team; `false`: the
    /// contact revoked their own message (a reply). Unknown when the key lacks it.
    pub from_me: Option<bool>,
}

/// A contact seen on WhatsApp (`presence.update`): online, typing or recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    /// The contact's phone (digits), when the jid is a phone jid.
    pub phone: Option<String>,
    /// The contact's linked id, when the jid is an `@lid`.
    pub lid: Option<String>,
}

/// What WhatsApp says about a contact (`contacts.upsert` / `contacts.update`, and the key of
/// `messages.upsert`): their display name and the phone ↔ `@lid` pair when it shows both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactSeen {
    /// The contact's phone (digits).
    pub phone: Option<String>,
    /// The contact's linked id.
    pub lid: Option<String>,
    /// The name the person gave themselves on WhatsApp.
    pub push_name: Option<String>,
}

/// A person's vote on a poll we sent: their whole current choice (a changed vote replaces the
/// previous one; no option = the vote was withdrawn). docs/notes/evolution-media-polls.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollVote {
    /// WhatsApp id of the poll message (the campaign message).
    pub poll_message_id: String,
    /// The voter's phone (digits), when a phone jid names them.
    pub phone: Option<String>,
    /// The voter's linked id, when an `@lid` names them.
    pub lid: Option<String>,
    /// The option texts chosen.
    pub options: Vec<String>,
    /// When they voted (milliseconds since the epoch), when the event says: a change of mind
    /// seconds later must still sort after the first vote.
    pub at_ms: Option<i64>,
}

/// Our own API send, echoed by Evolution as `send.message` (status `PENDING`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentMessage {
    /// WhatsApp message id (`key.id`), the same the `sendText` response returned.
    pub message_id: String,
    /// Recipient phone (digits) from `key.remoteJid`, if it is a phone jid.
    pub phone: Option<String>,
}

/// An instance's WhatsApp connection state (`connection.update` `state`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ConnectionState {
    /// Connected.
    Open,
    /// Connecting or reconnecting.
    Connecting,
    /// Closed. In v2 (2.3.x): logged out or banned; in v1 also before an automatic reconnect.
    Close,
    /// The QR code limit was reached without pairing.
    Refused,
    /// Any other state word, as sent.
    Other(String),
}

impl ConnectionState {
    /// Maps a state word (case-insensitive, trimmed); unknown words become
    /// [`Other`](Self::Other) with the original text.
    pub fn from_word(word: &str) -> Self {
        match word.trim().to_ascii_lowercase().as_str() {
            "open" => Self::Open,
            "connecting" => Self::Connecting,
            "close" => Self::Close,
            "refused" => Self::Refused,
            _ => Self::Other(word.to_owned()),
        }
    }

    /// The state word (`"open"`, ...; `Other` gives its own text).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Open => "open",
            Self::Connecting => "connecting",
            Self::Close => "close",
            Self::Refused => "refused",
            Self::Other(word) => word,
        }
    }
}

/// A `connection.update` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionUpdate {
    /// The new state.
    pub state: ConnectionState,
    /// Baileys disconnect reason / HTTP-like code (200 when fine, 401 logged out, 428 QR
    /// limit, ...).
    pub status_reason: Option<i64>,
    /// The number the instance is connected as (digits), from `wuid` when it opens.
    pub phone: Option<String>,
}

/// A QR code to pair an instance with a phone (`qrcode.updated`, or the answer of
/// `GET /instance/connect/{instance}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    /// `data:image/png;base64,…` of the QR.
    pub base64: String,
    /// The code to type on the phone instead of scanning, when Evolution gives one.
    pub pairing_code: Option<String>,
    /// The raw QR payload (`2@…`).
    pub code: Option<String>,
}

/// What a webhook means for Flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// messages.update receipts for messages WE sent (fromMe true); may be several if data is an array
    MessageStatus(Vec<StatusUpdate>),
    /// messages.upsert from a contact (fromMe false, not a group)
    MessageReceived(IncomingMessage),
    /// send.message (our API send echoed)
    MessageSent(SentMessage),
    /// connection.update: the instance's connection changed.
    Connection(ConnectionUpdate),
    /// qrcode.updated: a new QR code to pair the instance.
    QrCode(QrCode),
    /// messages.delete: a message revoked for everyone.
    Revoked(Revoke),
    /// presence.update: contacts seen online (only active states are kept).
    Presence(Vec<Presence>),
    /// contacts.upsert / contacts.update: names and `@lid` pairs.
    ContactsSeen(Vec<ContactSeen>),
    /// A vote on a poll we sent (`messages.update` with `pollUpdates` in v1.8 and 2.2.x,
    /// `messages.upsert` of a `pollUpdateMessage` from 2.3.7).
    PollVoted(PollVote),
    /// Anything stored but not acted on.
    Ignored {
        /// Short snake_case word: `unsupported_event` (event Flow does not handle),
        /// `from_contact` (receipt for a message the contact sent), `edit` (an edit or poll
        /// vote delivered as messages.update), `no_status` (update without a status),
        /// `empty` (empty array), `qr_limit` (Evolution stopped showing QR codes), `from_me` (our own message typed on the phone), `group`,
        /// `status_broadcast`, `broadcast`, `newsletter`.
        reason: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn receipt_words_numbers_and_cloud_api() {
        let cases = [
            (json!("SERVER_ACK"), Some(ReceiptStatus::Sent)),
            (json!("DELIVERY_ACK"), Some(ReceiptStatus::Delivered)),
            (json!("READ"), Some(ReceiptStatus::Read)),
            (json!("PLAYED"), Some(ReceiptStatus::Played)),
            (json!("ERROR"), Some(ReceiptStatus::Failed)),
            (json!("PENDING"), Some(ReceiptStatus::Pending)),
            (json!("DELETED"), Some(ReceiptStatus::Deleted)),
            (json!("SENT"), Some(ReceiptStatus::Sent)),
            (json!("DELIVERED"), Some(ReceiptStatus::Delivered)),
            (json!("FAILED"), Some(ReceiptStatus::Failed)),
            (json!("delivered"), Some(ReceiptStatus::Delivered)),
            (json!(" read "), Some(ReceiptStatus::Read)),
            (json!(0), Some(ReceiptStatus::Failed)),
            (json!(1), Some(ReceiptStatus::Pending)),
            (json!(2), Some(ReceiptStatus::Sent)),
            (json!(3), Some(ReceiptStatus::Delivered)),
            (json!(4), Some(ReceiptStatus::Read)),
            (json!(5), Some(ReceiptStatus::Played)),
            (json!("3"), Some(ReceiptStatus::Delivered)),
            (json!(6), None),
            (json!(-1), None),
            (json!(2.5), None),
            (json!("WARNING"), None),
            (json!(""), None),
            (json!(null), None),
            (json!({"status": 3}), None),
        ];
        for (value, expected) in cases {
            assert_eq!(ReceiptStatus::from_json(&value), expected, "{value}");
        }
        assert_eq!(ReceiptStatus::Delivered.as_str(), "delivered");
    }

    #[test]
    fn connection_words() {
        assert_eq!(ConnectionState::from_word("open"), ConnectionState::Open);
        assert_eq!(ConnectionState::from_word("CLOSE"), ConnectionState::Close);
        assert_eq!(
            ConnectionState::from_word("connecting"),
            ConnectionState::Connecting
        );
        assert_eq!(
            ConnectionState::from_word("refused"),
            ConnectionState::Refused
        );
        assert_eq!(
            ConnectionState::from_word("Closed"),
            ConnectionState::Other("Closed".into())
        );
        assert_eq!(ConnectionState::Other("x".into()).as_str(), "x");
        assert_eq!(ConnectionState::Refused.as_str(), "refused");
    }
}
