//! What the webhook writer remembers of instances between its transactions, so that a
//! transaction does not ask the database again what cannot have changed since it last asked:
//! the time zone of the instance's tenant, the earlier days of the health window (only today's
//! row of `instance_daily_stats` changes), and what it last wrote to the instance's row.
//!
//! Each remembered instance is read again after [`REMEMBER_FOR`]: a tenant's new time zone,
//! or figures another server wrote to an earlier day just before midnight, count within that
//! time. The instance row is written at least once per second of events and whenever its
//! health score changes, so `last_event_at` lags by less than a second.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult};

use crate::domain::health::RecentStats;
use crate::sql::stmt;

/// How long what was read of an instance is trusted.
pub const REMEMBER_FOR: Duration = Duration::from_secs(60);

/// An instance's figures as summed from `instance_daily_stats` (or returned by its upsert).
#[derive(FromQueryResult)]
pub(super) struct Sums {
    delivered: i64,
    read: i64,
    failed: i64,
    disconnects: i64,
}

impl From<Sums> for RecentStats {
    fn from(s: Sums) -> Self {
        Self {
            delivered: s.delivered,
            read: s.read,
            failed: s.failed,
            disconnects: s.disconnects,
        }
    }
}

/// What the instance row holds as far as this writer knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Written {
    /// The second (Unix time) of the `last_event_at` written.
    second: i64,
    /// The health score written last, if any.
    health: Option<i32>,
}

#[derive(Debug)]
struct Remembered {
    zone: Tz,
    since: Instant,
    /// Today's key and the window's days before it, summed.
    earlier: Option<(String, RecentStats)>,
    written: Option<Written>,
}

/// The writer's memory of instances; empty, it makes [`super::Effects::flush_with`] read and
/// write everything, as [`super::Effects::flush`] does.
#[derive(Debug, Default)]
pub struct InstanceMemo {
    instances: HashMap<i64, Remembered>,
    /// Instance rows written by the transaction under way: remembered once it commits.
    staged: Vec<(i64, Written)>,
}

impl InstanceMemo {
    /// Forgets what is older than [`REMEMBER_FOR`] and what an unfinished transaction wrote;
    /// then reads the time zones of those of `ids` it does not know.
    pub(super) async fn begin(
        &mut self,
        conn: &impl ConnectionTrait,
        ids: &[i64],
    ) -> Result<(), DbErr> {
        self.staged.clear();
        self.instances
            .retain(|_, r| r.since.elapsed() < REMEMBER_FOR);
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !self.instances.contains_key(id))
            .collect();
        let zones = crate::service::instances::zones(conn, &missing).await?;
        for id in missing {
            let zone = zones
                .get(&id)
                .copied()
                .unwrap_or(chrono_tz::America::Sao_Paulo);
            self.instances.insert(
                id,
                Remembered {
                    zone,
                    since: Instant::now(),
                    earlier: None,
                    written: None,
                },
            );
        }
        Ok(())
    }

    /// The time zone of instance `id`'s tenant (read by [`InstanceMemo::begin`]).
    pub(super) fn zone(&self, id: i64) -> Tz {
        self.instances
            .get(&id)
            .map_or(chrono_tz::America::Sao_Paulo, |r| r.zone)
    }

    /// Instance `id`'s figures of the window's days from `since` to before `today`.
    pub(super) async fn earlier(
        &mut self,
        conn: &impl ConnectionTrait,
        id: i64,
        since: &str,
        today: &str,
    ) -> Result<RecentStats, DbErr> {
        if let Some((day, sums)) = self.instances.get(&id).and_then(|r| r.earlier.as_ref())
            && day == today
        {
            return Ok(*sums);
        }
        let sums = Sums::find_by_statement(stmt(
            conn.get_database_backend(),
            "SELECT CAST(COALESCE(SUM(delivered), 0) AS BIGINT) AS delivered, \
             CAST(COALESCE(SUM(read), 0) AS BIGINT) AS read, \
             CAST(COALESCE(SUM(failed), 0) AS BIGINT) AS failed, \
             CAST(COALESCE(SUM(disconnects), 0) AS BIGINT) AS disconnects \
             FROM instance_daily_stats WHERE instance_id = ? AND day >= ? AND day < ?",
            vec![id.into(), since.into(), today.into()],
        ))
        .one(conn)
        .await?
        .map(RecentStats::from)
        .unwrap_or_default();
        if let Some(r) = self.instances.get_mut(&id) {
            r.earlier = Some((today.to_string(), sums));
        }
        Ok(sums)
    }

    /// Whether instance `id`'s row already holds what would be written at `now`: a
    /// `last_event_at` of the same second and, when `health` is given, that score. Otherwise
    /// the write is staged, to be remembered once the transaction commits.
    pub(super) fn holds(&mut self, id: i64, now: DateTime<Utc>, health: Option<i32>) -> bool {
        let known = self.instances.get(&id).and_then(|r| r.written);
        let second = now.timestamp();
        if let Some(w) = known
            && w.second == second
            && (health.is_none() || health == w.health)
        {
            return true;
        }
        let health = health.or(known.and_then(|w| w.health));
        self.staged.push((id, Written { second, health }));
        false
    }

    /// The transaction that [`InstanceMemo::begin`] started committed: its instance writes are
    /// what the rows hold now.
    pub fn committed(&mut self) {
        for (id, written) in self.staged.drain(..) {
            if let Some(r) = self.instances.get_mut(&id) {
                r.written = Some(written);
            }
        }
    }
}
