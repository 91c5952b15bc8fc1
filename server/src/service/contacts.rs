//! Contacts: import (JSON or CSV, phones normalised, bad rows reported), list and show.

use std::collections::HashMap;

use app::types::{ContactView, ImportReport, InvalidContact, NewContact, OptOutView};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};

use crate::db::Db;
use crate::domain::phone;
use crate::entities::contact;
use crate::service::sql::stmt;
use crate::service::{Problem, ServiceError, ServiceResult, opt_timestamp, timestamp};

/// Contacts written per transaction during an import.
const CHUNK: usize = 500;

/// The high bits of the PostgreSQL advisory lock key a tenant's imports take turns on.
const IMPORT_LOCK: i64 = 0x464C_4F57_0000_0000;

/// The most rows one import may carry.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// Reads a CSV with a header row holding `phone` and optionally `name` columns (any order,
/// any case; `telefone`/`nome` work too). Extra columns are ignored.
pub fn parse_csv(text: &str) -> ServiceResult<Vec<NewContact>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| Problem::CsvHeader {
            reason: e.to_string(),
        })?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let phone_col = find(&["phone", "telefone", "number", "numero"]).ok_or(Problem::CsvNoPhone)?;
    let name_col = find(&["name", "nome"]);
    let mut rows = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.map_err(|e| Problem::CsvRow {
            line: line + 2,
            reason: e.to_string(),
        })?;
        rows.push(NewContact {
            phone: record.get(phone_col).unwrap_or("").to_string(),
            name: name_col
                .and_then(|c| record.get(c))
                .unwrap_or("")
                .to_string(),
        });
    }
    Ok(rows)
}

/// Creates new contacts and renames existing ones. A person is matched by the identity of
/// their number ([`phone::identity_key`]), so `55 11 98765-4321` and `55 11 8765-4321` are one
/// contact whichever spelling came first (an opted-out person stays opted out). Rows with an
/// invalid phone are reported, not fatal. A number given twice counts once, with the last name.
pub async fn import(db: &Db, tenant_id: i64, rows: Vec<NewContact>) -> ServiceResult<ImportReport> {
    if rows.len() > MAX_IMPORT_ROWS {
        return Err(Problem::ImportTooLarge {
            max: MAX_IMPORT_ROWS,
        }
        .into());
    }
    let mut report = ImportReport::default();
    // Identity key → (phone as first given, last name), in file order.
    let mut order: Vec<String> = Vec::new();
    let mut people: HashMap<String, (String, String)> = HashMap::new();
    for row in rows {
        match phone::normalize(&row.phone) {
            Ok(p) => {
                let key = phone::identity_key(&p);
                let name = row.name.trim().to_string();
                match people.get_mut(&key) {
                    Some(person) => person.1 = name,
                    None => {
                        people.insert(key.clone(), (p, name));
                        order.push(key);
                    }
                }
            }
            Err(e) => report.invalid.push(InvalidContact {
                phone: row.phone,
                error: e.to_string(),
            }),
        }
    }

    let now = Utc::now();
    for chunk in order.chunks(CHUNK) {
        let txn = db.write.begin().await?;
        // Imports of one tenant take turns on PostgreSQL (SQLite has one writer anyway): two
        // imports carrying the two spellings of a number at once must not both create it.
        if db.backend() == DbBackend::Postgres {
            txn.execute_raw(stmt(
                DbBackend::Postgres,
                "SELECT pg_advisory_xact_lock(?)",
                vec![(IMPORT_LOCK | tenant_id).into()],
            ))
            .await?;
        }
        let mut existing: HashMap<String, contact::Model> = HashMap::new();
        for c in contact::Entity::find()
            .filter(contact::Column::TenantId.eq(tenant_id))
            .filter(contact::Column::PhoneKey.is_in(chunk.iter().cloned()))
            .order_by_asc(contact::Column::Id)
            .all(&txn)
            .await?
        {
            // Twins imported before identities existed: the oldest one stands for the person.
            existing.entry(c.phone_key.clone()).or_insert(c);
        }
        let mut new = Vec::new();
        for key in chunk {
            let Some((p, name)) = people.get(key) else {
                continue;
            };
            match existing.get(key) {
                Some(old) if !name.is_empty() && old.name != *name => {
                    let mut active: contact::ActiveModel = old.clone().into();
                    active.name = Set(name.clone());
                    active.updated_at = Set(now);
                    active.update(&txn).await?;
                    report.updated += 1;
                }
                Some(_) => {}
                None => new.push(contact::ActiveModel {
                    tenant_id: Set(tenant_id),
                    phone: Set(p.clone()),
                    phone_key: Set(key.clone()),
                    name: Set(name.clone()),
                    opted_out_at: Set(None),
                    opt_out_keyword: Set(None),
                    opt_out_text: Set(None),
                    last_interaction_at: Set(None),
                    total_messages_received: Set(0),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }),
            }
        }
        if !new.is_empty() {
            report.created += new.len() as u64;
            contact::Entity::insert_many(new).exec(&txn).await?;
        }
        txn.commit().await?;
    }
    Ok(report)
}

