//! What came after the message, on a campaign's page: clicks on its tracked links (per link),
//! the sales traced to it, its follow-ups with the read rate they add, and (for admins) the
//! "Lembrete" form that makes a follow-up; the form posts without JavaScript too.

use leptos::prelude::*;

use crate::follow_up::{DEFAULT_AGE_HOURS, MAX_AGE_HOURS, MIN_AGE_HOURS, Segment};
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::messages_api::CreateFollowUp;
use crate::prefs::use_prefs;
use crate::types::CampaignView;
use crate::ui::{Card, Empty, Pill, error_text};

/// A segment's name for people.
pub fn segment_label(locale: Locale, segment: Segment) -> String {
    match segment {
        Segment::NotRead => td_string!(locale, follow_up.segment_not_read),
        Segment::ReadNotReplied => td_string!(locale, follow_up.segment_read_not_replied),
        Segment::NotClicked => td_string!(locale, follow_up.segment_not_clicked),
        Segment::Clicked => td_string!(locale, follow_up.segment_clicked),
    }
    .to_string()
}

/// One live figure of a card: its label above, its value (`testid`) in `tone`.
fn figure(
    label: &'static str,
    testid: &'static str,
    value: Signal<String>,
    tone: &'static str,
) -> impl IntoView {
    view! {
        <div>
            <div class="text-xs font-medium uppercase tracking-wide text-slate-600">{label}</div>
            <div class=format!("mt-1 text-xl font-semibold tabular-nums {tone}") data-testid=testid aria-live="polite">
                {move || value.get()}
            </div>
        </div>
    }
}

