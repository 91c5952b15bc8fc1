//! `/api/v1/settings`: the tenant's opt-out keywords, timezone and new-campaign defaults
//! (everyone reads, admins change), and the opt-out tester.

use app::types::{OptOutTest, TenantSettings};
use axum::extract::State;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::api::extract::Json;
use crate::auth::TenantCaller;
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::service::settings;
use crate::state::AppState;

/// Body of `POST /api/v1/settings/opt-out-test`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OptOutTestBody {
    /// A message as a contact would send it.
    text: String,
}

/// The tenant's settings: opt-out keywords, timezone, defaults of new campaigns
#[utoipa::path(
    get,
    path = "/settings",
    operation_id = "show_settings",
    tag = "settings",
    responses(
        (status = 200, description = "Settings", body = TenantSettings),
        (status = 401, response = ErrorBody),
    )
)]
pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<TenantSettings>, ApiError> {
    Ok(axum::Json(
        settings::get(&state.db, caller.tenant_id).await?,
    ))
}

/// Replace the tenant's settings (admins only)
#[utoipa::path(
    put,
    path = "/settings",
    operation_id = "replace_settings",
    tag = "settings",
    request_body = TenantSettings,
    responses(
        (status = 200, description = "Settings", body = TenantSettings),
        AdminErrors,
    )
)]
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

/// Would this message, received from a contact, opt them out? (the same matcher as incoming
/// messages)
#[utoipa::path(
    post,
    path = "/settings/opt-out-test",
    operation_id = "test_opt_out",
    tag = "settings",
    request_body = OptOutTestBody,
    responses(
        (status = 200, description = "Result", body = OptOutTest),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 422, response = ErrorBody),
    )
)]
pub(super) async fn opt_out_test(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<OptOutTestBody>,
) -> Result<axum::Json<OptOutTest>, ApiError> {
    Ok(axum::Json(
        settings::opt_out_test(&state.db, caller.tenant_id, &body.text).await?,
    ))
}
