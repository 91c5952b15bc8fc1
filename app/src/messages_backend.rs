//! The port through which the pages that send media, polls, tests and follow-ups reach the
//! server's services, beside [`crate::backend::DashboardApi`]. The server implements [`MessagesApi`]
//! and provides a [`MessagesBackend`] as Leptos context.

use std::sync::Arc;

use crate::backend::{BoxFuture, Caller, DashboardResult};
use crate::follow_up::NewFollowUp;
use crate::messages::{MediaView, TestSendReport, TestSendRequest};
use crate::types::CampaignView;

/// What those pages need from the server; every method is scoped to the caller's tenant.
pub trait MessagesApi: Send + Sync {
    /// An uploaded file.
    fn media<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<MediaView>>;
    /// Sends every variant of campaign `campaign_id` to one number (admins).
    fn test_send<'a>(
        &'a self,
        caller: &'a Caller,
        campaign_id: i64,
        request: TestSendRequest,
    ) -> BoxFuture<'a, DashboardResult<TestSendReport>>;
    /// Makes a draft follow-up of campaign `parent_id` (admins).
    fn follow_up<'a>(
        &'a self,
        caller: &'a Caller,
        parent_id: i64,
        request: NewFollowUp,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>>;
}

/// The server's implementation, provided as Leptos context.
#[derive(Clone)]
pub struct MessagesBackend(pub Arc<dyn MessagesApi>);
