//! SeaORM entity for the `tenant` table.

use sea_orm::entity::prelude::*;

/// A customer organisation; every other row belongs to one.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "tenant")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub name: String,
    /// Custom opt-out keywords; `None` means the defaults.
    pub opt_out_keywords: Option<Json>,
    /// IANA timezone the dashboard shows times in.
    pub timezone: String,
    /// ISO 3166-1 alpha-2 country whose numbering plan reads numbers written without a country
    /// code ([`crate::domain::phone::Country`]).
    pub default_country: String,
    pub created_at: DateTimeUtc,
    /// JSON `CampaignSettings` new campaigns start with; `None` means the built-in defaults.
    pub campaign_defaults: Option<Json>,
    /// Warm-up steps `[{day, cap}]`; `None` = the default plan.
    pub warmup_plan: Option<Json>,
    /// Opt-outs past this share (percent) of an instance's last sends pause its campaigns.
    pub optout_pause_percent: i32,
    /// A sale is attributed to a campaign clicked or read at most this many days before it.
    pub attribution_days: i32,
}

/// No declared relations: queries join explicitly where they need to.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
