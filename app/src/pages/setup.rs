//! `/setup`: the first run. On a database without tenants every page leads here; the form
//! posts (without JavaScript too) to the server's `POST /setup`, which creates the first team
//! and its admin, logs them in and goes to the campaigns. Afterwards the page is gone (404).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The setup page.
#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let error = move || query.with(|q| q.get("error").is_some());
    let input = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm shadow-sm \
                 focus:border-emerald-500 focus:outline-none focus:ring-1 focus:ring-emerald-500";
    view! {
        <Title text="Primeiro acesso · Alrea Flow"/>
        <main class="flex min-h-screen items-center justify-center px-4">
            <div class="w-full max-w-sm">
                <div class="mb-8 flex items-center justify-center gap-2 text-xl font-semibold tracking-tight">
                    <span class="inline-block h-7 w-7 rounded-md bg-emerald-600"></span>
                    "Alrea Flow"
                </div>
                <div class="rounded-xl border border-slate-200 bg-white p-8 shadow-sm">
                    <h1 class="text-lg font-semibold">"Primeiro acesso"</h1>
                    <p class="mt-1 text-sm text-slate-700">
                        "Crie a sua equipe e a conta de administrador."
                    </p>
                    <form method="post" action="/setup" class="mt-6 space-y-4" data-testid="setup-form">
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">"Nome da equipe"</span>
                            <input type="text" name="tenant_name" required maxlength="200" class=input/>
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">"E-mail"</span>
                            <input type="email" name="email" required autocomplete="username" class=input/>
                        </label>
                        <label class="block">
                            <span class="text-sm font-medium text-slate-700">"Senha (8 caracteres ou mais)"</span>
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
                                            "Confira os dados: nome da equipe, um e-mail válido e uma senha de 8 caracteres ou mais."
                                        </p>
                                    }
                                })
                        }}
                        <button
                            type="submit"
                            class="w-full rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-700"
                        >
                            "Criar equipe"
                        </button>
                    </form>
                </div>
            </div>
        </main>
    }
}
