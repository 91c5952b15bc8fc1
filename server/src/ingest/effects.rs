//! Counter changes gathered while applying events, written once at the end of the transaction:
//! one UPDATE per touched campaign, one upsert per instance day (which returns the day's figures
//! for the health score), one UPDATE per touched instance, instead of one of each per event.

use std::collections::{BTreeMap, BTreeSet};

use app::types::{CampaignCounts, CampaignLogView, InstanceQr};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, FromQueryResult, Value};

use super::memo::{InstanceMemo, Sums};

use crate::domain::delivery::DeliveryStatus;
use crate::domain::health::{self, RecentStats};
use crate::ingest::tracked::Tracked;
use crate::service::campaign_logs::{self, LogLine};
use crate::sql::{Together, stmt};

/// Deltas of an instance's stats for today.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DailyDelta {
    /// Sent.
    pub sent: i64,
    /// Delivered.
    pub delivered: i64,
    /// Read.
    pub read: i64,
    /// Failed.
    pub failed: i64,
    /// Disconnects.
    pub disconnects: i64,
}

/// What a transaction's events changed.
#[derive(Debug, Default)]
pub struct Effects {
    /// Counter deltas per campaign (`total` never changes here).
    campaigns: BTreeMap<i64, CampaignCounts>,
    daily: BTreeMap<i64, DailyDelta>,
    /// Campaigns whose row changed (counters or status).
    pub touched_campaigns: BTreeSet<i64>,
    /// Instances that sent events or changed.
    pub touched_instances: BTreeSet<i64>,
    /// Log lines written, with their tenant, for the live stream.
    pub logs: Vec<(i64, i64, CampaignLogView)>,
    /// Campaign contacts looked at by message id, and their pending status changes.
    pub tracked: Tracked,
    /// New QR codes to pair instances, with their tenant, for the live stream.
    pub qr_codes: Vec<(i64, InstanceQr)>,
}

impl Effects {
    /// Marks an instance as having had activity.
    pub fn touch_instance(&mut self, id: i64) {
        self.touched_instances.insert(id);
    }

    /// Marks a campaign whose row changed outside the counters (e.g. its status).
    pub fn touch_campaign(&mut self, id: i64) {
        self.touched_campaigns.insert(id);
    }

    /// The counter deltas of `campaign_id`, to add to.
    pub fn campaign(&mut self, campaign_id: i64) -> &mut CampaignCounts {
        self.touched_campaigns.insert(campaign_id);
        self.campaigns.entry(campaign_id).or_default()
    }

    /// Today's stat deltas of `instance_id`, to add to.
    pub fn daily(&mut self, instance_id: i64) -> &mut DailyDelta {
        self.touched_instances.insert(instance_id);
        self.daily.entry(instance_id).or_default()
    }

    /// Records the counter and stat changes of a campaign contact moving `from` → `to`
    /// (a row that already has its message id). Each counter changes by whether `to` counts
    /// in it minus whether `from` did, so a row rescued from `failed` (Evolution proved it
    /// was sent after all) takes its failure back.
    pub fn transition(
        &mut self,
        campaign_id: i64,
        instance_id: Option<i64>,
        from: DeliveryStatus,
        to: DeliveryStatus,
    ) {
        use DeliveryStatus as D;
        let step =
            |counted: &[D]| i64::from(counted.contains(&to)) - i64::from(counted.contains(&from));
        let (delivered, read) = (step(&[D::Delivered, D::Read]), step(&[D::Read]));
        let failed = step(&[D::Failed]);
        let c = self.campaign(campaign_id);
        c.pending += step(&[D::Pending, D::Sending]);
        c.delivered += delivered;
        c.read += read;
        c.failed += failed;
        c.opted_out += step(&[D::OptedOut]);
        c.cancelled += step(&[D::Cancelled]);
        if let Some(instance_id) = instance_id {
            let d = self.daily(instance_id);
            d.delivered += delivered;
            d.read += read;
            d.failed += failed;
        }
    }

    /// Adds what `other` touched and logged (for publishing several transactions at once).
    pub fn absorb(&mut self, other: Effects) {
        self.touched_campaigns.extend(other.touched_campaigns);
        self.touched_instances.extend(other.touched_instances);
        self.logs.extend(other.logs);
        self.qr_codes.extend(other.qr_codes);
    }

    /// Writes a campaign log line now and keeps it for the live stream.
    pub async fn log(&mut self, txn: &DatabaseTransaction, line: LogLine<'_>) -> Result<(), DbErr> {
        let tenant_id = line.tenant_id;
        let campaign_id = line.campaign_id;
        let view = campaign_logs::write(txn, line).await?;
        self.logs.push((tenant_id, campaign_id, view));
        Ok(())
    }

