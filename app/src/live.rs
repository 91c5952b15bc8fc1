//! Live updates: after hydration the layout opens an `EventSource` on `/api/v1/events` (the
//! session cookie authenticates it; the browser reconnects by itself) and keeps the latest
//! campaign views and new log lines in signals the pages read.

use std::collections::HashMap;

use leptos::prelude::*;
#[cfg(any(feature = "hydrate", test))]
use serde::Deserialize;

use crate::types::{CampaignLogView, CampaignView, InstanceQr, InstanceView};

/// The latest data received over the event stream.
#[derive(Clone, Copy)]
pub struct Live {
    /// The newest view of each campaign that changed since the page loaded.
    pub campaigns: RwSignal<HashMap<i64, CampaignView>>,
    /// The newest view of each instance that changed since the page loaded.
    pub instances: RwSignal<HashMap<i64, InstanceView>>,
    /// Log lines written since the page loaded, oldest first, with their campaign.
    pub logs: RwSignal<Vec<(i64, CampaignLogView)>>,
    /// The newest QR code of each instance waiting to be paired (admins' streams only).
    pub qr_codes: RwSignal<HashMap<i64, InstanceQr>>,
    /// Whether the stream is connected; `None` until the browser has tried (and without
    /// JavaScript).
    pub connected: RwSignal<Option<bool>>,
}

impl Live {
    /// The newest known view of `initial`'s campaign.
    pub fn campaign(&self, initial: &CampaignView) -> CampaignView {
        self.campaigns
            .with(|m| m.get(&initial.id).cloned())
            .unwrap_or_else(|| initial.clone())
    }

    /// The newest known view of `initial`'s instance.
    pub fn instance(&self, initial: &InstanceView) -> InstanceView {
        self.instances
            .with(|m| m.get(&initial.id).cloned())
            .unwrap_or_else(|| initial.clone())
    }
}

/// `{"type": …, "data": …}` as the stream sends it.
#[cfg(any(feature = "hydrate", test))]
#[derive(Deserialize)]
struct Envelope<T> {
    data: T,
}

/// The data of a `log` event.
#[cfg(any(feature = "hydrate", test))]
#[derive(Deserialize)]
struct LogData {
    campaign_id: i64,
    line: CampaignLogView,
}

/// Creates the live signals, provides them to the pages below, and (in the browser) connects.
pub fn provide_live() -> Live {
    let live = Live {
        campaigns: RwSignal::new(HashMap::new()),
        instances: RwSignal::new(HashMap::new()),
        logs: RwSignal::new(Vec::new()),
        qr_codes: RwSignal::new(HashMap::new()),
        connected: RwSignal::new(None),
    };
    provide_context(live);
    Effect::new(move |_| connect(live));
    live
}

/// The live signals of the current layout.
pub fn use_live() -> Live {
    expect_context::<Live>()
}

/// Applies one event's JSON to the signals.
#[cfg(any(feature = "hydrate", test))]
fn apply(live: Live, event: &str, json: &str) {
    match event {
        "campaign" => {
            if let Ok(e) = serde_json::from_str::<Envelope<CampaignView>>(json) {
                live.campaigns.update(|m| {
                    m.insert(e.data.id, e.data);
                });
            }
        }
        "instance" => {
            if let Ok(e) = serde_json::from_str::<Envelope<InstanceView>>(json) {
                live.instances.update(|m| {
                    m.insert(e.data.id, e.data);
                });
            }
        }
        "qrcode" => {
            if let Ok(e) = serde_json::from_str::<Envelope<InstanceQr>>(json) {
                live.qr_codes.update(|m| {
                    m.insert(e.data.instance_id, e.data);
                });
            }
        }
        "log" => {
            if let Ok(e) = serde_json::from_str::<Envelope<LogData>>(json) {
                live.logs
                    .update(|l| l.push((e.data.campaign_id, e.data.line)));
            }
        }
        _ => {}
    }
}

#[cfg(feature = "hydrate")]
fn connect(live: Live) {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::closure::Closure;
    use web_sys::{EventSource, MessageEvent};

    let Ok(source) = EventSource::new("/api/v1/events") else {
        return;
    };
    for name in ["campaign", "instance", "qrcode", "log"] {
        let on_event = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(json) = e.data().as_string() {
                apply(live, name, &json);
            }
        });
        let _ = source.add_event_listener_with_callback(name, on_event.as_ref().unchecked_ref());
        on_event.forget();
    }
    let on_open = Closure::<dyn FnMut()>::new(move || live.connected.set(Some(true)));
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    on_open.forget();
    let on_error = Closure::<dyn FnMut()>::new(move || live.connected.set(Some(false)));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    on_error.forget();
    // A `resync` means updates were missed: the page's own data is stale, so reload it.
    let on_resync = Closure::<dyn FnMut()>::new(move || {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    });
    let _ = source.add_event_listener_with_callback("resync", on_resync.as_ref().unchecked_ref());
    on_resync.forget();
    let source = send_wrapper::SendWrapper::new(source);
    on_cleanup(move || source.close());
}

#[cfg(not(feature = "hydrate"))]
fn connect(_live: Live) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn campaign_and_log_events_update_the_signals() {
        let owner = Owner::new();
        owner.set();
        let live = Live {
            campaigns: RwSignal::new(HashMap::new()),
            instances: RwSignal::new(HashMap::new()),
            logs: RwSignal::new(Vec::new()),
            qr_codes: RwSignal::new(HashMap::new()),
            connected: RwSignal::new(None),
        };
        apply(
            live,
            "qrcode",
            r#"{"type":"qr_code","data":{"instance_id":3,"base64":"data:image/png;base64,AA==","pairing_code":"ABCD1234","code":"2@x","connected":false}}"#,
        );
        assert_eq!(
            live.qr_codes.get_untracked()[&3].pairing_code.as_deref(),
            Some("ABCD1234")
        );
        apply(
            live,
            "log",
            r#"{"type":"log","data":{"campaign_id":7,"line":{"id":1,"log_type":"x","severity":"critical","message":"m","details":null,"created_at":"t"}}}"#,
        );
        assert_eq!(live.logs.get_untracked()[0].0, 7);
        apply(live, "campaign", "not json");
        assert!(live.campaigns.get_untracked().is_empty());
    }
}
