//! `messages.upsert` from a contact: engagement (last interaction, messages received, the reply
//! on the campaign it answers) and opt-out (LGPD) when the whole text is a keyword.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use serde_json::json;

use crate::domain::delivery::DeliveryStatus;
use crate::domain::optout;
use crate::evolution::IncomingMessage;
use crate::ingest::people;
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::service::campaign_logs::{LogLine, Severity};
use crate::sql::stmt;

#[derive(FromQueryResult)]
struct ContactRow {
    id: i64,
    phone: String,
    phone_key: String,
    opted_out: bool,
}

#[derive(FromQueryResult)]
struct CampaignRow {
    id: i64,
    campaign_id: i64,
    replied: bool,
    opted_out: bool,
}

/// The tenant's opt-out keywords (the defaults unless it set its own).
async fn keywords(ctx: &Ctx<'_>, tenant_id: i64) -> Result<Vec<String>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        opt_out_keywords: Option<serde_json::Value>,
    }
    let row = Row::find_by_statement(stmt(
        ctx.txn.get_database_backend(),
        "SELECT opt_out_keywords FROM tenant WHERE id = ?",
        vec![tenant_id.into()],
    ))
    .one(ctx.txn)
    .await?;
    let custom: Option<Vec<String>> = row
        .and_then(|r| r.opt_out_keywords)
        .and_then(|v| serde_json::from_value(v).ok())
        .filter(|k: &Vec<String>| !k.is_empty());
    Ok(custom.unwrap_or_else(optout::default_keywords))
}

/// The campaign contact this message answers: the quoted campaign message if it quotes one,
/// else the latest campaign message sent to the person (under either spelling of the number).
async fn answered(
    ctx: &Ctx<'_>,
    tenant_id: i64,
    contact: &ContactRow,
    quoted: Option<&str>,
) -> Result<Option<CampaignRow>, DbErr> {
    let backend = ctx.txn.get_database_backend();
    let select = "SELECT id, campaign_id, \
        (CASE WHEN replied_at IS NULL THEN FALSE ELSE TRUE END) AS replied, \
        (CASE WHEN opted_out_at IS NULL THEN FALSE ELSE TRUE END) AS opted_out \
        FROM campaign_contact WHERE contact_id IN \
        (SELECT id FROM contact WHERE tenant_id = ? AND phone_key = ?) \
        AND whatsapp_message_id IS NOT NULL";
    let person = || -> Vec<Value> { vec![tenant_id.into(), contact.phone_key.clone().into()] };
    if let Some(quoted) = quoted {
        let mut values = person();
        values.push(quoted.into());
        let row = CampaignRow::find_by_statement(stmt(
            backend,
            &format!("{select} AND whatsapp_message_id = ?"),
            values,
        ))
        .one(ctx.txn)
        .await?;
        if row.is_some() {
            return Ok(row);
        }
    }
    CampaignRow::find_by_statement(stmt(
        backend,
        &format!("{select} ORDER BY sent_at DESC, id DESC LIMIT 1"),
        person(),
    ))
    .one(ctx.txn)
    .await
}

/// Applies an incoming message.
pub(super) async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    message: &IncomingMessage,
) -> Result<Outcome, DbErr> {
    if let (Some(lid), Some(phone)) = (&message.lid, &message.phone) {
        people::learn_lid(ctx, instance.tenant_id, lid, phone).await?;
    }
    // The person: by the phone WhatsApp gave, or by the phone their `@lid` was learnt to be.
    let key = people::identity(
        ctx,
        instance.tenant_id,
        message.phone.as_deref(),
        message.lid.as_deref(),
    )
    .await?;
    let Some(key) = key else {
        return Ok(Outcome::UnknownContact);
    };
    let backend = ctx.txn.get_database_backend();
    // Whichever spelling of the number WhatsApp used: the contact with exactly that spelling
    // first, then the oldest.
    let contact = ContactRow::find_by_statement(stmt(
        backend,
        "SELECT id, phone, phone_key, \
         (CASE WHEN opted_out_at IS NULL THEN FALSE ELSE TRUE END) AS opted_out \
         FROM contact WHERE tenant_id = ? AND phone_key = ? \
         ORDER BY (CASE WHEN phone = ? THEN 0 ELSE 1 END), id LIMIT 1",
        vec![
            instance.tenant_id.into(),
            key.into(),
            message.phone.clone().unwrap_or_default().into(),
        ],
    ))
    .one(ctx.txn)
    .await?;
    let Some(contact) = contact else {
        return Ok(Outcome::UnknownContact);
    };
    if let Some(push_name) = &message.push_name {
        people::fill_name(ctx, instance.tenant_id, &contact.phone_key, push_name).await?;
    }
    let now: Value = ctx.now.into();

    ctx.txn
        .execute_raw(stmt(
            backend,
            "UPDATE contact SET last_interaction_at = ?, \
             total_messages_received = total_messages_received + 1, updated_at = ? WHERE id = ?",
            vec![now.clone(), now.clone(), contact.id.into()],
        ))
        .await?;

    let answered = answered(
        ctx,
        instance.tenant_id,
        &contact,
        message.quoted_message_id.as_deref(),
    )
    .await?;
    if let Some(row) = &answered
        && !row.replied
    {
        ctx.txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET replied_at = ?, updated_at = ? WHERE id = ?",
                vec![now.clone(), now.clone(), row.id.into()],
            ))
            .await?;
        ctx.effects.campaign(row.campaign_id).replied += 1;
    }

    let text = message.text.as_deref().unwrap_or("");
    let keywords = keywords(ctx, instance.tenant_id).await?;
    let keyword = optout::matching_keyword(text, &keywords);
    if !text.trim().is_empty() {
        // What people write is read by marketers (the replies views).
        ctx.txn
            .execute_raw(stmt(
                backend,
                "INSERT INTO reply \
                 (tenant_id, contact_id, campaign_id, text, opt_out, received_at, whatsapp_message_id) \
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
                vec![
                    instance.tenant_id.into(),
                    contact.id.into(),
                    answered.as_ref().map(|r| r.campaign_id).into(),
                    text.into(),
                    keyword.is_some().into(),
                    now.clone(),
                    message.message_id.clone().into(),
                ],
            ))
            .await?;
    }
    let Some(keyword) = keyword else {
        return Ok(Outcome::Engaged);
    };
    if contact.opted_out {
        return Ok(Outcome::Duplicate);
    }
    opt_out(ctx, instance, &contact, keyword, text, answered.as_ref()).await?;
    Ok(Outcome::OptedOut)
}

