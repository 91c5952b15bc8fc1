//! The server functions of the audience pages: contact search and detail, opt-out / opt-in by
//! hand, erasure, import job progress. Changes are refused for viewers on the server.
#![allow(
    missing_docs,
    reason = "#[server] generates an argument struct per function; its fields are the documented parameters"
)]

use leptos::prelude::*;

use crate::audience::{AudienceCount, ContactDetail, ImportJobView, ListView, ReplyView};
use crate::types::ContactView;

#[cfg(feature = "ssr")]
fn audience() -> Result<crate::audience_backend::AudienceBackend, ServerFnError> {
    use_context::<crate::audience_backend::AudienceBackend>()
        .ok_or_else(|| ServerFnError::new("audience backend missing"))
}

/// A page of the tenant's contacts: `q` is a name or a phone in any formatting, `opted_out`
/// is `yes`, `no` or empty.
#[server(prefix = "/api/ui", endpoint = "contacts")]
pub async fn search_contacts(
    q: String,
    opted_out: String,
    list_id: Option<i64>,
    line_type: String,
    cursor: Option<i64>,
) -> Result<Vec<ContactView>, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    let search = member_search(&q, &opted_out, list_id, &line_type);
    audience()?
        .0
        .search(&caller, &search, cursor)
        .await
        .map_err(crate::api::server::fail)
}

/// One contact with their campaigns, replies, lists and consent history.
#[server(prefix = "/api/ui", endpoint = "contact")]
pub async fn get_contact(id: i64) -> Result<ContactDetail, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .detail(&caller, id)
        .await
        .map_err(crate::api::server::fail)
}

/// Corrects a contact from its page's form: name, number (unless still `shown_phone`) and
/// fields one per line as `campo: valor` (a field of `shown_keys` left out is removed). Admins
/// only.
#[server(prefix = "/api/ui", endpoint = "contact_correct")]
pub async fn correct_contact(
    id: i64,
    name: String,
    phone: String,
    attributes: String,
    shown_phone: String,
    shown_keys: String,
) -> Result<(), ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    let correction = crate::audience::ContactCorrection::from_form(
        &name,
        &phone,
        &attributes,
        &shown_phone,
        &shown_keys,
    );
    audience()?
        .0
        .correct(&caller, id, correction)
        .await
        .map_err(crate::api::server::fail)
}

/// Opts a contact out by hand, with the reason. Admins only.
#[server(prefix = "/api/ui", endpoint = "contact_opt_out")]
pub async fn opt_out_contact(id: i64, reason: String) -> Result<(), ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .opt_out(&caller, id, &reason)
        .await
        .map_err(crate::api::server::fail)
}

/// Opts a contact back in, with the consent note. Admins only.
#[server(prefix = "/api/ui", endpoint = "contact_opt_in")]
pub async fn opt_in_contact(id: i64, consent_note: String) -> Result<(), ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .opt_in(&caller, id, &consent_note)
        .await
        .map_err(crate::api::server::fail)
}

/// Erases a contact once `confirm` is ticked, then goes back to the contacts. Admins only.
#[server(prefix = "/api/ui", endpoint = "contact_erase")]
pub async fn erase_contact(id: i64, confirm: Option<String>) -> Result<(), ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    if confirm.is_none() {
        return Err(crate::api::server::fail(
            crate::backend::DashboardError::Problem(crate::problem::Problem::EraseUnconfirmed),
        ));
    }
    audience()?
        .0
        .erase(&caller, id)
        .await
        .map_err(crate::api::server::fail)?;
    leptos_axum::redirect("/contacts");
    Ok(())
}

/// A contact import job's progress and report, its rejected rows' reasons in the reader's
/// language.
#[server(prefix = "/api/ui", endpoint = "import_job")]
pub async fn import_job(id: i64) -> Result<ImportJobView, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    let mut job = audience()?
        .0
        .import_job(&caller, id)
        .await
        .map_err(crate::api::server::fail)?;
    let locale = crate::prefs::Prefs::current().locale;
    for e in &mut job.errors {
        e.reason = e.reason_in(locale);
    }
    Ok(job)
}

/// The tenant's lists.
#[server(prefix = "/api/ui", endpoint = "lists")]
pub async fn list_lists() -> Result<Vec<ListView>, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .lists(&caller)
        .await
        .map_err(crate::api::server::fail)
}

