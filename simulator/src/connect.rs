//! Pairing an instance by QR code, as Evolution does it: `GET /` tells the server version,
//! `GET /instance/connect/{instance}` answers the QR (`{pairingCode, code, base64, count}`,
//! the same in v2 and v1) while the instance is not `open`, and `qrcode.updated` webhooks
//! bring a new QR every few seconds until `POST /sim/instances/{name}/connect` pairs it.

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::messages::refusal;
use crate::qr::{self, Qr};
use crate::state::Sim;
use crate::webhooks;

/// How many QR codes Evolution shows before it gives up (`refused`); the simulator stops
/// refreshing there.
const QR_LIMIT: u32 = 5;

/// `GET /`: Evolution's welcome, with its version (no api key needed).
pub async fn welcome(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({
        "status": 200,
        "message": "Welcome to the Evolution API, it is working!",
        "version": sim.config.version,
        "documentation": "https://doc.evolution-api.com",
    }))
}

/// `GET /instance/connect/{instance}`: `{instance: {instanceName, state: "open"}}` when
/// connected, else the current QR (a new one starts the pairing).
pub async fn connect(State(sim): State<Arc<Sim>>, Path(instance): Path<String>) -> Response {
    if let Some(refused) = refusal(&sim, &instance) {
        return refused;
    }
    let (state, count) = sim.with_instance(&instance, |i| {
        if i.state != "open" && i.state != "connecting" {
            i.state = "connecting";
            i.qr_count = 0;
        }
        if i.state == "connecting" {
            i.qr_count += 1;
        }
        (i.state, i.qr_count)
    });
    if state == "open" {
        return Json(json!({"instance": {"instanceName": instance, "state": "open"}}))
            .into_response();
    }
    let qr = new_qr(&sim, &instance, count);
    if count == 1 {
        webhooks::deliver_later(
            &sim,
            &instance,
            webhooks::connection(&instance, "connecting", 200),
            Duration::ZERO,
        );
        refresh_later(sim.clone(), instance.clone());
    }
    Json(json!({
        "pairingCode": qr.pairing_code,
        "code": qr.code,
        "base64": qr.base64,
        "count": count,
    }))
    .into_response()
}

/// The QR number `count` of `instance`, also posted as `qrcode.updated`.
fn new_qr(sim: &Arc<Sim>, instance: &str, count: u32) -> Qr {
    let qr = qr::generate(&mut sim.rng_for(&format!("qr:{instance}:{count}")));
    webhooks::deliver_later(
        sim,
        instance,
        webhooks::qrcode(instance, &qr),
        Duration::ZERO,
    );
    qr
}

/// Posts a new QR every `5 × pace` while the instance is still waiting to be paired.
fn refresh_later(sim: Arc<Sim>, instance: String) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_millis(sim.config.pace_ms * 5)).await;
            let count = sim.with_instance(&instance, |i| {
                (i.state == "connecting" && i.qr_count < QR_LIMIT).then(|| {
                    i.qr_count += 1;
                    i.qr_count
                })
            });
            let Some(count) = count else { break };
            new_qr(&sim, &instance, count);
        }
    });
}
