//! Following up (issue 25), and poll votes that arrive before their poll's message id.
//!
//! * `link` is a URL a campaign's messages carry (`destination` adds the UTM parameters);
//!   `link_code` is one recipient's code for it (`/l/{code}`): its clicks, previews and
//!   first/last click time. `link_click` is every visit as it was recorded (its `click_key`
//!   makes a replayed click count once); `kind` is `click` or `preview`.
//! * `campaign.track_links` (default true) and `campaign.utm` (JSON); a follow-up names its
//!   `parent_id`, the chain's `root_id`, its `follow_up_segment` and `follow_up_min_age_hours`.
//! * `campaign_contact.clicked_at`: the recipient's first click on any of its links.
//! * `conversion`: a sale a shop reported, attributed to a campaign; `tenant.attribution_days`.
//! * `pending_vote`: a poll vote whose poll's message id was not recorded yet.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Link {
    Table,
    Id,
    TenantId,
    CampaignId,
    Url,
    Destination,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LinkCode {
    Table,
    Id,
    Code,
    TenantId,
    CampaignId,
    CampaignContactId,
    ContactId,
    LinkId,
    Variant,
    CreatedAt,
    Clicks,
    Previews,
    FirstClickedAt,
    LastClickedAt,
}

#[derive(DeriveIden)]
enum LinkClick {
    Table,
    Id,
    ClickKey,
    Code,
    Kind,
    Reason,
    At,
    UserAgent,
}

