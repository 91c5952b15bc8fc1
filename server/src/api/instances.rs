//! `/api/v1/instances`: register and list WhatsApp instances.

use app::types::{InstanceView, NewInstance};
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::Json;
use crate::auth::TenantCaller;
use crate::error::ApiError;
use crate::service::instances;
use crate::state::AppState;

pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewInstance>,
) -> Result<(StatusCode, axum::Json<InstanceView>), ApiError> {
    let view =
        instances::create(&state.db, &state.config.public_url, caller.tenant_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<InstanceView>>, ApiError> {
    let list = instances::list(&state.db, &state.config.public_url, caller.tenant_id).await?;
    Ok(axum::Json(list))
}