    /// Writes the pending row changes, the gathered counters, stats, health scores and
    /// `last_event_at`.
    pub async fn flush(
        &mut self,
        txn: &DatabaseTransaction,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let together = Together::new(txn.get_database_backend());
        self.flush_with(txn, now, &mut InstanceMemo::default(), together)
            .await
    }

    /// [`Effects::flush`] for a caller that keeps `memo` from one transaction to the next (the
    /// webhook writer): what it remembers of the instances is not read or written again. The
    /// caller tells `memo` when the transaction has committed ([`InstanceMemo::committed`]).
    /// The row changes, counters and daily figures run in one [`Together`] after the caller's
    /// own statements in `together`, which must return no rows.
    pub async fn flush_with(
        &mut self,
        txn: &DatabaseTransaction,
        now: DateTime<Utc>,
        memo: &mut InstanceMemo,
        mut together: Together,
    ) -> Result<(), DbErr> {
        self.tracked.queue(&mut together, now);
        let backend = txn.get_database_backend();
        for (id, d) in &self.campaigns {
            if *d == CampaignCounts::default() {
                continue;
            }
            together.push(
                "UPDATE campaign SET pending = pending + ?, sent = sent + ?, \
                 delivered = delivered + ?, read = read + ?, failed = failed + ?, \
                 opted_out = opted_out + ?, replied = replied + ?, cancelled = cancelled + ?, \
                 deleted = deleted + ?, played = played + ?, updated_at = ? WHERE id = ?",
                vec![
                    d.pending.into(),
                    d.sent.into(),
                    d.delivered.into(),
                    d.read.into(),
                    d.failed.into(),
                    d.opted_out.into(),
                    d.replied.into(),
                    d.cancelled.into(),
                    d.deleted.into(),
                    d.played.into(),
                    now.into(),
                    (*id).into(),
                ],
            );
        }
        let changed: Vec<(i64, DailyDelta)> = self
            .daily
            .iter()
            .filter(|(_, d)| **d != DailyDelta::default())
            .map(|(id, d)| (*id, *d))
            .collect();
        let ids: Vec<i64> = changed.iter().map(|(id, _)| *id).collect();
        memo.begin(txn, &ids).await?;
        let mut days = Vec::with_capacity(changed.len());
        for (instance_id, d) in changed {
            let zone = memo.zone(instance_id);
            let today = crate::service::instances::day(now, zone);
            let since =
                crate::service::instances::day(now - Duration::days(health::WINDOW_DAYS - 1), zone);
            add_to_day(&mut together, instance_id, &today, d);
            days.push((instance_id, since, today));
        }
        // Only the days' upserts return rows: one each, in order.
        let rows = together.run(txn).await?;
        if rows.len() != days.len() {
            return Err(DbErr::Custom(format!(
                "{} daily figures returned for {} instances",
                rows.len(),
                days.len()
            )));
        }
        let mut health = BTreeMap::new();
        for ((instance_id, since, today), row) in days.into_iter().zip(rows) {
            let today_row = RecentStats::from(Sums::from_query_result(&row, "")?);
            let earlier = memo.earlier(txn, instance_id, &since, &today).await?;
            health.insert(instance_id, health::score(earlier + today_row));
        }
        for instance_id in &self.touched_instances {
            let score = health.get(instance_id).copied();
            if memo.holds(*instance_id, now, score) {
                continue;
            }
            let mut values: Vec<Value> = vec![now.into()];
            let mut sql = String::from("UPDATE whatsapp_instance SET last_event_at = ?");
            if let Some(h) = score {
                sql.push_str(", health_score = ?");
                values.push(h.into());
            }
            sql.push_str(" WHERE id = ?");
            values.push((*instance_id).into());
            txn.execute_raw(stmt(backend, &sql, values)).await?;
        }
        Ok(())
    }
}

/// Adds to `together` the upsert adding `d` to instance `instance_id`'s row of `day` in
/// `instance_daily_stats`; it returns the row's figures after it.
fn add_to_day(together: &mut Together, instance_id: i64, day: &str, d: DailyDelta) {
    together.push(
        "INSERT INTO instance_daily_stats \
         (instance_id, day, sent, delivered, read, failed, disconnects) \
         VALUES (?, ?, ?, ?, ?, ?, ?) \
         ON CONFLICT (instance_id, day) DO UPDATE SET \
         sent = instance_daily_stats.sent + excluded.sent, \
         delivered = instance_daily_stats.delivered + excluded.delivered, \
         read = instance_daily_stats.read + excluded.read, \
         failed = instance_daily_stats.failed + excluded.failed, \
         disconnects = instance_daily_stats.disconnects + excluded.disconnects \
         RETURNING delivered, read, failed, disconnects",
        vec![
            instance_id.into(),
            day.into(),
            d.sent.into(),
            d.delivered.into(),
            d.read.into(),
            d.failed.into(),
            d.disconnects.into(),
        ],
    );
}
