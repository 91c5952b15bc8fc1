//! `/api/v1/campaigns`: create, preview, show, list, recipients, log, state transitions,
//! schedule and duplicate.

use app::audience::ReplyView;
use app::types::{
    CampaignContactView, CampaignLogView, CampaignPreview, CampaignView, NewCampaign,
    PreviewRequest,
};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;

use crate::api::extract::{Json, Path, Query};
use crate::auth::TenantCaller;
use crate::domain::campaign_state::CampaignAction;
use crate::error::ApiError;
use crate::live::transition::publish_transition;
use crate::service::{Page, campaigns, settings};
use crate::state::AppState;

/// Query of `GET /api/v1/campaigns/{id}/contacts`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactsQuery {
    status: Option<String>,
    /// The `id` of the previous page's last row (keyset).
    cursor: Option<i64>,
    limit: Option<u64>,
    offset: Option<u64>,
}

/// Query of `GET /api/v1/campaigns/{id}/logs`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsQuery {
    /// The `id` of the previous page's last (oldest) line (keyset).
    cursor: Option<i64>,
    limit: Option<u64>,
    offset: Option<u64>,
}

pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewCampaign>,
) -> Result<(StatusCode, axum::Json<CampaignView>), ApiError> {
    caller.require_admin()?;
    let view = campaigns::create(&state.db, caller.tenant_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// `POST /api/v1/campaigns/preview`: renderings of the variants and a similarity warning.
pub(super) async fn preview(
    _caller: TenantCaller,
    Json(body): Json<PreviewRequest>,
) -> Result<axum::Json<CampaignPreview>, ApiError> {
    Ok(axum::Json(campaigns::preview(&body)?))
}

pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(page): Query<Page>,
) -> Result<axum::Json<Vec<CampaignView>>, ApiError> {
    let (limit, offset) = page.resolve()?;
    Ok(axum::Json(
        campaigns::list(&state.db, caller.tenant_id, limit, offset).await?,
    ))
}

pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    Ok(axum::Json(
        campaigns::get(&state.db, caller.tenant_id, id).await?,
    ))
}

pub(super) async fn contacts(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<ContactsQuery>,
) -> Result<axum::Json<Vec<CampaignContactView>>, ApiError> {
    let window = Page {
        limit: q.limit,
        offset: q.offset,
    }
    .window(q.cursor)?;
    let rows = campaigns::contacts(
        &state.db,
        caller.tenant_id,
        id,
        q.status.as_deref(),
        None,
        window,
    )
    .await?;
    Ok(axum::Json(rows))
}

pub(super) async fn logs(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<LogsQuery>,
) -> Result<axum::Json<Vec<CampaignLogView>>, ApiError> {
    let window = Page {
        limit: q.limit,
        offset: q.offset,
    }
    .window(q.cursor)?;
    Ok(axum::Json(
        campaigns::logs(&state.db, caller.tenant_id, id, None, window).await?,
    ))
}

pub(super) async fn transition(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path((id, action)): Path<(i64, String)>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    let action = CampaignAction::parse(&action).ok_or(ApiError::NotFound("endpoint"))?;
    caller.require_admin()?;
    let view = campaigns::transition(&state.db, caller.tenant_id, id, action).await?;
    publish_transition(&state.db.read, &state.bus, caller.tenant_id, &view).await;
    tracing::info!(
        campaign_id = id,
        action = action.as_str(),
        "campaign transition"
    );
    Ok(axum::Json(view))
}

/// Body of `POST /api/v1/campaigns/{id}/schedule`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// RFC 3339, or a local date and time in the tenant's timezone.
    start_at: String,
}

pub(super) async fn schedule(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<ScheduleBody>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    caller.require_admin()?;
    let tz = settings::timezone(&state.db.read, caller.tenant_id).await?;
    let start_at = settings::parse_start_at(&body.start_at, tz)?;
    let view = campaigns::schedule(&state.db, caller.tenant_id, id, start_at).await?;
    publish_transition(&state.db.read, &state.bus, caller.tenant_id, &view).await;
    tracing::info!(campaign_id = id, "campaign scheduled");
    Ok(axum::Json(view))
}

pub(super) async fn duplicate(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<(StatusCode, axum::Json<CampaignView>), ApiError> {
    caller.require_admin()?;
    let view = campaigns::duplicate(&state.db, caller.tenant_id, id).await?;
    tracing::info!(campaign_id = view.id, source = id, "campaign duplicated");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Query of `GET /api/v1/campaigns/{id}/replies`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepliesQuery {
    /// Only the replies that opted the person out.
    #[serde(default)]
    only_opt_outs: bool,
    /// The last id of the previous page (replies come newest first).
    cursor: Option<i64>,
    limit: Option<u64>,
}

pub(super) async fn replies(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<RepliesQuery>,
) -> Result<axum::Json<Vec<ReplyView>>, ApiError> {
    let (limit, _) = Page {
        limit: q.limit,
        offset: None,
    }
    .resolve()?;
    Ok(axum::Json(
        campaigns::replies(
            &state.db,
            caller.tenant_id,
            id,
            q.only_opt_outs,
            q.cursor,
            limit,
        )
        .await?,
    ))
}
