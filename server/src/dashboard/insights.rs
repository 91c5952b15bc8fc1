//! The insights pages' port ([`app::insights_backend::InsightsApi`]) over the services: the
//! best-hours grid, a campaign's time to read, and campaigns side by side.

use std::sync::Arc;

use app::backend::{BoxFuture, Caller, DashboardResult};
use app::insights::{BestHours, CampaignTiming, Comparison};
use app::insights_backend::{InsightsApi, InsightsBackend};

use crate::dashboard::backend::service;
use crate::service::campaigns;
use crate::service::insights::{self, Scope};
use crate::state::AppState;

/// The insights backend of a running server.
pub struct InsightsDashboard {
    state: AppState,
}

impl InsightsDashboard {
    /// The backend over `state`, wrapped for Leptos context.
    pub fn provide(state: AppState) -> InsightsBackend {
        InsightsBackend(Arc::new(Self { state }))
    }
}

impl InsightsApi for InsightsDashboard {
    fn best_hours<'a>(
        &'a self,
        caller: &'a Caller,
        list_ids: Vec<i64>,
        campaign_id: Option<i64>,
    ) -> BoxFuture<'a, DashboardResult<BestHours>> {
        Box::pin(async move {
            let scope = Scope {
                campaign_id,
                list_ids,
            };
            insights::check_scope(&self.state.db, caller.tenant_id, &scope)
                .await
                .map_err(service)?;
            insights::best_hours(&self.state.db.read, caller.tenant_id, &scope)
                .await
                .map_err(service)
        })
    }

    fn timing<'a>(
        &'a self,
        caller: &'a Caller,
        campaign_id: i64,
    ) -> BoxFuture<'a, DashboardResult<CampaignTiming>> {
        Box::pin(async move {
            campaigns::ensure_exists(&self.state.db, caller.tenant_id, campaign_id)
                .await
                .map_err(service)?;
            insights::timing(&self.state.db.read, campaign_id, 1)
                .await
                .map(|(timing, _)| timing)
                .map_err(|e| service(e.into()))
        })
    }

    fn compare<'a>(
        &'a self,
        caller: &'a Caller,
        ids: Vec<i64>,
    ) -> BoxFuture<'a, DashboardResult<Comparison>> {
        Box::pin(async move {
            insights::compare(&self.state.db, caller.tenant_id, &ids)
                .await
                .map_err(service)
        })
    }
}
