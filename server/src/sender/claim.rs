//! The sender's database work: what is due, claiming a row (pending → sending) under the
//! safety checks, and recording what Evolution answered.

use std::collections::HashMap;
use std::time::Duration;

use app::types::CampaignSettings;
use chrono::Utc;
use chrono_tz::Tz;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, TransactionTrait, Value,
};
use serde_json::json;

use crate::domain::campaign_state::CampaignStatus;
use crate::domain::delivery::DeliveryStatus;
use crate::domain::send_window::Quiet;
use crate::domain::timezone::tz_of;
use crate::domain::warmup::effective_cap;
use crate::entities::{campaign, tenant};
use crate::evolution::client::{ApiVersion, SendError, Target};
use crate::ingest::{
    Ctx, Effects, InstanceRef, PauseScope, UNKNOWN_OUTCOME, attach_message_id, cancel_rows,
    grace_expired, pause_campaigns_of,
};
use crate::sender::SenderDeps;
use crate::service::campaign_content::Content;
use crate::service::campaign_logs::{LogLine, Severity};
use crate::service::compose::{self, Files};
use crate::service::{campaigns, warmup};
use crate::sql::{placeholders, stmt};

/// An active campaign, as the sender needs it.
#[derive(Clone, Debug)]
pub struct DueCampaign {
    /// Campaign id.
    pub id: i64,
    /// Message variants (spintax templates), `message` first.
    pub variants: Vec<String>,
    /// Its media (of the campaign and of each variant) or poll.
    pub content: Content,
    /// The files its media need, with their public URLs.
    pub files: Files,
    /// Pacing, daily cap and send window.
    pub settings: CampaignSettings,
    /// When it may send: its window and days in its tenant's timezone.
    pub quiet: Quiet,
    /// Recipients left to send (its counter).
    pub pending: i64,
    /// Its links are tracked (rewritten per recipient): how.
    pub tracking: Option<crate::service::links::Tracking>,
}

/// An instance that may send now (active and open).
#[derive(Clone, Debug)]
pub struct Available {
    /// Instance id.
    pub id: i64,
    /// Its tenant.
    pub tenant_id: i64,
    /// Evolution instance name.
    pub name: String,
    /// Evolution base URL.
    pub api_url: String,
    /// Secret api key.
    pub api_key: String,
    /// v1 or v2.
    pub version: ApiVersion,
}

impl Available {
    /// How to reach it.
    pub fn target(&self) -> Target {
        Target {
            api_url: self.api_url.clone(),
            instance: self.name.clone(),
            api_key: self.api_key.clone(),
            version: self.version,
        }
    }
}

/// A row claimed for sending.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Claimed {
    /// campaign_contact id.
    pub id: i64,
    /// Campaign.
    pub campaign_id: i64,
    /// Their contact.
    pub contact_id: i64,
    /// Phone digits.
    pub phone: String,
    /// Contact name.
    pub name: String,
    /// The message variant this recipient gets.
    pub variant: i32,
    /// Contact attributes (a JSON object), for `{{field}}` placeholders.
    pub attributes: Option<serde_json::Value>,
}

impl Claimed {
    /// The contact's attributes as strings, keys in lower case.
    pub fn attributes(&self) -> std::collections::BTreeMap<String, String> {
        crate::service::contacts::attributes_of(self.attributes.as_ref())
    }
}

/// Every active campaign; its files are served under `public_url`.
pub async fn active_campaigns(
    db: &crate::db::Db,
    public_url: &str,
) -> Result<Vec<DueCampaign>, DbErr> {
    let models = campaign::Entity::find()
        .filter(campaign::Column::Status.eq(CampaignStatus::Active.as_str()))
        .order_by_asc(campaign::Column::Id)
        .all(&db.read)
        .await?;
    let zones: HashMap<i64, Tz> = tenant::Entity::find()
        .filter(tenant::Column::Id.is_in(models.iter().map(|m| m.tenant_id)))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|t| (t.id, tz_of(&t.timezone)))
        .collect();
    let mut due = Vec::with_capacity(models.len());
    for m in models {
        let settings = campaigns::settings(&m);
        let tz = zones
            .get(&m.tenant_id)
            .copied()
            .unwrap_or(chrono_tz::America::Sao_Paulo);
        let content = Content::of(&m);
        let files = compose::files(&db.read, public_url, &content.media_ids()).await?;
        due.push(DueCampaign {
            id: m.id,
            quiet: Quiet::new(settings.send_window.as_ref(), &settings.send_days, tz),
            settings,
            variants: campaigns::variant_texts(&m),
            content,
            files,
            pending: m.pending,
            tracking: m.track_links.then(|| crate::service::links::Tracking {
                campaign_id: m.id,
                tenant_id: m.tenant_id,
                utm: m.utm.and_then(|u| serde_json::from_value(u).ok()),
            }),
        });
    }
    Ok(due)
}

