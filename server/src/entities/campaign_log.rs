//! SeaORM entity for the `campaign_log` table.

use sea_orm::entity::prelude::*;

/// A line of a campaign log.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "campaign_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub campaign_id: i64,
    pub log_type: String,
    /// `info`, `warning` or `critical`.
    pub severity: String,
    pub message: String,
    pub details: Option<Json>,
    pub created_at: DateTimeUtc,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
