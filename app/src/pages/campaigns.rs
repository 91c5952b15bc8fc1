//! `/`: every campaign of the tenant with its status, progress and rates, live.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_campaigns;
use crate::i18n::{t, t_string, use_i18n};
use crate::live::use_live;
use crate::pages::layout::UserResource;
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::types::CampaignView;
use crate::ui::{Empty, ErrorBox, Pill, error_text, status_label};

/// The campaigns list.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let i18n = use_i18n();
    let campaigns = Resource::new(|| (), |_| list_campaigns());
    let user = expect_context::<UserResource>();
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, campaigns.title))/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, campaigns.title)}</h1>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, campaigns.subtitle)}</p>
            </div>
            <div class="flex items-center gap-3">
            <a
                href="/campaigns/compare"
                class="rounded-md border border-slate-300 bg-white px-4 py-2 text-sm text-slate-700 shadow-sm hover:bg-slate-50"
                data-testid="compare-link"
            >
                {t!(i18n, insights.compare_link)}
            </a>
            <Suspense>
                {move || suspend(async move {
                    user.await
                        .ok()
                        .filter(|u| u.role == "admin")
                        .map(|_| {
                            view! {
                                <a
                                    href="/campaigns/new"
                                    class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800"
                                    data-testid="new-campaign-link"
                                >
                                    {t!(i18n, campaigns.new)}
                                </a>
                            }
                        })
                })}
            </Suspense>
            </div>
        </div>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                match campaigns.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <Empty text=t_string!(i18n, campaigns.empty)/>
                        }
                            .into_any()
                    }
                    Ok(list) => view! { <CampaignTable list/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignTable(list: Vec<CampaignView>) -> impl IntoView {
    let i18n = use_i18n();
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="campaigns">
                <thead class="bg-slate-50">
                    <tr>
                        <th class=th>{t!(i18n, campaigns.col_campaign)}</th>
                        <th class=th>{t!(i18n, campaigns.col_status)}</th>
                        <th class=th>{t!(i18n, campaigns.col_progress)}</th>
                        <th class=th>{t!(i18n, campaigns.col_delivered)}</th>
                        <th class=th>{t!(i18n, campaigns.col_read)}</th>
                        <th class=th>{t!(i18n, campaigns.col_opt_outs)}</th>
                        <th class=th>{t!(i18n, campaigns.col_started)}</th>
                        <th class=th>{t!(i18n, campaigns.col_finished)}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {list.into_iter().map(|c| view! { <CampaignRow initial=c/> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn CampaignRow(initial: CampaignView) -> impl IntoView {
    let i18n = use_i18n();
    let p = use_prefs();
    let live = use_live();
    let id = initial.id;
    let c = Memo::new(move |_| live.campaign(&initial));
    let progress = move || {
        let c = c.get();
        if c.counts.total == 0 {
            0.0
        } else {
            100.0 * c.counts.sent as f64 / c.counts.total as f64
        }
    };
    view! {
        <tr class="hover:bg-slate-50" data-testid=format!("campaign-row-{id}")>
            <td class="px-4 py-3">
                <a href=format!("/campaigns/{id}") class="font-medium text-slate-900 hover:text-emerald-700">
                    {move || c.get().name}
                </a>
            </td>
            <td class="px-4 py-3">
                <Pill status=Signal::derive(move || c.get().status)/>
                {move || {
                    c.get()
                        .pause_reason
                        .map(|r| {
                            view! {
                                <div class="mt-1 text-xs text-slate-600">{status_label(p.locale, &r)}</div>
                            }
                        })
                }}
            </td>
            <td class="px-4 py-3">
                <div class="w-40">
                    <div class="h-1.5 rounded-full bg-slate-100">
                        <div
                            class="h-1.5 rounded-full bg-emerald-500"
                            style=move || format!("width: {:.1}%", progress())
                        ></div>
                    </div>
                    <div class="mt-1 text-xs text-slate-600">
                        {move || {
                            let c = c.get();
                            t_string!(i18n, campaigns.sent_of, sent = p.num(c.counts.sent), total = p.num(c.counts.total)).to_string()
                        }}
                    </div>
                </div>
            </td>
            <td class="px-4 py-3 tabular-nums">{move || p.pct(c.get().delivery_rate)}</td>
            <td class="px-4 py-3 tabular-nums">{move || p.pct(c.get().read_rate)}</td>
            <td class="px-4 py-3 tabular-nums">{move || p.num(c.get().counts.opted_out)}</td>
            <td class="px-4 py-3 text-slate-600">{move || p.when(c.get().started_at.as_deref())}</td>
            <td class="px-4 py-3 text-slate-600">{move || p.when(c.get().finished_at.as_deref())}</td>
        </tr>
    }
}
