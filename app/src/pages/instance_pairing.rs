//! Pairing an instance with a phone by QR code (admins): a "Conectar" link while it is not
//! `open`; the page opened with `?connect={id}` asks Evolution for the QR code and shows it
//! with the pairing code; `qrcode.updated` replaces it live, and `open` shows "Conectado".

use leptos::prelude::*;

use crate::api::connect_instance;
use crate::i18n::{t, t_string, use_i18n};
use crate::live::use_live;
use crate::suspend_once::suspend;
use crate::types::InstanceQr;
use crate::ui::error_text;

/// The pairing block of instance `id`. `pair`: ask Evolution for the QR code now.
#[component]
pub fn Pairing(
    /// The instance.
    id: i64,
    /// Its name for people (the QR's alt text).
    friendly_name: String,
    /// Whether it is connected.
    open: Signal<bool>,
    /// Whether to ask Evolution for the QR code now.
    pair: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let link = format!("/instances?connect={id}#instance-{id}");
    view! {
        <div class="mt-4" aria-live="polite" data-testid="pairing">
            {move || {
                if open.get() {
                    if pair {
                        view! { <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm font-semibold text-emerald-800" role="status" data-testid="paired">{t!(i18n, instances.connected)}</p> }.into_any()
                    } else {
                        ().into_any()
                    }
                } else if pair {
                    view! { <QrPanel id friendly_name=friendly_name.clone()/> }.into_any()
                } else {
                    // A full page load: the server asks Evolution while rendering, no JavaScript needed.
                    view! {
                        <a
                            href=link.clone()
                            rel="external"
                            class="inline-block rounded-md bg-emerald-700 px-3 py-1.5 text-xs font-semibold text-white shadow-sm hover:bg-emerald-800"
                            data-testid="connect-instance"
                        >
                            {t!(i18n, instances.connect)}
                        </a>
                    }
                        .into_any()
                }
            }}
        </div>
    }
}

/// The QR code Evolution answered, replaced by newer ones from the live stream.
#[component]
fn QrPanel(
    /// The instance.
    id: i64,
    /// Its name for people.
    friendly_name: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let live = use_live();
    let first = Resource::new(move || id, connect_instance);
    let alt = t_string!(i18n, instances.qr_alt, name = friendly_name).to_string();
    view! {
        <Suspense fallback=move || view! { <p class="text-sm text-slate-600">{t!(i18n, instances.asking_qr)}</p> }>
            {move || {
                let alt = alt.clone();
                suspend(async move {
                    match first.await {
                        Err(e) => view! { <p class="text-sm text-rose-700" role="alert">{error_text(&e)}</p> }.into_any(),
                        Ok(initial) if initial.connected => {
                            view! { <p class="rounded-md bg-emerald-50 px-3 py-2 text-sm font-semibold text-emerald-800" role="status" data-testid="paired">{t!(i18n, instances.connected)}</p> }.into_any()
                        }
                        Ok(initial) => {
                            let qr: Memo<InstanceQr> = Memo::new(move |_| {
                                live.qr_codes.with(|m| m.get(&id).cloned()).unwrap_or_else(|| initial.clone())
                            });
                            view! {
                                <div class="rounded-lg border border-slate-200 p-4">
                                    <p class="text-sm text-slate-800">{t!(i18n, instances.scan_hint)}</p>
                                    <img
                                        class="mx-auto mt-3 h-56 w-56"
                                        src=move || qr.with(|q| q.base64.clone())
                                        alt=alt.clone()
                                        width="224"
                                        height="224"
                                        data-testid="qr-image"
                                    />
                                    {move || qr.with(|q| q.pairing_code.clone()).map(|code| view! {
                                        <p class="mt-3 text-center text-sm text-slate-800">
                                            {t!(i18n, instances.pairing_code)}
                                            " "
                                            <strong class="font-mono tracking-widest" data-testid="pairing-code">{code}</strong>
                                        </p>
                                    })}
                                    <p class="mt-2 text-center text-xs text-slate-600">{t!(i18n, instances.qr_refreshes)}</p>
                                </div>
                            }
                                .into_any()
                        }
                    }
                })
            }}
        </Suspense>
    }
}
