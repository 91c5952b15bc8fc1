//! The application services: what the API (and later the dashboard) can do, tenant-scoped,
//! independent of HTTP. Handlers call these and map [`ServiceError`] once.

pub mod campaign_logs;
pub mod campaigns;
pub mod consent;
pub mod contacts;
pub mod imports;
pub mod instance_history;
pub mod instances;
pub mod lists;
pub mod risk;
pub mod rotation;
pub mod scheduler;
pub mod settings;
pub mod setup;
pub mod sql;
pub mod tenants;
pub mod timeline;
pub mod tokens;
pub mod users;
pub mod warmup;

pub use app::problem::{PhoneReason, Problem};
use chrono::{DateTime, SecondsFormat, Utc};
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
#[derive(Clone, Copy, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Page {
    /// Rows wanted.
    pub limit: Option<u64>,
    /// Rows skipped.
    pub offset: Option<u64>,
}

impl Page {
    /// The largest page.
    pub const MAX_LIMIT: u64 = 1000;

    /// `(limit, offset)` after validation.
    pub fn resolve(self) -> ServiceResult<(u64, u64)> {
        let limit = self.limit.unwrap_or(100);
        if !(1..=Self::MAX_LIMIT).contains(&limit) {
            return Err(Problem::LimitRange {
                max: Self::MAX_LIMIT,
            }
            .into());
        }
        Ok((limit, self.offset.unwrap_or(0)))
    }
}
