//! One instance on `/instances`: its state, health, today's numbers, 30-day chart and last
//! event for everyone; its webhook URL, pairing, editing and removal for admins.

use leptos::prelude::*;

use crate::api::{ConfigureWebhook, RemoveInstance, UpdateInstance, instance_history};
use crate::live::use_live;
use crate::pages::instance_chart::InstanceChart;
use crate::pages::instance_pairing::Pairing;
use crate::pages::instances::Changed;
use crate::types::{InstanceDay, InstanceView};
use crate::ui::{INPUT, Pill, error_text, num, when};

/// Tailwind classes of a health score: green when healthy, amber when shaky, red when bad.
fn health_tone(score: i32) -> (&'static str, &'static str) {
    match score {
        80.. => ("text-emerald-800", "bg-emerald-500"),
        50..=79 => ("text-amber-800", "bg-amber-500"),
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

/// The chart's description for screen readers: the month's totals.
fn chart_label(days: &[InstanceDay]) -> String {
    let sum = |pick: fn(&InstanceDay) -> i64| num(days.iter().map(pick).sum());
    format!(
        "Últimos 30 dias: {} enviadas, {} entregues, {} lidas, {} com falha, {} desconexões",
        sum(|d| d.counts.sent),
        sum(|d| d.counts.delivered),
        sum(|d| d.counts.read),
        sum(|d| d.counts.failed),
        sum(|d| d.disconnects),
    )
}

/// One instance. `pair`: show its QR code now (the page was opened with `?connect={id}`).
#[component]
pub fn InstanceCard(i: InstanceView, admin: bool, pair: bool) -> impl IntoView {
    let live = use_live();
    let configure = ServerAction::<ConfigureWebhook>::new();
    let copied = RwSignal::new(false);
    // The URL stays as the server decided for this person (admins only).
    let url = i.webhook_url.clone();
    let (id, friendly_name, instance_name) =
        (i.id, i.friendly_name.clone(), i.instance_name.clone());
    let version = i.api_version.clone();
    let history = Resource::new(move || id, instance_history);
    let i = Memo::new(move |_| live.instance(&i));
    let health = move || i.with(|i| i.health_score);
    let stat = move |label: &'static str, pick: fn(&InstanceView) -> i64| {
        view! {
            <div>
                <div class="text-xs uppercase tracking-wide text-slate-600">{label}</div>
                <div class="text-lg font-semibold tabular-nums">{move || num(i.with(pick))}</div>
            </div>
        }
    };
    let open = Signal::derive(move || i.with(|i| i.connection_state == "open"));
    view! {
        <section
            id=format!("instance-{id}")
            class="rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
            data-testid=format!("instance-{id}")
        >
            <div class="flex items-start justify-between gap-4">
                <div class="min-w-0">
                    <h2 class="font-semibold" data-testid="instance-friendly-name">{friendly_name.clone()}</h2>
                    <p class="font-mono text-xs text-slate-600">{format!("{instance_name} · Evolution {version}")}</p>
                </div>
                <div class="flex items-center gap-2" aria-live="polite" data-testid="instance-state">
                    <Pill status=Signal::derive(move || i.with(|i| i.connection_state.clone()))/>
                    {move || (!i.with(|i| i.active)).then(|| view! { <Pill status="inactive".to_string()/> })}
                </div>
            </div>
            <div class="mt-4">
                <div class="flex items-baseline justify-between">
                    <span class="text-sm text-slate-700">"Saúde"</span>
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
                {stat("Enviadas hoje", |i| i.today.sent)}
                {stat("Entregues", |i| i.today.delivered)}
                {stat("Lidas", |i| i.today.read)}
                {stat("Falhas", |i| i.today.failed)}
            </div>
            <div class="mt-4">
                <div class="text-xs font-medium text-slate-700">"Últimos 30 dias"</div>
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        history
                            .await
                            .ok()
                            .map(|days| {
                                let label = chart_label(&days);
                                view! { <InstanceChart days label/> }
                            })
                    })}
                </Suspense>
                <ul class="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-slate-500 align-middle"></span>"enviadas"</li>
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-sky-600 align-middle"></span>"entregues"</li>
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-emerald-600 align-middle"></span>"lidas"</li>
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-rose-600 align-middle"></span>"falhas"</li>
                    <li><span class="mr-1 inline-block h-2 w-1 bg-amber-600 align-middle"></span>"desconexões"</li>
                </ul>
            </div>
            <p class="mt-3 text-xs text-slate-600">"Último evento: " {move || i.with(|i| when(i.last_event_at.as_deref()))}</p>
            {url.is_empty().then(|| view! {
                <p class="mt-3 text-xs text-slate-600">"A URL do webhook é mostrada aos administradores."</p>
            })}
            {(!url.is_empty()).then(|| {
                let shown = url.clone();
                view! {
                    <div class="mt-3">
                        <div class="text-xs font-medium text-slate-700">"URL do webhook (configure no Evolution)"</div>
                        <div class="mt-1 flex items-center gap-2">
                            <code class="block min-w-0 flex-1 truncate rounded-md bg-slate-100 px-2 py-1.5 text-xs text-slate-800" data-testid="webhook-url">
                                {shown}
                            </code>
                            <button
                                type="button"
                                class="rounded-md border border-slate-300 px-2.5 py-1.5 text-xs font-medium text-slate-800 hover:bg-slate-50"
                                on:click=move |_| {
                                    copy(&url);
                                    copied.set(true);
                                }
                            >
                                {move || if copied.get() { "Copiado" } else { "Copiar" }}
                            </button>
                        </div>
                    </div>
                }
            })}
            {admin
                .then(|| {
                    view! {
                        <Pairing id friendly_name=friendly_name.clone() open pair/>
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
                                "Configurar webhook no Evolution"
                            </button>
                            <span class="text-xs" role="status" aria-live="polite" data-testid="configure-result">
                                {move || match configure.value().get() {
                                    Some(Ok(_)) => {
                                        view! { <span class="text-emerald-800">"Pronto: o Evolution agora envia ao Flow."</span> }
                                            .into_any()
                                    }
                                    Some(Err(e)) => view! { <span class="text-rose-700">{error_text(&e)}</span> }.into_any(),
                                    None => ().into_any(),
                                }}
                            </span>
                        </div>
                        <EditInstance id friendly_name/>
                    }
                })}
        </section>
    }
}

