//! The server functions of the insights pages: the best-hours grid, a campaign's time to
//! read, and campaigns side by side. All read-only.
#![allow(
    missing_docs,
    reason = "#[server] generates an argument struct per function; its fields are the documented parameters"
)]

use leptos::prelude::*;

use crate::insights::{BestHours, CampaignTiming, Comparison};

#[cfg(feature = "ssr")]
fn insights() -> Result<crate::insights_backend::InsightsBackend, ServerFnError> {
    use_context::<crate::insights_backend::InsightsBackend>()
        .ok_or_else(|| ServerFnError::new("insights backend missing"))
}

/// The best-hours grid, optionally over one list's people and one campaign's messages.
#[server(prefix = "/api/ui", endpoint = "best_hours")]
pub async fn load_best_hours(
    list_id: Option<i64>,
    campaign_id: Option<i64>,
) -> Result<BestHours, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    insights()?
        .0
        .best_hours(&caller, list_id.into_iter().collect(), campaign_id)
        .await
        .map_err(crate::api::server::fail)
}

/// A campaign's time to deliver and to read.
#[server(prefix = "/api/ui", endpoint = "campaign_timing")]
pub async fn load_campaign_timing(id: i64) -> Result<CampaignTiming, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    insights()?
        .0
        .timing(&caller, id)
        .await
        .map_err(crate::api::server::fail)
}

/// Campaigns side by side, in the order of `ids`.
#[server(prefix = "/api/ui", endpoint = "compare")]
pub async fn compare_campaigns(ids: Vec<i64>) -> Result<Comparison, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    insights()?
        .0
        .compare(&caller, ids)
        .await
        .map_err(crate::api::server::fail)
}
