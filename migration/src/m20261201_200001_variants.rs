//! Message variants (issue 11): a campaign's extra variants (`campaign.variants`, a JSON array
//! of spintax texts after `message`, the first) and the variant each recipient got
//! (`campaign_contact.variant`, 0 = `message`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Campaign {
    Table,
    /// JSON array of the variants after the first; NULL = only `message`.
    Variants,
}

#[derive(DeriveIden)]
enum CampaignContact {
    Table,
    /// Index of the variant this recipient gets (0 = `message`).
    Variant,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(Campaign::Table)
                .add_column_if_not_exists(json_null(Campaign::Variants))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(CampaignContact::Table)
                .add_column_if_not_exists(integer(CampaignContact::Variant).default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(CampaignContact::Table)
                .drop_column(CampaignContact::Variant)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Campaign::Table)
                .drop_column(Campaign::Variants)
                .to_owned(),
        )
        .await
    }
}
