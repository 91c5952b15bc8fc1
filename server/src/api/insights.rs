//! `/api/v1/insights/best-hours` and `/api/v1/campaigns/compare`: what the campaigns teach.

use app::insights::{BestHours, Comparison};
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::extract::Query;
use crate::api::extract::ids;
use crate::auth::TenantCaller;
use crate::error::{ApiError, ReadErrors};
use crate::service::insights::{self, Scope};
use crate::state::AppState;

/// Query of `GET /api/v1/insights/best-hours`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BestHoursQuery {
    /// Only the people on any of these lists: ids separated by commas (`3,7`).
    list_ids: Option<String>,
    /// Only this campaign's messages.
    campaign_id: Option<i64>,
}

/// The best hour to send
///
/// A 7×24 grid in the team's timezone (`weekday` 1 = Monday … 7 = Sunday, `hour` 0–23): `sends`
/// counted in the hour they were sent, `reads` and `replies` in the hour they happened, `active`
/// the person-hours contacts were seen online. `recommendation` is null until
/// `evidence.min_sends` messages were sent; then it names the (at most three) send slots with
/// at least `evidence.min_slot_sends` messages whose messages were most often read or answered
/// within an hour, per message sent in them (`read_rate`), above that share over every message
/// (`baseline_rate`).
#[utoipa::path(
    get,
    path = "/insights/best-hours",
    operation_id = "best_hours",
    tag = "insights",
    params(BestHoursQuery),
    responses(
        (status = 200, description = "The grid and its recommendation", body = BestHours),
        ReadErrors,
    )
)]
pub(super) async fn best_hours(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<BestHoursQuery>,
) -> Result<axum::Json<BestHours>, ApiError> {
    let scope = Scope {
        campaign_id: q.campaign_id,
        list_ids: ids(q.list_ids.as_deref().unwrap_or(""), "list_ids")?,
    };
    insights::check_scope(&state.db, caller.tenant_id, &scope).await?;
    Ok(axum::Json(
        insights::best_hours(&state.db.read, caller.tenant_id, &scope).await?,
    ))
}

/// Query of `GET /api/v1/campaigns/compare`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The campaigns, 1 to 10 ids separated by commas (`1,2,3`).
    ids: String,
}

/// Campaigns side by side
///
/// Size, delivery, read, reply, opt-out and deletion rates (percent of the messages sent),
/// the median time to read and the best variant by read rate, in the order asked. The same
/// table as CSV: `/export/campaigns/compare.csv?ids=…`.
#[utoipa::path(
    get,
    path = "/campaigns/compare",
    operation_id = "compare_campaigns",
    tag = "campaigns",
    params(CompareQuery),
    responses(
        (status = 200, description = "The campaigns side by side", body = Comparison),
        ReadErrors,
    )
)]
pub(super) async fn compare(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<CompareQuery>,
) -> Result<axum::Json<Comparison>, ApiError> {
    let ids = ids(&q.ids, "ids")?;
    Ok(axum::Json(
        insights::compare(&state.db, caller.tenant_id, &ids).await?,
    ))
}
