//! Poll votes: a vote on a campaign's poll counts the person's latest choice and moves them
//! onto (and off) the lists its options lead to ([`crate::service::polls`]).

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::evolution::PollVote;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::service::polls::{self, Recorded};
use crate::sql::stmt;

/// Applies a vote from `instance`. A vote on a poll Flow did not send is ignored.
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
        return Ok(Outcome::Ignored);
    };
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
    let at = vote
        .timestamp
        .and_then(|secs| DateTime::<Utc>::from_timestamp(secs, 0))
        .unwrap_or(ctx.now);
    let recorded = polls::record_vote(
        ctx.txn,
        row.tenant_id,
        row.campaign_id,
        recipient.contact_id,
        &vote.options,
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
