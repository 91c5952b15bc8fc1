//! `/api/v1/settings`: the tenant's opt-out keywords, timezone and new-campaign defaults
//! (everyone reads, admins change), and the opt-out tester.

use app::types::{OptOutTest, TenantSettings};
use axum::extract::State;
use serde::Deserialize;

use crate::api::extract::Json;
use crate::auth::TenantCaller;
use crate::error::ApiError;
use crate::service::settings;
use crate::state::AppState;

/// Body of `POST /api/v1/settings/opt-out-test`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptOutTestBody {
    text: String,
}

pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<TenantSettings>, ApiError> {
    Ok(axum::Json(
        settings::get(&state.db, caller.tenant_id).await?,
    ))
}

pub(super) async fn replace(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<TenantSettings>,
) -> Result<axum::Json<TenantSettings>, ApiError> {
    caller.require_admin()?;
    let saved = settings::put(&state.db, caller.tenant_id, body).await?;
    tracing::info!(tenant_id = caller.tenant_id, "settings changed");
    Ok(axum::Json(saved))
}

pub(super) async fn opt_out_test(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<OptOutTestBody>,
) -> Result<axum::Json<OptOutTest>, ApiError> {
    Ok(axum::Json(
        settings::opt_out_test(&state.db, caller.tenant_id, &body.text).await?,
    ))
}
