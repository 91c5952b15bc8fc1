//! `/api/v1/instances`: register and list WhatsApp instances.

use app::types::{InstanceView, NewInstance};
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path};
use crate::auth::{Role, TenantCaller};
use crate::error::ApiError;
use crate::service::instances;
use crate::state::AppState;

pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewInstance>,
) -> Result<(StatusCode, axum::Json<InstanceView>), ApiError> {
    caller.require_admin()?;
    let view =
        instances::create(&state.db, &state.config.public_url, caller.tenant_id, body).await?;
    // Ask Evolution for the real connection state in the background; until it answers the
    // instance shows `connecting`.
    let (st, id) = (state.clone(), view.id);
    tokio::spawn(async move {
        if let Err(e) = instances::refresh_state(
            &st.db,
            &st.evolution,
            &st.config.public_url,
            caller.tenant_id,
            id,
        )
        .await
        {
            tracing::info!(instance_id = id, error = %e, "cannot read the instance state from Evolution yet");
        }
    });
    Ok((StatusCode::CREATED, axum::Json(view)))
}

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<InstanceView>>, ApiError> {
    let mut list = instances::list(&state.db, &state.config.public_url, caller.tenant_id).await?;
    if caller.role != Role::Admin {
        // Viewers (dashboard cookies) see instances, not the secrets that post into them.
        for i in &mut list {
            i.webhook_url.clear();
            i.webhook_secret.clear();
        }
    }
    Ok(axum::Json(list))
}

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

pub(super) async fn configure_webhook(
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
