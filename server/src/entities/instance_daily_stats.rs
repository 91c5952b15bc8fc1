//! SeaORM entity for the `instance_daily_stats` table.

use sea_orm::entity::prelude::*;

/// Per instance and UTC day message counters.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "instance_daily_stats")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub instance_id: i64,
    /// `YYYY-MM-DD` (UTC).
    pub day: String,
    pub sent: i64,
    pub delivered: i64,
    pub read: i64,
    pub failed: i64,
    pub disconnects: i64,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
