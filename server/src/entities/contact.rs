//! SeaORM entity for the `contact` table.

use sea_orm::entity::prelude::*;

/// A person a tenant can message; phone stored as E.164 digits.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "contact")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub tenant_id: i64,
    pub phone: String,
    /// The identity every spelling of the phone shares ([`crate::domain::phone::identity_key`]).
    pub phone_key: String,
    pub name: String,
    pub opted_out_at: Option<DateTimeUtc>,
    pub opt_out_keyword: Option<String>,
    /// The message that opted the contact out, kept as LGPD evidence.
    pub opt_out_text: Option<String>,
    pub last_interaction_at: Option<DateTimeUtc>,
    pub total_messages_received: i64,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// Extra fields from imports (a JSON object of strings), usable in templates.
    pub attributes: Option<Json>,
    /// When the contact was erased (LGPD): the row stays, anonymised, for campaign counters.
    pub erased_at: Option<DateTimeUtc>,
    /// `mobile`, `landline`, `other` ([`crate::domain::phone::LineType`]), or `invalid` for a
    /// stored number the repair could not read (never sent to); NULL until it was parsed.
    pub line_type: Option<String>,
    /// The contact this twin was merged into, when campaign history kept its row.
    pub merged_into_id: Option<i64>,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