/// The campaign's instances that are active and open.
pub async fn available_instances(
    db: &crate::db::Db,
    campaign_id: i64,
) -> Result<Vec<Available>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        tenant_id: i64,
        instance_name: String,
        api_url: String,
        api_key: String,
        api_version: String,
    }
    let rows = Row::find_by_statement(stmt(
        db.backend(),
        "SELECT i.id, i.tenant_id, i.instance_name, i.api_url, i.api_key, i.api_version \
         FROM whatsapp_instance i JOIN campaign_instance ci ON ci.instance_id = i.id \
         WHERE ci.campaign_id = ? AND i.active = ? AND i.connection_state = 'open' ORDER BY i.id",
        vec![campaign_id.into(), true.into()],
    ))
    .all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Available {
            id: r.id,
            tenant_id: r.tenant_id,
            name: r.instance_name,
            api_url: r.api_url,
            api_key: r.api_key,
            version: ApiVersion::parse(&r.api_version),
        })
        .collect())
}

/// Claims the campaign's next pending row for `instance`, re-checking in the same transaction
/// that the campaign is active, the instance open, and the contact not opted out. A contact
/// already messaged through another available instance of the campaign is left to that one.
///
/// The instance's pacing slot is taken in the same transaction (`next_send_at` compare-and-set,
/// held for `lease` until [`release_pace`] sets the real pause): while one process sends
/// through an instance no other can, and the next send waits for the pause after it. The daily
/// cap (the warm-up step and the campaign's cap, whichever is lower) is counted in the
/// database under that slot, so it holds across campaigns and processes.
pub async fn claim_next(
    db: &crate::db::Db,
    campaign: &DueCampaign,
    instance: &Available,
    available: &[i64],
    lease: Duration,
) -> Result<Option<Claimed>, DbErr> {
    #[derive(FromQueryResult)]
    struct Gate {
        status: String,
        active: bool,
        connection_state: String,
        warmup: bool,
        tenant_id: i64,
        timezone: String,
    }
    let backend = db.backend();
    let txn = db.write.begin().await?;
    let Some(gate) = Gate::find_by_statement(stmt(
        backend,
        "SELECT c.status, i.active, i.connection_state, i.warmup, i.tenant_id, t.timezone \
         FROM campaign c, whatsapp_instance i JOIN tenant t ON t.id = i.tenant_id \
         WHERE c.id = ? AND i.id = ?",
        vec![campaign.id.into(), instance.id.into()],
    ))
    .one(&txn)
    .await?
    else {
        return Ok(None);
    };
    if !(gate.status == "active" && gate.active && gate.connection_state == "open") {
        return Ok(None);
    }
    let now = Utc::now();
    let held = now + chrono::Duration::from_std(lease).unwrap_or_default();
    let taken = txn
        .execute_raw(stmt(
            backend,
            "UPDATE whatsapp_instance SET next_send_at = ? \
             WHERE id = ? AND (next_send_at IS NULL OR next_send_at <= ?)",
            vec![held.into(), instance.id.into(), now.into()],
        ))
        .await?
        .rows_affected();
    if taken == 0 {
        // Another send of this instance is under way or its pause has not passed.
        return Ok(None);
    }
    let plan = if gate.warmup {
        warmup::plan(&txn, gate.tenant_id).await?
    } else {
        Vec::new()
    };
    let day = crate::service::instances::today(tz_of(&gate.timezone));
    let today = warmup::state(&txn, instance.id, gate.warmup, &plan, &day).await?;
    if let Some(cap) = effective_cap(today.cap_today, campaign.settings.daily_cap_per_instance)
        && today.sent_today >= cap
    {
        return Ok(None);
    }
    let others: Vec<i64> = available
        .iter()
        .copied()
        .filter(|i| *i != instance.id)
        .collect();
    // A recipient of a campaign sent at best hours waits until their `due_at`.
    let mut values: Vec<Value> = vec![campaign.id.into(), now.into()];
    let mut sql = String::from(
        "SELECT cc.id, cc.campaign_id, cc.contact_id, ct.phone, ct.name, cc.variant, ct.attributes \
         FROM campaign_contact cc \
         JOIN contact ct ON ct.id = cc.contact_id \
         WHERE cc.campaign_id = ? AND cc.status = 'pending' AND (cc.due_at IS NULL OR cc.due_at <= ?) \
         AND ct.opted_out_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM contact o WHERE o.tenant_id = ct.tenant_id \
         AND o.phone_key = ct.phone_key AND o.opted_out_at IS NOT NULL)",
    );
    if !others.is_empty() {
        sql.push_str(&format!(
            " AND NOT EXISTS (SELECT 1 FROM campaign_contact s WHERE s.contact_id = cc.contact_id \
             AND s.whatsapp_message_id IS NOT NULL AND s.instance_id IN ({}))",
            placeholders(others.len())
        ));
        values.extend(others.iter().map(|i| Value::from(*i)));
    }
    sql.push_str(" ORDER BY cc.id LIMIT 1");
    if backend == DbBackend::Postgres {
        sql.push_str(" FOR UPDATE OF cc SKIP LOCKED");
    }
    let Some(claimed) = Claimed::find_by_statement(stmt(backend, &sql, values))
        .one(&txn)
        .await?
    else {
        return Ok(None);
    };
    let changed = txn
        .execute_raw(stmt(
            backend,
            "UPDATE campaign_contact SET status = 'sending', instance_id = ?, updated_at = ? \
             WHERE id = ? AND status = 'pending'",
            vec![instance.id.into(), Utc::now().into(), claimed.id.into()],
        ))
        .await?
        .rows_affected();
    if changed != 1 {
        return Ok(None);
    }
    txn.commit().await?;
    Ok(Some(claimed))
}

