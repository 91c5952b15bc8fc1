//! `/login`: email and password.

use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::Login;
use crate::i18n::{t, t_string, use_i18n};

/// The login page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let error = move || {
        query.with(|q| match q.get("error").as_deref() {
            Some("locked") => Some(t_string!(i18n, login.locked).to_string()),
            Some(_) => Some(t_string!(i18n, login.wrong).to_string()),
            None => None,
        })
    };
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, login.title))/>
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 flex items-center justify-center gap-2 text-xl font-semibold tracking-tight">
                    <span class="inline-block h-7 w-7 rounded-md bg-emerald-600"></span>
                    "Alrea Flow"
                </div>
                <div class="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                    <h1 class="text-lg font-semibold">{t!(i18n, login.title)}</h1>
                    <p class="mt-1 text-sm text-slate-600">{t!(i18n, login.tagline)}</p>
                    // A plain form post, with or without JavaScript: the first page then loads in full,
                    // in the user's saved language (this page was made for an unknown visitor).
                    <form method="post" action=Login::PATH class="mt-6 space-y-4">
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, login.email)}</span>
                            <input
                                type="email"
                                name="email"
                                required
                                autocomplete="username"
                                class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500"
                            />
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">{t!(i18n, login.password)}</span>
                            <input
                                type="password"
                                name="password"
                                required
                                autocomplete="current-password"
                                class="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500"
                            />
                        </label>
                        {move || {
                            error()
                                .map(|e| {
                                    view! {
                                        <p class="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" role="alert" data-testid="login-error">
                                            {e}
                                        </p>
                                    }
                                })
                        }}
                        <button
                            type="submit"
                            class="w-full rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:opacity-60"
                        >
                            {t!(i18n, login.submit)}
                        </button>
                    </form>
                </div>
            </div>
        </main>
    }
}
