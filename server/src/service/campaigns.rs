//! Campaigns: creation with their contacts, the views with counters and rates, the recipient
//! list, and the start/pause/resume/cancel transitions.

use std::collections::BTreeSet;

use app::audience::ReplyView;
use app::follow_up::{ClickStats, Segment, Utm};
use app::types::{
    CampaignContactView, CampaignCounts, CampaignLogView, CampaignPreview, CampaignSettings,
    CampaignView, NewCampaign, PreviewRequest, Rendering, SendWindow, VariantCounts, VariantInput,
    VariantRates, VariantView, WindowOpens,
};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    FromQueryResult, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait, Value,
};
use serde_json::json;

use crate::db::Db;
use crate::domain::campaign_state::{CampaignAction, CampaignStatus};
use crate::domain::delivery::DeliveryStatus;
use crate::domain::send_window;
use crate::domain::spintax::{self, Spintax};
use crate::domain::{ab_test, template};
use crate::entities::{campaign, campaign_instance, contact, whatsapp_instance};
use crate::service::campaign_content::Content as CampaignContent;
use crate::service::campaign_logs::{self, LogLine, Severity};
use crate::service::lists::Audience;
use crate::service::{Problem, ServiceError, ServiceResult, Window, opt_timestamp, timestamp};
use crate::sql::{placeholders, stmt};

/// Default pacing: a random 3–10 s between two messages of one instance.
pub const DEFAULT_SETTINGS: CampaignSettings = CampaignSettings {
    min_delay_ms: 3_000,
    max_delay_ms: 10_000,
    daily_cap_per_instance: None,
    send_window: None,
    send_days: Vec::new(),
};

/// Contact ids inserted per statement.
const CHUNK: usize = 500;

/// The most message variants of a campaign (`message` and up to four `variants`).
pub const MAX_VARIANTS: usize = 5;

/// The longest message variant, in characters.
const MAX_MESSAGE_CHARS: usize = 4096;

/// Renderings the preview shows per variant.
const PREVIEW_PER_VARIANT: usize = 3;

/// `num` in percent of `den`, two decimals; 0 when `den` is 0.
pub fn percent(num: i64, den: i64) -> f64 {
    if den == 0 {
        0.0
    } else {
        (10_000.0 * num as f64 / den as f64).round() / 100.0
    }
}

/// Rates in percent, two decimals: (delivery_rate, read_rate).
pub fn rates(c: &CampaignCounts) -> (f64, f64) {
    (percent(c.delivered, c.sent), percent(c.read, c.delivered))
}

fn counts(m: &campaign::Model) -> CampaignCounts {
    CampaignCounts {
        total: m.total,
        pending: m.pending,
        sent: m.sent,
        delivered: m.delivered,
        read: m.read,
        failed: m.failed,
        opted_out: m.opted_out,
        replied: m.replied,
        cancelled: m.cancelled,
        deleted: m.deleted,
        played: m.played,
    }
}