/// Ends an instance's send: its next send may start at `next_at` (now + the pause).
pub async fn release_pace(
    db: &crate::db::Db,
    instance_id: i64,
    next_at: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    db.write
        .execute_raw(stmt(
            db.backend(),
            "UPDATE whatsapp_instance SET next_send_at = ? WHERE id = ?",
            vec![next_at.into(), instance_id.into()],
        ))
        .await?;
    Ok(())
}

/// What the last look before the Evolution call found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recheck {
    /// Still claimed, the person has not opted out, the campaign is active: send.
    Send,
    /// The person opted out (under any spelling of their number) since the claim: the row
    /// is now `opted_out` and nothing is sent.
    OptedOut,
    /// The campaign stopped since the claim: the row is pending again, nothing was sent.
    Stopped,
}

/// The last look before the Evolution call, after the claim committed: an opt-out or a pause
/// that committed in between wins over the claim. Each change is guarded by `sending`.
pub async fn recheck(deps: &SenderDeps, claimed: &Claimed) -> Result<Recheck, DbErr> {
    #[derive(FromQueryResult)]
    struct Look {
        opted_out: bool,
        campaign_status: String,
    }
    let backend = deps.db.backend();
    let look = Look::find_by_statement(stmt(
        backend,
        "SELECT (CASE WHEN EXISTS (SELECT 1 FROM contact o WHERE o.tenant_id = ct.tenant_id \
         AND o.phone_key = ct.phone_key AND o.opted_out_at IS NOT NULL) THEN TRUE ELSE FALSE END) \
         AS opted_out, c.status AS campaign_status \
         FROM campaign_contact cc JOIN contact ct ON ct.id = cc.contact_id \
         JOIN campaign c ON c.id = cc.campaign_id WHERE cc.id = ?",
        vec![claimed.id.into()],
    ))
    .one(&deps.db.write)
    .await?;
    let Some(look) = look else {
        return Ok(Recheck::Stopped);
    };
    if look.opted_out {
        let txn = deps.db.write.begin().await?;
        let now = Utc::now();
        let changed = txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET status = 'opted_out', opted_out_at = ?, updated_at = ? \
                 WHERE id = ? AND status = 'sending'",
                vec![now.into(), now.into(), claimed.id.into()],
            ))
            .await?
            .rows_affected();
        let mut ctx = Ctx::new(&txn, now);
        if changed == 1 {
            ctx.effects.transition(
                claimed.campaign_id,
                None,
                DeliveryStatus::Sending,
                DeliveryStatus::OptedOut,
            );
        }
        let effects = std::mem::take(&mut ctx.effects);
        commit(deps, txn, effects, now).await?;
        tracing::info!(
            campaign_contact = claimed.id,
            "the contact opted out after the claim; not sent"
        );
        return Ok(Recheck::OptedOut);
    }
    if look.campaign_status != CampaignStatus::Active.as_str() {
        put_back(deps, claimed.id).await?;
        return Ok(Recheck::Stopped);
    }
    Ok(Recheck::Send)
}

