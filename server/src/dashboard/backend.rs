//! The server's side of the dashboard port: [`app::backend::DashboardApi`] over the services,
//! scoped to the caller's tenant.

use std::sync::Arc;

use app::backend::{BoxFuture, Caller, DashboardApi, DashboardError, DashboardResult};
use app::types::{
    CampaignLogView, CampaignView, InstanceDay, InstancePatch, InstanceQr, InstanceView,
    NewCampaign, NewInstance, OptOutTest, OptOutView, RecipientsPage, TenantSettings, Timeline,
    TokenCreated, TokenView, UserView,
};

use crate::dashboard::lockout::{self, Attempt};
use crate::dashboard::{new_campaign, password, session, users};
use crate::domain::campaign_state::CampaignAction;
use crate::error::is_unavailable;
use crate::live::ChangeKind;
use crate::live::transition::publish_transition;
use crate::service::campaign_logs::Severity;
use crate::service::users as service_users;
use crate::service::{
    Cursor, ServiceError, Window, campaigns, contacts, instance_history, instances, settings,
    timeline, tokens,
};
use crate::state::AppState;

/// Recipients per page.
pub const RECIPIENTS_PAGE: u64 = 50;

/// Log lines shown.
pub const LOG_LINES: u64 = 200;

/// Campaigns listed.
const CAMPAIGNS_SHOWN: u64 = 500;

/// Opt-outs listed.
const OPT_OUTS_SHOWN: u64 = 1000;

/// The dashboard backend of a running server.
pub struct DashboardBackend {
    state: AppState,
}

impl DashboardBackend {
    /// The backend over `state`, wrapped for Leptos context.
    pub fn provide(state: AppState) -> app::backend::Backend {
        app::backend::Backend(Arc::new(Self { state }))
    }

    /// A start time typed in the tenant's timezone (or RFC 3339), refused unless future.
    async fn start_time(
        &self,
        caller: &Caller,
        input: &str,
    ) -> DashboardResult<chrono::DateTime<chrono::Utc>> {
        let tz = settings::timezone(&self.state.db.read, caller.tenant_id)
            .await
            .map_err(service)?;
        let at = settings::parse_start_at(input, tz).map_err(service)?;
        if at <= chrono::Utc::now() {
            return Err(DashboardError::Problem(app::problem::Problem::StartInPast));
        }
        Ok(at)
    }

    /// The server state, for an admin; viewers are refused.
    fn admin(&self, caller: &Caller) -> DashboardResult<&AppState> {
        if caller.is_admin() {
            Ok(&self.state)
        } else {
            Err(DashboardError::Forbidden)
        }
    }

    fn secure(&self) -> bool {
        self.state.config.cookie_secure
    }

    async fn login_inner(&self, email: &str, password: &str) -> DashboardResult<String> {
        if email.len() > users::MAX_EMAIL_LEN || password.len() > password::MAX_LEN {
            tracing::info!("dashboard login refused: email or password too long");
            return Err(DashboardError::Unauthorized);
        }
        let email = users::normalize_email(email);
        let db = &self.state.db;
        // Counted before the slow check, so parallel attempts cannot outrun the lockout.
        if lockout::count(db, &email).await.map_err(db_error)? == Attempt::LockedOut {
            tracing::info!("dashboard login refused: locked out");
            return Err(DashboardError::LockedOut);
        }
        let user = users::find_by_email(db, &email).await.map_err(db_error)?;
        let phc = user.as_ref().map(|u| u.password_hash.clone());
        // Verified (against a decoy for an unknown email) before looking at the user, so a
        // wrong email takes as long as a wrong password.
        let matches = password::verify(password.to_string(), phc).await;
        let user = match user {
            Some(user) if matches => user,
            _ => {
                tracing::info!("dashboard login refused");
                return Err(DashboardError::Unauthorized);
            }
        };
        lockout::clear(db, &email).await.map_err(db_error)?;
        let token = session::create(db, &user).await.map_err(db_error)?;
        crate::service::users::touch_login(db, user.id)
            .await
            .map_err(db_error)?;
        tracing::info!(
            user_id = user.id,
            tenant_id = user.tenant_id,
            "dashboard login"
        );
        Ok(session::set_cookie(&token, self.secure()))
    }

    async fn transition_inner(
        &self,
        caller: &Caller,
        id: i64,
        action: &str,
    ) -> DashboardResult<CampaignView> {
        if !caller.is_admin() {
            return Err(DashboardError::Forbidden);
        }
        let action = CampaignAction::parse(action)
            .ok_or_else(|| DashboardError::Rejected(format!("unknown action {action:?}")))?;
        let view = campaigns::transition(&self.state.db, caller.tenant_id, id, action)
            .await
            .map_err(service)?;
        tracing::info!(
            campaign_id = id,
            action = action.as_str(),
            "campaign transition from the dashboard"
        );
        publish_transition(
            &self.state.db.read,
            &self.state.bus,
            caller.tenant_id,
            &view,
        )
        .await;
        Ok(view)
    }
}

