//! Small pieces every page uses: status pills, number and time formats, cards, empty states.

use leptos::prelude::*;

/// The classes of a form's text inputs.
pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm \
                         focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500";

/// `1234567` → `1,234,567`.
pub fn num(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// A percentage with one decimal: `97.5%`.
pub fn pct(p: f64) -> String {
    format!("{p:.1}%")
}

/// An RFC 3339 UTC time as `2026-11-29 14:05 UTC`; `—` when absent.
pub fn when(t: Option<&str>) -> String {
    match t {
        Some(t) if t.len() >= 16 => format!("{} UTC", t[..16].replace('T', " ")),
        Some(t) => t.to_string(),
        None => "—".to_string(),
    }
}

/// An RFC 3339 UTC time as `29 Nov 14:05` for dense tables; `—` when absent.
pub fn short(t: Option<&str>) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let Some(t) = t.filter(|t| t.len() >= 16) else {
        return when(t);
    };
    let month = t[5..7]
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)));
    match month {
        Some(m) => format!("{} {m} {}", &t[8..10], &t[11..16]),
        None => when(Some(t)),
    }
}

/// Tailwind classes of a pill for a campaign, delivery or connection status.
pub fn status_tone(status: &str) -> &'static str {
    match status {
        "active" | "open" | "delivered" | "read" | "completed" => {
            "bg-emerald-50 text-emerald-700 ring-emerald-600/20"
        }
        "paused" | "connecting" | "sending" | "warning" => {
            "bg-amber-50 text-amber-800 ring-amber-600/20"
        }
        "failed" | "close" | "refused" | "cancelled" | "opted_out" | "critical" => {
            "bg-rose-50 text-rose-700 ring-rose-600/20"
        }
        "sent" | "info" => "bg-sky-50 text-sky-700 ring-sky-600/20",
        _ => "bg-slate-100 text-slate-700 ring-slate-500/20",
    }
}

/// A rounded status pill.
#[component]
pub fn Pill(
    /// The status shown (underscores become spaces).
    #[prop(into)]
    status: Signal<String>,
) -> impl IntoView {
    view! {
        <span class=move || {
            format!(
                "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {}",
                status_tone(&status.get()),
            )
        }>{move || status.get().replace('_', " ")}</span>
    }
}

/// A white card with a title.
#[component]
pub fn Card(
    /// Heading.
    #[prop(into)]
    title: String,
    /// Content.
    children: Children,
) -> impl IntoView {
    view! {
        <section class="rounded-xl border border-slate-200 bg-white shadow-sm">
            <h2 class="border-b border-slate-100 px-5 py-3 text-sm font-semibold text-slate-700">
                {title}
            </h2>
            <div class="p-5">{children()}</div>
        </section>
    }
}

/// A friendly message when a list is empty.
#[component]
pub fn Empty(
    /// What to say.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-500">
            {text}
        </div>
    }
}

/// An error box for a failed load.
#[component]
pub fn ErrorBox(
    /// The message.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    view! {
        <div class="rounded-xl border border-rose-200 bg-rose-50 p-4 text-sm text-rose-800" role="alert">
            {text}
        </div>
    }
}

/// The message of a server-function error, without the framework's prefix.
pub fn error_text(e: &ServerFnError) -> String {
    match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_numbers_and_times() {
        assert_eq!(num(0), "0");
        assert_eq!(num(1234567), "1,234,567");
        assert_eq!(num(-1000), "-1,000");
        assert_eq!(pct(97.456), "97.5%");
        assert_eq!(
            when(Some("2026-11-29T14:05:06.000Z")),
            "2026-11-29 14:05 UTC"
        );
        assert_eq!(when(None), "—");
        assert_eq!(short(Some("2026-11-29T14:05:06.000Z")), "29 Nov 14:05");
        assert_eq!(short(None), "—");
    }
}
