//! The one-off repair of phones stored before numbers were parsed (issue 21): each contact's
//! number is read again in its tenant's `default_country`, so national spellings
//! (`11987654321`, `011987654321`) become E.164 (`5511987654321`); twins that now share an
//! identity are merged into the oldest (lists, campaign history, replies and consent events
//! move to it; an opt-out on either twin wins); a number that cannot be read is kept as it was,
//! marked `line_type = 'invalid'` (the sender never sends to it; the contacts page filters it)
//! and reported in the log.
//!
//! A contact is repaired once: the repair looks only at rows whose `line_type` is still NULL,
//! and every path that writes a contact now sets it. Each server runs it at start; batches take
//! the tenant's import lock on PostgreSQL, so two servers starting together, or an import
//! running meanwhile, never write the same identity twice.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult, TransactionTrait, Value,
};

use crate::db::Db;
use crate::domain::delivery::DeliveryStatus;
use crate::domain::phone::{self, Country, INVALID_LINE};
use crate::ingest::{Ctx, opt_out_person};
use crate::service::contacts::import_lock;
use crate::sql::stmt;

/// Contacts read per transaction.
const BATCH: u64 = 1000;

/// What a repair did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RepairReport {
    /// Contacts whose number was read.
    pub parsed: u64,
    /// Of them, stored under another spelling now.
    pub rewritten: u64,
    /// Twins merged into another contact.
    pub merged: u64,
    /// Contacts whose number could not be read: `(tenant, contact id, phone as stored)`.
    pub invalid: Vec<(i64, i64, String)>,
}

/// Repairs every tenant's contacts not yet parsed.
///
/// # Errors
/// A database error; what was committed before it stays repaired, and the next start goes on.
pub async fn run(db: &Db) -> Result<RepairReport, DbErr> {
    #[derive(FromQueryResult)]
    struct Tenant {
        id: i64,
        default_country: String,
    }
    let tenants = Tenant::find_by_statement(stmt(
        db.backend(),
        "SELECT t.id, t.default_country FROM tenant t WHERE EXISTS (SELECT 1 FROM contact c \
         WHERE c.tenant_id = t.id AND c.line_type IS NULL AND c.erased_at IS NULL) ORDER BY t.id",
        Vec::new(),
    ))
    .all(&db.read)
    .await?;
    let mut report = RepairReport::default();
    for t in tenants {
        let country = Country::from_stored(&t.default_country);
        while repair_batch(db, t.id, country, &mut report).await? {}
    }
    for (tenant_id, contact_id, phone) in &report.invalid {
        tracing::warn!(
            tenant_id,
            contact_id,
            phone = %phone,
            "a stored phone is not a valid number: it is marked invalid and never sent to"
        );
    }
    if report.parsed > 0 {
        tracing::info!(
            parsed = report.parsed,
            rewritten = report.rewritten,
            merged = report.merged,
            invalid = report.invalid.len(),
            "stored phones repaired"
        );
    }
    Ok(report)
}

/// A stored number read again: in the tenant's country first (national spellings, and
/// international ones with their country code, which libphonenumber reads there too), then as
/// an international number written without its `+` (numbers of other countries).
fn reread(stored: &str, country: Country) -> Option<phone::Number> {
    phone::parse(stored, country)
        .or_else(|_| phone::international(stored))
        .ok()
}

/// Repairs one batch of the tenant's contacts; false when none was left.
async fn repair_batch(
    db: &Db,
    tenant_id: i64,
    country: Country,
    report: &mut RepairReport,
) -> Result<bool, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        phone: String,
        phone_key: String,
    }
    let backend = db.backend();
    let txn = db.write.begin().await?;
    import_lock(&txn, tenant_id).await?;
    let rows = Row::find_by_statement(stmt(
        backend,
        "SELECT id, phone, phone_key FROM contact WHERE tenant_id = ? AND line_type IS NULL \
         AND erased_at IS NULL AND merged_into_id IS NULL ORDER BY id LIMIT ?",
        vec![tenant_id.into(), (BATCH as i64).into()],
    ))
    .all(&txn)
    .await?;
    if rows.is_empty() {
        txn.commit().await?;
        return Ok(false);
    }
    // Identities written in this batch, with the digits their person is stored under.
    let mut keys = BTreeMap::new();
    for row in rows {
        report.parsed += 1;
        let Some(number) = reread(&row.phone, country) else {
            txn.execute_raw(stmt(
                backend,
                "UPDATE contact SET line_type = ? WHERE id = ?",
                vec![INVALID_LINE.into(), row.id.into()],
            ))
            .await?;
            report.invalid.push((tenant_id, row.id, row.phone));
            continue;
        };
        let key = number.key();
        if number.digits != row.phone || key != row.phone_key {
            report.rewritten += 1;
        }
        // The identity and kind of line now; the digits once the twins are merged (a twin
        // may hold them: phones are unique per tenant).
        txn.execute_raw(stmt(
            backend,
            "UPDATE contact SET phone_key = ?, line_type = ? WHERE id = ?",
            vec![
                key.clone().into(),
                number.line_type.as_str().into(),
                row.id.into(),
            ],
        ))
        .await?;
        keys.insert(key, number.digits);
    }
    for (key, digits) in &keys {
        report.merged += merge_twins(&txn, tenant_id, key, digits).await?;
    }
    txn.commit().await?;
    Ok(true)
}

