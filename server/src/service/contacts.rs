//! Contacts: import (JSON or CSV, phones normalised, bad rows reported, erased numbers kept
//! opted out), search (keyset), show with everything known about a person.

use std::collections::{BTreeMap, HashMap};

use app::audience::{ContactCampaignView, ContactDetail, ReplyView};
use app::types::{ContactView, ImportReport, InvalidContact, NewContact, OptOutView};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait,
    FromQueryResult, QueryFilter, Set, TransactionTrait, Value,
};

use crate::db::Db;
use crate::domain::contact_csv::{self, Person, Row};
use crate::domain::phone;
use crate::entities::contact;
use crate::service::{
    Problem, ServiceError, ServiceResult, consent, lists, opt_timestamp, settings, suppression,
    timestamp,
};
use crate::sql::{limit_offset, placeholders, stmt};

/// Contacts written per transaction during an import.
pub const CHUNK: usize = 500;

/// The high bits of the PostgreSQL advisory lock key a tenant's imports take turns on.
const IMPORT_LOCK: i64 = 0x464C_4F57_0000_0000;

/// The most rows one synchronous import (`POST /api/v1/contacts`) may carry.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// The columns of a [`ContactRow`], on table alias `c`.
pub const SELECT: &str = "SELECT c.id, c.name, c.phone, c.line_type, c.opted_out_at, \
    c.opt_out_keyword, c.last_interaction_at, c.total_messages_received, c.created_at \
    FROM contact c";

/// The condition (on alias `c`) of a contact that is a person of the directory: neither erased
/// nor a twin merged into another.
pub const LISTED: &str = "c.erased_at IS NULL AND c.merged_into_id IS NULL";

/// A contact as [`SELECT`] reads it.
#[derive(FromQueryResult)]
pub struct ContactRow {
    id: i64,
    name: String,
    phone: String,
    line_type: Option<String>,
    opted_out_at: Option<DateTime<Utc>>,
    opt_out_keyword: Option<String>,
    last_interaction_at: Option<DateTime<Utc>>,
    total_messages_received: i64,
    created_at: DateTime<Utc>,
}

impl ContactRow {
    /// The API view.
    pub fn view(self) -> ContactView {
        ContactView {
            id: self.id,
            name: self.name,
            phone: self.phone,
            line_type: self.line_type,
            opted_out: self.opted_out_at.is_some(),
            opted_out_at: opt_timestamp(self.opted_out_at),
            opt_out_keyword: self.opt_out_keyword,
            last_interaction_at: opt_timestamp(self.last_interaction_at),
            total_messages_received: self.total_messages_received,
            created_at: timestamp(self.created_at),
        }
    }
}

