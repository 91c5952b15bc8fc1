//! What the campaigns teach, read from the database: a campaign's time to deliver and to read,
//! the best-hours grid and its recommendation, and campaigns side by side.
//!
//! The database does the heavy part: times are differences it computes, hours are UTC buckets
//! it groups by; Rust only sorts the differences and turns each UTC hour into the weekday and
//! hour of the tenant's timezone (DST-aware, per bucket).

use std::collections::BTreeMap;

use app::insights::{BestHours, CampaignTiming, ComparedCampaign, Comparison, Evidence, HourCell};
use chrono::{NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, Value};

use crate::db::Db;
use crate::domain::best_hours::{
    self, CELLS, MIN_SENDS, MIN_SLOT_SENDS, READ_SOON_SECS, SendStats, slot_at,
};
use crate::domain::timing;
use crate::service::campaigns::{self, percent};
use crate::service::settings;
use crate::service::{Problem, ServiceResult};
use crate::sql::{TimeUnit, placeholders, secs_between, stmt, utc_bucket};

/// Campaigns a comparison takes at most.
pub const MAX_COMPARED: usize = 10;

/// The timing of campaign `campaign_id`: the whole campaign, and per variant when `variants`
/// is 2 or more (index order). The database counts the messages per whole second of time to
/// deliver (or read), so a million recipients come back as a few thousand rows.
pub async fn timing(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    variants: usize,
) -> Result<(CampaignTiming, Vec<CampaignTiming>), sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        variant: i32,
        secs: i64,
        n: i64,
    }
    let backend = conn.get_database_backend();
    let counted = |column: &str| {
        format!(
            "SELECT variant, {} AS secs, COUNT(*) AS n FROM campaign_contact \
             WHERE campaign_id = ? AND sent_at IS NOT NULL AND {column} IS NOT NULL \
             GROUP BY variant, secs",
            secs_between(backend, "sent_at", column)
        )
    };
    let mut rows = Vec::with_capacity(2);
    for column in ["delivered_at", "read_at"] {
        rows.push(
            Row::find_by_statement(stmt(backend, &counted(column), vec![campaign_id.into()]))
                .all(conn)
                .await?,
        );
    }
    let of = |rows: &[Row], variant: Option<i32>| -> Vec<(i64, i64)> {
        rows.iter()
            .filter(|r| variant.is_none_or(|v| r.variant == v))
            .map(|r| (r.secs, r.n))
            .collect()
    };
    let gather =
        |variant: Option<i32>| timing::timing(of(&rows[0], variant), of(&rows[1], variant));
    let per_variant = if variants >= 2 {
        (0..variants as i32).map(|v| gather(Some(v))).collect()
    } else {
        Vec::new()
    };
    Ok((gather(None), per_variant))
}

/// What the best-hours grid is drawn from: the tenant's messages, optionally only those of one
/// campaign and/or to the people on some lists.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Only this campaign.
    pub campaign_id: Option<i64>,
    /// Only people on any of these lists.
    pub list_ids: Vec<i64>,
}

impl Scope {
    /// The SQL condition on campaign contacts `cc` joined to campaign `c`, and its values.
    fn condition(&self, tenant_id: i64) -> (String, Vec<Value>) {
        let mut sql = String::from("c.tenant_id = ?");
        let mut values: Vec<Value> = vec![tenant_id.into()];
        if let Some(id) = self.campaign_id {
            sql.push_str(" AND cc.campaign_id = ?");
            values.push(id.into());
        }
        if !self.list_ids.is_empty() {
            sql.push_str(&format!(
                " AND cc.contact_id IN (SELECT contact_id FROM list_contact WHERE list_id IN ({}))",
                placeholders(self.list_ids.len())
            ));
            values.extend(self.list_ids.iter().map(|i| Value::from(*i)));
        }
        (sql, values)
    }
}

/// The weekday-and-hour cell of a UTC hour bucket (`YYYY-MM-DDTHH`) in `tz`.
fn cell_of(bucket: &str, tz: Tz) -> Option<usize> {
    let at = NaiveDateTime::parse_from_str(&format!("{bucket}:00:00"), "%Y-%m-%dT%H:%M:%S").ok()?;
    let local = Utc.from_utc_datetime(&at).with_timezone(&tz);
    Some(best_hours::index(best_hours::slot_of(local.naive_local())))
}

/// Counts per UTC hour bucket, spread into the 168 local cells.
#[derive(FromQueryResult)]
struct Bucket {
    bucket: Option<String>,
    n: i64,
    engaged: i64,
    explored: i64,
}

