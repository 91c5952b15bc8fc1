//! The port through which the server functions reach the server's services (the app crate
//! cannot depend on the server crate). The server implements [`DashboardApi`] and provides a
//! [`Backend`] as Leptos context to every page render and server-function call.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use crate::errors::{DashboardError, DashboardResult};
use crate::types::{
    CampaignLogView, CampaignView, InstanceDay, InstancePatch, InstanceQr, InstanceView,
    NewCampaign, NewInstance, OptOutTest, OptOutView, RecipientsPage, SessionUser, TenantSettings,
    Timeline, TokenCreated, TokenView, UserView,
};

/// The cookie that carries a just-created API token's secret from a plain (no-JavaScript) form
/// post to the tokens page, which shows it once and clears it.
pub const TOKEN_FLASH_COOKIE: &str = "flow_new_token";

/// The non-empty value of cookie `name` in a `Cookie` header value.
pub fn cookie_value<'a>(cookie_header: &'a str, name: &str) -> Option<&'a str> {
    cookie_header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then_some(value)
    })
}

/// A boxed, sendable future, as trait objects return them.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A logged-in person, as the server knows them from their session cookie.
#[derive(Clone, Debug)]
pub struct Caller {
    /// The person's tenant; every query is scoped to it.
    pub tenant_id: i64,
    /// The person's user id.
    pub user_id: i64,
    /// Who they are, as the pages show it.
    pub user: SessionUser,
}

impl Caller {
    /// Whether the person may change things (start, pause, resume, cancel…).
    pub fn is_admin(&self) -> bool {
        self.user.role == "admin"
    }
}

