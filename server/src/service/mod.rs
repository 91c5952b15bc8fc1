//! The application services: what the API (and later the dashboard) can do, tenant-scoped,
//! independent of HTTP. Handlers call these and map [`ServiceError`] once.

pub mod campaign_content;
pub mod campaign_logs;
pub mod campaigns;
pub mod compose;
pub mod consent;
pub mod contacts;
pub mod conversions;
pub mod correction;
pub mod data_export;
pub mod follow_ups;
pub mod imports;
pub mod insights;
pub mod instance_history;
pub mod instances;
pub mod links;
pub mod lists;
pub mod media;
pub mod phone_repair;
pub mod polls;
pub mod risk;
pub mod rotation;
pub mod scheduler;
pub mod send_at_best_hour;
pub mod settings;
pub mod setup;
pub mod suppression;
pub mod template_check;
pub mod tenants;
pub mod test_send;
pub mod timeline;
pub mod tokens;
pub mod users;
pub mod warmup;

pub use app::problem::{PhoneReason, Problem};
use chrono::{DateTime, SecondsFormat, Utc};

use crate::sql;
use sea_orm::DbErr;

/// Why a service call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input, the current state or the caller's rights do not allow it.
    #[error(transparent)]
    Refused(#[from] Problem),
    /// The thing does not exist for this tenant.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The instance's Evolution API failed or refused.
    #[error("Evolution API: {0}")]
    Upstream(String),
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
    /// Our fault (hashing a password, writing a report): logged, answered as 500.
    #[error(transparent)]
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

impl ServiceError {
    /// An internal failure with its cause.
    pub fn internal(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Internal(Box::new(err))
    }
}

impl From<crate::dashboard::password::HashError> for ServiceError {
    fn from(err: crate::dashboard::password::HashError) -> Self {
        Self::internal(err)
    }
}

/// A service result.
pub type ServiceResult<T> = Result<T, ServiceError>;

/// The wire form of a timestamp: RFC 3339, UTC, milliseconds.
pub fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// [`timestamp`] of an optional time.
pub fn opt_timestamp(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(timestamp)
}

/// A page of a list: `limit` (1..=1000, default 100) rows after `offset`.
#[derive(Clone, Copy, Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct Page {
    /// Rows wanted, 1 to 1000 (default 100).
    pub limit: Option<u64>,
    /// Rows skipped.
    pub offset: Option<u64>,
}

impl Page {
    /// The largest page.
    pub const MAX_LIMIT: u64 = 1000;

    /// The most rows an offset may skip: what the databases take as a 64-bit signed number.
    pub const MAX_OFFSET: u64 = i64::MAX as u64;

    /// `(limit, offset)` after validation.
    pub fn resolve(self) -> ServiceResult<(u64, u64)> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(Problem::LimitRange {
                max: Self::MAX_LIMIT,
            }
            .into());
        }
        let offset = self.offset.unwrap_or(0);
        if offset > Self::MAX_OFFSET {
            return Err(Problem::OffsetRange {
                max: Self::MAX_OFFSET,
            }
            .into());
        }
        Ok((limit, offset))
    }

    /// The [`Window`] of this page after the row `cursor` (keyset) when given.
    pub fn window(self, cursor: Option<i64>) -> ServiceResult<Window> {
        let (limit, offset) = self.resolve()?;
        Ok(Window {
            cursor: cursor.map(Cursor::After),
            offset,
            limit,
        })
    }
}

/// A row a keyset page starts next to: the page reads an index from there instead of skipping
/// rows, so it costs the same at any depth.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// The rows that follow this row id in the list's order.
    After(i64),
    /// The rows that precede this row id in the list's order (answered in the list's order).
    Before(i64),
}

/// Which rows of an ordered list a page holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// Next to which row the page starts; from the list's start when `None`.
    pub cursor: Option<Cursor>,
    /// Rows skipped from there.
    pub offset: u64,
    /// Rows wanted.
    pub limit: u64,
}

impl Window {
    /// The first `limit` rows.
    pub fn first(limit: u64) -> Self {
        Self {
            cursor: None,
            offset: 0,
            limit,
        }
    }

    /// SQL after a condition on the list's id column `id`, for a list in ascending id order
    /// (`ascending`) or descending: the cursor's bound, the order (reversed when paging
    /// backwards) and [`sql::limit_offset`], with their values appended to `values`. Rows read
    /// backwards must be put back in order with [`Window::restore`].
    pub fn sql(&self, id: &str, ascending: bool, values: &mut Vec<sea_orm::Value>) -> String {
        let (bound, forward) = match self.cursor {
            None => (None, true),
            Some(Cursor::After(c)) => (Some(c), true),
            Some(Cursor::Before(c)) => (Some(c), false),
        };
        // Reading forward in an ascending list, or backward in a descending one, goes up.
        let up = forward == ascending;
        let mut sql = String::new();
        if let Some(c) = bound {
            sql.push_str(&format!(" AND {id} {} ?", if up { '>' } else { '<' }));
            values.push(c.into());
        }
        sql.push_str(&format!(
            " ORDER BY {id} {}",
            if up { "ASC" } else { "DESC" }
        ));
        sql.push_str(sql::limit_offset(self.limit, self.offset, values));
        sql
    }

    /// Puts rows read by [`Window::sql`] back in the list's order.
    pub fn restore<T>(&self, mut rows: Vec<T>) -> Vec<T> {
        if matches!(self.cursor, Some(Cursor::Before(_))) {
            rows.reverse();
        }
        rows
    }
}
