//! A campaign's time to deliver and to read (medians, 90th percentiles and the time-to-read
//! histogram, drawn as server-rendered SVG), and, for a campaign sent at each person's best
//! hour, who still waits for which hour.

use leptos::prelude::*;

use crate::i18n::{t, t_string, use_i18n};
use crate::insights::{CampaignTiming, DueHour, HistogramBucket};
use crate::insights_api::load_campaign_timing;
use crate::pages::insights::duration_text;
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{Card, Empty, ErrorBox, error_text};

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 190.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 150.0;

/// The time-to-read chart of campaign `id`, refetched when its counters move.
#[component]
pub fn TimingChart(
    /// The campaign.
    id: i64,
    /// Changes when the campaign's receipts do.
    version: Signal<(i64, i64)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let timing = Resource::new(move || version.get(), move |_| load_campaign_timing(id));
    view! {
        <Transition fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                match timing.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(t) if t.read_p50_secs.is_none() && t.deliver_p50_secs.is_none() => {
                        view! { <Empty text=t_string!(i18n, insights.timing_empty)/> }.into_any()
                    }
                    Ok(t) => chart(t).into_any(),
                }
            })}
        </Transition>
    }
}

/// A bar's label: "≤ 5 min", or "> 24 h" for the open last bar.
fn bar_label(locale: crate::i18n::Locale, bar: &HistogramBucket, previous: Option<i64>) -> String {
    match bar.le_secs {
        Some(le) => {
            crate::i18n::td_string!(locale, insights.bar_le, t = duration_text(le)).to_string()
        }
        None => crate::i18n::td_string!(
            locale,
            insights.bar_more,
            t = duration_text(previous.unwrap_or(0))
        )
        .to_string(),
    }
}

fn chart(t: CampaignTiming) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let locale = i18n.get_locale_untracked();
    let text = |p: Option<i64>| p.map_or_else(|| "—".to_string(), duration_text);
    let deliver = t_string!(
        i18n,
        insights.deliver_line,
        p50 = text(t.deliver_p50_secs),
        p90 = text(t.deliver_p90_secs)
    )
    .to_string();
    let read = t_string!(
        i18n,
        insights.read_line,
        p50 = text(t.read_p50_secs),
        p90 = text(t.read_p90_secs)
    )
    .to_string();
    let max = t
        .read_histogram
        .iter()
        .map(|b| b.count)
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = WIDTH / t.read_histogram.len().max(1) as f64;
    let label = t_string!(i18n, insights.histogram_label).to_string();
    let bars = t
        .read_histogram
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let previous = i.checked_sub(1).and_then(|p| t.read_histogram[p].le_secs);
            let name = bar_label(locale, bar, previous);
            let h = (BOTTOM - TOP) * bar.count as f64 / max as f64;
            let x = i as f64 * slot;
            view! {
                <g>
                    <title>{format!("{name}: {}", prefs.num(bar.count))}</title>
                    <rect x=x + 4.0 y=BOTTOM - h width=slot - 8.0 height=h.max(0.5) rx="2" class="fill-emerald-600"/>
                    <text x=x + slot / 2.0 y=BOTTOM - h - 4.0 text-anchor="middle" class="fill-slate-700 text-[11px]">
                        {prefs.num(bar.count)}
                    </text>
                    <text x=x + slot / 2.0 y=BOTTOM + 16.0 text-anchor="middle" class="fill-slate-600 text-[10px]">
                        {name}
                    </text>
                </g>
            }
        })
        .collect_view();
    view! {
        <p class="text-sm text-slate-700" data-testid="timing-deliver">{deliver}</p>
        <p class="mt-1 text-sm text-slate-700" data-testid="timing-read">{read}</p>
        <svg
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            class="mt-3 h-auto w-full"
            role="img"
            aria-label=label
            data-testid="timing-histogram"
        >
            {bars}
        </svg>
    }
}

/// Recipients waiting for their best hour, soonest first.
#[component]
pub fn DueHours(
    /// The hours and how many wait for each.
    hours: Vec<DueHour>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    view! {
        <Card title=t_string!(i18n, insights.due_title).to_string()>
            <p class="mb-3 text-xs text-slate-600">{t!(i18n, insights.due_hint)}</p>
            <ul class="max-h-64 space-y-1 overflow-y-auto text-sm" data-testid="due-hours">
                {hours
                    .into_iter()
                    .map(|h| {
                        let people = t_string!(
                            i18n,
                            insights.due_row,
                            count = prefs.num(h.count),
                            explored = prefs.num(h.explored)
                        )
                        .to_string();
                        view! {
                            <li class="flex justify-between gap-4 rounded bg-slate-50 px-3 py-1.5">
                                <span class="tabular-nums">{prefs.when(Some(&h.at))}</span>
                                <span class="text-slate-700">{people}</span>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </Card>
    }
}
