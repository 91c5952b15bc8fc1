//! `/contacts`: search by name or phone, filter opted-out, keyset pages, CSV export and upload
//! (into a list if chosen), every result of a search put on a list;
//! `/contacts/imports/:id`: an upload's progress and report; `/contacts/:id`: everything about
//! a person, with their lists, opt-out / opt-in by hand and erasure (admins).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::audience::ContactCorrection;
use crate::audience_api::{
    AddContactToList, CorrectContact, EraseContact, OptInContact, OptOutContact,
    RemoveContactFromList, get_contact, import_job, list_lists, search_contacts,
};
use crate::consent_text::{consent_action, consent_detail};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::contact_lists::{
    AddResultsToListCard, AddedNotice, ContactListsCard, ListSelect,
};
use crate::pages::layout::UserResource;
use crate::phone_display::display;
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{Card, Empty, ErrorBox, INPUT, Pill, encode, error_text};

const TH: &str = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
const BUTTON: &str =
    "rounded-md bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800";
const LINK_BUTTON: &str = "rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 shadow-sm hover:bg-slate-50";

/// The path param `id` as a number.
fn param_id() -> impl Fn() -> i64 + Copy {
    let params = use_params_map();
    move || {
        params
            .with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()))
            .unwrap_or(0)
    }
}

/// Whether the logged-in person is an admin (awaited, so the server renders the same as the
/// browser).
async fn is_admin() -> bool {
    let user = expect_context::<UserResource>();
    user.await.is_ok_and(|u| u.role == "admin")
}

/// Whether a contact can be messaged.
#[component]
fn ContactStatus(opted_out: bool) -> impl IntoView {
    let i18n = use_i18n();
    if opted_out {
        view! { <span class="rounded bg-amber-50 px-2 py-0.5 text-xs font-semibold text-amber-800">{t!(i18n, contacts.opted_out)}</span> }.into_any()
    } else {
        view! { <span class="rounded bg-emerald-50 px-2 py-0.5 text-xs font-semibold text-emerald-800">{t!(i18n, contacts.reachable)}</span> }.into_any()
    }
}

/// A mark beside a phone that is not a mobile: a landline (may be on WhatsApp Business), another
/// kind of number, or one Flow cannot send to.
#[component]
fn LineBadge(line_type: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    match line_type.as_deref() {
        Some("landline") => Some(view! { <span class="ml-2 rounded bg-slate-100 px-1.5 py-0.5 font-sans text-xs text-slate-700" data-testid="line-badge">{t!(i18n, contacts.line_landline)}</span> }.into_any()),
        Some("other") => Some(view! { <span class="ml-2 rounded bg-slate-100 px-1.5 py-0.5 font-sans text-xs text-slate-700" data-testid="line-badge">{t!(i18n, contacts.line_other)}</span> }.into_any()),
        Some("invalid") => Some(view! { <span class="ml-2 rounded bg-rose-50 px-1.5 py-0.5 font-sans text-xs font-semibold text-rose-800" data-testid="line-badge">{t!(i18n, contacts.line_invalid)}</span> }.into_any()),
        _ => None,
    }
}

