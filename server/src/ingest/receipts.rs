//! `messages.update` receipts: the monotonic status machine on campaign contacts.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde_json::json;

use crate::domain::delivery::DeliveryStatus;
use crate::evolution::{ReceiptStatus, StatusUpdate};
use crate::ingest::tracked::TrackedRow;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::service::campaign_logs::{LogLine, Severity};
use crate::sql::stmt;

/// The delivery status a receipt asks for; `None` for receipts that change nothing
/// (`PENDING` is the state before the server ack, `DELETED` is analytics only).
pub fn target(status: ReceiptStatus) -> Option<DeliveryStatus> {
    match status {
        ReceiptStatus::Sent => Some(DeliveryStatus::Sent),
        ReceiptStatus::Delivered => Some(DeliveryStatus::Delivered),
        ReceiptStatus::Read | ReceiptStatus::Played => Some(DeliveryStatus::Read),
        ReceiptStatus::Failed => Some(DeliveryStatus::Failed),
        ReceiptStatus::Pending | ReceiptStatus::Deleted => None,
    }
}

/// The phone of a campaign contact (for log lines, off the hot path).
async fn phone_of(conn: &impl ConnectionTrait, campaign_contact_id: i64) -> Result<String, DbErr> {
    #[derive(FromQueryResult)]
    struct Phone {
        phone: String,
    }
    Ok(Phone::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT ct.phone FROM campaign_contact cc JOIN contact ct ON ct.id = cc.contact_id \
         WHERE cc.id = ?",
        vec![campaign_contact_id.into()],
    ))
    .one(conn)
    .await?
    .map(|p| p.phone)
    .unwrap_or_default())
}

/// Applies one receipt from `instance`.
pub(super) async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    update: &StatusUpdate,
) -> Result<Outcome, DbErr> {
    let Some(target) = target(update.status) else {
        return Ok(Outcome::Ignored);
    };
    let row = ctx
        .effects
        .tracked
        .find(ctx.txn, instance.tenant_id, &update.message_id)
        .await?;
    match row {
        Some(row) => {
            let moved = move_row(ctx, &row, target).await?;
            if update.status == ReceiptStatus::Played && mark_played(ctx, &row).await? {
                return Ok(Outcome::Updated);
            }
            Ok(moved)
        }
        None => {
            ctx.txn
                .execute_raw(stmt(
                    ctx.txn.get_database_backend(),
                    "INSERT INTO pending_receipt \
                     (tenant_id, instance_id, whatsapp_message_id, status, received_at) \
                     VALUES (?, ?, ?, ?, ?)",
                    vec![
                        instance.tenant_id.into(),
                        instance.id.into(),
                        update.message_id.clone().into(),
                        target.as_str().into(),
                        ctx.now.into(),
                    ],
                ))
                .await?;
            Ok(Outcome::Unmatched)
        }
    }
}

/// Marks `row`'s message played (a voice note or video heard) once, counting it on its
/// campaign. Whether this receipt was the first `PLAYED`.
async fn mark_played(ctx: &mut Ctx<'_>, row: &TrackedRow) -> Result<bool, DbErr> {
    let marked = ctx
        .txn
        .execute_raw(stmt(
            ctx.txn.get_database_backend(),
            "UPDATE campaign_contact SET played_at = ?, updated_at = ? \
             WHERE id = ? AND played_at IS NULL",
            vec![ctx.now.into(), ctx.now.into(), row.id.into()],
        ))
        .await?
        .rows_affected()
        == 1;
    if marked {
        ctx.effects.campaign(row.campaign_id).played += 1;
    }
    Ok(marked)
}

/// Writes a log line about `row`'s message on its campaign; the phone is read only here, off
/// the hot path of receipts that log nothing.
async fn log_row(
    ctx: &mut Ctx<'_>,
    row: &TrackedRow,
    log_type: &str,
    severity: Severity,
    message: impl FnOnce(&str) -> String,
    mut details: serde_json::Value,
) -> Result<(), DbErr> {
    let phone = phone_of(ctx.txn, row.id).await?;
    details["phone"] = json!(phone);
    let line = LogLine {
        tenant_id: row.tenant_id,
        campaign_id: row.campaign_id,
        log_type,
        severity,
        message: message(&phone),
        details: Some(details),
    };
    ctx.effects.log(ctx.txn, line).await
}

/// Moves a tracked row to `target` when that is a step forward; otherwise a duplicate.
pub(super) async fn move_row(
    ctx: &mut Ctx<'_>,
    row: &TrackedRow,
    target: DeliveryStatus,
) -> Result<Outcome, DbErr> {
    use DeliveryStatus as D;
    let current = D::parse(&row.status).unwrap_or(D::Pending);
    if !current.accepts(target) {
        if target == D::Failed && matches!(current, D::Delivered | D::Read) {
            let message = |phone: &str| {
                format!("WhatsApp reported an error for {phone} after it was {current}; ignored")
            };
            let details = json!({ "status": current.as_str() });
            log_row(
                ctx,
                row,
                "error_after_delivery",
                Severity::Info,
                message,
                details,
            )
            .await?;
        }
        return Ok(Outcome::Duplicate);
    }

    ctx.effects.tracked.set_status(row, target, ctx.now);
    ctx.effects
        .transition(row.campaign_id, row.instance_id, current, target);
    if target == D::Failed {
        let message = |phone: &str| format!("The message to {phone} failed");
        log_row(
            ctx,
            row,
            "message_failed",
            Severity::Warning,
            message,
            json!({}),
        )
        .await?;
    }
    Ok(Outcome::Updated)
}
