//! The JSON shapes of Flow's API (`/api/v1`), shared by the server and the UI so both agree.
//! Timestamps are RFC 3339 strings in UTC.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/tenants` answer. The token is shown here once and never again.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TenantCreated {
    /// Tenant id.
    pub id: i64,
    /// Tenant name.
    pub name: String,
    /// The tenant's API bearer token.
    pub api_token: String,
}

/// Today's (UTC) message counters of an instance.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayCounts {
    /// Messages accepted by Evolution.
    pub sent: i64,
    /// Messages delivered.
    pub delivered: i64,
    /// Messages read.
    pub read: i64,
    /// Messages that failed.
    pub failed: i64,
}

/// A WhatsApp instance as the API shows it. The Evolution api_key is never included.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Instance))]
pub struct InstanceView {
    /// Instance id.
    pub id: i64,
    /// The Evolution instance name.
    pub instance_name: String,
    /// A name for people.
    pub friendly_name: String,
    /// Evolution's base URL.
    pub api_url: String,
    /// `v2` or `v1`.
    pub api_version: String,
    /// `open`, `connecting`, `close`, `refused`, `logged_out` (Evolution answered 401), `banned`
    /// (403), `restricted` (402), `locked` (406), `auth_failed` or `missing`.
    pub connection_state: String,
    /// Whether campaigns may send through it.
    pub active: bool,
    /// 0–100, higher is healthier.
    pub health_score: i32,
    /// Where Evolution must post this instance's webhooks (carries the secret).
    pub webhook_url: String,
    /// The webhook secret, for the `Authorization: Bearer` and `jwt_key` modes.
    pub webhook_secret: String,
    /// Today's counters.
    pub today: DayCounts,
    /// When the last webhook of this instance arrived.
    pub last_event_at: Option<String>,
    /// Webhook events stored but not applied yet; the server retries them (also
    /// `server webhooks reprocess`).
    #[serde(default)]
    pub unprocessed_events: i64,
    /// Its warm-up today.
    #[serde(default)]
    pub warmup: WarmupView,
    /// Its risk of losing the number, from its last sends.
    #[serde(default)]
    pub risk: RiskView,
    /// The number it is connected as (E.164 digits), once Evolution said so (`wuid`).
    #[serde(default)]
    pub phone: Option<String>,
}

/// One reason an instance is at risk.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RiskSignal {
    /// `opt_outs`, `not_on_whatsapp` or `failures`.
    pub signal: String,
    /// Its share of the last sends, percent.
    pub percent: f64,
    /// The share that pauses the campaigns, percent.
    pub limit_percent: i64,
    /// `attention` or `high`.
    pub level: String,
}

/// An instance's risk level and why.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RiskView {
    /// `ok`, `attention` or `high`.
    pub level: String,
    /// What raised it.
    pub signals: Vec<RiskSignal>,
}

impl InstanceView {
    /// Clears what lets someone post webhooks as this instance (the URL carries the secret):
    /// the view for people who may not configure Evolution (viewers).
    pub fn hide_secrets(&mut self) {
        self.webhook_url.clear();
        self.webhook_secret.clear();
    }
}

/// A recipient's `error` when the sender refused their number: not a valid phone number with its
/// country code (a number stored before numbers were checked), so Evolution was never asked.
pub const INVALID_NUMBER_ERROR: &str =
    "invalid number: not a valid phone number with its country code, so it was not sent";

/// A recipient's `error` when Evolution said the number has no WhatsApp account.
pub const NOT_ON_WHATSAPP_ERROR: &str = "not on WhatsApp";

/// A contact as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Contact))]
pub struct ContactView {
    /// Contact id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E.164 digits without `+`.
    pub phone: String,
    /// `mobile`, `landline`, `other`, or `invalid` (a number stored before numbers were
    /// checked that is not one: never sent to); null until checked.
    #[serde(default)]
    pub line_type: Option<String>,
    /// Whether the contact opted out (LGPD): never messaged again.
    pub opted_out: bool,
    /// When they opted out.
    pub opted_out_at: Option<String>,
    /// The keyword that opted them out.
    pub opt_out_keyword: Option<String>,
    /// Last incoming message.
    pub last_interaction_at: Option<String>,
    /// Incoming messages counted.
    pub total_messages_received: i64,
    /// When the contact was created.
    pub created_at: String,
}

/// A row that a contact import rejected.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InvalidContact {
    /// The phone as given.
    pub phone: String,
    /// Why it was rejected.
    pub error: String,
}

