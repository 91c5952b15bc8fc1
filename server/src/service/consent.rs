//! Consent, recorded: opt-outs and opt-ins by hand (with who, when and why, in a log that
//! does not depend on campaigns), and erasure (LGPD art. 18): a person's data is deleted or
//! anonymised and a keyed hash of their number stays in the suppression list
//! ([`crate::service::suppression`]), so a later import brings them back opted out.

use app::audience::{ConsentEventView, ImportError};
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult, TransactionTrait, Value,
};

use crate::auth::Who;
use crate::db::Db;
use crate::domain::phone;
use crate::ingest::{Ctx, opt_out_person};
use crate::service::campaign_logs::{LogLine, Severity};
use crate::service::{Problem, ServiceError, ServiceResult, contacts, suppression, timestamp};
use crate::sql::{placeholders, stmt};

/// The actor of opt-outs sent as a keyword over WhatsApp.
pub const WHATSAPP: &str = "whatsapp";

/// The opt-out keyword of a contact re-created (by an import) after their number was erased.
pub const SUPPRESSED: &str = "erased";

/// The opt-out keyword of an opt-out recorded by hand.
const MANUAL: &str = "manual";

/// What replaces erased personal data in texts that are kept (logs, notes).
const ERASED_TEXT: &str = "[apagado]";

/// What a consent event records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The person was opted out (by a keyword or by hand).
    OptOut,
    /// The person gave consent again.
    OptIn,
    /// The person was erased.
    Erased,
    /// A field of the contact was corrected (LGPD art. 18 III).
    Corrected,
    /// The person's data was exported for them (LGPD art. 18 II and V).
    Exported,
}

impl Action {
    /// Every action.
    pub const ALL: [Self; 5] = [
        Self::OptOut,
        Self::OptIn,
        Self::Erased,
        Self::Corrected,
        Self::Exported,
    ];

    /// The stored and wire form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::OptOut => "opt_out",
            Self::OptIn => "opt_in",
            Self::Erased => "erased",
            Self::Corrected => "corrected",
            Self::Exported => "exported",
        }
    }
}

/// A line of the consent log.
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    /// Tenant.
    pub tenant_id: i64,
    /// Contact.
    pub contact_id: i64,
    /// What happened.
    pub action: Action,
    /// The reason, consent note or keyword.
    pub note: &'a str,
    /// Who did it.
    pub actor: &'a str,
    /// When.
    pub at: DateTime<Utc>,
}

/// What a correction changed: the field (`name`, `phone`, `attributes.<key>`) and its values
/// before and after (`None`: the attribute was not there, or is removed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// The field.
    pub field: String,
    /// Before.
    pub old: Option<String>,
    /// After.
    pub new: Option<String>,
}

/// Writes a line of the consent log.
pub async fn record(conn: &impl ConnectionTrait, e: Event<'_>) -> Result<(), DbErr> {
    insert(conn, e, None).await
}

/// Writes a correction to the consent log: `e` (action [`Action::Corrected`]) and what changed.
pub async fn record_change(
    conn: &impl ConnectionTrait,
    e: Event<'_>,
    change: &Change,
) -> Result<(), DbErr> {
    insert(conn, e, Some(change)).await
}

async fn insert(
    conn: &impl ConnectionTrait,
    e: Event<'_>,
    change: Option<&Change>,
) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "INSERT INTO consent_event (tenant_id, contact_id, action, note, actor, created_at, \
         field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vec![
            e.tenant_id.into(),
            e.contact_id.into(),
            e.action.as_str().into(),
            e.note.into(),
            e.actor.into(),
            e.at.into(),
            change.map(|c| c.field.clone()).into(),
            change.and_then(|c| c.old.clone()).into(),
            change.and_then(|c| c.new.clone()).into(),
        ],
    ))
    .await?;
    Ok(())
}

