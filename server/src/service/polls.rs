//! A poll's results: each person's latest vote counted once per option chosen (the votes are
//! recorded by [`crate::ingest`]), with the lists an option's voters join.

use std::collections::BTreeSet;

use app::messages::{PollOptionResult, PollResults};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::service::campaign_content::Content;
use crate::service::{ServiceError, ServiceResult, campaigns};
use crate::sql::stmt;

/// The votes on campaign `campaign_id`'s poll, `None` when it sends no poll.
pub async fn tally(
    conn: &impl ConnectionTrait,
    campaign: &crate::entities::campaign::Model,
) -> Result<Option<PollResults>, DbErr> {
    let Some(poll) = Content::of(campaign).poll else {
        return Ok(None);
    };
    // One row per distinct choice (a handful), not per voter.
    #[derive(FromQueryResult)]
    struct Choice {
        options: String,
        voters: i64,
    }
    let choices = Choice::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT CAST(options AS TEXT) AS options, CAST(COUNT(*) AS BIGINT) AS voters \
         FROM poll_vote WHERE campaign_id = ? GROUP BY CAST(options AS TEXT)",
        vec![campaign.id.into()],
    ))
    .all(conn)
    .await?;
    #[derive(FromQueryResult)]
    struct Named {
        id: i64,
        name: String,
    }
    let list_ids: Vec<i64> = poll.option_lists.values().copied().collect();
    let names = if list_ids.is_empty() {
        Vec::new()
    } else {
        Named::find_by_statement(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT id, name FROM list WHERE tenant_id = ? AND id IN ({})",
                crate::sql::placeholders(list_ids.len())
            ),
            std::iter::once(campaign.tenant_id.into())
                .chain(list_ids.iter().map(|&id| id.into()))
                .collect(),
        ))
        .all(conn)
        .await?
    };
    let mut counts = vec![0i64; poll.options.len()];
    let mut voters = 0;
    for choice in &choices {
        let chosen: BTreeSet<usize> = serde_json::from_str(&choice.options).unwrap_or_default();
        if !chosen.is_empty() {
            voters += choice.voters;
        }
        for i in chosen {
            if let Some(c) = counts.get_mut(i) {
                *c += choice.voters;
            }
        }
    }
    Ok(Some(PollResults {
        question: poll.question.clone(),
        options: poll
            .options
            .iter()
            .zip(counts)
            .map(|(option, votes)| {
                let list_id = poll.option_lists.get(option).copied();
                PollOptionResult {
                    option: option.clone(),
                    votes,
                    list_id,
                    list_name: names
                        .iter()
                        .find(|n| Some(n.id) == list_id)
                        .map(|n| n.name.clone()),
                }
            })
            .collect(),
        voters,
    }))
}

/// The poll results of campaign `id` of `tenant_id` (`NotFound` when it sends no poll).
pub async fn results(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<PollResults> {
    let campaign = campaigns::find(conn, tenant_id, id).await?;
    tally(conn, &campaign)
        .await?
        .ok_or(ServiceError::NotFound("poll"))
}