/// Editing (friendly name, api key) and removing an instance, folded away until asked for.
#[component]
fn EditInstance(id: i64, friendly_name: String) -> impl IntoView {
    let update = ServerAction::<UpdateInstance>::new();
    let remove = ServerAction::<RemoveInstance>::new();
    let changed = expect_context::<Changed>();
    Effect::new(move |_| {
        let done = matches!(update.value().get(), Some(Ok(_)))
            || matches!(remove.value().get(), Some(Ok(())));
        if done {
            changed.0.update(|n| *n += 1);
        }
    });
    let label = "text-sm font-medium text-slate-700";
    let result = move |value: Option<Result<String, ServerFnError>>| match value {
        Some(Ok(text)) => view! { <span class="text-emerald-800">{text}</span> }.into_any(),
        Some(Err(e)) => view! { <span class="text-rose-700">{error_text(&e)}</span> }.into_any(),
        None => ().into_any(),
    };
    view! {
        <details class="mt-4 border-t border-slate-100 pt-3">
            <summary class="cursor-pointer text-sm font-medium text-slate-800" data-testid="edit-instance">"Editar ou remover"</summary>
            <ActionForm action=update attr:class="mt-3 grid gap-3 sm:grid-cols-2">
                <input type="hidden" name="id" value=id/>
                <label class="block">
                    <span class=label>"Nome para a equipe"</span>
                    <input class=INPUT name="friendly_name" required value=friendly_name data-testid="edit-friendly-name"/>
                </label>
                <label class="block">
                    <span class=label>"Nova chave de API"</span>
                    <input class=INPUT type="password" name="api_key" autocomplete="off" placeholder="em branco: mantém a atual"/>
                </label>
                <div class="flex items-center gap-3 sm:col-span-2">
                    <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-xs font-semibold text-slate-800 hover:bg-slate-50" data-testid="edit-submit">
                        "Salvar"
                    </button>
                    <span class="text-xs" role="status" aria-live="polite">
                        {move || result(update.value().get().map(|r| r.map(|_| "Salvo.".to_string())))}
                    </span>
                </div>
            </ActionForm>
            <ActionForm action=remove attr:class="mt-4 flex flex-wrap items-center gap-3">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="rounded-md border border-rose-300 px-3 py-1.5 text-xs font-semibold text-rose-700 hover:bg-rose-50" data-testid="remove-instance">
                    "Remover instância"
                </button>
                <span class="text-xs" role="status" aria-live="polite" data-testid="remove-result">
                    {move || result(remove.value().get().map(|r| r.map(|_| "Removida.".to_string())))}
                </span>
            </ActionForm>
        </details>
    }
}