/// Clicks on the campaign's links: totals, rate over delivered, each link.
#[component]
pub fn ClicksCard(
    /// The campaign, live.
    c: Memo<CampaignView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let th = "px-3 py-2 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    let stat = |label, testid, value| figure(label, testid, value, "text-slate-900");
    view! {
        <Card title=t_string!(i18n, follow_up.clicks_title)>
            <div data-testid="clicks">
                {move || (!c.get().track_links).then(|| view! {
                    <p class="mb-3 text-sm text-slate-600">{t!(i18n, follow_up.not_tracked)}</p>
                })}
                <div class="grid grid-cols-3 gap-4">
                    {stat(t_string!(i18n, follow_up.clicks_total), "clicks-total", Signal::derive(move || prefs.num(c.get().clicks.total)))}
                    {stat(t_string!(i18n, follow_up.clicks_unique), "clicks-unique", Signal::derive(move || prefs.num(c.get().clicks.unique)))}
                    {stat(t_string!(i18n, follow_up.click_rate), "click-rate", Signal::derive(move || prefs.pct(c.get().clicks.rate)))}
                </div>
                {move || {
                    let links = c.get().clicks.links;
                    if links.is_empty() {
                        return view! { <Empty text=t_string!(i18n, follow_up.no_links)/> }.into_any();
                    }
                    view! {
                        <div class="mt-4 overflow-x-auto">
                        <table class="min-w-full text-sm" data-testid="link-clicks">
                            <thead>
                                <tr class="border-b border-slate-200">
                                    <th class=th>{t!(i18n, follow_up.col_link)}</th>
                                    <th class=th>{t!(i18n, follow_up.clicks_total)}</th>
                                    <th class=th>{t!(i18n, follow_up.col_people)}</th>
                                </tr>
                            </thead>
                            <tbody class="divide-y divide-slate-100">
                                {links
                                    .into_iter()
                                    .map(|l| view! {
                                        <tr>
                                            <td class="max-w-[12rem] truncate px-3 py-2 font-mono text-xs text-slate-700" title=l.url.clone()>{l.url.clone()}</td>
                                            <td class="px-3 py-2 tabular-nums">{prefs.num(l.total)}</td>
                                            <td class="px-3 py-2 tabular-nums">{prefs.num(l.unique)}</td>
                                        </tr>
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                        </div>
                    }
                    .into_any()
                }}
            </div>
        </Card>
    }
}

/// The sales traced to the campaign: how many, their value, and per message sent.
#[component]
pub fn ConversionsCard(
    /// The campaign, live.
    c: Memo<CampaignView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let item = |label, testid, value| figure(label, testid, value, "text-emerald-800");
    view! {
        <Card title=t_string!(i18n, follow_up.conversions_title)>
            <div class="grid grid-cols-3 gap-4" data-testid="conversions">
                {item(t_string!(i18n, follow_up.conversions_count), "conversions-count", Signal::derive(move || prefs.num(c.get().conversions.count)))}
                {item(t_string!(i18n, follow_up.revenue), "conversions-revenue", Signal::derive(move || prefs.money(c.get().conversions.revenue)))}
                {item(t_string!(i18n, follow_up.revenue_per_message), "conversions-per-message", Signal::derive(move || prefs.money(c.get().conversions.revenue_per_message)))}
            </div>
            <p class="mt-3 text-xs text-slate-600">{t!(i18n, follow_up.conversions_hint)}</p>
        </Card>
    }
}

/// The follow-up's parent, the campaign's follow-ups and what they added, and the form that
/// makes one (admins, once the campaign has started).
#[component]
pub fn FollowUps(
    /// The campaign, live.
    c: Memo<CampaignView>,
    /// Whether the reader may make a follow-up.
    admin: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let create = ServerAction::<CreateFollowUp>::new();
    let started = move || c.get().started_at.is_some();
    let field = "mt-1 block w-full rounded-md border border-slate-300 px-2 py-1.5 text-sm";
    view! {
        <Card title=t_string!(i18n, follow_up.title)>
            <div data-testid="follow-ups">
                {move || c.get().follow_up.map(|of| {
                    let segment = segment_label(prefs.locale, of.segment);
                    view! {
                        <p class="mb-3 text-sm text-slate-700" data-testid="follow-up-of">
                            {t!(i18n, follow_up.follow_up_of)}" "
                            <a class="font-medium text-emerald-800 hover:underline" href=format!("/campaigns/{}", of.parent_id)>{of.parent_name}</a>
                            {format!(" · {segment} · ≥ {} h", of.min_age_hours)}
                        </p>
                    }
                })}
                {move || c.get().combined.map(|combined| {
                    let gain = prefs.decimal(combined.gain_points, 1);
                    let sign = if combined.gain_points >= 0.0 { "+" } else { "" };
                    view! {
                        <p class="mb-3 rounded-md bg-emerald-50 px-3 py-2 text-sm font-medium text-emerald-900" data-testid="combined-result">
                            {t_string!(i18n, follow_up.combined, rate = prefs.pct(combined.read_rate), gain = format!("{sign}{gain}")).to_string()}
                        </p>
                    }
                })}
                {move || {
                    let children = c.get().follow_ups;
                    if children.is_empty() {
                        return view! { <Empty text=t_string!(i18n, follow_up.none)/> }.into_any();
                    }
                    view! {
                        <ul class="divide-y divide-slate-100 text-sm" data-testid="follow-up-list">
                            {children
                                .into_iter()
                                .map(|f| view! {
                                    <li class="flex flex-wrap items-center justify-between gap-2 py-2">
                                        <a class="font-medium text-emerald-800 hover:underline" href=format!("/campaigns/{}", f.id)>{f.name}</a>
                                        <span class="text-slate-600">{segment_label(prefs.locale, f.segment)}</span>
                                        <span class="tabular-nums text-slate-700">
                                            {if f.total == 0 && f.status == "draft" {
                                                t_string!(i18n, follow_up.waiting).to_string()
                                            } else {
                                                t_string!(i18n, follow_up.recipients, total = prefs.num(f.total), read = prefs.num(f.read)).to_string()
                                            }}
                                        </span>
                                        <Pill status=f.status/>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    }
                    .into_any()
                }}
                {move || (admin && started()).then(|| view! {
                    <ActionForm action=create attr:class="mt-4 space-y-3 border-t border-slate-100 pt-4" attr:data-testid="follow-up-form">
                        <h3 class="text-sm font-semibold text-slate-800">{t!(i18n, follow_up.new_title)}</h3>
                        <p class="text-xs text-slate-600">{t!(i18n, follow_up.new_hint)}</p>
                        <input type="hidden" name="id" value=c.get_untracked().id/>
                        <label class="block text-sm">
                            <span class="font-medium text-slate-700">{t!(i18n, follow_up.segment_field)}</span>
                            <select name="segment" class=field data-testid="follow-up-segment">
                                {Segment::ALL
                                    .into_iter()
                                    .map(|s| view! { <option value=s.as_str()>{segment_label(prefs.locale, s)}</option> })
                                    .collect_view()}
                            </select>
                        </label>
                        <label class="block text-sm">
                            <span class="font-medium text-slate-700">{t!(i18n, follow_up.min_age_field)}</span>
                            <input
                                type="number"
                                name="min_age_hours"
                                min=MIN_AGE_HOURS
                                max=MAX_AGE_HOURS
                                value=DEFAULT_AGE_HOURS
                                class=field
                                data-testid="follow-up-age"
                            />
                        </label>
                        <label class="block text-sm">
                            <span class="font-medium text-slate-700">{t!(i18n, follow_up.message_field)}</span>
                            <textarea name="message" rows="3" class=field data-testid="follow-up-message"></textarea>
                        </label>
                        <button
                            type="submit"
                            class="rounded-md bg-emerald-700 px-3 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800"
                            data-testid="follow-up-create"
                        >
                            {t!(i18n, follow_up.create)}
                        </button>
                        {move || create.value().get().and_then(|r| r.err()).map(|e| view! {
                            <p class="text-sm text-rose-800" role="alert">{error_text(&e)}</p>
                        })}
                    </ActionForm>
                })}
            </div>
        </Card>
    }
}