async fn buckets(
    conn: &impl ConnectionTrait,
    column: &str,
    tenant_id: i64,
    scope: &Scope,
) -> Result<Vec<Bucket>, sea_orm::DbErr> {
    let backend = conn.get_database_backend();
    let (condition, values) = scope.condition(tenant_id);
    let soon = |other: &str| {
        format!(
            "({other} IS NOT NULL AND {} <= {READ_SOON_SECS})",
            secs_between(backend, "cc.sent_at", other)
        )
    };
    // Engagement and exploration only mean something for the sends.
    let (engaged, explored) = if column == "sent_at" {
        (
            format!(
                "SUM(CASE WHEN {} OR {} THEN 1 ELSE 0 END)",
                soon("cc.read_at"),
                soon("cc.replied_at")
            ),
            "SUM(CASE WHEN cc.due_source = 'explore' THEN 1 ELSE 0 END)".to_string(),
        )
    } else {
        // Typed: PostgreSQL answers a bare 0 as a 4-byte integer.
        (
            "CAST(0 AS BIGINT)".to_string(),
            "CAST(0 AS BIGINT)".to_string(),
        )
    };
    let sql = format!(
        "SELECT {bucket} AS bucket, COUNT(*) AS n, COALESCE({engaged}, 0) AS engaged, \
         COALESCE({explored}, 0) AS explored \
         FROM campaign_contact cc JOIN campaign c ON c.id = cc.campaign_id \
         WHERE {condition} AND cc.{column} IS NOT NULL GROUP BY 1",
        bucket = utc_bucket(backend, &format!("cc.{column}"), TimeUnit::Hour),
    );
    Bucket::find_by_statement(stmt(backend, &sql, values))
        .all(conn)
        .await
}

/// Presence person-hours per local cell (already in the tenant's timezone).
async fn active(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    scope: &Scope,
) -> Result<Vec<i64>, sea_orm::DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        weekday: i16,
        hour: i16,
        n: i64,
    }
    let mut sql = String::from(
        "SELECT p.weekday, p.hour, CAST(COALESCE(SUM(p.seen), 0) AS BIGINT) AS n FROM presence_hour p \
         WHERE p.tenant_id = ?",
    );
    let mut values: Vec<Value> = vec![tenant_id.into()];
    if let Some(id) = scope.campaign_id {
        sql.push_str(
            " AND p.contact_id IN (SELECT contact_id FROM campaign_contact WHERE campaign_id = ?)",
        );
        values.push(id.into());
    }
    if !scope.list_ids.is_empty() {
        sql.push_str(&format!(
            " AND p.contact_id IN (SELECT contact_id FROM list_contact WHERE list_id IN ({}))",
            placeholders(scope.list_ids.len())
        ));
        values.extend(scope.list_ids.iter().map(|i| Value::from(*i)));
    }
    sql.push_str(" GROUP BY p.weekday, p.hour");
    let rows = Row::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
        .all(conn)
        .await?;
    let mut cells = vec![0i64; CELLS];
    for r in rows {
        let (Ok(weekday), Ok(hour)) = (u8::try_from(r.weekday), u8::try_from(r.hour)) else {
            continue;
        };
        cells[best_hours::index(app::insights::Slot { weekday, hour })] += r.n;
    }
    Ok(cells)
}

/// The best-hours grid of the tenant (within `scope`) in its timezone, and what it recommends.
pub async fn best_hours(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    scope: &Scope,
) -> ServiceResult<BestHours> {
    let tz_name = settings::find(conn, tenant_id).await?.timezone;
    let tz = crate::domain::timezone::tz_of(&tz_name);
    let mut cells: Vec<HourCell> = (0..CELLS)
        .map(|i| {
            let slot = slot_at(i);
            HourCell {
                weekday: slot.weekday,
                hour: slot.hour,
                ..HourCell::default()
            }
        })
        .collect();
    let mut stats = SendStats::default();
    let mut evidence = Evidence {
        min_sends: MIN_SENDS,
        min_slot_sends: MIN_SLOT_SENDS,
        ..Evidence::default()
    };
    for column in ["sent_at", "read_at", "replied_at"] {
        for b in buckets(conn, column, tenant_id, scope).await? {
            let Some(i) = b.bucket.as_deref().and_then(|bucket| cell_of(bucket, tz)) else {
                continue;
            };
            match column {
                "sent_at" => {
                    cells[i].sends += b.n;
                    stats.sends[i] += b.n;
                    stats.engaged[i] += b.engaged;
                    evidence.sends += b.n;
                    evidence.explored += b.explored;
                }
                "read_at" => {
                    cells[i].reads += b.n;
                    evidence.reads += b.n;
                }
                _ => {
                    cells[i].replies += b.n;
                    evidence.replies += b.n;
                }
            }
        }
    }
    for (cell, n) in cells.iter_mut().zip(active(conn, tenant_id, scope).await?) {
        cell.active = n;
    }
    Ok(BestHours {
        timezone: tz.name().to_string(),
        cells,
        recommendation: best_hours::recommend(&stats),
        evidence,
    })
}

