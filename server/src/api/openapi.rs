//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 description of the API, kept beside the
//! handlers in `openapi.json` (a test checks every documented route exists).

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("openapi.json");

pub(super) async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT)
}
