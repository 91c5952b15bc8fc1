//! The audience pages' port ([`app::audience_backend::AudienceApi`]) over the services:
//! contact search and detail, consent by hand, erasure and import jobs.

use std::sync::Arc;

use app::audience::{
    AudienceCount, ContactCorrection, ContactDetail, ImportJobView, ListMembers,
    ListMembersChanged, ListView, MemberSearch, ReplyView,
};
use app::audience_backend::{AudienceApi, AudienceBackend};
use app::backend::{BoxFuture, Caller, DashboardResult};
use app::types::ContactView;

use crate::dashboard::backend::{admin, service};
use crate::live::transition::publish_transition;
use crate::service::contacts::{self, Search};
use crate::service::lists::{self, Audience};
use crate::service::{campaigns, consent, correction, imports};
use crate::state::AppState;

/// Contacts shown per page.
const PAGE: u64 = 50;

/// Replies shown on a campaign's page.
const REPLIES_SHOWN: u64 = 200;

/// The audience backend of a running server.
pub struct AudienceDashboard {
    state: AppState,
}

impl AudienceDashboard {
    /// The backend over `state`, wrapped for Leptos context.
    pub fn provide(state: AppState) -> AudienceBackend {
        AudienceBackend(Arc::new(Self { state }))
    }

    /// Publishes the campaigns whose counters a consent change moved.
    async fn publish(&self, tenant_id: i64, campaign_ids: &[i64]) {
        for id in campaign_ids {
            if let Ok(view) = campaigns::get(&self.state.db, tenant_id, *id).await {
                publish_transition(&self.state.db.read, &self.state.bus, tenant_id, &view).await;
            }
        }
    }
}

impl AudienceApi for AudienceDashboard {
    fn search<'a>(
        &'a self,
        caller: &'a Caller,
        search: &'a MemberSearch,
        cursor: Option<i64>,
    ) -> BoxFuture<'a, DashboardResult<Vec<ContactView>>> {
        Box::pin(async move {
            let search = Search::from(search);
            contacts::search(&self.state.db, caller.tenant_id, &search, cursor, PAGE, 0)
                .await
                .map_err(service)
        })
    }

    fn detail<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<ContactDetail>> {
        Box::pin(async move {
            contacts::detail(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn correct<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        correction: ContactCorrection,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            correction::correct(
                &self.state.db,
                caller.tenant_id,
                id,
                correction,
                &caller.user.email,
            )
            .await
            .map(drop)
            .map_err(service)
        })
    }

    fn opt_out<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        reason: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            let touched = consent::opt_out(
                &self.state.db,
                caller.tenant_id,
                id,
                reason,
                &caller.user.email,
            )
            .await
            .map_err(service)?;
            self.publish(caller.tenant_id, &touched).await;
            Ok(())
        })
    }

    fn opt_in<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        consent_note: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            consent::opt_in(
                &self.state.db,
                caller.tenant_id,
                id,
                consent_note,
                &caller.user.email,
            )
            .await
            .map_err(service)
        })
    }

    fn erase<'a>(&'a self, caller: &'a Caller, id: i64) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            let touched = consent::erase(&self.state.db, caller.tenant_id, id, &caller.user.email)
                .await
                .map_err(service)?;
            self.publish(caller.tenant_id, &touched).await;
            Ok(())
        })
    }

    fn lists<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, DashboardResult<Vec<ListView>>> {
        Box::pin(async move {
            lists::list(&self.state.db, caller.tenant_id)
                .await
                .map_err(service)
        })
    }

    fn save_list<'a>(
        &'a self,
        caller: &'a Caller,
        id: Option<i64>,
        name: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            match id {
                Some(id) => lists::rename(&self.state.db, caller.tenant_id, id, name).await,
                None => lists::create(&self.state.db, caller.tenant_id, name).await,
            }
            .map(drop)
            .map_err(service)
        })
    }

    fn delete_list<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            lists::delete(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn change_list<'a>(
        &'a self,
        caller: &'a Caller,
        list_id: i64,
        members: ListMembers,
        add: bool,
    ) -> BoxFuture<'a, DashboardResult<ListMembersChanged>> {
        Box::pin(async move {
            admin(caller)?;
            let db = &self.state.db;
            if add {
                lists::add(db, caller.tenant_id, list_id, &members).await
            } else {
                lists::remove(db, caller.tenant_id, list_id, &members).await
            }
            .map_err(service)
        })
    }

    fn audience<'a>(
        &'a self,
        caller: &'a Caller,
        include: Option<Vec<i64>>,
        exclude: Vec<i64>,
    ) -> BoxFuture<'a, DashboardResult<AudienceCount>> {
        Box::pin(async move {
            Audience { include, exclude }
                .count(&self.state.db, caller.tenant_id)
                .await
                .map_err(service)
        })
    }

    fn replies<'a>(
        &'a self,
        caller: &'a Caller,
        campaign_id: i64,
        only_opt_outs: bool,
    ) -> BoxFuture<'a, DashboardResult<Vec<ReplyView>>> {
        Box::pin(async move {
            campaigns::replies(
                &self.state.db,
                caller.tenant_id,
                campaign_id,
                only_opt_outs,
                None,
                REPLIES_SHOWN,
            )
            .await
            .map_err(service)
        })
    }

    fn import_job<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<ImportJobView>> {
        Box::pin(async move {
            imports::get(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }
}
