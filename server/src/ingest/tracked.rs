//! Campaign contacts tracked by message id within one transaction: looked up once (a whole
//! webhook batch in one query), kept in memory with their current status, and their status
//! changes written together in one statement when the transaction's effects are flushed.
//! On PostgreSQL the rows are locked (`FOR UPDATE`) when read, so concurrent processes
//! serialise on them.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, FromQueryResult, Value};

use crate::domain::delivery::DeliveryStatus;
use crate::sql::{Together, placeholders, stmt};

/// A campaign contact carrying a message id.
#[derive(Clone, Debug, FromQueryResult)]
pub struct TrackedRow {
    /// campaign_contact id.
    pub id: i64,
    /// Its campaign.
    pub campaign_id: i64,
    /// The campaign's tenant.
    pub tenant_id: i64,
    /// Current status (in this transaction).
    pub status: String,
    /// The instance that sent it.
    pub instance_id: Option<i64>,
    /// The WhatsApp message id.
    pub whatsapp_message_id: Option<String>,
}

/// A status change waiting to be written.
#[derive(Clone, Debug)]
struct RowUpdate {
    status: DeliveryStatus,
    at: DateTime<Utc>,
}

/// The rows a transaction has looked at, and their pending changes.
#[derive(Debug, Default)]
pub struct Tracked {
    by_message: HashMap<String, TrackedRow>,
    /// Message ids looked up (found or not), so a miss is not asked again.
    looked_up: HashSet<String>,
    updates: BTreeMap<i64, RowUpdate>,
}

const SELECT: &str = "SELECT cc.id, cc.campaign_id, c.tenant_id, cc.status, cc.instance_id, \
    cc.whatsapp_message_id FROM campaign_contact cc JOIN campaign c ON c.id = cc.campaign_id";

fn lock(backend: DbBackend) -> &'static str {
    if backend == DbBackend::Postgres {
        " FOR UPDATE OF cc"
    } else {
        ""
    }
}

impl Tracked {
    /// Loads the rows of every message id in `ids` with one query per 500 ids.
    pub async fn prefetch(
        &mut self,
        txn: &DatabaseTransaction,
        ids: &[String],
    ) -> Result<(), DbErr> {
        let backend = txn.get_database_backend();
        let wanted: Vec<&String> = ids
            .iter()
            .filter(|id| !self.looked_up.contains(*id))
            .collect();
        for chunk in wanted.chunks(500) {
            let sql = format!(
                "{SELECT} WHERE cc.whatsapp_message_id IN ({}){}",
                placeholders(chunk.len()),
                lock(backend)
            );
            let values: Vec<Value> = chunk.iter().map(|id| Value::from((*id).clone())).collect();
            for row in TrackedRow::find_by_statement(stmt(backend, &sql, values))
                .all(txn)
                .await?
            {
                if let Some(id) = row.whatsapp_message_id.clone() {
                    self.by_message.insert(id, row);
                }
            }
            self.looked_up.extend(chunk.iter().map(|id| (*id).clone()));
        }
        Ok(())
    }

    /// The row of `tenant_id` with `message_id`, if any.
    pub async fn find(
        &mut self,
        txn: &DatabaseTransaction,
        tenant_id: i64,
        message_id: &str,
    ) -> Result<Option<TrackedRow>, DbErr> {
        if !self.looked_up.contains(message_id) {
            self.prefetch(txn, &[message_id.to_string()]).await?;
        }
        Ok(self
            .by_message
            .get(message_id)
            .filter(|r| r.tenant_id == tenant_id)
            .cloned())
    }

    /// Remembers a row that just got its message id (status `sent`).
    pub fn insert(&mut self, row: TrackedRow) {
        if let Some(id) = row.whatsapp_message_id.clone() {
            self.looked_up.insert(id.clone());
            self.by_message.insert(id, row);
        }
    }

    /// Records that `row` moves to `status` at `at` (written by [`Tracked::flush`]).
    pub fn set_status(&mut self, row: &TrackedRow, status: DeliveryStatus, at: DateTime<Utc>) {
        if let Some(cached) = row
            .whatsapp_message_id
            .as_ref()
            .and_then(|id| self.by_message.get_mut(id))
        {
            cached.status = status.as_str().to_string();
        }
        self.updates.insert(row.id, RowUpdate { status, at });
    }

    /// Adds to `together` every pending status change, one statement per 200 rows. Timestamps
    /// keep their first value (`COALESCE`), so a later step never rewrites an earlier one.
    pub fn queue(&mut self, together: &mut Together, now: DateTime<Utc>) {
        use DeliveryStatus as D;
        let updates = std::mem::take(&mut self.updates);
        let rows: Vec<(i64, RowUpdate)> = updates.into_iter().collect();
        for chunk in rows.chunks(200) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * 7 + 1);
            let none: Option<DateTime<Utc>> = None;
            for (id, u) in chunk {
                let when = |yes: bool| if yes { Some(u.at) } else { none };
                values.push((*id).into());
                values.push(u.status.as_str().into());
                values.push(when(matches!(u.status, D::Sent | D::Delivered | D::Read)).into());
                values.push(when(matches!(u.status, D::Delivered | D::Read)).into());
                values.push(when(u.status == D::Read).into());
                values.push(when(u.status == D::Failed).into());
                values.push(
                    (u.status == D::Failed)
                        .then_some("WhatsApp reported an error delivering the message")
                        .into(),
                );
            }
            values.push(now.into());
            let rows_sql = vec!["(?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
            let sql = format!(
                "WITH v(id, status, sent_at, delivered_at, read_at, failed_at, error) AS (VALUES {rows_sql}) \
                 UPDATE campaign_contact SET status = v.status, updated_at = ?, \
                 sent_at = COALESCE(campaign_contact.sent_at, v.sent_at), \
                 delivered_at = COALESCE(campaign_contact.delivered_at, v.delivered_at), \
                 read_at = COALESCE(campaign_contact.read_at, v.read_at), \
                 failed_at = COALESCE(campaign_contact.failed_at, v.failed_at), \
                 error = COALESCE(campaign_contact.error, v.error) \
                 FROM v WHERE campaign_contact.id = v.id"
            );
            together.push(&sql, values);
        }
    }
}
