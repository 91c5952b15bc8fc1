//! SeaORM entity for the `campaign` table.

use sea_orm::entity::prelude::*;

/// A campaign: one templated message to many contacts, with its counters.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub name: String,
    /// The message template (`{{name}}` is replaced per contact).
    pub message: String,
    /// `draft`, `scheduled`, `active`, `paused`, `completed` or `cancelled`.
    pub status: String,
    pub pause_reason: Option<String>,
    pub min_delay_ms: i64,
    pub max_delay_ms: i64,
    /// At most this many messages per instance per day (UTC), if set.
    pub daily_cap: Option<i64>,
    /// Sending allowed from this local time (`HH:MM`), if set.
    pub window_start: Option<String>,
    /// Sending allowed until this local time (`HH:MM`), if set.
    pub window_end: Option<String>,
    /// The UTC offset of the window's local time, in minutes (e.g. -180 for Brasília).
    pub window_utc_offset_minutes: i32,
    pub total: i64,
    pub pending: i64,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub opted_out: i64,
    pub replied: i64,
    pub cancelled: i64,
    pub created_at: DateTimeUtc,
    pub started_at: Option<DateTimeUtc>,
    pub finished_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// When a `scheduled` campaign starts by itself.
    pub start_at: Option<DateTimeUtc>,
    /// The variants after the first (`message`), a JSON array of spintax texts.
    pub variants: Option<Json>,
    /// The window keeps `window_utc_offset_minutes` instead of the tenant's timezone.
    pub window_fixed_offset: bool,
    /// Comma-separated weekdays it may send on; `None` = every day.
    pub send_days: Option<String>,
    /// Messages revoked ("apagada para todos") after they were sent; not a failure.
    pub deleted: i64,
    /// Each recipient is due at their own best hour (issue 23), not in list order.
    pub send_at_best_hour: bool,
    /// The photo, video, document or voice note it sends (`CampaignMedia` as JSON), if any.
    pub media: Option<Json>,
    /// The poll it sends (`Poll` as JSON), if any.
    pub poll: Option<Json>,
    /// Voice notes and videos played (also counted in `read`).
    pub played: i64,
    /// Links in its messages are rewritten to `/l/{code}` and their clicks counted.
    pub track_links: bool,
    /// UTM parameters added to its links' destinations (`Utm` as JSON), if any.
    pub utm: Option<Json>,
    /// The campaign a follow-up follows up.
    pub parent_id: Option<i64>,
    /// The original campaign of a follow-up's chain.
    pub root_id: Option<i64>,
    /// A follow-up's segment of its parent's recipients (`not_read`, …).
    pub follow_up_segment: Option<String>,
    /// A follow-up goes only to messages of the parent at least this old (hours).
    pub follow_up_min_age_hours: Option<i32>,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