/// Returns a claimed row to `pending` (nothing was sent through it), or, when its campaign was
/// cancelled meanwhile, to `cancelled` (counted), so it cannot hold a cancelled campaign's
/// pending count up. On PostgreSQL the campaign row is read with a share lock, so a cancel
/// either sees the row back to pending or is seen here.
pub async fn put_back(deps: &SenderDeps, campaign_contact_id: i64) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        campaign_id: i64,
        status: String,
    }
    let backend = deps.db.backend();
    let txn = deps.db.write.begin().await?;
    let lock = if backend == DbBackend::Postgres {
        " FOR SHARE OF c"
    } else {
        ""
    };
    let Some(row) = Row::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT cc.campaign_id, c.status FROM campaign_contact cc \
             JOIN campaign c ON c.id = cc.campaign_id WHERE cc.id = ?{lock}"
        ),
        vec![campaign_contact_id.into()],
    ))
    .one(&txn)
    .await?
    else {
        return Ok(());
    };
    let now = Utc::now();
    let cancelled = row.status == CampaignStatus::Cancelled.as_str();
    let changed = txn
        .execute_raw(stmt(
            backend,
            "UPDATE campaign_contact SET status = ?, updated_at = ? WHERE id = ? AND status = 'sending'",
            vec![
                if cancelled { "cancelled" } else { "pending" }.into(),
                now.into(),
                campaign_contact_id.into(),
            ],
        ))
        .await?
        .rows_affected();
    let mut ctx = Ctx::new(&txn, now);
    if cancelled && changed == 1 {
        ctx.effects.transition(
            row.campaign_id,
            None,
            DeliveryStatus::Sending,
            DeliveryStatus::Cancelled,
        );
    }
    let effects = std::mem::take(&mut ctx.effects);
    commit(deps, txn, effects, now).await
}

/// Records the message id Evolution returned (and applies receipts that beat it).
pub async fn record_sent(
    deps: &SenderDeps,
    campaign_contact_id: i64,
    instance_id: i64,
    message_id: &str,
) -> Result<(), DbErr> {
    let txn = deps.db.write.begin().await?;
    let now = Utc::now();
    let mut ctx = Ctx::new(&txn, now);
    attach_message_id(&mut ctx, campaign_contact_id, instance_id, message_id).await?;
    ctx.effects.touch_instance(instance_id);
    let effects = std::mem::take(&mut ctx.effects);
    commit(deps, txn, effects, now).await
}

/// Records a send that did not produce a message id: answers that blame the contact or the
/// message fail the row, answers proving nothing was sent (Evolution unreachable, our key
/// refused, the instance unknown to Evolution) put it back to pending, unknown outcomes leave
/// it `sending` for the `send.message` webhook or the stale sweep to resolve.
pub async fn record_failure(
    deps: &SenderDeps,
    claimed: &Claimed,
    instance_id: i64,
    error: &SendError,
) {
    let result = match error {
        SendError::NotOnWhatsApp | SendError::Rejected(_) => {
            fail_rows(
                deps,
                &[(claimed.id, claimed.campaign_id, claimed.phone.clone())],
                Some(instance_id),
                &error.to_string(),
            )
            .await
        }
        SendError::NotSent(_)
        | SendError::Unauthorized(_)
        | SendError::InstanceMissing(_)
        | SendError::MediaUnreachable(_) => put_back(deps, claimed.id).await,
        SendError::Unknown(reason) => {
            tracing::warn!(campaign_contact = claimed.id, %reason, "send outcome unknown; waiting for send.message");
            Ok(())
        }
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "cannot record a failed send");
    }
}

