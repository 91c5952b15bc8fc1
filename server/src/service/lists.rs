//! Contact lists: create, rename, delete, add and remove contacts, and the audience of a
//! campaign over lists (union of `include`, minus the people on `exclude`, one contact per
//! person).

use app::audience::{AudienceCount, ListMembers, ListMembersChanged, ListView};
use app::types::ContactView;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, FromQueryResult, TransactionTrait, Value};

use crate::db::Db;
use crate::service::contacts::{self, ContactRow, Search};
use crate::service::{Problem, ServiceError, ServiceResult, settings, timestamp};
use crate::sql::{placeholders, stmt};

/// Contact ids handled per statement.
const CHUNK: usize = 500;

/// The most contact ids one add/remove request may carry.
pub const MAX_MEMBERS_PER_REQUEST: usize = 10_000;

#[derive(FromQueryResult)]
struct ListRow {
    id: i64,
    name: String,
    contacts: i64,
    created_at: DateTime<Utc>,
}

impl From<ListRow> for ListView {
    fn from(r: ListRow) -> Self {
        ListView {
            id: r.id,
            name: r.name,
            contacts: r.contacts,
            created_at: timestamp(r.created_at),
        }
    }
}

const SELECT: &str = "SELECT l.id, l.name, l.created_at, \
    (SELECT COUNT(*) FROM list_contact lc WHERE lc.list_id = l.id) AS contacts FROM list l";

fn valid_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::NameLength { max: 200 }.into());
    }
    Ok(name.to_string())
}

fn name_taken(e: sea_orm::DbErr) -> ServiceError {
    match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Problem::ListTaken.into(),
        _ => ServiceError::Db(e),
    }
}

/// The tenant's lists, by name.
pub async fn list(db: &Db, tenant_id: i64) -> ServiceResult<Vec<ListView>> {
    let rows = ListRow::find_by_statement(stmt(
        db.backend(),
        &format!("{SELECT} WHERE l.tenant_id = ? ORDER BY l.name, l.id"),
        vec![tenant_id.into()],
    ))
    .all(&db.read)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// One list of the tenant.
pub async fn get(conn: &impl ConnectionTrait, tenant_id: i64, id: i64) -> ServiceResult<ListView> {
    ListRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("{SELECT} WHERE l.tenant_id = ? AND l.id = ?"),
        vec![tenant_id.into(), id.into()],
    ))
    .one(conn)
    .await?
    .map(Into::into)
    .ok_or(ServiceError::NotFound("list"))
}

/// The lists `contact_id` is on, by name.
pub async fn of_contact(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    contact_id: i64,
) -> ServiceResult<Vec<ListView>> {
    let rows = ListRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "{SELECT} WHERE l.tenant_id = ? AND l.id IN \
             (SELECT list_id FROM list_contact WHERE contact_id = ?) ORDER BY l.name, l.id"
        ),
        vec![tenant_id.into(), contact_id.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Creates a list; a name the tenant already uses is a conflict.
pub async fn create(db: &Db, tenant_id: i64, name: &str) -> ServiceResult<ListView> {
    let name = valid_name(name)?;
    let now = Utc::now();
    let txn = db.write.begin().await?;
    txn.execute_raw(stmt(
        db.backend(),
        "INSERT INTO list (tenant_id, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
        vec![
            tenant_id.into(),
            name.clone().into(),
            now.into(),
            now.into(),
        ],
    ))
    .await
    .map_err(name_taken)?;
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let id = Id::find_by_statement(stmt(
        db.backend(),
        "SELECT id FROM list WHERE tenant_id = ? AND name = ?",
        vec![tenant_id.into(), name.into()],
    ))
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound("list"))?
    .id;
    let view = get(&txn, tenant_id, id).await?;
    txn.commit().await?;
    Ok(view)
}

