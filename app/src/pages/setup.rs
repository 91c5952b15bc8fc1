//! `/setup`: the first run. On a database without tenants every page leads here; the form
//! posts (without JavaScript too) to the server's `POST /setup`, which creates the first team
//! and its admin, logs them in and goes to the campaigns. Afterwards the page is gone (404).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::i18n::{t, t_string, use_i18n};

/// The setup page.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error").is_some());
    let input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm \
                 focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500";
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, setup.title))/>
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 flex items-center justify-center gap-2 text-xl font-semibold tracking-tight">
                    <span class="inline-block h-7 w-7 rounded-md bg-emerald-600"></span>
                    "Alrea Flow"
                </div>
                <div class="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                    <h1 class="text-lg font-semibold">{t!(i18n, setup.title)}</h1>
                    <p class="mt-1 text-sm text-slate-700">{t!(i18n, setup.tagline)}</p>
                    <form method="post" action="/setup" class="mt-6 space-y-4" data-testid="setup-form">
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, setup.team)}</span>
                            <input type="text" name="tenant_name" required maxlength="200" class=input/>
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, setup.email)}</span>
                            <input type="email" name="email" required autocomplete="username" class=input/>
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, setup.password)}</span>
                            <input
                                type="password"
                                name="password"
                                required
                                minlength="8"
                                autocomplete="new-password"
                                class=input
                            />
                        </label>
                        {move || {
                            error()
                                .then(|| {
                                    view! {
                                        <p class="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" role="alert" data-testid="setup-error">
                                            {t!(i18n, setup.invalid)}
                                        </p>
                                    }
                                })
                        }}
                        <button
                            type="submit"
                            class="w-full rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800"
                        >
                            {t!(i18n, setup.submit)}
                        </button>
                    </form>
                </div>
            </div>
        </main>
    }
}
