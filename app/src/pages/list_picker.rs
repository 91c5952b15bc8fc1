//! The lists part of the new-campaign form: lists to send to, lists whose people are left out,
//! and the live count "N contatos (M já descadastrados serão ignorados)".

use leptos::prelude::*;

use crate::audience_api::{count_audience, list_lists};
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{ErrorBox, error_text};

/// Check boxes of the tenant's lists, to include and to exclude, with the live count.
#[component]
pub fn ListPicker(
    /// Whether the campaign goes to lists (the pickers are disabled otherwise).
    active: Signal<bool>,
    /// Lists to send to.
    include: RwSignal<Vec<i64>>,
    /// Lists whose people are left out.
    exclude: RwSignal<Vec<i64>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let lists = Resource::new(|| (), |_| list_lists());
    let count = Resource::new(
        move || (include.get(), exclude.get()),
        |(include, exclude)| async move {
            if include.is_empty() {
                None
            } else {
                Some(count_audience(include, exclude).await)
            }
        },
    );
    let toggle = |set: RwSignal<Vec<i64>>, id: i64| {
        set.update(|s| {
            if s.contains(&id) {
                s.retain(|x| *x != id);
            } else {
                s.push(id);
            }
        })
    };
    view! {
        <Suspense>
            {move || suspend(async move {
                match lists.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(all) => view! {
                        <div class="mt-2 grid grid-cols-1 gap-3 pl-6 sm:grid-cols-2" data-testid="list-picker">
                            <fieldset disabled=move || !active.get()>
                                <legend class="text-xs font-semibold uppercase tracking-wide text-slate-600">{t!(i18n, lists.include)}</legend>
                                {all.iter().map(|l| {
                                    let id = l.id;
                                    view! {
                                        <label class="mt-1 flex items-center gap-2 text-sm">
                                            <input type="checkbox" checked=move || include.with(|s| s.contains(&id))
                                                on:change=move |_| toggle(include, id) data-testid="include-list"/>
                                            {l.name.clone()}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                            <fieldset disabled=move || !active.get()>
                                <legend class="text-xs font-semibold uppercase tracking-wide text-slate-600">{t!(i18n, lists.exclude)}</legend>
                                {all.iter().map(|l| {
                                    let id = l.id;
                                    view! {
                                        <label class="mt-1 flex items-center gap-2 text-sm">
                                            <input type="checkbox" checked=move || exclude.with(|s| s.contains(&id))
                                                on:change=move |_| toggle(exclude, id) data-testid="exclude-list"/>
                                            {l.name.clone()}
                                        </label>
                                    }
                                }).collect_view()}
                            </fieldset>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
        <p class="mt-2 pl-6 text-sm text-slate-700" data-testid="audience-count" aria-live="polite">
            <Suspense>
                {move || suspend(async move {
                    match count.await {
                        None => None,
                        Some(Err(e)) => Some(error_text(&e)),
                        Some(Ok(c)) => Some(t_string!(i18n, lists.audience_count, n = prefs.num(c.contacts), m = prefs.num(c.opted_out)).to_string()),
                    }
                })}
            </Suspense>
        </p>
    }
}
