//! `/api/v1/campaigns`: create, preview, show, list, recipients, log, replies, state
//! transitions, schedule, duplicate, a test send and poll results.

use app::audience::ReplyView;
use app::messages::{PollResults, TestSendReport, TestSendRequest};
use app::types::{
    CampaignContactView, CampaignLogView, CampaignPreview, CampaignView, NewCampaign,
    PreviewRequest,
};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::{Json, Path, Query};
use crate::auth::TenantCaller;
use crate::domain::campaign_state::CampaignAction;
use crate::error::{AdminErrors, ApiError, ChangeErrors, ErrorBody, ReadErrors};
use crate::live::transition::publish_transition;
use crate::service::{Page, campaigns, polls, settings, test_send};
use crate::state::AppState;

/// Query of `GET /api/v1/campaigns/{id}/contacts`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ContactsQuery {
    /// Only the recipients in this delivery status (`pending`, `sent`, `read`, …), or `clicked`:
    /// those who clicked one of its links.
    status: Option<String>,
    /// The id of the previous page's last row (keyset: as fast at any depth).
    cursor: Option<i64>,
    /// Rows wanted, 1 to 1000 (default 100).
    limit: Option<u64>,
    /// Rows skipped (after `cursor` when given).
    offset: Option<u64>,
}

/// Query of `GET /api/v1/campaigns/{id}/logs`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LogsQuery {
    /// The id of the previous page's last (oldest) line (keyset).
    cursor: Option<i64>,
    /// Lines wanted, 1 to 1000 (default 100).
    limit: Option<u64>,
    /// Lines skipped (after `cursor` when given).
    offset: Option<u64>,
}

/// Create a draft campaign
#[utoipa::path(
    post,
    path = "/campaigns",
    operation_id = "create_campaign",
    tag = "campaigns",
    request_body = NewCampaign,
    responses(
        (status = 201, description = "Created", body = CampaignView),
        AdminErrors,
    )
)]
pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewCampaign>,
) -> Result<(StatusCode, axum::Json<CampaignView>), ApiError> {
    caller.require_admin()?;
    let view = campaigns::create(&state.db, caller.tenant_id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Render a few spins of each message variant for a sample contact, with a warning when they are too alike (token Jaccard ≥ 0.8)
#[utoipa::path(
    post,
    path = "/campaigns/preview",
    operation_id = "preview_campaign",
    tag = "campaigns",
    request_body = PreviewRequest,
    responses(
        (status = 200, description = "OK", body = CampaignPreview),
        (status = 401, response = ErrorBody),
        (status = 422, response = ErrorBody),
    )
)]
pub(super) async fn preview(
    _caller: TenantCaller,
    Json(body): Json<PreviewRequest>,
) -> Result<axum::Json<CampaignPreview>, ApiError> {
    Ok(axum::Json(campaigns::preview(&body)?))
}

/// List campaigns, newest first
#[utoipa::path(
    get,
    path = "/campaigns",
    operation_id = "list_campaigns",
    tag = "campaigns",
    params(Page),
    responses(
        (status = 200, description = "Campaigns", body = Vec<CampaignView>),
        ReadErrors,
    )
)]
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

/// Show a campaign with counters, rates and timing
///
/// `timing` has the p50 and p90 of sent→delivered and sent→read (nearest rank, null while
/// there is no data) and the time-to-read histogram; each variant has its own.
#[utoipa::path(
    get,
    path = "/campaigns/{id}",
    operation_id = "show_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ReadErrors,
    )
)]
pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    Ok(axum::Json(
        campaigns::get_with_timing(&state.db, caller.tenant_id, id).await?,
    ))
}

/// The campaign's recipients
///
/// In campaign order, a page at a time: pass the last row's `id` as the next page's `cursor`.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/contacts",
    operation_id = "list_campaign_contacts",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), ContactsQuery),
    responses(
        (status = 200, description = "Rows", body = Vec<CampaignContactView>),
        ReadErrors,
    )
)]
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

/// The campaign log, newest first
///
/// A page at a time: pass the last (oldest) line's `id` as the next page's `cursor`.
#[utoipa::path(
    get,
    path = "/campaigns/{id}/logs",
    operation_id = "list_campaign_logs",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), LogsQuery),
    responses(
        (status = 200, description = "Lines", body = Vec<CampaignLogView>),
        ReadErrors,
    )
)]
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

