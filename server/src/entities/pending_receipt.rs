//! SeaORM entity for the `pending_receipt` table.

use sea_orm::entity::prelude::*;

/// A receipt for a message id that no campaign contact carries yet.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_receipt")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub instance_id: i64,
    pub whatsapp_message_id: String,
    /// A `DeliveryStatus` (`sent`, `delivered`, `read` or `failed`).
    pub status: String,
    pub received_at: DateTimeUtc,
}

/// No declared relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
