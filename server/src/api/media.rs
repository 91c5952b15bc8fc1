//! `/api/v1/media`: upload a file for campaigns (admins), see it, and read its bytes; and the
//! public `/media/{token}` Evolution downloads it from (streamed from the database, with range
//! requests; a wrong token is 404).

use app::messages::MediaView;
use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::{
    ACCEPT, ACCEPT_RANGES, CACHE_CONTROL, CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, RANGE,
};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use utoipa::ToSchema;

use crate::api::extract::Path;
use crate::auth::TenantCaller;
use crate::error::{AdminErrors, ApiError, ReadErrors};
use crate::service::ServiceError;
use crate::service::media::{self, CHUNK_BYTES, Served, Spooler};
use crate::state::AppState;

/// The largest upload (a 100 MB document and its form).
pub const MAX_UPLOAD_BYTES: usize = 101 * 1024 * 1024;

/// The upload form of `POST /api/v1/media` (its schema only: the upload is streamed).
#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "documents the multipart form; the handler streams the field"
)]
pub struct MediaForm {
    /// The file: JPEG/PNG/WebP (≤ 5 MB), MP4 (≤ 16 MB), OGG/MP3/M4A (≤ 16 MB), PDF or office
    /// (≤ 100 MB). Its type is read from its content.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A refusal in the language the caller reads (`Accept-Language`), English by default.
fn localized(err: ServiceError, headers: &HeaderMap) -> ApiError {
    match (err, crate::api::extract::reader_locale(headers)) {
        (ServiceError::Refused(problem), Some(locale)) => {
            ApiError::Validation(problem.text(locale))
        }
        (err, _) => err.into(),
    }
}

/// Upload a photo, video, voice note or document for campaigns
#[utoipa::path(
    post,
    path = "/media",
    operation_id = "upload_media",
    tag = "media",
    request_body(content((MediaForm = "multipart/form-data"))),
    responses(
        (status = 201, description = "Stored (or 200: the same file was already stored)", body = MediaView),
        (status = 200, description = "The same file, stored before", body = MediaView),
        (status = 413, response = crate::error::ErrorBody),
        AdminErrors,
    )
)]
pub(super) async fn upload(
    caller: TenantCaller,
    State(state): State<AppState>,
    request: Request,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let headers = request.headers().clone();
    let from_page = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let result = receive(&state, caller.tenant_id, request).await;
    match (result, from_page) {
        (Ok((view, _)), true) => {
            Ok(Redirect::to(&format!("/campaigns/new?media_id={}", view.id)).into_response())
        }
        (Ok((view, new)), false) => {
            let status = if new {
                StatusCode::CREATED
            } else {
                StatusCode::OK
            };
            Ok((status, axum::Json(view)).into_response())
        }
        (Err(UploadError::Service(e)), true) => {
            let text = localized(e, &headers).to_string();
            let query: String = url_escape(&text);
            Ok(Redirect::to(&format!("/campaigns/new?media_problem={query}")).into_response())
        }
        (Err(UploadError::Service(e)), false) => Err(localized(e, &headers)),
        (Err(UploadError::Api(e)), _) => Err(e),
    }
}

/// Percent-encodes `text` for a query value.
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

enum UploadError {
    Service(ServiceError),
    Api(ApiError),
}

impl From<ServiceError> for UploadError {
    fn from(e: ServiceError) -> Self {
        Self::Service(e)
    }
}

/// Reads the form's `file` field into a spool and stores it.
async fn receive(
    state: &AppState,
    tenant_id: i64,
    request: Request,
) -> Result<(MediaView, bool), UploadError> {
    let bad = |e: axum::extract::multipart::MultipartError| {
        UploadError::Api(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::PayloadTooLarge(MAX_UPLOAD_BYTES)
        } else {
            ApiError::BadRequest(e.body_text())
        })
    };
    let mut form = Multipart::from_request(request, state)
        .await
        .map_err(|e| UploadError::Api(ApiError::BadRequest(e.body_text())))?;
    while let Some(mut field) = form.next_field().await.map_err(bad)? {
        if field.name() != Some("file") {
            continue;
        }
        let file_name = field.file_name().unwrap_or("arquivo").to_string();
        let mut spool = Spooler::new().await?;
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            spool.push(&chunk).await?;
        }
        let spooled = spool.finish().await?;
        return Ok(media::store(&state.db, tenant_id, &file_name, spooled).await?);
    }
    Err(UploadError::Api(ApiError::Validation(
        "the form needs a file field".into(),
    )))
}

/// An uploaded file
#[utoipa::path(
    get,
    path = "/media/{id}",
    operation_id = "show_media",
    tag = "media",
    params(("id" = i64, Path, description = "Media id")),
    responses((status = 200, description = "The file's facts", body = MediaView), ReadErrors)
)]
pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<MediaView>, ApiError> {
    Ok(axum::Json(
        media::find(&state.db.read, caller.tenant_id, id).await?,
    ))
}