/// Fails a claimed row whose number Flow cannot place, without calling Evolution (nor
/// counting it against the instance).
pub async fn refuse_unplaceable(deps: &SenderDeps, claimed: &Claimed) {
    let row = [(claimed.id, claimed.campaign_id, claimed.phone.clone())];
    if let Err(e) = fail_rows(deps, &row, None, app::types::INVALID_NUMBER_ERROR).await {
        tracing::warn!(error = %e, "cannot record a refused number");
    }
}

/// Marks `sending` rows failed with `error`, counting and logging each.
async fn fail_rows(
    deps: &SenderDeps,
    rows: &[(i64, i64, String)],
    instance_id: Option<i64>,
    error: &str,
) -> Result<(), DbErr> {
    let txn = deps.db.write.begin().await?;
    let now = Utc::now();
    let mut ctx = Ctx::new(&txn, now);
    let backend = deps.db.backend();
    for (id, campaign_id, phone) in rows {
        let changed = txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET status = 'failed', failed_at = ?, error = ?, updated_at = ? \
                 WHERE id = ? AND status = 'sending'",
                vec![now.into(), error.into(), now.into(), (*id).into()],
            ))
            .await?
            .rows_affected();
        if changed == 0 {
            continue;
        }
        ctx.effects.transition(
            *campaign_id,
            instance_id,
            DeliveryStatus::Sending,
            DeliveryStatus::Failed,
        );
        let tenant_id = tenant_of(&txn, *campaign_id).await?;
        ctx.effects
            .log(
                &txn,
                LogLine {
                    tenant_id,
                    campaign_id: *campaign_id,
                    log_type: "message_failed",
                    severity: Severity::Warning,
                    message: format!("The message to {phone} failed: {error}"),
                    details: Some(json!({ "phone": phone, "error": error })),
                },
            )
            .await?;
    }
    let effects = std::mem::take(&mut ctx.effects);
    commit(deps, txn, effects, now).await
}

/// Writes `effects` (row changes, counters), commits, and publishes them.
async fn commit(
    deps: &SenderDeps,
    txn: DatabaseTransaction,
    mut effects: Effects,
    now: chrono::DateTime<Utc>,
) -> Result<(), DbErr> {
    effects.flush(&txn, now).await?;
    txn.commit().await?;
    deps.publisher.publish(effects);
    Ok(())
}

async fn tenant_of(conn: &impl ConnectionTrait, campaign_id: i64) -> Result<i64, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        tenant_id: i64,
    }
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT tenant_id FROM campaign WHERE id = ?",
        vec![campaign_id.into()],
    ))
    .one(conn)
    .await?
    .map_or(0, |r| r.tenant_id))
}

/// Rows left `sending` for longer than `older_than` (a crash, or no answer from Evolution)
/// are never re-sent blindly: they become `failed` with a reason asking for a review.
pub async fn recover_stale_sending(deps: &SenderDeps, older_than: Duration) -> Result<u64, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        campaign_id: i64,
        phone: String,
        instance_id: Option<i64>,
    }
    let cutoff = Utc::now() - chrono::Duration::from_std(older_than).unwrap_or_default();
    let rows = Row::find_by_statement(stmt(
        deps.db.backend(),
        "SELECT cc.id, cc.campaign_id, ct.phone, cc.instance_id FROM campaign_contact cc \
         JOIN contact ct ON ct.id = cc.contact_id WHERE cc.status = 'sending' AND cc.updated_at <= ?",
        vec![cutoff.into()],
    ))
    .all(&deps.db.read)
    .await?;
    let n = rows.len() as u64;
    for row in rows {
        fail_rows(
            deps,
            &[(row.id, row.campaign_id, row.phone)],
            row.instance_id,
            UNKNOWN_OUTCOME,
        )
        .await?;
    }
    Ok(n)
}

