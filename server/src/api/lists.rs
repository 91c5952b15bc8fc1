//! `/api/v1/lists`: contact lists (create, rename, delete, members) and `/api/v1/audience`,
//! the live count of a campaign over lists.

use app::audience::{AudienceCount, ListMembers, ListMembersChanged, ListName, ListView};
use app::types::ContactView;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::api::extract::{Json, Path, Query};
use crate::auth::TenantCaller;
use crate::error::ApiError;
use crate::service::lists::{self, Audience};
use crate::service::{Page, Problem, ServiceError};
use crate::state::AppState;

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<ListView>>, ApiError> {
    Ok(axum::Json(lists::list(&state.db, caller.tenant_id).await?))
}

pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<ListName>,
) -> Result<(StatusCode, axum::Json<ListView>), ApiError> {
    caller.require_admin()?;
    let view = lists::create(&state.db, caller.tenant_id, &body.name).await?;
    tracing::info!(list_id = view.id, "list created");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListView>, ApiError> {
    Ok(axum::Json(
        lists::get(&state.db.read, caller.tenant_id, id).await?,
    ))
}

pub(super) async fn rename(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<ListName>,
) -> Result<axum::Json<ListView>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(
        lists::rename(&state.db, caller.tenant_id, id, &body.name).await?,
    ))
}

pub(super) async fn remove(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    lists::delete(&state.db, caller.tenant_id, id).await?;
    tracing::info!(list_id = id, "list deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `GET /api/v1/lists/{id}/contacts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MembersQuery {
    /// The last id of the previous page.
    cursor: Option<i64>,
    limit: Option<u64>,
}

pub(super) async fn contacts(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<MembersQuery>,
) -> Result<axum::Json<Vec<ContactView>>, ApiError> {
    let (limit, _) = Page {
        limit: q.limit,
        offset: None,
    }
    .resolve()?;
    Ok(axum::Json(
        lists::contacts(&state.db, caller.tenant_id, id, q.cursor, limit).await?,
    ))
}

pub(super) async fn add(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<ListMembers>,
) -> Result<axum::Json<ListMembersChanged>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(
        lists::add(&state.db, caller.tenant_id, id, &body).await?,
    ))
}

pub(super) async fn take_off(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<ListMembers>,
) -> Result<axum::Json<ListMembersChanged>, ApiError> {
    caller.require_admin()?;
    Ok(axum::Json(
        lists::remove(&state.db, caller.tenant_id, id, &body).await?,
    ))
}

/// Query of `GET /api/v1/audience`: comma-separated list ids.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudienceQuery {
    /// Lists whose contacts are taken (none: every contact).
    list_ids: Option<String>,
    /// Lists whose people are left out.
    exclude_list_ids: Option<String>,
}

/// `1,2, 3` → `[1, 2, 3]`.
fn ids(text: &str, field: &str) -> Result<Vec<i64>, ServiceError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                ServiceError::from(Problem::IdList {
                    field: field.to_string(),
                })
            })
        })
        .collect()
}

pub(super) async fn audience(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<AudienceQuery>,
) -> Result<axum::Json<AudienceCount>, ApiError> {
    let audience = Audience {
        include: q
            .list_ids
            .as_deref()
            .map(|t| ids(t, "list_ids"))
            .transpose()?,
        exclude: q
            .exclude_list_ids
            .as_deref()
            .map(|t| ids(t, "exclude_list_ids"))
            .transpose()?
            .unwrap_or_default(),
    };
    Ok(axum::Json(
        audience.count(&state.db, caller.tenant_id).await?,
    ))
}
