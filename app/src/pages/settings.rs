//! `/settings`: the tenant's opt-out keywords (with a tester that runs the server's matcher),
//! timezone, the defaults of new campaigns, the warm-up plan of new numbers and the opt-out
//! share that pauses a number's campaigns. Both forms work without JavaScript: the tester
//! is a GET form (`?test=…`) answered on the server; with JavaScript it answers as one types.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{SaveSettings, get_settings, test_opt_out};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::layout::UserResource;
use crate::suspend_once::suspend;
use crate::types::WarmupStep;
use crate::ui::{Card, ErrorBox, INPUT, error_text};

const LABEL: &str = "text-sm font-medium text-slate-700";

/// The settings page.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = use_query_map();
    let settings = Resource::new(|| (), |_| get_settings());
    let save = ServerAction::<SaveSettings>::new();
    let user = use_context::<UserResource>();
    let is_admin = move || {
        user.and_then(|u| u.get())
            .and_then(Result::ok)
            .is_some_and(|u| u.role == "admin")
    };
    let text = RwSignal::new(query.with_untracked(|q| q.get("test").unwrap_or_default()));
    let tested = Resource::new(
        move || text.get(),
        |text| async move {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                test_opt_out(text).await.map(Some)
            }
        },
    );
    let saved = move || query.with(|q| q.get("saved").is_some()) && save.value().get().is_none();
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, settings.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, settings.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, settings.subtitle)}</p>
        </div>
        <div class="grid gap-6 lg:grid-cols-2">
            <Card title=t_string!(i18n, settings.tester).to_string()>
                <form method="get" action="/settings" class="space-y-3" data-testid="opt-out-tester">
                    <p class="text-sm text-slate-600">{t!(i18n, settings.tester_hint)}</p>
                    <label class="block">
                        <span class=LABEL>{t!(i18n, settings.tester_text)}</span>
                        <input
                            type="text"
                            name="test"
                            class=INPUT
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                            data-testid="opt-out-text"
                        />
                    </label>
                    <button type="submit" class="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm text-slate-700 shadow-sm hover:bg-slate-50">
                        {t!(i18n, settings.tester_submit)}
                    </button>
                    <p aria-live="polite" class="min-h-6 text-sm font-semibold" data-testid="opt-out-result">
                        <Suspense>
                            {move || suspend(async move {
                                match tested.await {
                                    Ok(Some(r)) if r.opts_out => {
                                        let keyword = r.keyword.unwrap_or_default();
                                        view! {
                                            <span class="text-rose-700">
                                                {t_string!(i18n, settings.opts_out, keyword = keyword).to_string()}
                                            </span>
                                        }
                                            .into_any()
                                    }
                                    Ok(Some(_)) => view! { <span class="text-emerald-800">{t!(i18n, settings.stays)}</span> }.into_any(),
                                    Ok(None) => ().into_any(),
                                    Err(e) => view! { <span class="text-rose-700">{error_text(&e)}</span> }.into_any(),
                                }
                            })}
                        </Suspense>
                    </p>
                </form>
            </Card>
            <Suspense>
                {move || suspend(async move {
                    match settings.await {
                        Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                        Ok(s) => {
                            let window = s.default_send_window.clone();
                            let plan = WarmupStep::plan_text(&s.warmup_plan.clone().unwrap_or_default());
                            view! {
                                <Card title=t_string!(i18n, settings.title).to_string()>
                                    <ActionForm action=save attr:class="space-y-4" attr:data-testid="settings-form">
                                        <label class="block">
                                            <span class=LABEL>{t!(i18n, settings.keywords)}</span>
                                            <textarea name="keywords" rows="6" class=INPUT data-testid="keywords">
                                                {s.opt_out_keywords.join("\n")}
                                            </textarea>
                                            <span class="mt-1 block text-xs text-slate-600">{t!(i18n, settings.keywords_hint)}</span>
                                        </label>
                                        <label class="block">
                                            <span class=LABEL>{t!(i18n, settings.timezone)}</span>
                                            <input type="text" name="timezone" required class=INPUT value=s.timezone/>
                                        </label>
                                        <label class="block">
                                            <span class=LABEL>{t!(i18n, settings.default_country)}</span>
                                            <input type="text" name="default_country" required maxlength="2" pattern="[A-Za-z]{2}" autocomplete="country" class=INPUT value=s.default_country.clone().unwrap_or_else(|| "BR".to_string()) data-testid="default-country"/>
                                            <span class="mt-1 block text-xs text-slate-600">{t!(i18n, settings.default_country_hint)}</span>
                                        </label>
                                        <div class="grid gap-4 sm:grid-cols-2">
                                            <label class="block">
                                                <span class=LABEL>{t!(i18n, settings.min_delay)}</span>
                                                <input type="number" name="min_delay_ms" min="0" required class=INPUT value=s.default_pacing.min_delay_ms/>
                                            </label>
                                            <label class="block">
                                                <span class=LABEL>{t!(i18n, settings.max_delay)}</span>
                                                <input type="number" name="max_delay_ms" min="0" required class=INPUT value=s.default_pacing.max_delay_ms/>
                                            </label>
                                            <label class="block">
                                                <span class=LABEL>{t!(i18n, settings.window_start)}</span>
                                                <input type="time" name="window_start" class=INPUT value=window.as_ref().map(|w| w.start.clone()).unwrap_or_default()/>
                                            </label>
                                            <label class="block">
                                                <span class=LABEL>{t!(i18n, settings.window_end)}</span>
                                                <input type="time" name="window_end" class=INPUT value=window.map(|w| w.end).unwrap_or_default()/>
                                            </label>
                                        </div>
                                        <label class="block">
                                            <span class=LABEL>{t!(i18n, settings.daily_cap)}</span>
                                            <input type="number" name="daily_cap" min="1" class=INPUT value=s.default_daily_cap.map(|c| c.to_string()).unwrap_or_default()/>
                                        </label>
                                        <label class="block">
                                            <span class=LABEL>{t!(i18n, settings.warmup_plan)}</span>
                                            <input type="text" name="warmup_plan" required class=INPUT value=plan data-testid="warmup-plan"/>
                                            <span class="mt-1 block text-xs text-slate-600">{t!(i18n, settings.warmup_plan_hint)}</span>
                                        </label>
                                        <label class="block">
                                            <span class=LABEL>{t!(i18n, settings.optout_pause_percent)}</span>
                                            <input type="number" name="optout_pause_percent" min="1" max="50" required class=INPUT value=s.optout_pause_percent.unwrap_or(3) data-testid="optout-pause-percent"/>
                                            <span class="mt-1 block text-xs text-slate-600">{t!(i18n, settings.optout_pause_percent_hint)}</span>
                                        </label>
                                        {move || {
                                            save.value().get().and_then(Result::err).map(|e| {
                                                view! { <p class="rounded-md bg-rose-50 px-3 py-2 text-sm text-rose-700" role="alert">{error_text(&e)}</p> }
                                            })
                                        }}
                                        {move || {
                                            (saved() || matches!(save.value().get(), Some(Ok(_)))).then(|| {
                                                view! { <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm text-emerald-800" role="status" data-testid="settings-saved">{t!(i18n, settings.saved)}</p> }
                                            })
                                        }}
                                        {move || {
                                            if is_admin() {
                                                view! {
                                                    <button type="submit" class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800">
                                                        {t!(i18n, settings.save)}
                                                    </button>
                                                }
                                                    .into_any()
                                            } else {
                                                view! { <p class="text-sm text-slate-600">{t!(i18n, settings.viewer_note)}</p> }.into_any()
                                            }
                                        }}
                                    </ActionForm>
                                </Card>
                            }
                                .into_any()
                        }
                    }
                })}
            </Suspense>
        </div>
    }
}
