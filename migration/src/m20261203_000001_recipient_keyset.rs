//! Recipient and log pages at any depth: indexes that end in the row id, so a campaign's
//! recipients (all of them, or those of one status) and its log lines (all, or those of one
//! severity) are read in id order after a cursor without sorting the campaign's rows. The
//! `(campaign_id, status, id)` index replaces `(campaign_id, status)`, of which it is a superset.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum CampaignContact {
    Table,
    CampaignId,
    Status,
    Id,
}

#[derive(DeriveIden)]
enum CampaignLog {
    Table,
    CampaignId,
    Severity,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_campaign_contact_keyset")
                .table(CampaignContact::Table)
                .col(CampaignContact::CampaignId)
                .col(CampaignContact::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_campaign_contact_status_id")
                .table(CampaignContact::Table)
                .col(CampaignContact::CampaignId)
                .col(CampaignContact::Status)
                .col(CampaignContact::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        m.drop_index(
            Index::drop()
                .name("ix_campaign_contact_status")
                .table(CampaignContact::Table)
                .if_exists()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_campaign_log_severity_id")
                .table(CampaignLog::Table)
                .col(CampaignLog::CampaignId)
                .col(CampaignLog::Severity)
                .col(CampaignLog::Id)
                .if_not_exists()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(
            Index::create()
                .name("ix_campaign_contact_status")
                .table(CampaignContact::Table)
                .col(CampaignContact::CampaignId)
                .col(CampaignContact::Status)
                .if_not_exists()
                .to_owned(),
        )
        .await?;
        for (name, table) in [
            (
                "ix_campaign_contact_keyset",
                CampaignContact::Table.into_iden(),
            ),
            (
                "ix_campaign_contact_status_id",
                CampaignContact::Table.into_iden(),
            ),
            (
                "ix_campaign_log_severity_id",
                CampaignLog::Table.into_iden(),
            ),
        ] {
            m.drop_index(Index::drop().name(name).table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
