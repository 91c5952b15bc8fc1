//! The port through which the insights pages (best hours, time to read, comparisons) reach
//! the server's services, beside [`crate::backend::DashboardApi`]. The server implements
//! [`InsightsApi`] and provides an [`InsightsBackend`] as Leptos context.

use std::sync::Arc;

use crate::backend::{BoxFuture, Caller, DashboardResult};
use crate::insights::{BestHours, CampaignTiming, Comparison};

/// What the insights pages need from the server; every method is scoped to the caller's
/// tenant.
pub trait InsightsApi: Send + Sync {
    /// The best-hours grid over the people on `list_ids` (all when empty) and the messages of
    /// `campaign_id` (all when `None`).
    fn best_hours<'a>(
        &'a self,
        caller: &'a Caller,
        list_ids: Vec<i64>,
        campaign_id: Option<i64>,
    ) -> BoxFuture<'a, DashboardResult<BestHours>>;
    /// A campaign's time to deliver and to read.
    fn timing<'a>(
        &'a self,
        caller: &'a Caller,
        campaign_id: i64,
    ) -> BoxFuture<'a, DashboardResult<CampaignTiming>>;
    /// Campaigns `ids` side by side.
    fn compare<'a>(
        &'a self,
        caller: &'a Caller,
        ids: Vec<i64>,
    ) -> BoxFuture<'a, DashboardResult<Comparison>>;
}

/// The server's implementation, provided as Leptos context.
#[derive(Clone)]
pub struct InsightsBackend(pub Arc<dyn InsightsApi>);
