//! A campaign's deliveries and reads per minute, over the hour up to its latest receipt: the
//! database groups the rows, so the chart costs the same on a million-contact campaign.

use std::collections::HashMap;

use app::types::{Timeline, TimelinePoint};
use chrono::{DateTime, Duration, DurationRound, Utc};
use sea_orm::FromQueryResult;

use crate::db::Db;
use crate::service::ServiceResult;
use crate::service::campaigns;
use crate::sql::{TimeUnit, stmt, utc_bucket};

/// Minutes shown.
pub const MINUTES: i64 = 60;

#[derive(FromQueryResult)]
struct Latest {
    delivered: Option<DateTime<Utc>>,
    read: Option<DateTime<Utc>>,
}

#[derive(FromQueryResult)]
struct Bucket {
    minute: String,
    n: i64,
}

async fn per_minute(
    db: &Db,
    campaign_id: i64,
    column: &str,
    since: DateTime<Utc>,
) -> ServiceResult<HashMap<String, i64>> {
    let backend = db.backend();
    let sql = format!(
        "SELECT {} AS minute, COUNT(*) AS n FROM campaign_contact \
         WHERE campaign_id = ? AND {column} >= ? GROUP BY 1",
        utc_bucket(backend, column, TimeUnit::Minute)
    );
    let rows =
        Bucket::find_by_statement(stmt(backend, &sql, vec![campaign_id.into(), since.into()]))
            .all(&db.read)
            .await?;
    Ok(rows.into_iter().map(|b| (b.minute, b.n)).collect())
}

/// The campaign's timeline (empty before its first receipt).
pub async fn timeline(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<Timeline> {
    campaigns::ensure_exists(db, tenant_id, id).await?;
    let latest = Latest::find_by_statement(stmt(
        db.backend(),
        // Each maximum is one step down its partial index (`ix_campaign_contact_delivered_at`,
        // `…_read_at`) instead of a pass over every recipient (200 ms at 1M).
        "SELECT (SELECT MAX(delivered_at) FROM campaign_contact \
         WHERE campaign_id = ? AND delivered_at IS NOT NULL) AS delivered, \
         (SELECT MAX(read_at) FROM campaign_contact \
         WHERE campaign_id = ? AND read_at IS NOT NULL) AS \"read\"",
        vec![id.into(), id.into()],
    ))
    .one(&db.read)
    .await?;
    let Some(end) = latest.and_then(|l| l.delivered.max(l.read)) else {
        return Ok(Timeline::default());
    };
    let end = end.duration_trunc(Duration::minutes(1)).unwrap_or(end);
    let start = end - Duration::minutes(MINUTES - 1);
    let delivered = per_minute(db, id, "delivered_at", start).await?;
    let read = per_minute(db, id, "read_at", start).await?;
    let points = (0..MINUTES)
        .map(|i| {
            let minute = (start + Duration::minutes(i))
                .format("%Y-%m-%dT%H:%M")
                .to_string();
            TimelinePoint {
                delivered: delivered.get(&minute).copied().unwrap_or(0),
                read: read.get(&minute).copied().unwrap_or(0),
                minute,
            }
        })
        .collect();
    Ok(Timeline { points })
}
