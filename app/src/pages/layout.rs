//! The frame of every logged-in page: the navigation bar with the tenant's pages, who is
//! logged in, the language switch and logout; it also opens the live event stream. Below
//! 768 px the bar collapses into a `<details>` menu, which opens without JavaScript.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;

use crate::api::{Logout, me};
use crate::i18n::{Locale, t, t_string, use_i18n};
use crate::live::{Live, provide_live};
use crate::prefs::{locale_tag, use_prefs};
use crate::suspend_once::suspend;
use crate::types::SessionUser;
use crate::ui::Pill;

/// The logged-in person, loaded once by the layout and shared with the pages.
pub type UserResource = Resource<Result<SessionUser, ServerFnError>>;

/// Where the language switch posts (served by the server, outside the app's routes).
pub const LOCALE_PATH: &str = "/preferences/locale";

/// The logged-in layout.
#[component]
pub fn Layout() -> impl IntoView {
    let i18n = use_i18n();
    let live = provide_live();
    let user: UserResource = Resource::new(|| (), |_| me());
    provide_context(user);
    let logout = ServerAction::<Logout>::new();
    let location = use_location();
    let campaigns_here = move || {
        location
            .pathname
            .with(|p| p == "/" || p.starts_with("/campaigns/"))
    };
    let link = "block rounded-md px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-100 \
                hover:text-slate-900 aria-[current=page]:bg-emerald-50 \
                aria-[current=page]:text-emerald-800";
    view! {
        <header class="border-b border-slate-200 bg-white">
            <nav
                class="relative mx-auto flex max-w-7xl items-center gap-4 px-4 py-3 md:gap-6 md:px-6"
                aria-label=move || t_string!(i18n, layout.nav_label)
            >
                <a href="/" class="flex shrink-0 items-center gap-2 text-base font-semibold tracking-tight">
                    <span class="inline-block h-6 w-6 rounded-md bg-emerald-600"></span>
                    "Alrea Flow"
                </a>
                <details class="nav-menu ml-auto md:ml-0 md:flex-1" data-testid="nav-menu">
                    <summary
                        class="cursor-pointer list-none rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium text-slate-700 md:hidden"
                        data-testid="nav-menu-toggle"
                    >
                        {t!(i18n, layout.menu)}
                    </summary>
                    <div class="absolute inset-x-0 top-full z-20 flex flex-col gap-3 border-b border-slate-200 bg-white p-4 shadow-md md:static md:flex-row md:items-center md:gap-6 md:border-0 md:p-0 md:shadow-none">
                        <div class="flex flex-col gap-1 md:flex-row md:items-center">
                            <a href="/" class=link aria-current=move || campaigns_here().then_some("page")>
                                {t!(i18n, layout.campaigns)}
                            </a>
                            <A href="/insights" attr:class=link>{t!(i18n, layout.insights)}</A>
                            <A href="/instances" attr:class=link>{t!(i18n, layout.instances)}</A>
                            <A href="/contacts" attr:class=link>{t!(i18n, layout.contacts)}</A>
                            <A href="/lists" attr:class=link>{t!(i18n, layout.lists)}</A>
                            <A href="/opt-outs" attr:class=link>{t!(i18n, layout.opt_outs)}</A>
                            <A href="/settings" attr:class=link>{t!(i18n, nav.settings)}</A>
                            {view! {
                                <Suspense>
                                    {move || suspend(async move {
                                        user.await
                                            .ok()
                                            .filter(|u| u.role == "admin")
                                            .map(|_| {
                                                view! {
                                                    <A href="/users" attr:class=link>{t!(i18n, nav.users)}</A>
                                                    <A href="/tokens" attr:class=link>{t!(i18n, nav.tokens)}</A>
                                                }
                                            })
                                    })}
                                </Suspense>
                                <A href="/account" attr:class=link>{t!(i18n, nav.account)}</A>
                            }
                                .into_any()}
                        </div>
                        <div class="flex flex-wrap items-center gap-3 text-sm md:ml-auto">
                            <Account live user/>
                            <LanguageSwitch/>
                            <ActionForm action=logout>
                                <button
                                    type="submit"
                                    class="rounded-md border border-slate-300 px-3 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
                                    data-testid="logout"
                                >
                                    {t!(i18n, layout.logout)}
                                </button>
                            </ActionForm>
                        </div>
                    </div>
                </details>
            </nav>
        </header>
        <main class="mx-auto max-w-7xl px-4 py-6 md:px-6 md:py-8">
            <Outlet/>
        </main>
    }
}

/// Whether the live stream is up, and who is logged in (type-erased: the layout's view type
/// would otherwise be too deep for the compiler).
#[component]
fn Account(live: Live, user: UserResource) -> impl IntoView {
    let i18n = use_i18n();
    view! {
                <span
                    class="flex items-center gap-1.5 text-xs text-slate-700"
                    data-testid="live"
                    title=move || t_string!(i18n, layout.live_title)
                    aria-live="polite"
                >
                    {move || {
                        live.connected
                            .get()
                            .map(|up| {
                                let dot = if up {
                                    "h-2 w-2 rounded-full bg-emerald-500"
                                } else {
                                    "h-2 w-2 rounded-full bg-amber-400"
                                };
                                let label = if up {
                                    t_string!(i18n, layout.live)
                                } else {
                                    t_string!(i18n, layout.reconnecting)
                                };
                                view! {
                                    <span class=dot></span>
                                    {label}
                                }
                            })
                    }}
                </span>
                <Suspense>
                    {move || suspend(async move {
                        user.await
                            .ok()
                            .map(|u| {
                                view! {
                                    <span class="text-slate-700">{u.tenant_name}</span>
                                    <span class="break-all font-medium text-slate-800" data-testid="user-email">
                                        {u.email}
                                    </span>
                                    <Pill status=u.role/>
                                }
                            })
                    })}
                </Suspense>
    }
    .into_any()
}

/// The language switch: a plain form post (it works without JavaScript) that saves the
/// user's choice and comes back to the same page.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let current = use_prefs().locale;
    let location = use_location();
    let back = move || {
        let (path, search) = (location.pathname.get(), location.search.get());
        if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        }
    };
    let option = move |locale: Locale, label: &'static str| {
        view! {
            <option value=locale_tag(locale) selected=locale == current>
                {label}
            </option>
        }
    };
    view! {
        <form method="post" action=LOCALE_PATH class="flex items-center gap-1" data-testid="language-switch">
            <input type="hidden" name="back" value=back/>
            <label class="sr-only" for="locale-select">{t!(i18n, layout.language)}</label>
            <select
                id="locale-select"
                name="locale"
                class="rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm text-slate-800"
            >
                {option(Locale::pt_BR, "Português (Brasil)")}
                {option(Locale::en, "English")}
            </select>
            <button
                type="submit"
                class="rounded-md border border-slate-300 px-2 py-1.5 text-sm text-slate-700 hover:bg-slate-50"
                data-testid="language-submit"
            >
                {t!(i18n, layout.save_language)}
            </button>
        </form>
    }
    .into_any()
}
