//! `connection.update`: an instance that closes (logged out, banned) or is refused goes
//! inactive and pauses its active campaigns; one that opens is active again, while its
//! campaigns stay paused until a person resumes them. `qrcode.updated`: an instance waiting to
//! be paired is `connecting`, and its new QR code goes to the admins' live streams.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use serde_json::json;

use app::types::InstanceQr;

use crate::evolution::{ConnectionState, ConnectionUpdate, QrCode};
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::service::campaign_logs::{LogLine, Severity};
use crate::service::sql::stmt;

/// The pause reason of campaigns stopped by a disconnect.
pub const INSTANCE_DISCONNECTED: &str = "instance_disconnected";

pub(super) async fn apply(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    update: &ConnectionUpdate,
) -> Result<Outcome, DbErr> {
    let backend = ctx.txn.get_database_backend();
    #[derive(FromQueryResult)]
    struct Current {
        connection_state: String,
    }
    let previous = Current::find_by_statement(stmt(
        backend,
        "SELECT connection_state FROM whatsapp_instance WHERE id = ?",
        vec![instance.id.into()],
    ))
    .one(ctx.txn)
    .await?
    .map(|c| c.connection_state)
    .unwrap_or_default();
    let state = update.state.as_str().to_string();
    let down = matches!(
        update.state,
        ConnectionState::Close | ConnectionState::Refused
    );
    let active: Option<bool> = match update.state {
        ConnectionState::Open => Some(true),
        ConnectionState::Close | ConnectionState::Refused => Some(false),
        _ => None,
    };
    let mut sql = String::from("UPDATE whatsapp_instance SET connection_state = ?");
    let mut values: Vec<Value> = vec![state.clone().into()];
    if let Some(active) = active {
        sql.push_str(", active = ?");
        values.push(active.into());
    }
    sql.push_str(" WHERE id = ?");
    values.push(instance.id.into());
    ctx.txn.execute_raw(stmt(backend, &sql, values)).await?;

    if !down {
        return Ok(if update.state == ConnectionState::Open {
            Outcome::Connected
        } else {
            Outcome::Updated
        });
    }
    if previous == "close" || previous == "refused" {
        // A repeated close (Evolution retries, v1 sends several): already handled.
        return Ok(Outcome::Duplicate);
    }
    ctx.effects.daily(instance.id).disconnects += 1;

    let message = format!(
        "Instance {} disconnected ({state}); campaign paused until resumed",
        instance.name
    );
    let details = json!({
        "instance_id": instance.id,
        "instance_name": instance.name,
        "state": state,
        "status_reason": update.status_reason,
    });
    pause_campaigns_of(ctx, instance, INSTANCE_DISCONNECTED, &message, details).await?;
    Ok(Outcome::Disconnected)
}

/// `qrcode.updated`: the instance waits for its QR code to be scanned (`connecting`, unless
/// a newer `open` was already applied), and the QR is published to the tenant's admins.
pub(super) async fn apply_qr(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    qr: &QrCode,
) -> Result<Outcome, DbErr> {
    let backend = ctx.txn.get_database_backend();
    ctx.txn
        .execute_raw(stmt(
            backend,
            "UPDATE whatsapp_instance SET connection_state = 'connecting' \
             WHERE id = ? AND connection_state <> 'open'",
            vec![instance.id.into()],
        ))
        .await?;
    ctx.effects.qr_codes.push((
        instance.tenant_id,
        InstanceQr {
            instance_id: instance.id,
            base64: qr.base64.clone(),
            pairing_code: qr.pairing_code.clone(),
            code: qr.code.clone(),
            connected: false,
        },
    ));
    Ok(Outcome::Updated)
}

/// Pauses every active campaign of `instance` for `reason`, each with a critical log line
/// saying `message`. Returns how many were paused.
pub(crate) async fn pause_campaigns_of(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    reason: &str,
    message: &str,
    details: serde_json::Value,
) -> Result<usize, DbErr> {
    let backend = ctx.txn.get_database_backend();
    #[derive(FromQueryResult)]
    struct Active {
        id: i64,
    }
    let campaigns = Active::find_by_statement(stmt(
        backend,
        "SELECT c.id FROM campaign c JOIN campaign_instance ci ON ci.campaign_id = c.id \
         WHERE ci.instance_id = ? AND c.tenant_id = ? AND c.status = 'active' ORDER BY c.id",
        vec![instance.id.into(), instance.tenant_id.into()],
    ))
    .all(ctx.txn)
    .await?;
    let now: Value = ctx.now.into();
    let mut paused = 0;
    for campaign in campaigns {
        let changed = ctx
            .txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign SET status = 'paused', pause_reason = ?, updated_at = ? \
                 WHERE id = ? AND status = 'active'",
                vec![reason.into(), now.clone(), campaign.id.into()],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            continue;
        }
        paused += 1;
        ctx.effects.touch_campaign(campaign.id);
        ctx.effects
            .log(
                ctx.txn,
                LogLine {
                    tenant_id: instance.tenant_id,
                    campaign_id: campaign.id,
                    log_type: reason,
                    severity: Severity::Critical,
                    message: message.to_string(),
                    details: Some(details.clone()),
                },
            )
            .await?;
    }
    Ok(paused)
}
