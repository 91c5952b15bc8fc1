//! Poll votes: each person's latest vote on a campaign's poll (people change their votes; an
//! older vote arriving late changes nothing) and the lists an option's voters join ("Quero o
//! catálogo" → list "Interessados"), left when they change their mind. The results are read by
//! [`crate::service::polls`].

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};
use serde_json::json;

use crate::evolution::PollVote;
use crate::ingest::tracked::TrackedRow;
use crate::ingest::{Ctx, InstanceRef, Outcome};
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
pub async fn record(
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
    // The stored poll (its wire type): which option each text is, which list it leads to.
    let Some(poll) = campaign
        .poll
        .and_then(|v| serde_json::from_value::<app::messages::Poll>(v).ok())
    else {
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

/// Applies a vote from `instance`. A vote on a poll whose message id is not recorded yet (the
/// vote overtook the send's answer) waits in `pending_vote` until linking records it.
pub(super) async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    vote: &PollVote,
) -> Result<Outcome, DbErr> {
    let Some(row) = ctx
        .effects
        .tracked
        .find(ctx.txn, instance.tenant_id, &vote.poll_message_id)
        .await?
    else {
        ctx.txn
            .execute_raw(stmt(
                ctx.txn.get_database_backend(),
                "INSERT INTO pending_vote (tenant_id, instance_id, poll_message_id, options, \
                 at_ms, received_at) VALUES (?, ?, ?, ?, ?, ?)",
                vec![
                    instance.tenant_id.into(),
                    instance.id.into(),
                    vote.poll_message_id.clone().into(),
                    json!(vote.options).into(),
                    vote.at_ms.into(),
                    ctx.now.into(),
                ],
            ))
            .await?;
        return Ok(Outcome::Unmatched);
    };
    apply_on(ctx, &row, &vote.options, vote.at_ms).await
}

/// Applies the votes kept for `row`'s message id (in the order they arrived), then drops them.
pub(crate) async fn apply_waiting(ctx: &mut Ctx<'_>, row: &TrackedRow) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Waiting {
        options: serde_json::Value,
        at_ms: Option<i64>,
    }
    let Some(message_id) = row.whatsapp_message_id.clone() else {
        return Ok(());
    };
    let backend = ctx.txn.get_database_backend();
    let waiting = Waiting::find_by_statement(stmt(
        backend,
        "SELECT options, at_ms FROM pending_vote WHERE poll_message_id = ? AND tenant_id = ? \
         ORDER BY id",
        vec![message_id.clone().into(), row.tenant_id.into()],
    ))
    .all(ctx.txn)
    .await?;
    if waiting.is_empty() {
        return Ok(());
    }
    for w in waiting {
        let options: Vec<String> = serde_json::from_value(w.options).unwrap_or_default();
        apply_on(ctx, row, &options, w.at_ms).await?;
    }
    ctx.txn
        .execute_raw(stmt(
            backend,
            "DELETE FROM pending_vote WHERE poll_message_id = ? AND tenant_id = ?",
            vec![message_id.into(), row.tenant_id.into()],
        ))
        .await?;
    Ok(())
}

/// Records a vote (`options` chosen, at `at_ms`) on the poll of `row`.
async fn apply_on(
    ctx: &mut Ctx<'_>,
    row: &TrackedRow,
    options: &[String],
    at_ms: Option<i64>,
) -> Result<Outcome, DbErr> {
    #[derive(FromQueryResult)]
    struct Recipient {
        contact_id: i64,
    }
    // The poll went to one person's chat: they are the voter, whatever jid names them.
    let Some(recipient) = Recipient::find_by_statement(stmt(
        ctx.txn.get_database_backend(),
        "SELECT contact_id FROM campaign_contact WHERE id = ?",
        vec![row.id.into()],
    ))
    .one(ctx.txn)
    .await?
    else {
        return Ok(Outcome::Ignored);
    };
    let at = at_ms
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .unwrap_or(ctx.now);
    let recorded = record(
        ctx.txn,
        row.tenant_id,
        row.campaign_id,
        recipient.contact_id,
        options,
        at,
    )
    .await?;
    Ok(match recorded {
        Recorded::Counted(_) => {
            ctx.effects.touch_campaign(row.campaign_id);
            Outcome::Voted
        }
        Recorded::Unchanged => Outcome::Duplicate,
    })
}
