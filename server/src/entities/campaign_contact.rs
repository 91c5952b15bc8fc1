//! SeaORM entity for the `campaign_contact` table.

use sea_orm::entity::prelude::*;

/// One contact of one campaign, and what happened to its message.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub campaign_id: i64,
    pub contact_id: i64,
    pub instance_id: Option<i64>,
    /// See `domain::delivery::DeliveryStatus`.
    pub status: String,
    #[sea_orm(unique)]
    pub whatsapp_message_id: Option<String>,
    pub sent_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub read_at: Option<DateTimeUtc>,
    pub failed_at: Option<DateTimeUtc>,
    pub error: Option<String>,
    pub replied_at: Option<DateTimeUtc>,
    /// When the contact opted out during this campaign.
    pub opted_out_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// The message variant this recipient gets (0 = the campaign's `message`).
    pub variant: i32,
    /// When the message was revoked ("apagada para todos"); the status is unchanged.
    pub deleted_at: Option<DateTimeUtc>,
    /// Not sent before this time (a campaign sent at each person's best hour).
    pub due_at: Option<DateTimeUtc>,
    /// Why `due_at` is what it is: `personal`, `audience`, `explore` or `start`.
    pub due_source: Option<String>,
    /// When its voice note or video was first played.
    pub played_at: Option<DateTimeUtc>,
    /// When the recipient first clicked one of its tracked links.
    pub clicked_at: Option<DateTimeUtc>,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
