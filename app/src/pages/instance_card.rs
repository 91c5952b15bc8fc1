//! One instance on `/instances`: its state, health, today's numbers, 30-day chart and last
//! event for everyone; its webhook URL, pairing, editing and removal for admins.

use leptos::prelude::*;

use crate::api::{
    ConfigureWebhook, RemoveInstance, RotateWebhook, UpdateInstance, instance_history,
};
use crate::i18n::{t, t_string, use_i18n};
use crate::live::use_live;
use crate::pages::instance_chart::InstanceChart;
use crate::pages::instance_pairing::Pairing;
use crate::pages::instance_safety::InstanceSafety;
use crate::pages::instances::Changed;
use crate::prefs::{Prefs, use_prefs};
use crate::suspend_once::suspend;
use crate::types::{InstanceDay, InstanceView};
use crate::ui::{CopyButton, INPUT, Pill, error_text};

/// Tailwind classes of a health score: green when healthy, amber when shaky, red when bad.
fn health_tone(score: i32) -> (&'static str, &'static str) {
    match score {
        80.. => ("text-emerald-800", "bg-emerald-500"),
        50..=79 => ("text-amber-800", "bg-amber-500"),
        _ => ("text-rose-700", "bg-rose-500"),
    }
}

/// The chart's description for screen readers: the month's totals.
fn chart_label(days: &[InstanceDay], prefs: Prefs) -> String {
    let i18n = use_i18n();
    let sum = |pick: fn(&InstanceDay) -> i64| prefs.num(days.iter().map(pick).sum());
    t_string!(
        i18n,
        instances.chart_label,
        sent = sum(|d| d.counts.sent),
        delivered = sum(|d| d.counts.delivered),
        read = sum(|d| d.counts.read),
        failed = sum(|d| d.counts.failed),
        disconnects = sum(|d| d.disconnects),
    )
    .to_string()
}

/// One instance. `pair`: show its QR code now (the page was opened with `?connect={id}`).
#[component]
pub fn InstanceCard(
    /// The instance as the page loaded it (live updates replace it).
    i: InstanceView,
    /// Whether the reader may change it.
    admin: bool,
    /// Whether to ask Evolution for its QR code now.
    pair: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let live = use_live();
    let configure = ServerAction::<ConfigureWebhook>::new();
    let rotate = ServerAction::<RotateWebhook>::new();
    // The URL as the server decided for this person (admins only), or the one a rotation gave.
    let initial_url = i.webhook_url.clone();
    let admin_url = !initial_url.is_empty();
    let url = Signal::derive(move || {
        rotate.value().with(|done| match done {
            Some(Ok(v)) => v.webhook_url.clone(),
            _ => initial_url.clone(),
        })
    });
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
                <div class="text-lg font-semibold tabular-nums">{move || prefs.num(i.with(pick))}</div>
            </div>
        }
    };
    let open = Signal::derive(move || i.with(|i| i.connection_state == "open"));
    view! {
        <section
            id=format!("instance-{id}")
            class="min-w-0 rounded-xl border border-slate-200 bg-white p-5 shadow-sm"
            data-testid=format!("instance-{id}")
        >
            <div class="flex items-start justify-between gap-4">
                <div class="min-w-0">
                    <h2 class="font-semibold" data-testid="instance-friendly-name">{friendly_name.clone()}</h2>
                    <p class="break-all font-mono text-xs text-slate-600">{format!("{instance_name} · Evolution {version}")}</p>
                    {move || i.with(|i| i.phone.as_deref().map(crate::phone_display::display)).map(|number| view! {
                        <p class="font-mono text-xs text-slate-600" data-testid="instance-phone">{number}</p>
                    })}
                </div>
                <div class="flex items-center gap-2" aria-live="polite" data-testid="instance-state">
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
            <div class="mt-4">
                <div class="text-xs font-medium text-slate-700">{t!(i18n, instances.last_30_days)}</div>
                <Suspense fallback=|| ()>
                    {move || suspend(async move {
                        history
                            .await
                            .ok()
                            .map(|days| {
                                let label = chart_label(&days, prefs);
                                view! { <InstanceChart days label/> }
                            })
                    })}
                </Suspense>
                <ul class="mt-1 flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-700">
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-slate-500 align-middle"></span>{t!(i18n, counts.sent)}</li>
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-sky-600 align-middle"></span>{t!(i18n, counts.delivered)}</li>
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-emerald-600 align-middle"></span>{t!(i18n, counts.read)}</li>
                    <li><span class="mr-1 inline-block h-0.5 w-3 bg-rose-600 align-middle"></span>{t!(i18n, counts.failed)}</li>
                    <li><span class="mr-1 inline-block h-2 w-1 bg-amber-600 align-middle"></span>{t!(i18n, instances.legend_disconnects)}</li>
                </ul>
            </div>
            <InstanceSafety i/>
            <p class="mt-3 text-xs text-slate-600">{t!(i18n, instances.last_event)} " " {move || i.with(|i| prefs.when(i.last_event_at.as_deref()))}</p>
            {move || {
                let waiting = i.with(|i| i.unprocessed_events);
                (waiting > 0).then(|| view! {
                    <p class="mt-2 rounded-md bg-amber-50 px-2 py-1 text-xs text-amber-900" data-testid="unprocessed-events">
                        {t_string!(i18n, instances.unprocessed, count = prefs.num(waiting)).to_string()}
                    </p>
                })
            }}
            {(!admin_url).then(|| view! {
                <p class="mt-3 text-xs text-slate-600">{t!(i18n, instances.webhook_admins_only)}</p>
            })}
            {admin_url.then(|| {
                view! {
                    <div class="mt-3">
                        <div class="text-xs font-medium text-slate-700">{t!(i18n, instances.webhook_url)}</div>
                        <div class="mt-1 flex min-w-0 items-center gap-2">
                            <code class="block min-w-0 flex-1 truncate rounded-md bg-slate-100 px-2 py-1.5 text-xs text-slate-800" data-testid="webhook-url">
                                {move || url.get()}
                            </code>
                            <CopyButton text=url/>
                        </div>
                        <p class="mt-1 text-xs text-slate-600" data-testid="webhook-url-hint">{t!(i18n, instances.webhook_hint)}</p>
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
                                {t!(i18n, instances.configure)}
                            </button>
                            <span class="text-xs" role="status" aria-live="polite" data-testid="configure-result">
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
                        <EditInstance id friendly_name rotate/>
                    }
                })}
        </section>
    }
}