/// Completes an active campaign that has nothing pending or being sent. Rows still pending
/// for people who opted out since (a send put back after Evolution refused it, say) can never
/// be claimed: they become `opted_out` first, so they cannot hold the campaign open forever.
pub async fn complete_if_done(deps: &SenderDeps, campaign_id: i64) -> Result<(), DbErr> {
    let backend = deps.db.backend();
    let txn = deps.db.write.begin().await?;
    #[derive(FromQueryResult)]
    struct Stranded {
        id: i64,
    }
    let stranded: Vec<i64> = Stranded::find_by_statement(stmt(
        backend,
        "SELECT cc.id FROM campaign_contact cc JOIN contact ct ON ct.id = cc.contact_id \
         WHERE cc.campaign_id = ? AND cc.status = 'pending' AND EXISTS (SELECT 1 FROM contact o \
         WHERE o.tenant_id = ct.tenant_id AND o.phone_key = ct.phone_key AND o.opted_out_at IS NOT NULL)",
        vec![campaign_id.into()],
    ))
    .all(&txn)
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    let mut effects = Effects::default();
    if !stranded.is_empty() {
        let now = Utc::now();
        let mut ctx = Ctx::new(&txn, now);
        let rows: Vec<(i64, i64)> = stranded.iter().map(|id| (*id, campaign_id)).collect();
        cancel_rows(&mut ctx, &rows).await?;
        effects = std::mem::take(&mut ctx.effects);
        effects.flush(&txn, now).await?;
    }
    #[derive(FromQueryResult)]
    struct Left {
        n: i64,
    }
    let left = Left::find_by_statement(stmt(
        backend,
        "SELECT COUNT(*) AS n FROM campaign_contact WHERE campaign_id = ? AND status IN ('pending', 'sending')",
        vec![campaign_id.into()],
    ))
    .one(&txn)
    .await?
    .map_or(0, |l| l.n);
    if left > 0 {
        if !stranded.is_empty() {
            txn.commit().await?;
            deps.publisher.publish(effects);
        }
        return Ok(());
    }
    let now = Utc::now();
    let update = stmt(
        backend,
        "UPDATE campaign SET status = 'completed', finished_at = ?, updated_at = ? \
         WHERE id = ? AND status = 'active'",
        vec![now.into(), now.into(), campaign_id.into()],
    );
    let line = |tenant_id| LogLine {
        tenant_id,
        campaign_id,
        log_type: "campaign_completed",
        severity: Severity::Info,
        message: "Campaign completed: every contact was handled".into(),
        details: None,
    };
    change_status(deps, txn, update, campaign_id, line).await?;
    deps.publisher.publish(effects);
    Ok(())
}

/// Runs the campaign status `update` in `txn`; when it changed the campaign, writes the log
/// line, commits and publishes.
async fn change_status<'l>(
    deps: &SenderDeps,
    txn: DatabaseTransaction,
    update: sea_orm::Statement,
    campaign_id: i64,
    line: impl FnOnce(i64) -> LogLine<'l>,
) -> Result<(), DbErr> {
    if txn.execute_raw(update).await?.rows_affected() == 0 {
        return Ok(());
    }
    let now = Utc::now();
    let mut ctx = Ctx::new(&txn, now);
    ctx.effects.touch_campaign(campaign_id);
    let tenant_id = tenant_of(&txn, campaign_id).await?;
    ctx.effects.log(&txn, line(tenant_id)).await?;
    let effects = std::mem::take(&mut ctx.effects);
    commit(deps, txn, effects, now).await
}

/// Evolution refused the instance itself (our api key, or the instance is unknown there): the
/// instance is marked (`state`, inactive) and every active campaign it serves is paused for
/// `reason`. Its contacts stay pending for when an admin fixes the instance.
pub async fn instance_refused(
    deps: &SenderDeps,
    instance: &Available,
    state: &str,
    reason: &str,
    error: &SendError,
) -> Result<(), DbErr> {
    let backend = deps.db.backend();
    let txn = deps.db.write.begin().await?;
    let now = Utc::now();
    txn.execute_raw(stmt(
        backend,
        "UPDATE whatsapp_instance SET connection_state = ?, active = ? WHERE id = ?",
        vec![state.into(), false.into(), instance.id.into()],
    ))
    .await?;
    let tenant_id = {
        #[derive(FromQueryResult)]
        struct Row {
            tenant_id: i64,
        }
        Row::find_by_statement(stmt(
            backend,
            "SELECT tenant_id FROM whatsapp_instance WHERE id = ?",
            vec![instance.id.into()],
        ))
        .one(&txn)
        .await?
        .map_or(0, |r| r.tenant_id)
    };
    let mut ctx = Ctx::new(&txn, now);
    ctx.effects.touch_instance(instance.id);
    let who = InstanceRef {
        id: instance.id,
        tenant_id,
        name: instance.name.clone(),
    };
    let message = format!(
        "Instance {} cannot send: {error}; campaign paused until the instance is fixed and the campaign resumed",
        instance.name
    );
    let details = json!({ "instance_id": instance.id, "instance_name": instance.name });
    pause_campaigns_of(&mut ctx, &who, PauseScope::Every, reason, &message, details).await?;
    let effects = std::mem::take(&mut ctx.effects);
    commit(deps, txn, effects, now).await
}

