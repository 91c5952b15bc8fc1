//! The port through which the audience pages (contacts, consent, erasure, import jobs) reach
//! the server's services, beside [`crate::backend::DashboardApi`]. The server implements
//! [`AudienceApi`] and provides an [`AudienceBackend`] as Leptos context.

use std::sync::Arc;

use crate::audience::{
    AudienceCount, ContactCorrection, ContactDetail, ImportJobView, ListMembers,
    ListMembersChanged, ListView, MemberSearch, ReplyView,
};
use crate::backend::{BoxFuture, Caller, DashboardResult};
use crate::types::ContactView;

/// What the audience pages need from the server; every method is scoped to the caller's
/// tenant, and the changes refuse viewers themselves.
pub trait AudienceApi: Send + Sync {
    /// A page of contacts matching `search` (name or phone, opted-out, list and line filters),
    /// after `cursor`.
    fn search<'a>(
        &'a self,
        caller: &'a Caller,
        search: &'a MemberSearch,
        cursor: Option<i64>,
    ) -> BoxFuture<'a, DashboardResult<Vec<ContactView>>>;
    /// A contact with everything known about them.
    fn detail<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<ContactDetail>>;
    /// Corrects a contact's name, number or fields, each change audited (admins only).
    fn correct<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        correction: ContactCorrection,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// Opts a contact out by hand (admins only).
    fn opt_out<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        reason: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// Opts a contact back in with a consent note (admins only).
    fn opt_in<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
        consent_note: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// Erases a contact (admins only).
    fn erase<'a>(&'a self, caller: &'a Caller, id: i64) -> BoxFuture<'a, DashboardResult<()>>;
    /// The tenant's lists.
    fn lists<'a>(&'a self, caller: &'a Caller) -> BoxFuture<'a, DashboardResult<Vec<ListView>>>;
    /// Creates (`id` None) or renames a list (admins only).
    fn save_list<'a>(
        &'a self,
        caller: &'a Caller,
        id: Option<i64>,
        name: &'a str,
    ) -> BoxFuture<'a, DashboardResult<()>>;
    /// Deletes a list (admins only).
    fn delete_list<'a>(&'a self, caller: &'a Caller, id: i64)
    -> BoxFuture<'a, DashboardResult<()>>;
    /// Puts `members` on list `list_id` (`add`) or takes them off (admins only).
    fn change_list<'a>(
        &'a self,
        caller: &'a Caller,
        list_id: i64,
        members: ListMembers,
        add: bool,
    ) -> BoxFuture<'a, DashboardResult<ListMembersChanged>>;
    /// Who a campaign over `include` (none: everyone) minus `exclude` would get.
    fn audience<'a>(
        &'a self,
        caller: &'a Caller,
        include: Option<Vec<i64>>,
        exclude: Vec<i64>,
    ) -> BoxFuture<'a, DashboardResult<AudienceCount>>;
    /// The replies to a campaign, newest first.
    fn replies<'a>(
        &'a self,
        caller: &'a Caller,
        campaign_id: i64,
        only_opt_outs: bool,
    ) -> BoxFuture<'a, DashboardResult<Vec<ReplyView>>>;
    /// A contact import job.
    fn import_job<'a>(
        &'a self,
        caller: &'a Caller,
        id: i64,
    ) -> BoxFuture<'a, DashboardResult<ImportJobView>>;
}

/// The server's implementation, provided as Leptos context.
#[derive(Clone)]
pub struct AudienceBackend(pub Arc<dyn AudienceApi>);
