//! `/api/v1/instances`: register, list, edit, remove and pair (QR code) WhatsApp instances.

use app::types::{InstanceDay, InstancePatch, InstanceQr, InstanceView, NewInstance};
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path};
use crate::auth::{Role, TenantCaller};
use crate::error::ApiError;
use crate::service::{instance_history, instances};
use crate::state::AppState;

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

/// `GET /instances/{id}`.
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

/// `PATCH /instances/{id}`: friendly name and/or api key.
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

/// `DELETE /instances/{id}`: 409 while an unfinished campaign uses it.
pub(super) async fn remove(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    instances::remove_and_forget(&state, caller.tenant_id, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /instances/{id}/connect`: Evolution's QR code to pair the instance.
pub(super) async fn connect(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<InstanceQr>, ApiError> {
    caller.require_admin()?;
    let qr = instances::connect(&state.db, &state.evolution, caller.tenant_id, id).await?;
    Ok(axum::Json(qr))
}

/// `GET /instances/{id}/stats`: the last 30 days from `instance_daily_stats`.
pub(super) async fn stats(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<Vec<InstanceDay>>, ApiError> {
    let days = instance_history::last_days(&state.db, caller.tenant_id, id).await?;
    Ok(axum::Json(days))
}

/// `POST /instances/{id}/refresh` (ask Evolution for the state) and
/// `POST /instances/{id}/webhook` (point Evolution's webhook at Flow).
pub(super) async fn evolution_action(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
) -> Result<axum::Json<InstanceView>, ApiError> {
    caller.require_admin()?;
    let (db, client) = (&state.db, &state.evolution);
    let (public_url, tenant_id) = (state.config.public_url.as_str(), caller.tenant_id);
    let view = match action.as_str() {
        "refresh" => instances::refresh_state(db, client, public_url, tenant_id, id).await?,
        "webhook" => instances::configure_webhook(db, client, public_url, tenant_id, id).await?,
        _ => return Err(ApiError::NotFound("endpoint")),
    };
    Ok(axum::Json(view))
}
