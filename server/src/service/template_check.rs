//! The placeholders a campaign's texts may use: the built-in fields (in English or Portuguese,
//! [`app::template::Field`]) and the attribute keys of the team's contacts. Anything else is a
//! typo that would reach every recipient as `{{…}}`, so it is refused, naming the closest
//! known name.

use app::template::{Field, placeholders};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult};

use crate::service::contacts::LISTED;
use crate::service::{Problem, ServiceResult};
use crate::sql::stmt;

/// Most attribute keys read to suggest a name.
const MAX_KEYS: i64 = 2_000;

/// Refuses the first placeholder of `texts` that is neither built in nor an attribute key of
/// one of the tenant's contacts (422, with a "did you mean").
pub async fn check(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    texts: &[&str],
) -> ServiceResult<()> {
    let mut asked: Vec<String> = Vec::new();
    for text in texts {
        for key in placeholders(text) {
            if Field::named(&key).is_none() && !asked.contains(&key) {
                asked.push(key);
            }
        }
    }
    for key in asked {
        if !attribute_exists(conn, tenant_id, &key.to_lowercase()).await? {
            let keys = attribute_keys(conn, tenant_id).await?;
            let known = Field::ALL
                .iter()
                .flat_map(|f| [f.portuguese(), f.english()])
                .chain(keys.iter().map(String::as_str));
            let suggestion = closest(&key, known).map(|k| format!("{{{{{k}}}}}"));
            return Err(Problem::UnknownPlaceholder {
                placeholder: format!("{{{{{key}}}}}"),
                suggestion,
            }
            .into());
        }
    }
    Ok(())
}

/// Whether one of the tenant's contacts has attribute `key` (stored keys are lower case).
async fn attribute_exists(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    key: &str,
) -> ServiceResult<bool> {
    let has = match conn.get_database_backend() {
        DbBackend::Postgres => "c.attributes ->> ? IS NOT NULL",
        _ => "EXISTS (SELECT 1 FROM json_each(c.attributes) j WHERE j.key = ?)",
    };
    Ok(conn
        .query_one_raw(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT 1 AS one FROM contact c WHERE c.tenant_id = ? AND {LISTED} \
                 AND c.attributes IS NOT NULL AND {has} LIMIT 1"
            ),
            vec![tenant_id.into(), key.into()],
        ))
        .await?
        .is_some())
}

/// The attribute keys of the tenant's contacts (at most [`MAX_KEYS`]).
async fn attribute_keys(conn: &impl ConnectionTrait, tenant_id: i64) -> ServiceResult<Vec<String>> {
    #[derive(FromQueryResult)]
    struct Key {
        key: String,
    }
    let sql = match conn.get_database_backend() {
        DbBackend::Postgres => format!(
            "SELECT DISTINCT json_object_keys(c.attributes) AS key FROM contact c \
             WHERE c.tenant_id = ? AND {LISTED} AND c.attributes IS NOT NULL ORDER BY key LIMIT ?"
        ),
        _ => format!(
            "SELECT DISTINCT j.key AS key FROM contact c, json_each(c.attributes) j \
             WHERE c.tenant_id = ? AND {LISTED} AND c.attributes IS NOT NULL ORDER BY key LIMIT ?"
        ),
    };
    Ok(Key::find_by_statement(stmt(
        conn.get_database_backend(),
        &sql,
        vec![tenant_id.into(), MAX_KEYS.into()],
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|k| k.key)
    .collect())
}

/// The known name closest to `unknown`, if close enough to be what was meant: at most a third
/// of its letters differ (Levenshtein), ties going to the first known.
fn closest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let unknown = unknown.to_lowercase();
    known
        .into_iter()
        .map(|k| (strsim::levenshtein(&unknown, &k.to_lowercase()), k))
        .filter(|(d, k)| *d > 0 && *d * 3 <= k.chars().count().max(unknown.chars().count()))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

#[cfg(test)]
mod tests {
    use super::closest;

    #[test]
    fn suggests_a_close_name_only() {
        let known = ["nome", "primeiro_nome", "telefone", "name", "cidade"];
        assert_eq!(closest("cidadee", known), Some("cidade"));
        assert_eq!(closest("primeiro_nom", known), Some("primeiro_nome"));
        assert_eq!(closest("Nomee", known), Some("nome"));
        assert_eq!(closest("telefoen", known), Some("telefone"));
        assert_eq!(closest("xyz", known), None);
        assert_eq!(closest("desconto", known), None);
    }
}
