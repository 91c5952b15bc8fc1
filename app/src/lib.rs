//! Alrea Flow's browser-facing crate: the wire types shared by server and UI (`types`), and the
//! Leptos dashboard, rendered on the server (`ssr`) and hydrated in the browser (`hydrate`).

pub mod api;
#[cfg(feature = "ssr")]
pub mod backend;
pub mod live;
pub mod pages;
pub mod template;
pub mod types;
pub mod ui;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{ParentRoute, Route, Router, Routes},
};

use crate::pages::{
    campaign::CampaignPage, campaigns::CampaignsPage, instances::InstancesPage, layout::Layout,
    login::LoginPage, new_campaign::NewCampaignPage, opt_outs::OptOutsPage, setup::SetupPage,
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// The root component: stylesheet, title and routes. Every page waits for its data on the
/// server (`SsrMode::Async`), so it reads fine without JavaScript and can redirect to login.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/flow.css"/>
        <Title text="Alrea Flow"/>
        <Router>
            <Routes fallback=|| view! { <p class="p-8 text-slate-600">"Page not found."</p> }>
                <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                <Route path=StaticSegment("setup") view=SetupPage ssr=SsrMode::Async/>
                <ParentRoute path=StaticSegment("") view=Layout ssr=SsrMode::Async>
                    <Route path=StaticSegment("") view=CampaignsPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("campaigns"), StaticSegment("new"))
                        view=NewCampaignPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("campaigns"), ParamSegment("id"))
                        view=CampaignPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("instances") view=InstancesPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("opt-outs") view=OptOutsPage ssr=SsrMode::Async/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// Entry point of the browser bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
