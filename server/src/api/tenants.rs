//! `POST /api/v1/tenants`: the operator creates a tenant.

use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::api::extract::Json;
use crate::auth::AdminCaller;
use crate::error::ApiError;
use crate::service::tenants;
use crate::state::AppState;
use app::types::TenantCreated;

/// Body of `POST /api/v1/tenants`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTenant {
    name: String,
}

pub(super) async fn create(
    _admin: AdminCaller,
    State(state): State<AppState>,
    Json(body): Json<NewTenant>,
) -> Result<(StatusCode, axum::Json<TenantCreated>), ApiError> {
    let created = tenants::create(&state.db, &body.name).await?;
    tracing::info!(tenant_id = created.id, "tenant created");
    Ok((StatusCode::CREATED, axum::Json(created)))
}
