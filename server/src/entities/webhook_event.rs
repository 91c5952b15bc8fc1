//! SeaORM entity for the `webhook_event` table.

use sea_orm::entity::prelude::*;

/// The webhook inbox: every accepted webhook body, stored before it is acknowledged.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_event")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: Option<i64>,
    pub instance_id: Option<i64>,
    pub event: String,
    /// The raw body, with the `apikey` redacted.
    pub body: String,
    pub received_at: DateTimeUtc,
    pub processed_at: Option<DateTimeUtc>,
    pub outcome: Option<String>,
    pub error: Option<String>,
    /// Set for events that must apply once per message (e.g. `upsert:<id>`).
    pub dedup_key: Option<String>,
    /// How many times applying it failed (the reprocessor's retry count).
    pub attempts: i32,
    /// When the reprocessor tries an unprocessed event again.
    pub next_attempt_at: Option<DateTimeUtc>,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