/// The contacts page.
#[component]
pub fn ContactsPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("q").unwrap_or_default(),
                q.get("opted_out").unwrap_or_default(),
                q.get("list_id").and_then(|c| c.parse::<i64>().ok()),
                q.get("cursor").and_then(|c| c.parse::<i64>().ok()),
                q.get("line_type").unwrap_or_default(),
            )
        })
    });
    let rows = Resource::new(
        move || filters.get(),
        |(q, opted_out, list_id, cursor, line)| {
            search_contacts(q, opted_out, list_id, line, cursor)
        },
    );
    let lists = Resource::new(|| (), |_| list_lists());
    let added = move || {
        query.with(|q| {
            Some((
                q.get("added")?.parse::<u64>().ok()?,
                q.get("to")?.parse::<i64>().ok()?,
            ))
        })
    };
    let export = move || {
        let (q, opted_out, list_id, _, line) = filters.get();
        let mut href = format!("/api/v1/contacts/export?q={}", encode(&q));
        if let Some(list_id) = list_id {
            href.push_str(&format!("&list_id={list_id}"));
        }
        if !line.is_empty() {
            href.push_str(&format!("&line_type={}", encode(&line)));
        }
        match opted_out.as_str() {
            "yes" => href.push_str("&opted_out=true"),
            "no" => href.push_str("&opted_out=false"),
            _ => {}
        }
        href
    };
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, contacts.title))/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, contacts.title)}</h1>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, contacts.subtitle)}</p>
            </div>
            <a href=export download rel="external" class=LINK_BUTTON data-testid="export-contacts">
                {t!(i18n, contacts.export)}
            </a>
        </div>
        <div class="grid grid-cols-1 gap-6 lg:grid-cols-3">
            <div class="min-w-0 space-y-4 lg:col-span-2">
                <form method="get" action="/contacts" class="flex flex-wrap items-end gap-3" data-testid="contact-search">
                    <label class="block min-w-48 flex-1">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, contacts.search)}</span>
                        <input type="search" name="q" class=INPUT value=move || filters.get().0
                            placeholder=move || t_string!(i18n, contacts.search_hint)/>
                    </label>
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, contacts.filter)}</span>
                        <select name="opted_out" class=INPUT>
                            <option value="" selected=move || filters.get().1.is_empty()>{t!(i18n, contacts.filter_all)}</option>
                            <option value="no" selected=move || filters.get().1 == "no">{t!(i18n, contacts.filter_reachable)}</option>
                            <option value="yes" selected=move || filters.get().1 == "yes">{t!(i18n, contacts.filter_opted_out)}</option>
                        </select>
                    </label>
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, contacts.filter_line)}</span>
                        <select name="line_type" class=INPUT data-testid="line-filter">
                            <option value="" selected=move || filters.get().4.is_empty()>{t!(i18n, contacts.line_all)}</option>
                            <option value="mobile" selected=move || filters.get().4 == "mobile">{t!(i18n, contacts.line_mobile)}</option>
                            <option value="landline" selected=move || filters.get().4 == "landline">{t!(i18n, contacts.line_landline)}</option>
                            <option value="other" selected=move || filters.get().4 == "other">{t!(i18n, contacts.line_other)}</option>
                            <option value="invalid" selected=move || filters.get().4 == "invalid">{t!(i18n, contacts.line_invalid)}</option>
                        </select>
                    </label>
                    {move || filters.get().2.map(|l| view! { <input type="hidden" name="list_id" value=l/> })}
                    <button type="submit" class=BUTTON>{t!(i18n, contacts.search_button)}</button>
                </form>
                {move || added().map(|(added, to)| view! { <AddedNotice added to/> })}
                <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
                    {move || suspend(async move {
                        match rows.await {
                            Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <Empty text=t_string!(i18n, contacts.empty)/> }.into_any(),
                            Ok(list) => {
                                let next = list.last().map(|c| {
                                    let (q, opted_out, list_id, _, line) = filters.get_untracked();
                                    let list = list_id.map(|l| format!("&list_id={l}")).unwrap_or_default();
                                    format!("/contacts?q={}&opted_out={opted_out}{list}&line_type={}&cursor={}", encode(&q), encode(&line), c.id)
                                });
                                view! {
                                    <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                                        <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="contacts">
                                            <thead class="bg-slate-50">
                                                <tr>
                                                    <th class=TH>{t!(i18n, contacts.col_name)}</th>
                                                    <th class=TH>{t!(i18n, contacts.col_phone)}</th>
                                                    <th class=TH>{t!(i18n, contacts.col_status)}</th>
                                                    <th class=TH>{t!(i18n, contacts.col_last_interaction)}</th>
                                                </tr>
                                            </thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {list.into_iter().map(|c| {
                                                    view! {
                                                        <tr data-testid="contact-row">
                                                            <td class="px-4 py-3 font-medium">
                                                                <a href=format!("/contacts/{}", c.id) class="text-emerald-700 hover:underline">
                                                                    {if c.name.is_empty() { t_string!(i18n, contacts.no_name).to_string() } else { c.name }}
                                                                </a>
                                                            </td>
                                                            <td class="px-4 py-3 font-mono text-xs">
                                                                {display(&c.phone)}
                                                                <LineBadge line_type=c.line_type.clone()/>
                                                            </td>
                                                            <td class="px-4 py-3"><ContactStatus opted_out=c.opted_out/></td>
                                                            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{prefs.when(c.last_interaction_at.as_deref())}</td>
                                                        </tr>
                                                    }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    </div>
                                    {next.map(|href| view! {
                                        <p class="mt-3 text-right"><a href=href class=LINK_BUTTON data-testid="next-page">{t!(i18n, contacts.next_page)}</a></p>
                                    })}
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </div>
            <Suspense>
                {move || suspend(async move {
                    let (admin, lists) = (is_admin().await, lists.await.unwrap_or_default());
                    let (q, opted_out, list_id, _, line) = filters.get();
                    let upload_lists = lists.clone();
                    admin.then(|| view! {
                <div class="space-y-6">
                <Card title=t_string!(i18n, import.title).to_string()>
                    <form method="post" action="/api/v1/contacts/import" enctype="multipart/form-data"
                        class="space-y-4" data-testid="upload-contacts">
                        <p class="text-sm text-slate-600">{t!(i18n, import.hint, example = "{{cidade}}")}</p>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, import.file)}</span>
                            <input type="file" name="file" accept=".csv,text/csv" required class="mt-1 block w-full text-sm"/>
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, import.list)}</span>
                            <ListSelect lists=upload_lists name="list_id" none=t_string!(i18n, import.no_list).to_string() testid="upload-list"/>
                        </label>
                        <button type="submit" class=BUTTON>{t!(i18n, import.upload)}</button>
                    </form>
                </Card>
                <AddResultsToListCard lists filters=(q, opted_out, list_id, line)/>
                </div>
                    })
                })}
            </Suspense>
        </div>
    }
}

/// An import job's page: progress while it runs (reload to update), then the report.
#[component]
pub fn ImportPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let id = param_id();
    let tick = RwSignal::new(0u32);
    let job = Resource::new(move || (id(), tick.get()), |(id, _)| import_job(id));
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, import.title))/>
        <h1 class="mb-6 text-2xl font-semibold tracking-tight">{t!(i18n, import.title)}</h1>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                match job.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(j) => {
                        let running = j.status == "queued" || j.status == "running";
                        // In the browser, look again in a second; without JavaScript, reload.
                        #[cfg(feature = "hydrate")]
                        if running {
                            set_timeout(move || tick.update(|t| *t += 1), std::time::Duration::from_secs(1));
                        }
                        let pct = if j.total > 0 { (100 * j.processed / j.total) as f64 } else { 0.0 };
                        let errors = j.errors.clone();
                        view! {
                            <div class="space-y-6" data-testid="import-job" data-status=j.status.clone()>
                                <div>
                                    <span class="font-semibold">{job_status(&j.status)}</span>
                                    <progress class="mt-3 block h-3 w-full" max="100" value=pct
                                        aria-label=t_string!(i18n, import.progress)></progress>
                                    {running.then(|| view! {
                                        <p class="mt-1 text-sm text-slate-600">
                                            <a href=format!("/contacts/imports/{}", j.id) class="text-emerald-700 hover:underline">{t!(i18n, import.reload)}</a>
                                        </p>
                                    })}
                                    <p class="mt-1 text-sm text-slate-600">
                                        {t_string!(i18n, import.processed, done = prefs.num(j.processed), total = prefs.num(j.total)).to_string()}
                                    </p>
                                </div>
                                <dl class="grid grid-cols-2 gap-3 sm:grid-cols-3" data-testid="import-report">
                                    <Count label=t_string!(i18n, import.created).to_string() value=prefs.num(j.created)/>
                                    <Count label=t_string!(i18n, import.updated).to_string() value=prefs.num(j.updated)/>
                                    <Count label=t_string!(i18n, import.unchanged).to_string() value=prefs.num(j.unchanged)/>
                                    <Count label=t_string!(i18n, import.duplicates).to_string() value=prefs.num(j.duplicates)/>
                                    <Count label=t_string!(i18n, import.invalid).to_string() value=prefs.num(j.invalid)/>
                                    <Count label=t_string!(i18n, import.kept_opted_out).to_string() value=prefs.num(j.kept_opted_out)/>
                                </dl>
                                {j.error.map(|e| view! { <ErrorBox text=e/> })}
                                {(!errors.is_empty()).then(|| view! {
                                    <Card title=t_string!(i18n, import.errors).to_string()>
                                        <a href=format!("/api/v1/contacts/imports/{}/errors.csv", j.id) download rel="external"
                                            class=LINK_BUTTON data-testid="import-errors">{t!(i18n, import.download_errors)}</a>
                                        <div class="mt-4 overflow-x-auto"><table class="min-w-full text-sm">
                                            <thead><tr>
                                                <th class=TH>{t!(i18n, import.col_line)}</th>
                                                <th class=TH>{t!(i18n, import.col_phone)}</th>
                                                <th class=TH>{t!(i18n, import.col_reason)}</th>
                                            </tr></thead>
                                            <tbody class="divide-y divide-slate-100">
                                                {errors.into_iter().map(|e| view! {
                                                    <tr><td class="px-4 py-2">{prefs.num(e.line as i64)}</td><td class="px-4 py-2 font-mono text-xs">{e.phone}</td><td class="px-4 py-2">{e.reason}</td></tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table></div>
                                    </Card>
                                })}
                                <a href="/contacts" class=LINK_BUTTON>{t!(i18n, contacts.back)}</a>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// An import job's status in the reader's language.
fn job_status(status: &str) -> String {
    let i18n = use_i18n();
    match status {
        "queued" => t_string!(i18n, import.status_queued).to_string(),
        "running" => t_string!(i18n, import.status_running).to_string(),
        "done" => t_string!(i18n, import.status_done).to_string(),
        "failed" => t_string!(i18n, import.status_failed).to_string(),
        other => other.to_string(),
    }
}

/// One figure of a report.
#[component]
fn Count(label: String, value: String) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-slate-200 bg-white p-3">
            <dt class="text-xs text-slate-600">{label}</dt>
            <dd class="text-lg font-semibold">{value}</dd>
        </div>
    }
}

/// A contact's page.
#[component]
pub fn ContactPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let id = param_id();
    let opt_out = ServerAction::<OptOutContact>::new();
    let opt_in = ServerAction::<OptInContact>::new();
    let erase = ServerAction::<EraseContact>::new();
    let add = ServerAction::<AddContactToList>::new();
    let remove = ServerAction::<RemoveContactFromList>::new();
    let correct = ServerAction::<CorrectContact>::new();
    let detail = Resource::new(
        move || {
            (
                id(),
                opt_out.version().get() + opt_in.version().get() + correct.version().get(),
                add.version().get() + remove.version().get(),
            )
        },
        |(id, _, _)| get_contact(id),
    );
    let lists = Resource::new(|| (), |_| list_lists());
    let failure = move || {
        [
            opt_out.value().get().and_then(|r| r.err()),
            opt_in.value().get().and_then(|r| r.err()),
            erase.value().get().and_then(|r| r.err()),
            add.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
            correct.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| error_text(&e))
    };
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, contacts.contact))/>
        {move || failure().map(|e| view! { <div class="mb-4"><ErrorBox text=e/></div> })}
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                let (detail, admin) = (detail.await, is_admin().await);
                let all_lists = if admin { lists.await.unwrap_or_default() } else { Vec::new() };
                match detail {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(d) => {
                        let c = d.contact;
                        let (cid, opted_out) = (c.id, c.opted_out);
                        let member_of = d.lists.clone();
                        let list_names = d.lists.iter().map(|l| l.name.clone()).collect::<Vec<_>>().join(", ");
                        let (name_now, phone_now) = (c.name.clone(), display(&c.phone));
                        let fields_now = ContactCorrection::form_lines(&d.attributes);
                        let keys_now = d.attributes.keys().cloned().collect::<Vec<_>>().join("\n");
                        view! {
                            <div class="mb-6">
                                <a href="/contacts" class="text-sm text-emerald-700 hover:underline">{t!(i18n, contacts.back)}</a>
                                <h1 class="mt-2 text-2xl font-semibold tracking-tight" data-testid="contact-name">
                                    {if c.name.is_empty() { t_string!(i18n, contacts.no_name).to_string() } else { c.name.clone() }}
                                </h1>
                                <p class="mt-1 flex items-center gap-3 text-sm text-slate-600">
                                    <span class="font-mono">{display(&c.phone)}</span>
                                    <ContactStatus opted_out/>
                                </p>
                            </div>
                            <div class="grid grid-cols-1 gap-6 lg:grid-cols-3">
                                <div class="min-w-0 space-y-6 lg:col-span-2">
                                    <Card title=t_string!(i18n, contacts.campaigns).to_string()>
                                        {if d.campaigns.is_empty() {
                                            view! { <Empty text=t_string!(i18n, contacts.no_campaigns)/> }.into_any()
                                        } else {
                                            view! {
                                                <div class="overflow-x-auto"><table class="min-w-full text-sm" data-testid="contact-campaigns">
                                                    <thead><tr>
                                                        <th class=TH>{t!(i18n, contacts.col_campaign)}</th>
                                                        <th class=TH>{t!(i18n, contacts.col_status)}</th>
                                                        <th class=TH>{t!(i18n, contacts.col_sent)}</th>
                                                        <th class=TH>{t!(i18n, contacts.col_read)}</th>
                                                        <th class=TH>{t!(i18n, contacts.col_replied)}</th>
                                                    </tr></thead>
                                                    <tbody class="divide-y divide-slate-100">
                                                        {d.campaigns.into_iter().map(|k| view! {
                                                            <tr>
                                                                <td class="px-4 py-2"><a href=format!("/campaigns/{}", k.campaign_id) class="text-emerald-700 hover:underline">{k.campaign_name}</a></td>
                                                                <td class="px-4 py-2"><Pill status=k.status/></td>
                                                                <td class="whitespace-nowrap px-4 py-2">{prefs.short(k.sent_at.as_deref())}</td>
                                                                <td class="whitespace-nowrap px-4 py-2">{prefs.short(k.read_at.as_deref())}</td>
                                                                <td class="whitespace-nowrap px-4 py-2">{prefs.short(k.replied_at.as_deref())}</td>
                                                            </tr>
                                                        }).collect_view()}
                                                    </tbody>
                                                </table></div>
                                            }.into_any()
                                        }}
                                    </Card>
                                    <Card title=t_string!(i18n, replies.title).to_string()>
                                        {if d.replies.is_empty() {
                                            view! { <Empty text=t_string!(i18n, replies.empty)/> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="space-y-3" data-testid="contact-replies">
                                                    {d.replies.into_iter().map(|r| view! {
                                                        <li class="rounded-lg bg-slate-50 p-3">
                                                            <p class="text-sm">{r.text}</p>
                                                            <p class="mt-1 text-xs text-slate-600">{prefs.when(Some(&r.received_at))}</p>
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </Card>
                                    <Card title=t_string!(i18n, consent.history).to_string()>
                                        {if d.consent_history.is_empty() {
                                            view! { <Empty text=t_string!(i18n, consent.no_history)/> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="space-y-2 text-sm" data-testid="consent-history">
                                                    {d.consent_history.into_iter().map(|e| view! {
                                                        <li>
                                                            <span class="font-semibold">{consent_action(prefs.locale, &e.action)}</span>
                                                            " "{consent_detail(prefs.locale, &e)}" · "{e.actor.clone()}" · "{prefs.when(Some(&e.created_at))}
                                                        </li>
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </Card>
                                </div>
                                <div class="space-y-6">
                                    <Card title=t_string!(i18n, contacts.details).to_string()>
                                        <dl class="space-y-2 text-sm" data-testid="contact-attributes">
                                            {d.attributes.into_iter().map(|(k, v)| view! {
                                                <div class="flex justify-between gap-3"><dt class="text-slate-600">{format!("{{{{{k}}}}}")}</dt><dd>{v}</dd></div>
                                            }).collect_view()}
                                            {(!admin).then(|| view! {
                                                <div class="flex justify-between gap-3">
                                                    <dt class="text-slate-600">{t!(i18n, contacts.lists)}</dt>
                                                    <dd>{list_names.clone()}</dd>
                                                </div>
                                            })}
                                        </dl>
                                    </Card>
                                    {admin.then(|| view! {
                                        <Card title=t_string!(i18n, data_export.card).to_string()>
                                            <p class="text-sm text-slate-600">{t!(i18n, data_export.hint)}</p>
                                            <div class="mt-3 flex flex-wrap gap-2">
                                                <a href=format!("/api/v1/contacts/{cid}/data-export?format=html") rel="external" class=BUTTON data-testid="data-export">{t!(i18n, data_export.button)}</a>
                                                <a href=format!("/api/v1/contacts/{cid}/data-export?format=json") rel="external" class=LINK_BUTTON download data-testid="data-export-json">{t!(i18n, data_export.button_json)}</a>
                                            </div>
                                        </Card>
                                        <Card title=t_string!(i18n, correction.title).to_string()>
                                            <ActionForm action=correct attr:class="space-y-3" attr:data-testid="correct-form">
                                                <input type="hidden" name="id" value=cid/>
                                                <input type="hidden" name="shown_phone" value=phone_now.clone()/>
                                                <input type="hidden" name="shown_keys" value=keys_now.clone()/>
                                                <p class="text-sm text-slate-600">{t!(i18n, correction.hint)}</p>
                                                <label class="block">
                                                    <span class="text-sm font-medium text-slate-700">{t!(i18n, correction.name)}</span>
                                                    <input name="name" class=INPUT value=name_now.clone()/>
                                                </label>
                                                <label class="block">
                                                    <span class="text-sm font-medium text-slate-700">{t!(i18n, correction.phone)}</span>
                                                    <input name="phone" class=INPUT inputmode="tel" value=phone_now.clone()/>
                                                </label>
                                                <label class="block">
                                                    <span class="text-sm font-medium text-slate-700">{t!(i18n, correction.attributes)}</span>
                                                    <textarea name="attributes" rows="3" class=INPUT>{fields_now.clone()}</textarea>
                                                    <span class="mt-1 block text-xs text-slate-600">{t!(i18n, correction.attributes_hint)}</span>
                                                </label>
                                                <button type="submit" class=BUTTON>{t!(i18n, correction.save)}</button>
                                            </ActionForm>
                                        </Card>
                                        <ContactListsCard id=cid member_of=member_of.clone() all=all_lists.clone() add remove/>
                                        <Card title=t_string!(i18n, consent.title).to_string()>
                                            {if opted_out {
                                                view! {
                                                    <ActionForm action=opt_in attr:class="space-y-3" attr:data-testid="opt-in-form">
                                                        <input type="hidden" name="id" value=cid/>
                                                        <label class="block">
                                                            <span class="text-sm font-medium text-slate-700">{t!(i18n, consent.consent_note)}</span>
                                                            <textarea name="consent_note" required class=INPUT></textarea>
                                                        </label>
                                                        <button type="submit" class=BUTTON>{t!(i18n, consent.opt_in)}</button>
                                                    </ActionForm>
                                                }.into_any()
                                            } else {
                                                view! {
                                                    <ActionForm action=opt_out attr:class="space-y-3" attr:data-testid="opt-out-form">
                                                        <input type="hidden" name="id" value=cid/>
                                                        <label class="block">
                                                            <span class="text-sm font-medium text-slate-700">{t!(i18n, consent.reason)}</span>
                                                            <input name="reason" required class=INPUT placeholder=move || t_string!(i18n, consent.reason_hint)/>
                                                        </label>
                                                        <button type="submit" class=BUTTON>{t!(i18n, consent.opt_out)}</button>
                                                    </ActionForm>
                                                }.into_any()
                                            }}
                                        </Card>
                                        <Card title=t_string!(i18n, consent.erase_title).to_string()>
                                            <ActionForm action=erase attr:class="space-y-3" attr:data-testid="erase-form">
                                                <input type="hidden" name="id" value=cid/>
                                                <p class="text-sm text-slate-600">{t!(i18n, consent.erase_hint)}</p>
                                                <label class="flex items-center gap-2 text-sm">
                                                    <input type="checkbox" name="confirm" value="yes" required/>
                                                    {t!(i18n, consent.erase_confirm)}
                                                </label>
                                                <button type="submit" class="rounded-md bg-rose-700 px-3 py-2 text-sm font-medium text-white hover:bg-rose-800">
                                                    {t!(i18n, consent.erase)}
                                                </button>
                                            </ActionForm>
                                        </Card>
                                    })}
                                </div>
                            </div>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