/// Pauses the campaigns of v1 instances whose `close` was not followed by `open` within
/// `grace` (a real disconnect, not one of v1's transient drops).
pub async fn expire_close_grace(deps: &SenderDeps, grace: Duration) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        tenant_id: i64,
        instance_name: String,
    }
    let cutoff = Utc::now() - chrono::Duration::from_std(grace).unwrap_or_default();
    let waiting = Row::find_by_statement(stmt(
        deps.db.backend(),
        "SELECT id, tenant_id, instance_name FROM whatsapp_instance \
         WHERE closed_at IS NOT NULL AND closed_at <= ?",
        vec![cutoff.into()],
    ))
    .all(&deps.db.read)
    .await?;
    for row in waiting {
        let txn = deps.db.write.begin().await?;
        let now = Utc::now();
        let mut ctx = Ctx::new(&txn, now);
        let who = InstanceRef {
            id: row.id,
            tenant_id: row.tenant_id,
            name: row.instance_name,
        };
        if grace_expired(&mut ctx, &who).await? {
            tracing::warn!(
                instance_id = who.id,
                "v1 instance did not reconnect within the grace period; campaigns paused"
            );
        }
        let effects = std::mem::take(&mut ctx.effects);
        commit(deps, txn, effects, now).await?;
    }
    Ok(())
}

/// Looks at the instance's last sends; when a risk signal is high (opt-outs, "not on
/// WhatsApp" answers, failures), the instance drops out (inactive until an admin refreshes it
/// or it reconnects): its campaigns with another active, open instance go on without it, the
/// others are paused with that reason.
pub async fn check_risk(deps: &SenderDeps, instance: &Available) -> Result<(), DbErr> {
    let (view, signal) =
        crate::service::risk::assess(&deps.db.read, instance.tenant_id, instance.id).await?;
    let Some(signal) = signal else {
        return Ok(());
    };
    let txn = deps.db.write.begin().await?;
    let now = Utc::now();
    let dropped = txn
        .execute_raw(stmt(
            deps.db.backend(),
            "UPDATE whatsapp_instance SET active = ? WHERE id = ? AND active = ?",
            vec![false.into(), instance.id.into(), true.into()],
        ))
        .await?
        .rows_affected();
    let mut ctx = Ctx::new(&txn, now);
    let who = InstanceRef {
        id: instance.id,
        tenant_id: instance.tenant_id,
        name: instance.name.clone(),
    };
    let percent = view
        .signals
        .iter()
        .find(|s| s.signal == signal.as_str())
        .map_or(0.0, |s| s.percent);
    let message = format!(
        "Instance {} is at risk of losing its number ({}: {percent}% of its last sends); campaign paused",
        instance.name,
        signal.as_str()
    );
    let details = json!({"instance_id": instance.id, "instance_name": instance.name, "risk": view});
    let scope = PauseScope::LeftWithoutInstance;
    let paused = pause_campaigns_of(
        &mut ctx,
        &who,
        scope,
        signal.pause_reason(),
        &message,
        details,
    )
    .await?;
    if dropped > 0 {
        ctx.effects.touch_instance(instance.id);
        tracing::warn!(
            instance_id = instance.id,
            signal = signal.as_str(),
            paused,
            "risk signal: instance dropped out"
        );
    }
    let effects = std::mem::take(&mut ctx.effects);
    commit(deps, txn, effects, now).await
}

/// Pauses an active campaign for `reason`, with a critical log line.
pub async fn pause(
    deps: &SenderDeps,
    campaign_id: i64,
    reason: &str,
    message: String,
) -> Result<(), DbErr> {
    let backend = deps.db.backend();
    let txn = deps.db.write.begin().await?;
    let update = stmt(
        backend,
        "UPDATE campaign SET status = 'paused', pause_reason = ?, updated_at = ? \
         WHERE id = ? AND status = 'active'",
        vec![reason.into(), Utc::now().into(), campaign_id.into()],
    );
    let line = |tenant_id| LogLine {
        tenant_id,
        campaign_id,
        log_type: reason,
        severity: Severity::Critical,
        message,
        details: None,
    };
    change_status(deps, txn, update, campaign_id, line).await
}
