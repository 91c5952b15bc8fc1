//! `/api/v1/tokens`: admins list, create (the secret answered once) and revoke API tokens.

use app::types::{TokenCreated, TokenView};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::extract::{Json, Path};
use crate::auth::TenantCaller;
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::service::tokens;
use crate::state::AppState;

/// Body of `POST /api/v1/tokens`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// What the token is for.
    name: String,
}

/// List the tenant's API tokens, without secrets (admins only)
#[utoipa::path(
    get,
    path = "/tokens",
    operation_id = "list_tokens",
    tag = "tokens",
    responses(
        (status = 200, description = "Tokens", body = Vec<TokenView>),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
    )
)]
pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<TokenView>>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(tokens::list(&state.db, caller.tenant_id).await?))
}

/// Create an API token; the token is shown once (admins only)
#[utoipa::path(
    post,
    path = "/tokens",
    operation_id = "create_token",
    tag = "tokens",
    request_body = NewToken,
    responses(
        (status = 201, description = "Created", body = TokenCreated),
        AdminErrors,
    )
)]
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

/// Revoke an API token: requests with it get 401 at once (admins only)
#[utoipa::path(
    delete,
    path = "/tokens/{id}",
    operation_id = "revoke_token",
    tag = "tokens",
    params(("id" = i64, Path, description = "Token id")),
    responses(
        (status = 204, description = "Revoked"),
        AdminErrors,
    )
)]
pub(super) async fn revoke(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    tokens::revoke(&state.db, caller.tenant_id, id).await?;
    state.credentials_changed(caller.tenant_id);
    tracing::info!(
        tenant_id = caller.tenant_id,
        token_id = id,
        "API token revoked"
    );
    Ok(StatusCode::NO_CONTENT)
}