/// `POST /api/v1/contacts` answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ImportReport {
    /// New contacts.
    pub created: u64,
    /// Existing contacts whose name changed.
    pub updated: u64,
    /// Rejected rows.
    pub invalid: Vec<InvalidContact>,
}

/// Pacing of a campaign's sends.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Settings))]
#[serde(deny_unknown_fields)]
pub struct CampaignSettings {
    /// Shortest pause between two messages of one instance.
    pub min_delay_ms: i64,
    /// Longest pause between two messages of one instance.
    pub max_delay_ms: i64,
    /// At most this many messages per instance per day (UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_cap_per_instance: Option<i64>,
    /// Send only inside this daily window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_window: Option<SendWindow>,
    /// Weekdays it may send on (`mon` … `sun`); empty = every day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub send_days: Vec<String>,
}

/// A daily window of local time in which a campaign may send, e.g. 08:00–20:00 in the
/// tenant's timezone (DST-safe).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SendWindow {
    /// Start, `HH:MM`.
    pub start: String,
    /// End, `HH:MM` (exclusive; may be earlier than start for a window across midnight).
    pub end: String,
    /// A fixed offset from UTC in minutes (Brasília: -180) instead of the tenant's timezone;
    /// leave it out to follow the tenant's timezone and its DST changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utc_offset_minutes: Option<i32>,
}

/// A campaign's counters; each equals a recount of its contacts' rows.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignCounts {
    /// Contacts in the campaign.
    pub total: i64,
    /// Not sent yet (pending or being sent).
    pub pending: i64,
    /// Accepted by Evolution (has a WhatsApp message id).
    pub sent: i64,
    /// Delivered (or read).
    pub delivered: i64,
    /// Read.
    pub read: i64,
    /// Failed.
    pub failed: i64,
    /// Opted out during the campaign (or before, and so never sent).
    pub opted_out: i64,
    /// Replied.
    pub replied: i64,
    /// Cancelled before sending.
    pub cancelled: i64,
    /// Sent, then revoked ("apagada para todos"); still counted where its receipts put it.
    #[serde(default)]
    pub deleted: i64,
    /// Voice notes and videos played ("ouvidas"); also counted in `read`.
    #[serde(default)]
    pub played: i64,
}

/// A campaign as the API shows it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Campaign))]
pub struct CampaignView {
    /// Campaign id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Message template.
    pub message: String,
    /// `draft`, `scheduled`, `active`, `paused`, `completed` or `cancelled`.
    pub status: String,
    /// When a `scheduled` campaign starts by itself.
    #[serde(default)]
    pub start_at: Option<String>,
    /// Why it is paused (`manual`, `instance_disconnected`, …).
    pub pause_reason: Option<String>,
    /// Pacing.
    pub settings: CampaignSettings,
    /// The instances that send it.
    pub instance_ids: Vec<i64>,
    /// Counters.
    pub counts: CampaignCounts,
    /// 100 × delivered / sent.
    pub delivery_rate: f64,
    /// 100 × read / delivered.
    pub read_rate: f64,
    /// Creation time.
    pub created_at: String,
    /// First start.
    pub started_at: Option<String>,
    /// Completion or cancellation.
    pub finished_at: Option<String>,
    /// Every message variant (the first is `message`) with its own counters: the A/B results of
    /// a campaign with two variants or more (empty for a campaign of one message).
    #[serde(default)]
    pub variants: Vec<VariantView>,
    /// What the A/B results say, when the campaign has two variants or more: a two-proportion
    /// z-test between the best and the worst variant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ab_test: Option<AbVerdict>,
    /// An active campaign outside its send window: when the window opens (RFC 3339), and the
    /// local time it opens at (`08:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waiting_for_window: Option<WindowOpens>,
    /// How its next sends are spread over its instances (when it has two or more and may
    /// still send): each one's share by remaining capacity today and health.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rotation: Vec<RotationShare>,
    /// Each recipient is due at their own best hour (within 24 h of the start).
    #[serde(default)]
    pub send_at_best_hour: bool,
    /// Recipients of a `send_at_best_hour` campaign still waiting for their hour, soonest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub due_hours: Vec<crate::insights::DueHour>,
    /// Time to deliver and to read (`GET /api/v1/campaigns/{id}` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<crate::insights::CampaignTiming>,
    /// The photo, video, document or voice note it sends, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<crate::messages::CampaignMedia>,
    /// The poll it sends, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<crate::messages::Poll>,
    /// The poll's votes so far (each person's latest vote), when it sends a poll.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_results: Option<crate::messages::PollResults>,
    /// Whether its links are rewritten and their clicks counted.
    #[serde(default = "yes")]
    pub track_links: bool,
    /// The UTM parameters its links get, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<crate::follow_up::Utm>,
    /// Clicks by people on its tracked links.
    #[serde(default)]
    pub clicks: crate::follow_up::ClickStats,
    /// Sales traced to it.
    #[serde(default)]
    pub conversions: crate::follow_up::ConversionStats,
    /// What it follows up, when it is a follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follow_up: Option<crate::follow_up::FollowUpOf>,
    /// Its follow-ups, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<crate::follow_up::FollowUpSummary>,
    /// Its read rate counting the reads of its follow-ups, when it has started ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub combined: Option<crate::follow_up::CombinedResult>,
}

