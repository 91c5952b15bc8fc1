//! `/instances`: each WhatsApp instance's connection, health, today's counters, last event
//! and webhook URL.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ConfigureWebhook, list_instances};
use crate::i18n::{t, t_string, use_i18n};
use crate::live::use_live;
use crate::pages::layout::UserResource;
use crate::prefs::use_prefs;
use crate::types::InstanceView;
use crate::ui::{Empty, ErrorBox, Pill, error_text};

/// The instances page.
#[component]
pub fn InstancesPage() -> impl IntoView {
    let i18n = use_i18n();
    let instances = Resource::new(|| (), |_| list_instances());
    let user = expect_context::<UserResource>();
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, instances.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, instances.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, instances.subtitle)}</p>
        </div>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                let admin = user.await.map(|u| u.role == "admin").unwrap_or(false);
                match instances.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <Empty text=t_string!(i18n, instances.empty)/> }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <div class="grid grid-cols-1 gap-6 md:grid-cols-2" data-testid="instances">
                                {list.into_iter().map(|i| view! { <InstanceCard i admin/> }).collect_view()}
                            </div>
                        }
                            .into_any()
                    }
                }
            })}
        </Suspense>
    }
}

/// Tailwind classes of a health score: green when healthy, amber when shaky, red when bad.
fn health_tone(score: i32) -> (&'static str, &'static str) {
    match score {
        80.. => ("text-emerald-700", "bg-emerald-500"),
        50..=79 => ("text-amber-700", "bg-amber-500"),
        _ => ("text-rose-700", "bg-rose-500"),
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

#[component]
fn InstanceCard(i: InstanceView, admin: bool) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let live = use_live();
    let configure = ServerAction::<ConfigureWebhook>::new();
    let copied = RwSignal::new(false);
    // The URL stays as the server decided for this person (admins only).
    let url = i.webhook_url.clone();
    let (id, friendly_name, instance_name) =
        (i.id, i.friendly_name.clone(), i.instance_name.clone());
    let i = Memo::new(move |_| live.instance(&i));
    let health = move || i.with(|i| i.health_score);
    let stat = move |label: &'static str, pick: fn(&InstanceView) -> i64| {
        view! {
            <div>
                <div class="text-xs uppercase tracking-wide text-slate-600">{label}</div>
                <div class="text-lg font-semibold tabular-nums">{move || prefs.num(i.with(pick))}</div>
            </div>
        }
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid=format!("instance-{id}")>
            <div class="flex items-start justify-between gap-4">
                <div>
                    <h2 class="font-semibold">{friendly_name}</h2>
                    <p class="break-all font-mono text-xs text-slate-600">{instance_name}</p>
                </div>
                <div class="flex items-center gap-2">
                    <Pill status=Signal::derive(move || i.with(|i| i.connection_state.clone()))/>
                    {move || (!i.with(|i| i.active)).then(|| view! { <Pill status="inactive".to_string()/> })}
                </div>
            </div>
            <div class="mt-4">
                <div class="flex items-baseline justify-between">
                    <span class="text-sm text-slate-700">{t!(i18n, instances.health)}</span>
                    <span class=move || format!("text-lg font-semibold tabular-nums {}", health_tone(health()).0)>
                        {move || format!("{} / 100", health())}
                    </span>
                </div>
                <div class="mt-1 h-2 rounded-full bg-slate-100">
                    <div
                        class=move || format!("h-2 rounded-full {}", health_tone(health()).1)
                        style=move || format!("width: {}%", health().clamp(0, 100))
                    ></div>
                </div>
            </div>
            <div class="mt-4 grid grid-cols-2 gap-2 rounded-lg bg-slate-50 p-3 sm:grid-cols-4">
                {stat(t_string!(i18n, instances.sent_today), |i| i.today.sent)}
                {stat(t_string!(i18n, counts.delivered), |i| i.today.delivered)}
                {stat(t_string!(i18n, counts.read), |i| i.today.read)}
                {stat(t_string!(i18n, counts.failed), |i| i.today.failed)}
            </div>
            <p class="mt-3 text-xs text-slate-600">
                {t!(i18n, instances.last_event)}
                " "
                {move || i.with(|i| prefs.when(i.last_event_at.as_deref()))}
            </p>
            {move || {
                let waiting = i.with(|i| i.unprocessed_events);
                (waiting > 0).then(|| view! {
                    <p class="mt-2 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="unprocessed-events">
                        {t_string!(i18n, instances.unprocessed, count = prefs.num(waiting)).to_string()}
                    </p>
                })
            }}
            {url.is_empty().then(|| view! {
                <p class="mt-3 text-xs text-slate-600">{t!(i18n, instances.webhook_admins_only)}</p>
            })}
            {(!url.is_empty()).then(|| {
                let shown = url.clone();
                view! {
                    <div class="mt-3">
                        <div class="text-xs font-medium text-slate-700">{t!(i18n, instances.webhook_url)}</div>
                        <div class="mt-1 flex min-w-0 items-center gap-2">
                            <code class="block min-w-0 flex-1 truncate rounded-md bg-slate-100 px-2 py-1.5 text-xs text-slate-700" data-testid="webhook-url">
                                {shown}
                            </code>
                            <button
                                type="button"
                                class="rounded-md border border-slate-300 px-2.5 py-1.5 text-xs font-medium text-slate-700 hover:bg-slate-50"
                                on:click=move |_| {
                                    copy(&url);
                                    copied.set(true);
                                }
                            >
                                {move || if copied.get() { t_string!(i18n, copied) } else { t_string!(i18n, copy) }}
                            </button>
                        </div>
                        <p class="mt-1 text-xs text-slate-600" data-testid="webhook-url-hint">
                            {t!(i18n, instances.webhook_hint)}
                        </p>
                    </div>
                }
            })}
            {admin
                .then(|| {
                    view! {
                        <div class="mt-4 flex flex-wrap items-center gap-3 border-t border-slate-100 pt-4">
                            <button
                                type="button"
                                class="rounded-md bg-emerald-700 px-3 py-1.5 text-xs font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:opacity-60"
                                disabled=move || configure.pending().get()
                                on:click=move |_| {
                                    configure.dispatch(ConfigureWebhook { id });
                                }
                                data-testid="configure-webhook"
                            >
                                {t!(i18n, instances.configure)}
                            </button>
                            <span class="text-xs" data-testid="configure-result">
                                {move || match configure.value().get() {
                                    Some(Ok(_)) => {
                                        view! { <span class="text-emerald-800">{t!(i18n, instances.configured)}</span> }
                                            .into_any()
                                    }
                                    Some(Err(e)) => view! { <span class="text-rose-700">{error_text(&e)}</span> }.into_any(),
                                    None => ().into_any(),
                                }}
                            </span>
                        </div>
                    }
                })}
        </section>
    }
}
