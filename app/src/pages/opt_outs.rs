//! `/opt-outs`: who asked not to be messaged again, when, and with what words (LGPD evidence).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_opt_outs;
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{Empty, ErrorBox, error_text};

/// The opt-outs page.
#[component]
pub fn OptOutsPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let rows = Resource::new(|| (), |_| list_opt_outs());
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, opt_outs.title))/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, opt_outs.title)}</h1>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, opt_outs.subtitle)}</p>
            </div>
            <a
                href="/export/opt-outs.csv"
                download
                rel="external"
                class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 shadow-sm hover:bg-slate-50"
                data-testid="export-opt-outs"
            >
                {t!(i18n, opt_outs.export)}
            </a>
        </div>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                match rows.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <Empty text=t_string!(i18n, opt_outs.empty)/> }.into_any(),
                    Ok(list) => {
                        view! {
                            <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="opt-outs">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=th>{t!(i18n, opt_outs.col_when)}</th>
                                            <th class=th>{t!(i18n, opt_outs.col_phone)}</th>
                                            <th class=th>{t!(i18n, opt_outs.col_name)}</th>
                                            <th class=th>{t!(i18n, opt_outs.col_keyword)}</th>
                                            <th class=th>{t!(i18n, opt_outs.col_message)}</th>
                                            <th class=th>{t!(i18n, opt_outs.col_campaign)}</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {list
                                            .into_iter()
                                            .map(|o| {
                                                view! {
                                                    <tr>
                                                        <td class="whitespace-nowrap px-4 py-3 text-slate-600">{prefs.when(Some(&o.opted_out_at))}</td>
                                                        <td class="px-4 py-3 font-mono text-xs">{crate::phone_display::display(&o.phone)}</td>
                                                        <td class="px-4 py-3 font-medium">{o.name}</td>
                                                        <td class="px-4 py-3">
                                                            <span class="rounded bg-amber-50 px-2 py-0.5 text-xs font-semibold text-amber-800">
                                                                {o.keyword.unwrap_or_default()}
                                                            </span>
                                                        </td>
                                                        <td class="px-4 py-3 text-slate-700">{o.raw_text.unwrap_or_default()}</td>
                                                        <td class="px-4 py-3" data-testid="opt-out-campaign">
                                                            {o.campaign_id.zip(o.campaign_name).map(|(id, name)| view! {
                                                                <a href=format!("/campaigns/{id}") class="text-emerald-700 hover:underline">{name}</a>
                                                            })}
                                                        </td>
                                                    </tr>
                                                }
                                            })
                                            .collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}
