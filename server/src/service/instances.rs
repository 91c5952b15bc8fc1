//! WhatsApp instances: registering an Evolution instance and listing them with today's numbers.

use std::collections::HashMap;

use app::types::{DayCounts, InstanceView, NewInstance};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Set,
};

use crate::auth::token;
use crate::db::Db;
use crate::entities::{instance_daily_stats, whatsapp_instance};
use crate::evolution::client::{ApiVersion, EvolutionClient, Target};
use crate::service::sql::{placeholders, stmt};
use crate::service::{ServiceError, ServiceResult, opt_timestamp};

/// The URL Evolution posts an instance's webhooks to; the secret in it authenticates them.
/// Evolution's `webhook_by_events` appends `/<event>` to it, which Flow accepts too.
pub fn webhook_url(public_url: &str, secret: &str) -> String {
    format!("{public_url}/api/webhooks/evolution/i/{secret}")
}

/// The key of `at`'s day in `instance_daily_stats` (`YYYY-MM-DD`, UTC).
pub fn day(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// Today's key in `instance_daily_stats`.
pub fn today() -> String {
    day(Utc::now())
}

fn validate(input: &NewInstance) -> ServiceResult<()> {
    let name = input.instance_name.trim();
    if name.is_empty() || name.len() > 100 || name.contains(['/', '?', '#']) {
        return Err(ServiceError::Validation(
            "instance_name must be 1 to 100 characters without '/', '?' or '#'".into(),
        ));
    }
    let url = input.api_url.trim();
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
        return Err(ServiceError::Validation(
            "api_url must be an http:// or https:// URL".into(),
        ));
    }
    if input.api_key.trim().is_empty() {
        return Err(ServiceError::Validation("api_key must not be empty".into()));
    }
    if let Some(v) = &input.api_version
        && v != "v1"
        && v != "v2"
    {
        return Err(ServiceError::Validation(
            "api_version must be \"v2\" or \"v1\"".into(),
        ));
    }
    Ok(())
}

fn view(
    public_url: &str,
    m: whatsapp_instance::Model,
    today: DayCounts,
    unprocessed_events: i64,
) -> InstanceView {
    InstanceView {
        unprocessed_events,
        id: m.id,
        webhook_url: webhook_url(public_url, &m.webhook_secret),
        webhook_secret: m.webhook_secret,
        instance_name: m.instance_name,
        friendly_name: m.friendly_name,
        api_url: m.api_url,
        api_version: m.api_version,
        connection_state: m.connection_state,
        active: m.active,
        health_score: m.health_score,
        today,
        last_event_at: opt_timestamp(m.last_event_at),
    }
}

/// Registers an instance of the tenant. Its connection state is `connecting` until Evolution
/// reports it.
pub async fn create(
    db: &Db,
    public_url: &str,
    tenant_id: i64,
    input: NewInstance,
) -> ServiceResult<InstanceView> {
    validate(&input)?;
    let name = input.instance_name.trim().to_string();
    let exists = whatsapp_instance::Entity::find()
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .filter(whatsapp_instance::Column::InstanceName.eq(&name))
        .one(&db.write)
        .await?;
    if exists.is_some() {
        return Err(ServiceError::Conflict(format!(
            "an instance named {name:?} already exists"
        )));
    }
    let model = whatsapp_instance::ActiveModel {
        tenant_id: Set(tenant_id),
        friendly_name: Set(input
            .friendly_name
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| name.clone())),
        instance_name: Set(name),
        api_url: Set(input.api_url.trim().trim_end_matches('/').to_string()),
        api_key: Set(input.api_key.trim().to_string()),
        api_version: Set(input.api_version.unwrap_or_else(|| "v2".into())),
        webhook_secret: Set(token::generate("whsec_")),
        connection_state: Set("connecting".into()),
        active: Set(true),
        health_score: Set(100),
        last_event_at: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&db.write)
    .await?;
    Ok(view(public_url, model, DayCounts::default(), 0))
}

/// Every instance of the tenant, oldest first, with today's counters.
pub async fn list(db: &Db, public_url: &str, tenant_id: i64) -> ServiceResult<Vec<InstanceView>> {
    let instances = whatsapp_instance::Entity::find()
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .order_by_asc(whatsapp_instance::Column::Id)
        .all(&db.read)
        .await?;
    Ok(with_today(&db.read, public_url, instances).await?)
}

