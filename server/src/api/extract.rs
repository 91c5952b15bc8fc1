//! Extractors whose rejections speak our JSON error format.

use axum::extract::{FromRequest, FromRequestParts};

use crate::error::ApiError;

/// `axum::Json` with [`ApiError`] rejections (400 malformed, 422 wrong fields, 415 not JSON).
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct Json<T>(pub T);

/// `axum::extract::Query` with [`ApiError`] rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

/// `axum::extract::Path` with [`ApiError`] rejections.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// Ids written `1,2, 3` in query parameter `field` → `[1, 2, 3]` (blanks between commas are
/// skipped); anything else is refused naming the field.
pub fn ids(text: &str, field: &str) -> Result<Vec<i64>, crate::service::ServiceError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse().map_err(|_| {
                crate::service::ServiceError::from(crate::service::Problem::IdList {
                    field: field.to_string(),
                })
            })
        })
        .collect()
}

/// The language the caller reads, from `Accept-Language` (none when it names none Flow has).
pub fn reader_locale(headers: &axum::http::HeaderMap) -> Option<app::i18n::Locale> {
    headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(app::prefs::from_accept_language)
}
