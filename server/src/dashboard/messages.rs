//! The port of the pages that send media, polls, tests and follow-ups
//! ([`app::messages_backend::MessagesApi`]) over the services.

use std::sync::Arc;

use app::backend::{BoxFuture, Caller, DashboardError, DashboardResult};
use app::follow_up::NewFollowUp;
use app::messages::{MediaView, TestSendReport, TestSendRequest};
use app::messages_backend::{MessagesApi, MessagesBackend};
use app::types::CampaignView;

use crate::dashboard::backend::service;
use crate::service::{follow_ups, media, test_send};
use crate::state::AppState;

/// The messages backend of a running server.
pub struct MessagesDashboard {
    state: AppState,
}

impl MessagesDashboard {
    /// The backend over `state`, wrapped for Leptos context.
    pub fn provide(state: AppState) -> MessagesBackend {
        MessagesBackend(Arc::new(Self { state }))
    }
}

impl MessagesApi for MessagesDashboard {
    fn media<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<MediaView>> {
        Box::pin(async move {
            media::find(&self.state.db.read, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn test_send<'a>(
        &'a self,
        caller: &'a Caller,
        campaign_id: i64,
        request: TestSendRequest,
    ) -> BoxFuture<'a, DashboardResult<TestSendReport>> {
        Box::pin(async move {
            if !caller.is_admin() {
                return Err(DashboardError::Forbidden);
            }
            test_send::send(
                &self.state.db,
                &self.state.evolution,
                &self.state.config.public_url,
                caller.tenant_id,
                campaign_id,
                &request,
            )
            .await
            .map_err(service)
        })
    }

    fn follow_up<'a>(
        &'a self,
        caller: &'a Caller,
        parent_id: i64,
        request: NewFollowUp,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>> {
        Box::pin(async move {
            if !caller.is_admin() {
                return Err(DashboardError::Forbidden);
            }
            follow_ups::create(&self.state.db, caller.tenant_id, parent_id, request)
                .await
                .map_err(service)
        })
    }
}
