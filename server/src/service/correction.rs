//! Correcting a contact (LGPD art. 18 III): its name, number or attributes, each change written
//! to the consent log with the value before and after, who and when. A number is read in the
//! team's country and refused when it is an erased person's (their number stays out of Flow)
//! or another contact's.

use std::collections::BTreeMap;

use app::audience::ContactCorrection;
use chrono::Utc;
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait};

use crate::db::Db;
use crate::domain::phone;
use crate::service::consent::{self, Action, Change, Event};
use crate::service::contacts::{self, LISTED, attributes_of};
use crate::service::{Problem, ServiceError, ServiceResult, settings, suppression};
use crate::sql::stmt;

/// Most characters of a name.
pub const MAX_NAME_CHARS: usize = 200;
/// Most characters of an attribute key.
pub const MAX_KEY_CHARS: usize = 64;
/// Most characters of an attribute value.
pub const MAX_VALUE_CHARS: usize = 1000;

#[derive(FromQueryResult)]
struct Current {
    name: String,
    phone: String,
    phone_key: String,
    attributes: Option<serde_json::Value>,
}

/// Applies `input` to contact `id` on behalf of `actor`; returns the changes made (none when
/// every value was already so).
pub async fn correct(
    db: &Db,
    tenant_id: i64,
    id: i64,
    input: ContactCorrection,
    actor: &str,
) -> ServiceResult<Vec<Change>> {
    if input.name.is_none() && input.phone.is_none() && input.attributes.is_none() {
        return Err(Problem::NothingToCorrect.into());
    }
    let name = input.name.as_deref().map(str::trim);
    if name.is_some_and(|n| n.chars().count() > MAX_NAME_CHARS) {
        return Err(Problem::NameLength {
            max: MAX_NAME_CHARS,
        }
        .into());
    }
    let edits = input.attributes.unwrap_or_default();
    check_attributes(&edits)?;
    let number = match &input.phone {
        None => None,
        Some(raw) => {
            let country = settings::country(&db.read, tenant_id).await?;
            Some(phone::parse(raw, country).map_err(|e| Problem::Phone {
                phone: raw.clone(),
                reason: e.into(),
            })?)
        }
    };

    let txn = db.write.begin().await?;
    // Takes turns with imports and erasures, which read and write the same people.
    contacts::import_lock(&txn, tenant_id).await?;
    let backend = txn.get_database_backend();
    let current = Current::find_by_statement(stmt(
        backend,
        &format!(
            "SELECT c.name, c.phone, c.phone_key, c.attributes FROM contact c \
             WHERE c.tenant_id = ? AND c.id = ? AND {LISTED}"
        ),
        vec![tenant_id.into(), id.into()],
    ))
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound("contact"))?;

    let mut changes = Vec::new();
    let new_name = match name {
        Some(n) if n != current.name => {
            changes.push(Change {
                field: "name".into(),
                old: Some(current.name.clone()),
                new: Some(n.to_string()),
            });
            n.to_string()
        }
        _ => current.name.clone(),
    };
    let (mut new_phone, mut new_key, mut line_type) = (current.phone.clone(), None, None);
    if let Some(number) = number.filter(|n| n.digits != current.phone) {
        let key = number.key();
        if key != current.phone_key {
            if !suppression::suppressed(&txn, tenant_id, std::slice::from_ref(&key))
                .await?
                .is_empty()
            {
                return Err(Problem::NumberErased.into());
            }
            if let Some(owner) = holder(&txn, tenant_id, id, &key).await? {
                return Err(Problem::NumberTaken { contact_id: owner }.into());
            }
        }
        changes.push(Change {
            field: "phone".into(),
            old: Some(current.phone.clone()),
            new: Some(number.digits.clone()),
        });
        new_phone = number.digits.clone();
        new_key = Some(key);
        line_type = Some(number.line_type.as_str());
    }
    let mut attributes = attributes_of(current.attributes.as_ref());
    let mut attributes_changed = false;
    for (key, value) in edits {
        let key = key.trim().to_lowercase();
        let old = attributes.get(&key).cloned();
        let value = value
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty());
        if old == value {
            continue;
        }
        match &value {
            Some(v) => attributes.insert(key.clone(), v.clone()),
            None => attributes.remove(&key),
        };
        attributes_changed = true;
        changes.push(Change {
            field: format!("attributes.{key}"),
            old,
            new: value,
        });
    }
    if changes.is_empty() {
        return Ok(changes);
    }

    let now = Utc::now();
    txn.execute_raw(stmt(
        backend,
        "UPDATE contact SET name = ?, phone = ?, phone_key = COALESCE(?, phone_key), \
         line_type = COALESCE(?, line_type), updated_at = ? WHERE id = ?",
        vec![
            new_name.into(),
            new_phone.into(),
            new_key.into(),
            line_type.into(),
            now.into(),
            id.into(),
        ],
    ))
    .await?;
    // The column is rewritten only when a field changed (its other values stay as stored).
    if attributes_changed {
        let json = (!attributes.is_empty()).then(|| serde_json::json!(attributes));
        txn.execute_raw(stmt(
            backend,
            "UPDATE contact SET attributes = ? WHERE id = ?",
            vec![json.into(), id.into()],
        ))
        .await?;
    }
    for change in &changes {
        consent::record_change(
            &txn,
            Event {
                tenant_id,
                contact_id: id,
                action: Action::Corrected,
                note: "",
                actor,
                at: now,
            },
            change,
        )
        .await?;
    }
    txn.commit().await?;
    tracing::info!(
        contact_id = id,
        changes = changes.len(),
        "contact corrected"
    );
    Ok(changes)
}

/// Refuses empty or too long attribute keys and too long values.
fn check_attributes(edits: &BTreeMap<String, Option<String>>) -> ServiceResult<()> {
    let bad = edits.iter().any(|(k, v)| {
        let k = k.trim();
        k.is_empty()
            || k.chars().count() > MAX_KEY_CHARS
            || v.as_ref()
                .is_some_and(|v| v.chars().count() > MAX_VALUE_CHARS)
    });
    if bad {
        return Err(Problem::AttributeLength {
            max_key: MAX_KEY_CHARS,
            max_value: MAX_VALUE_CHARS,
        }
        .into());
    }
    Ok(())
}

/// The contact (other than `id`) that holds the number of identity `key`, if any: the person a
/// merged twin belongs to.
async fn holder(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
    key: &str,
) -> ServiceResult<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Holder {
        id: i64,
    }
    Ok(Holder::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT COALESCE(merged_into_id, id) AS id FROM contact WHERE tenant_id = ? \
         AND phone_key = ? AND id <> ? AND erased_at IS NULL ORDER BY id LIMIT 1",
        vec![tenant_id.into(), key.into(), id.into()],
    ))
    .one(conn)
    .await?
    .map(|h| h.id))
}
