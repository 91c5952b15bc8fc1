//! Axum extractors that authenticate a request.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use crate::auth::{Role, token};
use crate::dashboard::session;
use crate::entities::api_token;
use crate::error::ApiError;
use crate::state::AppState;

/// A request made with a tenant's API token (an admin) or a dashboard session cookie (the
/// user's role).
#[derive(Clone, Copy, Debug)]
pub struct TenantCaller {
    /// The tenant the token belongs to; every query is scoped to it.
    pub tenant_id: i64,
    /// What the caller may do.
    pub role: Role,
    /// Who is calling, for audit logs.
    pub who: Who,
}

/// The person or token behind a [`TenantCaller`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// A dashboard user (id).
    User(i64),
    /// An API token (id).
    Token(i64),
}

impl TenantCaller {
    /// Refuses callers who may not change things (viewers) with 403.
    pub fn require_admin(&self) -> Result<(), ApiError> {
        match self.role {
            Role::Admin => Ok(()),
            Role::Viewer => Err(ApiError::Forbidden(
                "viewers cannot change anything; ask an admin of your team".into(),
            )),
        }
    }
}

/// A request made with the operator's `FLOW_ADMIN_TOKEN`.
#[derive(Clone, Copy, Debug)]
pub struct AdminCaller;

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

impl FromRequestParts<AppState> for TenantCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = bearer(&parts.headers) else {
            let user = session::from_headers(&state.db, &parts.headers)
                .await?
                .ok_or(ApiError::Unauthorized)?;
            return Ok(Self {
                tenant_id: user.tenant_id,
                role: user.role,
                who: Who::User(user.user_id),
            });
        };
        let row = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token::hash(token)))
            .one(&state.db.read)
            .await?
            .ok_or(ApiError::Unauthorized)?;
        if let Err(e) = crate::service::tokens::touch(&state.db, &row).await {
            tracing::warn!(error = %e, token_id = row.id, "cannot record a token's last use");
        }
        Ok(Self {
            tenant_id: row.tenant_id,
            role: Role::Admin,
            who: Who::Token(row.id),
        })
    }
}

impl FromRequestParts<AppState> for AdminCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let given = bearer(&parts.headers).ok_or(ApiError::Unauthorized)?;
        if let Some(admin) = &state.config.admin_token
            && token::constant_time_eq(given, admin)
        {
            return Ok(Self);
        }
        // A valid tenant token is a known caller who may not do this: 403, not 401.
        let tenant_token = api_token::Entity::find()
            .filter(api_token::Column::TokenHash.eq(token::hash(given)))
            .one(&state.db.read)
            .await?;
        Err(match tenant_token {
            Some(_) => ApiError::Forbidden("this needs the operator's admin token".into()),
            None => ApiError::Unauthorized,
        })
    }
}