/// The latest view of instance `id` and its tenant, for the live stream.
pub async fn snapshot(
    conn: &impl ConnectionTrait,
    public_url: &str,
    id: i64,
) -> Result<Option<(i64, InstanceView)>, DbErr> {
    let Some(m) = whatsapp_instance::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let tenant_id = m.tenant_id;
    Ok(with_today(conn, public_url, vec![m])
        .await?
        .pop()
        .map(|v| (tenant_id, v)))
}

async fn with_today(
    conn: &impl ConnectionTrait,
    public_url: &str,
    instances: Vec<whatsapp_instance::Model>,
) -> Result<Vec<InstanceView>, DbErr> {
    let ids: Vec<i64> = instances.iter().map(|i| i.id).collect();
    let mut today: HashMap<i64, DayCounts> = instance_daily_stats::Entity::find()
        .filter(instance_daily_stats::Column::InstanceId.is_in(ids.clone()))
        .filter(instance_daily_stats::Column::Day.eq(self::today()))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| {
            let counts = DayCounts {
                sent: s.sent,
                delivered: s.delivered,
                read: s.read,
                failed: s.failed,
            };
            (s.instance_id, counts)
        })
        .collect();
    let mut waiting = unprocessed_by_instance(conn, &ids).await?;
    Ok(instances
        .into_iter()
        .map(|m| {
            let counts = today.remove(&m.id).unwrap_or_default();
            let unprocessed = waiting.remove(&m.id).unwrap_or(0);
            view(public_url, m, counts, unprocessed)
        })
        .collect())
}

/// Webhook events stored but not applied yet, per instance of `ids`.
async fn unprocessed_by_instance(
    conn: &impl ConnectionTrait,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        instance_id: i64,
        n: i64,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let mut values: Vec<sea_orm::Value> = ids.iter().map(|id| (*id).into()).collect();
    values.push(crate::ingest::Outcome::Error.as_str().into());
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT instance_id, COUNT(*) AS n FROM webhook_event WHERE instance_id IN ({}) \
             AND processed_at IS NULL AND outcome = ? GROUP BY instance_id",
            placeholders(ids.len())
        ),
        values,
    ))
    .all(conn)
    .await?
    .into_iter()
    .map(|r| (r.instance_id, r.n))
    .collect())
}

async fn find(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<whatsapp_instance::Model> {
    whatsapp_instance::Entity::find_by_id(id)
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .one(&db.write)
        .await?
        .ok_or(ServiceError::NotFound("instance"))
}

async fn one_view(
    db: &Db,
    public_url: &str,
    m: whatsapp_instance::Model,
) -> ServiceResult<InstanceView> {
    with_today(&db.read, public_url, vec![m])
        .await?
        .pop()
        .ok_or(ServiceError::NotFound("instance"))
}

fn target(m: &whatsapp_instance::Model) -> Target {
    Target {
        api_url: m.api_url.clone(),
        instance: m.instance_name.clone(),
        api_key: m.api_key.clone(),
        version: ApiVersion::parse(&m.api_version),
    }
}

/// Asks Evolution for the instance's connection state and stores it (`open` makes it active,
/// `close`/`refused` inactive).
pub async fn refresh_state(
    db: &Db,
    client: &EvolutionClient,
    public_url: &str,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<InstanceView> {
    let m = find(db, tenant_id, id).await?;
    let state = client
        .connection_state(&target(&m))
        .await
        .map_err(|e| ServiceError::Upstream(e.to_string()))?;
    let mut active: whatsapp_instance::ActiveModel = m.into();
    match state.as_str() {
        "open" => active.active = Set(true),
        "close" | "refused" => active.active = Set(false),
        _ => {}
    }
    active.connection_state = Set(state);
    let m = active.update(&db.write).await?;
    one_view(db, public_url, m).await
}

/// Points the instance's Evolution webhook at Flow (its `webhook_url`, the events Flow uses).
pub async fn configure_webhook(
    db: &Db,
    client: &EvolutionClient,
    public_url: &str,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<InstanceView> {
    let m = find(db, tenant_id, id).await?;
    client
        .set_webhook(&target(&m), &webhook_url(public_url, &m.webhook_secret))
        .await
        .map_err(|e| ServiceError::Upstream(e.to_string()))?;
    one_view(db, public_url, m).await
}
