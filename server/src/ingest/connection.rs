//! `connection.update`: an instance that closes or is refused goes inactive and pauses its
//! active campaigns, with a reason telling a logout (401), a ban (403) and restrictions
//! (402, 406) apart (see [`crate::domain::ban`]); a v1 close that may be a transient drop
//! waits for the grace period first. One that opens is active again, while its campaigns stay
//! paused until a person resumes them. `qrcode.updated`: an instance waiting to
//! be paired is `connecting`, and its new QR code goes to the admins' live streams.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use serde_json::json;

use app::types::InstanceQr;

use crate::domain::ban::{CloseKind, DOWN_STATES};
use crate::evolution::client::ApiVersion;
use crate::evolution::{ConnectionState, ConnectionUpdate, QrCode};
use crate::ingest::{Ctx, InstanceRef, Outcome};
use crate::service::campaign_logs::{LogLine, Severity};
use crate::sql::stmt;

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
        api_version: String,
    }
    let current = Current::find_by_statement(stmt(
        backend,
        "SELECT connection_state, api_version FROM whatsapp_instance WHERE id = ?",
        vec![instance.id.into()],
    ))
    .one(ctx.txn)
    .await?;
    let (previous, version) = current.map_or((String::new(), String::new()), |c| {
        (c.connection_state, c.api_version)
    });
    let kind = CloseKind::of(update.status_reason);
    let state = match update.state {
        ConnectionState::Close => kind.state().to_string(),
        ref other => other.as_str().to_string(),
    };
    let down = matches!(
        update.state,
        ConnectionState::Close | ConnectionState::Refused
    );
    // A v1 close that may be one of its transient drops waits for the grace period.
    let waits = update.state == ConnectionState::Close
        && kind.may_come_back()
        && ApiVersion::parse(&version) == ApiVersion::V1;
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
    if let Some(phone) = &update.phone {
        sql.push_str(", phone = ?");
        values.push(phone.clone().into());
    }
    if waits && !DOWN_STATES.contains(&previous.as_str()) {
        sql.push_str(", closed_at = ?");
        values.push(ctx.now.into());
    } else if !waits {
        sql.push_str(", closed_at = NULL");
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
    if waits {
        // Paused by the sender's sweep if no `open` comes within the grace period.
        return Ok(Outcome::Updated);
    }
    // A repeated close (Evolution retries, v1 sends several) is handled once; a ban or logout
    // after a plain close still pauses with its own reason.
    let repeated = DOWN_STATES.contains(&previous.as_str())
        && (previous == state
            || update.state == ConnectionState::Refused
            || kind == CloseKind::Dropped);
    if repeated {
        return Ok(Outcome::Duplicate);
    }
    ctx.effects.daily(instance.id).disconnects += 1;
    let reason = if update.state == ConnectionState::Close {
        kind.pause_reason()
    } else {
        INSTANCE_DISCONNECTED
    };
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
    pause_campaigns_of(ctx, instance, PauseScope::Every, reason, &message, details).await?;
    Ok(Outcome::Disconnected)
}

/// A v1 instance's `close` was not followed by `open` within the grace period: it is a real
/// disconnect, and its active campaigns are paused. Returns whether it still waited (another
/// process may have handled it first).
pub(crate) async fn grace_expired(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
) -> Result<bool, DbErr> {
    let backend = ctx.txn.get_database_backend();
    let changed = ctx
        .txn
        .execute_raw(stmt(
            backend,
            "UPDATE whatsapp_instance SET closed_at = NULL \
             WHERE id = ? AND closed_at IS NOT NULL AND connection_state = 'close'",
            vec![instance.id.into()],
        ))
        .await?
        .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    ctx.effects.daily(instance.id).disconnects += 1;
    ctx.effects.touch_instance(instance.id);
    let message = format!(
        "Instance {} disconnected (close) and did not come back; campaign paused until resumed",
        instance.name
    );
    let details =
        json!({"instance_id": instance.id, "instance_name": instance.name, "state": "close"});
    pause_campaigns_of(
        ctx,
        instance,
        PauseScope::Every,
        INSTANCE_DISCONNECTED,
        &message,
        details,
    )
    .await?;
    Ok(true)
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

/// Which campaigns of an instance a pause stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PauseScope {
    /// Every active campaign it sends.
    Every,
    /// Only those it leaves without another active, open instance (the others go on
    /// without it).
    LeftWithoutInstance,
}

/// Pauses the active campaigns of `instance` (all, or per `scope` only those it leaves without
/// an instance) for `reason`, each with a critical log line saying `message`. Returns how many
/// were paused.
pub(crate) async fn pause_campaigns_of(
    ctx: &mut Ctx<'_>,
    instance: &InstanceRef,
    scope: PauseScope,
    reason: &str,
    message: &str,
    details: serde_json::Value,
) -> Result<usize, DbErr> {
    let backend = ctx.txn.get_database_backend();
    #[derive(FromQueryResult)]
    struct Active {
        id: i64,
    }
    let mut sql = String::from(
        "SELECT c.id FROM campaign c JOIN campaign_instance ci ON ci.campaign_id = c.id \
         WHERE ci.instance_id = ? AND c.tenant_id = ? AND c.status = 'active'",
    );
    let mut values: Vec<Value> = vec![instance.id.into(), instance.tenant_id.into()];
    if scope == PauseScope::LeftWithoutInstance {
        sql.push_str(
            " AND NOT EXISTS (SELECT 1 FROM campaign_instance o \
             JOIN whatsapp_instance oi ON oi.id = o.instance_id WHERE o.campaign_id = c.id \
             AND oi.id <> ? AND oi.active = ? AND oi.connection_state = 'open')",
        );
        values.extend([instance.id.into(), true.into()]);
    }
    sql.push_str(" ORDER BY c.id");
    let campaigns = Active::find_by_statement(stmt(backend, &sql, values))
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