/// The attributes of a contact (a JSON object) as strings, keys in lower case.
pub fn attributes_of(json: Option<&serde_json::Value>) -> BTreeMap<String, String> {
    json.and_then(serde_json::Value::as_object)
        .map(|o| {
            o.iter()
                .map(|(k, v)| {
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.to_lowercase(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a CSV contact file (UTF-8 or Windows-1252, `;` or `,`) into the rows of a
/// synchronous import; rows the reader cannot read are refused with their line.
pub fn parse_csv(bytes: &[u8]) -> ServiceResult<Vec<NewContact>> {
    let (rows, errors) =
        contact_csv::parse(&contact_csv::decode(bytes)).map_err(|e| Problem::CsvFile {
            reason: e.to_string(),
        })?;
    if let Some(e) = errors.first() {
        return Err(Problem::CsvRow {
            line: e.line as usize,
            reason: e.reason.to_string(),
        }
        .into());
    }
    Ok(rows
        .into_iter()
        .map(|r| NewContact {
            phone: r.phone,
            name: r.name,
        })
        .collect())
}

/// Makes the writers of one tenant's contacts take turns on PostgreSQL, until `txn` ends
/// (SQLite has one writer anyway): two imports carrying two spellings of a number at once, or
/// an import and the phone repair, must not both create the person.
pub async fn import_lock(txn: &DatabaseTransaction, tenant_id: i64) -> Result<(), DbErr> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(stmt(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(?)",
            vec![(IMPORT_LOCK | tenant_id).into()],
        ))
        .await?;
    }
    Ok(())
}

/// What writing a batch of people did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchCounts {
    /// New contacts.
    pub created: i64,
    /// Existing contacts whose name or attributes changed.
    pub updated: i64,
    /// Existing contacts left as they were.
    pub unchanged: i64,
    /// People who are opted out (or were erased) and stay so.
    pub kept_opted_out: i64,
}

/// Writes `people` (distinct identities) of the tenant inside `txn`: new ones are created (opted
/// out if their number was erased before), existing ones get the new name (when given) and
/// attributes. Returns the counts and the contact id of each person, in order.
pub async fn write_batch(
    txn: &sea_orm::DatabaseTransaction,
    tenant_id: i64,
    people: &[Person],
    now: DateTime<Utc>,
) -> ServiceResult<(BatchCounts, Vec<i64>)> {
    if people.is_empty() {
        return Ok((BatchCounts::default(), Vec::new()));
    }
    let backend = txn.get_database_backend();
    import_lock(txn, tenant_id).await?;
    if backend == DbBackend::Postgres {
        // The contact table grows fast during an import, faster than its statistics: a plan
        // cached while it was small would scan it whole for every batch.
        txn.execute_unprepared("SET LOCAL plan_cache_mode = force_custom_plan")
            .await?;
    }
    let keys: Vec<String> = people.iter().map(|p| p.key.clone()).collect();
    let mut existing: HashMap<String, contact::Model> = HashMap::new();
    // No ORDER BY here: sorting by id tempts the planner into walking the whole table in id
    // order instead of looking the keys up (quadratic over a large import).
    for c in contact::Entity::find()
        .filter(contact::Column::TenantId.eq(tenant_id))
        .filter(contact::Column::PhoneKey.is_in(keys.iter().cloned()))
        .all(txn)
        .await?
    {
        // Twins imported before identities existed: the oldest one stands for the person.
        match existing.get(&c.phone_key) {
            Some(kept) if kept.id < c.id => {}
            _ => {
                existing.insert(c.phone_key.clone(), c);
            }
        }
    }
    let suppressed = suppression::suppressed(txn, tenant_id, &keys).await?;
    let mut counts = BatchCounts::default();
    let mut new = Vec::new();
    for person in people {
        match existing.get(&person.key) {
            Some(old) => {
                if old.opted_out_at.is_some() {
                    counts.kept_opted_out += 1;
                }
                let mut attributes = attributes_of(old.attributes.as_ref());
                let before = attributes.clone();
                attributes.extend(person.attributes.clone());
                let rename = !person.name.is_empty() && old.name != person.name;
                if rename || attributes != before {
                    let name = if rename { &person.name } else { &old.name };
                    // Never onto a row erased since it was read (erasures also wait for the
                    // tenant's imports: this is the second lock on that door).
                    contact::Entity::update_many()
                        .col_expr(contact::Column::Name, Expr::value(name.clone()))
                        .col_expr(
                            contact::Column::Attributes,
                            Expr::value(json_attributes(&attributes)),
                        )
                        .col_expr(contact::Column::UpdatedAt, Expr::value(now))
                        .filter(contact::Column::Id.eq(old.id))
                        .filter(contact::Column::ErasedAt.is_null())
                        .exec(txn)
                        .await?;
                    counts.updated += 1;
                } else {
                    counts.unchanged += 1;
                }
            }
            None => {
                let erased_before = suppressed.contains(&person.key);
                if erased_before {
                    counts.kept_opted_out += 1;
                }
                new.push(contact::ActiveModel {
                    tenant_id: Set(tenant_id),
                    phone: Set(person.phone.clone()),
                    phone_key: Set(person.key.clone()),
                    name: Set(person.name.clone()),
                    opted_out_at: Set(erased_before.then_some(now)),
                    opt_out_keyword: Set(erased_before.then(|| consent::SUPPRESSED.to_string())),
                    opt_out_text: Set(None),
                    last_interaction_at: Set(None),
                    total_messages_received: Set(0),
                    created_at: Set(now),
                    updated_at: Set(now),
                    attributes: Set(json_attributes(&person.attributes)),
                    erased_at: Set(None),
                    line_type: Set(Some(person.line_type.as_str().to_string())),
                    merged_into_id: Set(None),
                    ..Default::default()
                });
            }
        }
    }
    if !new.is_empty() {
        counts.created += new.len() as i64;
        contact::Entity::insert_many(new).exec(txn).await?;
    }
    // The id of each person: the oldest contact with the key.
    #[derive(FromQueryResult)]
    struct Key {
        id: i64,
        phone_key: String,
    }
    let mut values: Vec<Value> = vec![tenant_id.into()];
    values.extend(keys.iter().map(|k| Value::from(k.clone())));
    let mut ids: HashMap<String, i64> = HashMap::new();
    for k in Key::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT id, phone_key FROM contact WHERE tenant_id = ? AND phone_key IN ({})",
            placeholders(keys.len())
        ),
        values,
    ))
    .all(txn)
    .await?
    {
        let oldest = ids.entry(k.phone_key).or_insert(k.id);
        *oldest = (*oldest).min(k.id);
    }
    let ids = keys.iter().filter_map(|k| ids.get(k).copied()).collect();
    Ok((counts, ids))
}