/// A contact of a group of twins, as the merge reads it.
#[derive(Clone, FromQueryResult)]
struct Twin {
    id: i64,
    name: String,
    attributes: Option<serde_json::Value>,
    opted_out_at: Option<DateTime<Utc>>,
    opt_out_keyword: Option<String>,
    opt_out_text: Option<String>,
    last_interaction_at: Option<DateTime<Utc>>,
    total_messages_received: i64,
}

/// Merges the tenant's contacts sharing identity `key` into the oldest one, which is then
/// stored under `digits`; returns how many were merged. Everything of a twin moves to the
/// survivor: list memberships, replies, consent events, and its campaign rows unless the
/// survivor has one in the same campaign (the twin then stays, hidden, as `merged_into_id`, so
/// campaign counters keep their rows). An opt-out of any twin opts the person out (its earliest
/// time, keyword and text kept).
async fn merge_twins(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    key: &str,
    digits: &str,
) -> Result<u64, DbErr> {
    let backend = txn.get_database_backend();
    let group = Twin::find_by_statement(stmt(
        backend,
        "SELECT id, name, attributes, opted_out_at, opt_out_keyword, opt_out_text, \
         last_interaction_at, total_messages_received FROM contact WHERE tenant_id = ? \
         AND phone_key = ? AND erased_at IS NULL AND merged_into_id IS NULL ORDER BY id",
        vec![tenant_id.into(), key.into()],
    ))
    .all(txn)
    .await?;
    let Some((survivor, twins)) = group.split_first() else {
        return Ok(0);
    };
    let now = Utc::now();
    let store_under = |phone: &str| {
        stmt(
            backend,
            "UPDATE contact SET phone = ? WHERE id = ?",
            vec![phone.into(), survivor.id.into()],
        )
    };
    if twins.is_empty() {
        txn.execute_raw(store_under(digits)).await?;
        return Ok(0);
    }
    let mut ctx = Ctx::new(txn, now);
    // The earliest opt-out of the person wins, and stops their pending sends.
    if let Some(first) = group
        .iter()
        .filter(|t| t.opted_out_at.is_some())
        .min_by_key(|t| t.opted_out_at)
    {
        opt_out_person(
            &mut ctx,
            tenant_id,
            key,
            first.opt_out_keyword.as_deref().unwrap_or(""),
            first.opt_out_text.as_deref().unwrap_or(""),
        )
        .await?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE contact SET opted_out_at = ?, opt_out_keyword = ?, opt_out_text = ? \
             WHERE id = ?",
            vec![
                first.opted_out_at.into(),
                first.opt_out_keyword.clone().into(),
                first.opt_out_text.clone().into(),
                survivor.id.into(),
            ],
        ))
        .await?;
    }
    let merged = merged_person(survivor, twins);
    txn.execute_raw(stmt(
        backend,
        "UPDATE contact SET name = ?, attributes = ?, last_interaction_at = ?, \
         total_messages_received = ?, updated_at = ? WHERE id = ?",
        vec![
            merged.name.into(),
            merged.attributes.into(),
            merged.last_interaction_at.into(),
            merged.total_messages_received.into(),
            now.into(),
            survivor.id.into(),
        ],
    ))
    .await?;
    for twin in twins {
        move_history(&mut ctx, survivor.id, twin.id).await?;
    }
    txn.execute_raw(store_under(digits)).await?;
    ctx.effects.flush(txn, now).await?;
    Ok(twins.len() as u64)
}

