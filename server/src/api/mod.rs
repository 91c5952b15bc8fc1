//! The JSON API under `/api/v1`: thin handlers that authenticate, call a service and map its
//! error once (see [`crate::error::ApiError`]).
//!
//! Each handler carries its `#[utoipa::path]` (method, path, parameters, bodies, answers) and
//! the router is built from those attributes, so every route is in the OpenAPI document
//! ([`openapi`]) and every documented `/api/v1` operation is routed.

mod campaigns;
mod contacts;
pub(crate) mod extract;
mod follow_ups;
mod insights;
mod instances;
pub mod links;
mod lists;
pub mod media;
mod openapi;
mod settings;
mod tenants;
mod tokens;
mod users;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

use crate::live::sse;
use crate::service::imports::MAX_IMPORT_FILE_BYTES;
use crate::state::AppState;

/// The largest contact import body (CSV or JSON).
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The `/api/v1` routes with their OpenAPI operations, one `routes!` per path.
fn documented() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tenants::create))
        .routes(routes!(instances::create, instances::list))
        .routes(routes!(
            instances::show,
            instances::update,
            instances::remove
        ))
        .routes(routes!(instances::connect))
        .routes(routes!(instances::stats))
        .routes(routes!(instances::refresh))
        .routes(routes!(instances::webhook))
        .routes(routes!(instances::rotate_webhook))
        .routes(
            routes!(contacts::import, contacts::list)
                .layer(DefaultBodyLimit::max(MAX_IMPORT_BYTES)),
        )
        .routes(routes!(contacts::start_import).layer(DefaultBodyLimit::max(MAX_IMPORT_FILE_BYTES)))
        .routes(routes!(contacts::import_job))
        .routes(routes!(contacts::import_errors))
        .routes(routes!(contacts::export))
        .routes(routes!(contacts::show, contacts::correct, contacts::erase))
        .routes(routes!(contacts::data_export))
        .routes(routes!(contacts::opt_out))
        .routes(routes!(contacts::opt_in))
        .routes(routes!(lists::list, lists::create))
        .routes(routes!(lists::show, lists::rename, lists::remove))
        .routes(routes!(lists::contacts, lists::add, lists::take_off))
        .routes(routes!(lists::audience))
        .routes(routes!(campaigns::create, campaigns::list))
        .routes(routes!(campaigns::preview))
        .routes(routes!(insights::compare))
        .routes(routes!(campaigns::show))
        .routes(routes!(campaigns::contacts))
        .routes(routes!(campaigns::logs))
        .routes(routes!(campaigns::replies))
        .routes(routes!(campaigns::start))
        .routes(routes!(campaigns::pause))
        .routes(routes!(campaigns::resume))
        .routes(routes!(campaigns::cancel))
        .routes(routes!(campaigns::schedule))
        .routes(routes!(campaigns::unschedule))
        .routes(routes!(campaigns::duplicate))
        .routes(routes!(campaigns::test_send))
        .routes(routes!(campaigns::poll_results))
        .routes(routes!(follow_ups::create))
        .routes(routes!(follow_ups::report))
        .routes(routes!(insights::best_hours))
        .routes(routes!(media::upload).layer(DefaultBodyLimit::max(media::MAX_UPLOAD_BYTES)))
        .routes(routes!(media::show))
        .routes(routes!(media::content))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::update, users::remove))
        .routes(routes!(users::change_password))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(settings::show, settings::replace))
        .routes(routes!(settings::opt_out_test))
        .routes(routes!(sse::stream))
        .routes(routes!(openapi::document))
}

/// The `/api/v1` routes.
pub fn routes() -> Router<AppState> {
    let (router, _) = documented().split_for_parts();
    router.fallback(|| async { crate::error::ApiError::NotFound("endpoint") })
}