/// Start a draft campaign
#[utoipa::path(
    post,
    path = "/campaigns/{id}/start",
    operation_id = "start_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ChangeErrors,
    )
)]
pub(super) async fn start(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    transition(caller, state, id, CampaignAction::Start).await
}

/// Pause an active campaign
#[utoipa::path(
    post,
    path = "/campaigns/{id}/pause",
    operation_id = "pause_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ChangeErrors,
    )
)]
pub(super) async fn pause(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    transition(caller, state, id, CampaignAction::Pause).await
}

/// Resume a paused campaign
#[utoipa::path(
    post,
    path = "/campaigns/{id}/resume",
    operation_id = "resume_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ChangeErrors,
    )
)]
pub(super) async fn resume(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    transition(caller, state, id, CampaignAction::Resume).await
}

/// Cancel a campaign; pending contacts are cancelled
#[utoipa::path(
    post,
    path = "/campaigns/{id}/cancel",
    operation_id = "cancel_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ChangeErrors,
    )
)]
pub(super) async fn cancel(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    transition(caller, state, id, CampaignAction::Cancel).await
}

/// Take a scheduled campaign back to draft
#[utoipa::path(
    post,
    path = "/campaigns/{id}/unschedule",
    operation_id = "unschedule_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ChangeErrors,
    )
)]
pub(super) async fn unschedule(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<CampaignView>, ApiError> {
    transition(caller, state, id, CampaignAction::Unschedule).await
}

/// Applies `action` to campaign `id` (admins only) and publishes the change.
async fn transition(
    caller: TenantCaller,
    state: AppState,
    id: i64,
    action: CampaignAction,
) -> Result<axum::Json<CampaignView>, ApiError> {
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
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleBody {
    /// RFC 3339, or a local date and time in the tenant's timezone (`2026-12-01T09:00`).
    start_at: String,
}

/// Schedule a draft to start by itself (status scheduled); again to move the time
#[utoipa::path(
    post,
    path = "/campaigns/{id}/schedule",
    operation_id = "schedule_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    request_body = ScheduleBody,
    responses(
        (status = 200, description = "Campaign", body = CampaignView),
        ChangeErrors,
    )
)]
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

/// Make a draft copy of a campaign (message, instances, settings, contacts)
#[utoipa::path(
    post,
    path = "/campaigns/{id}/duplicate",
    operation_id = "duplicate_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 201, description = "Created", body = CampaignView),
        AdminErrors,
    )
)]
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

/// Send every variant of a campaign (with its media or poll) to one number, rendered with a contact's data; not counted in the campaign, written in its log, refused for a number that opted out
#[utoipa::path(
    post,
    path = "/campaigns/{id}/test",
    operation_id = "test_send_campaign",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    request_body = TestSendRequest,
    responses(
        (status = 200, description = "What Evolution answered for each variant", body = TestSendReport),
        (status = 409, response = ErrorBody),
        AdminErrors,
    )
)]
pub(super) async fn test_send(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<TestSendRequest>,
) -> Result<axum::Json<TestSendReport>, ApiError> {
    caller.require_admin()?;
    let report = test_send::send(
        &state.db,
        &state.evolution,
        &state.config.public_url,
        caller.tenant_id,
        id,
        &body,
    )
    .await?;
    tracing::info!(campaign_id = id, "test send");
    Ok(axum::Json(report))
}

/// Each option of a campaign's poll and its votes (each person's latest vote counts once)
#[utoipa::path(
    get,
    path = "/campaigns/{id}/poll",
    operation_id = "campaign_poll_results",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id")),
    responses(
        (status = 200, description = "Votes per option", body = PollResults),
        ReadErrors,
    )
)]
pub(super) async fn poll_results(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<PollResults>, ApiError> {
    Ok(axum::Json(
        polls::results(&state.db.read, caller.tenant_id, id).await?,
    ))
}

/// Query of `GET /api/v1/campaigns/{id}/replies`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RepliesQuery {
    /// Only the replies that opted the person out.
    #[serde(default)]
    only_opt_outs: bool,
    /// The last id of the previous page (replies come newest first).
    cursor: Option<i64>,
    /// Replies wanted, 1 to 1000 (default 100).
    limit: Option<u64>,
}

/// The replies to a campaign, newest first
#[utoipa::path(
    get,
    path = "/campaigns/{id}/replies",
    operation_id = "list_campaign_replies",
    tag = "campaigns",
    params(("id" = i64, Path, description = "Campaign id"), RepliesQuery),
    responses(
        (status = 200, description = "Replies", body = Vec<ReplyView>),
        ReadErrors,
    )
)]
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
