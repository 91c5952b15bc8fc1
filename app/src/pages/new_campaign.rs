//! `/campaigns/new` (admins): name, message with a live `{{name}}` preview, instances,
//! contacts (all, or a pasted list) and pacing; creates the campaign as a draft.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{CreateCampaign, get_settings, list_instances};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::layout::UserResource;
use crate::pages::list_picker::ListPicker;
use crate::prefs::use_prefs;
use crate::template::render;
use crate::types::{CampaignSettings, InstanceView, NewCampaign, SendWindow, TenantSettings};
use crate::ui::{Card, Empty, ErrorBox, INPUT, error_text, status_label};

/// The new-campaign page.
#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let i18n = use_i18n();
    let user = expect_context::<UserResource>();
    let instances = Resource::new(|| (), |_| list_instances());
    let defaults = Resource::new(|| (), |_| get_settings());
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, new_campaign.title))/>
        <a href="/" class="text-sm text-emerald-800 hover:underline">{t!(i18n, back_to_campaigns)}</a>
        <h1 class="mt-2 mb-6 text-2xl font-semibold tracking-tight">{t!(i18n, new_campaign.title)}</h1>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || Suspend::new(async move {
                let admin = user.await.map(|u| u.role == "admin").unwrap_or(false);
                let defaults = match defaults.await {
                    Ok(d) => d,
                    Err(e) => return view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                };
                match instances.await {
                    _ if !admin => view! { <Empty text=t_string!(i18n, new_campaign.only_admins)/> }.into_any(),
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <Empty text=t_string!(i18n, new_campaign.no_instances)/> }.into_any()
                    }
                    Ok(list) => view! { <CampaignForm instances=list defaults/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignForm(instances: Vec<InstanceView>, defaults: TenantSettings) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let create = ServerAction::<CreateCampaign>::new();
    let name = RwSignal::new(String::new());
    let message = RwSignal::new(format!(
        "{} {{{{first_name}}}}! ",
        t_string!(i18n, new_campaign.greeting)
    ));
    let chosen = RwSignal::new(instances.first().map(|i| vec![i.id]).unwrap_or_default());
    let all_contacts = RwSignal::new(true);
    let to_lists = RwSignal::new(false);
    let include = RwSignal::new(Vec::<i64>::new());
    let exclude = RwSignal::new(Vec::<i64>::new());
    let pasted = RwSignal::new(String::new());
    let secs = |ms: i64| (ms as f64 / 1000.0).to_string();
    let min_delay = RwSignal::new(secs(defaults.default_pacing.min_delay_ms));
    let max_delay = RwSignal::new(secs(defaults.default_pacing.max_delay_ms));
    let daily_cap = RwSignal::new(
        defaults
            .default_daily_cap
            .map(|c| c.to_string())
            .unwrap_or_default(),
    );
    let window_start = RwSignal::new(
        defaults
            .default_send_window
            .as_ref()
            .map(|w| w.start.clone())
            .unwrap_or_default(),
    );
    let window_end = RwSignal::new(
        defaults
            .default_send_window
            .map(|w| w.end)
            .unwrap_or_default(),
    );
    // The window in the tenant's timezone, kept with its offset from UTC as of now.
    let window = move || {
        let (start, end) = (window_start.get_untracked(), window_end.get_untracked());
        (!start.trim().is_empty() && !end.trim().is_empty()).then(|| SendWindow {
            start: start.trim().to_string(),
            end: end.trim().to_string(),
            utc_offset_minutes: prefs.utc_offset_minutes(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let seconds = |s: RwSignal<String>| {
            (s.get_untracked().trim().parse::<f64>().unwrap_or(0.0) * 1000.0) as i64
        };
        create.dispatch(CreateCampaign {
            input: NewCampaign {
                name: name.get_untracked(),
                message: message.get_untracked(),
                instance_ids: chosen.get_untracked(),
                contact_ids: None,
                all_contacts: all_contacts.get_untracked() && !to_lists.get_untracked(),
                list_ids: to_lists.get_untracked().then(|| include.get_untracked()),
                exclude_list_ids: to_lists
                    .get_untracked()
                    .then(|| exclude.get_untracked())
                    .filter(|e| !e.is_empty()),
                settings: Some(CampaignSettings {
                    min_delay_ms: seconds(min_delay),
                    max_delay_ms: seconds(max_delay),
                    daily_cap_per_instance: daily_cap.get_untracked().trim().parse().ok(),
                    send_window: window(),
                }),
            },
            pasted: pasted.get_untracked(),
        });
    };
    let label = "text-sm font-medium text-slate-700";
    view! {
        <form on:submit=submit class="grid grid-cols-1 gap-6 lg:grid-cols-3" data-testid="new-campaign">
            <div class="space-y-6 lg:col-span-2">
                <Card title=t_string!(i18n, new_campaign.message_card)>
                    <label class="block">
                        <span class=label>{t!(i18n, new_campaign.name)}</span>
                        <input class=INPUT required placeholder="Black Friday 2026" bind:value=name data-testid="campaign-name-input"/>
                    </label>
                    <label class="mt-4 block">
                        <span class=label>{t!(i18n, new_campaign.message)}</span>
                        <textarea class=INPUT rows="5" required bind:value=message data-testid="campaign-message-input"></textarea>
                        <span class="mt-1 block text-xs text-slate-600">
                            {t_string!(i18n, new_campaign.placeholders_hint, a = "{{name}}", b = "{{first_name}}", c = "{{phone}}").to_string()}
                        </span>
                    </label>
                    <div class="mt-4 rounded-lg bg-emerald-50 p-4">
                        <div class="text-xs font-medium uppercase tracking-wide text-emerald-800">{t!(i18n, new_campaign.preview_for)}</div>
                        <p class="mt-1 whitespace-pre-wrap text-sm text-slate-800" data-testid="preview">
                            {move || render(&message.get(), "Maria Silva", "5511987654321")}
                        </p>
                    </div>
                </Card>
                <Card title=t_string!(i18n, new_campaign.contacts)>
                    <label class="flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || all_contacts.get() && !to_lists.get() on:change=move |_| { all_contacts.set(true); to_lists.set(false) }/>
                        {t!(i18n, new_campaign.all_contacts)}
                    </label>
                    <label class="mt-2 flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || !all_contacts.get() && !to_lists.get() on:change=move |_| { all_contacts.set(false); to_lists.set(false) } data-testid="audience-pasted"/>
                        {t!(i18n, new_campaign.pasted_contacts)}
                    </label>
                    <textarea
                        class=INPUT
                        rows="6"
                        placeholder="Maria Silva, +55 11 98765-4321"
                        aria-label=t_string!(i18n, new_campaign.pasted_label)
                        bind:value=pasted
                        disabled=move || all_contacts.get() || to_lists.get()
                        data-testid="pasted-contacts"
                    ></textarea>
                    <label class="mt-4 flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || to_lists.get() on:change=move |_| { all_contacts.set(false); to_lists.set(true) } data-testid="audience-lists"/>
                        {t!(i18n, lists.to_lists)}
                    </label>
                    <ListPicker active=to_lists.into() include exclude/>
                </Card>
            </div>
            <div class="space-y-6">
                <Card title=t_string!(i18n, new_campaign.send_through)>
                    {instances
                        .into_iter()
                        .map(|i| {
                            let id = i.id;
                            view! {
                                <label class="mb-2 flex items-center gap-2 text-sm">
                                    <input
                                        type="checkbox"
                                        checked=move || chosen.with(|c| c.contains(&id))
                                        on:change=move |_| chosen.update(|c| if c.contains(&id) { c.retain(|x| *x != id) } else { c.push(id) })
                                    />
                                    {i.friendly_name}
                                    <span class="text-xs text-slate-600">{format!("({})", status_label(i18n.get_locale_untracked(), &i.connection_state))}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </Card>
                <Card title=t_string!(i18n, new_campaign.pacing)>
                    <p class="text-xs text-slate-600">{t!(i18n, new_campaign.pacing_hint)}</p>
                    <div class="mt-3 grid grid-cols-2 gap-3">
                        <label class="block">
                            <span class=label>{t!(i18n, new_campaign.min_delay)}</span>
                            <input class=INPUT type="number" min="0" step="0.1" bind:value=min_delay/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, new_campaign.max_delay)}</span>
                            <input class=INPUT type="number" min="0" step="0.1" bind:value=max_delay/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, settings.window_start)}</span>
                            <input class=INPUT type="time" bind:value=window_start data-testid="window-start"/>
                        </label>
                        <label class="block">
                            <span class=label>{t!(i18n, settings.window_end)}</span>
                            <input class=INPUT type="time" bind:value=window_end data-testid="window-end"/>
                        </label>
                    </div>
                    <label class="mt-3 block">
                        <span class=label>{t!(i18n, settings.daily_cap)}</span>
                        <input class=INPUT type="number" min="1" bind:value=daily_cap data-testid="daily-cap"/>
                    </label>
                </Card>
                {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorBox text=error_text(&e)/> })}
                <button
                    type="submit"
                    class="w-full rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:opacity-60"
                    disabled=move || create.pending().get()
                    data-testid="create-campaign"
                >
                    {t!(i18n, new_campaign.create)}
                </button>
                <p class="text-xs text-slate-600">{t!(i18n, new_campaign.nothing_sent)}</p>
            </div>
        </form>
    }
}