/// The settings stored on a campaign row.
pub fn settings(m: &campaign::Model) -> CampaignSettings {
    CampaignSettings {
        min_delay_ms: m.min_delay_ms,
        max_delay_ms: m.max_delay_ms,
        daily_cap_per_instance: m.daily_cap,
        send_window: match (&m.window_start, &m.window_end) {
            (Some(start), Some(end)) => Some(SendWindow {
                start: start.clone(),
                end: end.clone(),
                utc_offset_minutes: m.window_fixed_offset.then_some(m.window_utc_offset_minutes),
            }),
            _ => None,
        },
        send_days: m
            .send_days
            .as_deref()
            .map(|d| {
                d.split(',')
                    .filter(|d| !d.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// Every variant text of a campaign row: `message` first, then its `variants`.
pub fn variant_texts(m: &campaign::Model) -> Vec<String> {
    let mut texts = vec![m.message.clone()];
    texts.extend(
        CampaignContent::of(m)
            .variants
            .iter()
            .map(|v| v.text().to_string()),
    );
    texts
}

/// The A/B counters of each variant of a campaign with two variants or more, recounted from its
/// rows; none for a campaign of one message (its own counters say it all, and the recount reads
/// every recipient: a quarter of a second at 1M).
async fn variant_views(
    conn: &impl ConnectionTrait,
    m: &campaign::Model,
) -> Result<Vec<VariantView>, sea_orm::DbErr> {
    let texts = variant_texts(m);
    if texts.len() < 2 {
        return Ok(Vec::new());
    }
    let content = CampaignContent::of(m);
    let media = content.media_per_variant();
    #[derive(FromQueryResult)]
    struct Row {
        variant: i32,
        sent: i64,
        delivered: i64,
        read: i64,
        replied: i64,
        opted_out: i64,
    }
    let sql = "SELECT variant, \
        COALESCE(SUM(CASE WHEN whatsapp_message_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
        COALESCE(SUM(CASE WHEN status IN ('delivered', 'read') THEN 1 ELSE 0 END), 0) AS delivered, \
        COALESCE(SUM(CASE WHEN status = 'read' THEN 1 ELSE 0 END), 0) AS read, \
        COALESCE(SUM(CASE WHEN replied_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS replied, \
        COALESCE(SUM(CASE WHEN whatsapp_message_id IS NOT NULL \
            AND (status = 'opted_out' OR opted_out_at IS NOT NULL) THEN 1 ELSE 0 END), 0) AS opted_out \
        FROM campaign_contact WHERE campaign_id = ? GROUP BY variant";
    let rows = Row::find_by_statement(stmt(conn.get_database_backend(), sql, vec![m.id.into()]))
        .all(conn)
        .await?;
    let clicks = crate::service::links::by_variant(conn, m.id).await?;
    Ok(texts
        .into_iter()
        .enumerate()
        .map(|(index, text)| {
            let index = index as i32;
            let counts = rows
                .iter()
                .find(|r| r.variant == index)
                .map(|r| VariantCounts {
                    sent: r.sent,
                    delivered: r.delivered,
                    read: r.read,
                    replied: r.replied,
                    opted_out: r.opted_out,
                })
                .unwrap_or_default();
            let rates = VariantRates {
                delivered: percent(counts.delivered, counts.sent),
                read: percent(counts.read, counts.sent),
                replied: percent(counts.replied, counts.sent),
                opted_out: percent(counts.opted_out, counts.sent),
            };
            VariantView {
                index,
                text,
                clicks: clicks
                    .iter()
                    .find(|c| c.0 == index)
                    .map(|&(_, total, unique)| ClickStats {
                        total,
                        unique,
                        rate: percent(unique, counts.delivered),
                        links: Vec::new(),
                    })
                    .unwrap_or_default(),
                counts,
                rates,
                media: media.get(index as usize).copied().flatten().cloned(),
                timing: None,
            }
        })
        .collect())
}

/// The API view of a campaign row, with its instances and A/B results.
async fn full_view(
    conn: &impl ConnectionTrait,
    m: campaign::Model,
) -> Result<CampaignView, sea_orm::DbErr> {
    let ids = instance_ids(conn, m.id).await?;
    let variants = variant_views(conn, &m).await?;
    let poll_results = crate::service::polls::tally(conn, &m).await?;
    let tenant_id = m.tenant_id;
    let follow_up = crate::service::follow_ups::of(conn, &m).await?;
    let mut v = view(m, ids);
    v.poll_results = poll_results;
    v.follow_up = follow_up;
    v.clicks = crate::service::links::stats(conn, v.id, v.counts.delivered).await?;
    v.conversions = crate::service::conversions::stats(conn, v.id, v.counts.sent).await?;
    v.follow_ups = crate::service::follow_ups::children(conn, v.id).await?;
    if v.follow_ups.iter().any(|f| f.total > 0) {
        v.combined = crate::service::follow_ups::combined(conn, v.id, v.read_rate).await?;
    }
    let by_index: Vec<(i32, VariantCounts)> = variants
        .iter()
        .map(|v| (v.index, v.counts.clone()))
        .collect();
    v.ab_test = ab_test::verdict(&by_index);
    v.variants = variants;
    let finished = [CampaignStatus::Completed, CampaignStatus::Cancelled]
        .iter()
        .any(|s| v.status == s.as_str());
    if v.instance_ids.len() >= 2 && !finished {
        v.rotation = crate::service::rotation::shares(
            conn,
            v.id,
            v.settings.daily_cap_per_instance,
            v.counts.pending,
        )
        .await?;
    }
    if v.send_at_best_hour && !finished {
        v.due_hours = crate::service::send_at_best_hour::due_hours(conn, v.id, Utc::now()).await?;
    }
    if v.status == CampaignStatus::Active.as_str()
        && (v.settings.send_window.is_some() || !v.settings.send_days.is_empty())
    {
        let tz = crate::entities::tenant::Entity::find_by_id(tenant_id)
            .one(conn)
            .await?
            .map_or(chrono_tz::America::Sao_Paulo, |t| {
                crate::domain::timezone::tz_of(&t.timezone)
            });
        let quiet =
            send_window::Quiet::new(v.settings.send_window.as_ref(), &v.settings.send_days, tz);
        v.waiting_for_window = quiet.opens_at(Utc::now()).map(|at| WindowOpens {
            at: timestamp(at),
            local_time: quiet.local_time(at),
        });
    }
    Ok(v)
}

fn view(m: campaign::Model, instance_ids: Vec<i64>) -> CampaignView {
    let counts = counts(&m);
    let content = CampaignContent::of(&m);
    let (delivery_rate, read_rate) = rates(&counts);
    let settings = settings(&m);
    CampaignView {
        id: m.id,
        name: m.name,
        message: m.message,
        status: m.status,
        start_at: opt_timestamp(m.start_at),
        pause_reason: m.pause_reason,
        settings,
        instance_ids,
        counts,
        delivery_rate,
        read_rate,
        created_at: timestamp(m.created_at),
        started_at: opt_timestamp(m.started_at),
        finished_at: opt_timestamp(m.finished_at),
        variants: Vec::new(),
        ab_test: None,
        waiting_for_window: None,
        rotation: Vec::new(),
        send_at_best_hour: m.send_at_best_hour,
        due_hours: Vec::new(),
        timing: None,
        media: content.media,
        poll: content.poll,
        poll_results: None,
        track_links: m.track_links,
        utm: m.utm.and_then(|u| serde_json::from_value(u).ok()),
        clicks: Default::default(),
        conversions: Default::default(),
        follow_up: None,
        follow_ups: Vec::new(),
        combined: None,
    }
}

/// The counters of a campaign recounted from its rows: the truth the stored counters must equal.
pub async fn recount(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
) -> ServiceResult<CampaignCounts> {
    #[derive(FromQueryResult)]
    struct Row {
        total: i64,
        pending: i64,
        sent: i64,
        delivered: i64,
        read: i64,
        failed: i64,
        opted_out: i64,
        replied: i64,
        cancelled: i64,
        deleted: i64,
        played: i64,
    }
    let sql = "SELECT COUNT(*) AS total, \
        COALESCE(SUM(CASE WHEN status IN ('pending', 'sending') THEN 1 ELSE 0 END), 0) AS pending, \
        COALESCE(SUM(CASE WHEN whatsapp_message_id IS NOT NULL THEN 1 ELSE 0 END), 0) AS sent, \
        COALESCE(SUM(CASE WHEN status IN ('delivered', 'read') THEN 1 ELSE 0 END), 0) AS delivered, \
        COALESCE(SUM(CASE WHEN status = 'read' THEN 1 ELSE 0 END), 0) AS read, \
        COALESCE(SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), 0) AS failed, \
        COALESCE(SUM(CASE WHEN status = 'opted_out' OR opted_out_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS opted_out, \
        COALESCE(SUM(CASE WHEN replied_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS replied, \
        COALESCE(SUM(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0) AS cancelled, \
        COALESCE(SUM(CASE WHEN deleted_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS deleted, \
        COALESCE(SUM(CASE WHEN played_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS played \
        FROM campaign_contact WHERE campaign_id = ?";
    let row = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        sql,
        vec![campaign_id.into()],
    ))
    .one(conn)
    .await?
    .unwrap_or(Row {
        total: 0,
        pending: 0,
        sent: 0,
        delivered: 0,
        read: 0,
        failed: 0,
        opted_out: 0,
        replied: 0,
        cancelled: 0,
        deleted: 0,
        played: 0,
    });
    Ok(CampaignCounts {
        total: row.total,
        pending: row.pending,
        sent: row.sent,
        delivered: row.delivered,
        read: row.read,
        failed: row.failed,
        opted_out: row.opted_out,
        replied: row.replied,
        cancelled: row.cancelled,
        deleted: row.deleted,
        played: row.played,
    })
}

pub(crate) fn validate(
    input: &NewCampaign,
    defaults: CampaignSettings,
) -> ServiceResult<CampaignSettings> {
    let name = input.name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::NameLength { max: 200 }.into());
    }
    let content = content_of(input);
    let texts: Vec<&str> = std::iter::once(input.message.as_str())
        .chain(input.variants.iter().map(VariantInput::text))
        .collect();
    validate_texts(&texts, |i| content.text_optional(i))?;
    content.check(&texts)?;
    if input.instance_ids.is_empty() {
        return Err(Problem::NoInstance.into());
    }
    let chosen = usize::from(input.contact_ids.is_some())
        + usize::from(input.all_contacts)
        + usize::from(input.list_ids.is_some());
    if chosen != 1 {
        return Err(Problem::Audience.into());
    }
    if input.contact_ids.as_ref().is_some_and(Vec::is_empty) {
        return Err(Problem::ContactIdsEmpty.into());
    }
    if input.contact_ids.is_some() && input.exclude_list_ids.is_some() {
        return Err(Problem::ExcludeWithContacts.into());
    }
    let settings = input.settings.clone().unwrap_or(defaults);
    validate_settings(&settings)?;
    Ok(settings)
}

/// Refuses a new campaign whose texts use a placeholder that is neither a contact field nor an
/// attribute of the team's contacts.
pub(crate) async fn check_placeholders(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    input: &NewCampaign,
) -> ServiceResult<()> {
    // Everything `compose` fills: the texts, the captions, the poll's question.
    let captions = std::iter::once(input.media.as_ref())
        .chain(input.variants.iter().map(VariantInput::media))
        .flatten()
        .filter_map(|m| m.caption.as_deref());
    let texts: Vec<&str> = std::iter::once(input.message.as_str())
        .chain(input.variants.iter().map(VariantInput::text))
        .chain(captions)
        .chain(input.poll.as_ref().map(|p| p.question.as_str()))
        .collect();
    crate::service::template_check::check(conn, tenant_id, &texts).await
}

/// Checks the message and its variants (`texts`, `message` first): at most [`MAX_VARIANTS`]
/// texts of 1 to 4096 characters (empty allowed where `optional` says the text goes with media
/// or a poll), each valid spintax (an unbalanced brace is refused, saying where). Returns the
/// parsed texts.
fn validate_texts(texts: &[&str], optional: impl Fn(usize) -> bool) -> ServiceResult<Vec<Spintax>> {
    if texts.len() > MAX_VARIANTS {
        return Err(Problem::TooManyVariants { max: MAX_VARIANTS }.into());
    }
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let field = match i {
                0 => "message".to_string(),
                i => format!("variants[{}]", i - 1),
            };
            let empty_ok = optional(i) && text.is_empty();
            if (text.trim().is_empty() && !empty_ok) || text.chars().count() > MAX_MESSAGE_CHARS {
                return Err(Problem::VariantLength {
                    field,
                    max: MAX_MESSAGE_CHARS,
                }
                .into());
            }
            Spintax::parse(text).map_err(|e| {
                Problem::Spintax {
                    field,
                    reason: e.to_string(),
                }
                .into()
            })
        })
        .collect()
}

/// The content of a new campaign as asked.
pub(crate) fn content_of(input: &NewCampaign) -> CampaignContent {
    CampaignContent {
        media: input.media.clone(),
        variants: input.variants.clone(),
        poll: input.poll.clone(),
    }
}

/// A few distinct renderings of each variant for a sample contact, and whether they are all
/// too alike to vary anything (token Jaccard ≥ 0.8 between every pair).
pub fn preview(input: &PreviewRequest) -> ServiceResult<CampaignPreview> {
    let texts: Vec<&str> = std::iter::once(input.message.as_str())
        .chain(input.variants.iter().map(String::as_str))
        .collect();
    let parsed = validate_texts(&texts, |_| false)?;
    let renderings: Vec<Rendering> = parsed
        .iter()
        .enumerate()
        .flat_map(|(i, spin)| {
            spin.samples(PREVIEW_PER_VARIANT)
                .into_iter()
                .map(move |text| Rendering {
                    variant: i as i32,
                    text: template::render(&text, "Maria Silva", "5511987654321"),
                })
        })
        .collect();
    let texts: Vec<String> = renderings.iter().map(|r| r.text.clone()).collect();
    Ok(CampaignPreview {
        too_similar: spintax::all_too_similar(&texts),
        renderings,
    })
}

/// Gives the campaign's pending recipients their variant: an even split of `n` variants in
/// row order (each variant's share differs by at most one).
pub(crate) async fn assign_variants(
    txn: &DatabaseTransaction,
    campaign_id: i64,
    n: usize,
) -> ServiceResult<()> {
    if n < 2 {
        return Ok(());
    }
    let ids: Vec<i64> = crate::entities::campaign_contact::Entity::find()
        .select_only()
        .column(crate::entities::campaign_contact::Column::Id)
        .filter(crate::entities::campaign_contact::Column::CampaignId.eq(campaign_id))
        .filter(crate::entities::campaign_contact::Column::Status.eq("pending"))
        .order_by_asc(crate::entities::campaign_contact::Column::Id)
        .into_tuple()
        .all(txn)
        .await?;
    let backend = txn.get_database_backend();
    for variant in 1..n {
        let mine: Vec<i64> = ids.iter().skip(variant).step_by(n).copied().collect();
        for chunk in mine.chunks(CHUNK) {
            let sql = format!(
                "UPDATE campaign_contact SET variant = ? WHERE id IN ({})",
                placeholders(chunk.len())
            );
            let mut values: Vec<Value> = vec![(variant as i32).into()];
            values.extend(chunk.iter().map(|id| Value::from(*id)));
            txn.execute_raw(stmt(backend, &sql, values)).await?;
        }
    }
    Ok(())
}

/// Refuses settings outside the accepted ranges.
pub fn validate_settings(settings: &CampaignSettings) -> ServiceResult<()> {
    if settings.min_delay_ms < 0
        || settings.max_delay_ms < settings.min_delay_ms
        || settings.max_delay_ms > 3_600_000
    {
        return Err(Problem::PacingRange.into());
    }
    if settings.daily_cap_per_instance.is_some_and(|c| c < 1) {
        return Err(Problem::DailyCapMin.into());
    }
    if let Some(w) = &settings.send_window
        && !send_window::is_valid(w)
    {
        return Err(Problem::SendWindow.into());
    }
    if settings.send_days.len() > 7
        || settings
            .send_days
            .iter()
            .any(|d| send_window::weekday_of(d).is_none())
    {
        return Err(Problem::SendDays {
            allowed: send_window::DAY_NAMES.join(", "),
        }
        .into());
    }
    Ok(())
}

/// Which contacts a new campaign gets.
pub(crate) enum Recipients<'a> {
    /// Every person of the tenant, or of some lists.
    Audience(Audience),
    /// These contacts.
    Ids(&'a [i64]),
    /// The contacts of another campaign (a duplicate).
    CopyOf(i64),
    /// None yet: a follow-up gets its segment when it starts.
    Later,
}

/// Of `ids` (each must be a contact of the tenant), the oldest contact of each person (twins
/// imported before identities existed share a `phone_key`): nobody gets two rows, so nobody
/// gets two messages.
async fn one_per_person(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    ids: &[i64],
) -> ServiceResult<Vec<i64>> {
    let mut by_person: std::collections::BTreeMap<String, i64> = Default::default();
    let mut found = 0;
    for chunk in ids.chunks(CHUNK) {
        let rows: Vec<(i64, String)> = contact::Entity::find()
            .select_only()
            .column(contact::Column::Id)
            .column(contact::Column::PhoneKey)
            .filter(contact::Column::TenantId.eq(tenant_id))
            .filter(contact::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(txn)
            .await?;
        found += rows.len();
        for (id, key) in rows {
            let oldest = by_person.entry(key).or_insert(id);
            *oldest = std::cmp::min(*oldest, id);
        }
    }
    if found != ids.len() {
        return Err(Problem::UnknownContacts {
            count: ids.len() - found,
        }
        .into());
    }
    let mut ids: Vec<i64> = by_person.into_values().collect();
    ids.sort_unstable();
    Ok(ids)
}

/// Inserts the campaign's contacts (opted-out ones as `opted_out`, never to be sent) and
/// returns how many rows were inserted.
async fn insert_contacts(
    txn: &DatabaseTransaction,
    tenant_id: i64,
    campaign_id: i64,
    recipients: Recipients<'_>,
    now: DateTime<Utc>,
) -> ServiceResult<u64> {
    let backend = txn.get_database_backend();
    // A person who opted out under any spelling of their number is never to be sent.
    let base = "INSERT INTO campaign_contact (campaign_id, contact_id, status, updated_at) \
        SELECT ?, id, CASE WHEN NOT EXISTS (SELECT 1 FROM contact o WHERE o.tenant_id = contact.tenant_id \
        AND o.phone_key = contact.phone_key AND o.opted_out_at IS NOT NULL) \
        THEN 'pending' ELSE 'opted_out' END, ? \
        FROM contact WHERE tenant_id = ? AND erased_at IS NULL AND merged_into_id IS NULL";
    let head = || -> Vec<Value> { vec![campaign_id.into(), now.into(), tenant_id.into()] };
    let ids = match recipients {
        Recipients::Audience(audience) => {
            audience.check(txn, tenant_id).await?;
            let (condition, extra) = audience.condition();
            let mut values = head();
            values.extend(extra);
            let sql = format!("{base}{condition}");
            let res = txn.execute_raw(stmt(backend, &sql, values)).await?;
            return Ok(res.rows_affected());
        }
        Recipients::CopyOf(source) => {
            let sql = format!(
                "{base} AND id IN (SELECT contact_id FROM campaign_contact WHERE campaign_id = ?) \
                 ORDER BY id"
            );
            let mut values = head();
            values.push(source.into());
            let res = txn.execute_raw(stmt(backend, &sql, values)).await?;
            return Ok(res.rows_affected());
        }
        Recipients::Ids(ids) => ids,
        Recipients::Later => return Ok(0),
    };
    let ids = one_per_person(txn, tenant_id, ids).await?;
    let mut inserted = 0;
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "{base} AND id IN ({}) ORDER BY id",
            placeholders(chunk.len())
        );
        let mut values = head();
        values.extend(chunk.iter().map(|id| Value::from(*id)));
        inserted += txn
            .execute_raw(stmt(backend, &sql, values))
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// Creates a draft campaign with its instances and contacts; without settings it gets the
/// tenant's defaults for new campaigns.
pub async fn create(db: &Db, tenant_id: i64, input: NewCampaign) -> ServiceResult<CampaignView> {
    let defaults = crate::service::settings::campaign_defaults(&db.read, tenant_id).await?;
    let settings = validate(&input, defaults)?;
    check_placeholders(&db.read, tenant_id, &input).await?;
    let contact_ids: Option<Vec<i64>> = input.contact_ids.as_ref().map(|ids| {
        ids.iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    });
    let draft = Draft {
        name: input.name.trim().to_string(),
        message: input.message.clone(),
        content: content_of(&input),
        instance_ids: input.instance_ids.iter().copied().collect(),
        settings,
        send_at_best_hour: input.send_at_best_hour,
        track_links: input.track_links.unwrap_or(true),
        utm: checked_utm(input.utm.clone())?,
        follow_up: None,
    };
    let recipients = match contact_ids.as_deref() {
        Some(ids) => Recipients::Ids(ids),
        None => Recipients::Audience(Audience {
            include: input.list_ids.clone(),
            exclude: input.exclude_list_ids.clone().unwrap_or_default(),
        }),
    };
    insert_draft(db, tenant_id, draft, recipients, "campaign_created").await
}

/// A draft copy of campaign `id`: its message, instances, settings and contacts (those who
/// opted out since are added as `opted_out`).
pub async fn duplicate(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<CampaignView> {
    let source = find(&db.read, tenant_id, id).await?;
    let mut name = format!("{} (cópia)", source.name);
    if name.chars().count() > 200 {
        name = name.chars().take(200).collect();
    }
    let draft = Draft {
        name,
        settings: settings(&source),
        content: CampaignContent::of(&source),
        message: source.message,
        instance_ids: instance_ids(&db.read, id).await?.into_iter().collect(),
        send_at_best_hour: source.send_at_best_hour,
        track_links: source.track_links,
        utm: source.utm.and_then(|u| serde_json::from_value(u).ok()),
        follow_up: None,
    };
    insert_draft(
        db,
        tenant_id,
        draft,
        Recipients::CopyOf(id),
        "campaign_duplicated",
    )
    .await
}

/// The most characters of one UTM parameter.
const UTM_MAX: usize = 100;

/// `utm` if each parameter is short enough (empty ones dropped); none when all are empty.
pub(crate) fn checked_utm(utm: Option<Utm>) -> ServiceResult<Option<Utm>> {
    let Some(utm) = utm else {
        return Ok(None);
    };
    let clean = |v: Option<String>| v.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let utm = Utm {
        source: clean(utm.source),
        medium: clean(utm.medium),
        campaign: clean(utm.campaign),
        content: clean(utm.content),
    };
    let values = [&utm.source, &utm.medium, &utm.campaign, &utm.content];
    if values
        .iter()
        .any(|v| v.as_ref().is_some_and(|v| v.chars().count() > UTM_MAX))
    {
        return Err(Problem::UtmLength { max: UTM_MAX }.into());
    }
    Ok(values.iter().any(|v| v.is_some()).then_some(utm))
}

/// What makes a draft a follow-up.
pub(crate) struct FollowUpDraft {
    /// The parent campaign.
    pub parent_id: i64,
    /// The original campaign of the chain.
    pub root_id: i64,
    /// Who of the parent's recipients.
    pub segment: Segment,
    /// Least age of the parent's messages, hours.
    pub min_age_hours: i32,
}

/// What a new draft is made of (validated).
pub(crate) struct Draft {
    pub name: String,
    pub message: String,
    pub content: CampaignContent,
    pub instance_ids: BTreeSet<i64>,
    pub settings: CampaignSettings,
    pub send_at_best_hour: bool,
    pub track_links: bool,
    pub utm: Option<Utm>,
    pub follow_up: Option<FollowUpDraft>,
}

/// Inserts a draft with its instances and `recipients`; `log_type` names how it was made.
pub(crate) async fn insert_draft(
    db: &Db,
    tenant_id: i64,
    draft: Draft,
    recipients: Recipients<'_>,
    log_type: &'static str,
) -> ServiceResult<CampaignView> {
    let Draft {
        name,
        message,
        content,
        instance_ids,
        settings,
        send_at_best_hour,
        track_links,
        utm,
        follow_up,
    } = draft;
    let now = Utc::now();

    let txn = db.write.begin().await?;
    let known: BTreeSet<i64> = whatsapp_instance::Entity::find()
        .select_only()
        .column(whatsapp_instance::Column::Id)
        .filter(whatsapp_instance::Column::TenantId.eq(tenant_id))
        .filter(whatsapp_instance::Column::Id.is_in(instance_ids.iter().copied()))
        .into_tuple::<i64>()
        .all(&txn)
        .await?
        .into_iter()
        .collect();
    let unknown: Vec<i64> = instance_ids.difference(&known).copied().collect();
    if !unknown.is_empty() {
        let ids = unknown.iter().map(i64::to_string).collect::<Vec<_>>();
        return Err(Problem::UnknownInstances {
            ids: ids.join(", "),
        }
        .into());
    }
    content.check_references(&txn, tenant_id).await?;

    let model = campaign::ActiveModel {
        tenant_id: Set(tenant_id),
        name: Set(name),
        message: Set(message),
        status: Set(CampaignStatus::Draft.as_str().into()),
        pause_reason: Set(None),
        min_delay_ms: Set(settings.min_delay_ms),
        max_delay_ms: Set(settings.max_delay_ms),
        daily_cap: Set(settings.daily_cap_per_instance),
        window_start: Set(settings.send_window.as_ref().map(|w| w.start.clone())),
        window_end: Set(settings.send_window.as_ref().map(|w| w.end.clone())),
        window_utc_offset_minutes: Set(settings
            .send_window
            .as_ref()
            .and_then(|w| w.utc_offset_minutes)
            .unwrap_or(0)),
        window_fixed_offset: Set(settings
            .send_window
            .as_ref()
            .is_some_and(|w| w.utc_offset_minutes.is_some())),
        send_days: Set((!settings.send_days.is_empty()).then(|| {
            settings
                .send_days
                .iter()
                .filter_map(|d| send_window::weekday_of(d))
                .map(|d| send_window::DAY_NAMES[d.num_days_from_monday() as usize])
                .collect::<Vec<_>>()
                .join(",")
        })),
        total: Set(0),
        pending: Set(0),
        sent: Set(0),
        delivered: Set(0),
        read: Set(0),
        failed: Set(0),
        opted_out: Set(0),
        replied: Set(0),
        cancelled: Set(0),
        created_at: Set(now),
        started_at: Set(None),
        finished_at: Set(None),
        updated_at: Set(now),
        start_at: Set(None),
        variants: Set(content.variants_json()),
        media: Set(content.media_json()),
        poll: Set(content.poll_json()),
        send_at_best_hour: Set(send_at_best_hour),
        track_links: Set(track_links),
        utm: Set(utm.map(|u| json!(u))),
        parent_id: Set(follow_up.as_ref().map(|f| f.parent_id)),
        root_id: Set(follow_up.as_ref().map(|f| f.root_id)),
        follow_up_segment: Set(follow_up.as_ref().map(|f| f.segment.as_str().to_string())),
        follow_up_min_age_hours: Set(follow_up.as_ref().map(|f| f.min_age_hours)),
        ..Default::default()
    }
    .insert(&txn)
    .await?;

    campaign_instance::Entity::insert_many(instance_ids.iter().map(|&instance_id| {
        campaign_instance::ActiveModel {
            campaign_id: Set(model.id),
            instance_id: Set(instance_id),
        }
    }))
    .exec(&txn)
    .await?;

    let later = matches!(recipients, Recipients::Later);
    let inserted = insert_contacts(&txn, tenant_id, model.id, recipients, now).await?;
    if inserted == 0 && !later {
        return Err(Problem::NoContacts.into());
    }

    content.link_files(&txn, model.id).await?;
    assign_variants(&txn, model.id, content.variants.len() + 1).await?;
    let c = recount(&txn, model.id).await?;
    campaign::Entity::update_many()
        .col_expr(campaign::Column::Total, Expr::value(c.total))
        .col_expr(campaign::Column::Pending, Expr::value(c.pending))
        .col_expr(campaign::Column::OptedOut, Expr::value(c.opted_out))
        .filter(campaign::Column::Id.eq(model.id))
        .exec(&txn)
        .await?;
    campaign_logs::write(
        &txn,
        LogLine {
            tenant_id,
            campaign_id: model.id,
            log_type,
            severity: Severity::Info,
            message: format!(
                "Campaign created with {} contacts ({} already opted out)",
                c.total, c.opted_out
            ),
            details: Some(json!({ "total": c.total, "opted_out": c.opted_out })),
        },
    )
    .await?;
    txn.commit().await?;
    get(db, tenant_id, model.id).await
}

/// `NotFound` unless campaign `id` is the tenant's: one query, for reads that need only that.
pub async fn ensure_exists(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<()> {
    find(&db.read, tenant_id, id).await.map(drop)
}

/// Campaign `id` of `tenant_id`.
pub async fn find(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<campaign::Model> {
    campaign::Entity::find_by_id(id)
        .filter(campaign::Column::TenantId.eq(tenant_id))
        .one(conn)
        .await?
        .ok_or(ServiceError::NotFound("campaign"))
}

/// The instances that send campaign `campaign_id`.
pub async fn instance_ids(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
) -> Result<Vec<i64>, sea_orm::DbErr> {
    campaign_instance::Entity::find()
        .select_only()
        .column(campaign_instance::Column::InstanceId)
        .filter(campaign_instance::Column::CampaignId.eq(campaign_id))
        .order_by_asc(campaign_instance::Column::InstanceId)
        .into_tuple::<i64>()
        .all(conn)
        .await
}

/// The latest view of campaign `id` and its tenant, for the live stream.
pub async fn snapshot(
    conn: &impl ConnectionTrait,
    id: i64,
) -> Result<Option<(i64, CampaignView)>, sea_orm::DbErr> {
    let Some(m) = campaign::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let tenant_id = m.tenant_id;
    Ok(Some((tenant_id, full_view(conn, m).await?)))
}

/// One campaign of the tenant.
pub async fn get(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<CampaignView> {
    let m = find(&db.read, tenant_id, id).await?;
    Ok(full_view(&db.read, m).await?)
}

/// One campaign of the tenant with its time to deliver and to read (and each variant's).
pub async fn get_with_timing(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<CampaignView> {
    let mut view = get(db, tenant_id, id).await?;
    let variants = view.variants.len();
    let (timing, per_variant) = crate::service::insights::timing(&db.read, id, variants).await?;
    view.timing = Some(timing);
    for (variant, timing) in view.variants.iter_mut().zip(per_variant) {
        variant.timing = Some(timing);
    }
    Ok(view)
}

/// The tenant's campaigns, newest first.
pub async fn list(
    db: &Db,
    tenant_id: i64,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<CampaignView>> {
    let models = campaign::Entity::find()
        .filter(campaign::Column::TenantId.eq(tenant_id))
        .order_by_desc(campaign::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(&db.read)
        .await?;
    let mut out = Vec::with_capacity(models.len());
    for m in models {
        out.push(full_view(&db.read, m).await?);
    }
    Ok(out)
}

/// The recipients filter of those who clicked a link (`?status=clicked`).
pub const CLICKED: &str = "clicked";

/// A page of the campaign's recipients in insertion order, optionally only those of one
/// status and those whose name contains `search` (any case) or, when it has no letters, whose
/// phone contains its digits. Keyset windows read the `(campaign_id, id)` or
/// `(campaign_id, status, id)` index from their cursor: as fast at the millionth row as at the
/// first.
pub async fn contacts(
    db: &Db,
    tenant_id: i64,
    id: i64,
    status: Option<&str>,
    search: Option<&str>,
    window: Window,
) -> ServiceResult<Vec<CampaignContactView>> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        contact_id: i64,
        phone: String,
        name: String,
        status: String,
        whatsapp_message_id: Option<String>,
        sent_at: Option<DateTime<Utc>>,
        delivered_at: Option<DateTime<Utc>>,
        read_at: Option<DateTime<Utc>>,
        failed_at: Option<DateTime<Utc>>,
        error: Option<String>,
        replied_at: Option<DateTime<Utc>>,
        clicked_at: Option<DateTime<Utc>>,
    }
    find(&db.read, tenant_id, id).await?;
    let mut sql = String::from(
        "SELECT cc.id, cc.contact_id, c.phone, c.name, cc.status, cc.whatsapp_message_id, \
         cc.sent_at, cc.delivered_at, cc.read_at, cc.failed_at, cc.error, cc.replied_at, \
         cc.clicked_at \
         FROM campaign_contact cc JOIN contact c ON c.id = cc.contact_id \
         WHERE cc.campaign_id = ?",
    );
    let mut values: Vec<Value> = vec![id.into()];
    match status {
        // Not a delivery status: those who clicked one of its links.
        Some(CLICKED) => sql.push_str(" AND cc.clicked_at IS NOT NULL"),
        Some(s) => {
            let s = DeliveryStatus::parse(s).ok_or_else(|| {
                ServiceError::from(Problem::StatusFilter {
                    allowed: DeliveryStatus::ALL
                        .map(|s| s.as_str())
                        .into_iter()
                        .chain([CLICKED])
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            })?;
            sql.push_str(" AND cc.status = ?");
            values.push(s.as_str().into());
        }
        None => {}
    }
    if let Some(search) = search.map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = |s: &str| {
            let escaped = s
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        };
        // A phone-looking search (digits and punctuation only) also matches phones.
        let digits: String = search.chars().filter(char::is_ascii_digit).collect();
        let phone_like = !search.chars().any(char::is_alphabetic);
        sql.push_str(" AND (LOWER(c.name) LIKE ? ESCAPE '\\'");
        values.push(pattern(&search.to_lowercase()).into());
        if phone_like && !digits.is_empty() {
            sql.push_str(" OR c.phone LIKE ?");
            values.push(format!("%{digits}%").into());
        }
        sql.push(')');
    }
    sql.push_str(&window.sql("cc.id", true, &mut values));
    let rows = Row::find_by_statement(stmt(db.backend(), &sql, values))
        .all(&db.read)
        .await?;
    Ok(window
        .restore(rows)
        .into_iter()
        .map(|r| CampaignContactView {
            id: r.id,
            contact_id: r.contact_id,
            phone: r.phone,
            name: r.name,
            status: r.status,
            whatsapp_message_id: r.whatsapp_message_id,
            sent_at: opt_timestamp(r.sent_at),
            delivered_at: opt_timestamp(r.delivered_at),
            read_at: opt_timestamp(r.read_at),
            failed_at: opt_timestamp(r.failed_at),
            error: r.error,
            replied_at: opt_timestamp(r.replied_at),
            clicked_at: opt_timestamp(r.clicked_at),
        })
        .collect())
}

/// A page of the campaign's log, newest first, only the lines of `severity` when given.
pub async fn logs(
    db: &Db,
    tenant_id: i64,
    id: i64,
    severity: Option<Severity>,
    window: Window,
) -> ServiceResult<Vec<CampaignLogView>> {
    find(&db.read, tenant_id, id).await?;
    campaign_logs::list_of(&db.read, id, severity, window).await
}

/// Starts, pauses, resumes, cancels or unschedules a campaign; an impossible transition is a
/// conflict. Cancelling turns every pending contact into `cancelled`.
pub async fn transition(
    db: &Db,
    tenant_id: i64,
    id: i64,
    action: CampaignAction,
) -> ServiceResult<CampaignView> {
    if action == CampaignAction::Schedule {
        return Err(Problem::ScheduleNeedsStart.into());
    }
    change(db, tenant_id, id, action, None).await
}

/// Schedules a draft (or moves a scheduled campaign) to start by itself at `start_at`, which
/// must be in the future.
pub async fn schedule(
    db: &Db,
    tenant_id: i64,
    id: i64,
    start_at: DateTime<Utc>,
) -> ServiceResult<CampaignView> {
    if start_at <= Utc::now() {
        return Err(Problem::StartInPast.into());
    }
    change(db, tenant_id, id, CampaignAction::Schedule, Some(start_at)).await
}

async fn change(
    db: &Db,
    tenant_id: i64,
    id: i64,
    action: CampaignAction,
    start_at: Option<DateTime<Utc>>,
) -> ServiceResult<CampaignView> {
    let txn = db.write.begin().await?;
    let current = find(&txn, tenant_id, id).await?;
    let refused = |from: &str| Problem::CampaignTransition {
        action: action.to_string(),
        from: from.to_string(),
    };
    let from = CampaignStatus::parse(&current.status).ok_or_else(|| refused(&current.status))?;
    let to = from.apply(action).map_err(|e| refused(e.from.as_str()))?;
    let now = Utc::now();
    let mut update = campaign::Entity::update_many()
        .col_expr(campaign::Column::Status, Expr::value(to.as_str()))
        .col_expr(campaign::Column::UpdatedAt, Expr::value(now))
        .filter(campaign::Column::Id.eq(id))
        .filter(campaign::Column::Status.eq(from.as_str()));
    let none: Option<String> = None;
    let no_time: Option<DateTime<Utc>> = None;
    update = match action {
        CampaignAction::Start => update
            .col_expr(campaign::Column::StartedAt, Expr::value(now))
            .col_expr(campaign::Column::StartAt, Expr::value(no_time))
            .col_expr(campaign::Column::PauseReason, Expr::value(none)),
        CampaignAction::Schedule => {
            update.col_expr(campaign::Column::StartAt, Expr::value(start_at))
        }
        CampaignAction::Unschedule => {
            update.col_expr(campaign::Column::StartAt, Expr::value(no_time))
        }
        CampaignAction::Pause => {
            update.col_expr(campaign::Column::PauseReason, Expr::value("manual"))
        }
        CampaignAction::Resume => update.col_expr(campaign::Column::PauseReason, Expr::value(none)),
        CampaignAction::Cancel => update
            .col_expr(campaign::Column::FinishedAt, Expr::value(now))
            .col_expr(campaign::Column::StartAt, Expr::value(no_time))
            .col_expr(campaign::Column::PauseReason, Expr::value(none)),
    };
    if update.exec(&txn).await?.rows_affected == 0 {
        return Err(Problem::CampaignChanged.into());
    }
    if action == CampaignAction::Start {
        crate::service::follow_ups::take_segment(&txn, id, now).await?;
        crate::service::send_at_best_hour::plan(&txn, id, now).await?;
    }

    let (log_type, severity, message) = match action {
        CampaignAction::Start => (
            "campaign_started",
            Severity::Info,
            "Campaign started".to_string(),
        ),
        CampaignAction::Pause => (
            "campaign_paused",
            Severity::Info,
            "Campaign paused by a person".to_string(),
        ),
        CampaignAction::Resume => (
            "campaign_resumed",
            Severity::Info,
            "Campaign resumed".to_string(),
        ),
        CampaignAction::Schedule => (
            "campaign_scheduled",
            Severity::Info,
            format!(
                "Campaign scheduled to start at {}",
                start_at.map(timestamp).unwrap_or_default()
            ),
        ),
        CampaignAction::Unschedule => (
            "campaign_unscheduled",
            Severity::Info,
            "Campaign taken back to draft".to_string(),
        ),
        CampaignAction::Cancel => {
            let backend = txn.get_database_backend();
            let cancelled = txn
                .execute_raw(stmt(
                    backend,
                    "UPDATE campaign_contact SET status = 'cancelled', updated_at = ? \
                     WHERE campaign_id = ? AND status = 'pending'",
                    vec![now.into(), id.into()],
                ))
                .await?
                .rows_affected() as i64;
            campaign::Entity::update_many()
                .col_expr(
                    campaign::Column::Pending,
                    Expr::col(campaign::Column::Pending).sub(cancelled),
                )
                .col_expr(
                    campaign::Column::Cancelled,
                    Expr::col(campaign::Column::Cancelled).add(cancelled),
                )
                .filter(campaign::Column::Id.eq(id))
                .exec(&txn)
                .await?;
            (
                "campaign_cancelled",
                Severity::Warning,
                format!("Campaign cancelled; {cancelled} pending contacts will not be messaged"),
            )
        }
    };
    campaign_logs::write(
        &txn,
        LogLine {
            tenant_id,
            campaign_id: id,
            log_type,
            severity,
            message,
            details: Some(json!({ "from": from.as_str(), "to": to.as_str() })),
        },
    )
    .await?;
    txn.commit().await?;
    get(db, tenant_id, id).await
}

/// The replies to campaign `id`, newest first, before reply id `before`; only those that
/// opted the person out when `only_opt_outs`.
pub async fn replies(
    db: &Db,
    tenant_id: i64,
    id: i64,
    only_opt_outs: bool,
    before: Option<i64>,
    limit: u64,
) -> ServiceResult<Vec<ReplyView>> {
    find(&db.read, tenant_id, id).await?;
    let condition = if only_opt_outs {
        "r.campaign_id = ? AND r.opt_out = TRUE"
    } else {
        "r.campaign_id = ?"
    };
    crate::service::contacts::replies(
        &db.read,
        tenant_id,
        condition,
        vec![id.into()],
        before,
        limit,
    )
    .await
}
