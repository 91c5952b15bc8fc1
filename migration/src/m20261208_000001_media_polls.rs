//! Messages people actually send (issue 24).
//!
//! * `media` is an uploaded file: its kind, type, size, length (OGG voice notes), SHA-256 (one row per tenant and hash, so
//!   the same file twice is stored once) and the unguessable `token` of its public URL.
//!   `media_chunk` holds its bytes in 256 KiB pieces: every node of a cluster reads them from
//!   the one database, and a range request reads only the pieces it needs.
//! * `campaign_media` names the files a campaign uses (kept while one does).
//! * `campaign.media` / `campaign.poll` (JSON) are what a campaign sends besides text;
//!   `campaign.played` counts voice notes and videos played, `campaign_contact.played_at` when.
//! * `poll_vote` is each person's latest vote on a campaign's poll (option indexes, JSON).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    TenantId,
    Sha256,
    Kind,
    Mimetype,
    Size,
    FileName,
    DurationSecs,
    Token,
    CreatedAt,
}

#[derive(DeriveIden)]
enum MediaChunk {
    Table,
    MediaId,
    Seq,
    Data,
}

#[derive(DeriveIden)]
enum CampaignMedia {
    Table,
    CampaignId,
    MediaId,
}

#[derive(DeriveIden)]
enum PollVote {
    Table,
    Id,
    TenantId,
    CampaignId,
    ContactId,
    Options,
    VotedAt,
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Id,
    Media,
    Poll,
    Played,
}

#[derive(DeriveIden)]
enum CampaignContact {
    Table,
    PlayedAt,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
}

fn fk(
    from_table: impl IntoIden,
    from_col: impl IntoIden,
    to_table: impl IntoIden,
    to_col: impl IntoIden,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from(from_table, from_col)
        .to(to_table, to_col)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let add = |table: TableRef, column: ColumnDef| {
            Table::alter()
                .table(table)
                .add_column_if_not_exists(column)
                .to_owned()
        };
        // SQLite adds one column per ALTER TABLE.
        for column in [
            json_null(Campaign::Media).to_owned(),
            json_null(Campaign::Poll).to_owned(),
            big_integer(Campaign::Played).default(0).to_owned(),
        ] {
            m.alter_table(add(Campaign::Table.into_table_ref(), column))
                .await?;
        }
        m.alter_table(add(
            CampaignContact::Table.into_table_ref(),
            timestamp_with_time_zone_null(CampaignContact::PlayedAt).to_owned(),
        ))
        .await?;
        m.create_table(
            Table::create()
                .table(Media::Table)
                .if_not_exists()
                .col(big_pk_auto(Media::Id))
                .col(big_integer(Media::TenantId))
                .col(string(Media::Sha256))
                .col(string(Media::Kind))
                .col(string(Media::Mimetype))
                .col(big_integer(Media::Size))
                .col(string(Media::FileName))
                .col(integer_null(Media::DurationSecs))
                .col(string(Media::Token))
                .col(timestamp_with_time_zone(Media::CreatedAt))
                .foreign_key(&mut fk(
                    Media::Table,
                    Media::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, columns, unique) in [
            (
                "ux_media_sha256",
                vec![Media::TenantId, Media::Sha256],
                true,
            ),
            ("ux_media_token", vec![Media::Token], true),
        ] {
            let mut index = Index::create();
            index.if_not_exists().name(name).table(Media::Table);
            for column in columns {
                index.col(column);
            }
            if unique {
                index.unique();
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table(MediaChunk::Table)
                .if_not_exists()
                .col(big_integer(MediaChunk::MediaId))
                .col(integer(MediaChunk::Seq))
                .col(blob(MediaChunk::Data))
                .primary_key(
                    Index::create()
                        .col(MediaChunk::MediaId)
                        .col(MediaChunk::Seq),
                )
                .foreign_key(&mut fk(
                    MediaChunk::Table,
                    MediaChunk::MediaId,
                    Media::Table,
                    Media::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(CampaignMedia::Table)
                .if_not_exists()
                .col(big_integer(CampaignMedia::CampaignId))
                .col(big_integer(CampaignMedia::MediaId))
                .primary_key(
                    Index::create()
                        .col(CampaignMedia::CampaignId)
                        .col(CampaignMedia::MediaId),
                )
                .foreign_key(&mut fk(
                    CampaignMedia::Table,
                    CampaignMedia::CampaignId,
                    Campaign::Table,
                    Campaign::Id,
                ))
                .foreign_key(&mut fk(
                    CampaignMedia::Table,
                    CampaignMedia::MediaId,
                    Media::Table,
                    Media::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ix_campaign_media_media")
                .table(CampaignMedia::Table)
                .col(CampaignMedia::MediaId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(PollVote::Table)
                .if_not_exists()
                .col(big_pk_auto(PollVote::Id))
                .col(big_integer(PollVote::TenantId))
                .col(big_integer(PollVote::CampaignId))
                .col(big_integer(PollVote::ContactId))
                .col(json(PollVote::Options))
                .col(timestamp_with_time_zone(PollVote::VotedAt))
                .foreign_key(&mut fk(
                    PollVote::Table,
                    PollVote::CampaignId,
                    Campaign::Table,
                    Campaign::Id,
                ))
                .foreign_key(&mut fk(
                    PollVote::Table,
                    PollVote::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .if_not_exists()
                .name("ux_poll_vote")
                .table(PollVote::Table)
                .col(PollVote::CampaignId)
                .col(PollVote::ContactId)
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PollVote::Table.into_table_ref(),
            CampaignMedia::Table.into_table_ref(),
            MediaChunk::Table.into_table_ref(),
            Media::Table.into_table_ref(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        for column in [Campaign::Media, Campaign::Poll, Campaign::Played] {
            m.alter_table(
                Table::alter()
                    .table(Campaign::Table)
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        m.alter_table(
            Table::alter()
                .table(CampaignContact::Table)
                .drop_column(CampaignContact::PlayedAt)
                .to_owned(),
        )
        .await
    }
}
