//! `/tokens` (admins): API tokens with their name, creation and last use; create one (its
//! secret shown once, with a copy button) and revoke one (its next request gets 401).

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{CreateToken, RevokeToken, list_tokens, new_token_secret};
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{Card, CopyButton, Empty, ErrorBox, INPUT, error_text};

/// The tokens page.
#[component]
pub fn TokensPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let create = ServerAction::<CreateToken>::new();
    let revoke = ServerAction::<RevokeToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| list_tokens(),
    );
    // After a plain form post (no JavaScript) the secret comes back through a one-time cookie.
    let posted = Resource::new(|| (), |_| new_token_secret());
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    let never = move |t: Option<String>| match t {
        Some(t) => prefs.when(Some(&t)),
        None => t_string!(i18n, tokens.never).to_string(),
    };
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, tokens.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, tokens.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, tokens.subtitle)}</p>
        </div>
        <div class="grid grid-cols-1 gap-6 lg:grid-cols-3">
            <div class="min-w-0 lg:col-span-2">
                <Suspense>
                    {move || suspend(async move {
                        match tokens.await {
                            Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                            Ok(list) if list.is_empty() => view! { <Empty text=t_string!(i18n, tokens.empty).to_string()/> }.into_any(),
                            Ok(list) => view! {
                                <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                                    <div class="overflow-x-auto"><table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="tokens">
                                        <thead class="bg-slate-50">
                                            <tr>
                                                <th class=th>{t!(i18n, tokens.col_name)}</th>
                                                <th class=th>{t!(i18n, tokens.col_created)}</th>
                                                <th class=th>{t!(i18n, tokens.col_last_used)}</th>
                                                <th class=th>{t!(i18n, tokens.col_actions)}</th>
                                            </tr>
                                        </thead>
                                        <tbody class="divide-y divide-slate-100">
                                            {list.into_iter().map(|k| view! {
                                                <tr data-testid="token-row">
                                                    <td class="px-4 py-3 font-medium">{k.name}</td>
                                                    <td class="whitespace-nowrap px-4 py-3 text-slate-700">{prefs.when(Some(&k.created_at))}</td>
                                                    <td class="whitespace-nowrap px-4 py-3 text-slate-700">{never(k.last_used_at)}</td>
                                                    <td class="px-4 py-3">
                                                        <ActionForm action=revoke>
                                                            <input type="hidden" name="id" value=k.id/>
                                                            <button type="submit" class="rounded-md border border-rose-300 bg-white px-2.5 py-1 text-xs text-rose-700 hover:bg-rose-50" data-testid="revoke-token">
                                                                {t!(i18n, tokens.revoke)}
                                                            </button>
                                                        </ActionForm>
                                                    </td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table></div>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
            <Card title=t_string!(i18n, tokens.create).to_string()>
                <ActionForm action=create attr:class="space-y-4" attr:data-testid="new-token">
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, tokens.name)}</span>
                        <input type="text" name="name" required maxlength="100" class=INPUT/>
                    </label>
                    <button type="submit" class="w-full rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800">
                        {t!(i18n, tokens.create)}
                    </button>
                </ActionForm>
                <Suspense>
                    {move || {
                        let value = create.value().get();
                        suspend(async move {
                            let posted = posted.await.ok().flatten();
                            match (value, posted) {
                                (Some(Ok(created)), _) => view! { <NewSecret secret=created.token/> }.into_any(),
                                (Some(Err(e)), _) => view! { <div class="mt-4"><ErrorBox text=error_text(&e)/></div> }.into_any(),
                                (None, Some(secret)) => view! { <NewSecret secret/> }.into_any(),
                                (None, None) => ().into_any(),
                            }
                        })
                    }}
                </Suspense>
            </Card>
        </div>
    }
}

/// A just-created token's secret, shown once, with a copy button.
#[component]
fn NewSecret(secret: String) -> impl IntoView {
    let i18n = use_i18n();
    let shown = secret.clone();
    view! {
        <div class="mt-4 space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3" role="status">
            <p class="text-sm text-amber-900">{t!(i18n, tokens.created)}</p>
            <code class="block break-all rounded bg-white p-2 text-xs text-slate-900" data-testid="new-token-secret">{shown}</code>
            <CopyButton text=secret/>
        </div>
    }
}
