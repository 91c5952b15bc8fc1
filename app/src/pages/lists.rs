//! `/lists`: the tenant's contact lists with their sizes; admins create, rename and delete
//! them. A list's contacts are the contacts page filtered by it.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::audience_api::{DeleteList, SaveList, list_lists};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::layout::UserResource;
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::ui::{Card, Empty, ErrorBox, INPUT, error_text};

/// The lists page.
#[component]
pub fn ListsPage() -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let user = expect_context::<UserResource>();
    let save = ServerAction::<SaveList>::new();
    let delete = ServerAction::<DeleteList>::new();
    let lists = Resource::new(
        move || (save.version().get(), delete.version().get()),
        |_| list_lists(),
    );
    let failure = move || {
        [
            save.value().get().and_then(|r| r.err()),
            delete.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| error_text(&e))
    };
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    let small = "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs text-slate-700 hover:bg-slate-50";
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, lists.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, lists.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, lists.subtitle)}</p>
        </div>
        {move || failure().map(|e| view! { <div class="mb-4"><ErrorBox text=e/></div> })}
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, loading)}</p> }>
            {move || suspend(async move {
                let admin = user.await.is_ok_and(|u| u.role == "admin");
                let table = match lists.await {
                    Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <Empty text=t_string!(i18n, lists.empty)/> }.into_any(),
                    Ok(list) => view! {
                        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
                            <table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="lists">
                                <thead class="bg-slate-50">
                                    <tr>
                                        <th class=th>{t!(i18n, lists.col_name)}</th>
                                        <th class=th>{t!(i18n, lists.col_contacts)}</th>
                                        <th class=th>{t!(i18n, lists.col_created)}</th>
                                        {admin.then(|| view! { <th class=th>{t!(i18n, lists.col_actions)}</th> })}
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {list.into_iter().map(|l| view! {
                                        <tr data-testid="list-row">
                                            <td class="px-4 py-3 font-medium">
                                                <a href=format!("/contacts?list_id={}", l.id) class="text-emerald-700 hover:underline">{l.name.clone()}</a>
                                            </td>
                                            <td class="px-4 py-3">{prefs.num(l.contacts)}</td>
                                            <td class="whitespace-nowrap px-4 py-3 text-slate-600">{prefs.when(Some(&l.created_at))}</td>
                                            {admin.then(|| view! {
                                                <td class="px-4 py-3">
                                                    <div class="flex flex-wrap items-center gap-2">
                                                        <ActionForm action=save attr:class="flex items-center gap-2">
                                                            <input type="hidden" name="id" value=l.id/>
                                                            <input name="name" required value=l.name.clone()
                                                                aria-label=t_string!(i18n, lists.new_name)
                                                                class="rounded-md border border-slate-300 px-2 py-1 text-xs"/>
                                                            <button type="submit" class=small>{t!(i18n, lists.rename)}</button>
                                                        </ActionForm>
                                                        <ActionForm action=delete>
                                                            <input type="hidden" name="id" value=l.id/>
                                                            <button type="submit" class="rounded-md border border-rose-300 bg-white px-2.5 py-1 text-xs text-rose-700 hover:bg-rose-50">
                                                                {t!(i18n, lists.delete)}
                                                            </button>
                                                        </ActionForm>
                                                    </div>
                                                </td>
                                            })}
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                };
                view! {
                    <div class="grid grid-cols-1 gap-6 lg:grid-cols-3">
                        <div class="min-w-0 lg:col-span-2">{table}</div>
                        {admin.then(|| view! {
                            <Card title=t_string!(i18n, lists.create).to_string()>
                                <ActionForm action=save attr:class="space-y-4" attr:data-testid="new-list">
                                    <label class="block">
                                        <span class="text-sm font-medium text-slate-700">{t!(i18n, lists.col_name)}</span>
                                        <input name="name" required class=INPUT/>
                                    </label>
                                    <button type="submit" class="rounded-md bg-emerald-700 px-3 py-2 text-sm font-medium text-white hover:bg-emerald-800">
                                        {t!(i18n, lists.create)}
                                    </button>
                                </ActionForm>
                            </Card>
                        })}
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}
