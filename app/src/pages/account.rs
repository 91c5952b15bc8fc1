//! `/account`: every user changes their own password (their other sessions end).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::ChangePassword;
use crate::i18n::{t, t_string, use_i18n};
use crate::ui::{Card, INPUT, error_text};

/// The account page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let change = ServerAction::<ChangePassword>::new();
    let changed = move || {
        matches!(change.value().get(), Some(Ok(())))
            || (change.value().get().is_none() && query.with(|q| q.get("changed").is_some()))
    };
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, account.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, account.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, account.subtitle)}</p>
        </div>
        <div class="max-w-md">
            <Card title=t_string!(i18n, account.submit).to_string()>
                <ActionForm action=change attr:class="space-y-4" attr:data-testid="change-password">
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, account.current)}</span>
                        <input type="password" name="current_password" required autocomplete="current-password" class=INPUT/>
                    </label>
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, account.new)}</span>
                        <input type="password" name="new_password" required minlength="8" autocomplete="new-password" class=INPUT/>
                    </label>
                    {move || change.value().get().and_then(Result::err).map(|e| view! {
                        <p class="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" role="alert">{error_text(&e)}</p>
                    })}
                    {move || changed().then(|| view! {
                        <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" role="status" data-testid="password-changed">{t!(i18n, account.changed)}</p>
                    })}
                    <button type="submit" class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800">
                        {t!(i18n, account.submit)}
                    </button>
                </ActionForm>
            </Card>
        </div>
    }
}