#[derive(DeriveIden)]
enum Conversion {
    Table,
    Id,
    TenantId,
    OrderId,
    ContactId,
    CampaignId,
    ValueCents,
    Currency,
    OccurredAt,
    AttributedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PendingVote {
    Table,
    Id,
    TenantId,
    InstanceId,
    PollMessageId,
    Options,
    AtMs,
    ReceivedAt,
}

#[derive(DeriveIden)]
enum Campaign {
    Table,
    Id,
    TrackLinks,
    Utm,
    ParentId,
    RootId,
    FollowUpSegment,
    FollowUpMinAgeHours,
}

#[derive(DeriveIden)]
enum CampaignContact {
    Table,
    Id,
    ClickedAt,
}

#[derive(DeriveIden)]
enum Tenant {
    Table,
    Id,
    AttributionDays,
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

fn index(
    name: &str,
    table: impl IntoIden,
    columns: Vec<DynIden>,
    unique: bool,
) -> IndexCreateStatement {
    let mut index = Index::create();
    index.if_not_exists().name(name).table(table);
    for column in columns {
        index.col(column);
    }
    if unique {
        index.unique();
    }
    index.to_owned()
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
            boolean(Campaign::TrackLinks).default(true).to_owned(),
            json_null(Campaign::Utm).to_owned(),
            big_integer_null(Campaign::ParentId).to_owned(),
            big_integer_null(Campaign::RootId).to_owned(),
            string_null(Campaign::FollowUpSegment).to_owned(),
            integer_null(Campaign::FollowUpMinAgeHours).to_owned(),
        ] {
            m.alter_table(add(Campaign::Table.into_table_ref(), column))
                .await?;
        }
        m.alter_table(add(
            CampaignContact::Table.into_table_ref(),
            timestamp_with_time_zone_null(CampaignContact::ClickedAt).to_owned(),
        ))
        .await?;
        m.alter_table(add(
            Tenant::Table.into_table_ref(),
            integer(Tenant::AttributionDays).default(7).to_owned(),
        ))
        .await?;
        m.create_index(index(
            "ix_campaign_root",
            Campaign::Table,
            vec![Campaign::RootId.into_iden()],
            false,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(Link::Table)
                .if_not_exists()
                .col(big_pk_auto(Link::Id))
                .col(big_integer(Link::TenantId))
                .col(big_integer(Link::CampaignId))
                .col(text(Link::Url))
                .col(text(Link::Destination))
                .col(timestamp_with_time_zone(Link::CreatedAt))
                .foreign_key(&mut fk(
                    Link::Table,
                    Link::CampaignId,
                    Campaign::Table,
                    Campaign::Id,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ux_link_campaign_url",
            Link::Table,
            vec![Link::CampaignId.into_iden(), Link::Url.into_iden()],
            true,
        ))
        .await?;

        m.create_table(
            Table::create()
                .table(LinkCode::Table)
                .if_not_exists()
                .col(big_pk_auto(LinkCode::Id))
                .col(string(LinkCode::Code))
                .col(big_integer(LinkCode::TenantId))
                .col(big_integer(LinkCode::CampaignId))
                .col(big_integer(LinkCode::CampaignContactId))
                .col(big_integer(LinkCode::ContactId))
                .col(big_integer(LinkCode::LinkId))
                .col(integer(LinkCode::Variant).default(0))
                .col(timestamp_with_time_zone(LinkCode::CreatedAt))
                .col(big_integer(LinkCode::Clicks).default(0))
                .col(big_integer(LinkCode::Previews).default(0))
                .col(timestamp_with_time_zone_null(LinkCode::FirstClickedAt))
                .col(timestamp_with_time_zone_null(LinkCode::LastClickedAt))
                .foreign_key(&mut fk(
                    LinkCode::Table,
                    LinkCode::CampaignContactId,
                    CampaignContact::Table,
                    CampaignContact::Id,
                ))
                .foreign_key(&mut fk(
                    LinkCode::Table,
                    LinkCode::LinkId,
                    Link::Table,
                    Link::Id,
                ))
                .foreign_key(&mut fk(
                    LinkCode::Table,
                    LinkCode::ContactId,
                    Contact::Table,
                    Contact::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, columns, unique) in [
            ("ux_link_code_code", vec![LinkCode::Code.into_iden()], true),
            (
                "ux_link_code_recipient_link",
                vec![
                    LinkCode::CampaignContactId.into_iden(),
                    LinkCode::LinkId.into_iden(),
                ],
                true,
            ),
            (
                "ix_link_code_campaign",
                vec![LinkCode::CampaignId.into_iden()],
                false,
            ),
            (
                "ix_link_code_contact",
                vec![LinkCode::ContactId.into_iden()],
                false,
            ),
        ] {
            m.create_index(index(name, LinkCode::Table, columns, unique))
                .await?;
        }

        m.create_table(
            Table::create()
                .table(LinkClick::Table)
                .if_not_exists()
                .col(big_pk_auto(LinkClick::Id))
                .col(string(LinkClick::ClickKey))
                .col(string(LinkClick::Code))
                .col(string(LinkClick::Kind))
                .col(string_null(LinkClick::Reason))
                .col(timestamp_with_time_zone(LinkClick::At))
                .col(string_null(LinkClick::UserAgent))
                .to_owned(),
        )
        .await?;
        for (name, columns, unique) in [
            (
                "ux_link_click_key",
                vec![LinkClick::ClickKey.into_iden()],
                true,
            ),
            (
                "ix_link_click_code",
                vec![LinkClick::Code.into_iden(), LinkClick::At.into_iden()],
                false,
            ),
        ] {
            m.create_index(index(name, LinkClick::Table, columns, unique))
                .await?;
        }

        m.create_table(
            Table::create()
                .table(Conversion::Table)
                .if_not_exists()
                .col(big_pk_auto(Conversion::Id))
                .col(big_integer(Conversion::TenantId))
                .col(string(Conversion::OrderId))
                .col(big_integer_null(Conversion::ContactId))
                .col(big_integer_null(Conversion::CampaignId))
                .col(big_integer(Conversion::ValueCents))
                .col(string(Conversion::Currency))
                .col(timestamp_with_time_zone(Conversion::OccurredAt))
                .col(string_null(Conversion::AttributedBy))
                .col(timestamp_with_time_zone(Conversion::CreatedAt))
                .foreign_key(&mut fk(
                    Conversion::Table,
                    Conversion::TenantId,
                    Tenant::Table,
                    Tenant::Id,
                ))
                .to_owned(),
        )
        .await?;
        for (name, columns, unique) in [
            (
                "ux_conversion_order",
                vec![
                    Conversion::TenantId.into_iden(),
                    Conversion::OrderId.into_iden(),
                ],
                true,
            ),
            (
                "ix_conversion_campaign",
                vec![Conversion::CampaignId.into_iden()],
                false,
            ),
        ] {
            m.create_index(index(name, Conversion::Table, columns, unique))
                .await?;
        }

        m.create_table(
            Table::create()
                .table(PendingVote::Table)
                .if_not_exists()
                .col(big_pk_auto(PendingVote::Id))
                .col(big_integer(PendingVote::TenantId))
                .col(big_integer(PendingVote::InstanceId))
                .col(string(PendingVote::PollMessageId))
                .col(json(PendingVote::Options))
                .col(big_integer_null(PendingVote::AtMs))
                .col(timestamp_with_time_zone(PendingVote::ReceivedAt))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_pending_vote_message",
            PendingVote::Table,
            vec![PendingVote::PollMessageId.into_iden()],
            false,
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PendingVote::Table.into_table_ref(),
            Conversion::Table.into_table_ref(),
            LinkClick::Table.into_table_ref(),
            LinkCode::Table.into_table_ref(),
            Link::Table.into_table_ref(),
        ] {
            m.drop_table(Table::drop().table(table).if_exists().to_owned())
                .await?;
        }
        m.drop_index(
            Index::drop()
                .name("ix_campaign_root")
                .table(Campaign::Table)
                .if_exists()
                .to_owned(),
        )
        .await?;
        for column in [
            Campaign::TrackLinks,
            Campaign::Utm,
            Campaign::ParentId,
            Campaign::RootId,
            Campaign::FollowUpSegment,
            Campaign::FollowUpMinAgeHours,
        ] {
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
                .drop_column(CampaignContact::ClickedAt)
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(Tenant::Table)
                .drop_column(Tenant::AttributionDays)
                .to_owned(),
        )
        .await
    }
}