/// Checks that every list of `scope` is the tenant's.
pub async fn check_scope(db: &Db, tenant_id: i64, scope: &Scope) -> ServiceResult<()> {
    if let Some(id) = scope.campaign_id {
        campaigns::ensure_exists(db, tenant_id, id).await?;
    }
    if scope.list_ids.is_empty() {
        return Ok(());
    }
    #[derive(FromQueryResult)]
    struct Known {
        n: i64,
    }
    let mut values: Vec<Value> = vec![tenant_id.into()];
    values.extend(scope.list_ids.iter().map(|i| Value::from(*i)));
    let known = Known::find_by_statement(stmt(
        db.backend(),
        &format!(
            "SELECT COUNT(*) AS n FROM list WHERE tenant_id = ? AND id IN ({})",
            placeholders(scope.list_ids.len())
        ),
        values,
    ))
    .one(&db.read)
    .await?
    .map_or(0, |k| k.n);
    let distinct: std::collections::BTreeSet<_> = scope.list_ids.iter().collect();
    if known as usize != distinct.len() {
        return Err(Problem::UnknownLists.into());
    }
    Ok(())
}

/// Campaigns `ids` of the tenant side by side, in the order asked.
pub async fn compare(db: &Db, tenant_id: i64, ids: &[i64]) -> ServiceResult<Comparison> {
    if ids.is_empty() || ids.len() > MAX_COMPARED {
        return Err(Problem::CompareCount { max: MAX_COMPARED }.into());
    }
    #[derive(FromQueryResult)]
    struct Row {
        campaign_id: i64,
        sent: i64,
        delivered: i64,
        read: i64,
        replied: i64,
        opted_out: i64,
        deleted: i64,
    }
    let backend: DbBackend = db.backend();
    let mut values: Vec<Value> = vec![tenant_id.into()];
    values.extend(ids.iter().map(|i| Value::from(*i)));
    let sql = format!(
        "SELECT cc.campaign_id, \
         COALESCE(SUM(CASE WHEN cc.whatsapp_message_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
         COALESCE(SUM(CASE WHEN cc.status IN ('delivered', 'read') THEN 1 ELSE 0 END), 0) AS delivered, \
         COALESCE(SUM(CASE WHEN cc.status = 'read' THEN 1 ELSE 0 END), 0) AS \"read\", \
         COALESCE(SUM(CASE WHEN cc.replied_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS replied, \
         COALESCE(SUM(CASE WHEN cc.whatsapp_message_id IS NOT NULL \
             AND cc.opted_out_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS opted_out, \
         COALESCE(SUM(CASE WHEN cc.deleted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS deleted \
         FROM campaign_contact cc JOIN campaign c ON c.id = cc.campaign_id \
         WHERE c.tenant_id = ? AND cc.campaign_id IN ({}) GROUP BY cc.campaign_id",
        placeholders(ids.len())
    );
    let rows: BTreeMap<i64, Row> = Row::find_by_statement(stmt(backend, &sql, values))
        .all(&db.read)
        .await?
        .into_iter()
        .map(|r| (r.campaign_id, r))
        .collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let view = campaigns::get(db, tenant_id, *id).await?;
        let Some(r) = rows.get(id) else {
            out.push(compared(&view, None, None));
            continue;
        };
        let (t, _) = timing(&db.read, *id, 1).await?;
        out.push(compared(&view, Some(r), t.read_p50_secs));
    }
    return Ok(Comparison { campaigns: out });

    fn compared(
        view: &app::types::CampaignView,
        r: Option<&Row>,
        read_p50_secs: Option<i64>,
    ) -> ComparedCampaign {
        let (sent, delivered, read, replied, opted_out, deleted) =
            r.map_or((0, 0, 0, 0, 0, 0), |r| {
                (
                    r.sent,
                    r.delivered,
                    r.read,
                    r.replied,
                    r.opted_out,
                    r.deleted,
                )
            });
        let best_variant = view
            .variants
            .iter()
            .filter(|v| v.counts.sent > 0)
            .max_by(|a, b| {
                a.rates
                    .read
                    .total_cmp(&b.rates.read)
                    .then(b.index.cmp(&a.index))
            })
            .map(|v| v.index);
        ComparedCampaign {
            id: view.id,
            name: view.name.clone(),
            status: view.status.clone(),
            size: view.counts.total,
            sent,
            delivery_rate: percent(delivered, sent),
            read_rate: percent(read, sent),
            reply_rate: percent(replied, sent),
            opt_out_rate: percent(opted_out, sent),
            deletion_rate: percent(deleted, sent),
            read_p50_secs,
            best_variant,
            click_rate: view.clicks.rate,
            conversions: view.conversions.count,
            revenue: view.conversions.revenue,
            revenue_per_message: view.conversions.revenue_per_message,
        }
    }
}
