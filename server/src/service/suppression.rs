//! The suppression list: what stays of an erased person (LGPD art. 18) so that a later import
//! of their number, in any spelling, brings them back opted out — a hash of the number's
//! identity, never the number.
//!
//! New entries are an HMAC-SHA256 of the identity under `FLOW_SUPPRESSION_KEY`, a key that
//! lives outside the database: a copy of the database alone cannot tell whose numbers they are
//! (there are only about 10⁹ Brazilian mobiles, so a hash anyone can recompute would be
//! reversed in minutes). Without that key (a warning at start says so) entries are a SHA-256 of
//! `salt:identity` with a salt kept per tenant, as before. Entries of either kind keep
//! suppressing: a lookup tries every scheme, and for entries written before numbers were
//! parsed (`legacy`, which may hash a national spelling) every such spelling too.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Value};
use sha2::{Digest, Sha256};

use crate::domain::phone;
use crate::sql::{placeholders, stmt};

/// `FLOW_SUPPRESSION_KEY`, read once per process at start ([`use_key`]).
static KEY: OnceLock<Option<Vec<u8>>> = OnceLock::new();

/// Sets the process's suppression key (`FLOW_SUPPRESSION_KEY`); the first call wins, so every
/// server of a process hashes with the same key.
pub fn use_key(key: Option<&str>) {
    let _ = KEY.set(key.map(|k| k.as_bytes().to_vec()));
}

fn key() -> Option<&'static [u8]> {
    KEY.get().and_then(Option::as_deref)
}

/// The keyed hash of an identity (hex HMAC-SHA256).
fn keyed_hash(key: &[u8], phone_key: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(phone_key.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The salted hash of an identity (entries written without a key).
fn salted_hash(salt: &str, phone_key: &str) -> String {
    hex::encode(Sha256::digest(format!("{salt}:{phone_key}")))
}

/// The tenant's salt for salted hashes, if one was made.
async fn salt(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<Option<String>, DbErr> {
    #[derive(FromQueryResult)]
    struct Salt {
        suppression_salt: Option<String>,
    }
    Ok(Salt::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT suppression_salt FROM tenant WHERE id = ?",
        vec![tenant_id.into()],
    ))
    .one(conn)
    .await?
    .and_then(|s| s.suppression_salt))
}

/// Adds the identity `phone_key` of the tenant to the suppression list (keyed when a key is
/// set, else salted, the salt made on first use).
pub async fn record(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    phone_key: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let backend = conn.get_database_backend();
    let hash = match key() {
        Some(key) => keyed_hash(key, phone_key),
        None => {
            if salt(conn, tenant_id).await?.is_none() {
                let mut bytes = [0u8; 32];
                rand::rng().fill_bytes(&mut bytes);
                conn.execute_raw(stmt(
                    backend,
                    "UPDATE tenant SET suppression_salt = ? WHERE id = ? \
                     AND suppression_salt IS NULL",
                    vec![hex::encode(bytes).into(), tenant_id.into()],
                ))
                .await?;
            }
            let salt = salt(conn, tenant_id)
                .await?
                .ok_or_else(|| DbErr::RecordNotFound("tenant".into()))?;
            salted_hash(&salt, phone_key)
        }
    };
    conn.execute_raw(stmt(
        backend,
        "INSERT INTO suppression (tenant_id, phone_hash, created_at) VALUES (?, ?, ?) \
         ON CONFLICT (tenant_id, phone_hash) DO NOTHING",
        vec![tenant_id.into(), hash.into(), now.into()],
    ))
    .await?;
    Ok(())
}

/// Of the identity keys `keys`, those whose number was erased in the tenant, whichever scheme
/// hashed it; for entries written before numbers were parsed, also under the national
/// spellings Flow stored then ([`phone::legacy_spellings`]).
pub async fn suppressed(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    keys: &[String],
) -> Result<HashSet<String>, DbErr> {
    if keys.is_empty() {
        return Ok(HashSet::new());
    }
    let salt = salt(conn, tenant_id).await?;
    let key = key();
    if salt.is_none() && key.is_none() {
        return Ok(HashSet::new());
    }
    let mut by_hash: HashMap<String, &String> = HashMap::new();
    for k in keys {
        if let Some(key) = key {
            by_hash.insert(keyed_hash(key, k), k);
        }
        if let Some(salt) = &salt {
            by_hash.insert(salted_hash(salt, k), k);
        }
    }
    let hashes: Vec<String> = by_hash.keys().cloned().collect();
    let mut out: HashSet<String> = present(conn, tenant_id, &hashes, false)
        .await?
        .iter()
        .filter_map(|h| by_hash.get(h).map(|k| (*k).clone()))
        .collect();
    // Legacy entries were all salted.
    if let Some(salt) = salt.as_deref()
        && out.len() < keys.len()
        && has_legacy(conn, tenant_id).await?
    {
        let by_legacy: HashMap<String, &String> = keys
            .iter()
            .filter(|k| !out.contains(*k))
            .flat_map(|k| {
                phone::legacy_spellings(k)
                    .into_iter()
                    .map(move |s| (salted_hash(salt, &s), k))
            })
            .collect();
        let hashes: Vec<String> = by_legacy.keys().cloned().collect();
        for h in present(conn, tenant_id, &hashes, true).await? {
            if let Some(k) = by_legacy.get(&h) {
                out.insert((*k).clone());
            }
        }
    }
    Ok(out)
}

/// A suppression entry's hash.
#[derive(FromQueryResult)]
struct Hash {
    phone_hash: String,
}

/// Whether the tenant's suppression list has entries written before numbers were parsed.
async fn has_legacy(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<bool, DbErr> {
    Ok(Hash::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT phone_hash FROM suppression WHERE tenant_id = ? AND legacy = TRUE LIMIT 1",
        vec![tenant_id.into()],
    ))
    .one(conn)
    .await?
    .is_some())
}

/// Of `hashes`, those in the tenant's suppression list (only among legacy entries when
/// `legacy_only`).
async fn present(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    hashes: &[String],
    legacy_only: bool,
) -> Result<HashSet<String>, DbErr> {
    let mut found = HashSet::new();
    for chunk in hashes.chunks(500) {
        let mut values: Vec<Value> = vec![tenant_id.into()];
        values.extend(chunk.iter().map(|h| Value::from(h.clone())));
        let rows = Hash::find_by_statement(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT phone_hash FROM suppression WHERE tenant_id = ?{} AND phone_hash IN ({})",
                if legacy_only {
                    " AND legacy = TRUE"
                } else {
                    ""
                },
                placeholders(chunk.len())
            ),
            values,
        ))
        .all(conn)
        .await?;
        found.extend(rows.into_iter().map(|h| h.phone_hash));
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_depend_on_their_secret_and_differ_between_schemes() {
        let phone = "5511987654321";
        assert_ne!(salted_hash("s1", phone), salted_hash("s2", phone));
        assert_ne!(keyed_hash(b"k1", phone), keyed_hash(b"k2", phone));
        assert_ne!(keyed_hash(b"s1", phone), salted_hash("s1", phone));
        // RFC 4231 test case 2: HMAC-SHA256("Jefe", "what do ya want for nothing?").
        assert_eq!(
            keyed_hash(b"Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