/// Editing (friendly name, api key), replacing the webhook URL and removing an instance, folded
/// away until asked for.
#[component]
fn EditInstance(
    /// The instance.
    id: i64,
    /// Its current friendly name.
    friendly_name: String,
    /// Replacing its webhook URL (the card shows the new one).
    rotate: ServerAction<RotateWebhook>,
) -> impl IntoView {
    let i18n = use_i18n();
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
            <summary class="cursor-pointer text-sm font-medium text-slate-800" data-testid="edit-instance">{t!(i18n, instances.edit_or_remove)}</summary>
            <ActionForm action=update attr:class="mt-3 grid gap-3 sm:grid-cols-2">
                <input type="hidden" name="id" value=id/>
                <label class="block">
                    <span class=label>{t!(i18n, instances.friendly_name)}</span>
                    <input class=INPUT name="friendly_name" required value=friendly_name data-testid="edit-friendly-name"/>
                </label>
                <label class="block">
                    <span class=label>{t!(i18n, instances.new_key)}</span>
                    <input class=INPUT type="password" name="api_key" autocomplete="off" placeholder=t_string!(i18n, instances.keep_key)/>
                </label>
                <div class="flex items-center gap-3 sm:col-span-2">
                    <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-xs font-semibold text-slate-800 hover:bg-slate-50" data-testid="edit-submit">
                        {t!(i18n, instances.save)}
                    </button>
                    <span class="text-xs" role="status" aria-live="polite">
                        {move || result(update.value().get().map(|r| r.map(|_| t_string!(i18n, instances.saved).to_string())))}
                    </span>
                </div>
            </ActionForm>
            <ActionForm action=rotate attr:class="mt-4 flex flex-wrap items-center gap-3">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="rounded-md border border-slate-300 px-3 py-1.5 text-xs font-semibold text-slate-800 hover:bg-slate-50" data-testid="rotate-webhook">
                    {t!(i18n, instances.rotate)}
                </button>
                <span class="text-xs text-slate-600">{t!(i18n, instances.rotate_hint)}</span>
                <span class="text-xs" role="status" aria-live="polite" data-testid="rotate-result">
                    {move || result(rotate.value().get().map(|r| r.map(|_| t_string!(i18n, instances.rotated).to_string())))}
                </span>
            </ActionForm>
            <ActionForm action=remove attr:class="mt-4 flex flex-wrap items-center gap-3">
                <input type="hidden" name="id" value=id/>
                <button type="submit" class="rounded-md border border-rose-300 px-3 py-1.5 text-xs font-semibold text-rose-700 hover:bg-rose-50" data-testid="remove-instance">
                    {t!(i18n, instances.remove)}
                </button>
                <span class="text-xs" role="status" aria-live="polite" data-testid="remove-result">
                    {move || result(remove.value().get().map(|r| r.map(|_| t_string!(i18n, instances.removed).to_string())))}
                </span>
            </ActionForm>
        </details>
    }
}
