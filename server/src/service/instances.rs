//! WhatsApp instances: registering an Evolution instance (its API version asked from
//! Evolution), editing and removing it, pairing it by QR code, and listing them with today's
//! numbers.

use std::collections::HashMap;

use app::types::{
    DayCounts, InstancePatch, InstanceQr, InstanceView, NewInstance, RiskView, WarmupStep,
    WarmupView,
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult,
    QueryFilter, QueryOrder, Set, TransactionTrait,
};

use crate::auth::token;
use crate::db::Db;
use crate::domain::timezone::tz_of;
use crate::entities::pending_receipt;
use crate::entities::{instance_daily_stats, whatsapp_instance};
use crate::evolution::address::AddressError;
use crate::evolution::client::{ApiVersion, EvolutionClient, SendError, Target};
use crate::evolution::pairing::Pairing;
use crate::service::{Problem, ServiceError, ServiceResult, opt_timestamp, risk, warmup};
use crate::sql::{placeholders, stmt};
use crate::state::AppState;
use chrono_tz::Tz;

/// The URL Evolution posts an instance's webhooks to; the secret in it authenticates them.
/// Evolution's `webhook_by_events` appends `/<event>` to it, which Flow accepts too.
pub fn webhook_url(public_url: &str, secret: &str) -> String {
    format!("{public_url}/api/webhooks/evolution/i/{secret}")
}

/// The key of `at`'s day in `instance_daily_stats`: its `YYYY-MM-DD` on the calendar of the
/// instance's tenant (`tz`), so a day's numbers, the 30-day chart and the daily caps turn at
/// the team's midnight, not at UTC's.
pub fn day(at: DateTime<Utc>, tz: Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d").to_string()
}

/// Today's key in `instance_daily_stats` for an instance whose tenant lives in `tz`.
pub fn today(tz: Tz) -> String {
    day(Utc::now(), tz)
}

/// The timezone of each instance's tenant.
pub async fn zones(conn: &impl ConnectionTrait, ids: &[i64]) -> Result<HashMap<i64, Tz>, DbErr> {
    #[derive(FromQueryResult)]
    struct Zone {
        id: i64,
        timezone: String,
    }
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT i.id, t.timezone FROM whatsapp_instance i JOIN tenant t ON t.id = i.tenant_id \
         WHERE i.id IN ({})",
        placeholders(ids.len())
    );
    let values = ids.iter().map(|id| (*id).into()).collect();
    Ok(
        Zone::find_by_statement(stmt(conn.get_database_backend(), &sql, values))
            .all(conn)
            .await?
            .into_iter()
            .map(|z| (z.id, tz_of(&z.timezone)))
            .collect(),
    )
}

/// The longest friendly name.
const MAX_FRIENDLY_NAME: usize = 100;

/// A trimmed friendly name, or a validation error when it is empty or too long.
fn friendly_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_FRIENDLY_NAME {
        return Err(Problem::FriendlyName {
            max: MAX_FRIENDLY_NAME,
        }
        .into());
    }
    Ok(name.to_string())
}

/// A trimmed api key, or a validation error when it is empty.
fn api_key(key: &str) -> ServiceResult<String> {
    let key = key.trim();
    if key.is_empty() {
        return Err(Problem::ApiKeyEmpty.into());
    }
    Ok(key.to_string())
}

/// An Evolution failure as the service reports it.
fn upstream(e: SendError) -> ServiceError {
    ServiceError::Upstream(e.to_string())
}

fn validate(input: &NewInstance) -> ServiceResult<()> {
    let name = input.instance_name.trim();
    if name.is_empty() || name.len() > 100 || name.contains(['/', '?', '#']) {
        return Err(Problem::InstanceName.into());
    }
    let url = input.api_url.trim();
    let rest = url
        .strip_prefix("http://")
        .or_else(|| url.strip_prefix("https://"));
    if rest.is_none_or(|r| r.is_empty() || r.starts_with('/')) {
        return Err(Problem::ApiUrl.into());
    }
    api_key(&input.api_key)?;
    if let Some(f) = &input.friendly_name
        && !f.trim().is_empty()
    {
        friendly_name(f)?;
    }
    if let Some(v) = &input.api_version
        && v != "v1"
        && v != "v2"
    {
        return Err(Problem::ApiVersion.into());
    }
    Ok(())
}

