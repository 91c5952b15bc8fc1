//! `/api/v1/tokens`: admins list, create (the secret answered once) and revoke API tokens.

use app::types::{TokenCreated, TokenView};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::api::extract::{Json, Path};
use crate::auth::TenantCaller;
use crate::error::ApiError;
use crate::service::tokens;
use crate::state::AppState;

/// Body of `POST /api/v1/tokens`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    name: String,
}

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<TokenView>>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(tokens::list(&state.db, caller.tenant_id).await?))
}

pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewToken>,
) -> Result<(StatusCode, axum::Json<TokenCreated>), ApiError> {
    caller.require_admin()?;
    let created = tokens::create(&state.db, caller.tenant_id, &body.name).await?;
    tracing::info!(
        tenant_id = caller.tenant_id,
        token_id = created.id,
        "API token created"
    );
    Ok((StatusCode::CREATED, axum::Json(created)))
}

pub(super) async fn revoke(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    tokens::revoke(&state.db, caller.tenant_id, id).await?;
    tracing::info!(
        tenant_id = caller.tenant_id,
        token_id = id,
        "API token revoked"
    );
    Ok(StatusCode::NO_CONTENT)
}