fn publish_campaign(bus: &crate::live::ChangeBus, tenant_id: i64, view: &CampaignView) {
    bus.publish(tenant_id, ChangeKind::Campaign(Box::new(view.clone())));
}

fn internal(err: impl std::fmt::Display) -> DashboardError {
    tracing::error!(error = %err, "dashboard request failed");
    DashboardError::Internal
}

/// A database error as the dashboard shows it: "unavailable" when the database cannot be
/// reached, an internal error otherwise.
fn db_error(err: sea_orm::DbErr) -> DashboardError {
    if is_unavailable(&err) {
        tracing::warn!(error = %err, "dashboard request: database unavailable");
        DashboardError::Unavailable
    } else {
        internal(err)
    }
}

pub(crate) fn service(err: ServiceError) -> DashboardError {
    match err {
        ServiceError::NotFound(what) => DashboardError::NotFound(what.to_string()),
        ServiceError::Db(e) => db_error(e),
        ServiceError::Internal(e) => internal(e),
        ServiceError::Refused(problem) => DashboardError::Problem(problem),
        // Evolution's refusals: its words, for people.
        other @ ServiceError::Upstream(_) => DashboardError::Rejected(other.to_string()),
    }
}

impl DashboardApi for DashboardBackend {
    fn login<'a>(
        &'a self,
        email: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, DashboardResult<String>> {
        Box::pin(self.login_inner(email, password))
    }

    fn token_flash_cookie(&self, secret: Option<&str>) -> String {
        session::token_flash_cookie(secret, self.secure())
    }

    fn logout<'a>(&'a self, cookie_header: Option<&'a str>) -> BoxFuture<'a, String> {
        Box::pin(async move {
            if let Some(token) = cookie_header.and_then(session::token_in)
                && let Err(e) = session::delete(&self.state.db, token).await
            {
                tracing::warn!(error = %e, "cannot delete a session");
            }
            session::clear_cookie(self.secure())
        })
    }