/// The survivor as the merge leaves it: its own name unless empty (then the first twin's
/// with one), every twin's attributes under its own, the latest interaction, every message.
fn merged_person(survivor: &Twin, twins: &[Twin]) -> Twin {
    let mut out = survivor.clone();
    if out.name.trim().is_empty()
        && let Some(named) = twins.iter().find(|t| !t.name.trim().is_empty())
    {
        out.name = named.name.clone();
    }
    let mut attributes = serde_json::Map::new();
    for t in twins.iter().rev().chain(std::iter::once(survivor)) {
        if let Some(serde_json::Value::Object(map)) = &t.attributes {
            attributes.extend(map.clone());
        }
    }
    out.attributes = (!attributes.is_empty()).then_some(serde_json::Value::Object(attributes));
    out.last_interaction_at = std::iter::once(survivor)
        .chain(twins)
        .filter_map(|t| t.last_interaction_at)
        .max();
    out.total_messages_received = std::iter::once(survivor)
        .chain(twins)
        .map(|t| t.total_messages_received)
        .sum();
    out
}

/// Moves what names contact `twin` to `survivor`, then deletes the twin, or hides it behind
/// `merged_into_id` when the survivor already has a row in one of its campaigns.
async fn move_history(ctx: &mut Ctx<'_>, survivor: i64, twin: i64) -> Result<(), DbErr> {
    let (txn, now) = (ctx.txn, ctx.now);
    let backend = txn.get_database_backend();
    let both = |extra: Vec<Value>| -> Vec<Value> {
        let mut v: Vec<Value> = vec![survivor.into(), twin.into()];
        v.extend(extra);
        v
    };
    let statements: [(&str, Vec<Value>); 5] = [
        (
            "INSERT INTO list_contact (list_id, contact_id, added_at) \
             SELECT l.list_id, ?, l.added_at FROM list_contact l WHERE l.contact_id = ? \
             AND NOT EXISTS (SELECT 1 FROM list_contact s WHERE s.list_id = l.list_id \
             AND s.contact_id = ?)",
            both(vec![survivor.into()]),
        ),
        (
            "DELETE FROM list_contact WHERE contact_id = ?",
            vec![twin.into()],
        ),
        (
            "UPDATE reply SET contact_id = ? WHERE contact_id = ?",
            both(Vec::new()),
        ),
        (
            "UPDATE consent_event SET contact_id = ? WHERE contact_id = ?",
            both(Vec::new()),
        ),
        (
            "UPDATE campaign_contact SET contact_id = ? WHERE contact_id = ? \
             AND NOT EXISTS (SELECT 1 FROM campaign_contact s \
             WHERE s.campaign_id = campaign_contact.campaign_id AND s.contact_id = ?)",
            both(vec![survivor.into()]),
        ),
    ];
    for (sql, values) in statements {
        txn.execute_raw(stmt(backend, sql, values)).await?;
    }
    #[derive(FromQueryResult)]
    struct Left {
        n: i64,
    }
    let left = Left::find_by_statement(stmt(
        backend,
        "SELECT COUNT(*) AS n FROM campaign_contact WHERE contact_id = ?",
        vec![twin.into()],
    ))
    .one(txn)
    .await?
    .map_or(0, |l| l.n);
    if left == 0 {
        txn.execute_raw(stmt(
            backend,
            "DELETE FROM contact WHERE id = ?",
            vec![twin.into()],
        ))
        .await?;
        return Ok(());
    }
    // The person already got this campaign as the survivor: the twin's row stays history,
    // and a row still waiting is not sent twice.
    #[derive(FromQueryResult)]
    struct Waiting {
        id: i64,
        campaign_id: i64,
    }
    let waiting = Waiting::find_by_statement(stmt(
        backend,
        "SELECT id, campaign_id FROM campaign_contact WHERE contact_id = ? AND status = 'pending'",
        vec![twin.into()],
    ))
    .all(txn)
    .await?;
    for w in waiting {
        let changed = txn
            .execute_raw(stmt(
                backend,
                "UPDATE campaign_contact SET status = 'cancelled', updated_at = ? \
                 WHERE id = ? AND status = 'pending'",
                vec![now.into(), w.id.into()],
            ))
            .await?
            .rows_affected();
        if changed == 1 {
            ctx.effects.transition(
                w.campaign_id,
                None,
                DeliveryStatus::Pending,
                DeliveryStatus::Cancelled,
            );
        }
    }
    txn.execute_raw(stmt(
        backend,
        "UPDATE contact SET merged_into_id = ?, phone = 'merged:' || CAST(id AS TEXT), \
         phone_key = 'merged:' || CAST(id AS TEXT), updated_at = ? WHERE id = ?",
        vec![survivor.into(), now.into(), twin.into()],
    ))
    .await?;
    Ok(())
}