fn view(
    public_url: &str,
    m: whatsapp_instance::Model,
    today: DayCounts,
    unprocessed_events: i64,
    warmup: WarmupView,
    risk: RiskView,
) -> InstanceView {
    InstanceView {
        unprocessed_events,
        warmup,
        risk,
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
        phone: m.phone,
    }
}

/// Registers an instance of the tenant. Without an `api_version`, Flow asks the Evolution
/// server which API it speaks (`GET /`); an unreachable server or one that does not say is an
/// upstream error. Its connection state is `connecting` until Evolution reports it.
pub async fn create(
    db: &Db,
    client: &EvolutionClient,
    public_url: &str,
    tenant_id: i64,
    input: NewInstance,
) -> ServiceResult<InstanceView> {
    validate(&input)?;
    let api_url = input.api_url.trim().trim_end_matches('/').to_string();
    client
        .policy()
        .check_url_resolved(&api_url)
        .await
        .map_err(|e| match e {
            AddressError::Malformed => Problem::ApiUrl,
            AddressError::NotPublic { host } => Problem::ApiUrlNotPublic { host },
            AddressError::Unresolved { host } => Problem::ApiUrlUnresolved { host },
        })?;
    let name = input.instance_name.trim().to_string();
    let exists = whatsapp_instance::Entity::find()
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .filter(whatsapp_instance::Column::InstanceName.eq(&name))
        .one(&db.write)
        .await?;
    if exists.is_some() {
        return Err(Problem::InstanceTaken { name }.into());
    }
    let api_version = match input.api_version {
        Some(v) => v,
        None => client
            .detect_version(&api_url)
            .await
            .map_err(upstream)?
            .as_str()
            .to_string(),
    };
    let model = whatsapp_instance::ActiveModel {
        tenant_id: Set(tenant_id),
        friendly_name: Set(input
            .friendly_name
            .map(|f| f.trim().to_string())
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| name.clone())),
        instance_name: Set(name),
        api_url: Set(api_url),
        api_key: Set(input.api_key.trim().to_string()),
        api_version: Set(api_version),
        webhook_secret: Set(token::generate("whsec_")),
        connection_state: Set("connecting".into()),
        active: Set(true),
        health_score: Set(100),
        last_event_at: Set(None),
        created_at: Set(Utc::now()),
        warmup: Set(input.warmup),
        ..Default::default()
    }
    .insert(&db.write)
    .await?;
    one_view(db, public_url, model).await
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
    let days: HashMap<i64, String> = zones(conn, &ids)
        .await?
        .into_iter()
        .map(|(id, tz)| (id, self::today(tz)))
        .collect();
    let mut wanted: Vec<&String> = days.values().collect();
    wanted.sort();
    wanted.dedup();
    let mut today: HashMap<i64, DayCounts> = instance_daily_stats::Entity::find()
        .filter(instance_daily_stats::Column::InstanceId.is_in(ids.clone()))
        .filter(instance_daily_stats::Column::Day.is_in(wanted))
        .all(conn)
        .await?
        .into_iter()
        .filter(|s| days.get(&s.instance_id) == Some(&s.day))
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
    let mut plans: HashMap<i64, Vec<WarmupStep>> = HashMap::new();
    let mut out = Vec::with_capacity(instances.len());
    for m in instances {
        let plan = match plans.entry(m.tenant_id) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(warmup::plan(conn, m.tenant_id).await?)
            }
        };
        let day = days.get(&m.id).map_or("", String::as_str);
        let warmup = warmup::state(conn, m.id, m.warmup, plan, day).await?;
        let (risk, _) = risk::assess(conn, m.tenant_id, m.id).await?;
        let counts = today.remove(&m.id).unwrap_or_default();
        let unprocessed = waiting.remove(&m.id).unwrap_or(0);
        out.push(view(public_url, m, counts, unprocessed, warmup, risk));
    }
    Ok(out)
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