/// Creates a list, or renames list `id`. Admins only.
#[server(prefix = "/api/ui", endpoint = "save_list")]
pub async fn save_list(id: Option<i64>, name: String) -> Result<(), ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .save_list(&caller, id, &name)
        .await
        .map_err(crate::api::server::fail)
}

/// Deletes a list (its contacts stay). Admins only.
#[server(prefix = "/api/ui", endpoint = "delete_list")]
pub async fn delete_list(id: i64) -> Result<(), ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .delete_list(&caller, id)
        .await
        .map_err(crate::api::server::fail)
}

/// Puts contact `id` on list `list_id`. Admins only.
#[server(prefix = "/api/ui", endpoint = "contact_add_to_list")]
pub async fn add_contact_to_list(id: i64, list_id: i64) -> Result<(), ServerFnError> {
    change_list(list_id, crate::audience::ListMembers::of(id), true)
        .await
        .map(drop)
}

/// Takes contact `id` off list `list_id`. Admins only.
#[server(prefix = "/api/ui", endpoint = "contact_remove_from_list")]
pub async fn remove_contact_from_list(id: i64, list_id: i64) -> Result<(), ServerFnError> {
    change_list(list_id, crate::audience::ListMembers::of(id), false)
        .await
        .map(drop)
}

/// Puts every contact the contacts page's search finds (all its pages: `q`, `opted_out` as
/// `yes`/`no`/empty, `list_id`) on list `target`, then shows that search again with how many
/// were added. Admins only.
#[server(prefix = "/api/ui", endpoint = "contacts_add_to_list")]
pub async fn add_results_to_list(
    target: i64,
    q: String,
    opted_out: String,
    list_id: Option<i64>,
    #[server(default)] line_type: String,
) -> Result<u64, ServerFnError> {
    let search = member_search(&q, &opted_out, list_id, &line_type);
    let members = crate::audience::ListMembers {
        contact_ids: Vec::new(),
        search: Some(search),
    };
    let changed = change_list(target, members, true).await?.changed;
    let list = list_id.map(|l| format!("&list_id={l}")).unwrap_or_default();
    let line = match line_type.trim() {
        "" => String::new(),
        line => format!("&line_type={}", crate::ui::encode(line)),
    };
    leptos_axum::redirect(&format!(
        "/contacts?q={}&opted_out={opted_out}{list}{line}&added={changed}&to={target}",
        crate::ui::encode(q.trim())
    ));
    Ok(changed)
}

#[cfg(feature = "ssr")]
async fn change_list(
    list_id: i64,
    members: crate::audience::ListMembers,
    add: bool,
) -> Result<crate::audience::ListMembersChanged, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .change_list(&caller, list_id, members, add)
        .await
        .map_err(crate::api::server::fail)
}

/// The contacts page's search: text, opted-out filter (`yes`/`no`/empty), list, and kind of
/// line (empty for every kind).
pub fn member_search(
    q: &str,
    opted_out: &str,
    list_id: Option<i64>,
    line_type: &str,
) -> crate::audience::MemberSearch {
    crate::audience::MemberSearch {
        q: Some(q.trim().to_string()).filter(|q| !q.is_empty()),
        list_id,
        opted_out: opted_filter(opted_out),
        line_type: Some(line_type.trim().to_string()).filter(|l| !l.is_empty()),
    }
}

/// The contacts page's opted-out filter: `yes`, `no`, or anything else for everyone.
pub fn opted_filter(value: &str) -> Option<bool> {
    match value {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

/// The live count of a campaign over lists (`include` empty: every contact).
#[server(prefix = "/api/ui", endpoint = "audience")]
pub async fn count_audience(
    #[server(default)] include: Vec<i64>,
    #[server(default)] exclude: Vec<i64>,
) -> Result<AudienceCount, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    let include = (!include.is_empty()).then_some(include);
    audience()?
        .0
        .audience(&caller, include, exclude)
        .await
        .map_err(crate::api::server::fail)
}

/// The replies to a campaign, newest first; only opt-outs when asked.
#[server(prefix = "/api/ui", endpoint = "campaign_replies")]
pub async fn campaign_replies(
    id: i64,
    only_opt_outs: bool,
) -> Result<Vec<ReplyView>, ServerFnError> {
    let (_, caller) = crate::api::server::caller().await?;
    audience()?
        .0
        .replies(&caller, id, only_opt_outs)
        .await
        .map_err(crate::api::server::fail)
}
