//! `/instances`: each WhatsApp instance's connection, health, today's counters, 30-day chart
//! and webhook URL; admins add, edit, remove and pair (QR code) instances here.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{AddInstance, list_instances};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::instance_card::InstanceCard;
use crate::pages::layout::UserResource;
use crate::suspend_once::suspend;
use crate::ui::{Card, Empty, ErrorBox, INPUT, error_text};

/// The instances page. `?connect={id}` asks Evolution for that instance's QR code while the
/// page renders, so pairing works without JavaScript too.
#[component]
pub fn InstancesPage() -> impl IntoView {
    let i18n = use_i18n();
    let add = ServerAction::<AddInstance>::new();
    // Every change made here (an instance added, edited or removed) comes back as a new list.
    let changed = Changed(RwSignal::new(0));
    provide_context(changed);
    let instances = Resource::new(
        move || (add.version().get(), changed.0.get()),
        |_| list_instances(),
    );
    let user = expect_context::<UserResource>();
    let query = use_query_map();
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, instances.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, instances.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, instances.subtitle)}</p>
        </div>
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                let admin = user.await.map(|u| u.role == "admin").unwrap_or(false);
                let pairing = query.with_untracked(|q| q.get("connect").and_then(|v| v.parse::<i64>().ok()));
                let list = match instances.await {
                    Err(e) => return view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) => list,
                };
                let cards = if list.is_empty() {
                    view! { <Empty text=t_string!(i18n, instances.empty)/> }.into_any()
                } else {
                    view! {
                        <div class="grid grid-cols-1 gap-6 lg:grid-cols-2" data-testid="instances">
                            {list
                                .into_iter()
                                .map(|i| {
                                    let pair = pairing == Some(i.id);
                                    view! { <InstanceCard i admin pair/> }
                                })
                                .collect_view()}
                        </div>
                    }
                        .into_any()
                };
                view! {
                    {cards}
                    {admin.then(|| view! { <AddInstanceForm add/> })}
                }
                    .into_any()
            })}
        </Suspense>
    }
}

/// Bumped by a card whose instance was edited or removed: the page reloads the list.
#[derive(Clone, Copy)]
pub struct Changed(pub RwSignal<u32>);

/// Adding an instance: Evolution's URL, the instance name and api key, a friendly name. The
/// API version is asked from Evolution, never typed.
#[component]
fn AddInstanceForm(
    /// The page's add action (its result reloads the list).
    add: ServerAction<AddInstance>,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = "text-sm font-medium text-slate-700";
    view! {
        <div class="mt-8 max-w-2xl">
            <Card title=t_string!(i18n, instances.add_title)>
                <ActionForm action=add attr:class="grid gap-4 sm:grid-cols-2" attr:data-testid="add-instance">
                    <label class="block sm:col-span-2">
                        <span class=label>{t!(i18n, instances.api_url)}</span>
                        <input class=INPUT type="url" name="api_url" required placeholder=t_string!(i18n, instances.api_url_placeholder) data-testid="add-api-url"/>
                    </label>
                    <label class="block">
                        <span class=label>{t!(i18n, instances.instance_name)}</span>
                        <input class=INPUT name="instance_name" required autocomplete="off" data-testid="add-instance-name"/>
                    </label>
                    <label class="block">
                        <span class=label>{t!(i18n, instances.friendly_name)}</span>
                        <input class=INPUT name="friendly_name" placeholder=t_string!(i18n, instances.friendly_placeholder) data-testid="add-friendly-name"/>
                    </label>
                    <label class="block sm:col-span-2">
                        <span class=label>{t!(i18n, instances.api_key)}</span>
                        <input class=INPUT type="password" name="api_key" required autocomplete="off" data-testid="add-api-key"/>
                        <span class="mt-1 block text-xs text-slate-600">{t!(i18n, instances.version_hint)}</span>
                    </label>
                    <label class="flex items-start gap-2 sm:col-span-2">
                        <input type="checkbox" name="warmup" value="on" checked class="mt-1 h-4 w-4" data-testid="add-warmup"/>
                        <span>
                            <span class=label>{t!(i18n, warmup.new_number)}</span>
                            <span class="block text-xs text-slate-600">{t!(i18n, warmup.new_number_hint)}</span>
                        </span>
                    </label>
                    <div class="flex items-center gap-3 sm:col-span-2">
                        <button
                            type="submit"
                            class="rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800 disabled:opacity-60"
                            disabled=move || add.pending().get()
                            data-testid="add-submit"
                        >
                            {t!(i18n, instances.add)}
                        </button>
                        <span class="text-sm" role="status" aria-live="polite" data-testid="add-result">
                            {move || match add.value().get() {
                                Some(Ok(v)) => view! { <span class="text-emerald-800">{t_string!(i18n, instances.added, name = v.friendly_name).to_string()}</span> }.into_any(),
                                Some(Err(e)) => view! { <span class="text-rose-700">{error_text(&e)}</span> }.into_any(),
                                None => ().into_any(),
                            }}
                        </span>
                    </div>
                </ActionForm>
            </Card>
        </div>
    }
}
