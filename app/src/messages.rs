//! The JSON shapes of what a campaign sends besides text (issue 24): uploaded media, a
//! campaign's photo/video/document/voice note, polls and their votes, and a test send.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An uploaded file (`POST /api/v1/media`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MediaView {
    /// Its id, for a campaign's `media.media_id`.
    pub id: i64,
    /// `image`, `video`, `audio` or `document`, read from its content.
    pub kind: String,
    /// Its MIME type, read from its content.
    pub mimetype: String,
    /// Bytes.
    pub size: i64,
    /// SHA-256 of its bytes, lowercase hex (the same file uploaded twice is stored once).
    pub sha256: String,
    /// The uploaded file's name.
    pub file_name: String,
    /// A voice note's length in seconds (OGG/Opus files), when known.
    #[serde(default)]
    pub duration_secs: Option<i64>,
}

/// What a campaign (or one of its variants) sends with its text.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignMedia {
    /// `image`, `video`, `document` or `audio` (a recorded voice note); must match the file.
    pub kind: String,
    /// An uploaded file of this tenant.
    pub media_id: i64,
    /// The caption (placeholders and spintax like the text); without one the variant's text is
    /// the caption. Voice notes have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// The name a document shows (the uploaded name without one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
}

/// A poll a campaign sends instead of text.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Poll {
    /// The question (placeholders like the text).
    pub question: String,
    /// 2 to 12 distinct options.
    #[cfg_attr(feature = "ssr", schema(min_items = 2, max_items = 12))]
    pub options: Vec<String>,
    /// How many options one person may pick (1 to the number of options).
    #[serde(default = "one")]
    pub selectable_count: u32,
    /// Voters for an option go on a list: option text → list id ("Quero o catálogo" → 7).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub option_lists: BTreeMap<String, i64>,
}

fn one() -> u32 {
    1
}

/// One option of a poll and the people whose latest vote picked it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PollOptionResult {
    /// The option.
    pub option: String,
    /// Voters whose latest vote includes it.
    pub votes: i64,
    /// The list its voters join, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_id: Option<i64>,
    /// That list's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_name: Option<String>,
}

/// A poll's results: each person's latest vote counts once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PollResults {
    /// The question.
    pub question: String,
    /// Per option, in the poll's order.
    pub options: Vec<PollOptionResult>,
    /// People who voted (a changed vote counts once).
    pub voters: i64,
}

/// `POST /api/v1/campaigns/{id}/test`: every variant, to one number.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TestSendRequest {
    /// The number to send to (any spelling of a number).
    pub phone: String,
    /// Render the placeholders with this contact's data (else a sample person's).
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// Send through this instance of the campaign (else its first connected one).
    #[serde(default)]
    pub instance_id: Option<i64>,
}

/// How one variant's test send went.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TestSendResult {
    /// 0 for `message`, then 1, 2 … for `variants`.
    pub variant: i32,
    /// WhatsApp's id of the message, when Evolution accepted it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// Why it was not sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The answer of a test send.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TestSendReport {
    /// The number it went to (digits).
    pub phone: String,
    /// The instance that sent it.
    pub instance_id: i64,
    /// One per variant.
    pub results: Vec<TestSendResult>,
}
