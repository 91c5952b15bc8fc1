//! Sales traced back to the message: a shop's backend reports a purchase (`order_id` makes a
//! second report of it change nothing), and Flow attributes it to the campaign the buyer last
//! clicked, else last read, within the tenant's attribution window (unless the report names
//! the campaign). Campaigns show their sales, revenue and revenue per message sent.

use app::follow_up::{ConversionStats, ConversionView, NewConversion};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};

use crate::db::Db;
use crate::domain::phone;
use crate::entities::tenant;
use crate::service::{Problem, ServiceError, ServiceResult, campaigns, settings, timestamp};
use crate::sql::stmt;

/// The longest order id.
const ORDER_ID_MAX: usize = 200;

/// The largest value one sale may have, in reais.
const VALUE_MAX: i64 = 10_000_000;

/// The only currency.
const CURRENCY: &str = "BRL";

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    order_id: String,
    contact_id: Option<i64>,
    campaign_id: Option<i64>,
    attributed_by: Option<String>,
    value_cents: i64,
    currency: String,
    occurred_at: DateTime<Utc>,
}

impl From<Row> for ConversionView {
    fn from(r: Row) -> Self {
        ConversionView {
            id: r.id,
            order_id: r.order_id,
            contact_id: r.contact_id,
            campaign_id: r.campaign_id,
            attributed_by: r.attributed_by,
            value: r.value_cents as f64 / 100.0,
            currency: r.currency,
            occurred_at: timestamp(r.occurred_at),
        }
    }
}

/// Records a sale; answers it and whether it is new (false: the order was reported before,
/// and the first report stands).
pub async fn record(
    db: &Db,
    tenant_id: i64,
    input: &NewConversion,
) -> ServiceResult<(ConversionView, bool)> {
    let order_id = input.order_id.trim();
    if order_id.is_empty() || order_id.chars().count() > ORDER_ID_MAX {
        return Err(Problem::OrderId { max: ORDER_ID_MAX }.into());
    }
    if input.currency != CURRENCY {
        return Err(Problem::ConversionCurrency.into());
    }
    if !input.value.is_finite() || input.value < 0.0 || input.value > VALUE_MAX as f64 {
        return Err(Problem::ConversionValue { max: VALUE_MAX }.into());
    }
    let value_cents = (input.value * 100.0).round() as i64;
    let occurred_at = match &input.occurred_at {
        Some(at) => DateTime::parse_from_rfc3339(at)
            .map_err(|_| Problem::Timestamp {
                field: "occurred_at".into(),
            })?
            .with_timezone(&Utc),
        None => Utc::now(),
    };
    let contact_id = buyer(db, tenant_id, input).await?;
    let (campaign_id, attributed_by) = match input.campaign_id {
        Some(id) => {
            campaigns::find(&db.read, tenant_id, id).await?;
            (Some(id), Some("explicit"))
        }
        None => match contact_id {
            Some(contact_id) => attribute(&db.read, tenant_id, contact_id, occurred_at).await?,
            None => (None, None),
        },
    };
    let backend = db.backend();
    let inserted = db
        .write
        .execute_raw(stmt(
            backend,
            "INSERT INTO conversion (tenant_id, order_id, contact_id, campaign_id, value_cents, \
             currency, occurred_at, attributed_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) \
             ON CONFLICT (tenant_id, order_id) DO NOTHING",
            vec![
                tenant_id.into(),
                order_id.into(),
                contact_id.into(),
                campaign_id.into(),
                value_cents.into(),
                CURRENCY.into(),
                occurred_at.into(),
                attributed_by.into(),
                Utc::now().into(),
            ],
        ))
        .await?
        .rows_affected()
        == 1;
    let row = Row::find_by_statement(stmt(
        backend,
        "SELECT id, order_id, contact_id, campaign_id, attributed_by, value_cents, currency, \
         occurred_at FROM conversion WHERE tenant_id = ? AND order_id = ?",
        vec![tenant_id.into(), order_id.into()],
    ))
    .one(&db.write)
    .await?
    .ok_or(ServiceError::NotFound("conversion"))?;
    Ok((row.into(), inserted))
}

