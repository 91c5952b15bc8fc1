//! The API error type: every handler returns it, and it is turned into an HTTP response in one
//! place, as JSON `{"error": "<code>", "message": "<text for people>"}`.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sea_orm::{DbErr, SqlErr};
use serde::Serialize;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
use utoipa::{ToResponse, ToSchema};

/// An error a request ends with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The body or query cannot be read (malformed JSON, wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// The request is well-formed but its values are not acceptable.
    #[error("{0}")]
    Validation(String),
    /// No credential, or one that matches nothing.
    #[error("missing or invalid credentials")]
    Unauthorized,
    /// Authenticated, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist (or belongs to another tenant).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// The body is larger than allowed.
    #[error("the request body is larger than {0} bytes")]
    PayloadTooLarge(usize),
    /// The content type is not one this endpoint reads.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An upstream service (the instance's Evolution API) failed.
    #[error("{0}")]
    Upstream(String),
    /// The database cannot be reached right now; retrying later may work.
    #[error("the service is temporarily unavailable, retry later")]
    Unavailable,
    /// A failure that is our fault (a database error, a failed password hash).
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl ApiError {
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Validation(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Self::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Self::Upstream(_) => (StatusCode::BAD_GATEWAY, "upstream_failed"),
            Self::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

/// Whether a database error means "cannot reach the database (now)" rather than a bad query:
/// the caller should answer 503 so that clients retry later.
pub fn is_unavailable(err: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    use sea_orm::sqlx::Error as Sqlx;
    match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                Sqlx::Io(_) | Sqlx::PoolTimedOut | Sqlx::PoolClosed | Sqlx::WorkerCrashed => true,
                Sqlx::Database(db) => {
                    let code = db.code().unwrap_or_default();
                    is_transient_code(&code) || db.message().contains("database is locked")
                }
                _ => false,
            }
        }
        _ => false,
    }
}

/// Whether a SQLSTATE names a condition that passes by itself, so the work should be retried
/// rather than recorded as failed: PostgreSQL connection exceptions (`08…`), shutdown or
/// termination (`57P…`), serialization failures (`40001`), deadlocks (`40P01`), a statement
/// cancelled by a timeout (`57014`) and a lock not available (`55P03`); SQLite busy (`5`) and
/// locked (`6`).
pub fn is_transient_code(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("57P")
        || matches!(code, "40001" | "40P01" | "57014" | "55P03" | "5" | "6")
}

impl From<DbErr> for ApiError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable
        } else if let Some(SqlErr::UniqueConstraintViolation(_)) = err.sql_err() {
            Self::Conflict("a record with the same unique value already exists".into())
        } else {
            Self::Internal(Box::new(err))
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        match rejection {
            JsonRejection::JsonDataError(e) => Self::Validation(e.body_text()),
            JsonRejection::JsonSyntaxError(e) => {
                Self::BadRequest(format!("malformed JSON: {}", e.body_text()))
            }
            JsonRejection::MissingJsonContentType(_) => Self::UnsupportedMediaType(
                "expected a request body with Content-Type: application/json".into(),
            ),
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => Self::PayloadTooLarge(0),
            other => Self::BadRequest(other.body_text()),
        }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        Self::Validation(rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> Self {
        Self::BadRequest(rejection.body_text())
    }
}

/// The body of every error answer (the `Error` schema and response of the OpenAPI document).
#[derive(Serialize, ToSchema)]
#[schema(as = Error)]
pub struct ErrorBody {
    /// A stable code for programs, e.g. `not_found` or `validation_failed`.
    pub error: &'static str,
    /// What went wrong, for people.
    pub message: String,
}

impl<'r> ToResponse<'r> for ErrorBody {
    fn response() -> (&'r str, RefOr<utoipa::openapi::Response>) {
        let content = ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(Self::name())))
            .build();
        let response = ResponseBuilder::new()
            .description("An error")
            .content("application/json", content)
            .build();
        ("Error", response.into())
    }
}

/// Declares sets of error answers an operation documents together, each status the shared
/// `Error` response: `responses((status = 200, …), ChangeErrors)` instead of one line per status.
macro_rules! error_answers {
    ($($(#[$doc:meta])* $name:ident = [$($status:literal),+];)+) => {$(
        $(#[$doc])*
        pub struct $name;

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<String, RefOr<utoipa::openapi::Response>> {
                [$($status),+]
                    .into_iter()
                    .map(|status: u16| {
                        (status.to_string(), RefOr::Ref(Ref::from_response_name("Error")))
                    })
                    .collect()
            }
        }
    )+};
}

error_answers! {
    /// A read of one of the tenant's things: bad input, no token, not found.
    ReadErrors = [400, 401, 404, 422];
    /// An admin's change of one of the tenant's things.
    AdminErrors = [400, 401, 403, 404, 422];
    /// An admin's change that the thing's current state may refuse (409).
    ChangeErrors = [400, 401, 403, 404, 409, 422];
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        if let Self::Internal(err) = &self {
            tracing::error!(error = %err, "request failed on an internal error");
        }
        let message = match &self {
            Self::PayloadTooLarge(0) => "the request body is too large".to_string(),
            other => other.to_string(),
        };
        (
            status,
            Json(ErrorBody {
                error: code,
                message,
            }),
        )
            .into_response()
    }
}

impl From<crate::service::ServiceError> for ApiError {
    fn from(err: crate::service::ServiceError) -> Self {
        use crate::service::ServiceError as S;
        use app::problem::ProblemKind;
        match err {
            S::Refused(p) => match p.kind() {
                ProblemKind::Invalid => Self::Validation(p.to_string()),
                ProblemKind::Conflict => Self::Conflict(p.to_string()),
                ProblemKind::Forbidden => Self::Forbidden(p.to_string()),
            },
            S::NotFound(what) => Self::NotFound(what),
            S::Upstream(m) => Self::Upstream(format!("Evolution API: {m}")),
            S::Db(e) => e.into(),
            S::Internal(e) => Self::Internal(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_transient_code;

    #[test]
    fn passing_conditions_are_transient_and_bugs_are_not() {
        for code in [
            "08006", "57P01", "40001", "40P01", "57014", "55P03", "5", "6",
        ] {
            assert!(is_transient_code(code), "{code}");
        }
        for code in ["23505", "42P01", "22P02", "42703", ""] {
            assert!(!is_transient_code(code), "{code}");
        }
    }
}