fn yes() -> bool {
    true
}

/// One instance's part in a campaign's rotation.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct RotationShare {
    /// Instance id.
    pub instance_id: i64,
    /// Its name for people.
    pub name: String,
    /// Its share of the campaign's next sends, percent (0: out of the rotation now).
    pub share_percent: f64,
    /// Messages it may still send today (warm-up step or the campaign's daily cap, minus what
    /// it sent today over every campaign); `None` when uncapped.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub remaining_today: Option<i64>,
    /// Its risk level: `ok`, `attention` or `high`.
    pub risk: String,
    /// Whether it can send now (active and connected).
    pub available: bool,
}

/// When a closed send window opens.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WindowOpens {
    /// The instant, RFC 3339 UTC.
    pub at: String,
    /// The local wall-clock time, `HH:MM`.
    pub local_time: String,
}

/// The recipients of one variant, recounted from their rows.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VariantCounts {
    /// Accepted by Evolution.
    pub sent: i64,
    /// Delivered (or read).
    pub delivered: i64,
    /// Read.
    pub read: i64,
    /// Replied.
    pub replied: i64,
    /// Opted out after getting it.
    pub opted_out: i64,
}

/// A variant's rates in percent of its sent messages (two decimals).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct VariantRates {
    /// 100 × delivered / sent.
    pub delivered: f64,
    /// 100 × read / sent.
    pub read: f64,
    /// 100 × replied / sent.
    pub replied: f64,
    /// 100 × opted out / sent.
    pub opted_out: f64,
}

/// One message variant of a campaign and how it did.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Variant))]
pub struct VariantView {
    /// 0 for `message`, then 1, 2 … for `variants`.
    pub index: i32,
    /// The variant's text (spintax and placeholders unfilled).
    pub text: String,
    /// Counters.
    pub counts: VariantCounts,
    /// Rates, in percent of the variant's sent messages.
    pub rates: VariantRates,
    /// The media this variant sends, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<crate::messages::CampaignMedia>,
    /// The variant's time to deliver and to read (`GET /api/v1/campaigns/{id}` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<crate::insights::CampaignTiming>,
    /// Clicks on its tracked links (rate over its delivered).
    #[serde(default)]
    pub clicks: crate::follow_up::ClickStats,
}

/// The verdict of a two-proportion z-test between the best and the worst variant.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum AbVerdict {
    /// Too few messages sent per variant to tell anything.
    NotEnoughData {
        /// Sent messages each variant needs.
        needed_per_variant: i64,
    },
    /// No variant is better beyond noise.
    NoDifference,
    /// One variant is better beyond noise (95 % confidence).
    Better {
        /// The better variant's index.
        variant: i32,
        /// `read` or `replied`.
        metric: String,
        /// Its rate, percent.
        rate: f64,
        /// The variant it beats.
        than: i32,
        /// That variant's rate, percent.
        than_rate: f64,
    },
}

/// `POST /api/v1/campaigns/preview` body: the texts a campaign form holds.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// The first variant.
    pub message: String,
    /// The others.
    #[serde(default)]
    pub variants: Vec<String>,
}

/// One rendering of a variant for a sample contact.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Rendering {
    /// The variant it comes from.
    pub variant: i32,
    /// The text as a recipient would get it.
    pub text: String,
}

/// `POST /api/v1/campaigns/preview` answer.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CampaignPreview {
    /// Distinct renderings, a few per variant.
    pub renderings: Vec<Rendering>,
    /// Every pair of renderings is too alike (token Jaccard ≥ 0.8) to vary anything.
    pub too_similar: bool,
}

