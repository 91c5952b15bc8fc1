//! Follow-ups: a draft campaign to one segment of a started campaign's recipients (those who
//! did not read, read and did not reply, did not click, clicked). The segment is taken when
//! the follow-up STARTS, from the parent's messages at least `min_age_hours` old, never with a
//! person who opted out or was erased, and never with one who already got another follow-up
//! of the same chain (the original and all its follow-ups): nobody is reminded twice of one
//! step. The parent shows its follow-ups and its read rate counting theirs.

use app::follow_up::{
    CombinedResult, DEFAULT_AGE_HOURS, FollowUpOf, FollowUpSummary, MAX_AGE_HOURS, MIN_AGE_HOURS,
    NewFollowUp, Segment,
};
use app::types::CampaignView;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, FromQueryResult};
use serde_json::json;

use crate::db::Db;
use crate::entities::campaign;
use crate::service::campaign_logs::{self, LogLine, Severity};
use crate::service::campaigns::{self, Draft, FollowUpDraft, Recipients};
use crate::service::{Problem, ServiceResult};
use crate::sql::stmt;

/// Creates a draft follow-up of campaign `parent_id` (which must have started): its own text,
/// variants and media, else the parent's text; the parent's instances and settings.
pub async fn create(
    db: &Db,
    tenant_id: i64,
    parent_id: i64,
    input: NewFollowUp,
) -> ServiceResult<CampaignView> {
    let min_age_hours = input.min_age_hours.unwrap_or(DEFAULT_AGE_HOURS);
    if !(MIN_AGE_HOURS..=MAX_AGE_HOURS).contains(&min_age_hours) {
        return Err(Problem::FollowUpAge {
            min: MIN_AGE_HOURS,
            max: MAX_AGE_HOURS,
        }
        .into());
    }
    let parent = campaigns::find(&db.read, tenant_id, parent_id).await?;
    if parent.started_at.is_none() {
        return Err(Problem::FollowUpNotStarted.into());
    }
    let own_content = input.media.is_some() || !input.variants.is_empty();
    let message = input
        .message
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(|| {
            if own_content {
                String::new()
            } else {
                parent.message.clone()
            }
        });
    let name = input
        .name
        .clone()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("Lembrete: {}", parent.name))
        .chars()
        .take(200)
        .collect::<String>();
    // The text and content are checked as a new campaign's are.
    let as_new = app::types::NewCampaign {
        name: name.clone(),
        message: message.clone(),
        instance_ids: campaigns::instance_ids(&db.read, parent_id).await?,
        contact_ids: None,
        // Its audience is the segment, taken at the start.
        all_contacts: true,
        list_ids: None,
        exclude_list_ids: None,
        settings: Some(campaigns::settings(&parent)),
        variants: input.variants.clone(),
        media: input.media.clone(),
        poll: None,
        send_at_best_hour: false,
        track_links: Some(parent.track_links),
        utm: None,
    };
    let defaults = crate::service::settings::campaign_defaults(&db.read, tenant_id).await?;
    let settings = campaigns::validate(&as_new, defaults)?;
    campaigns::check_placeholders(&db.read, tenant_id, &as_new).await?;
    let draft = Draft {
        name,
        message,
        content: campaigns::content_of(&as_new),
        instance_ids: as_new.instance_ids.iter().copied().collect(),
        settings,
        send_at_best_hour: false,
        track_links: parent.track_links,
        utm: parent.utm.and_then(|u| serde_json::from_value(u).ok()),
        follow_up: Some(FollowUpDraft {
            parent_id,
            root_id: parent.root_id.unwrap_or(parent.id),
            segment: input.segment,
            min_age_hours,
        }),
    };
    campaigns::insert_draft(db, tenant_id, draft, Recipients::Later, "follow_up_created").await
}

/// The SQL condition (on the parent's row `pc`) of `segment`.
fn condition(segment: Segment) -> &'static str {
    match segment {
        Segment::NotRead => "pc.status = 'delivered'",
        Segment::ReadNotReplied => "pc.status = 'read' AND pc.replied_at IS NULL",
        Segment::NotClicked => "pc.status IN ('delivered', 'read') AND pc.clicked_at IS NULL",
        Segment::Clicked => "pc.clicked_at IS NOT NULL",
    }
}

