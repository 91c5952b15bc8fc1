//! `/api/v1/contacts`: import (JSON array or CSV), list, show.

use app::types::{ContactView, ImportReport, NewContact};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::CONTENT_TYPE;
use serde::Deserialize;

use crate::api::extract::{Path, Query};
use crate::auth::TenantCaller;
use crate::error::ApiError;
use crate::service::{Page, contacts};
use crate::state::AppState;

/// Query of `GET /api/v1/contacts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    phone: Option<String>,
    limit: Option<u64>,
    offset: Option<u64>,
}

pub(super) async fn import(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<ImportReport>, ApiError> {
    caller.require_admin()?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rows: Vec<NewContact> = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).map_err(|e| {
            if e.is_data() {
                ApiError::Validation(format!(
                    "expected a JSON array of {{name, phone}} objects: {e}"
                ))
            } else {
                ApiError::BadRequest(format!("malformed JSON: {e}"))
            }
        })?
    } else if content_type.starts_with("text/csv") {
        let text = std::str::from_utf8(&body)
            .map_err(|_| ApiError::BadRequest("the CSV is not UTF-8 text".into()))?;
        contacts::parse_csv(text)?
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/json (an array of {name, phone}) or text/csv (header: name,phone)"
                .into(),
        ));
    };
    let report = contacts::import(&state.db, caller.tenant_id, rows).await?;
    Ok(axum::Json(report))
}

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<ContactView>>, ApiError> {
    let (limit, offset) = Page {
        limit: q.limit,
        offset: q.offset,
    }
    .resolve()?;
    let rows = contacts::list(
        &state.db,
        caller.tenant_id,
        q.phone.as_deref(),
        limit,
        offset,
    )
    .await?;
    Ok(axum::Json(rows))
}

pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<ContactView>, ApiError> {
    Ok(axum::Json(
        contacts::get(&state.db, caller.tenant_id, id).await?,
    ))
}
