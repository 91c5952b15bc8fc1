//! Evolution webhooks: `POST /api/webhooks/evolution[/{event-path}]` and the per-instance
//! `POST /api/webhooks/evolution/i/{secret}[/{event-path}]` (what `webhook_url` points at).
//! The handler authenticates, parses, and hands the event to the [`inbox::Inbox`], answering
//! only after the event is committed.

pub mod directory;
pub mod handler;
pub mod inbox;
pub mod jwt;
pub mod orphans;
pub mod reprocess;
pub mod retention;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::post;

use crate::state::AppState;

/// The webhook routes, with the body size limit.
pub fn routes(max_body_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/api/webhooks/evolution", post(handler::receive_plain))
        .route("/api/webhooks/evolution/", post(handler::receive_plain))
        .route("/api/webhooks/evolution/{*rest}", post(handler::receive))
        .layer(DefaultBodyLimit::max(max_body_bytes))
}