/// One contact of a campaign and what happened to its message.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = CampaignContact))]
pub struct CampaignContactView {
    /// The recipient's row id in this campaign (increasing in campaign order): the `cursor` of
    /// the next page.
    pub id: i64,
    /// Contact id.
    pub contact_id: i64,
    /// Phone digits.
    pub phone: String,
    /// Contact name.
    pub name: String,
    /// `pending`, `sending`, `sent`, `delivered`, `read`, `failed`, `opted_out`, `cancelled`.
    pub status: String,
    /// WhatsApp message id once sent.
    pub whatsapp_message_id: Option<String>,
    /// Sent time.
    pub sent_at: Option<String>,
    /// Delivery time.
    pub delivered_at: Option<String>,
    /// Read time.
    pub read_at: Option<String>,
    /// Failure time.
    pub failed_at: Option<String>,
    /// Why it failed.
    pub error: Option<String>,
    /// When the contact replied.
    pub replied_at: Option<String>,
    /// When the contact first clicked one of its links.
    #[serde(default)]
    pub clicked_at: Option<String>,
}

/// One line of a campaign log.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = CampaignLog))]
pub struct CampaignLogView {
    /// Line id (increasing).
    pub id: i64,
    /// What kind of line, e.g. `campaign_started`, `contact_opted_out`.
    pub log_type: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    /// Text for people.
    pub message: String,
    /// Structured details.
    pub details: Option<serde_json::Value>,
    /// When it was written.
    pub created_at: String,
}

/// One step of a warm-up plan: from `day` (days since the number's first send through Flow)
/// it may send `cap` messages a day.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WarmupStep {
    /// First day of the step (0 = the day of the first send).
    pub day: i64,
    /// Messages a day.
    pub cap: i64,
}

impl WarmupStep {
    /// A plan as the settings form takes it: `day:cap` steps separated by commas, spaces or
    /// lines (`0:20, 4:50, 8:100`). Whether it ramps up is the server's check.
    pub fn parse_plan(text: &str) -> Result<Vec<WarmupStep>, crate::problem::Problem> {
        text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|step| !step.is_empty())
            .map(|step| {
                step.split_once(':')
                    .and_then(|(day, cap)| {
                        Some(WarmupStep {
                            day: day.trim().parse().ok()?,
                            cap: cap.trim().parse().ok()?,
                        })
                    })
                    .ok_or_else(|| crate::problem::Problem::WarmupPlan {
                        reason: format!("{step:?} is not day:messages"),
                    })
            })
            .collect()
    }

    /// `plan` written as [`WarmupStep::parse_plan`] reads it.
    pub fn plan_text(plan: &[WarmupStep]) -> String {
        plan.iter()
            .map(|s| format!("{}:{}", s.day, s.cap))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// An instance's warm-up today.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct WarmupView {
    /// Whether the instance follows the tenant's warm-up plan.
    pub enabled: bool,
    /// Days since its first send through Flow (0 before it).
    pub day: i64,
    /// What it may send today under the plan (`None` when not warming up).
    pub cap_today: Option<i64>,
    /// Messages it sent today (UTC day), over every campaign and process.
    pub sent_today: i64,
}

/// `POST /api/v1/instances` body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewInstance {
    /// The Evolution instance name (as in Evolution's URLs).
    pub instance_name: String,
    /// A name for people; defaults to the instance name.
    #[serde(default)]
    pub friendly_name: Option<String>,
    /// Evolution's base URL, e.g. `https://evo.example.com`.
    pub api_url: String,
    /// The Evolution api key of the instance (write-only).
    pub api_key: String,
    /// `v2` or `v1`. Leave it out: Flow detects it from Evolution's `GET /` version (1.x is v1,
    /// 2.x v2).
    #[serde(default)]
    pub api_version: Option<String>,
    /// A new number: its daily cap follows the tenant's warm-up plan.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(default = false))]
    pub warmup: bool,
}

/// `PATCH /api/v1/instances/{id}`: what an admin may change; absent fields stay.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct InstancePatch {
    /// A new name for people.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 100))]
    pub friendly_name: Option<String>,
    /// A new Evolution api key (write-only).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(min_length = 1, write_only))]
    pub api_key: Option<String>,
    /// Whether it follows the warm-up plan.
    #[serde(default)]
    pub warmup: Option<bool>,
}