/// When follow-up `campaign_id` starts: gives it its recipients, the parent's recipients in
/// its segment right now (see the module doc), with their counters. Returns how many, or `None`
/// when the campaign is not a follow-up.
pub async fn take_segment(
    txn: &DatabaseTransaction,
    campaign_id: i64,
    now: DateTime<Utc>,
) -> Result<Option<u64>, DbErr> {
    let Some(m) = campaign::Entity::find_by_id(campaign_id).one(txn).await? else {
        return Ok(None);
    };
    let (Some(parent_id), Some(root_id), Some(segment)) = (
        m.parent_id,
        m.root_id,
        m.follow_up_segment.as_deref().and_then(Segment::parse),
    ) else {
        return Ok(None);
    };
    let hours = i64::from(m.follow_up_min_age_hours.unwrap_or(DEFAULT_AGE_HOURS));
    let cutoff = now - Duration::hours(hours);
    let backend = txn.get_database_backend();
    let sql = format!(
        "INSERT INTO campaign_contact (campaign_id, contact_id, status, updated_at) \
         SELECT ?, pc.contact_id, 'pending', ? FROM campaign_contact pc \
         JOIN contact ct ON ct.id = pc.contact_id \
         WHERE pc.campaign_id = ? AND pc.sent_at IS NOT NULL AND pc.sent_at <= ? AND {} \
         AND ct.erased_at IS NULL AND ct.merged_into_id IS NULL AND ct.opted_out_at IS NULL \
         AND NOT EXISTS (SELECT 1 FROM contact o WHERE o.tenant_id = ct.tenant_id \
           AND o.phone_key = ct.phone_key AND o.opted_out_at IS NOT NULL) \
         AND NOT EXISTS (SELECT 1 FROM campaign_contact x JOIN campaign xc ON xc.id = x.campaign_id \
           WHERE x.contact_id = pc.contact_id AND xc.root_id = ? AND xc.id <> ? AND xc.id <> ? \
           AND x.status <> 'cancelled') \
         AND NOT EXISTS (SELECT 1 FROM campaign_contact s WHERE s.campaign_id = ? \
           AND s.contact_id = pc.contact_id) \
         ORDER BY pc.id",
        condition(segment)
    );
    let inserted = txn
        .execute_raw(stmt(
            backend,
            &sql,
            vec![
                campaign_id.into(),
                now.into(),
                parent_id.into(),
                cutoff.into(),
                root_id.into(),
                campaign_id.into(),
                parent_id.into(),
                campaign_id.into(),
            ],
        ))
        .await?
        .rows_affected();
    let texts = campaigns::variant_texts(&m);
    campaigns::assign_variants(txn, campaign_id, texts.len())
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    let c = campaigns::recount(txn, campaign_id)
        .await
        .map_err(|e| DbErr::Custom(e.to_string()))?;
    txn.execute_raw(stmt(
        backend,
        "UPDATE campaign SET total = ?, pending = ?, opted_out = ? WHERE id = ?",
        vec![
            c.total.into(),
            c.pending.into(),
            c.opted_out.into(),
            campaign_id.into(),
        ],
    ))
    .await?;
    campaign_logs::write(
        txn,
        LogLine {
            tenant_id: m.tenant_id,
            campaign_id,
            log_type: "follow_up_segment",
            severity: Severity::Info,
            message: format!(
                "Follow-up of campaign {parent_id}: {inserted} recipients {} with messages at least {hours} h old",
                segment.as_str()
            ),
            details: Some(json!({
                "parent_id": parent_id,
                "segment": segment.as_str(),
                "recipients": inserted,
                "min_age_hours": hours,
            })),
        },
    )
    .await?;
    Ok(Some(inserted))
}

/// What campaign `m` follows up, when it is a follow-up.
pub async fn of(
    conn: &impl ConnectionTrait,
    m: &campaign::Model,
) -> Result<Option<FollowUpOf>, DbErr> {
    let (Some(parent_id), Some(segment)) = (
        m.parent_id,
        m.follow_up_segment.as_deref().and_then(Segment::parse),
    ) else {
        return Ok(None);
    };
    let parent_name = campaign::Entity::find_by_id(parent_id)
        .one(conn)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(Some(FollowUpOf {
        parent_id,
        parent_name,
        segment,
        min_age_hours: m.follow_up_min_age_hours.unwrap_or(DEFAULT_AGE_HOURS),
    }))
}

/// The follow-ups of campaign `id`, oldest first.
pub async fn children(conn: &impl ConnectionTrait, id: i64) -> Result<Vec<FollowUpSummary>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        id: i64,
        name: String,
        status: String,
        follow_up_segment: Option<String>,
        total: i64,
        read: i64,
    }
    let rows = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, name, status, follow_up_segment, total, read FROM campaign \
         WHERE parent_id = ? ORDER BY id",
        vec![id.into()],
    ))
    .all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| FollowUpSummary {
            id: r.id,
            name: r.name,
            status: r.status,
            segment: r
                .follow_up_segment
                .as_deref()
                .and_then(Segment::parse)
                .unwrap_or(Segment::NotRead),
            total: r.total,
            read: r.read,
        })
        .collect())
}

/// Campaign `id`'s read rate counting its follow-ups: of its delivered recipients, those who
/// read it or one of its follow-ups; `read_rate` is its own.
pub async fn combined(
    conn: &impl ConnectionTrait,
    id: i64,
    read_rate: f64,
) -> Result<Option<CombinedResult>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        delivered: i64,
        read: i64,
    }
    let row = Row::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT CAST(COUNT(*) AS BIGINT) AS delivered, \
         CAST(COUNT(CASE WHEN pc.status = 'read' OR EXISTS (SELECT 1 FROM campaign_contact f \
           JOIN campaign fc ON fc.id = f.campaign_id WHERE fc.parent_id = pc.campaign_id \
           AND f.contact_id = pc.contact_id AND f.status = 'read') THEN 1 END) AS BIGINT) AS read \
         FROM campaign_contact pc WHERE pc.campaign_id = ? AND pc.status IN ('delivered', 'read')",
        vec![id.into()],
    ))
    .one(conn)
    .await?;
    Ok(row.filter(|r| r.delivered > 0).map(|r| {
        let rate = campaigns::percent(r.read, r.delivered);
        CombinedResult {
            read_rate: rate,
            gain_points: ((rate - read_rate) * 100.0).round() / 100.0,
        }
    }))
}
