//! `/opt-outs`: who asked not to be messaged again, when, and with what words (LGPD evidence).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::list_opt_outs;
use crate::ui::{Empty, ErrorBox, error_text, when};

/// The opt-outs page.
#[component]
pub fn OptOutsPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| list_opt_outs());
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-500";
    view! {
        <Title text="Opt-outs · Alrea Flow"/>
        <div class="mb-6 flex items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">"Opt-outs"</h1>
                <p class="mt-1 text-sm text-slate-500">
                    "Contacts who asked to stop receiving messages, newest first. They are never messaged again."
                </p>
            </div>
            <a
                href="/export/opt-outs.csv"
                download
                rel="external"
                class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 shadow-sm hover:bg-slate-50"
                data-testid="export-opt-outs"
            >
                "Export CSV (LGPD evidence)"
            </a>
        </div>
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <Empty text="Nobody has opted out."/> }.into_any(),
                    Ok(list) => {
                        view! {
                            <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="opt-outs">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=th>"When"</th>
                                            <th class=th>"Phone"</th>
                                            <th class=th>"Name"</th>
                                            <th class=th>"Keyword"</th>
                                            <th class=th>"Their message"</th>
                                            <th class=th>"Campaign"</th>
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {list
                                            .into_iter()
                                            .map(|o| {
                                                view! {
                                                    <tr>
                                                        <td class="whitespace-nowrap px-4 py-3 text-slate-600">{when(Some(&o.opted_out_at))}</td>
                                                        <td class="px-4 py-3 font-mono text-xs">{format!("+{}", o.phone)}</td>
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
