//! `/campaigns/compare?ids=1,2,3`: campaigns side by side (size, delivery, read, reply,
//! opt-out and deletion rates, median time to read, the best variant), with a CSV export. The
//! campaigns are picked with a plain GET form of checkboxes, so it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::list_campaigns;
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::insights::ComparedCampaign;
use crate::insights_api::compare_campaigns;
use crate::pages::insights::duration_text;
use crate::prefs::{Prefs, use_prefs};
use crate::suspend_once::suspend;
use crate::ui::{Empty, ErrorBox, error_text, status_label};

/// The ids of `ids=1,2,3` (also `ids=1&ids=2`), in order, without repeats.
pub fn parse_ids(values: &[String]) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for id in values
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|v| v.trim().parse::<i64>().ok())
    {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

/// One row of the table: its name and each campaign's value.
type Row = (String, Vec<String>);

fn rows(locale: Locale, prefs: Prefs, campaigns: &[ComparedCampaign]) -> Vec<Row> {
    let each = |f: &dyn Fn(&ComparedCampaign) -> String| campaigns.iter().map(f).collect();
    vec![
        (
            td_string!(locale, insights.col_status).to_string(),
            each(&|c| status_label(locale, &c.status)),
        ),
        (
            td_string!(locale, insights.col_size).to_string(),
            each(&|c| prefs.num(c.size)),
        ),
        (
            td_string!(locale, insights.col_sent).to_string(),
            each(&|c| prefs.num(c.sent)),
        ),
        (
            td_string!(locale, insights.col_delivery_rate).to_string(),
            each(&|c| prefs.pct(c.delivery_rate)),
        ),
        (
            td_string!(locale, insights.col_read_rate).to_string(),
            each(&|c| prefs.pct(c.read_rate)),
        ),
        (
            td_string!(locale, insights.col_reply_rate).to_string(),
            each(&|c| prefs.pct(c.reply_rate)),
        ),
        (
            td_string!(locale, insights.col_opt_out_rate).to_string(),
            each(&|c| prefs.pct(c.opt_out_rate)),
        ),
        (
            td_string!(locale, insights.col_deletion_rate).to_string(),
            each(&|c| prefs.pct(c.deletion_rate)),
        ),
        (
            td_string!(locale, insights.col_read_p50).to_string(),
            each(&|c| c.read_p50_secs.map_or_else(|| "—".into(), duration_text)),
        ),
        (
            td_string!(locale, insights.col_best_variant).to_string(),
            each(&|c| {
                c.best_variant.map_or_else(
                    || "—".into(),
                    |v| td_string!(locale, variants.variant_name, n = v + 1).to_string(),
                )
            }),
        ),
        (
            td_string!(locale, insights.col_click_rate).to_string(),
            each(&|c| prefs.pct(c.click_rate)),
        ),
        (
            td_string!(locale, insights.col_conversions).to_string(),
            each(&|c| prefs.num(c.conversions)),
        ),
        (
            td_string!(locale, insights.col_revenue).to_string(),
            each(&|c| prefs.money(c.revenue)),
        ),
        (
            td_string!(locale, insights.col_revenue_per_message).to_string(),
            each(&|c| prefs.money(c.revenue_per_message)),
        ),
    ]
}

/// The comparison page.
#[component]
pub fn ComparePage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let query = use_query_map();
    let ids = Memo::new(move |_| query.with(|q| parse_ids(&q.get_all("ids").unwrap_or_default())));
    let comparison = Resource::new(
        move || ids.get(),
        |ids| async move {
            if ids.is_empty() {
                Ok(None)
            } else {
                compare_campaigns(ids).await.map(Some)
            }
        },
    );
    let campaigns = Resource::new(|| (), |_| list_campaigns());
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, insights.compare_title))/>
        <div class="mb-6 flex flex-wrap items-end justify-between gap-4">
            <div>
                <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, insights.compare_title)}</h1>
                <p class="mt-1 text-sm text-slate-600">{t!(i18n, insights.compare_subtitle)}</p>
            </div>
            {move || {
                let ids = ids.get();
                (!ids.is_empty()).then(|| {
                    let list = ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",");
                    view! {
                        <a
                            href=format!("/export/campaigns/compare.csv?ids={list}")
                            download
                            rel="external"
                            class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 shadow-sm hover:bg-slate-50"
                            data-testid="export-compare"
                        >
                            {t!(i18n, insights.compare_csv)}
                        </a>
                    }
                })
            }}
        </div>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                match comparison.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(None) => view! { <Empty text=t_string!(i18n, insights.compare_pick)/> }.into_any(),
                    Ok(Some(c)) => {
                        let locale = i18n.get_locale_untracked();
                        let table = rows(locale, prefs, &c.campaigns);
                        view! {
                            <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                                <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="comparison">
                                    <thead class="bg-slate-50">
                                        <tr>
                                            <th class=th scope="col">{t!(i18n, insights.col_metric)}</th>
                                            {c.campaigns.iter().map(|c| view! {
                                                <th class=th scope="col">
                                                    <a href=format!("/campaigns/{}", c.id) class="text-emerald-800 underline">{c.name.clone()}</a>
                                                </th>
                                            }).collect_view()}
                                        </tr>
                                    </thead>
                                    <tbody class="divide-y divide-slate-100">
                                        {table.into_iter().map(|(name, values)| view! {
                                            <tr>
                                                <th scope="row" class="px-4 py-2 text-left font-medium text-slate-700">{name}</th>
                                                {values.into_iter().map(|v| view! {
                                                    <td class="px-4 py-2 tabular-nums">{v}</td>
                                                }).collect_view()}
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }
                        .into_any()
                    }
                }
            })}
        </Suspense>
        <form method="get" action="/campaigns/compare" class="mt-6 rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid="compare-picker">
            <fieldset>
                <legend class="text-sm font-semibold text-slate-700">{t!(i18n, insights.compare_pick)}</legend>
                <div class="mt-3 grid grid-cols-1 gap-2 sm:grid-cols-2 lg:grid-cols-3">
                    <Suspense>
                        {move || suspend(async move {
                            let chosen = ids.get_untracked();
                            campaigns.await.unwrap_or_default().into_iter().map(|c| {
                                let checked = chosen.contains(&c.id);
                                view! {
                                    <label class="flex items-center gap-2 text-sm">
                                        <input type="checkbox" name="ids" value=c.id checked=checked/>
                                        {c.name}
                                    </label>
                                }
                            }).collect_view()
                        })}
                    </Suspense>
                </div>
            </fieldset>
            <button type="submit" class="mt-4 rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800" data-testid="compare-submit">
                {t!(i18n, insights.compare_submit)}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_either_spelling() {
        assert_eq!(parse_ids(&["3,1, 2".into()]), vec![3, 1, 2]);
        assert_eq!(parse_ids(&["1".into(), "2".into(), "1".into()]), vec![1, 2]);
        assert_eq!(parse_ids(&["x".into()]), Vec::<i64>::new());
    }
}
