//! `POST /api/v1/campaigns/{id}/follow-up` (a draft follow-up to one segment of a started
//! campaign's recipients) and `POST /api/v1/conversions` (a sale a shop reports, attributed
//! to the campaign that led to it).

use app::follow_up::{ConversionView, NewConversion, NewFollowUp};
use app::types::CampaignView;
use axum::extract::State;
use axum::http::StatusCode;

use crate::api::extract::{Json, Path};
use crate::auth::TenantCaller;
use crate::error::{AdminErrors, ApiError, ErrorBody};
use crate::live::ChangeKind;
use crate::service::{campaigns, conversions, follow_ups};
use crate::state::AppState;

/// Make a draft follow-up ("Lembrete") of a started campaign for one segment of its recipients (`not_read`, `read_not_replied`, `not_clicked`, `clicked`), taken when it starts from messages at least `min_age_hours` old (12–240, default 24); nobody opted out, erased or already in another follow-up of the chain
#[utoipa::path(
    post,
    path = "/campaigns/{id}/follow-up",
    operation_id = "create_follow_up",
    tag = "campaigns",
    params(("id" = i64, Path, description = "The parent campaign's id")),
    request_body = NewFollowUp,
    responses(
        (status = 201, description = "Created (a draft without recipients until it starts)", body = CampaignView),
        (status = 409, response = ErrorBody),
        AdminErrors,
    )
)]
pub(super) async fn create(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<NewFollowUp>,
) -> Result<(StatusCode, axum::Json<CampaignView>), ApiError> {
    caller.require_admin()?;
    let view = follow_ups::create(&state.db, caller.tenant_id, id, body).await?;
    tracing::info!(campaign_id = view.id, parent = id, "follow-up created");
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Report a sale: attributed to the campaign the buyer last clicked, else last read, within the tenant's attribution window (default 7 days), unless `campaign_id` names one; `order_id` makes it idempotent
#[utoipa::path(
    post,
    path = "/conversions",
    operation_id = "report_conversion",
    tag = "conversions",
    request_body = NewConversion,
    responses(
        (status = 201, description = "Recorded", body = ConversionView),
        (status = 200, description = "This order was reported before: the first report stands", body = ConversionView),
        AdminErrors,
    )
)]
pub(super) async fn report(
    caller: TenantCaller,
    State(state): State<AppState>,
    Json(body): Json<NewConversion>,
) -> Result<(StatusCode, axum::Json<ConversionView>), ApiError> {
    caller.require_admin()?;
    let (view, created) = conversions::record(&state.db, caller.tenant_id, &body).await?;
    if created {
        // The campaign's page shows its sales live.
        if let Some(campaign_id) = view.campaign_id
            && let Ok(campaign) = campaigns::get(&state.db, caller.tenant_id, campaign_id).await
        {
            state
                .bus
                .publish(caller.tenant_id, ChangeKind::Campaign(Box::new(campaign)));
        }
        tracing::info!(conversion = view.id, campaign_id = ?view.campaign_id, "conversion recorded");
    }
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(view)))
}
