//! A simulated Evolution API, faithful to the shapes in shared/evolution/ and
//! docs/notes/evolution-media-polls.md: it accepts `POST /message/sendText/{instance}` (v2
//! `{number, text}` or v1 `{number, options, textMessage}` bodies, per instance),
//! `sendMedia`, `sendWhatsAppAudio` (downloading the file by URL like Evolution, failing the
//! send as Evolution does when the URL fails) and `sendPoll`, `GET /instance/connectionState/{instance}`,
//! `GET /instance/connect/{instance}` (a real QR PNG and a pairing code while not connected),
//! `POST /webhook/set/{instance}` and `GET /` (the version: `SIM_VERSION`, 1.x speaks v1), and
//! posts realistic webhooks back to the configured URL:
//! `send.message`, `SERVER_ACK`, `DELIVERY_ACK`, `READ`, some `ERROR`, replies (plain, quoted,
//! button) and opt-outs in various spellings, duplicates and out-of-order receipts,
//! `contacts.upsert` with push names, `presence.update` when contacts read, revokes
//! (`messages.delete`) of a few messages and replies, reads that follow each contact's daily
//! rhythm ([`rhythm`]), `PLAYED` for voice notes, poll votes (some changed later) in each
//! version's shape, link previews fetched by Evolution's server, crawlers and people clicking
//! (and buying) from their phones ([`links`]), and `connection.update` and `qrcode.updated` on
//! demand.
//!
//! Every decision about a message is drawn from a generator seeded with the simulator seed and
//! the phone number, so a run can be repeated. `GET /sim/truth` tells what it decided (the
//! ground truth tests compare Flow against); `POST /sim/instances/{name}/disconnect|connect`
//! drops and restores an instance.

mod connect;
mod links;
mod messages;
mod qr;
pub mod rhythm;
mod sends;
mod state;
mod webhooks;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

pub use links::{CRAWLER_AGENT, EVOLUTION_AGENT, PHONE_ADDRESS, PHONE_AGENT};
pub use state::{OFF_HOURS_FACTOR, SentMessage, Shop, SimConfig, Truth};
pub use webhooks::{instance_number, push_name};

/// Serves the simulator on `listener` until the process ends.
pub async fn serve(config: SimConfig, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router(config)).await
}

/// Binds `addr` and serves the simulator in the background; returns the bound address.
pub async fn spawn(config: SimConfig, addr: SocketAddr) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = serve(config, listener).await {
            tracing::error!(error = %e, "simulator stopped");
        }
    });
    Ok(bound)
}

/// The simulator's routes.
pub fn router(config: SimConfig) -> Router {
    let sim = Arc::new(state::Sim::new(config));
    // Evolution's auth guard covers its API routes, not the simulator's own controls.
    let evolution_api = Router::new()
        .route("/message/{route}/{instance}", post(messages::send_message))
        .route(
            "/instance/connectionState/{instance}",
            get(messages::connection_state),
        )
        .route("/webhook/set/{instance}", post(messages::set_webhook))
        .route(
            "/chat/findStatusMessage/{instance}",
            post(messages::find_status_message),
        )
        .route("/instance/connect/{instance}", get(connect::connect))
        .route_layer(axum::middleware::from_fn_with_state(
            sim.clone(),
            messages::require_api_key,
        ));
    Router::new()
        .merge(evolution_api)
        .route("/", get(connect::welcome))
        .route("/sim/truth", get(messages::truth))
        .route(
            "/sim/instances/{instance}/{action}",
            post(messages::control),
        )
        .with_state(sim)
}