/// Opts the person with `phone_key` out under every spelling of their number (contacts already
/// opted out keep their first opt-out: its keyword and text are the evidence) and cancels for
/// good their pending sends. The one opt-out path: keyword replies and opt-outs recorded by
/// hand both take it. Returns the campaigns touched.
pub(crate) async fn opt_out_person(
    ctx: &mut Ctx<'_>,
    tenant_id: i64,
    phone_key: &str,
    keyword: &str,
    text: &str,
) -> Result<Vec<i64>, DbErr> {
    let now: Value = ctx.now.into();
    ctx.txn
        .execute_raw(stmt(
            ctx.txn.get_database_backend(),
            "UPDATE contact SET opted_out_at = ?, opt_out_keyword = ?, opt_out_text = ?, \
             updated_at = ? WHERE tenant_id = ? AND phone_key = ? AND opted_out_at IS NULL",
            vec![
                now.clone(),
                keyword.into(),
                text.into(),
                now,
                tenant_id.into(),
                phone_key.into(),
            ],
        ))
        .await?;
    cancel_pending(ctx, tenant_id, phone_key).await
}

/// Cancels for good the pending sends to the person with `phone_key` (rows already claimed
/// by the sender are stopped by its re-check before the call). Returns the campaigns touched.
async fn cancel_pending(
    ctx: &mut Ctx<'_>,
    tenant_id: i64,
    phone_key: &str,
) -> Result<Vec<i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Pending {
        id: i64,
        campaign_id: i64,
    }
    let rows: Vec<(i64, i64)> = Pending::find_by_statement(stmt(
        ctx.txn.get_database_backend(),
        "SELECT cc.id, cc.campaign_id FROM campaign_contact cc JOIN contact ct ON ct.id = cc.contact_id \
         WHERE ct.tenant_id = ? AND ct.phone_key = ? AND cc.status = 'pending' ORDER BY cc.id",
        vec![tenant_id.into(), phone_key.into()],
    ))
    .all(ctx.txn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.campaign_id))
    .collect();
    cancel_rows(ctx, &rows).await
}

/// Marks pending campaign contacts `(id, campaign_id)` opted out. Each row changes only if it
/// is still pending when updated, and only a changed row is counted. Returns the campaigns
/// touched.
pub(crate) async fn cancel_rows(ctx: &mut Ctx<'_>, rows: &[(i64, i64)]) -> Result<Vec<i64>, DbErr> {
    let backend = ctx.txn.get_database_backend();
    let now: Value = ctx.now.into();
    let mut affected: Vec<i64> = Vec::new();
    for (id, campaign_id) in rows {
        let changed = ctx
            .txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET status = 'opted_out', opted_out_at = ?, updated_at = ? \
                 WHERE id = ? AND status = 'pending'",
                vec![now.clone(), now.clone(), (*id).into()],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            continue;
        }
        ctx.effects.transition(
            *campaign_id,
            None,
            DeliveryStatus::Pending,
            DeliveryStatus::OptedOut,
        );
        affected.push(*campaign_id);
    }
    Ok(affected)
}

async fn opt_out(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    contact: &ContactRow,
    keyword: &str,
    text: &str,
    answered: Option<&CampaignRow>,
) -> Result<(), DbErr> {
    let backend = ctx.txn.get_database_backend();
    let now: Value = ctx.now.into();
    let mut affected =
        opt_out_person(ctx, instance.tenant_id, &contact.phone_key, keyword, text).await?;
    crate::service::consent::record(
        ctx.txn,
        crate::service::consent::Event {
            tenant_id: instance.tenant_id,
            contact_id: contact.id,
            action: crate::service::consent::Action::OptOut,
            note: keyword,
            actor: crate::service::consent::WHATSAPP,
            at: ctx.now,
        },
    )
    .await?;
    if let Some(row) = answered
        && !row.opted_out
    {
        ctx.txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET opted_out_at = ?, updated_at = ? WHERE id = ?",
                vec![now.clone(), now.clone(), row.id.into()],
            ))
            .await?;
        ctx.effects.campaign(row.campaign_id).opted_out += 1;
        affected.push(row.campaign_id);
    }
    affected.sort_unstable();
    affected.dedup();
    for campaign_id in affected {
        ctx.effects
            .log(
                ctx.txn,
                LogLine {
                    tenant_id: instance.tenant_id,
                    campaign_id,
                    log_type: "contact_opted_out",
                    severity: Severity::Warning,
                    message: format!("{} opted out with \"{keyword}\"", contact.phone),
                    details: Some(json!({
                        "contact_id": contact.id,
                        "phone": contact.phone,
                        "keyword": keyword,
                        "text": text,
                    })),
                },
            )
            .await?;
    }
    Ok(())
}