/// The bytes of an uploaded file (for previews), with range requests
#[utoipa::path(
    get,
    path = "/media/{id}/content",
    operation_id = "media_content",
    tag = "media",
    params(("id" = i64, Path, description = "Media id")),
    responses(
        (status = 200, description = "The file, with its own type", content_type = "*/*", body = String),
        (status = 206, description = "Part of the file", content_type = "*/*", body = String),
        (status = 416, response = crate::error::ErrorBody),
        ReadErrors,
    )
)]
pub(super) async fn content(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let view = media::find(&state.db.read, caller.tenant_id, id).await?;
    let served = Served {
        id: view.id,
        mimetype: view.mimetype,
        size: view.size,
        file_name: view.file_name,
    };
    Ok(stream(&state, served, &headers))
}

/// The public route Evolution downloads media from.
pub fn public_routes() -> Router<AppState> {
    Router::new().route("/media/{token}", get(public))
}

async fn public(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let served = media::by_token(&state.db.read, &token)
        .await?
        .ok_or(ApiError::NotFound("media"))?;
    Ok(stream(&state, served, &headers))
}

/// Which bytes a `Range` header asks for (one range; `bytes=a-b`, `bytes=a-`, `bytes=-n`), as
/// an inclusive pair; `Some(None)` when it cannot be satisfied; `None` for the whole file.
fn range(headers: &HeaderMap, size: u64) -> Option<Option<(u64, u64)>> {
    let spec = headers.get(RANGE)?.to_str().ok()?.strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (start, end) = spec.split_once('-')?;
    let (start, end) = match (start.trim(), end.trim()) {
        ("", n) => {
            let n: u64 = n.parse().ok()?;
            (size.saturating_sub(n), size.checked_sub(1)?)
        }
        (a, "") => (a.parse().ok()?, size.checked_sub(1)?),
        (a, b) => (
            a.parse().ok()?,
            b.parse::<u64>().ok()?.min(size.saturating_sub(1)),
        ),
    };
    Some((start <= end && end < size).then_some((start, end)))
}

/// Streams `served` (or the part `headers` asks for) chunk by chunk from the database: at most
/// one chunk in memory per response.
fn stream(state: &AppState, served: Served, headers: &HeaderMap) -> Response {
    let size = served.size.max(0) as u64;
    let (status, first, last) = match range(headers, size) {
        None => (StatusCode::OK, 0, size.saturating_sub(1)),
        Some(Some((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
        Some(None) => {
            let body = crate::error::ErrorBody {
                error: "range_not_satisfiable",
                message: format!("the file has {size} bytes"),
            };
            return (
                StatusCode::RANGE_NOT_SATISFIABLE,
                [(CONTENT_RANGE, format!("bytes */{size}"))],
                axum::Json(body),
            )
                .into_response();
        }
    };
    let length = if size == 0 { 0 } else { last - first + 1 };
    let db = state.db.read.clone();
    let chunk = CHUNK_BYTES as u64;
    let body = futures_util::stream::unfold(first, move |at| {
        let db = db.clone();
        async move {
            if length == 0 || at > last {
                return None;
            }
            let seq = at / chunk;
            let result = match media::chunk(&db, served.id, seq as i64).await {
                Ok(Some(data)) => {
                    let from = (at - seq * chunk) as usize;
                    let to = (((last - seq * chunk) + 1) as usize).min(data.len());
                    if from >= to {
                        Err(std::io::Error::other(
                            "a stored chunk is shorter than its file",
                        ))
                    } else {
                        Ok(axum::body::Bytes::copy_from_slice(&data[from..to]))
                    }
                }
                Ok(None) => Err(std::io::Error::other("a stored chunk is missing")),
                Err(e) => Err(std::io::Error::other(e)),
            };
            let next = match &result {
                Ok(bytes) => at + bytes.len() as u64,
                Err(_) => u64::MAX,
            };
            Some((result, next))
        }
    });
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = status;
    let h = response.headers_mut();
    let value = |s: String| s.parse().expect("a header value of ASCII");
    h.insert(CONTENT_TYPE, value(served.mimetype.clone()));
    h.insert(CONTENT_LENGTH, value(length.to_string()));
    h.insert(ACCEPT_RANGES, value("bytes".into()));
    h.insert(CACHE_CONTROL, value("private, max-age=3600".into()));
    if status == StatusCode::PARTIAL_CONTENT {
        h.insert(CONTENT_RANGE, value(format!("bytes {first}-{last}/{size}")));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(range: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RANGE, range.parse().unwrap());
        h
    }

    #[test]
    fn reads_one_byte_range() {
        assert_eq!(range(&HeaderMap::new(), 100), None);
        assert_eq!(range(&headers("bytes=0-9"), 100), Some(Some((0, 9))));
        assert_eq!(range(&headers("bytes=90-"), 100), Some(Some((90, 99))));
        assert_eq!(range(&headers("bytes=-10"), 100), Some(Some((90, 99))));
        assert_eq!(range(&headers("bytes=50-500"), 100), Some(Some((50, 99))));
        assert_eq!(range(&headers("bytes=100-"), 100), Some(None));
        assert_eq!(range(&headers("bytes=0-1,5-6"), 100), None);
    }
}
