//! The JSON shapes of following up (issue 25): tracked links and their clicks, follow-up
//! campaigns to one segment of a campaign's recipients, and sales traced back to a campaign.

use serde::{Deserialize, Serialize};

/// UTM parameters added to a campaign's tracked links (those a link already has are kept).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Utm {
    /// `utm_source` (e.g. `whatsapp`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `utm_medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    /// `utm_campaign`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub campaign: Option<String>,
    /// `utm_content`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
}

/// One tracked link of a campaign.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LinkClicks {
    /// The link as the message wrote it.
    pub url: String,
    /// Clicks by people (previews and crawlers never count).
    pub total: i64,
    /// People who clicked it.
    pub unique: i64,
}

/// The clicks of a campaign (or of one variant).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClickStats {
    /// Clicks by people on any of its links.
    pub total: i64,
    /// People who clicked at least once.
    pub unique: i64,
    /// 100 × unique / delivered.
    pub rate: f64,
    /// Per link, most clicked first (empty for a variant).
    #[serde(default)]
    pub links: Vec<LinkClicks>,
}

/// Who of a campaign's recipients a follow-up goes to.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    /// Delivered, never read.
    NotRead,
    /// Read, never replied.
    ReadNotReplied,
    /// Delivered or read, never clicked a link.
    NotClicked,
    /// Clicked a link.
    Clicked,
}

impl Segment {
    /// Every segment.
    pub const ALL: [Segment; 4] = [
        Segment::NotRead,
        Segment::ReadNotReplied,
        Segment::NotClicked,
        Segment::Clicked,
    ];

    /// Its wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::NotRead => "not_read",
            Segment::ReadNotReplied => "read_not_replied",
            Segment::NotClicked => "not_clicked",
            Segment::Clicked => "clicked",
        }
    }

    /// The segment named `s`.
    pub fn parse(s: &str) -> Option<Segment> {
        Segment::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// The least age (hours) of the parent's messages a follow-up may go to.
pub const MIN_AGE_HOURS: i32 = 12;
/// The greatest (10 days).
pub const MAX_AGE_HOURS: i32 = 240;
/// The default.
pub const DEFAULT_AGE_HOURS: i32 = 24;

/// `POST /api/v1/campaigns/{id}/follow-up`: a draft follow-up of a started campaign.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewFollowUp {
    /// Who of the parent's recipients get it (evaluated when it starts).
    pub segment: Segment,
    /// Only recipients whose parent message is at least this old when it starts (12–240,
    /// default 24).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(minimum = 12, maximum = 240))]
    pub min_age_hours: Option<i32>,
    /// Its text (spintax and placeholders); the parent's when empty and nothing else is given.
    #[serde(default)]
    pub message: Option<String>,
    /// More variants.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variants: Vec<crate::types::VariantInput>,
    /// A file sent with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<crate::messages::CampaignMedia>,
    /// Its name (default "Lembrete: {parent}").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What a follow-up follows.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FollowUpOf {
    /// The parent campaign.
    pub parent_id: i64,
    /// Its name.
    pub parent_name: String,
    /// The segment of its recipients.
    pub segment: Segment,
    /// Least age of the parent's messages, hours.
    pub min_age_hours: i32,
}

/// One follow-up of a campaign, as its parent shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct FollowUpSummary {
    /// The follow-up campaign.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: String,
    /// Its segment.
    pub segment: Segment,
    /// Recipients (0 until it starts).
    pub total: i64,
    /// Read.
    pub read: i64,
}

/// The parent with its follow-ups: of the parent's delivered recipients, those who read the
/// parent or any follow-up.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CombinedResult {
    /// 100 × (read the parent or a follow-up) / the parent's delivered.
    pub read_rate: f64,
    /// Points over the parent's own read rate.
    pub gain_points: f64,
}

/// Sales traced to a campaign.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversionStats {
    /// Sales attributed to it.
    pub count: i64,
    /// Their value, in reais (`BRL`).
    pub revenue: f64,
    /// Revenue / messages sent.
    pub revenue_per_message: f64,
    /// `BRL`.
    pub currency: String,
}

/// `POST /api/v1/conversions`: a purchase a shop reports.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct NewConversion {
    /// The buyer's phone, as the shop has it (any Brazilian spelling).
    #[serde(default)]
    pub phone: Option<String>,
    /// Or the buyer's contact id.
    #[serde(default)]
    pub contact_id: Option<i64>,
    /// The purchase's value (reais, two decimals).
    pub value: f64,
    /// `BRL` (the only currency for now).
    #[serde(default = "brl")]
    pub currency: String,
    /// When the purchase happened (RFC 3339); now when absent.
    #[serde(default)]
    pub occurred_at: Option<String>,
    /// The shop's order id: a second report of the same order changes nothing.
    pub order_id: String,
    /// Attribute it to this campaign instead of the last one clicked or read.
    #[serde(default)]
    pub campaign_id: Option<i64>,
}

fn brl() -> String {
    "BRL".into()
}

/// A recorded sale.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ConversionView {
    /// Its id.
    pub id: i64,
    /// The shop's order id.
    pub order_id: String,
    /// The buyer, when known.
    pub contact_id: Option<i64>,
    /// The campaign it is attributed to, if any.
    pub campaign_id: Option<i64>,
    /// `click`, `read` or `explicit` (the report named the campaign); none when unattributed.
    pub attributed_by: Option<String>,
    /// Value, reais.
    pub value: f64,
    /// `BRL`.
    pub currency: String,
    /// When it happened.
    pub occurred_at: String,
}

/// The title and text of the page of a tracked link that leads nowhere, in `locale`; `later`
/// when it may work again in a moment (the database is away).
#[cfg(feature = "ssr")]
pub fn unavailable_link(locale: crate::i18n::Locale, later: bool) -> (String, String) {
    use crate::i18n::td_string;
    if later {
        (
            td_string!(locale, links.later_title).to_string(),
            td_string!(locale, links.later_text).to_string(),
        )
    } else {
        (
            td_string!(locale, links.unknown_title).to_string(),
            td_string!(locale, links.unknown_text).to_string(),
        )
    }
}
