//! `/instances`: each WhatsApp instance's connection, health, today's counters, last event
//! and webhook URL.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ConfigureWebhook, list_instances};
use crate::live::use_live;
use crate::pages::layout::UserResource;
use crate::types::InstanceView;
use crate::ui::{Empty, ErrorBox, Pill, error_text, num, when};

/// The instances page.
#[component]
pub fn InstancesPage() -> impl IntoView {
    let instances = Resource::new(|| (), |_| list_instances());
    let user = expect_context::<UserResource>();
    view! {
        <Title text="Instances · Alrea Flow"/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">"Instances"</h1>
            <p class="mt-1 text-sm text-slate-500">"The WhatsApp numbers your campaigns send from."</p>
        </div>
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = user.await.map(|u| u.role == "admin").unwrap_or(false);
                match instances.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <Empty text="No instances yet. Register one with the API (POST /api/v1/instances)."/> }
                            .into_any()
                    }
                    Ok(list) => {
                        view! {
                            <div class="grid gap-6 md:grid-cols-2" data-testid="instances">
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
                <div class="text-xs uppercase tracking-wide text-slate-500">{label}</div>
                <div class="text-lg font-semibold tabular-nums">{move || num(i.with(pick))}</div>
            </div>
        }
    };
    view! {
        <section class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm" data-testid=format!("instance-{id}")>
            <div class="flex items-start justify-between gap-4">
                <div>
                    <h2 class="font-semibold">{friendly_name}</h2>
                    <p class="font-mono text-xs text-slate-500">{instance_name}</p>
                </div>
                <div class="flex items-center gap-2">
                    <Pill status=Signal::derive(move || i.with(|i| i.connection_state.clone()))/>
                    {move || (!i.with(|i| i.active)).then(|| view! { <Pill status="inactive".to_string()/> })}
                </div>
            </div>
            <div class="mt-4">
                <div class="flex items-baseline justify-between">
                    <span class="text-sm text-slate-600">"Health"</span>
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
            <div class="mt-4 grid grid-cols-4 gap-2 rounded-lg bg-slate-50 p-3">
                {stat("Sent today", |i| i.today.sent)}
                {stat("Delivered", |i| i.today.delivered)}
                {stat("Read", |i| i.today.read)}
                {stat("Failed", |i| i.today.failed)}
            </div>
            <p class="mt-3 text-xs text-slate-500">"Last event: " {move || i.with(|i| when(i.last_event_at.as_deref()))}</p>
            {move || {
                let waiting = i.with(|i| i.unprocessed_events);
                (waiting > 0).then(|| view! {
                    <p class="mt-2 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="unprocessed-events">
                        {num(waiting)} " webhook events are waiting to be applied; Flow retries them by itself."
                    </p>
                })
            }}
            {url.is_empty().then(|| view! {
                <p class="mt-3 text-xs text-slate-500">"The webhook URL is shown to admins."</p>
            })}
            {(!url.is_empty()).then(|| {
                let shown = url.clone();
                view! {
                    <div class="mt-3">
                        <div class="text-xs font-medium text-slate-600">"Webhook URL (set it in Evolution)"</div>
                        <div class="mt-1 flex items-center gap-2">
                            <code class="block flex-1 truncate rounded-md bg-slate-100 px-2 py-1.5 text-xs text-slate-700" data-testid="webhook-url">
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
                                {move || if copied.get() { "Copied" } else { "Copy" }}
                            </button>
                        </div>
                        <p class="mt-1 text-xs text-slate-500" data-testid="webhook-url-hint">
                            "Recommended: point Evolution at this URL; its secret authenticates the webhooks."
                        </p>
                    </div>
                }
            })}
            {admin
                .then(|| {
                    view! {
                        <div class="mt-4 flex items-center gap-3 border-t border-slate-100 pt-4">
                            <button
                                type="button"
                                class="rounded-md bg-emerald-600 px-3 py-1.5 text-xs font-semibold text-white shadow-sm hover:bg-emerald-700 disabled:opacity-60"
                                disabled=move || configure.pending().get()
                                on:click=move |_| {
                                    configure.dispatch(ConfigureWebhook { id });
                                }
                                data-testid="configure-webhook"
                            >
                                "Configure webhook in Evolution"
                            </button>
                            <span class="text-xs" data-testid="configure-result">
                                {move || match configure.value().get() {
                                    Some(Ok(_)) => {
                                        view! { <span class="text-emerald-700">"Done: Evolution now posts to Flow."</span> }
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
