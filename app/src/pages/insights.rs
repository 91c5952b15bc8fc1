//! `/insights`: when the team's messages are read, as a weekday × hour heatmap in the team's
//! timezone (server-rendered SVG), the recommended hours in a sentence, and filters by list and
//! campaign (a plain GET form, so it works without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::list_campaigns;
use crate::audience_api::list_lists;
use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::insights::{BestHours, HourCell, Recommendation};
use crate::insights_api::load_best_hours;
use crate::pages::new_campaign::day_label;
use crate::prefs::{Prefs, use_prefs};
use crate::suspend_once::suspend;
use crate::ui::{ErrorBox, INPUT, error_text};

const CELL_W: f64 = 30.0;
const CELL_H: f64 = 26.0;
const LEFT: f64 = 44.0;
const TOP: f64 = 22.0;

/// A duration for people: `45 s`, `12 min`, `3 h 20 min`, `2 d 4 h`.
pub fn duration_text(secs: i64) -> String {
    let secs = secs.max(0);
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3_600 => format!("{} min", s / 60),
        s if s < 86_400 => match (s / 3_600, s % 3_600 / 60) {
            (h, 0) => format!("{h} h"),
            (h, m) => format!("{h} h {m} min"),
        },
        s => match (s / 86_400, s % 86_400 / 3_600) {
            (d, 0) => format!("{d} d"),
            (d, h) => format!("{d} d {h} h"),
        },
    }
}

/// The short name of ISO weekday `weekday` (1 = Monday).
fn day_short(locale: Locale, weekday: u8) -> &'static str {
    day_label(locale, usize::from(weekday.clamp(1, 7)) - 1)
}

/// The plural name of ISO weekday `weekday` ("terças", "Tuesdays").
fn day_plural(locale: Locale, weekday: u8) -> &'static str {
    match weekday {
        1 => td_string!(locale, insights.on_mon),
        2 => td_string!(locale, insights.on_tue),
        3 => td_string!(locale, insights.on_wed),
        4 => td_string!(locale, insights.on_thu),
        5 => td_string!(locale, insights.on_fri),
        6 => td_string!(locale, insights.on_sat),
        _ => td_string!(locale, insights.on_sun),
    }
}

/// `a, b e c` / `a, b and c`.
fn joined(locale: Locale, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!(
            "{} {} {last}",
            init.join(", "),
            td_string!(locale, insights.and)
        ),
    }
}

/// An hour of day: `19h` (pt-BR), `19:00` (en).
fn hour_text(locale: Locale, hour: u8) -> String {
    td_string!(locale, insights.hour, h = hour).to_string()
}

/// The recommendation in a sentence: "Terças e quintas, 19h–21h: lidas na primeira hora 1,8×
/// mais que a média — 4.210 mensagens".
pub fn recommendation_text(locale: Locale, prefs: Prefs, rec: &Recommendation) -> String {
    let mut days: Vec<u8> = rec.slots.iter().map(|s| s.weekday).collect();
    days.sort_unstable();
    days.dedup();
    let mut hours: Vec<u8> = rec.slots.iter().map(|s| s.hour).collect();
    hours.sort_unstable();
    hours.dedup();
    let days = if days.len() == 7 {
        td_string!(locale, insights.every_day).to_string()
    } else {
        let names: Vec<String> = days
            .iter()
            .map(|d| day_plural(locale, *d).to_string())
            .collect();
        joined(locale, &names)
    };
    // Runs of consecutive hours, each as a range to the end of its last hour.
    let mut runs: Vec<(u8, u8)> = Vec::new();
    for h in hours {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == h => *end = h,
            _ => runs.push((h, h)),
        }
    }
    let ranges: Vec<String> = runs
        .iter()
        .map(|(from, to)| {
            format!(
                "{}–{}",
                hour_text(locale, *from),
                hour_text(locale, (to + 1) % 24)
            )
        })
        .collect();
    let ratio = if rec.baseline_rate > 0.0 {
        rec.read_rate / rec.baseline_rate
    } else {
        0.0
    };
    let mut sentence = td_string!(
        locale,
        insights.recommendation,
        days = days,
        hours = joined(locale, &ranges),
        ratio = prefs.decimal(ratio, 1),
        count = prefs.num(rec.evidence)
    )
    .to_string();
    // The sentence starts with the days: capitalised.
    if let Some(first) = sentence.chars().next() {
        sentence = first.to_uppercase().collect::<String>() + &sentence[first.len_utf8()..];
    }
    sentence
}