/// The consent log of a person (every contact sharing the number's identity), newest first.
pub async fn history(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    contact_id: i64,
    limit: i64,
) -> ServiceResult<Vec<ConsentEventView>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        action: String,
        note: String,
        actor: String,
        created_at: DateTime<Utc>,
        field: Option<String>,
        old_value: Option<String>,
        new_value: Option<String>,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT e.id, e.action, e.note, e.actor, e.created_at, e.field, e.old_value, \
         e.new_value FROM consent_event e \
         WHERE e.tenant_id = ? AND e.contact_id IN (SELECT t.id FROM contact t \
         JOIN contact me ON me.tenant_id = t.tenant_id AND me.phone_key = t.phone_key \
         WHERE me.id = ?) ORDER BY e.created_at DESC, e.id DESC LIMIT ?",
        vec![tenant_id.into(), contact_id.into(), limit.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ConsentEventView {
            id: r.id,
            action: r.action,
            note: r.note,
            actor: r.actor,
            created_at: timestamp(r.created_at),
            field: r.field,
            old_value: r.old_value,
            new_value: r.new_value,
        })
        .collect())
}

/// How the caller is named in the consent log: a user's email or `API token "<name>"`.
pub async fn actor(conn: &impl ConnectionTrait, tenant_id: i64, who: Who) -> ServiceResult<String> {
    #[derive(FromQueryResult)]
    struct Label {
        label: String,
    }
    let (sql, id) = match who {
        Who::User(id) => (
            "SELECT email AS label FROM \"user\" WHERE tenant_id = ? AND id = ?",
            id,
        ),
        Who::Token(id) => (
            "SELECT name AS label FROM api_token WHERE tenant_id = ? AND id = ?",
            id,
        ),
    };
    let label = Label::find_by_statement(stmt(
        conn.get_database_backend(),
        sql,
        vec![tenant_id.into(), id.into()],
    ))
    .one(conn)
    .await?
    .map(|l| l.label)
    .unwrap_or_default();
    Ok(match who {
        Who::User(_) => label,
        Who::Token(_) => format!("API token \"{label}\""),
    })
}

fn required(text: &str, field: &str) -> ServiceResult<String> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 1000 {
        return Err(Problem::NoteRequired {
            field: field.to_string(),
            max: 1000,
        }
        .into());
    }
    Ok(text.to_string())
}

#[derive(FromQueryResult)]
struct Person {
    phone: String,
    phone_key: String,
    name: String,
    opted_out: bool,
}

async fn person(conn: &impl ConnectionTrait, tenant_id: i64, id: i64) -> ServiceResult<Person> {
    contacts::find(conn, tenant_id, id).await?;
    Person::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT c.phone, c.phone_key, c.name, (CASE WHEN EXISTS (SELECT 1 FROM contact o \
         WHERE o.tenant_id = c.tenant_id AND o.phone_key = c.phone_key \
         AND o.opted_out_at IS NOT NULL) THEN TRUE ELSE FALSE END) AS opted_out \
         FROM contact c WHERE c.id = ?",
        vec![id.into()],
    ))
    .one(conn)
    .await?
    .ok_or(ServiceError::NotFound("contact"))
}

/// Opts a contact out by hand (every spelling of their number) through the same path as a
/// keyword reply: their pending sends are cancelled and the sender never messages them.
/// Returns the campaigns whose counters changed.
pub async fn opt_out(
    db: &Db,
    tenant_id: i64,
    id: i64,
    reason: &str,
    actor: &str,
) -> ServiceResult<Vec<i64>> {
    let reason = required(reason, "reason")?;
    let txn = db.write.begin().await?;
    let p = person(&txn, tenant_id, id).await?;
    if p.opted_out {
        return Err(Problem::AlreadyOptedOut.into());
    }
    let now = Utc::now();
    let mut ctx = Ctx::new(&txn, now);
    let affected = opt_out_person(&mut ctx, tenant_id, &p.phone_key, MANUAL, &reason).await?;
    for campaign_id in &affected {
        ctx.effects
            .log(
                &txn,
                LogLine {
                    tenant_id,
                    campaign_id: *campaign_id,
                    log_type: "contact_opted_out",
                    severity: Severity::Warning,
                    message: format!("Contact {id} was opted out by {actor}"),
                    details: Some(serde_json::json!({ "contact_id": id })),
                },
            )
            .await?;
    }
    record(
        &txn,
        Event {
            tenant_id,
            contact_id: id,
            action: Action::OptOut,
            note: &reason,
            actor,
            at: now,
        },
    )
    .await?;
    ctx.effects.flush(&txn, now).await?;
    txn.commit().await?;
    tracing::info!(
        contact_id = id,
        campaigns = affected.len(),
        "contact opted out by hand"
    );
    Ok(affected)
}

