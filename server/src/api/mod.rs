//! The JSON API under `/api/v1`: thin handlers that authenticate, call a service and map its
//! error once (see [`crate::error::ApiError`]).

mod campaigns;
mod contacts;
pub(crate) mod extract;
mod instances;
mod openapi;
mod settings;
mod tenants;
mod tokens;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post};

use crate::state::AppState;

/// The largest contact import body (CSV or JSON).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/tenants", post(tenants::create))
        .route("/instances", post(instances::create).get(instances::list))
        .route(
            "/instances/{id}",
            get(instances::show)
                .patch(instances::update)
                .delete(instances::remove),
        )
        .route("/instances/{id}/connect", post(instances::connect))
        .route("/instances/{id}/stats", get(instances::stats))
        .route(
            "/instances/{id}/{action}",
            post(instances::evolution_action),
        )
        .route(
            "/contacts",
            post(contacts::import)
                .get(contacts::list)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .route("/contacts/{id}", get(contacts::show))
        .route("/campaigns", post(campaigns::create).get(campaigns::list))
        .route("/campaigns/preview", post(campaigns::preview))
        .route("/campaigns/{id}", get(campaigns::show))
        .route("/campaigns/{id}/contacts", get(campaigns::contacts))
        .route("/campaigns/{id}/logs", get(campaigns::logs))
        .route("/campaigns/{id}/schedule", post(campaigns::schedule))
        .route("/campaigns/{id}/duplicate", post(campaigns::duplicate))
        .route("/campaigns/{id}/{action}", post(campaigns::transition))
        .route("/users", get(users::list).post(users::create))
        .route("/users/{id}", patch(users::update).delete(users::remove))
        .route("/me/password", post(users::change_password))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{id}", axum::routing::delete(tokens::revoke))
        .route("/settings", get(settings::show).put(settings::replace))
        .route("/settings/opt-out-test", post(settings::opt_out_test))
        .route("/events", get(crate::live::sse::stream))
        .route("/openapi.json", get(openapi::document))
        .fallback(|| async { crate::error::ApiError::NotFound("endpoint") })
}
