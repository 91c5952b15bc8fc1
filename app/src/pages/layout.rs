//! The frame of every logged-in page: the navigation bar with the tenant's pages, who is
//! logged in, and logout; it also opens the live event stream.

use leptos::prelude::*;
use leptos_router::components::{A, Outlet};
use leptos_router::hooks::use_location;

use crate::api::{Logout, me};
use crate::live::provide_live;
use crate::types::SessionUser;
use crate::ui::Pill;

/// The logged-in person, loaded once by the layout and shared with the pages.
pub type UserResource = Resource<Result<SessionUser, ServerFnError>>;

/// The logged-in layout.
#[component]
pub fn Layout() -> impl IntoView {
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
    let link = "rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:bg-slate-100 \
                hover:text-slate-900 aria-[current=page]:bg-emerald-50 \
                aria-[current=page]:text-emerald-700";
    view! {
        <header class="border-b border-slate-200 bg-white">
            <nav class="mx-auto flex max-w-7xl items-center gap-6 px-6 py-3">
                <a href="/" class="flex items-center gap-2 text-base font-semibold tracking-tight">
                    <span class="inline-block h-6 w-6 rounded-md bg-emerald-600"></span>
                    "Alrea Flow"
                </a>
                <div class="flex items-center gap-1">
                    <a
                        href="/"
                        class=link
                        aria-current=move || campaigns_here().then_some("page")
                    >
                        "Campaigns"
                    </a>
                    <A href="/instances" attr:class=link>"Instances"</A>
                    <A href="/opt-outs" attr:class=link>"Opt-outs"</A>
                </div>
                <div class="ml-auto flex items-center gap-3 text-sm">
                    <span
                        class="flex items-center gap-1.5 text-xs text-slate-500"
                        data-testid="live"
                        title="Live updates"
                    >
                        {move || {
                            live.connected
                                .get()
                                .map(|up| {
                                    let (dot, label) = if up {
                                        ("h-2 w-2 rounded-full bg-emerald-500", "Live")
                                    } else {
                                        ("h-2 w-2 rounded-full bg-amber-400", "Reconnecting…")
                                    };
                                    view! {
                                        <span class=dot></span>
                                        {label}
                                    }
                                })
                        }}
                    </span>
                    <Suspense>
                        {move || Suspend::new(async move {
                            user.await
                                .ok()
                                .map(|u| {
                                    view! {
                                        <span class="text-slate-500">{u.tenant_name}</span>
                                        <span class="font-medium text-slate-700" data-testid="user-email">
                                            {u.email}
                                        </span>
                                        <Pill status=u.role/>
                                    }
                                })
                        })}
                    </Suspense>
                    <ActionForm action=logout>
                        <button
                            type="submit"
                            class="rounded-md border border-slate-200 px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-50"
                            data-testid="logout"
                        >
                            "Log out"
                        </button>
                    </ActionForm>
                </div>
            </nav>
        </header>
        <main class="mx-auto max-w-7xl px-6 py-8">
            <Outlet/>
        </main>
    }
}
