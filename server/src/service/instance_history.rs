//! An instance's last days from `instance_daily_stats`: sent, delivered, read, failed and
//! disconnects per day, every day present (zeros where nothing happened), oldest first.

use app::types::{DayCounts, InstanceDay};
use chrono::{Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::db::Db;
use crate::entities::{instance_daily_stats, whatsapp_instance};
use crate::service::{ServiceError, ServiceResult, settings};

/// How many days the chart shows.
pub const DAYS: i64 = 30;

/// The [`DAYS`] days ending today of instance `id` of the tenant, on the tenant's calendar
/// (the stats' day keys are its days).
pub async fn last_days(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<Vec<InstanceDay>> {
    whatsapp_instance::Entity::find_by_id(id)
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .one(&db.read)
        .await?
        .ok_or(ServiceError::NotFound("instance"))?;
    let tz = settings::timezone(&db.read, tenant_id).await?;
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = today - Duration::days(DAYS - 1);
    let key = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
    let rows = instance_daily_stats::Entity::find()
        .filter(instance_daily_stats::Column::InstanceId.eq(id))
        .filter(instance_daily_stats::Column::Day.gte(key(first)))
        .filter(instance_daily_stats::Column::Day.lte(key(today)))
        .all(&db.read)
        .await?;
    Ok((0..DAYS)
        .map(|offset| {
            let date = key(first + Duration::days(offset));
            let row = rows.iter().find(|r| r.day == date);
            InstanceDay {
                counts: row.map_or_else(DayCounts::default, |r| DayCounts {
                    sent: r.sent,
                    delivered: r.delivered,
                    read: r.read,
                    failed: r.failed,
                }),
                disconnects: row.map_or(0, |r| r.disconnects),
                day: date,
            }
        })
        .collect())
}
