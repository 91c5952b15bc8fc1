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
        list.iter_mut().for_each(InstanceView::hide_secrets);
    }
    Ok(axum::Json(list))
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