fn json_attributes(attributes: &BTreeMap<String, String>) -> Option<serde_json::Value> {
    (!attributes.is_empty()).then(|| {
        serde_json::Value::Object(
            attributes
                .iter()
                .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                .collect(),
        )
    })
}

/// Creates new contacts and renames existing ones. A person is matched by the identity of
/// their number ([`phone::identity_key`]), so `55 11 98765-4321` and `55 11 8765-4321` are one
/// contact whichever spelling came first (an opted-out person stays opted out, and an erased
/// number comes back opted out). Rows with an invalid phone are reported, not fatal. A number
/// given twice counts once, with the last name.
pub async fn import(db: &Db, tenant_id: i64, rows: Vec<NewContact>) -> ServiceResult<ImportReport> {
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(Problem::ImportTooLarge {
            max: MAX_IMPORT_ROWS,
        }
        .into());
    }
    let country = settings::country(&db.read, tenant_id).await?;
    let prepared = contact_csv::prepare(
        rows.into_iter()
            .enumerate()
            .map(|(i, r)| Row {
                line: i as u64 + 1,
                phone: r.phone,
                name: r.name,
                attributes: BTreeMap::new(),
            })
            .collect(),
        country,
    );
    let mut report = ImportReport {
        invalid: prepared
            .invalid
            .into_iter()
            .map(|e| InvalidContact {
                phone: e.phone,
                error: e.reason,
            })
            .collect(),
        ..Default::default()
    };
    let now = Utc::now();
    for (batch, chunk) in prepared.people.chunks(CHUNK).enumerate() {
        refresh_statistics_before(db, batch).await?;
        let txn = db.write.begin().await?;
        let (counts, _) = write_batch(&txn, tenant_id, chunk, now).await?;
        txn.commit().await?;
        report.created += counts.created as u64;
        report.updated += counts.updated as u64;
    }
    Ok(report)
}

/// Batches between two refreshes of the planner's statistics during an import (the import job
/// and the synchronous `POST /api/v1/contacts`).
const BATCHES_PER_ANALYZE: usize = 64;

