//! Putting contacts on lists from the contact pages (admins): every result of a search at once,
//! one person by hand (and off again), and the list an upload goes into. Plain forms: they work
//! without JavaScript.

use leptos::prelude::*;

use crate::audience::ListView;
use crate::audience_api::{AddContactToList, AddResultsToList, RemoveContactFromList};
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::use_prefs;
use crate::ui::{Card, INPUT, error_text};

const BUTTON: &str =
    "rounded-md bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800";

/// A `<select>` of the tenant's lists named `name`, with a first "no list" choice when
/// `none` is given.
#[component]
pub fn ListSelect(
    /// The lists to choose from.
    lists: Vec<ListView>,
    /// The form field.
    name: &'static str,
    /// The label of an empty first choice, if one is allowed.
    #[prop(optional)]
    none: Option<String>,
    /// Its test id.
    testid: &'static str,
) -> impl IntoView {
    let required = none.is_none();
    view! {
        <select name=name class=INPUT required=required data-testid=testid>
            {none.map(|label| view! { <option value="">{label}</option> })}
            {lists
                .into_iter()
                .map(|l| view! { <option value=l.id>{l.name}</option> })
                .collect_view()}
        </select>
    }
}

/// "Put every result of this search on a list": the search's filters ride along as hidden
/// fields; afterwards the page says how many were added.
#[component]
pub fn AddResultsToListCard(
    /// The tenant's lists.
    lists: Vec<ListView>,
    /// The search: text, opted-out filter (`yes`/`no`/empty), list filter and kind of line.
    filters: (String, String, Option<i64>, String),
) -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddResultsToList>::new();
    let (q, opted_out, list_id, line_type) = filters;
    let body = if lists.is_empty() {
        view! { <p class="text-sm text-slate-600">{t!(i18n, contacts.no_lists)}</p> }.into_any()
    } else {
        view! {
            <ActionForm action=add attr:class="space-y-3" attr:data-testid="add-results-form">
                <p class="text-sm text-slate-600">{t!(i18n, contacts.add_results_hint)}</p>
                <input type="hidden" name="q" value=q/>
                <input type="hidden" name="opted_out" value=opted_out/>
                <input type="hidden" name="line_type" value=line_type/>
                {list_id.map(|l| view! { <input type="hidden" name="list_id" value=l/> })}
                <label class="block">
                    <span class="text-sm font-medium text-slate-700">{t!(i18n, contacts.add_results_list)}</span>
                    <ListSelect lists name="target" testid="add-results-target"/>
                </label>
                <button type="submit" class=BUTTON>{t!(i18n, contacts.add_results_button)}</button>
                {move || add.value().get().and_then(Result::err).map(|e| view! {
                    <p class="text-sm text-rose-700" role="alert">{error_text(&e)}</p>
                })}
            </ActionForm>
        }
        .into_any()
    };
    view! { <Card title=t_string!(i18n, contacts.add_results_title).to_string()>{body}</Card> }
}

/// "N contatos adicionados à lista" after [`AddResultsToListCard`], with a link to that list.
#[component]
pub fn AddedNotice(
    /// How many were added.
    added: u64,
    /// The list.
    to: i64,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" role="status" data-testid="added-to-list">
            {t_string!(i18n, contacts.added, n = use_prefs().num(added as i64)).to_string()}" "
            <a href=format!("/contacts?list_id={to}") class="font-medium underline">
                {t!(i18n, contacts.see_list)}
            </a>
        </p>
    }
}

/// A contact's lists, each with "take off", and a form to put them on another (admins).
#[component]
pub fn ContactListsCard(
    /// The contact.
    id: i64,
    /// The lists they are on.
    member_of: Vec<ListView>,
    /// Every list of the tenant.
    all: Vec<ListView>,
    /// Runs after a change, so the page reloads the contact.
    add: ServerAction<AddContactToList>,
    /// Same, for taking off.
    remove: ServerAction<RemoveContactFromList>,
) -> impl IntoView {
    let i18n = use_i18n();
    let others: Vec<ListView> = all
        .into_iter()
        .filter(|l| member_of.iter().all(|m| m.id != l.id))
        .collect();
    view! {
        <Card title=t_string!(i18n, contacts.lists).to_string()>
            <ul class="space-y-2 text-sm" data-testid="contact-lists">
                {member_of
                    .into_iter()
                    .map(|l| view! {
                        <li class="flex items-center justify-between gap-3">
                            <a href=format!("/contacts?list_id={}", l.id) class="text-emerald-700 hover:underline">{l.name}</a>
                            <ActionForm action=remove>
                                <input type="hidden" name="id" value=id/>
                                <input type="hidden" name="list_id" value=l.id/>
                                <button type="submit" class="text-xs text-rose-700 hover:underline">
                                    {t!(i18n, contacts.remove_from_list)}
                                </button>
                            </ActionForm>
                        </li>
                    })
                    .collect_view()}
            </ul>
            {(!others.is_empty()).then(|| view! {
                <ActionForm action=add attr:class="mt-4 flex items-end gap-2" attr:data-testid="add-to-list-form">
                    <input type="hidden" name="id" value=id/>
                    <label class="block flex-1">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, contacts.add_to_list)}</span>
                        <ListSelect lists=others name="list_id" testid="add-to-list"/>
                    </label>
                    <button type="submit" class=BUTTON>{t!(i18n, contacts.add_to_list_button)}</button>
                </ActionForm>
            })}
        </Card>
    }
}
