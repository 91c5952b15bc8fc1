//! The webhook HTTP handler: size limit, authentication, parsing, then the inbox.
//!
//! Authentication, in order: the secret in the URL (`/i/{secret}`, the recommended mode), a
//! bearer secret, a bearer JWT (`jwt_key` mode) or the body's `apikey` matched against the
//! instance named in the body — accepted only when name and key fit exactly one instance, and
//! only while `FLOW_WEBHOOK_APIKEY_AUTH` is on.
//! Status codes follow Evolution's retry rules: 200 for every stored event, 400 for a body that
//! is not a JSON envelope, 401 when no credential matches, 413 above the size limit, 422 for an
//! envelope whose data has the wrong shape (stored for inspection), 503 when it cannot be stored
//! (Evolution retries).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Serialize;
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::extract::bearer;
use crate::auth::token::constant_time_eq;
use crate::error::{ErrorBody, is_unavailable};
use crate::evolution::{Envelope, ParseError, interpret, parse_envelope};
use crate::state::AppState;
use crate::webhook::directory::KnownInstance;
use crate::webhook::inbox::{Job, Parsed, StoreError};
use crate::webhook::jwt;

/// Why a webhook was refused.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// Over the size limit.
    #[error("the body is larger than the webhook size limit")]
    TooLarge,
    /// No credential matches an instance.
    #[error("no valid webhook credential (URL secret, bearer secret, jwt_key token or apikey)")]
    Unauthorized,
    /// Not a JSON envelope.
    #[error("{0}")]
    NotAnEnvelope(String),
    /// An envelope whose data has the wrong shape (it was stored).
    #[error("{0}")]
    InvalidData(String),
    /// Cannot be stored now.
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The answer to a stored webhook.
#[derive(Serialize, ToSchema)]
#[schema(as = WebhookStored)]
pub struct Stored {
    /// What applying the event did: `updated`, `duplicate`, `unmatched`, `ignored`, …
    pub status: &'static str,
}