/// Refreshes the planner's statistics of the tables an import grows. Without them, once the
/// contact table is large the planners pick the wrong index: PostgreSQL (with autovacuum off or
/// behind) walked a tenant's whole table for every batch's key lookups and a 1M-contact first
/// page took 290 ms (0.06 ms after); SQLite walked it to find one number. Both sample the
/// table, so this takes a moment even at 1M rows.
pub(crate) async fn refresh_statistics(db: &Db) -> Result<(), DbErr> {
    let analyze: &[&str] = match db.backend() {
        sea_orm::DbBackend::Sqlite => &[
            "PRAGMA analysis_limit = 1000",
            "ANALYZE contact",
            "ANALYZE list_contact",
        ],
        _ => &["ANALYZE contact, list_contact"],
    };
    for sql in analyze {
        db.write.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Refreshes the statistics before every [`BATCHES_PER_ANALYZE`]th batch of an import
/// (`batch` counts from 0).
pub(crate) async fn refresh_statistics_before(db: &Db, batch: usize) -> Result<(), DbErr> {
    if batch % BATCHES_PER_ANALYZE == BATCHES_PER_ANALYZE - 1 {
        refresh_statistics(db).await?;
    }
    Ok(())
}

/// What `GET /api/v1/contacts` looks for.
#[derive(Clone, Debug, Default)]
pub struct Search {
    /// A name (any case, part of it) or a phone in any formatting (either Brazilian mobile
    /// form; a part of the digits matches too).
    pub q: Option<String>,
    /// Exactly this person (either spelling of the number).
    pub phone: Option<String>,
    /// Only contacts on this list.
    pub list_id: Option<i64>,
    /// Only opted-out (true) or only reachable (false) contacts.
    pub opted_out: Option<bool>,
    /// Only contacts whose last message came at or after this time.
    pub interacted_since: Option<DateTime<Utc>>,
    /// Only numbers of this kind of line: `mobile`, `landline`, `other` or `invalid`.
    pub line_type: Option<String>,
}

impl From<&app::audience::MemberSearch> for Search {
    fn from(s: &app::audience::MemberSearch) -> Self {
        Self {
            q: s.q.clone(),
            list_id: s.list_id,
            opted_out: s.opted_out,
            line_type: s.line_type.clone(),
            ..Self::default()
        }
    }
}

/// The kinds of line a search may filter by: each [`phone::LineType`], and numbers the repair
/// could not read.
fn line_types() -> Vec<&'static str> {
    phone::LineType::ALL
        .map(phone::LineType::as_str)
        .into_iter()
        .chain([phone::INVALID_LINE])
        .collect()
}

impl Search {
    /// The SQL condition (on alias `c`, after `WHERE c.tenant_id = ?`) and its values for
    /// `backend`; phones written without a country code are read in `country`.
    pub fn condition(
        &self,
        backend: DbBackend,
        country: phone::Country,
    ) -> ServiceResult<(String, Vec<Value>)> {
        let mut sql = format!(" AND {LISTED}");
        let mut values: Vec<Value> = Vec::new();
        if let Some(raw) = &self.phone {
            let number = phone::parse(raw, country).map_err(|e| Problem::Phone {
                phone: raw.to_string(),
                reason: e.into(),
            })?;
            sql.push_str(" AND c.phone_key = ?");
            values.push(number.key().into());
        }
        if let Some(line_type) = &self.line_type {
            let allowed = line_types();
            if !allowed.contains(&line_type.as_str()) {
                return Err(Problem::LineType {
                    allowed: allowed.join(", "),
                }
                .into());
            }
            sql.push_str(" AND c.line_type = ?");
            values.push(line_type.clone().into());
        }
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            if let Ok(number) = phone::parse(q, country) {
                // A whole number, in any spelling: its identity alone (indexed).
                sql.push_str(" AND c.phone_key = ?");
                values.push(number.key().into());
            } else if q.chars().any(char::is_alphabetic) || digits.is_empty() {
                let lower = q.to_lowercase();
                substring_index(backend, "name", &lower, &mut sql, &mut values);
                let escaped = lower
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_");
                sql.push_str(" AND LOWER(c.name) LIKE ? ESCAPE '\\'");
                values.push(format!("%{escaped}%").into());
            } else {
                // A part of a number.
                substring_index(backend, "phone", &digits, &mut sql, &mut values);
                sql.push_str(" AND c.phone LIKE ?");
                values.push(format!("%{digits}%").into());
            }
        }
        if let Some(list_id) = self.list_id {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM list_contact lc WHERE lc.contact_id = c.id AND lc.list_id = ?)",
            );
            values.push(list_id.into());
        }
        match self.opted_out {
            Some(true) => sql.push_str(" AND c.opted_out_at IS NOT NULL"),
            Some(false) => sql.push_str(" AND c.opted_out_at IS NULL"),
            None => {}
        }
        if let Some(since) = self.interacted_since {
            sql.push_str(" AND c.last_interaction_at >= ?");
            values.push(since.into());
        }
        Ok((sql, values))
    }
}

