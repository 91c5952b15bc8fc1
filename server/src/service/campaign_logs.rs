//! Campaign log lines: written beside the change they describe, read newest first.

use app::types::CampaignLogView;
use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

use crate::entities::campaign_log;
use crate::service::{ServiceResult, timestamp};

/// How much a log line matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Normal progress.
    Info,
    /// Needs a look.
    Warning,
    /// Stopped something.
    Critical,
}

impl Severity {
    /// Stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }

    /// The severity of a stored or typed name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Info, Self::Warning, Self::Critical]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A log line to write.
#[derive(Clone, Debug)]
pub struct LogLine<'a> {
    /// Tenant of the campaign.
    pub tenant_id: i64,
    /// The campaign.
    pub campaign_id: i64,
    /// Kind, e.g. `campaign_started`.
    pub log_type: &'a str,
    /// How much it matters.
    pub severity: Severity,
    /// Text for people.
    pub message: String,
    /// Structured details.
    pub details: Option<serde_json::Value>,
}

/// Writes `line` on `conn` (usually the transaction of the change it describes) and returns it
/// as the API shows it.
pub async fn write(
    conn: &impl ConnectionTrait,
    line: LogLine<'_>,
) -> Result<CampaignLogView, DbErr> {
    let model = campaign_log::ActiveModel {
        tenant_id: Set(line.tenant_id),
        campaign_id: Set(line.campaign_id),
        log_type: Set(line.log_type.to_string()),
        severity: Set(line.severity.as_str().to_string()),
        message: Set(line.message),
        details: Set(line.details),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(view(model))
}

fn view(l: campaign_log::Model) -> CampaignLogView {
    CampaignLogView {
        id: l.id,
        log_type: l.log_type,
        severity: l.severity,
        message: l.message,
        details: l.details,
        created_at: timestamp(l.created_at),
    }
}

/// A campaign's log, newest first. The caller has checked the campaign belongs to the tenant.
pub async fn list(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<CampaignLogView>> {
    list_of(conn, campaign_id, None, limit, offset).await
}

/// [`list`], only the lines of `severity` when given.
pub async fn list_of(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    severity: Option<Severity>,
    limit: u64,
    offset: u64,
) -> ServiceResult<Vec<CampaignLogView>> {
    let mut query =
        campaign_log::Entity::find().filter(campaign_log::Column::CampaignId.eq(campaign_id));
    if let Some(severity) = severity {
        query = query.filter(campaign_log::Column::Severity.eq(severity.as_str()));
    }
    let rows = query
        .order_by_desc(campaign_log::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(view).collect())
}
