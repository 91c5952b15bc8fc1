//! `/`: every campaign of the tenant with its status, progress and rates, live.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_campaigns;
use crate::live::use_live;
use crate::pages::layout::UserResource;
use crate::types::CampaignView;
use crate::ui::{Empty, ErrorBox, Pill, error_text, num, pct, when};

/// The campaigns list.
#[component]
pub fn CampaignsPage() -> impl IntoView {
    let campaigns = Resource::new(|| (), |_| list_campaigns());
    let user = expect_context::<UserResource>();
    view! {
        <Title text="Campaigns · Alrea Flow"/>
        <div class="mb-6 flex items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Campaigns"</h1>
                <p class="mt-1 text-sm text-slate-500">"Every campaign of your team, updated live."</p>
            </div>
            <Suspense>
                {move || Suspend::new(async move {
                    user.await
                        .ok()
                        .filter(|u| u.role == "admin")
                        .map(|_| {
                            view! {
                                <a
                                    href="/campaigns/new"
                                    class="rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-700"
                                    data-testid="new-campaign-link"
                                >
                                    "New campaign"
                                </a>
                            }
                        })
                })}
            </Suspense>
        </div>
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match campaigns.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! {
                            <Empty text="No campaigns yet. Create one with the API (POST /api/v1/campaigns)."/>
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
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="campaigns">
                <thead class="bg-slate-50">
                    <tr>
                        <th class=th>"Campaign"</th>
                        <th class=th>"Status"</th>
                        <th class=th>"Progress"</th>
                        <th class=th>"Delivered"</th>
                        <th class=th>"Read"</th>
                        <th class=th>"Opt-outs"</th>
                        <th class=th>"Started"</th>
                        <th class=th>"Finished"</th>
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
                                <div class="mt-1 text-xs text-slate-500">{r.replace('_', " ")}</div>
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
                            format!("{} of {} sent", num(c.counts.sent), num(c.counts.total))
                        }}
                    </div>
                </div>
            </td>
            <td class="px-4 py-3 tabular-nums">{move || pct(c.get().delivery_rate)}</td>
            <td class="px-4 py-3 tabular-nums">{move || pct(c.get().read_rate)}</td>
            <td class="px-4 py-3 tabular-nums">{move || num(c.get().counts.opted_out)}</td>
            <td class="px-4 py-3 text-slate-600">{move || when(c.get().started_at.as_deref())}</td>
            <td class="px-4 py-3 text-slate-600">{move || when(c.get().finished_at.as_deref())}</td>
        </tr>
    }
}
