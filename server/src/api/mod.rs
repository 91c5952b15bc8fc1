//! The JSON API under `/api/v1`: thin handlers that authenticate, call a service and map its
//! error once (see [`crate::error::ApiError`]).

mod campaigns;
mod contacts;
pub(crate) mod extract;
mod instances;
mod lists;
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
        .route(
            "/contacts/import",
            post(contacts::start_import).layer(DefaultBodyLimit::max(
                crate::service::imports::MAX_IMPORT_FILE_BYTES,
            )),
        )
        .route("/contacts/imports/{id}", get(contacts::import_job))
        .route(
            "/contacts/imports/{id}/errors.csv",
            get(contacts::import_errors),
        )
        .route("/contacts/export", get(contacts::export))
        .route(
            "/contacts/{id}",
            get(contacts::show).delete(contacts::erase),
        )
        .route("/contacts/{id}/opt-out", post(contacts::opt_out))
        .route("/contacts/{id}/opt-in", post(contacts::opt_in))
        .route("/lists", get(lists::list).post(lists::create))
        .route(
            "/lists/{id}",
            get(lists::show).patch(lists::rename).delete(lists::remove),
        )
        .route(
            "/lists/{id}/contacts",
            get(lists::contacts)
                .post(lists::add)
                .delete(lists::take_off),
        )
        .route("/audience", get(lists::audience))
        .route("/campaigns", post(campaigns::create).get(campaigns::list))
        .route("/campaigns/preview", post(campaigns::preview))
        .route("/campaigns/{id}", get(campaigns::show))
        .route("/campaigns/{id}/contacts", get(campaigns::contacts))
        .route("/campaigns/{id}/logs", get(campaigns::logs))
        .route("/campaigns/{id}/replies", get(campaigns::replies))
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
