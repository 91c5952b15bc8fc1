//! The JSON shapes of what the campaigns teach (issue 23): time to deliver and to read, the
//! best hour to send, recipients waiting for their hour, and campaigns side by side.

use serde::{Deserialize, Serialize};

/// One bar of the time-to-read histogram: messages read within `le_secs` of being sent (and
/// after the previous bar's bound); the last bar has `le_secs: null` (longer than a day).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistogramBucket {
    /// Upper bound in seconds, inclusive; `null` for the open last bar.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub le_secs: Option<i64>,
    /// Messages in this bar.
    pub count: i64,
}

/// How long messages took to be delivered and read, from the receipts' times. Percentiles are
/// nearest-rank (the value at rank ⌈p·n⌉ of the sorted times), `null` while there is no data.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignTiming {
    /// Median seconds from sent to delivered.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub deliver_p50_secs: Option<i64>,
    /// 90th percentile, sent to delivered.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub deliver_p90_secs: Option<i64>,
    /// Median seconds from sent to read.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub read_p50_secs: Option<i64>,
    /// 90th percentile, sent to read.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub read_p90_secs: Option<i64>,
    /// Messages read, by time to read (every bar, empty ones too).
    pub read_histogram: Vec<HistogramBucket>,
}

/// One weekday × hour of the best-hours grid, in the team's timezone.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HourCell {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Hour of the day, 0–23.
    pub hour: u8,
    /// Messages sent in this hour.
    pub sends: i64,
    /// Messages read in this hour (counted when the read happened).
    pub reads: i64,
    /// Replies received in this hour (counted when they happened).
    pub replies: i64,
    /// Person-hours a contact was seen online (`presence.update` "available") in this hour.
    pub active: i64,
}

/// A weekday and hour.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Slot {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    pub weekday: u8,
    /// Hour of the day, 0–23.
    pub hour: u8,
}

/// The hours to send in: the send slots whose messages were read (or answered) within the
/// hour most often, per message sent in them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Recommendation {
    /// The best slots (at most three), by weekday and hour.
    pub slots: Vec<Slot>,
    /// Share (0–1) of the messages sent in these slots read or answered within an hour.
    pub read_rate: f64,
    /// The same share over every message sent: what the slots beat.
    pub baseline_rate: f64,
    /// Messages sent in these slots: what the rates rest on.
    pub evidence: i64,
}

/// What the grid rests on, and the thresholds a recommendation needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Evidence {
    /// Messages sent.
    pub sends: i64,
    /// Messages read.
    pub reads: i64,
    /// Replies.
    pub replies: i64,
    /// Messages sent at a random hour to keep learning (`send_at_best_hour` exploration).
    pub explored: i64,
    /// Messages sent a recommendation needs in all.
    pub min_sends: i64,
    /// Messages sent a slot needs to be recommended.
    pub min_slot_sends: i64,
}

/// `GET /api/v1/insights/best-hours`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BestHours {
    /// The team's IANA timezone the grid is in.
    pub timezone: String,
    /// 168 cells, Monday 0h first.
    pub cells: Vec<HourCell>,
    /// `null` until there is enough data ("not enough data yet").
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub recommendation: Option<Recommendation>,
    /// What it rests on.
    pub evidence: Evidence,
}

/// Recipients of a `send_at_best_hour` campaign waiting for one hour.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DueHour {
    /// When they become due, RFC 3339 UTC.
    pub at: String,
    /// Recipients due then.
    pub count: i64,
    /// Of them, given a random hour to keep learning.
    pub explored: i64,
}

/// One campaign in a comparison.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ComparedCampaign {
    /// Campaign id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its status.
    pub status: String,
    /// Recipients.
    pub size: i64,
    /// Messages sent.
    pub sent: i64,
    /// Percent of sent messages delivered.
    pub delivery_rate: f64,
    /// Percent of sent messages read.
    pub read_rate: f64,
    /// Percent of sent messages answered.
    pub reply_rate: f64,
    /// Percent of sent messages whose person opted out.
    pub opt_out_rate: f64,
    /// Percent of sent messages revoked.
    pub deletion_rate: f64,
    /// Median seconds from sent to read.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub read_p50_secs: Option<i64>,
    /// The variant with the best read rate (0 = `message`), for campaigns with variants.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub best_variant: Option<i32>,
    /// Percent of delivered messages whose person clicked a link.
    #[serde(default)]
    pub click_rate: f64,
    /// Sales traced to it.
    #[serde(default)]
    pub conversions: i64,
    /// Their value, reais.
    #[serde(default)]
    pub revenue: f64,
    /// Revenue per message sent, reais.
    #[serde(default)]
    pub revenue_per_message: f64,
}

/// `GET /api/v1/campaigns/compare`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Comparison {
    /// The campaigns, in the order asked.
    pub campaigns: Vec<ComparedCampaign>,
}