/// Renames a list.
pub async fn rename(db: &Db, tenant_id: i64, id: i64, name: &str) -> ServiceResult<ListView> {
    let name = valid_name(name)?;
    let changed = db
        .write
        .execute_raw(stmt(
            db.backend(),
            "UPDATE list SET name = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
            vec![name.into(), Utc::now().into(), tenant_id.into(), id.into()],
        ))
        .await
        .map_err(name_taken)?
        .rows_affected();
    if changed == 0 {
        return Err(ServiceError::NotFound("list"));
    }
    get(&db.write, tenant_id, id).await
}

/// Deletes a list (its contacts stay; campaigns made from it keep their recipients).
pub async fn delete(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<()> {
    let txn = db.write.begin().await?;
    get(&txn, tenant_id, id).await?;
    txn.execute_raw(stmt(
        db.backend(),
        "DELETE FROM list_contact WHERE list_id = ?",
        vec![id.into()],
    ))
    .await?;
    txn.execute_raw(stmt(
        db.backend(),
        "DELETE FROM list WHERE tenant_id = ? AND id = ?",
        vec![tenant_id.into(), id.into()],
    ))
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Adds contacts of the tenant to a list inside `txn`; returns how many were not on it yet.
/// Ids that are not contacts of the tenant (or were erased) are refused.
pub(crate) async fn add_in(
    txn: &impl ConnectionTrait,
    tenant_id: i64,
    list_id: i64,
    contact_ids: &[i64],
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let backend = txn.get_database_backend();
    let mut added = 0;
    for chunk in contact_ids.chunks(CHUNK) {
        let mut values: Vec<Value> = vec![tenant_id.into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        #[derive(FromQueryResult)]
        struct N {
            n: i64,
        }
        let known = N::find_by_statement(stmt(
            backend,
            &format!(
                "SELECT COUNT(*) AS n FROM contact WHERE tenant_id = ? AND erased_at IS NULL AND merged_into_id IS NULL \
                 AND id IN ({})",
                placeholders(chunk.len())
            ),
            values.clone(),
        ))
        .one(txn)
        .await?
        .map_or(0, |r| r.n);
        if known as usize != chunk.len() {
            return Err(Problem::UnknownContacts {
                count: chunk.len() - known as usize,
            }
            .into());
        }
        let mut values: Vec<Value> = vec![list_id.into(), now.into(), tenant_id.into()];
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        added += txn
            .execute_raw(stmt(
                backend,
                &format!(
                    "INSERT INTO list_contact (list_id, contact_id, added_at) \
                     SELECT ?, id, ? FROM contact WHERE tenant_id = ? AND id IN ({}) \
                     ON CONFLICT (list_id, contact_id) DO NOTHING",
                    placeholders(chunk.len())
                ),
                values,
            ))
            .await?
            .rows_affected();
    }
    Ok(added)
}

/// The ids of a list change, sorted and without repeats, after checking their number: 1 to
/// [`MAX_MEMBERS_PER_REQUEST`], or none when a search names the contacts.
fn checked_ids(members: &ListMembers) -> ServiceResult<Vec<i64>> {
    let least = usize::from(members.search.is_none());
    if members.contact_ids.len() < least || members.contact_ids.len() > MAX_MEMBERS_PER_REQUEST {
        return Err(Problem::MemberCount {
            max: MAX_MEMBERS_PER_REQUEST,
        }
        .into());
    }
    let mut ids = members.contact_ids.clone();
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Adds contacts to a list: the ids given and every contact matching the search, if any (those
/// already on it are left alone).
pub async fn add(
    db: &Db,
    tenant_id: i64,
    list_id: i64,
    members: &ListMembers,
) -> ServiceResult<ListMembersChanged> {
    change(db, tenant_id, list_id, members, true).await
}

/// Takes contacts off a list: the ids given and every contact matching the search, if any
/// (those not on it are ignored).
pub async fn remove(
    db: &Db,
    tenant_id: i64,
    list_id: i64,
    members: &ListMembers,
) -> ServiceResult<ListMembersChanged> {
    change(db, tenant_id, list_id, members, false).await
}

/// [`add`] (`add`) or [`remove`], in one transaction.
async fn change(
    db: &Db,
    tenant_id: i64,
    list_id: i64,
    members: &ListMembers,
    add: bool,
) -> ServiceResult<ListMembersChanged> {
    let ids = checked_ids(members)?;
    let search = match &members.search {
        Some(s) => {
            let country = settings::country(&db.read, tenant_id).await?;
            Some(Search::from(s).condition(db.backend(), country)?)
        }
        None => None,
    };
    let backend = db.backend();
    let txn = db.write.begin().await?;
    get(&txn, tenant_id, list_id).await?;
    let now = Utc::now();
    let mut changed = 0;
    if add {
        changed += add_in(&txn, tenant_id, list_id, &ids, now).await?;
    } else {
        for chunk in ids.chunks(CHUNK) {
            let mut values: Vec<Value> = vec![list_id.into()];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            let sql = format!(
                "DELETE FROM list_contact WHERE list_id = ? AND contact_id IN ({})",
                placeholders(chunk.len())
            );
            changed += txn
                .execute_raw(stmt(backend, &sql, values))
                .await?
                .rows_affected();
        }
    }
    if let Some((condition, extra)) = search {
        let matching = format!("FROM contact c WHERE c.tenant_id = ?{condition}");
        let (sql, mut values): (String, Vec<Value>) = if add {
            (
                format!(
                    "INSERT INTO list_contact (list_id, contact_id, added_at) \
                     SELECT ?, c.id, ? {matching} ON CONFLICT (list_id, contact_id) DO NOTHING"
                ),
                vec![list_id.into(), now.into()],
            )
        } else {
            (
                format!(
                    "DELETE FROM list_contact WHERE list_id = ? AND contact_id IN \
                     (SELECT c.id {matching})"
                ),
                vec![list_id.into()],
            )
        };
        values.push(tenant_id.into());
        values.extend(extra);
        changed += txn
            .execute_raw(stmt(backend, &sql, values))
            .await?
            .rows_affected();
    }
    let contacts = get(&txn, tenant_id, list_id).await?.contacts;
    txn.commit().await?;
    Ok(ListMembersChanged { changed, contacts })
}

/// A page of a list's contacts by id, after `cursor` (keyset).
pub async fn contacts(
    db: &Db,
    tenant_id: i64,
    list_id: i64,
    cursor: Option<i64>,
    limit: u64,
) -> ServiceResult<Vec<ContactView>> {
    get(&db.read, tenant_id, list_id).await?;
    let rows = ContactRow::find_by_statement(stmt(
        db.backend(),
        &format!(
            "{} WHERE c.tenant_id = ? AND {} AND c.id > ? \
             AND c.id IN (SELECT contact_id FROM list_contact WHERE list_id = ?) \
             ORDER BY c.id LIMIT ?",
            contacts::SELECT,
            contacts::LISTED
        ),
        vec![
            tenant_id.into(),
            cursor.unwrap_or(0).into(),
            list_id.into(),
            (limit as i64).into(),
        ],
    ))
    .all(&db.read)
    .await?;
    Ok(rows.into_iter().map(ContactRow::view).collect())
}

/// Who a campaign gets: every (not erased) person of the tenant, or those on any list of
/// `include`, minus the people (any spelling of their number) on a list of `exclude`.
#[derive(Clone, Debug, Default)]
pub struct Audience {
    /// Lists whose contacts are taken; `None` = every contact.
    pub include: Option<Vec<i64>>,
    /// Lists whose people are left out.
    pub exclude: Vec<i64>,
}

impl Audience {
    /// Refuses list ids that are not the tenant's, and an empty `include`.
    pub async fn check(&self, conn: &impl ConnectionTrait, tenant_id: i64) -> ServiceResult<()> {
        if self.include.as_ref().is_some_and(Vec::is_empty) {
            return Err(Problem::ListIdsEmpty.into());
        }
        let ids: Vec<i64> = self
            .include
            .iter()
            .flatten()
            .chain(&self.exclude)
            .copied()
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        #[derive(FromQueryResult)]
        struct N {
            n: i64,
        }
        let mut distinct = ids.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let mut values: Vec<Value> = vec![tenant_id.into()];
        values.extend(distinct.iter().map(|id| Value::from(*id)));
        let known = N::find_by_statement(stmt(
            conn.get_database_backend(),
            &format!(
                "SELECT COUNT(*) AS n FROM list WHERE tenant_id = ? AND id IN ({})",
                placeholders(distinct.len())
            ),
            values,
        ))
        .one(conn)
        .await?
        .map_or(0, |r| r.n);
        if known as usize != distinct.len() {
            return Err(Problem::UnknownLists.into());
        }
        Ok(())
    }

    /// The SQL condition (on table `contact`) and its values, to follow
    /// `FROM contact WHERE tenant_id = ?`: one contact per person (the oldest one taken).
    pub fn condition(&self) -> (String, Vec<Value>) {
        let mut sql =
            String::from(" AND contact.erased_at IS NULL AND contact.merged_into_id IS NULL");
        let mut values = Vec::new();
        let member = |alias: &str, ids: &[i64], values: &mut Vec<Value>| {
            values.extend(ids.iter().map(|id| Value::from(*id)));
            format!(
                "EXISTS (SELECT 1 FROM list_contact lc WHERE lc.contact_id = {alias}.id \
                 AND lc.list_id IN ({}))",
                placeholders(ids.len())
            )
        };
        if let Some(include) = &self.include {
            sql.push_str(" AND ");
            sql.push_str(&member("contact", include, &mut values));
        }
        if !self.exclude.is_empty() {
            sql.push_str(&format!(
                " AND NOT EXISTS (SELECT 1 FROM list_contact lx JOIN contact x ON x.id = lx.contact_id \
                 WHERE x.tenant_id = contact.tenant_id AND x.phone_key = contact.phone_key \
                 AND lx.list_id IN ({}))",
                placeholders(self.exclude.len())
            ));
            values.extend(self.exclude.iter().map(|id| Value::from(*id)));
        }
        // One row per person: of twins imported before identities existed, the oldest one
        // that the audience takes.
        sql.push_str(
            " AND NOT EXISTS (SELECT 1 FROM contact t WHERE t.tenant_id = contact.tenant_id \
             AND t.phone_key = contact.phone_key AND t.id < contact.id AND t.erased_at IS NULL",
        );
        if let Some(include) = &self.include {
            sql.push_str(" AND ");
            sql.push_str(&member("t", include, &mut values));
        }
        sql.push(')');
        (sql, values)
    }

    /// How many people the audience holds, and how many of them opted out.
    pub async fn count(&self, db: &Db, tenant_id: i64) -> ServiceResult<AudienceCount> {
        self.check(&db.read, tenant_id).await?;
        let (condition, extra) = self.condition();
        #[derive(FromQueryResult)]
        struct Counts {
            contacts: i64,
            opted_out: i64,
        }
        let mut values: Vec<Value> = vec![tenant_id.into()];
        values.extend(extra);
        let sql = format!(
            "SELECT COUNT(*) AS contacts, COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM contact o \
             WHERE o.tenant_id = contact.tenant_id AND o.phone_key = contact.phone_key \
             AND o.opted_out_at IS NOT NULL) THEN 1 ELSE 0 END), 0) AS opted_out \
             FROM contact WHERE tenant_id = ?{condition}"
        );
        let c = Counts::find_by_statement(stmt(db.backend(), &sql, values))
            .one(&db.read)
            .await?
            .map_or((0, 0), |c| (c.contacts, c.opted_out));
        Ok(AudienceCount {
            contacts: c.0,
            opted_out: c.1,
        })
    }
}