/// Opts a contact back in (every spelling of their number) with a consent note. Their
/// earlier opt-out stays in the consent log (an opt-out older than the log is written to it
/// first); campaigns already made keep them as opted out.
pub async fn opt_in(
    db: &Db,
    tenant_id: i64,
    id: i64,
    consent_note: &str,
    actor: &str,
) -> ServiceResult<()> {
    let note = required(consent_note, "consent_note")?;
    let txn = db.write.begin().await?;
    let p = person(&txn, tenant_id, id).await?;
    if !p.opted_out {
        return Err(Problem::NotOptedOut.into());
    }
    let backend = db.backend();
    // Opt-outs from before the consent log existed: kept in it before they are cleared.
    #[derive(FromQueryResult)]
    struct Legacy {
        id: i64,
        opted_out_at: DateTime<Utc>,
        opt_out_keyword: Option<String>,
        opt_out_text: Option<String>,
    }
    let legacy = Legacy::find_by_statement(stmt(
        backend,
        "SELECT c.id, c.opted_out_at, c.opt_out_keyword, c.opt_out_text FROM contact c \
         WHERE c.tenant_id = ? AND c.phone_key = ? AND c.opted_out_at IS NOT NULL \
         AND NOT EXISTS (SELECT 1 FROM consent_event e WHERE e.contact_id = c.id \
         AND e.action = 'opt_out' AND e.created_at >= c.opted_out_at)",
        vec![tenant_id.into(), p.phone_key.clone().into()],
    ))
    .all(&txn)
    .await?;
    for l in legacy {
        let note = [l.opt_out_keyword, l.opt_out_text]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(": ");
        record(
            &txn,
            Event {
                tenant_id,
                contact_id: l.id,
                action: Action::OptOut,
                note: &note,
                actor: WHATSAPP,
                at: l.opted_out_at,
            },
        )
        .await?;
    }
    let now = Utc::now();
    txn.execute_raw(stmt(
        backend,
        "UPDATE contact SET opted_out_at = NULL, opt_out_keyword = NULL, opt_out_text = NULL, \
         updated_at = ? WHERE tenant_id = ? AND phone_key = ?",
        vec![now.into(), tenant_id.into(), p.phone_key.into()],
    ))
    .await?;
    record(
        &txn,
        Event {
            tenant_id,
            contact_id: id,
            action: Action::OptIn,
            note: &note,
            actor,
            at: now,
        },
    )
    .await?;
    txn.commit().await?;
    tracing::info!(contact_id = id, "contact opted back in");
    Ok(())
}

/// Drops from the tenant's import reports the rejected rows that name the person with identity
/// `phone_key`: a cell whose digits hold their number in any spelling (with or without the
/// country code, trunk prefix or ninth digit). The reports' counts stay.
async fn scrub_import_reports(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    phone_key: &str,
) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Report {
        id: i64,
        invalid_rows: String,
    }
    let mut forms = phone::match_variants(phone_key);
    forms.extend(phone::legacy_spellings(phone_key));
    forms.retain(|f| f.len() >= 8);
    let names_person = |cell: &str| {
        let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
        forms.iter().any(|f| digits.contains(f.as_str()))
    };
    let backend = txn.get_database_backend();
    let reports = Report::find_by_statement(stmt(
        backend,
        "SELECT id, invalid_rows FROM contact_import WHERE tenant_id = ?          AND invalid_rows IS NOT NULL",
        vec![tenant_id.into()],
    ))
    .all(txn)
    .await?;
    for report in reports {
        let Ok(mut rows) = serde_json::from_str::<Vec<ImportError>>(&report.invalid_rows) else {
            continue;
        };
        let before = rows.len();
        rows.retain(|r| !names_person(&r.phone));
        if rows.len() != before {
            let json = serde_json::to_string(&rows).map_err(|e| DbErr::Custom(e.to_string()))?;
            txn.execute_raw(stmt(
                backend,
                "UPDATE contact_import SET invalid_rows = ? WHERE id = ?",
                vec![json.into(), report.id.into()],
            ))
            .await?;
        }
    }
    Ok(())
}

