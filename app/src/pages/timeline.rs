//! The campaign's timeline chart: deliveries and reads per minute, drawn as SVG bars, refetched
//! whenever the live counters move.

use leptos::prelude::*;

use crate::api::campaign_timeline;
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::{Prefs, use_prefs};
use crate::suspend_once::suspend;
use crate::types::Timeline;
use crate::ui::{Empty, ErrorBox, error_text};

const WIDTH: f64 = 1200.0;
const HEIGHT: f64 = 170.0;
const LEFT: f64 = 40.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 140.0;

/// Deliveries and reads per minute of a campaign.
#[component]
pub fn TimelineChart(
    /// The campaign.
    id: i64,
    /// Changes when the campaign's counters do (refetches the chart).
    version: Signal<(i64, i64)>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let timeline = Resource::new(move || version.get(), move |_| campaign_timeline(id));
    view! {
        <Transition fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                match timeline.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(t) if t.points.is_empty() => {
                        view! { <Empty text=t_string!(i18n, campaign.timeline_empty)/> }
                            .into_any()
                    }
                    Ok(t) => bars(t, prefs).into_any(),
                }
            })}
        </Transition>
    }
}

/// A timeline minute (`YYYY-MM-DDTHH:MM`, UTC) as a clock time in the tenant's timezone.
fn minute_clock(prefs: Prefs, minute: &str) -> String {
    prefs.clock(&format!("{minute}:00Z"))
}

fn bars(t: Timeline, prefs: Prefs) -> impl IntoView {
    let i18n = use_i18n();
    let max = t
        .points
        .iter()
        .map(|p| p.delivered.max(p.read))
        .max()
        .unwrap_or(0)
        .max(1);
    let slot = (WIDTH - LEFT) / t.points.len() as f64;
    let bar = (slot / 2.0 - 0.5).max(0.5);
    let height = |n: i64| (BOTTOM - TOP) * n as f64 / max as f64;
    let label = |i: usize| {
        t.points
            .get(i)
            .map(|p| minute_clock(prefs, &p.minute))
            .unwrap_or_default()
    };
    let (first, middle, last) = (
        label(0),
        label(t.points.len() / 2),
        label(t.points.len() - 1),
    );
    let total_delivered: i64 = t.points.iter().map(|p| p.delivered).sum();
    let total_read: i64 = t.points.iter().map(|p| p.read).sum();
    view! {
        <div class="mb-2 flex items-center gap-4 text-xs text-slate-600">
            <span class="flex items-center gap-1.5">
                <span class="inline-block h-2.5 w-2.5 rounded-sm bg-emerald-400"></span>
                {t_string!(i18n, campaign.timeline_delivered, count = prefs.num(total_delivered)).to_string()}
            </span>
            <span class="flex items-center gap-1.5">
                <span class="inline-block h-2.5 w-2.5 rounded-sm bg-emerald-800"></span>
                {t_string!(i18n, campaign.timeline_read, count = prefs.num(total_read)).to_string()}
            </span>
        </div>
        <svg
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            class="w-full"
            role="img"
            aria-label=t_string!(i18n, campaign.per_minute)
            data-testid="timeline"
        >
            <line x1=LEFT y1=BOTTOM x2=WIDTH y2=BOTTOM stroke="#cbd5e1"></line>
            <line x1=LEFT y1=TOP x2=WIDTH y2=TOP stroke="#f1f5f9"></line>
            <text x=LEFT - 6.0 y=TOP + 4.0 font-size="12" fill="#475569" text-anchor="end">{prefs.num(max)}</text>
            <text x=LEFT - 6.0 y=BOTTOM font-size="12" fill="#475569" text-anchor="end">"0"</text>
            {t
                .points
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    let x = LEFT + i as f64 * slot;
                    let (d, r) = (height(p.delivered), height(p.read));
                    view! {
                        <g>
                            <title>
                                {t_string!(
                                    i18n,
                                    campaign.timeline_point,
                                    time = minute_clock(prefs, &p.minute),
                                    delivered = prefs.num(p.delivered),
                                    read = prefs.num(p.read),
                                )
                                    .to_string()}
                            </title>
                            <rect x=x y=BOTTOM - d width=bar height=d fill="#34d399"></rect>
                            <rect x=x + bar y=BOTTOM - r width=bar height=r fill="#065f46"></rect>
                        </g>
                    }
                })
                .collect_view()}
            <text x=LEFT y=HEIGHT - 8.0 font-size="12" fill="#475569">{first}</text>
            <text x=LEFT + (WIDTH - LEFT) / 2.0 y=HEIGHT - 8.0 font-size="12" fill="#475569" text-anchor="middle">{middle}</text>
            <text x=WIDTH y=HEIGHT - 8.0 font-size="12" fill="#475569" text-anchor="end">{last}</text>
        </svg>
    }
}