/// Narrows a substring search of `column` (`name` or `phone`) to the rows the trigram index
/// finds, ahead of the `LIKE` that decides (so the results are exactly the scan's).
///
/// Only SQLite needs this: its FTS5 table `contact_search` is a table of its own, asked by
/// rowid. PostgreSQL's planner uses its `pg_trgm` indexes for the `LIKE` itself. A needle
/// under three characters has no trigram, and one with `LIKE` wildcards in it cannot be
/// handed to FTS5 (no `ESCAPE` there): both are left to the scan.
fn substring_index(
    backend: DbBackend,
    column: &str,
    needle: &str,
    sql: &mut String,
    values: &mut Vec<Value>,
) {
    if backend != DbBackend::Sqlite
        || needle.chars().count() < 3
        || needle.contains(['%', '_', '\\'])
    {
        return;
    }
    sql.push_str(&format!(
        " AND c.id IN (SELECT rowid FROM contact_search WHERE contact_search.{column} LIKE ?)"
    ));
    values.push(format!("%{needle}%").into());
}

/// A page of the tenant's contacts matching `search`, by id after `cursor` (keyset: fast at
/// any depth), or after skipping `offset` rows.
pub async fn search(
    db: &Db,
    tenant_id: i64,
    search: &Search,
    cursor: Option<i64>,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<ContactView>> {
    let (condition, extra) =
        search.condition(db.backend(), settings::country(&db.read, tenant_id).await?)?;
    let mut values: Vec<Value> = vec![tenant_id.into(), cursor.unwrap_or(0).into()];
    values.extend(extra);
    let page = limit_offset(limit, offset, &mut values);
    let rows = ContactRow::find_by_statement(stmt(
        db.backend(),
        &format!("{SELECT} WHERE c.tenant_id = ? AND c.id > ?{condition} ORDER BY c.id{page}"),
        values,
    ))
    .all(&db.read)
    .await?;
    Ok(rows.into_iter().map(ContactRow::view).collect())
}

/// One (not erased) contact of the tenant.
pub async fn get(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<ContactView> {
    find(&db.read, tenant_id, id).await.map(ContactRow::view)
}

/// The row of one (not erased) contact of the tenant.
pub(crate) async fn find(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<ContactRow> {
    ContactRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE c.tenant_id = ? AND c.id = ? AND {LISTED}"),
        vec![tenant_id.into(), id.into()],
    ))
    .one(conn)
    .await?
    .ok_or(ServiceError::NotFound("contact"))
}

/// The contacts that are the person `id` is: those sharing their number's identity, and the
/// twins merged into one of them (stored under a `merged:` key of their own).
pub(crate) async fn person_ids(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<Vec<i64>> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let same = "SELECT t.id FROM contact t JOIN contact me ON me.tenant_id = t.tenant_id \
        AND me.phone_key = t.phone_key WHERE me.id = ? AND t.tenant_id = ?";
    Ok(Id::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "{same} UNION SELECT m.id FROM contact m WHERE m.tenant_id = ? \
             AND m.merged_into_id IN ({same}) ORDER BY id"
        ),
        vec![
            id.into(),
            tenant_id.into(),
            tenant_id.into(),
            id.into(),
            tenant_id.into(),
        ],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| r.id)
    .collect())
}

