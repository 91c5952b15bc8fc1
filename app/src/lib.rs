//! Alrea Flow's browser-facing crate: the wire types shared by server and UI (`types`), and the
//! Leptos application, rendered on the server (`ssr`) and hydrated in the browser (`hydrate`).

pub mod types;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    StaticSegment,
    components::{Route, Router, Routes},
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
                <MetaTags/>
            </head>
            <body class="bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// The root component: stylesheet, title and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/flow.css"/>
        <Title text="Alrea Flow"/>
        <Router>
            <main class="mx-auto max-w-5xl p-8">
                <Routes fallback=|| view! { <p class="text-slate-600">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=HomePage/>
                </Routes>
            </main>
        </Router>
    }
}

/// The landing page until the dashboard lands: says what Flow is and proves hydration.
#[component]
fn HomePage() -> impl IntoView {
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <h1 class="text-3xl font-semibold tracking-tight">"Alrea Flow"</h1>
        <p class="mt-2 text-slate-600">
            "WhatsApp campaign tracking for Evolution API instances."
        </p>
        <p class="mt-6 text-sm text-slate-500" data-testid="hydration">
            {move || if hydrated.get() { "Live" } else { "Server-rendered" }}
        </p>
    }
}

/// Entry point of the browser bundle: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