/// Where and how to call the instance's Evolution API.
pub fn target(m: &whatsapp_instance::Model) -> Target {
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
        .map_err(upstream)?;
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
    point_evolution(client, public_url, &m, &m.webhook_secret).await?;
    one_view(db, public_url, m).await
}

/// Points the Evolution webhook of instance `m` at Flow's URL for `secret`.
async fn point_evolution(
    client: &EvolutionClient,
    public_url: &str,
    m: &whatsapp_instance::Model,
    secret: &str,
) -> ServiceResult<()> {
    client
        .set_webhook(&target(m), &webhook_url(public_url, secret))
        .await
        .map_err(upstream)
}

/// Gives the instance a new webhook secret (a leaked URL stops working): Evolution is pointed
/// at the new `webhook_url` first, and only when it took it is the secret replaced, so a refusal
/// from Evolution (502) leaves everything as it was. From then on the old secret is refused, on
/// this node at once and on the others within a second. A webhook Evolution posts to the new URL
/// in the moment between the two is refused and sent again by Evolution's retries.
pub async fn rotate_webhook_secret(
    state: &AppState,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<InstanceView> {
    let (db, public_url) = (&state.db, state.config.public_url.as_str());
    let m = find(db, tenant_id, id).await?;
    let secret = token::generate("whsec_");
    point_evolution(&state.evolution, public_url, &m, &secret).await?;
    let old = m.webhook_secret.clone();
    let mut active: whatsapp_instance::ActiveModel = m.into();
    active.webhook_secret = Set(secret);
    let m = active.update(&db.write).await?;
    forget_everywhere(state, &old).await;
    tracing::info!(instance_id = id, tenant_id, "webhook secret rotated");
    one_view(db, public_url, m).await
}

/// One instance of the tenant.
pub async fn get(
    db: &Db,
    public_url: &str,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<InstanceView> {
    let m = find(db, tenant_id, id).await?;
    one_view(db, public_url, m).await
}

/// Changes the instance's friendly name and/or api key. A new key clears an `auth_failed`
/// state (Evolution is asked again).
pub async fn update(
    db: &Db,
    public_url: &str,
    tenant_id: i64,
    id: i64,
    patch: InstancePatch,
) -> ServiceResult<InstanceView> {
    let friendly = patch
        .friendly_name
        .as_deref()
        .map(friendly_name)
        .transpose()?;
    let key = patch.api_key.as_deref().map(api_key).transpose()?;
    let m = find(db, tenant_id, id).await?;
    let was_refused = m.connection_state == "auth_failed";
    let mut active: whatsapp_instance::ActiveModel = m.into();
    if let Some(f) = friendly {
        active.friendly_name = Set(f);
    }
    let new_key = key.is_some();
    if let Some(w) = patch.warmup {
        active.warmup = Set(w);
    }
    if let Some(k) = key {
        active.api_key = Set(k);
        if was_refused {
            active.connection_state = Set("connecting".into());
        }
    }
    let m = active.update(&db.write).await?;
    if new_key {
        peers_forget(db).await;
    }
    one_view(db, public_url, m).await
}

/// Removes the instance, its daily numbers and its waiting receipts. Refused (conflict) while
/// a campaign that is not finished (draft, scheduled, active, paused) uses it. Returns its
/// webhook secret, which stops authenticating.
pub async fn remove(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<String> {
    #[derive(FromQueryResult)]
    struct InUse {
        name: String,
    }
    let txn = db.write.begin().await?;
    let m = whatsapp_instance::Entity::find_by_id(id)
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("instance"))?;
    let using = InUse::find_by_statement(stmt(
        txn.get_database_backend(),
        "SELECT c.name FROM campaign c JOIN campaign_instance ci ON ci.campaign_id = c.id \
         WHERE ci.instance_id = ? AND c.tenant_id = ? \
         AND c.status NOT IN ('completed', 'cancelled') ORDER BY c.id",
        vec![id.into(), tenant_id.into()],
    ))
    .all(&txn)
    .await?;
    if !using.is_empty() {
        let names: Vec<String> = using.into_iter().map(|c| format!("“{}”", c.name)).collect();
        return Err(Problem::InstanceInUse {
            campaigns: names.join(", "),
        }
        .into());
    }
    pending_receipt::Entity::delete_many()
        .filter(pending_receipt::Column::InstanceId.eq(id))
        .exec(&txn)
        .await?;
    txn.execute_raw(crate::sql::stmt(
        txn.get_database_backend(),
        "DELETE FROM pending_vote WHERE instance_id = ?",
        vec![id.into()],
    ))
    .await?;
    // campaign_instance and instance_daily_stats rows go with it (ON DELETE CASCADE).
    whatsapp_instance::Entity::delete_by_id(id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(m.webhook_secret)
}

/// Tells the other nodes to drop their cached instance credentials (within a second); on
/// failure their caches expire by themselves within a minute.
async fn peers_forget(db: &Db) {
    if let Err(e) = crate::cluster::directory_changed(db).await {
        tracing::warn!(error = %e, "cannot tell the other nodes that an instance changed");
    }
}

/// Stops webhook `secret` authenticating on this server at once, and on the other nodes of
/// the cluster within a second.
async fn forget_everywhere(state: &AppState, secret: &str) {
    state.directory.forget(secret);
    peers_forget(&state.db).await;
}

/// Removes the instance (see [`remove`]) and stops its webhook secret authenticating on this
/// server at once, and on the other nodes of the cluster within a second.
pub async fn remove_and_forget(state: &AppState, tenant_id: i64, id: i64) -> ServiceResult<()> {
    let secret = remove(&state.db, tenant_id, id).await?;
    forget_everywhere(state, &secret).await;
    tracing::info!(instance_id = id, tenant_id, "instance removed");
    Ok(())
}

/// Asks Evolution for the instance's connection state in the background (after it was added
/// or got a new key); until it answers the instance keeps the state it has.
pub fn refresh_soon(state: &AppState, tenant_id: i64, id: i64) {
    let st = state.clone();
    tokio::spawn(async move {
        let (db, client, url) = (&st.db, &st.evolution, &st.config.public_url);
        if let Err(e) = refresh_state(db, client, url, tenant_id, id).await {
            tracing::info!(instance_id = id, error = %e, "cannot read the instance state from Evolution yet");
        }
    });
}

/// Asks Evolution to pair the instance: the QR code to scan (the instance is `connecting`
/// meanwhile), or, when it is already connected, `connected` and the instance `open`.
pub async fn connect(
    db: &Db,
    client: &EvolutionClient,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<InstanceQr> {
    let m = find(db, tenant_id, id).await?;
    let pairing = client.connect(&target(&m)).await.map_err(upstream)?;
    let (state, qr) = match pairing {
        Pairing::Connected => (
            "open",
            InstanceQr {
                instance_id: id,
                connected: true,
                ..InstanceQr::default()
            },
        ),
        Pairing::Qr(qr) => (
            "connecting",
            InstanceQr {
                instance_id: id,
                base64: qr.base64,
                pairing_code: qr.pairing_code,
                code: qr.code,
                connected: false,
            },
        ),
    };
    let mut update = whatsapp_instance::Entity::update_many()
        .col_expr(whatsapp_instance::Column::ConnectionState, state.into())
        .filter(whatsapp_instance::Column::Id.eq(id));
    if qr.connected {
        update = update.col_expr(whatsapp_instance::Column::Active, true.into());
    } else {
        // An `open` applied meanwhile (the phone scanned fast) stays.
        update = update.filter(whatsapp_instance::Column::ConnectionState.ne("open"));
    }
    update.exec(&db.write).await?;
    Ok(qr)
}

#[cfg(test)]
mod tests {
    use super::day;
    use chrono::{DateTime, Utc};

    #[test]
    fn a_day_turns_at_the_tenants_midnight() {
        let at: DateTime<Utc> = "2026-12-01T01:30:00Z".parse().unwrap();
        // 22:30 of the 30th in São Paulo (UTC−3), already the 1st in UTC and in Lisbon.
        assert_eq!(day(at, chrono_tz::America::Sao_Paulo), "2026-11-30");
        assert_eq!(day(at, chrono_tz::UTC), "2026-12-01");
        assert_eq!(day(at, chrono_tz::Europe::Lisbon), "2026-12-01");
    }
}