/// Rows of the tenant's `table` whose `column` names one of `spellings` deleted: found on the
/// read pool (no write lock while the text is searched), deleted by id [`ERASE_BATCH`] at a
/// time, each batch its own short write. Should the process stop between the erasure's commit
/// and here, the rows go with the webhook retention.
async fn delete_naming(
    db: &Db,
    tenant_id: i64,
    table: &str,
    column: &str,
    spellings: &[String],
) -> Result<(), DbErr> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let backend = db.backend();
    let mut values: Vec<Value> = vec![tenant_id.into()];
    let mut condition = Vec::new();
    for spelling in spellings {
        condition.push(format!("{column} LIKE ?"));
        values.push(format!("%{spelling}%").into());
    }
    let ids: Vec<i64> = Id::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT id FROM {table} WHERE tenant_id = ? AND ({})",
            condition.join(" OR ")
        ),
        values,
    ))
    .all(&db.read)
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect();
    for chunk in ids.chunks(ERASE_BATCH) {
        db.write
            .execute_raw(stmt(
                backend,
                &format!(
                    "DELETE FROM {table} WHERE id IN ({})",
                    placeholders(chunk.len())
                ),
                chunk.iter().map(|i| Value::from(*i)).collect(),
            ))
            .await?;
        tokio::task::yield_now().await;
    }
    Ok(())
}

/// Rows deleted per statement when an erasure removes raw bodies.
const ERASE_BATCH: usize = 200;

/// `text` with every occurrence of `needles` replaced by [`ERASED_TEXT`].
fn scrub(text: &str, needles: &[String]) -> String {
    needles
        .iter()
        .filter(|n| !n.is_empty())
        .fold(text.to_string(), |t, n| t.replace(n.as_str(), ERASED_TEXT))
}

/// [`scrub`] on every string of a JSON value.
fn scrub_json(value: &mut serde_json::Value, needles: &[String]) {
    match value {
        serde_json::Value::String(s) => *s = scrub(s, needles),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| scrub_json(v, needles)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| scrub_json(v, needles)),
        _ => {}
    }
}