/// What the dashboard needs from the server. Every data method is scoped to the caller's
/// tenant; mutations check the role themselves.
pub trait DashboardApi: Send + Sync {
    /// Checks an email and password; on success answers the `Set-Cookie` value of a new session.
    fn login<'a>(
        &'a self,
        email: &'a str,
        password: &'a str,
    ) -> BoxFuture<'a, DashboardResult<String>>;
    /// Ends the session of the request's `Cookie` header; answers the clearing `Set-Cookie`.
    fn logout<'a>(&'a self, cookie_header: Option<&'a str>) -> BoxFuture<'a, String>;
    /// The `Set-Cookie` value that hands a new API token's secret (named
    /// [`TOKEN_FLASH_COOKIE`]) to the tokens page after a plain form post, or that clears it
    /// (`None`).
    fn token_flash_cookie(&self, secret: Option<&str>) -> String;
    /// The person whose session the request's `Cookie` header carries: `Unauthorized` without
    /// a valid session, `Unavailable` when the sessions cannot be read.
    fn caller<'a>(
        &'a self,
        cookie_header: Option<&'a str>,
    ) -> BoxFuture<'a, DashboardResult<Caller>>;
    /// The tenant's campaigns, newest first.
    fn campaigns<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<Vec<CampaignView>>>;
    /// One campaign.
    fn campaign<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>>;
    /// A page of a campaign's recipients, optionally of one status and matching a search of
    /// name or phone: the first page, the one after the row id `after`, or the one before the
    /// row id `before`.
    fn recipients<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        status: Option<String>,
        search: Option<String>,
        after: Option<i64>,
        before: Option<i64>,
    ) -> BoxFuture<'a, DashboardResult<RecipientsPage>>;
    /// A campaign's deliveries and reads per minute.
    fn timeline<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<Timeline>>;
    /// The latest lines of a campaign's log, newest first, optionally of one severity.
    fn logs<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        severity: Option<String>,
    ) -> BoxFuture<'a, DashboardResult<Vec<CampaignLogView>>>;
    /// Starts, pauses, resumes or cancels a campaign (admins only).
    fn transition<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        action: &'a str,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>>;
    /// Creates a draft campaign (admins only). Unless `input.all_contacts`, its contacts are the
    /// lines of `pasted` (`phone` or `name, phone`), imported first. With a `start_at` (as
    /// [`DashboardApi::schedule`] reads it) the draft is scheduled at once; a time that cannot
    /// be read or is past refuses the whole form, creating nothing.
    fn create_campaign<'a>(
        &'a self,
        caller: &'a Caller,
        input: NewCampaign,
        pasted: String,
        start_at: Option<String>,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>>;
    /// The tenant's instances.
    fn instances<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<Vec<InstanceView>>>;
    /// Points an instance's Evolution webhook at Flow (admins only).
    fn configure_webhook<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>>;
    /// Gives an instance a new webhook secret, Evolution pointed at its new URL first (admins
    /// only).
    fn rotate_webhook_secret<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>>;
    /// Adds an instance, its API version asked from Evolution (admins only).
    fn add_instance<'a>(
        &'a self,
        caller: &'a Caller,
        input: NewInstance,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>>;
    /// Changes an instance's friendly name and/or api key (admins only).
    fn update_instance<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        patch: InstancePatch,
    ) -> BoxFuture<'a, DashboardResult<InstanceView>>;
    /// Removes an instance no unfinished campaign uses (admins only).
    fn remove_instance<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// Asks Evolution for the QR code that pairs an instance (admins only).
    fn connect_instance<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<InstanceQr>>;
    /// An instance's last 30 days.
    fn instance_history<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<Vec<InstanceDay>>>;
    /// The tenant's opted-out contacts, newest first.
    fn opt_outs<'a>(
        &'a self,
        caller: &'a Caller,
    ) -> BoxFuture<'a, DashboardResult<Vec<OptOutView>>>;
    /// Schedules a campaign to start by itself at `start_at` (RFC 3339 or a local date and
    /// time in the tenant's timezone), admins only.
    fn schedule<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        start_at: &'a str,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>>;
    /// A draft copy of a campaign (admins only).
    fn duplicate<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<CampaignView>>;
    /// The tenant's users (admins only).
    fn users<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, DashboardResult<Vec<UserView>>>;
    /// Creates a user with an initial password (admins only).
    fn create_user<'a>(
        &'a self,
        caller: &'a Caller,
        email: &'a str,
        password: &'a str,
        role: &'a str,
    ) -> BoxFuture<'a, DashboardResult<UserView>>;
    /// Changes a user's role (admins only; the last admin stays).
    fn set_role<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        role: &'a str,
    ) -> BoxFuture<'a, DashboardResult<UserView>>;
    /// Removes a user and ends their sessions (admins only; never the last admin).
    fn remove_user<'a>(&'a self, caller: &'a Caller, id: i64)
    -> BoxFuture<'a, DashboardResult<()>>;
    /// The tenant's API tokens (admins only).
    fn tokens<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, DashboardResult<Vec<TokenView>>>;
    /// Creates an API token; its secret is in this answer only (admins only).
    fn create_token<'a>(
        &'a self,
        caller: &'a Caller,
        name: &'a str,
    ) -> BoxFuture<'a, DashboardResult<TokenCreated>>;
    /// Revokes an API token (admins only).
    fn revoke_token<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// Changes the caller's own password; their other sessions end.
    fn change_password<'a>(
        &'a self,
        caller: &'a Caller,
        cookie_header: Option<&'a str>,
        current: &'a str,
        new: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// The tenant's settings.
    fn settings<'a>(&'a self, caller: &'a Caller)
    -> BoxFuture<'a, DashboardResult<TenantSettings>>;
    /// Replaces the tenant's settings (admins only).
    fn save_settings<'a>(
        &'a self,
        caller: &'a Caller,
        settings: TenantSettings,
    ) -> BoxFuture<'a, DashboardResult<TenantSettings>>;
    /// Whether `text` would opt its sender out with the tenant's keywords.
    fn opt_out_test<'a>(
        &'a self,
        caller: &'a Caller,
        text: &'a str,
    ) -> BoxFuture<'a, DashboardResult<OptOutTest>>;
}

/// The server's implementation, provided as Leptos context.
#[derive(Clone)]
pub struct Backend(pub Arc<dyn DashboardApi>);
