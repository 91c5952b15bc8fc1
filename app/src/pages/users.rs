//! `/users` (admins): the team's users with their role and last login; create one, change a
//! role, remove one (never the last admin; the removed user's sessions end at once). Every
//! form posts without JavaScript too.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{CreateUser, RemoveUser, SetRole, list_users};
use crate::i18n::{t, t_string, use_i18n};
use crate::prefs::use_prefs;
use crate::suspend_once::suspend;
use crate::types::UserView;
use crate::ui::{Card, ErrorBox, INPUT, Pill, error_text};

const SMALL_BUTTON: &str = "rounded-md border border-slate-300 bg-white px-2.5 py-1 text-xs \
                            text-slate-700 hover:bg-slate-50";

/// The users page.
#[component]
pub fn UsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateUser>::new();
    let set_role = ServerAction::<SetRole>::new();
    let remove = ServerAction::<RemoveUser>::new();
    let users = Resource::new(
        move || {
            (
                create.version().get(),
                set_role.version().get(),
                remove.version().get(),
            )
        },
        |_| list_users(),
    );
    let failure = move || {
        [
            create.value().get().and_then(|r| r.err()),
            set_role.value().get().and_then(|r| r.err()),
            remove.value().get().and_then(|r| r.err()),
        ]
        .into_iter()
        .flatten()
        .next()
        .map(|e| error_text(&e))
    };
    view! {
        <Title text=move || format!("{} · Alrea Flow", t_string!(i18n, users.title))/>
        <div class="mb-6">
            <h1 class="text-2xl font-semibold tracking-tight">{t!(i18n, users.title)}</h1>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, users.subtitle)}</p>
        </div>
        {move || failure().map(|e| view! { <div class="mb-4"><ErrorBox text=e/></div> })}
        <div class="grid grid-cols-1 gap-6 lg:grid-cols-3">
            <div class="min-w-0 lg:col-span-2">
                <Suspense>
                    {move || suspend(async move {
                        match users.await {
                            Err(e) => view! { <ErrorBox text=error_text(&e)/> }.into_any(),
                            Ok((list, me)) => view! { <UserTable list me set_role remove/> }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
            <Card title=t_string!(i18n, users.new).to_string()>
                <ActionForm action=create attr:class="space-y-4" attr:data-testid="new-user">
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, users.email)}</span>
                        <input type="email" name="email" required class=INPUT/>
                    </label>
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, users.password)}</span>
                        <input type="password" name="password" required minlength="8" autocomplete="new-password" class=INPUT/>
                    </label>
                    <label class="block">
                        <span class="text-sm font-medium text-slate-700">{t!(i18n, users.role)}</span>
                        <select name="role" class=INPUT>
                            <option value="viewer">{t!(i18n, status.viewer)}</option>
                            <option value="admin">{t!(i18n, status.admin)}</option>
                        </select>
                    </label>
                    <button type="submit" class="w-full rounded-md bg-emerald-700 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-emerald-800">
                        {t!(i18n, users.create)}
                    </button>
                </ActionForm>
            </Card>
        </div>
    }
}

#[component]
fn UserTable(
    list: Vec<UserView>,
    me: i64,
    set_role: ServerAction<SetRole>,
    remove: ServerAction<RemoveUser>,
) -> impl IntoView {
    let i18n = use_i18n();
    let prefs = use_prefs();
    let th = "px-4 py-3 text-left text-xs font-semibold uppercase tracking-wide text-slate-600";
    view! {
        <div class="overflow-x-auto rounded-xl border border-slate-200 bg-white shadow-sm">
            <div class="overflow-x-auto"><table class="min-w-full divide-y divide-slate-200 text-sm" data-testid="users">
                <thead class="bg-slate-50">
                    <tr>
                        <th class=th>{t!(i18n, users.col_email)}</th>
                        <th class=th>{t!(i18n, users.col_role)}</th>
                        <th class=th>{t!(i18n, users.col_last_login)}</th>
                        <th class=th>{t!(i18n, users.col_actions)}</th>
                    </tr>
                </thead>
                <tbody class="divide-y divide-slate-100">
                    {list
                        .into_iter()
                        .map(|u| {
                            let other_role = if u.role == "admin" { "viewer" } else { "admin" };
                            let last = match &u.last_login_at {
                                Some(_) => prefs.when(u.last_login_at.as_deref()),
                                None => t_string!(i18n, users.never).to_string(),
                            };
                            view! {
                                <tr data-testid="user-row">
                                    <td class="px-4 py-3 font-medium">
                                        {u.email.clone()}
                                        {(u.id == me).then(|| view! { <span class="ml-2 text-xs text-slate-600">"("{t!(i18n, users.you)}")"</span> })}
                                    </td>
                                    <td class="px-4 py-3"><Pill status=u.role.clone()/></td>
                                    <td class="whitespace-nowrap px-4 py-3 text-slate-700">{last}</td>
                                    <td class="px-4 py-3">
                                        <div class="flex flex-wrap gap-2">
                                            <ActionForm action=set_role>
                                                <input type="hidden" name="id" value=u.id/>
                                                <input type="hidden" name="role" value=other_role/>
                                                <button type="submit" class=SMALL_BUTTON>
                                                    {if other_role == "admin" {
                                                        t!(i18n, users.make_admin).into_any()
                                                    } else {
                                                        t!(i18n, users.make_viewer).into_any()
                                                    }}
                                                </button>
                                            </ActionForm>
                                            <ActionForm action=remove>
                                                <input type="hidden" name="id" value=u.id/>
                                                <button type="submit" class=SMALL_BUTTON data-testid="remove-user">
                                                    {t!(i18n, users.remove)}
                                                </button>
                                            </ActionForm>
                                        </div>
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table></div>
        </div>
    }
}
