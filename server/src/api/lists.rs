//! `/api/v1/lists`: contact lists (create, rename, delete, members) and `/api/v1/audience`,
//! the live count of a campaign over lists.

use app::audience::{AudienceCount, ListMembers, ListMembersChanged, ListName, ListView};
use app::types::ContactView;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::extract::{Json, Path, Query, ids};
use crate::auth::TenantCaller;
use crate::error::{ApiError, ChangeErrors, ErrorBody, ReadErrors};
use crate::service::Page;
use crate::service::lists::{self, Audience};
use crate::state::AppState;

/// List contact lists
#[utoipa::path(
    get,
    path = "/lists",
    operation_id = "list_lists",
    tag = "lists",
    responses(
        (status = 200, description = "Lists", body = Vec<ListView>),
        (status = 401, response = ErrorBody),
    )
)]
pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
) -> Result<axum::Json<Vec<ListView>>, ApiError> {
    Ok(axum::Json(lists::list(&state.db, caller.tenant_id).await?))
}

/// Create a list
#[utoipa::path(
    post,
    path = "/lists",
    operation_id = "create_list",
    tag = "lists",
    request_body = ListName,
    responses(
        (status = 201, description = "List", body = ListView),
        ChangeErrors,
    )
)]
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

/// Show a list
#[utoipa::path(
    get,
    path = "/lists/{id}",
    operation_id = "show_list",
    tag = "lists",
    params(("id" = i64, Path, description = "List id")),
    responses(
        (status = 200, description = "List", body = ListView),
        ReadErrors,
    )
)]
pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<ListView>, ApiError> {
    Ok(axum::Json(
        lists::get(&state.db.read, caller.tenant_id, id).await?,
    ))
}

/// Rename a list
#[utoipa::path(
    patch,
    path = "/lists/{id}",
    operation_id = "rename_list",
    tag = "lists",
    params(("id" = i64, Path, description = "List id")),
    request_body = ListName,
    responses(
        (status = 200, description = "List", body = ListView),
        ChangeErrors,
    )
)]
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

/// Delete a list (its contacts stay)
#[utoipa::path(
    delete,
    path = "/lists/{id}",
    operation_id = "remove_list",
    tag = "lists",
    params(("id" = i64, Path, description = "List id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
    )
)]
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
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MembersQuery {
    /// The last id of the previous page.
    cursor: Option<i64>,
    /// Contacts wanted, 1 to 1000 (default 100).
    limit: Option<u64>,
}

/// A page of a list's contacts (keyset by id)
#[utoipa::path(
    get,
    path = "/lists/{id}/contacts",
    operation_id = "list_list_contacts",
    tag = "lists",
    params(("id" = i64, Path, description = "List id"), MembersQuery),
    responses(
        (status = 200, description = "Contacts", body = Vec<ContactView>),
        ReadErrors,
    )
)]
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

/// Add contacts to a list
#[utoipa::path(
    post,
    path = "/lists/{id}/contacts",
    operation_id = "add_list_contacts",
    tag = "lists",
    params(("id" = i64, Path, description = "List id")),
    request_body = ListMembers,
    responses(
        (status = 200, description = "Changed", body = ListMembersChanged),
        ChangeErrors,
    )
)]
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

/// Remove contacts from a list
#[utoipa::path(
    delete,
    path = "/lists/{id}/contacts",
    operation_id = "remove_list_contacts",
    tag = "lists",
    params(("id" = i64, Path, description = "List id")),
    request_body = ListMembers,
    responses(
        (status = 200, description = "Changed", body = ListMembersChanged),
        ChangeErrors,
    )
)]
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
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AudienceQuery {
    /// Comma-separated ids of the lists whose contacts are taken (none: every contact).
    list_ids: Option<String>,
    /// Comma-separated ids of the lists whose people are left out.
    exclude_list_ids: Option<String>,
}

/// Live count of a campaign over lists: N contacts (M already opted out will be skipped)
#[utoipa::path(
    get,
    path = "/audience",
    operation_id = "count_audience",
    tag = "audience",
    params(AudienceQuery),
    responses(
        (status = 200, description = "Count", body = AudienceCount),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 422, response = ErrorBody),
    )
)]
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
