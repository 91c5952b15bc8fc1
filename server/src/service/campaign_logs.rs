//! Campaign log lines: written beside the change they describe, read newest first.

use app::types::CampaignLogView;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, EntityTrait, Set, Value};

use crate::entities::campaign_log;
use crate::service::{ServiceResult, Window, timestamp};
use crate::sql::stmt;

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
    /// Every severity.
    pub const ALL: [Self; 3] = [Self::Info, Self::Warning, Self::Critical];

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
        Self::ALL.into_iter().find(|v| v.as_str() == s)
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

/// A campaign's log, newest first, only the lines of `severity` when given. The caller has
/// checked the campaign belongs to the tenant.
pub async fn list_of(
    conn: &impl ConnectionTrait,
    campaign_id: i64,
    severity: Option<Severity>,
    window: Window,
) -> ServiceResult<Vec<CampaignLogView>> {
    let mut sql = String::from("SELECT * FROM campaign_log WHERE campaign_id = ?");
    let mut values: Vec<Value> = vec![campaign_id.into()];
    if let Some(severity) = severity {
        sql.push_str(" AND severity = ?");
        values.push(severity.as_str().into());
    }
    sql.push_str(&window.sql("id", false, &mut values));
    let rows = campaign_log::Entity::find()
        .from_raw_sql(stmt(conn.get_database_backend(), &sql, values))
        .all(conn)
        .await?;
    Ok(window.restore(rows).into_iter().map(view).collect())
}