/// Which number the heatmap shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Metric {
    Reads,
    Sends,
    Replies,
    Active,
}

impl Metric {
    const ALL: [Self; 4] = [Self::Reads, Self::Sends, Self::Replies, Self::Active];

    fn code(self) -> &'static str {
        match self {
            Self::Reads => "reads",
            Self::Sends => "sends",
            Self::Replies => "replies",
            Self::Active => "active",
        }
    }

    fn parse(code: &str) -> Self {
        Self::ALL
            .into_iter()
            .find(|m| m.code() == code)
            .unwrap_or(Self::Reads)
    }

    fn of(self, c: &HourCell) -> i64 {
        match self {
            Self::Reads => c.reads,
            Self::Sends => c.sends,
            Self::Replies => c.replies,
            Self::Active => c.active,
        }
    }

    fn label(self, locale: Locale) -> &'static str {
        match self {
            Self::Reads => td_string!(locale, insights.metric_reads),
            Self::Sends => td_string!(locale, insights.metric_sends),
            Self::Replies => td_string!(locale, insights.metric_replies),
            Self::Active => td_string!(locale, insights.metric_active),
        }
    }
}

/// A fill from light slate (none) to deep emerald (the most), by `share` 0–1.
fn fill(share: f64) -> String {
    let share = share.clamp(0.0, 1.0);
    let (from, to) = ((241.0, 245.0, 249.0), (4.0, 120.0, 87.0));
    let mix = |a: f64, b: f64| (a + (b - a) * share).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(from.0, to.0),
        mix(from.1, to.1),
        mix(from.2, to.2)
    )
}

