//! `messages.delete`: a message revoked for everyone. A revoked campaign message marks its
//! recipient `deleted_at` and counts once in the campaign's `deleted` (the status machine is
//! unchanged: it was sent, and maybe delivered and read, before). A revoked reply is marked
//! deleted in the replies; an opt-out it carried stays in force (LGPD: the safe reading) and
//! the campaign log says it was revoked.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};
use serde_json::json;

use crate::evolution::Revoke;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::service::campaign_logs::{LogLine, Severity};
use crate::sql::stmt;

/// Applies a revoke from `instance`.
pub(super) async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    revoke: &Revoke,
) -> Result<Outcome, DbErr> {
    if revoke.from_me != Some(false)
        && let Some(outcome) = campaign_message(ctx, instance, &revoke.message_id).await?
    {
        return Ok(outcome);
    }
    if revoke.from_me != Some(true)
        && let Some(outcome) = reply(ctx, instance, &revoke.message_id).await?
    {
        return Ok(outcome);
    }
    Ok(Outcome::Ignored)
}

/// Where a revoked message is kept.
#[derive(Clone, Copy)]
enum Table {
    /// A campaign message (its recipient's row).
    CampaignContact,
    /// A contact's reply.
    Reply,
}

/// Marks row `id` of `table` revoked now unless it already was; answers whether it changed
/// (a repeated revoke counts once).
async fn mark_deleted(ctx: &Ctx<'_>, table: Table, id: i64) -> Result<bool, DbErr> {
    let sql = match table {
        Table::CampaignContact => {
            "UPDATE campaign_contact SET deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL"
        }
        Table::Reply => "UPDATE reply SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL",
    };
    let mut values: Vec<sea_orm::Value> = vec![ctx.now.into()];
    if matches!(table, Table::CampaignContact) {
        values.push(ctx.now.into());
    }
    values.push(id.into());
    let changed = ctx
        .txn
        .execute_raw(stmt(ctx.txn.get_database_backend(), sql, values))
        .await?
        .rows_affected();
    Ok(changed > 0)
}

/// A campaign message revoked (by the team's phone or Evolution's delete API).
async fn campaign_message(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    message_id: &str,
) -> Result<Option<Outcome>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        campaign_id: i64,
    }
    let backend = ctx.txn.get_database_backend();
    let Some(row) = Row::find_by_statement(stmt(
        backend,
        "SELECT cc.id, cc.campaign_id FROM campaign_contact cc \
         JOIN campaign c ON c.id = cc.campaign_id \
         WHERE cc.whatsapp_message_id = ? AND c.tenant_id = ?",
        vec![message_id.into(), instance.tenant_id.into()],
    ))
    .one(ctx.txn)
    .await?
    else {
        return Ok(None);
    };
    if !mark_deleted(ctx, Table::CampaignContact, row.id).await? {
        return Ok(Some(Outcome::Duplicate));
    }
    ctx.effects.campaign(row.campaign_id).deleted += 1;
    Ok(Some(Outcome::Revoked))
}

/// A contact's reply revoked.
async fn reply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    message_id: &str,
) -> Result<Option<Outcome>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        contact_id: i64,
        campaign_id: Option<i64>,
        opt_out: bool,
    }
    let backend = ctx.txn.get_database_backend();
    let Some(row) = Row::find_by_statement(stmt(
        backend,
        "SELECT id, contact_id, campaign_id, opt_out FROM reply \
         WHERE tenant_id = ? AND whatsapp_message_id = ?",
        vec![instance.tenant_id.into(), message_id.into()],
    ))
    .one(ctx.txn)
    .await?
    else {
        return Ok(None);
    };
    if !mark_deleted(ctx, Table::Reply, row.id).await? {
        return Ok(Some(Outcome::Duplicate));
    }
    if row.opt_out {
        tracing::warn!(
            tenant_id = instance.tenant_id,
            contact_id = row.contact_id,
            "a contact revoked the message that opted them out; the opt-out stays in force"
        );
        if let Some(campaign_id) = row.campaign_id {
            let line = LogLine {
                tenant_id: instance.tenant_id,
                campaign_id,
                log_type: "opt_out_revoked",
                severity: Severity::Warning,
                message: format!(
                    "Contact {} revoked the message that opted them out; the opt-out stays in force (LGPD)",
                    row.contact_id
                ),
                details: Some(json!({ "contact_id": row.contact_id })),
            };
            ctx.effects.log(ctx.txn, line).await?;
        }
    }
    Ok(Some(Outcome::Revoked))
}
