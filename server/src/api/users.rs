//! `/api/v1/users` (admins manage the tenant's dashboard users) and `/api/v1/me/password`
//! (every logged-in user changes their own password).

use app::types::UserView;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::extract::{Json, Path};
use crate::auth::TenantCaller;
use crate::dashboard::session;
use crate::error::{ApiError, ChangeErrors, ErrorBody};
use crate::service::users;
use crate::state::AppState;

/// Body of `POST /api/v1/users`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUser {
    /// Login e-mail.
    email: String,
    /// The initial password.
    password: String,
    /// `admin` or `viewer`.
    role: String,
}

/// Body of `PATCH /api/v1/users/{id}`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleChange {
    /// `admin` or `viewer`.
    role: String,
}

/// Body of `POST /api/v1/me/password`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The password in use.
    current_password: String,
    /// The password wanted.
    new_password: String,
}

/// List the tenant's dashboard users (admins only)
#[utoipa::path(
    get,
    path = "/users",
    operation_id = "list_users",
    tag = "users",
    responses(
        (status = 200, description = "Users", body = Vec<UserView>),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
    )
)]
pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<UserView>>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(users::list(&state.db, caller.tenant_id).await?))
}

/// Create a dashboard user with an initial password (admins only)
#[utoipa::path(
    post,
    path = "/users",
    operation_id = "create_user",
    tag = "users",
    request_body = NewUser,
    responses(
        (status = 201, description = "Created", body = UserView),
        ChangeErrors,
    )
)]
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

/// Change a user's role; the last admin stays admin (admins only)
#[utoipa::path(
    patch,
    path = "/users/{id}",
    operation_id = "update_user",
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    request_body = RoleChange,
    responses(
        (status = 200, description = "User", body = UserView),
        ChangeErrors,
    )
)]
pub(super) async fn update(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<RoleChange>,
) -> Result<axum::Json<UserView>, ApiError> {
    caller.require_admin()?;
    let role = users::parse_role(&body.role)?;
    let view = users::set_role(&state.db, caller.tenant_id, id, role).await?;
    state.credentials_changed(caller.tenant_id);
    tracing::info!(tenant_id = caller.tenant_id, user_id = id, role = %role, "user role changed");
    Ok(axum::Json(view))
}

/// Remove a user and end their sessions; never the last admin (admins only)
#[utoipa::path(
    delete,
    path = "/users/{id}",
    operation_id = "remove_user",
    tag = "users",
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 204, description = "Removed"),
        ChangeErrors,
    )
)]
pub(super) async fn remove(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    users::remove(&state.db, caller.tenant_id, id).await?;
    state.credentials_changed(caller.tenant_id);
    tracing::info!(tenant_id = caller.tenant_id, user_id = id, "user removed");
    Ok(StatusCode::NO_CONTENT)
}

/// Change the logged-in user's own password (session cookie); their other sessions end
#[utoipa::path(
    post,
    path = "/me/password",
    operation_id = "change_password",
    tag = "users",
    request_body = PasswordChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 422, response = ErrorBody),
    )
)]
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
    state.credentials_changed(user.tenant_id);
    tracing::info!(user_id = user.user_id, "password changed");
    Ok(StatusCode::NO_CONTENT)
}
