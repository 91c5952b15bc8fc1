//! `/campaigns/new` (admins): name, message with a live `{{name}}` preview, instances,
//! contacts (all, or a pasted list) and pacing; creates the campaign as a draft.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{CreateCampaign, list_instances};
use crate::pages::layout::UserResource;
use crate::template::render;
use crate::types::{CampaignSettings, InstanceView, NewCampaign};
use crate::ui::{Card, Empty, ErrorBox, INPUT, error_text};

/// The new-campaign page.
#[component]
pub fn NewCampaignPage() -> impl IntoView {
    let user = expect_context::<UserResource>();
    let instances = Resource::new(|| (), |_| list_instances());
    view! {
        <Title text="New campaign · Alrea Flow"/>
        <a href="/" class="text-sm text-emerald-700 hover:underline">"← Campaigns"</a>
        <h1 class="mt-2 mb-6 text-2xl font-semibold tracking-tight">"New campaign"</h1>
        <Suspense fallback=|| view! { <p class="text-sm text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                let admin = user.await.map(|u| u.role == "admin").unwrap_or(false);
                match instances.await {
                    _ if !admin => view! { <Empty text="Only admins create campaigns."/> }.into_any(),
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => {
                        view! { <Empty text="Register a WhatsApp instance first (POST /api/v1/instances)."/> }.into_any()
                    }
                    Ok(list) => view! { <CampaignForm instances=list/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn CampaignForm(instances: Vec<InstanceView>) -> impl IntoView {
    let create = ServerAction::<CreateCampaign>::new();
    let name = RwSignal::new(String::new());
    let message = RwSignal::new("Olá {{first_name}}! ".to_string());
    let chosen = RwSignal::new(instances.first().map(|i| vec![i.id]).unwrap_or_default());
    let all_contacts = RwSignal::new(true);
    let pasted = RwSignal::new(String::new());
    let min_delay = RwSignal::new("3".to_string());
    let max_delay = RwSignal::new("10".to_string());
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
                all_contacts: all_contacts.get_untracked(),
                settings: Some(CampaignSettings {
                    min_delay_ms: seconds(min_delay),
                    max_delay_ms: seconds(max_delay),
                    daily_cap_per_instance: None,
                    send_window: None,
                }),
            },
            pasted: pasted.get_untracked(),
        });
    };
    let label = "text-sm font-medium text-slate-700";
    view! {
        <form on:submit=submit class="grid gap-6 lg:grid-cols-3" data-testid="new-campaign">
            <div class="space-y-6 lg:col-span-2">
                <Card title="Message">
                    <label class="block">
                        <span class=label>"Name"</span>
                        <input class=INPUT required placeholder="Black Friday 2026" bind:value=name data-testid="campaign-name-input"/>
                    </label>
                    <label class="mt-4 block">
                        <span class=label>"Message"</span>
                        <textarea class=INPUT rows="5" required bind:value=message data-testid="campaign-message-input"></textarea>
                        <span class="mt-1 block text-xs text-slate-500">
                            "Use {{name}}, {{first_name}} or {{phone}}; each contact gets their own."
                        </span>
                    </label>
                    <div class="mt-4 rounded-lg bg-emerald-50 p-4">
                        <div class="text-xs font-medium uppercase tracking-wide text-emerald-800">"Preview for Maria Silva"</div>
                        <p class="mt-1 whitespace-pre-wrap text-sm text-slate-800" data-testid="preview">
                            {move || render(&message.get(), "Maria Silva", "5511987654321")}
                        </p>
                    </div>
                </Card>
                <Card title="Contacts">
                    <label class="flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || all_contacts.get() on:change=move |_| all_contacts.set(true)/>
                        "All contacts of the team (opted-out ones are skipped)"
                    </label>
                    <label class="mt-2 flex items-center gap-2 text-sm">
                        <input type="radio" name="audience" checked=move || !all_contacts.get() on:change=move |_| all_contacts.set(false) data-testid="audience-pasted"/>
                        "A list: one per line, a phone or “name, phone”"
                    </label>
                    <textarea
                        class=INPUT
                        rows="6"
                        placeholder="Maria Silva, +55 11 98765-4321"
                        bind:value=pasted
                        disabled=move || all_contacts.get()
                        data-testid="pasted-contacts"
                    ></textarea>
                </Card>
            </div>
            <div class="space-y-6">
                <Card title="Send through">
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
                                    <span class="text-xs text-slate-500">{format!("({})", i.connection_state)}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </Card>
                <Card title="Pacing">
                    <p class="text-xs text-slate-500">"A random pause between two messages of one instance."</p>
                    <div class="mt-3 grid grid-cols-2 gap-3">
                        <label class="block">
                            <span class=label>"Min (s)"</span>
                            <input class=INPUT type="number" min="0" step="0.1" bind:value=min_delay/>
                        </label>
                        <label class="block">
                            <span class=label>"Max (s)"</span>
                            <input class=INPUT type="number" min="0" step="0.1" bind:value=max_delay/>
                        </label>
                    </div>
                </Card>
                {move || create.value().get().and_then(|r| r.err()).map(|e| view! { <ErrorBox text=error_text(&e)/> })}
                <button
                    type="submit"
                    class="w-full rounded-md bg-emerald-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-700 disabled:opacity-60"
                    disabled=move || create.pending().get()
                    data-testid="create-campaign"
                >
                    "Create draft"
                </button>
                <p class="text-xs text-slate-500">"Nothing is sent until you press Start on the campaign page."</p>
            </div>
        </form>
    }
}
