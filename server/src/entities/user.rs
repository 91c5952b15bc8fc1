//! SeaORM entity for the `user` table.

use sea_orm::entity::prelude::*;

/// A person who logs in to the dashboard.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "user")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    #[sea_orm(unique)]
    pub email: String,
    /// Argon2 PHC string; never the password.
    pub password_hash: String,
    /// `admin` or `viewer`.
    pub role: String,
    /// Saved language (`pt-BR`, `en`); `None` follows the browser's `Accept-Language`.
    pub locale: Option<String>,
    pub created_at: DateTimeUtc,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