    fn caller<'a>(
        &'a self,
        cookie_header: Option<&'a str>,
    ) -> BoxFuture<'a, DashboardResult<Caller>> {
        Box::pin(async move {
            let token = cookie_header
                .and_then(session::token_in)
                .ok_or(DashboardError::Unauthorized)?;
            session::lookup(&self.state.db, token)
                .await
                .map_err(db_error)?
                .map(Caller::from)
                .ok_or(DashboardError::Unauthorized)
        })
    }

    fn campaigns<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<Vec<CampaignView>>> {
        Box::pin(async move {
            campaigns::list(&self.state.db, caller.tenant_id, CAMPAIGNS_SHOWN, 0)
                .await
                .map_err(service)
        })
    }

    fn campaign<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>> {
        Box::pin(async move {
            campaigns::get(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn recipients<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        status: Option<String>,
        search: Option<String>,
        after: Option<i64>,
        before: Option<i64>,
    ) -> BoxFuture<'a, DashboardResult<RecipientsPage>> {
        Box::pin(async move {
            let cursor = match (after, before) {
                (_, Some(before)) => Some(Cursor::Before(before)),
                (after, None) => after.map(Cursor::After),
            };
            // One row more than shown tells whether the list goes on in that direction.
            let window = Window {
                cursor,
                offset: 0,
                limit: RECIPIENTS_PAGE + 1,
            };
            let mut rows = campaigns::contacts(
                &self.state.db,
                caller.tenant_id,
                id,
                status.as_deref().filter(|s| !s.is_empty()),
                search.as_deref(),
                window,
            )
            .await
            .map_err(service)?;
            let beyond = rows.len() as u64 > RECIPIENTS_PAGE;
            let backwards = matches!(cursor, Some(Cursor::Before(_)));
            if beyond && backwards {
                rows.remove(0);
            }
            rows.truncate(RECIPIENTS_PAGE as usize);
            Ok(RecipientsPage {
                rows,
                limit: RECIPIENTS_PAGE,
                has_more: backwards || beyond,
                has_previous: if backwards { beyond } else { cursor.is_some() },
            })
        })
    }

    fn timeline<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<Timeline>> {
        Box::pin(async move {
            timeline::timeline(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn logs<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        severity: Option<String>,
    ) -> BoxFuture<'a, DashboardResult<Vec<CampaignLogView>>> {
        Box::pin(async move {
            let severity = match severity.as_deref().filter(|s| !s.is_empty()) {
                None => None,
                Some(s) => Some(Severity::parse(s).ok_or_else(|| {
                    DashboardError::Rejected("severity must be info, warning or critical".into())
                })?),
            };
            campaigns::logs(
                &self.state.db,
                caller.tenant_id,
                id,
                severity,
                Window::first(LOG_LINES),
            )
            .await
            .map_err(service)
        })
    }

    fn transition<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        action: &'a str,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>> {
        Box::pin(self.transition_inner(caller, id, action))
    }

    fn create_campaign<'a>(
        &'a self,
        caller: &'a Caller,
        input: NewCampaign,
        pasted: String,
        start_at: Option<String>,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>> {
        Box::pin(async move {
            admin(caller)?;
            let db = &self.state.db;
            let start_at = match start_at.as_deref().map(str::trim) {
                Some(at) if !at.is_empty() => Some(self.start_time(caller, at).await?),
                _ => None,
            };
            let view = new_campaign::create(db, caller.tenant_id, input, &pasted)
                .await
                .map_err(service)?;
            tracing::info!(campaign_id = view.id, "campaign created from the dashboard");
            publish_campaign(&self.state.bus, caller.tenant_id, &view);
            let Some(at) = start_at else {
                return Ok(view);
            };
            let view = campaigns::schedule(db, caller.tenant_id, view.id, at)
                .await
                .map_err(service)?;
            publish_transition(&db.read, &self.state.bus, caller.tenant_id, &view).await;
            Ok(view)
        })
    }

    fn instances<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<Vec<InstanceView>>> {
        Box::pin(async move {
            let mut list = instances::list(
                &self.state.db,
                &self.state.config.public_url,
                caller.tenant_id,
            )
            .await
            .map_err(service)?;
            if !caller.is_admin() {
                list.iter_mut().for_each(InstanceView::hide_secrets);
            }
            Ok(list)
        })
    }

    fn configure_webhook<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>> {
        Box::pin(async move {
            if !caller.is_admin() {
                return Err(DashboardError::Forbidden);
            }
            let mut view = instances::configure_webhook(
                &self.state.db,
                &self.state.evolution,
                &self.state.config.public_url,
                caller.tenant_id,
                id,
            )
            .await
            .map_err(service)?;
            view.webhook_secret.clear();
            tracing::info!(
                instance_id = id,
                "Evolution webhook configured from the dashboard"
            );
            Ok(view)
        })
    }

    fn rotate_webhook_secret<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>> {
        Box::pin(async move {
            let st = self.admin(caller)?;
            let mut view = instances::rotate_webhook_secret(st, caller.tenant_id, id)
                .await
                .map_err(service)?;
            view.webhook_secret.clear();
            Ok(view)
        })
    }

    fn add_instance<'a>(
        &'a self,
        caller: &'a Caller,
        input: NewInstance,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>> {
        Box::pin(async move {
            let st = self.admin(caller)?;
            let (db, url) = (&st.db, &st.config.public_url);
            let input = NewInstance {
                // Detected by asking Evolution, never typed in the dashboard.
                api_version: None,
                ..input
            };
            let view = instances::create(db, &st.evolution, url, caller.tenant_id, input)
                .await
                .map_err(service)?;
            tracing::info!(instance_id = view.id, "instance added from the dashboard");
            instances::refresh_soon(st, caller.tenant_id, view.id);
            Ok(view)
        })
    }

    fn update_instance<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        patch: InstancePatch,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>> {
        Box::pin(async move {
            let st = self.admin(caller)?;
            let new_key = patch.api_key.is_some();
            let view =
                instances::update(&st.db, &st.config.public_url, caller.tenant_id, id, patch)
                    .await
                    .map_err(service)?;
            if new_key {
                instances::refresh_soon(st, caller.tenant_id, id);
            }
            Ok(view)
        })
    }

    fn remove_instance<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            let st = self.admin(caller)?;
            instances::remove_and_forget(st, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn connect_instance<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<InstanceQr>> {
        Box::pin(async move {
            let st = self.admin(caller)?;
            instances::connect(&st.db, &st.evolution, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn instance_history<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<Vec<InstanceDay>>> {
        Box::pin(async move {
            instance_history::last_days(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)
        })
    }

    fn opt_outs<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<Vec<OptOutView>>> {
        Box::pin(async move {
            contacts::opt_outs(&self.state.db, caller.tenant_id, OPT_OUTS_SHOWN, 0)
                .await
                .map_err(service)
        })
    }

    fn schedule<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        start_at: &'a str,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>> {
        Box::pin(async move {
            admin(caller)?;
            let db = &self.state.db;
            let at = self.start_time(caller, start_at).await?;
            let view = campaigns::schedule(db, caller.tenant_id, id, at)
                .await
                .map_err(service)?;
            publish_transition(&db.read, &self.state.bus, caller.tenant_id, &view).await;
            tracing::info!(campaign_id = id, "campaign scheduled from the dashboard");
            Ok(view)
        })
    }

    fn duplicate<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>> {
        Box::pin(async move {
            admin(caller)?;
            let view = campaigns::duplicate(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)?;
            tracing::info!(
                campaign_id = view.id,
                source = id,
                "campaign duplicated from the dashboard"
            );
            Ok(view)
        })
    }

    fn users<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, DashboardResult<Vec<UserView>>> {
        Box::pin(async move {
            admin(caller)?;
            service_users::list(&self.state.db, caller.tenant_id)
                .await
                .map_err(service)
        })
    }

    fn create_user<'a>(
        &'a self,
        caller: &'a Caller,
        email: &'a str,
        password: &'a str,
        role: &'a str,
    ) -> BoxFuture<'a, DashboardResult<UserView>> {
        Box::pin(async move {
            admin(caller)?;
            let role = service_users::parse_role(role).map_err(service)?;
            let view =
                service_users::create(&self.state.db, caller.tenant_id, email, password, role)
                    .await
                    .map_err(service)?;
            tracing::info!(user_id = view.id, role = %role, "user created from the dashboard");
            Ok(view)
        })
    }

    fn set_role<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        role: &'a str,
    ) -> BoxFuture<'a, DashboardResult<UserView>> {
        Box::pin(async move {
            admin(caller)?;
            let role = service_users::parse_role(role).map_err(service)?;
            let view = service_users::set_role(&self.state.db, caller.tenant_id, id, role)
                .await
                .map_err(service)?;
            self.state.credentials_changed(caller.tenant_id);
            tracing::info!(user_id = id, role = %role, "user role changed from the dashboard");
            Ok(view)
        })
    }

    fn remove_user<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            service_users::remove(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)?;
            self.state.credentials_changed(caller.tenant_id);
            tracing::info!(user_id = id, "user removed from the dashboard");
            Ok(())
        })
    }

    fn tokens<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, DashboardResult<Vec<TokenView>>> {
        Box::pin(async move {
            admin(caller)?;
            tokens::list(&self.state.db, caller.tenant_id)
                .await
                .map_err(service)
        })
    }

    fn create_token<'a>(
        &'a self,
        caller: &'a Caller,
        name: &'a str,
    ) -> BoxFuture<'a, DashboardResult<TokenCreated>> {
        Box::pin(async move {
            admin(caller)?;
            let created = tokens::create(&self.state.db, caller.tenant_id, name)
                .await
                .map_err(service)?;
            tracing::info!(
                token_id = created.id,
                "API token created from the dashboard"
            );
            Ok(created)
        })
    }

    fn revoke_token<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            admin(caller)?;
            tokens::revoke(&self.state.db, caller.tenant_id, id)
                .await
                .map_err(service)?;
            self.state.credentials_changed(caller.tenant_id);
            tracing::info!(token_id = id, "API token revoked from the dashboard");
            Ok(())
        })
    }

    fn change_password<'a>(
        &'a self,
        caller: &'a Caller,
        cookie_header: Option<&'a str>,
        current: &'a str,
        new: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>> {
        Box::pin(async move {
            let keep = cookie_header.and_then(session::token_in);
            service_users::change_password(&self.state.db, caller.user_id, keep, current, new)
                .await
                .map_err(service)?;
            self.state.credentials_changed(caller.tenant_id);
            tracing::info!(
                user_id = caller.user_id,
                "password changed from the dashboard"
            );
            Ok(())
        })
    }

    fn settings<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<TenantSettings>> {
        Box::pin(async move {
            settings::get(&self.state.db, caller.tenant_id)
                .await
                .map_err(service)
        })
    }

    fn save_settings<'a>(
        &'a self,
        caller: &'a Caller,
        input: TenantSettings,
    ) -> BoxFuture<'a, DashboardResult<TenantSettings>> {
        Box::pin(async move {
            admin(caller)?;
            let saved = settings::put(&self.state.db, caller.tenant_id, input)
                .await
                .map_err(service)?;
            tracing::info!(
                tenant_id = caller.tenant_id,
                "settings changed from the dashboard"
            );
            Ok(saved)
        })
    }

    fn opt_out_test<'a>(
        &'a self,
        caller: &'a Caller,
        text: &'a str,
    ) -> BoxFuture<'a, DashboardResult<OptOutTest>> {
        Box::pin(async move {
            settings::opt_out_test(&self.state.db, caller.tenant_id, text)
                .await
                .map_err(service)
        })
    }
}

/// Refuses viewers.
pub(crate) fn admin(caller: &Caller) -> DashboardResult<()> {
    if caller.is_admin() {
        Ok(())
    } else {
        Err(DashboardError::Forbidden)
    }
}