/// Evolution's QR code to pair an instance (`POST /api/v1/instances/{id}/connect`, and the
/// `qrcode.updated` webhook live). All empty when the instance is already connected.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstanceQr {
    /// The instance.
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub instance_id: i64,
    /// `data:image/png;base64,…` of the QR to scan; empty when already connected.
    pub base64: String,
    /// The code to type on the phone instead of scanning, when Evolution gives one.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub pairing_code: Option<String>,
    /// The raw QR payload.
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub code: Option<String>,
    /// Whether the instance is already connected (no QR needed).
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(required = true))]
    pub connected: bool,
}

/// One day of an instance's numbers (`instance_daily_stats`).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InstanceDay {
    /// `YYYY-MM-DD`.
    #[cfg_attr(feature = "ssr", schema(format = Date))]
    pub day: String,
    /// Sent, delivered, read, failed that day.
    pub counts: DayCounts,
    /// Disconnections that day.
    pub disconnects: i64,
}

/// One contact of a `POST /api/v1/contacts` JSON array.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewContact {
    /// Name (may be empty).
    #[serde(default)]
    pub name: String,
    /// Phone in any common notation; stored as digits.
    pub phone: String,
}

/// `POST /api/v1/campaigns` body.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewCampaign {
    /// Name.
    pub name: String,
    /// The first variant: a template whose `{{name}}`, `{{first_name}}` and `{{phone}}` (or
    /// `{{nome}}`, `{{primeiro_nome}}`, `{{telefone}}`) and attribute placeholders (`{{cidade}}`)
    /// are filled per contact, and whose spintax `{Olá|Oi}` (nestable, `\{` escapes a brace)
    /// picks one option per contact. A placeholder that is neither a contact field nor an
    /// attribute of one of the team's contacts is refused (422, naming it).
    pub message: String,
    /// Instances that send it (at least one).
    pub instance_ids: Vec<i64>,
    /// The contacts, unless `all_contacts` is true.
    #[serde(default)]
    pub contact_ids: Option<Vec<i64>>,
    /// Every contact of the tenant.
    #[serde(default)]
    pub all_contacts: bool,
    /// The contacts on any of these lists (instead of `contact_ids` / `all_contacts`).
    #[serde(default)]
    pub list_ids: Option<Vec<i64>>,
    /// Minus the people on any of these lists.
    #[serde(default)]
    pub exclude_list_ids: Option<Vec<i64>>,
    /// Pacing; defaults to 3–10 s.
    #[serde(default)]
    pub settings: Option<CampaignSettings>,
    /// More variants of the message (spintax; at most 4, so 5 with `message`); each recipient
    /// gets one, evenly split.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ssr", schema(max_items = 4))]
    pub variants: Vec<VariantInput>,
    /// A photo, video, document or voice note sent with the message (its text is the caption
    /// unless `media.caption` says otherwise); variants written as text send it too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<crate::messages::CampaignMedia>,
    /// A poll sent instead of text (`message` may then be empty; no media, no variants).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll: Option<crate::messages::Poll>,
    /// Send each recipient at their best hour (from their reads and replies, else the
    /// audience's, else the start), within 24 h of the start and inside the send window.
    #[serde(default)]
    pub send_at_best_hour: bool,
    /// Rewrite its links to count clicks (`/l/{code}`, one per recipient and link); default
    /// true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub track_links: Option<bool>,
    /// UTM parameters added to its links' destinations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<crate::follow_up::Utm>,
}

/// One more variant of a campaign's message: its text, or its text and its own media.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum VariantInput {
    /// Spintax text (it sends the campaign's media, if any, with this text as the caption).
    Text(String),
    /// Spintax text with its own media.
    Message {
        /// Spintax text.
        text: String,
        /// Its media instead of the campaign's.
        #[serde(default)]
        media: Option<crate::messages::CampaignMedia>,
    },
}

impl VariantInput {
    /// The variant's text.
    pub fn text(&self) -> &str {
        match self {
            Self::Text(text) | Self::Message { text, .. } => text,
        }
    }

    /// Its own media, if any.
    pub fn media(&self) -> Option<&crate::messages::CampaignMedia> {
        match self {
            Self::Text(_) => None,
            Self::Message { media, .. } => media.as_ref(),
        }
    }
}

impl From<&str> for VariantInput {
    fn from(text: &str) -> Self {
        Self::Text(text.to_string())
    }
}

impl From<String> for VariantInput {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

/// The logged-in person, as the dashboard shows them.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SessionUser {
    /// Login email.
    pub email: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// Their tenant's name.
    pub tenant_name: String,
}

