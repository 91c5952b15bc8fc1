//! `/api/v1/users` (admins manage the tenant's dashboard users) and `/api/v1/me/password`
//! (every logged-in user changes their own password).

use app::types::UserView;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;

use crate::api::extract::{Json, Path};
use crate::auth::TenantCaller;
use crate::dashboard::session;
use crate::error::ApiError;
use crate::service::users;
use crate::state::AppState;

/// Body of `POST /api/v1/users`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    email: String,
    password: String,
    role: String,
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    role: String,
}

/// Body of `POST /api/v1/me/password`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    current_password: String,
    new_password: String,
}

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<UserView>>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(users::list(&state.db, caller.tenant_id).await?))
}

pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewUser>,
) -> Result<(StatusCode, axum::Json<UserView>), ApiError> {
    caller.require_admin()?;
    let role = users::parse_role(&body.role)?;
    let view = users::create(
        &state.db,
        caller.tenant_id,
        &body.email,
        &body.password,
        role,
    )
    .await?;
    tracing::info!(tenant_id = caller.tenant_id, user_id = view.id, role = %role, "user created");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

pub(super) async fn update(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<RoleChange>,
) -> Result<axum::Json<UserView>, ApiError> {
    caller.require_admin()?;
    let role = users::parse_role(&body.role)?;
    let view = users::set_role(&state.db, caller.tenant_id, id, role).await?;
    tracing::info!(tenant_id = caller.tenant_id, user_id = id, role = %role, "user role changed");
    Ok(axum::Json(view))
}

pub(super) async fn remove(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    users::remove(&state.db, caller.tenant_id, id).await?;
    tracing::info!(tenant_id = caller.tenant_id, user_id = id, "user removed");
    Ok(StatusCode::NO_CONTENT)
}

pub(super) async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let token = session::token_from(&headers).ok_or(ApiError::Unauthorized)?;
    let user = session::lookup(&state.db, token)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    users::change_password(
        &state.db,
        user.user_id,
        Some(token),
        &body.current_password,
        &body.new_password,
    )
    .await?;
    tracing::info!(user_id = user.user_id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}
