//! `/api/v1/instances`: register, list, edit, remove and pair (QR code) WhatsApp instances.

use app::types::{InstanceDay, InstancePatch, InstanceQr, InstanceView, NewInstance};
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path};
use crate::auth::{Role, TenantCaller};
use crate::error::{AdminErrors, ApiError, ErrorBody, ReadErrors};
use crate::service::{instance_history, instances};
use crate::state::AppState;

/// Register an Evolution instance; without api_version Flow asks Evolution (GET /) whether it
/// speaks v2 or v1
#[utoipa::path(
    post,
    path = "/instances",
    operation_id = "create_instance",
    tag = "instances",
    request_body = NewInstance,
    responses(
        (status = 201, description = "Created", body = InstanceView),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 409, response = ErrorBody),
        (status = 422, response = ErrorBody),
        (status = 502, response = ErrorBody),
    )
)]
pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewInstance>,
) -> Result<(StatusCode, axum::Json<InstanceView>), ApiError> {
    caller.require_admin()?;
    let view = instances::create(
        &state.db,
        &state.evolution,
        &state.config.public_url,
        caller.tenant_id,
        body,
    )
    .await?;
    instances::refresh_soon(&state, caller.tenant_id, view.id);
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// List instances with health and today's counters
///
/// Viewers get them without `webhook_url` and `webhook_secret` (empty).
#[utoipa::path(
    get,
    path = "/instances",
    operation_id = "list_instances",
    tag = "instances",
    responses(
        (status = 200, description = "Instances", body = Vec<InstanceView>),
        ReadErrors,
    )
)]
pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<InstanceView>>, ApiError> {
    let mut list = instances::list(&state.db, &state.config.public_url, caller.tenant_id).await?;
    if caller.role != Role::Admin {
        // Viewers (dashboard cookies) see instances, not the secrets that post into them.
        list.iter_mut().for_each(InstanceView::hide_secrets);
    }
    Ok(axum::Json(list))
}

/// One instance
#[utoipa::path(
    get,
    path = "/instances/{id}",
    operation_id = "show_instance",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 200, description = "Instance", body = InstanceView),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 404, response = ErrorBody),
    )
)]
pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<InstanceView>, ApiError> {
    let mut view =
        instances::get(&state.db, &state.config.public_url, caller.tenant_id, id).await?;
    if caller.role != Role::Admin {
        view.hide_secrets();
    }
    Ok(axum::Json(view))
}

/// Change the instance's friendly name and/or Evolution api key (admins)
#[utoipa::path(
    patch,
    path = "/instances/{id}",
    operation_id = "update_instance",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    request_body = InstancePatch,
    responses(
        (status = 200, description = "Instance", body = InstanceView),
        AdminErrors,
    )
)]
pub(super) async fn update(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(patch): Json<InstancePatch>,
) -> Result<axum::Json<InstanceView>, ApiError> {
    caller.require_admin()?;
    let new_key = patch.api_key.is_some();
    let view = instances::update(
        &state.db,
        &state.config.public_url,
        caller.tenant_id,
        id,
        patch,
    )
    .await?;
    if new_key {
        instances::refresh_soon(&state, caller.tenant_id, id);
    }
    Ok(axum::Json(view))
}

/// Remove the instance (admins); 409 while a campaign that is not completed or cancelled uses it
#[utoipa::path(
    delete,
    path = "/instances/{id}",
    operation_id = "remove_instance",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 409, response = ErrorBody),
    )
)]
pub(super) async fn remove(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    instances::remove_and_forget(&state, caller.tenant_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Ask Evolution (GET /instance/connect/{instance}) for the QR code that pairs the instance;
/// qrcode.updated webhooks then refresh it on the live stream (event qrcode, admins only)
#[utoipa::path(
    post,
    path = "/instances/{id}/connect",
    operation_id = "connect_instance",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 200, description = "The QR code, or connected: true", body = InstanceQr),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 502, response = ErrorBody),
    )
)]
pub(super) async fn connect(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<InstanceQr>, ApiError> {
    caller.require_admin()?;
    let qr = instances::connect(&state.db, &state.evolution, caller.tenant_id, id).await?;
    Ok(axum::Json(qr))
}

/// The instance's last 30 days (UTC days) from instance_daily_stats, oldest first, every day
/// present
#[utoipa::path(
    get,
    path = "/instances/{id}/stats",
    operation_id = "instance_stats",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 200, description = "Days", body = Vec<InstanceDay>),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 404, response = ErrorBody),
    )
)]
pub(super) async fn stats(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<InstanceDay>>, ApiError> {
    let days = instance_history::last_days(&state.db, caller.tenant_id, id).await?;
    Ok(axum::Json(days))
}

/// Ask Evolution for the instance's connection state and store it
#[utoipa::path(
    post,
    path = "/instances/{id}/refresh",
    operation_id = "refresh_instance",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 200, description = "Instance", body = InstanceView),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 502, response = ErrorBody),
    )
)]
pub(super) async fn refresh(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<InstanceView>, ApiError> {
    caller.require_admin()?;
    let view = instances::refresh_state(
        &state.db,
        &state.evolution,
        &state.config.public_url,
        caller.tenant_id,
        id,
    )
    .await?;
    Ok(axum::Json(view))
}

/// Configure the instance's Evolution webhook to point at Flow (webhook_url, the events Flow
/// uses)
#[utoipa::path(
    post,
    path = "/instances/{id}/webhook",
    operation_id = "configure_instance_webhook",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 200, description = "Instance", body = InstanceView),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 502, response = ErrorBody),
    )
)]
pub(super) async fn webhook(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<InstanceView>, ApiError> {
    caller.require_admin()?;
    let view = instances::configure_webhook(
        &state.db,
        &state.evolution,
        &state.config.public_url,
        caller.tenant_id,
        id,
    )
    .await?;
    Ok(axum::Json(view))
}

/// Give the instance a new webhook secret (admins): Evolution's webhook is pointed at the new
/// webhook_url first (502 when it refuses, and nothing changes), then the old secret is refused
/// on every node
#[utoipa::path(
    post,
    path = "/instances/{id}/webhook/rotate",
    operation_id = "rotate_instance_webhook_secret",
    tag = "instances",
    params(("id" = i64, Path, description = "Instance id")),
    responses(
        (status = 200, description = "Instance, with its new webhook_url and webhook_secret", body = InstanceView),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 502, response = ErrorBody),
    )
)]
pub(super) async fn rotate_webhook(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<InstanceView>, ApiError> {
    caller.require_admin()?;
    let view = instances::rotate_webhook_secret(&state, caller.tenant_id, id).await?;
    Ok(axum::Json(view))
}
