//! Recording the WhatsApp message id of a campaign contact: from the sender's `sendText`
//! answer, or from the `send.message` webhook when that answer was lost. Receipts that arrived
//! before the id was known (kept in `pending_receipt`) are applied right then.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};

use crate::domain::delivery::DeliveryStatus;
use crate::domain::phone;
use crate::evolution::SentMessage;
use crate::ingest::receipts;
use crate::ingest::tracked::TrackedRow;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::sql::{placeholders, stmt};

/// Why a row the stale sweep marked failed may still be linked: its send's outcome was
/// unknown, so a message id from Evolution proves it went out after all (within
/// [`RESCUE_WITHIN`] of the failure).
/// How long after the stale sweep failed a row a message id may still take the failure back:
/// Evolution's `send.message` retries end well within it, and a later message (an operator
/// typing on the phone) must not be taken for the campaign's.
pub const RESCUE_WITHIN: chrono::Duration = chrono::Duration::hours(1);

/// The error of a row the stale sweep failed.
pub const UNKNOWN_OUTCOME: &str = "send outcome unknown (no answer from Evolution, or the server \
    stopped mid-send); check the conversation before sending again";

/// Gives campaign contact `campaign_contact_id` the message id, marks it sent through
/// `instance_id`, and applies any receipts that were waiting for that id. The row may be
/// pending, sending, or failed by the stale sweep for an unknown outcome (then the failure is
/// taken back). The update is guarded by the status it read, so a concurrent change (the
/// sweep, another process) wins cleanly and nothing is counted twice. Returns false when the
/// row already had an id or was no longer in one of those states.
pub async fn attach_message_id(
    ctx: &mut Ctx<'_>,
    campaign_contact_id: i64,
    instance_id: i64,
    message_id: &str,
) -> Result<bool, DbErr> {
    let backend = ctx.txn.get_database_backend();
    // Read the row, then update it only if it still has the status read. When a concurrent
    // transaction changed it in between (the stale sweep failing it, say), read it again:
    // the second look sees that change committed.
    let mut attempt = 0;
    let row = loop {
        attempt += 1;
        let Some(row) = TrackedRow::find_by_statement(stmt(
            backend,
            "SELECT cc.id, cc.campaign_id, c.tenant_id, cc.status, cc.instance_id, \
             cc.whatsapp_message_id FROM campaign_contact cc JOIN campaign c ON c.id = cc.campaign_id \
             WHERE cc.id = ? AND cc.whatsapp_message_id IS NULL \
             AND (cc.status IN ('pending', 'sending') \
             OR (cc.status = 'failed' AND cc.error = ? AND cc.failed_at >= ?))",
            vec![
                campaign_contact_id.into(),
                UNKNOWN_OUTCOME.into(),
                (ctx.now - RESCUE_WITHIN).into(),
            ],
        ))
        .one(ctx.txn)
        .await?
        else {
            return Ok(false);
        };
        let now: Value = ctx.now.into();
        let changed = ctx
            .txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET whatsapp_message_id = ?, status = 'sent', sent_at = ?, \
                 instance_id = ?, failed_at = NULL, error = NULL, updated_at = ? \
                 WHERE id = ? AND whatsapp_message_id IS NULL AND status = ?",
                vec![
                    message_id.into(),
                    now.clone(),
                    instance_id.into(),
                    now,
                    row.id.into(),
                    row.status.clone().into(),
                ],
            ))
            .await?
            .rows_affected();
        if changed == 1 {
            break row;
        }
        if attempt >= 3 {
            return Ok(false);
        }
    };
    let from = DeliveryStatus::parse(&row.status).unwrap_or(DeliveryStatus::Pending);
    ctx.effects.transition(
        row.campaign_id,
        Some(instance_id),
        from,
        DeliveryStatus::Sent,
    );
    ctx.effects.campaign(row.campaign_id).sent += 1;
    ctx.effects.daily(instance_id).sent += 1;

    let row = TrackedRow {
        status: DeliveryStatus::Sent.as_str().into(),
        instance_id: Some(instance_id),
        whatsapp_message_id: Some(message_id.to_string()),
        ..row
    };
    ctx.effects.tracked.insert(row.clone());
    crate::ingest::votes::apply_waiting(ctx, &row).await?;
    apply_waiting_receipts(ctx, row, message_id).await?;
    Ok(true)
}

/// Applies, in rank order (a failure last), the receipts kept for `message_id`, then drops them.
pub(crate) async fn apply_waiting_receipts(
    ctx: &mut Ctx<'_>,
    mut row: TrackedRow,
    message_id: &str,
) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Waiting {
        status: String,
    }
    let backend = ctx.txn.get_database_backend();
    let waiting = Waiting::find_by_statement(stmt(
        backend,
        "SELECT status FROM pending_receipt WHERE whatsapp_message_id = ? AND tenant_id = ?",
        vec![message_id.into(), row.tenant_id.into()],
    ))
    .all(ctx.txn)
    .await?;
    if waiting.is_empty() {
        return Ok(());
    }
    let mut targets: Vec<DeliveryStatus> = waiting
        .iter()
        .filter_map(|w| DeliveryStatus::parse(&w.status))
        .collect();
    targets.sort_by_key(|t| t.rank().unwrap_or(u8::MAX));
    targets.dedup();
    for target in targets {
        if receipts::move_row(ctx, &row, target).await? == Outcome::Updated {
            row.status = target.as_str().into();
        }
    }
    ctx.txn
        .execute_raw(stmt(
            backend,
            "DELETE FROM pending_receipt WHERE whatsapp_message_id = ? AND tenant_id = ?",
            vec![message_id.into(), row.tenant_id.into()],
        ))
        .await?;
    Ok(())
}

/// `send.message`: links the id to this instance's contact in `sending` with that phone.
pub(super) async fn apply_sent(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    sent: &SentMessage,
) -> Result<Outcome, DbErr> {
    if ctx
        .effects
        .tracked
        .find(ctx.txn, instance.tenant_id, &sent.message_id)
        .await?
        .is_some()
    {
        return Ok(Outcome::Duplicate);
    }
    let Some(phone) = &sent.phone else {
        return Ok(Outcome::Ignored);
    };
    let variants = phone::match_variants(phone);
    #[derive(FromQueryResult)]
    struct Candidate {
        id: i64,
    }
    let mut values: Vec<Value> = vec![
        instance.id.into(),
        UNKNOWN_OUTCOME.into(),
        (ctx.now - RESCUE_WITHIN).into(),
        instance.tenant_id.into(),
    ];
    values.extend(variants.iter().map(|v| Value::from(v.clone())));
    let sql = format!(
        "SELECT cc.id FROM campaign_contact cc JOIN contact ct ON ct.id = cc.contact_id \
         WHERE cc.instance_id = ? AND cc.whatsapp_message_id IS NULL \
         AND (cc.status = 'sending' OR (cc.status = 'failed' AND cc.error = ? AND cc.failed_at >= ?)) \
         AND ct.tenant_id = ? AND ct.phone IN ({}) \
         ORDER BY (CASE WHEN cc.status = 'sending' THEN 0 ELSE 1 END), cc.id LIMIT 1",
        placeholders(variants.len())
    );
    let candidate =
        Candidate::find_by_statement(stmt(ctx.txn.get_database_backend(), &sql, values))
            .one(ctx.txn)
            .await?;
    match candidate {
        Some(c) if attach_message_id(ctx, c.id, instance.id, &sent.message_id).await? => {
            Ok(Outcome::Linked)
        }
        _ => Ok(Outcome::Ignored),
    }
}