/// The API view of a contact.
pub fn view(c: contact::Model) -> ContactView {
    ContactView {
        id: c.id,
        name: c.name,
        phone: c.phone,
        opted_out: c.opted_out_at.is_some(),
        opted_out_at: opt_timestamp(c.opted_out_at),
        opt_out_keyword: c.opt_out_keyword,
        last_interaction_at: opt_timestamp(c.last_interaction_at),
        total_messages_received: c.total_messages_received,
        created_at: timestamp(c.created_at),
    }
}

/// The tenant's contacts, oldest first, optionally only the one with `phone` (either spelling
/// of a Brazilian mobile finds it).
pub async fn list(
    db: &Db,
    tenant_id: i64,
    phone_filter: Option<&str>,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<ContactView>> {
    let mut query = contact::Entity::find().filter(contact::Column::TenantId.eq(tenant_id));
    if let Some(raw) = phone_filter {
        let p = phone::normalize(raw).map_err(|e| Problem::Phone {
            phone: raw.to_string(),
            reason: e.into(),
        })?;
        query = query.filter(contact::Column::PhoneKey.eq(phone::identity_key(&p)));
    }
    let rows = query
        .order_by_asc(contact::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(&db.read)
        .await?;
    Ok(rows.into_iter().map(view).collect())
}

/// One contact of the tenant.
pub async fn get(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<ContactView> {
    contact::Entity::find_by_id(id)
        .filter(contact::Column::TenantId.eq(tenant_id))
        .one(&db.read)
        .await?
        .map(view)
        .ok_or(ServiceError::NotFound("contact"))
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
    let sql = "SELECT c.id, c.opted_out_at, c.phone, c.name, c.opt_out_keyword, c.opt_out_text, \
        k.id AS campaign_id, k.name AS campaign_name \
        FROM contact c LEFT JOIN campaign k ON k.id = ( \
            SELECT cc.campaign_id FROM campaign_contact cc JOIN contact o ON o.id = cc.contact_id \
            WHERE o.tenant_id = c.tenant_id AND o.phone_key = c.phone_key \
            AND cc.opted_out_at IS NOT NULL ORDER BY cc.opted_out_at, cc.id LIMIT 1) \
        WHERE c.tenant_id = ? AND c.opted_out_at IS NOT NULL \
        ORDER BY c.opted_out_at DESC, c.id DESC LIMIT ? OFFSET ?";
    let rows = Row::find_by_statement(stmt(
        db.backend(),
        sql,
        vec![
            tenant_id.into(),
            (limit as i64).into(),
            (offset as i64).into(),
        ],
    ))
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
    use super::parse_csv;

    #[test]
    fn csv_with_header_in_any_order() {
        let rows = parse_csv(
            "Nome,Telefone,extra\nMaria,+55 11 98765-4321,x\n\"Silva, João\",5511912345678,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Maria");
        assert_eq!(rows[0].phone, "+55 11 98765-4321");
        assert_eq!(rows[1].name, "Silva, João");
    }

    #[test]
    fn csv_without_phone_column_is_refused() {
        let err = parse_csv("name,email\nMaria,m@x\n").unwrap_err();
        assert!(err.to_string().contains("phone"));
    }
}