/// How many campaigns, replies and consent events a contact page shows at most.
const DETAIL_ROWS: i64 = 200;

/// A contact with its attributes, lists, the campaigns they received, their replies and
/// their consent history (every spelling of their number counts as them).
pub async fn detail(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<ContactDetail> {
    let conn = &db.read;
    let backend = db.backend();
    let contact = find(conn, tenant_id, id).await?.view();
    #[derive(FromQueryResult)]
    struct Attrs {
        attributes: Option<serde_json::Value>,
    }
    let attributes = Attrs::find_by_statement(stmt(
        backend,
        "SELECT attributes FROM contact WHERE id = ?",
        vec![id.into()],
    ))
    .one(conn)
    .await?
    .and_then(|a| a.attributes);
    #[derive(FromQueryResult)]
    struct Received {
        campaign_id: i64,
        campaign_name: String,
        status: String,
        sent_at: Option<DateTime<Utc>>,
        delivered_at: Option<DateTime<Utc>>,
        read_at: Option<DateTime<Utc>>,
        failed_at: Option<DateTime<Utc>>,
        replied_at: Option<DateTime<Utc>>,
    }
    let person = "(SELECT t.id FROM contact t JOIN contact me ON me.tenant_id = t.tenant_id \
        AND me.phone_key = t.phone_key WHERE me.id = ?)";
    let campaigns = Received::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT cc.campaign_id, k.name AS campaign_name, cc.status, cc.sent_at, \
             cc.delivered_at, cc.read_at, cc.failed_at, cc.replied_at \
             FROM campaign_contact cc JOIN campaign k ON k.id = cc.campaign_id \
             WHERE k.tenant_id = ? AND cc.contact_id IN {person} \
             ORDER BY cc.campaign_id DESC LIMIT ?"
        ),
        vec![tenant_id.into(), id.into(), DETAIL_ROWS.into()],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| ContactCampaignView {
        campaign_id: r.campaign_id,
        campaign_name: r.campaign_name,
        status: r.status,
        sent_at: opt_timestamp(r.sent_at),
        delivered_at: opt_timestamp(r.delivered_at),
        read_at: opt_timestamp(r.read_at),
        failed_at: opt_timestamp(r.failed_at),
        replied_at: opt_timestamp(r.replied_at),
    })
    .collect();
    let replies = replies(
        conn,
        tenant_id,
        &format!("r.contact_id IN {person}"),
        vec![id.into()],
        None,
        DETAIL_ROWS as u64,
    )
    .await?;
    Ok(ContactDetail {
        contact,
        attributes: attributes_of(attributes.as_ref()),
        lists: lists::of_contact(conn, tenant_id, id).await?,
        campaigns,
        replies,
        consent_history: consent::history(conn, tenant_id, id, DETAIL_ROWS).await?,
    })
}