/// The buyer's contact: `contact_id` (of this tenant), else the contact with `phone`'s
/// identity (any spelling); `None` when nobody has that number.
async fn buyer(db: &Db, tenant_id: i64, input: &NewConversion) -> ServiceResult<Option<i64>> {
    #[derive(FromQueryResult)]
    struct Found {
        id: i64,
    }
    let backend = db.backend();
    let found = match (&input.contact_id, &input.phone) {
        (Some(id), _) => Found::find_by_statement(stmt(
            backend,
            "SELECT id FROM contact WHERE id = ? AND tenant_id = ?",
            vec![(*id).into(), tenant_id.into()],
        ))
        .one(&db.read)
        .await?
        .map(|f| f.id)
        .ok_or(ServiceError::NotFound("contact"))
        .map(Some)?,
        (None, Some(raw)) => {
            let country = settings::country(&db.read, tenant_id).await?;
            let number = phone::parse(raw, country).map_err(|e| Problem::Phone {
                phone: raw.clone(),
                reason: e.into(),
            })?;
            Found::find_by_statement(stmt(
                backend,
                "SELECT id FROM contact WHERE tenant_id = ? AND phone_key = ? \
                 AND merged_into_id IS NULL ORDER BY id LIMIT 1",
                vec![tenant_id.into(), number.key().into()],
            ))
            .one(&db.read)
            .await?
            .map(|f| f.id)
        }
        (None, None) => return Err(Problem::ConversionBuyer.into()),
    };
    Ok(found)
}

/// The campaign `contact_id` last clicked, else last read, in the tenant's window before
/// `at`, and how.
async fn attribute(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    contact_id: i64,
    at: DateTime<Utc>,
) -> Result<(Option<i64>, Option<&'static str>), DbErr> {
    #[derive(FromQueryResult)]
    struct Found {
        campaign_id: i64,
    }
    let days = tenant::Entity::find_by_id(tenant_id)
        .one(conn)
        .await?
        .map_or(7, |t| t.attribution_days);
    let since = at - Duration::days(i64::from(days));
    let backend = conn.get_database_backend();
    let clicked = Found::find_by_statement(stmt(
        backend,
        "SELECT lc.campaign_id FROM link_click k JOIN link_code lc ON lc.code = k.code \
         WHERE lc.contact_id = ? AND lc.tenant_id = ? AND k.kind = 'click' \
         AND k.at <= ? AND k.at >= ? ORDER BY k.at DESC LIMIT 1",
        vec![contact_id.into(), tenant_id.into(), at.into(), since.into()],
    ))
    .one(conn)
    .await?;
    if let Some(f) = clicked {
        return Ok((Some(f.campaign_id), Some("click")));
    }
    let read = Found::find_by_statement(stmt(
        backend,
        "SELECT cc.campaign_id FROM campaign_contact cc JOIN campaign c ON c.id = cc.campaign_id \
         WHERE cc.contact_id = ? AND c.tenant_id = ? AND cc.read_at IS NOT NULL \
         AND cc.read_at <= ? AND cc.read_at >= ? ORDER BY cc.read_at DESC LIMIT 1",
        vec![contact_id.into(), tenant_id.into(), at.into(), since.into()],
    ))
    .one(conn)
    .await?;
    Ok(match read {
        Some(f) => (Some(f.campaign_id), Some("read")),
        None => (None, None),
    })
}

/// The sales of campaign `campaign_id`, with revenue per message over its `sent`.
pub async fn stats(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    sent: i64,
) -> Result<ConversionStats, DbErr> {
    #[derive(FromQueryResult)]
    struct Sum {
        count: i64,
        cents: i64,
    }
    let sum = Sum::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT CAST(COUNT(*) AS BIGINT) AS count, \
         CAST(COALESCE(SUM(value_cents), 0) AS BIGINT) AS cents \
         FROM conversion WHERE campaign_id = ?",
        vec![campaign_id.into()],
    ))
    .one(conn)
    .await?
    .unwrap_or(Sum { count: 0, cents: 0 });
    let revenue = sum.cents as f64 / 100.0;
    Ok(ConversionStats {
        count: sum.count,
        revenue,
        revenue_per_message: if sent > 0 {
            (revenue / sent as f64 * 100.0).round() / 100.0
        } else {
            0.0
        },
        currency: CURRENCY.into(),
    })
}
