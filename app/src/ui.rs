//! Small pieces every page uses: status pills, cards, empty states, errors in the reader's
//! language. Numbers and times are formatted by [`crate::prefs::Prefs`].

use leptos::prelude::*;

/// The classes of a form's text inputs.
pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm \
                         focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500";

use crate::errors::DashboardError;
use crate::i18n::{Locale, t_string, td_string, use_i18n};

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
    /// The status code shown, in the reader's language.
    #[prop(into)]
    status: Signal<String>,
) -> impl IntoView {
    view! {
        <span class=move || {
            format!(
                "inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset {}",
                status_tone(&status.get()),
            )
        }>{move || status_label(use_i18n().get_locale(), &status.get())}</span>
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
        <div class="rounded-xl border border-dashed border-slate-300 bg-white p-10 text-center text-sm text-slate-600">
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

/// A status, role or severity code (`active`, `opted_out`, `viewer`…) in `locale`; unknown
/// codes are shown as written.
pub fn status_label(locale: Locale, status: &str) -> String {
    macro_rules! label {
        ($($code:literal => $key:ident),* $(,)?) => {
            match status {
                $($code => td_string!(locale, status.$key).to_string(),)*
                other => other.replace('_', " "),
            }
        };
    }
    label! {
        "draft" => draft, "active" => active, "paused" => paused, "completed" => completed,
        "cancelled" => cancelled, "scheduled" => scheduled, "pending" => pending,
        "sending" => sending, "sent" => sent, "delivered" => delivered, "read" => read,
        "failed" => failed, "opted_out" => opted_out, "replied" => replied, "open" => open,
        "close" => close, "connecting" => connecting, "refused" => refused,
        "auth_failed" => auth_failed, "missing" => missing, "inactive" => inactive,
        "admin" => admin, "viewer" => viewer, "info" => info, "warning" => warning,
        "critical" => critical, "unknown" => unknown, "logged_out" => logged_out,
        "banned" => banned, "restricted" => restricted, "locked" => locked,
        "clicked" => clicked,
    }
}

/// Copies `text` to the clipboard (in the browser).
fn copy(text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = text;
}

/// A button that copies `text` to the clipboard and then says so.
#[component]
pub fn CopyButton(
    /// What the button copies.
    #[prop(into)]
    text: Signal<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let copied = RwSignal::new(false);
    view! {
        <button
            type="button"
            class="rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-xs font-medium text-slate-800 hover:bg-slate-50"
            on:click=move |_| {
                text.with_untracked(|t| copy(t));
                copied.set(true);
            }
        >
            {move || if copied.get() { t_string!(i18n, copied) } else { t_string!(i18n, copy) }}
        </button>
    }
}

/// Percent-encodes a query-string value.
pub fn encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The message of a server-function error in the reader's language: each kind of
/// [`DashboardError`] has its translation; a rejection's own reason is shown as the server
/// wrote it.
pub fn error_text(e: &ServerFnError) -> String {
    let i18n = use_i18n();
    let message = match e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    };
    let is = |kind: DashboardError| message == kind.to_string();
    let text: &str = if is(DashboardError::Unauthorized) {
        t_string!(i18n, errors.unauthorized)
    } else if is(DashboardError::LockedOut) {
        t_string!(i18n, errors.locked_out)
    } else if is(DashboardError::Forbidden) {
        t_string!(i18n, errors.forbidden)
    } else if is(DashboardError::Unavailable) {
        t_string!(i18n, errors.unavailable)
    } else if is(DashboardError::Internal) {
        t_string!(i18n, errors.internal)
    } else if message.ends_with(" not found") {
        t_string!(i18n, errors.not_found)
    } else {
        return message;
    };
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_statuses_in_each_language() {
        assert_eq!(status_label(Locale::pt_BR, "opted_out"), "descadastrado");
        assert_eq!(status_label(Locale::en, "opted_out"), "opted out");
        assert_eq!(
            status_label(Locale::pt_BR, "some_new_state"),
            "some new state"
        );
    }
}
