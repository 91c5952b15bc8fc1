//! The safe-sending parts of the campaign page: the A/B results of its message variants, the
//! "waiting for the window" notice, the plain sentences of ban and risk pauses, and how its
//! sends are spread over its numbers.

use leptos::prelude::*;

use crate::i18n::{Locale, t, t_string, td_string, use_i18n};
use crate::pages::instance_safety::risk_level;
use crate::prefs::use_prefs;
use crate::types::{AbVerdict, CampaignView};
use crate::ui::Card;

/// A number cell.
const TD: &str = "px-3 py-2 tabular-nums";

/// A table that scrolls sideways on a phone, with these column headers and `children` as rows.
#[component]
fn ScrollTable(headers: Vec<String>, children: Children) -> impl IntoView {
    let th = "px-3 py-2 text-left text-xs font-medium uppercase tracking-wide text-slate-600";
    view! {
        <div class="overflow-x-auto">
            <table class="min-w-full text-sm">
                <thead>
                    <tr>{headers.into_iter().map(|h| view! { <th scope="col" class=th>{h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// The sentence of a pause caused by the number's state or its risk signals, if it is one.
pub fn pause_sentence(locale: Locale, reason: &str) -> Option<String> {
    let text = match reason {
        "instance_banned" => td_string!(locale, risk.banned),
        "instance_logged_out" => td_string!(locale, risk.logged_out),
        "instance_restricted" => td_string!(locale, risk.restricted),
        "instance_locked" => td_string!(locale, risk.locked),
        "optout_spike" => td_string!(locale, risk.optout_spike),
        "not_on_whatsapp_spike" => td_string!(locale, risk.not_on_whatsapp_spike),
        "high_failure_rate" => td_string!(locale, risk.high_failure_rate),
        _ => return None,
    };
    Some(text.to_string())
}

/// "aguardando janela (abre às 08:00)" while an active campaign is outside its send window.
#[component]
pub fn WindowNotice(
    /// The campaign, live.
    c: Memo<CampaignView>,
) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        c.with(|c| c.waiting_for_window.clone()).map(|w| {
            view! {
                <div class="mt-4 rounded-lg border border-sky-200 bg-sky-50 px-4 py-3 text-sm text-sky-900" data-testid="window-notice">
                    {t_string!(i18n, window.waiting, time = w.local_time).to_string()}
                </div>
            }
        })
    }
}

/// The per-variant counters and rates, with the verdict of the A/B test.
#[component]
pub fn AbResults(
    /// The campaign, live.
    c: Memo<CampaignView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    move || {
        let c = c.get();
        if c.variants.len() < 2 {
            return None;
        }
        let name = |n: i32| t_string!(i18n, variants.variant_name, n = n + 1).to_string();
        let verdict = c.ab_test.as_ref().map(|v| match v {
            AbVerdict::NotEnoughData { needed_per_variant } => {
                t_string!(i18n, variants.not_enough, n = *needed_per_variant).to_string()
            }
            AbVerdict::NoDifference => t_string!(i18n, variants.no_difference).to_string(),
            AbVerdict::Better {
                variant,
                metric,
                rate,
                than,
                than_rate,
            } => {
                let (variant, than) = (variant + 1, than + 1);
                let (rate, than_rate) = (prefs.pct(*rate), prefs.pct(*than_rate));
                if metric == "read" {
                    t_string!(i18n, variants.better_read, variant, rate, than, than_rate)
                        .to_string()
                } else {
                    t_string!(
                        i18n,
                        variants.better_replied,
                        variant,
                        rate,
                        than,
                        than_rate
                    )
                    .to_string()
                }
            }
        });
        let rows = c
            .variants
            .into_iter()
            .map(|v| {
                let cell = |n: i64, rate: Option<f64>| match rate {
                    Some(r) => format!("{} ({})", prefs.num(n), prefs.pct(r)),
                    None => prefs.num(n),
                };
                view! {
                    <tr class="border-t border-slate-100" data-testid=format!("variant-{}", v.index)>
                        <th scope="row" class="px-3 py-2 text-left font-medium">{name(v.index)}</th>
                        <td class="max-w-xs truncate px-3 py-2 text-slate-700" title=v.text.clone()>{v.text.clone()}</td>
                        <td class=TD>{cell(v.counts.sent, None)}</td>
                        <td class=TD>{cell(v.counts.delivered, Some(v.rates.delivered))}</td>
                        <td class=TD>{cell(v.counts.read, Some(v.rates.read))}</td>
                        <td class=TD>{cell(v.counts.replied, Some(v.rates.replied))}</td>
                        <td class=TD>{cell(v.counts.opted_out, Some(v.rates.opted_out))}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <div class="mt-6" data-testid="ab-results">
                <Card title=t_string!(i18n, variants.title)>
                    <ScrollTable headers=vec![
                        t_string!(i18n, variants.col_variant).to_string(),
                        t_string!(i18n, variants.col_text).to_string(),
                        t_string!(i18n, variants.col_sent).to_string(),
                        t_string!(i18n, variants.col_delivered).to_string(),
                        t_string!(i18n, variants.col_read).to_string(),
                        t_string!(i18n, variants.col_replied).to_string(),
                        t_string!(i18n, variants.col_opted_out).to_string(),
                    ]>{rows}</ScrollTable>
                    {verdict.map(|v| view! { <p class="px-5 py-3 text-sm text-slate-800" data-testid="ab-verdict">{v}</p> })}
                </Card>
            </div>
        })
    }
}

/// How the campaign's next sends are spread over its numbers: each one's share, what it may
/// still send today and its risk (campaigns with two numbers or more that may still send).
#[component]
pub fn RotationTable(
    /// The campaign, live.
    c: Memo<CampaignView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    move || {
        let rotation = c.with(|c| c.rotation.clone());
        if rotation.is_empty() {
            return None;
        }
        let locale = i18n.get_locale();
        let rows = rotation
            .into_iter()
            .map(|r| {
                let share = if !r.available {
                    t_string!(i18n, rotation.disconnected).to_string()
                } else if r.share_percent > 0.0 {
                    prefs.pct(r.share_percent)
                } else {
                    t_string!(i18n, rotation.out).to_string()
                };
                let remaining = r.remaining_today.map_or_else(
                    || t_string!(i18n, rotation.unlimited).to_string(),
                    |n| prefs.num(n),
                );
                let (risk, tone) = risk_level(locale, &r.risk);
                view! {
                    <tr class="border-t border-slate-100" data-testid=format!("rotation-{}", r.instance_id)>
                        <th scope="row" class="px-3 py-2 text-left font-medium">{r.name}</th>
                        <td class=TD data-testid="rotation-share">{share}</td>
                        <td class=TD>{remaining}</td>
                        <td class=format!("px-3 py-2 {tone}")>{risk}</td>
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <div class="mt-6" data-testid="rotation">
                <Card title=t_string!(i18n, rotation.title)>
                    <p class="px-5 pt-3 text-sm text-slate-700">{t!(i18n, rotation.intro)}</p>
                    <ScrollTable headers=vec![
                        t_string!(i18n, rotation.col_instance).to_string(),
                        t_string!(i18n, rotation.col_share).to_string(),
                        t_string!(i18n, rotation.col_remaining).to_string(),
                        t_string!(i18n, rotation.col_risk).to_string(),
                    ]>{rows}</ScrollTable>
                </Card>
            </div>
        })
    }
}
