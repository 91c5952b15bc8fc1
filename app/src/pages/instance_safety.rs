//! The safe-sending lines of an instance card: what WhatsApp did to the number (banned, logged
//! out, restricted), its risk level with why, and its warm-up today.

use leptos::prelude::*;

use crate::i18n::{Locale, t_string, td_string, use_i18n};
use crate::prefs::use_prefs;
use crate::types::InstanceView;

/// A risk level's word in `locale` (`ok`, `atenção`, `alto`) and its text colour class.
pub fn risk_level(locale: Locale, level: &str) -> (String, &'static str) {
    let (word, tone) = match level {
        "high" => (td_string!(locale, risk.level_high), "text-rose-800"),
        "attention" => (td_string!(locale, risk.level_attention), "text-amber-800"),
        _ => (td_string!(locale, risk.level_ok), "text-emerald-800"),
    };
    (word.to_string(), tone)
}

/// The number's state sentence, risk level and warm-up line.
#[component]
pub fn InstanceSafety(
    /// The instance, live.
    i: Memo<InstanceView>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let state = move || {
        let locale = i18n.get_locale();
        let text = match i.with(|i| i.connection_state.clone()).as_str() {
            "banned" => td_string!(locale, risk.banned),
            "logged_out" => td_string!(locale, risk.logged_out),
            "restricted" => td_string!(locale, risk.restricted),
            "locked" => td_string!(locale, risk.locked),
            _ => return None,
        };
        Some(view! {
            <p class="mt-3 rounded-md bg-rose-50 px-2 py-1 text-sm font-medium text-rose-900" role="alert" data-testid="instance-ban">
                {text}
            </p>
        })
    };
    let risk = move || {
        let r = i.with(|i| i.risk.clone());
        let locale = i18n.get_locale();
        let (level, tone) = risk_level(locale, &r.level);
        let why: Vec<String> = r
            .signals
            .iter()
            .map(|s| {
                let (percent, limit) = (prefs.pct(s.percent), s.limit_percent);
                match s.signal.as_str() {
                    "opt_outs" => td_string!(locale, risk.signal_opt_outs, percent, limit),
                    "not_on_whatsapp" => {
                        td_string!(locale, risk.signal_not_on_whatsapp, percent, limit)
                    }
                    _ => td_string!(locale, risk.signal_failures, percent, limit),
                }
                .to_string()
            })
            .collect();
        view! {
            <p class=format!("mt-3 text-sm {tone}") data-testid="instance-risk" data-level=r.level.clone()>
                <span class="font-semibold">{td_string!(locale, risk.level, level).to_string()}</span>
                {(!why.is_empty()).then(|| format!(" — {}", why.join("; ")))}
            </p>
        }
    };
    let warmup = move || {
        let w = i.with(|i| i.warmup.clone());
        w.cap_today.map(|cap| {
            view! {
                <p class="mt-2 rounded-md bg-sky-50 px-2 py-1 text-sm text-sky-900" data-testid="instance-warmup">
                    {t_string!(i18n, warmup.status, day = w.day, cap = prefs.num(cap), sent = prefs.num(w.sent_today)).to_string()}
                </p>
            }
        })
    };
    view! { {state} {risk} {warmup} }
}