/// A page of a campaign's recipients.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct RecipientsPage {
    /// The rows, in campaign order.
    pub rows: Vec<CampaignContactView>,
    /// Rows per page.
    pub limit: u64,
    /// Whether another page follows.
    pub has_more: bool,
    /// Whether a page precedes this one.
    pub has_previous: bool,
}

/// A contact who opted out, with the evidence (LGPD).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct OptOutView {
    /// Contact id.
    pub contact_id: i64,
    /// When they opted out.
    pub opted_out_at: String,
    /// Phone digits.
    pub phone: String,
    /// Contact name.
    pub name: String,
    /// The keyword matched.
    pub keyword: Option<String>,
    /// The message they sent.
    pub raw_text: Option<String>,
    /// The campaign whose message they answered, if they answered one.
    #[serde(default)]
    pub campaign_id: Option<i64>,
    /// That campaign's name.
    #[serde(default)]
    pub campaign_name: Option<String>,
}

/// One minute of a campaign's timeline.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct TimelinePoint {
    /// The minute, `YYYY-MM-DDTHH:MM` in UTC.
    pub minute: String,
    /// Messages delivered in that minute.
    pub delivered: i64,
    /// Messages read in that minute.
    pub read: i64,
}

/// Deliveries and reads per minute over the hour up to a campaign's latest receipt.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    /// Oldest minute first; empty before the first receipt.
    pub points: Vec<TimelinePoint>,
}

/// A dashboard user of the tenant, as admins see it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = User))]
pub struct UserView {
    /// User id.
    pub id: i64,
    /// Login e-mail.
    pub email: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// Last successful login.
    pub last_login_at: Option<String>,
    /// Creation time.
    pub created_at: String,
}

/// An API token of the tenant (never its secret).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema), schema(as = Token))]
pub struct TokenView {
    /// Token id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// Creation time.
    pub created_at: String,
    /// Last request made with it (to the minute).
    pub last_used_at: Option<String>,
}

/// A token just created: the secret is shown here only, once.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct TokenCreated {
    /// Token id.
    pub id: i64,
    /// What it is for.
    pub name: String,
    /// The bearer token; shown only in this answer.
    pub token: String,
    /// Creation time.
    pub created_at: String,
}

/// Pacing between two messages of one instance.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Pacing {
    /// Shortest pause.
    pub min_delay_ms: i64,
    /// Longest pause.
    pub max_delay_ms: i64,
}

/// A tenant's settings: opt-out keywords, timezone and the defaults of new campaigns.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TenantSettings {
    /// Whole messages that opt a contact out.
    pub opt_out_keywords: Vec<String>,
    /// IANA timezone, e.g. `America/Sao_Paulo`.
    pub timezone: String,
    /// Pacing of new campaigns.
    pub default_pacing: Pacing,
    /// Send window of new campaigns.
    #[serde(default)]
    pub default_send_window: Option<SendWindow>,
    /// Daily cap per instance of new campaigns.
    #[serde(default)]
    pub default_daily_cap: Option<i64>,
    /// The warm-up plan of new numbers (shown in effect; leave it out of a `PUT` to keep it;
    /// default 20/50/100/200/400 messages a day from days 0/4/8/15/31).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warmup_plan: Option<Vec<WarmupStep>>,
    /// Opt-outs past this share (percent, 1–50) of an instance's last 100 sends pause its
    /// campaigns (leave it out of a `PUT` to keep it; default 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 50))]
    pub optout_pause_percent: Option<i64>,
    /// ISO 3166-1 alpha-2 country (default `BR`) whose numbering plan reads phone numbers written
    /// without a country code, in imports, searches and forms (leave it out of a `PUT` to keep
    /// it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_country: Option<String>,
}

/// What the opt-out matcher says about a message.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct OptOutTest {
    /// Whether the message opts its sender out.
    pub opts_out: bool,
    /// The keyword it matched.
    pub keyword: Option<String>,
}

#[cfg(test)]
mod warmup_plan_text {
    use super::WarmupStep;

    #[test]
    fn reads_what_it_writes_and_refuses_the_rest() {
        let plan = WarmupStep::parse_plan("0:20, 4:50;8:100\n15:200 31:400").unwrap();
        assert_eq!(
            WarmupStep::plan_text(&plan),
            "0:20, 4:50, 8:100, 15:200, 31:400"
        );
        assert!(WarmupStep::parse_plan("0:20, quatro:50").is_err());
        assert!(WarmupStep::parse_plan("0-20").is_err());
        assert_eq!(WarmupStep::parse_plan(" ").unwrap(), Vec::new());
    }
}