impl IntoResponse for WebhookError {
    fn into_response(self) -> Response {
        let (status, code) = match &self {
            Self::TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Self::Unauthorized => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::NotAnEnvelope(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::InvalidData(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid_data"),
            Self::Store(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        };
        let mut body = json!({ "error": code, "message": self.to_string() });
        if matches!(self, Self::InvalidData(_)) {
            body["status"] = json!("stored");
        }
        (status, Json(body)).into_response()
    }
}

impl From<sea_orm::DbErr> for WebhookError {
    fn from(e: sea_orm::DbErr) -> Self {
        if !is_unavailable(&e) {
            tracing::error!(error = %e, "webhook authentication query failed");
        }
        Self::Store(StoreError::Unavailable)
    }
}

/// Evolution webhook. Authenticated by the URL secret (`/i/{secret}`), `Authorization: Bearer
/// <webhook_secret>`, a `jwt_key` HS256 token, or the instance api key in the body's `apikey`.
/// Evolution's by-events suffixes (`/messages-update`) are accepted after either URL. Answers 200
/// `{status}` once the event is durably stored (updated, duplicate, unmatched, ignored, engaged,
/// opted_out, linked, disconnected, connected, revoked, unknown_contact), 400 for a body that is not a JSON
/// envelope, 401 without a matching credential, 413 above the size limit, 422 for an envelope whose
/// data has the wrong shape (stored), 503 when it cannot be stored (retry).
#[utoipa::path(
    post,
    path = "/api/webhooks/evolution",
    operation_id = "receive_webhook",
    tag = "webhooks",
    security(),
    request_body = Envelope,
    responses(
        (status = 200, description = "stored", body = Stored),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 413, response = ErrorBody),
        (status = 422, response = ErrorBody),
        (status = 503, response = ErrorBody),
    )
)]
pub async fn receive_plain(
    state: State<AppState>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Stored>, WebhookError> {
    handle(state, None, headers, body).await
}

/// Evolution webhook. Authenticated by the URL secret (`/i/{secret}`), `Authorization: Bearer
/// <webhook_secret>`, a `jwt_key` HS256 token, or the instance api key in the body's `apikey`.
/// Evolution's by-events suffixes (`/messages-update`) are accepted after either URL. Answers 200
/// `{status}` once the event is durably stored (updated, duplicate, unmatched, ignored, engaged,
/// opted_out, linked, disconnected, connected, revoked, unknown_contact), 400 for a body that is not a JSON
/// envelope, 401 without a matching credential, 413 above the size limit, 422 for an envelope whose
/// data has the wrong shape (stored), 503 when it cannot be stored (retry).
///
/// Routed as `POST /api/webhooks/evolution/{rest}`: `i/{secret}[/…]` or an event path.
#[utoipa::path(
    post,
    path = "/api/webhooks/evolution/i/{secret}",
    operation_id = "receive_instance_webhook",
    tag = "webhooks",
    security(),
    params((
        "secret" = String,
        Path,
        description = "The instance's webhook secret, as in its `webhook_url`"
    )),
    request_body = Envelope,
    responses(
        (status = 200, description = "stored", body = Stored),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 413, response = ErrorBody),
        (status = 422, response = ErrorBody),
        (status = 503, response = ErrorBody),
    )
)]
pub async fn receive(
    state: State<AppState>,
    Path(rest): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Stored>, WebhookError> {
    let mut segments = rest.split('/').filter(|s| !s.is_empty());
    let secret = match (segments.next(), segments.next()) {
        (Some("i"), Some(secret)) => Some(secret.to_string()),
        (Some("i"), None) => return Err(WebhookError::Unauthorized),
        // An event path (`messages-update`): the body's `event` is what counts.
        _ => None,
    };
    handle(state, secret, headers, body).await
}

fn not_an_envelope(e: ParseError) -> WebhookError {
    WebhookError::NotAnEnvelope(e.to_string())
}

/// The instance whose credential the request carries.
async fn authenticate(
    state: &AppState,
    url_secret: Option<&str>,
    headers: &HeaderMap,
    envelope: &mut Option<Envelope>,
    body: &[u8],
) -> Result<std::sync::Arc<KnownInstance>, WebhookError> {
    let bearer = bearer(headers);
    let secret = url_secret.or(bearer.filter(|b| !jwt::looks_like_jwt(b)));
    if let Some(secret) = secret {
        return state
            .directory
            .by_secret(secret)
            .await?
            .ok_or(WebhookError::Unauthorized);
    }
    let env = parse_envelope(body).map_err(not_an_envelope)?;
    let candidates = match env.instance.as_deref() {
        Some(name) => state.directory.by_name(name).await?,
        None => Vec::new(),
    };
    let found = match (bearer, env.apikey.as_deref()) {
        (Some(token), _) => candidates
            .into_iter()
            .find(|c| jwt::verify(token, c.secret.as_bytes()).is_ok()),
        (None, Some(key)) if state.config.webhook_apikey_auth => only_one(
            candidates
                .into_iter()
                .filter(|c| constant_time_eq(key, &c.api_key)),
        ),
        (None, _) => None,
    };
    *envelope = Some(env);
    found.ok_or(WebhookError::Unauthorized)
}

/// The single item of `matches`, or `None` when there are none or several: on a shared
/// Evolution server several tenants' instances may have the same name and key, and a
/// credential that fits two instances identifies neither.
fn only_one<T>(mut matches: impl Iterator<Item = T>) -> Option<T> {
    let first = matches.next()?;
    matches.next().is_none().then_some(first)
}

/// The body as stored: the `apikey` (a credential) replaced.
fn redacted(envelope: &Envelope, body: &[u8]) -> String {
    if envelope.apikey.is_some()
        && let Ok(mut value) = serde_json::from_slice::<Value>(body)
        && let Some(obj) = value.as_object_mut()
    {
        obj.insert("apikey".into(), json!("[redacted]"));
        return value.to_string();
    }
    String::from_utf8_lossy(body).into_owned()
}

async fn handle(
    State(state): State<AppState>,
    url_secret: Option<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<Stored>, WebhookError> {
    let received_at = Utc::now();
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            WebhookError::TooLarge
        } else {
            WebhookError::NotAnEnvelope(e.body_text())
        }
    })?;
    let mut envelope = None;
    let known = authenticate(
        &state,
        url_secret.as_deref(),
        &headers,
        &mut envelope,
        &body,
    )
    .await
    .inspect_err(|e| {
        if matches!(e, WebhookError::Unauthorized) {
            tracing::warn!("webhook refused: no matching credential");
        }
    })?;
    let envelope = match envelope.map_or_else(|| parse_envelope(&body), Ok) {
        Ok(e) => e,
        Err(e) => {
            // Authenticated but unreadable: keep it for inspection, then refuse it.
            let job = Job {
                instance: known.instance.clone(),
                event_name: "unparsed".into(),
                body: String::from_utf8_lossy(&body).into_owned(),
                parsed: Parsed::Invalid(e.to_string()),
                received_at,
            };
            state.inbox.submit(job).await?;
            return Err(not_an_envelope(e));
        }
    };
    let (parsed, invalid) = match interpret(&envelope) {
        Ok(event) => (Parsed::Event(event), None),
        Err(e) => (Parsed::Invalid(e.to_string()), Some(e.to_string())),
    };
    let job = Job {
        instance: known.instance.clone(),
        event_name: envelope.event.clone(),
        body: redacted(&envelope, &body),
        parsed,
        received_at,
    };
    let outcome = state.inbox.submit(job).await?;
    if let Some(reason) = invalid {
        return Err(WebhookError::InvalidData(reason));
    }
    Ok(Json(Stored {
        status: outcome.as_str(),
    }))
}