/// The heatmap of `grid` by `metric`, recommended slots outlined.
fn heatmap(grid: &BestHours, metric: Metric, locale: Locale, prefs: Prefs) -> impl IntoView {
    let max = grid
        .cells
        .iter()
        .map(|c| metric.of(c))
        .max()
        .unwrap_or(0)
        .max(1);
    let recommended: Vec<(u8, u8)> = grid
        .recommendation
        .as_ref()
        .map(|r| r.slots.iter().map(|s| (s.weekday, s.hour)).collect())
        .unwrap_or_default();
    let width = LEFT + 24.0 * CELL_W + 4.0;
    let height = TOP + 7.0 * CELL_H + 4.0;
    let label = td_string!(
        locale,
        insights.heatmap_label,
        metric = metric.label(locale)
    )
    .to_string();
    let hours = (0..24u8)
        .step_by(3)
        .map(|h| {
            view! {
                <text x=LEFT + f64::from(h) * CELL_W + CELL_W / 2.0 y=TOP - 8.0 text-anchor="middle" class="fill-slate-600 text-[11px]">
                    {hour_text(locale, h)}
                </text>
            }
        })
        .collect_view();
    let days = (1..=7u8)
        .map(|d| {
            view! {
                <text x=LEFT - 8.0 y=TOP + f64::from(d - 1) * CELL_H + CELL_H / 2.0 + 4.0 text-anchor="end" class="fill-slate-600 text-[11px]">
                    {day_short(locale, d)}
                </text>
            }
        })
        .collect_view();
    let cells = grid
        .cells
        .iter()
        .map(|c| {
            let x = LEFT + f64::from(c.hour) * CELL_W;
            let y = TOP + f64::from(c.weekday.saturating_sub(1)) * CELL_H;
            let best = recommended.contains(&(c.weekday, c.hour));
            let title = td_string!(
                locale,
                insights.cell_title,
                day = day_short(locale, c.weekday),
                hour = hour_text(locale, c.hour),
                sends = prefs.num(c.sends),
                reads = prefs.num(c.reads),
                replies = prefs.num(c.replies),
                active = prefs.num(c.active)
            )
            .to_string();
            view! {
                <rect
                    x=x + 1.0
                    y=y + 1.0
                    width=CELL_W - 2.0
                    height=CELL_H - 2.0
                    rx="3"
                    fill=fill(metric.of(c) as f64 / max as f64)
                    stroke=if best { "#b45309" } else { "none" }
                    stroke-width=if best { "2.5" } else { "0" }
                    data-weekday=c.weekday
                    data-hour=c.hour
                    data-value=metric.of(c)
                    data-best=best.then_some("true")
                >
                    <title>{title}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <svg
            viewBox=format!("0 0 {width} {height}")
            class="h-auto w-full min-w-[640px]"
            role="img"
            aria-label=label
            data-testid="heatmap"
        >
            {hours}
            {days}
            {cells}
        </svg>
    }
}

/// The best-hours page.
#[component]
pub fn InsightsPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let query = use_query_map();
    let filters = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("list_id").and_then(|v| v.parse::<i64>().ok()),
                q.get("campaign_id").and_then(|v| v.parse::<i64>().ok()),
                Metric::parse(&q.get("metric").unwrap_or_default()),
            )
        })
    });
    let grid = Resource::new(
        move || {
            let (list, campaign, _) = filters.get();
            (list, campaign)
        },
        |(list, campaign)| load_best_hours(list, campaign),
    );
    let lists = Resource::new(|| (), |_| list_lists());
    let campaigns = Resource::new(|| (), |_| list_campaigns());
    let label = "text-sm font-medium text-slate-700";
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, insights.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, insights.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, insights.subtitle)}</p>
        </div>
        <form method="get" action="/insights" class="mb-6 flex flex-wrap items-end gap-3" data-testid="insights-filters">
            <label class="block">
                <span class=label>{t!(i18n, insights.filter_list)}</span>
                <select name="list_id" class=INPUT data-testid="filter-list">
                    <option value="">{t!(i18n, insights.all_lists)}</option>
                    <Suspense>
                        {move || suspend(async move {
                            lists.await.unwrap_or_default().into_iter().map(|l| {
                                let selected = filters.get_untracked().0 == Some(l.id);
                                view! { <option value=l.id selected=selected>{l.name}</option> }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </label>
            <label class="block">
                <span class=label>{t!(i18n, insights.filter_campaign)}</span>
                <select name="campaign_id" class=INPUT data-testid="filter-campaign">
                    <option value="">{t!(i18n, insights.all_campaigns)}</option>
                    <Suspense>
                        {move || suspend(async move {
                            campaigns.await.unwrap_or_default().into_iter().map(|c| {
                                let selected = filters.get_untracked().1 == Some(c.id);
                                view! { <option value=c.id selected=selected>{c.name}</option> }
                            }).collect_view()
                        })}
                    </Suspense>
                </select>
            </label>
            <label class="block">
                <span class=label>{t!(i18n, insights.metric)}</span>
                <select name="metric" class=INPUT data-testid="filter-metric">
                    {Metric::ALL.into_iter().map(|m| {
                        let locale = i18n.get_locale_untracked();
                        view! { <option value=m.code() selected=move || filters.get().2 == m>{m.label(locale)}</option> }
                    }).collect_view()}
                </select>
            </label>
            <button type="submit" class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800">
                {t!(i18n, insights.apply)}
            </button>
        </form>
        <Transition fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                let metric = filters.get_untracked().2;
                match grid.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(grid) => {
                        let locale = i18n.get_locale_untracked();
                        let sentence = match &grid.recommendation {
                            Some(rec) => recommendation_text(locale, prefs, rec),
                            None => td_string!(
                                locale,
                                insights.not_enough,
                                min = prefs.num(grid.evidence.min_sends),
                                sends = prefs.num(grid.evidence.sends)
                            )
                            .to_string(),
                        };
                        let evidence = td_string!(
                            locale,
                            insights.evidence,
                            sends = prefs.num(grid.evidence.sends),
                            reads = prefs.num(grid.evidence.reads),
                            replies = prefs.num(grid.evidence.replies),
                            explored = prefs.num(grid.evidence.explored)
                        )
                        .to_string();
                        let how = td_string!(
                            locale,
                            insights.how,
                            min = prefs.num(grid.evidence.min_sends),
                            slot = prefs.num(grid.evidence.min_slot_sends)
                        )
                        .to_string();
                        view! {
                            <section class="mb-6 rounded-xl border border-amber-200 bg-amber-50 p-5" data-testid="recommendation">
                                <h2 class="text-xs font-semibold uppercase tracking-wide text-amber-900">{t!(i18n, insights.recommendation_title)}</h2>
                                <p class="mt-1 text-lg font-medium text-slate-900" data-testid="recommendation-text">{sentence}</p>
                                <p class="mt-2 text-xs text-slate-700">{how}</p>
                            </section>
                            <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm">
                                <div class="overflow-x-auto">{heatmap(&grid, metric, locale, prefs)}</div>
                                <div class="mt-3 flex flex-wrap items-center gap-4 text-xs text-slate-600">
                                    <span class="flex items-center gap-1.5">
                                        <span class="inline-block h-3 w-3 rounded-sm" style=format!("background:{}", fill(0.0))></span>
                                        {t!(i18n, insights.legend_less)}
                                        <span class="inline-block h-3 w-3 rounded-sm" style=format!("background:{}", fill(1.0))></span>
                                        {t!(i18n, insights.legend_more)}
                                    </span>
                                    <span class="flex items-center gap-1.5">
                                        <span class="inline-block h-3 w-3 rounded-sm border-2 border-amber-700"></span>
                                        {t!(i18n, insights.legend_recommended)}
                                    </span>
                                    <span>{t!(i18n, insights.timezone_label)}" "<span class="font-mono">{grid.timezone.clone()}</span></span>
                                </div>
                                <p class="mt-2 text-xs text-slate-600" data-testid="evidence">{evidence}</p>
                            </section>
                        }
                        .into_any()
                    }
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::insights::Slot;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration_text(42), "42 s");
        assert_eq!(duration_text(600), "10 min");
        assert_eq!(duration_text(3_600), "1 h");
        assert_eq!(duration_text(7_500), "2 h 5 min");
        assert_eq!(duration_text(90_000), "1 d 1 h");
    }

    #[test]
    fn the_recommendation_in_a_sentence() {
        let prefs = Prefs {
            locale: Locale::pt_BR,
            tz: crate::prefs::DEFAULT_TZ,
        };
        let slot = |weekday, hour| Slot { weekday, hour };
        let rec = Recommendation {
            slots: vec![slot(2, 19), slot(4, 20), slot(2, 20)],
            read_rate: 0.54,
            baseline_rate: 0.3,
            evidence: 4_210,
        };
        assert_eq!(
            recommendation_text(Locale::pt_BR, prefs, &rec),
            "Terças e quintas, 19h–21h: lidas na primeira hora 1,8× mais que a média — 4.210 mensagens"
        );
        let en = Prefs {
            locale: Locale::en,
            ..prefs
        };
        assert_eq!(
            recommendation_text(Locale::en, en, &rec),
            "Tuesdays and Thursdays, 19:00–21:00: read within the hour 1.8× as often as average — 4,210 messages"
        );
    }
}
