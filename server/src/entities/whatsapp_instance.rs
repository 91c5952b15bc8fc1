//! SeaORM entity for the `whatsapp_instance` table.

use sea_orm::entity::prelude::*;

/// An Evolution API instance (one WhatsApp number) of a tenant.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "whatsapp_instance")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub instance_name: String,
    pub friendly_name: String,
    pub api_url: String,
    /// Secret: never logged, never returned by the API.
    pub api_key: String,
    /// `v2` or `v1`.
    pub api_version: String,
    /// Secret carried by the instance webhook URL.
    #[sea_orm(unique)]
    pub webhook_secret: String,
    /// `open`, `connecting`, `close` or `refused`.
    pub connection_state: String,
    pub active: bool,
    pub health_score: i32,
    pub last_event_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    /// The earliest time its next send may start (pacing across processes).
    pub next_send_at: Option<DateTimeUtc>,
    /// Follows the tenant's warm-up plan.
    pub warmup: bool,
    /// A v1 `close` that may be a transient drop, waiting for its grace period.
    pub closed_at: Option<DateTimeUtc>,
    /// The number it is connected as (digits), from the `wuid` of its `connection.update`.
    pub phone: Option<String>,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