/// Erases a person (every contact sharing the number's identity): name, phone and attributes
/// are anonymised (the rows stay so campaign counters keep their numbers), their replies, list
/// memberships and the webhook bodies naming the number are deleted, logs and notes naming them
/// are scrubbed, pending sends are cancelled, and a salted hash of the number goes into the
/// suppression list. Returns the campaigns whose counters changed.
pub async fn erase(db: &Db, tenant_id: i64, id: i64, actor: &str) -> ServiceResult<Vec<i64>> {
    let backend = db.backend();
    let txn = db.write.begin().await?;
    // An import batch of the tenant that read this person before the erasure must not write
    // their name back after it: erasures take turns with the tenant's imports.
    contacts::import_lock(&txn, tenant_id).await?;
    let p = person(&txn, tenant_id, id).await?;
    let now = Utc::now();

    #[derive(FromQueryResult)]
    struct Twin {
        id: i64,
        phone: String,
        name: String,
    }
    // Every record of the person: the same identity, and the twins merged into it.
    let records = contacts::person_ids(&txn, tenant_id, id).await?;
    let twins = Twin::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT id, phone, name FROM contact WHERE id IN ({}) ORDER BY id",
            placeholders(records.len())
        ),
        records.iter().map(|i| Value::from(*i)).collect(),
    ))
    .all(&txn)
    .await?;
    let ids: Vec<i64> = twins.iter().map(|t| t.id).collect();
    let in_ids = placeholders(ids.len());
    let with_ids = |mut head: Vec<Value>| {
        head.extend(ids.iter().map(|i| Value::from(*i)));
        head
    };
    // The names and numbers they had before a correction are theirs too.
    #[derive(FromQueryResult)]
    struct Former {
        field: String,
        value: String,
    }
    let former = Former::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT field, old_value AS value FROM consent_event WHERE contact_id IN ({in_ids}) \
             AND field IN ('name', 'phone') AND old_value IS NOT NULL \
             UNION SELECT field, new_value AS value FROM consent_event \
             WHERE contact_id IN ({in_ids}) AND field IN ('name', 'phone') \
             AND new_value IS NOT NULL"
        ),
        with_ids(with_ids(Vec::new())),
    ))
    .all(&txn)
    .await?;
    // Every spelling of the number, and the names, to find them in texts.
    let mut spellings: Vec<String> = phone::match_variants(&p.phone_key);
    spellings.extend(twins.iter().map(|t| t.phone.clone()));
    spellings.push(p.phone.clone());
    // The numbers a correction gave or took from them: their messages named those.
    for f in former.iter().filter(|f| f.field == "phone") {
        spellings.extend(phone::match_variants(&f.value));
    }
    spellings.retain(|s| !s.is_empty());
    spellings.sort_unstable();
    spellings.dedup();
    let mut needles = spellings.clone();
    needles.extend(twins.iter().map(|t| t.name.trim().to_string()));
    needles.push(p.name.trim().to_string());
    needles.extend(former.iter().map(|f| f.value.trim().to_string()));
    needles.retain(|n| !n.is_empty());
    // Longest first, so a full name goes before a part of it.
    needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
    needles.dedup();

    // Nobody sends to them from now on (the one opt-out path), then the data goes.
    let mut ctx = Ctx::new(&txn, now);
    let affected = opt_out_person(&mut ctx, tenant_id, &p.phone_key, SUPPRESSED, "").await?;
    txn.execute_raw(stmt(
        backend,
        &format!(
            "UPDATE contact SET name = '', phone = 'erased:' || CAST(id AS TEXT), \
             phone_key = 'erased:' || CAST(id AS TEXT), attributes = NULL, opt_out_text = NULL, \
             opt_out_keyword = ?, opted_out_at = COALESCE(opted_out_at, ?), erased_at = ?, \
             updated_at = ? WHERE id IN ({in_ids})"
        ),
        with_ids(vec![SUPPRESSED.into(), now.into(), now.into(), now.into()]),
    ))
    .await?;
    for table in ["reply", "list_contact", "presence_hour", "poll_vote"] {
        txn.execute_raw(stmt(
            backend,
            &format!("DELETE FROM {table} WHERE contact_id IN ({in_ids})"),
            with_ids(Vec::new()),
        ))
        .await?;
    }
    // Their visits of tracked links (times, user agents) go; the counters stay. A sale keeps
    // its value and campaign, not the buyer.
    txn.execute_raw(stmt(
        backend,
        &format!(
            "DELETE FROM link_click WHERE code IN \
             (SELECT code FROM link_code WHERE contact_id IN ({in_ids}))"
        ),
        with_ids(Vec::new()),
    ))
    .await?;
    txn.execute_raw(stmt(
        backend,
        &format!("UPDATE conversion SET contact_id = NULL WHERE contact_id IN ({in_ids})"),
        with_ids(Vec::new()),
    ))
    .await?;
    // The `@lid` WhatsApp revealed for the number is theirs too.
    txn.execute_raw(stmt(
        backend,
        "DELETE FROM contact_lid WHERE tenant_id = ? AND phone_key = ?",
        vec![tenant_id.into(), p.phone_key.clone().into()],
    ))
    .await?;
    for spelling in &spellings {
        txn.execute_raw(stmt(
            backend,
            &format!(
                "UPDATE campaign_contact SET error = REPLACE(error, ?, ?) \
                 WHERE contact_id IN ({in_ids}) AND error IS NOT NULL"
            ),
            with_ids(vec![spelling.clone().into(), ERASED_TEXT.into()]),
        ))
        .await?;
    }

    // Campaign log lines naming the number: the number and the names are scrubbed.
    #[derive(FromQueryResult)]
    struct Log {
        id: i64,
        message: String,
        details: Option<serde_json::Value>,
    }
    let mut condition = Vec::new();
    let mut values: Vec<Value> = vec![tenant_id.into()];
    for spelling in &spellings {
        condition.push("message LIKE ? OR CAST(details AS TEXT) LIKE ?");
        values.push(format!("%{spelling}%").into());
        values.push(format!("%{spelling}%").into());
    }
    let logs = Log::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT id, message, details FROM campaign_log WHERE tenant_id = ? AND ({})",
            condition.join(" OR ")
        ),
        values,
    ))
    .all(&txn)
    .await?;
    for mut log in logs {
        if let Some(details) = log.details.as_mut() {
            scrub_json(details, &needles);
        }
        txn.execute_raw(stmt(
            backend,
            "UPDATE campaign_log SET message = ?, details = ? WHERE id = ?",
            vec![
                scrub(&log.message, &needles).into(),
                log.details.into(),
                log.id.into(),
            ],
        ))
        .await?;
    }
    // Consent notes may name them too.
    #[derive(FromQueryResult)]
    struct Note {
        id: i64,
        note: String,
    }
    for n in Note::find_by_statement(stmt(
        backend,
        &format!("SELECT id, note FROM consent_event WHERE contact_id IN ({in_ids})"),
        with_ids(Vec::new()),
    ))
    .all(&txn)
    .await?
    {
        let scrubbed = scrub(&n.note, &needles);
        if scrubbed != n.note {
            txn.execute_raw(stmt(
                backend,
                "UPDATE consent_event SET note = ? WHERE id = ?",
                vec![scrubbed.into(), n.id.into()],
            ))
            .await?;
        }
    }

    // What corrections recorded (names, numbers, attribute values) goes; that they happened stays.
    txn.execute_raw(stmt(
        backend,
        &format!(
            "UPDATE consent_event SET old_value = NULL, new_value = NULL \
             WHERE contact_id IN ({in_ids})"
        ),
        with_ids(Vec::new()),
    ))
    .await?;
    scrub_import_reports(&txn, tenant_id, &p.phone_key).await?;
    // The suppression list keeps the number opted out if it comes back.
    suppression::record(&txn, tenant_id, &p.phone_key, now).await?;
    record(
        &txn,
        Event {
            tenant_id,
            contact_id: id,
            action: Action::Erased,
            note: "",
            actor,
            at: now,
        },
    )
    .await?;
    ctx.effects.flush(&txn, now).await?;
    txn.commit().await?;
    // The raw bodies naming the number go after the commit, a few at a time: looking for them
    // reads up to 30 days of webhooks, which inside the transaction held SQLite's only writer
    // (webhooks then got 503) for as long as it took.
    for (table, column) in [("webhook_event", "body"), ("live_change", "payload")] {
        delete_naming(db, tenant_id, table, column, &spellings).await?;
    }
    tracing::info!(contact_id = id, contacts = ids.len(), "contact erased");
    Ok(affected)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_longest_needles() {
        let needles = vec!["Maria Souza".to_string(), "5511987654321".to_string()];
        assert_eq!(
            scrub("5511987654321 (Maria Souza) saiu", &needles),
            "[apagado] ([apagado]) saiu"
        );
        let mut json = serde_json::json!({"phone": "5511987654321", "n": [1, "Maria Souza x"]});
        scrub_json(&mut json, &needles);
        assert_eq!(
            json,
            serde_json::json!({"phone": "[apagado]", "n": [1, "[apagado] x"]})
        );
    }
}