/// Replies of the tenant matching `condition` (on alias `r`, with `values`), newest first,
/// before reply id `before` (keyset).
pub(crate) async fn replies(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    condition: &str,
    condition_values: Vec<Value>,
    before: Option<i64>,
    limit: u64,
) -> ServiceResult<Vec<ReplyView>> {
    #[derive(FromQueryResult)]
    struct R {
        id: i64,
        contact_id: i64,
        name: String,
        phone: String,
        campaign_id: Option<i64>,
        text: String,
        opt_out: bool,
        received_at: DateTime<Utc>,
        deleted_at: Option<DateTime<Utc>>,
    }
    let mut values: Vec<Value> = vec![tenant_id.into(), before.unwrap_or(i64::MAX).into()];
    values.extend(condition_values);
    values.push((limit as i64).into());
    let rows = R::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT r.id, r.contact_id, c.name, c.phone, r.campaign_id, r.text, r.opt_out, \
             r.received_at, r.deleted_at FROM reply r JOIN contact c ON c.id = r.contact_id \
             WHERE r.tenant_id = ? AND r.id < ? AND {condition} ORDER BY r.id DESC LIMIT ?"
        ),
        values,
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| ReplyView {
            id: r.id,
            contact_id: r.contact_id,
            name: r.name,
            phone: r.phone,
            campaign_id: r.campaign_id,
            text: r.text,
            opt_out: r.opt_out,
            received_at: timestamp(r.received_at),
            deleted_at: r.deleted_at.map(timestamp),
        })
        .collect())
}

/// The tenant's opted-out contacts, newest opt-out first, with the keyword and the message
/// that opted them out (LGPD evidence) and the campaign whose message they answered, if any.
pub async fn opt_outs(
    db: &Db,
    tenant_id: i64,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<OptOutView>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        opted_out_at: DateTime<Utc>,
        phone: String,
        name: String,
        opt_out_keyword: Option<String>,
        opt_out_text: Option<String>,
        campaign_id: Option<i64>,
        campaign_name: Option<String>,
    }
    // The answered campaign: the first campaign row of this person (any spelling of their
    // number) that the opt-out marked.
    let sql = format!(
        "SELECT c.id, c.opted_out_at, c.phone, c.name, c.opt_out_keyword, c.opt_out_text, \
        k.id AS campaign_id, k.name AS campaign_name \
        FROM contact c LEFT JOIN campaign k ON k.id = ( \
            SELECT cc.campaign_id FROM campaign_contact cc JOIN contact o ON o.id = cc.contact_id \
            WHERE o.tenant_id = c.tenant_id AND o.phone_key = c.phone_key \
            AND cc.opted_out_at IS NOT NULL ORDER BY cc.opted_out_at, cc.id LIMIT 1) \
        WHERE c.tenant_id = ? AND c.opted_out_at IS NOT NULL AND {LISTED} \
        ORDER BY c.opted_out_at DESC, c.id DESC"
    );
    let mut values = vec![tenant_id.into()];
    let page = limit_offset(limit, offset, &mut values);
    let rows = Row::find_by_statement(stmt(db.backend(), &format!("{sql}{page}"), values))
        .all(&db.read)
        .await?;
    Ok(rows
        .into_iter()
        .map(|r| OptOutView {
            contact_id: r.id,
            opted_out_at: timestamp(r.opted_out_at),
            phone: r.phone,
            name: r.name,
            keyword: r.opt_out_keyword,
            raw_text: r.opt_out_text,
            campaign_id: r.campaign_id,
            campaign_name: r.campaign_name,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::{attributes_of, parse_csv};

    #[test]
    fn csv_with_header_in_any_order() {
        let rows = parse_csv(
            b"Nome,Telefone,extra\nMaria,+55 11 98765-4321,x\n\"Silva, Jo\xE3o\",5511912345678,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Maria");
        assert_eq!(rows[0].phone, "+55 11 98765-4321");
        assert_eq!(rows[1].name, "Silva, João");
    }

    #[test]
    fn csv_without_phone_column_is_refused() {
        let err = parse_csv(b"name,email\nMaria,m@x\n").unwrap_err();
        assert!(err.to_string().contains("phone"));
    }

    #[test]
    fn attributes_are_strings_with_lower_case_keys() {
        let json = serde_json::json!({"Cidade": "Recife", "n": 3});
        let a = attributes_of(Some(&json));
        assert_eq!(a["cidade"], "Recife");
        assert_eq!(a["n"], "3");
        assert!(attributes_of(None).is_empty());
    }
}
