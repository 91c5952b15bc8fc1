//! Poll votes: each person's latest vote on a campaign's poll (people change their votes; an
//! older vote arriving late changes nothing), the results per option, and the lists an
//! option's voters join ("Quero o catálogo" → list "Interessados").

use std::collections::BTreeSet;

use app::messages::{PollOptionResult, PollResults};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};
use serde_json::json;

use crate::service::campaign_content::Content;
use crate::service::{ServiceError, ServiceResult, campaigns};
use crate::sql::stmt;

/// What recording a vote did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Recorded {
    /// The person's first vote, or a change: the options now chosen (indexes).
    Counted(BTreeSet<usize>),
    /// The same choice again, or a vote older than the one kept.
    Unchanged,
}

#[derive(FromQueryResult)]
struct Vote {
    options: serde_json::Value,
    voted_at: DateTime<Utc>,
}

fn indexes(value: &serde_json::Value) -> BTreeSet<usize> {
    serde_json::from_value(value.clone()).unwrap_or_default()
}

/// Records `contact_id`'s vote on campaign `campaign_id`'s poll: `chosen` are option texts as
/// WhatsApp reports them (unknown ones are ignored; none = the vote was withdrawn). Moves the
/// voter onto the lists of the options now chosen and off those no longer chosen.
pub async fn record_vote(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    campaign_id: i64,
    contact_id: i64,
    chosen: &[String],
    at: DateTime<Utc>,
) -> Result<Recorded, DbErr> {
    let backend = conn.get_database_backend();
    let Some(campaign) = crate::entities::campaign::Entity::find_by_id(campaign_id)
        .one(conn)
        .await?
    else {
        return Ok(Recorded::Unchanged);
    };
    let Some(poll) = Content::of(&campaign).poll else {
        return Ok(Recorded::Unchanged);
    };
    let now: BTreeSet<usize> = chosen
        .iter()
        .filter_map(|c| poll.options.iter().position(|o| o.trim() == c.trim()))
        .collect();
    let before = Vote::find_by_statement(stmt(
        backend,
        "SELECT options, voted_at FROM poll_vote WHERE campaign_id = ? AND contact_id = ?",
        vec![campaign_id.into(), contact_id.into()],
    ))
    .one(conn)
    .await?;
    let previous = match &before {
        Some(v) if v.voted_at > at => return Ok(Recorded::Unchanged),
        Some(v) => indexes(&v.options),
        None => BTreeSet::new(),
    };
    if before.is_some() && previous == now {
        return Ok(Recorded::Unchanged);
    }
    conn.execute_raw(stmt(
        backend,
        "INSERT INTO poll_vote (tenant_id, campaign_id, contact_id, options, voted_at) \
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (campaign_id, contact_id) \
         DO UPDATE SET options = excluded.options, voted_at = excluded.voted_at",
        vec![
            tenant_id.into(),
            campaign_id.into(),
            contact_id.into(),
            json!(now).into(),
            at.into(),
        ],
    ))
    .await?;
    for (option, list_id) in &poll.option_lists {
        let Some(index) = poll.options.iter().position(|o| o == option) else {
            continue;
        };
        let (sql, values) = match (previous.contains(&index), now.contains(&index)) {
            (false, true) => (
                "INSERT INTO list_contact (list_id, contact_id, added_at) \
                 SELECT id, ?, ? FROM list WHERE id = ? AND tenant_id = ? \
                 ON CONFLICT DO NOTHING",
                vec![
                    contact_id.into(),
                    at.into(),
                    (*list_id).into(),
                    tenant_id.into(),
                ],
            ),
            (true, false) => (
                "DELETE FROM list_contact WHERE contact_id = ? AND list_id = \
                 (SELECT id FROM list WHERE id = ? AND tenant_id = ?)",
                vec![contact_id.into(), (*list_id).into(), tenant_id.into()],
            ),
            _ => continue,
        };
        conn.execute_raw(stmt(backend, sql, values)).await?;
    }
    Ok(Recorded::Counted(now))
}

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
