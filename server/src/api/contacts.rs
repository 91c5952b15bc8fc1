//! `/api/v1/contacts`: import (JSON array or CSV at once, or a background job for large
//! files), search, export, show, correct, opt-out / opt-in by hand, erase, and the data-subject
//! export (LGPD art. 18).

use app::audience::{
    ContactCorrection, ContactDetail, DataSubjectExport, ImportJobView, OptInBody, OptOutBody,
};
use app::types::{ContactView, ImportReport, NewContact};
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::{ACCEPT, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::api::extract::{Json, Path, Query};
use crate::auth::TenantCaller;
use crate::domain::spreadsheet;
use crate::error::{AdminErrors, ApiError, ChangeErrors, ErrorBody, ReadErrors};
use crate::live::transition::publish_transition;
use crate::service::contacts::Search;
use crate::service::{
    Page, campaigns, consent, contacts, correction, data_export, imports, settings,
};
use crate::state::AppState;

/// Query of `GET /api/v1/contacts` and `GET /api/v1/contacts/export`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Name or phone in any formatting (either Brazilian mobile form).
    q: Option<String>,
    /// Exactly this person: the phone in any notation (either spelling of the number).
    phone: Option<String>,
    /// Only contacts on this list.
    list_id: Option<i64>,
    /// Only opted-out (`true`) or reachable (`false`) contacts.
    opted_out: Option<bool>,
    /// RFC 3339: only contacts whose last message came at or after it.
    interacted_since: Option<String>,
    /// Only numbers of this kind of line: `mobile`, `landline`, `other`, or `invalid` (stored
    /// before numbers were checked, and not one: never sent to).
    line_type: Option<String>,
    /// The last id of the previous page (keyset).
    cursor: Option<i64>,
    /// Rows wanted, 1 to 1000 (default 100); the export takes every row.
    limit: Option<u64>,
    /// Rows skipped; the export skips none.
    offset: Option<u64>,
}

impl ListQuery {
    fn search(&self) -> Result<Search, ApiError> {
        let interacted_since = self
            .interacted_since
            .as_deref()
            .map(|s| {
                DateTime::parse_from_rfc3339(s)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| ApiError::Validation("interacted_since must be RFC 3339".into()))
            })
            .transpose()?;
        Ok(Search {
            q: self.q.clone(),
            phone: self.phone.clone(),
            list_id: self.list_id,
            opted_out: self.opted_out,
            interacted_since,
            line_type: self.line_type.clone(),
        })
    }
}

/// Import contacts (JSON array, or text/csv with a header naming phone and name)
#[utoipa::path(
    post,
    path = "/contacts",
    operation_id = "import_contacts",
    tag = "contacts",
    request_body(content(
        (Vec<NewContact> = "application/json"),
        (String = "text/csv"),
    )),
    responses(
        (status = 200, description = "Import report", body = ImportReport),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 413, response = ErrorBody),
        (status = 415, response = ErrorBody),
        (status = 422, response = ErrorBody),
    )
)]
pub(super) async fn import(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<axum::Json<ImportReport>, ApiError> {
    caller.require_admin()?;
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let rows: Vec<NewContact> = if content_type.starts_with("application/json") {
        serde_json::from_slice(&body).map_err(|e| {
            if e.is_data() {
                ApiError::Validation(format!(
                    "expected a JSON array of {{name, phone}} objects: {e}"
                ))
            } else {
                ApiError::BadRequest(format!("malformed JSON: {e}"))
            }
        })?
    } else if content_type.starts_with("text/csv") {
        // An empty file is an empty import.
        if body.iter().all(u8::is_ascii_whitespace) {
            Vec::new()
        } else {
            contacts::parse_csv(&body)?
        }
    } else {
        return Err(ApiError::UnsupportedMediaType(
            "send application/json (an array of {name, phone}) or text/csv (header: name,phone)"
                .into(),
        ));
    };
    let report = contacts::import(&state.db, caller.tenant_id, rows).await?;
    Ok(axum::Json(report))
}

/// Search contacts (keyset by id)
#[utoipa::path(
    get,
    path = "/contacts",
    operation_id = "list_contacts",
    tag = "contacts",
    params(ListQuery),
    responses(
        (status = 200, description = "Contacts", body = Vec<ContactView>),
        ReadErrors,
    )
)]
pub(super) async fn list(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<ContactView>>, ApiError> {
    let (limit, offset) = Page {
        limit: q.limit,
        offset: q.offset,
    }
    .resolve()?;
    let rows = contacts::search(
        &state.db,
        caller.tenant_id,
        &q.search()?,
        q.cursor,
        limit,
        offset,
    )
    .await?;
    Ok(axum::Json(rows))
}

/// Rows read per query while exporting.
const EXPORT_PAGE: u64 = 1000;

/// The export's columns.
const EXPORT_HEADER: [&str; 6] = [
    "id",
    "nome",
    "telefone",
    "descadastrado_em",
    "ultima_interacao",
    "criado_em",
];

/// `rows` as `;`-separated CSV lines, each cell defused ([`spreadsheet::cell`]).
fn csv_lines<I, R>(rows: I) -> Result<Bytes, csv::Error>
where
    I: IntoIterator<Item = R>,
    R: IntoIterator,
    R::Item: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    for row in rows {
        spreadsheet::write_row(&mut writer, row)?;
    }
    writer
        .into_inner()
        .map(Bytes::from)
        .map_err(|e| csv::Error::from(e.into_error()))
}

/// Export the contacts matching a search as CSV
///
/// Streamed a page at a time (memory stays flat at any size). A database failure midway ends the
/// response early (the download is then incomplete, not silently short: the client sees the
/// connection cut).
#[utoipa::path(
    get,
    path = "/contacts/export",
    operation_id = "export_contacts",
    tag = "contacts",
    params(ListQuery),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        ReadErrors,
    )
)]
pub(super) async fn export(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
) -> Result<Response, ApiError> {
    let search = q.search()?;
    // Refuses a search that cannot run (a phone that is no phone) before anything is sent.
    search.condition(
        state.db.backend(),
        settings::country(&state.db.read, caller.tenant_id).await?,
    )?;
    let header = csv_lines([EXPORT_HEADER]).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let bom = Bytes::from_static(b"\xEF\xBB\xBF");
    let tenant_id = caller.tenant_id;
    let pages = futures_util::stream::try_unfold((q.cursor, false), move |(cursor, done)| {
        let (state, search) = (state.clone(), search.clone());
        async move {
            if done {
                return Ok(None);
            }
            let page = contacts::search(&state.db, tenant_id, &search, cursor, EXPORT_PAGE, 0)
                .await
                .map_err(std::io::Error::other)?;
            let next = page.last().map(|c| c.id);
            let done = (page.len() as u64) < EXPORT_PAGE;
            let lines = csv_lines(page.into_iter().map(|c| {
                [
                    c.id.to_string(),
                    c.name,
                    c.phone,
                    c.opted_out_at.unwrap_or_default(),
                    c.last_interaction_at.unwrap_or_default(),
                    c.created_at,
                ]
            }))
            .map_err(std::io::Error::other)?;
            Ok::<_, std::io::Error>(Some((lines, (next, done))))
        }
    });
    // Fused: the compression layer may poll once more after the end.
    let body = futures_util::stream::iter([Ok(bom), Ok(header)])
        .chain(pages)
        .fuse();
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (CONTENT_DISPOSITION, "attachment; filename=\"contatos.csv\""),
        ],
        Body::from_stream(body),
    )
        .into_response())
}

/// Show a contact with attributes, lists, campaigns received, replies and consent history
#[utoipa::path(
    get,
    path = "/contacts/{id}",
    operation_id = "show_contact",
    tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 200, description = "Contact", body = ContactDetail),
        ReadErrors,
    )
)]
pub(super) async fn show(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    Ok(axum::Json(
        contacts::detail(&state.db, caller.tenant_id, id).await?,
    ))
}

/// Correct a contact's name, number or attributes (LGPD art. 18 III; each change audited)
///
/// The number is read in the team's country; a number that is another contact's is a 409, one
/// of an erased person a 422. Attributes given as null are removed, the others stay.
#[utoipa::path(
    patch,
    path = "/contacts/{id}",
    operation_id = "correct_contact",
    tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    request_body = ContactCorrection,
    responses(
        (status = 200, description = "Contact", body = ContactDetail),
        ChangeErrors,
    )
)]
pub(super) async fn correct(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<ContactCorrection>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    caller.require_admin()?;
    let actor = consent::actor(&state.db.read, caller.tenant_id, caller.who).await?;
    correction::correct(&state.db, caller.tenant_id, id, body, &actor).await?;
    Ok(axum::Json(
        contacts::detail(&state.db, caller.tenant_id, id).await?,
    ))
}

/// Query of `GET /api/v1/contacts/{id}/data-export`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DataExportQuery {
    /// `json` (a file to download) or `html` (a page in the reader's language to print or
    /// save as PDF); without it, `html` when `Accept` asks for HTML before JSON (a browser).
    format: Option<String>,
}

/// Everything Flow holds about a person, for them (LGPD art. 18 II, V and VII; admins; audited)
///
/// Identity, attributes, lists, every campaign message with its times, their replies, clicks
/// and attributed sales, the consent history, and the WhatsApp numbers that messaged them.
/// Every export is written to the consent log.
#[utoipa::path(
    get,
    path = "/contacts/{id}/data-export",
    operation_id = "export_contact_data",
    tag = "contacts",
    params(("id" = i64, Path, description = "Contact id"), DataExportQuery),
    responses(
        (status = 200, description = "The export: JSON, or with format=html a page",
            content((DataSubjectExport = "application/json"), (String = "text/html"))),
        AdminErrors,
    )
)]
pub(super) async fn data_export(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<DataExportQuery>,
) -> Result<Response, ApiError> {
    let html = match query.format.as_deref() {
        // A browser opening the address gets the page; a program, the JSON.
        None => prefers_html(&headers),
        Some("json") => false,
        Some("html") => true,
        Some(_) => return Err(ApiError::Validation("format must be json or html".into())),
    };
    caller.require_admin()?;
    let actor = consent::actor(&state.db.read, caller.tenant_id, caller.who).await?;
    let export = data_export::export(&state.db, caller.tenant_id, id, &actor).await?;
    let no_store = (axum::http::header::CACHE_CONTROL, "no-store");
    if html {
        // The reader's language; times in the team's timezone, whoever asks.
        let mut prefs = crate::dashboard::prefs::resolve(&state, &headers).await;
        prefs.tz = settings::timezone(&state.db.read, caller.tenant_id).await?;
        let page = app::data_export_page::render(&export, prefs);
        return Ok(([no_store], axum::response::Html(page)).into_response());
    }
    let disposition = format!("attachment; filename=\"dados-titular-{id}.json\"");
    Ok((
        [no_store, (CONTENT_DISPOSITION, disposition.as_str())],
        axum::Json(export),
    )
        .into_response())
}

/// Whether the request's `Accept` names HTML before JSON (a browser's navigation does).
fn prefers_html(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    match (accept.find("text/html"), accept.find("application/json")) {
        (Some(html), Some(json)) => html < json,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Publishes the campaigns whose counters a consent change moved.
async fn publish(state: &AppState, tenant_id: i64, campaign_ids: &[i64]) {
    for id in campaign_ids {
        if let Ok(view) = campaigns::get(&state.db, tenant_id, *id).await {
            publish_transition(&state.db.read, &state.bus, tenant_id, &view).await;
        }
    }
}

/// Opt a contact out by hand (reason required; audited)
#[utoipa::path(
    post,
    path = "/contacts/{id}/opt-out",
    operation_id = "opt_out_contact",
    tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    request_body = OptOutBody,
    responses(
        (status = 200, description = "Contact", body = ContactDetail),
        ChangeErrors,
    )
)]
pub(super) async fn opt_out(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<OptOutBody>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    caller.require_admin()?;
    let actor = consent::actor(&state.db.read, caller.tenant_id, caller.who).await?;
    let touched = consent::opt_out(&state.db, caller.tenant_id, id, &body.reason, &actor).await?;
    publish(&state, caller.tenant_id, &touched).await;
    Ok(axum::Json(
        contacts::detail(&state.db, caller.tenant_id, id).await?,
    ))
}

/// Opt a contact back in (consent note required; audited)
#[utoipa::path(
    post,
    path = "/contacts/{id}/opt-in",
    operation_id = "opt_in_contact",
    tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    request_body = OptInBody,
    responses(
        (status = 200, description = "Contact", body = ContactDetail),
        ChangeErrors,
    )
)]
pub(super) async fn opt_in(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Json(body): Json<OptInBody>,
) -> Result<axum::Json<ContactDetail>, ApiError> {
    caller.require_admin()?;
    let actor = consent::actor(&state.db.read, caller.tenant_id, caller.who).await?;
    consent::opt_in(&state.db, caller.tenant_id, id, &body.consent_note, &actor).await?;
    Ok(axum::Json(
        contacts::detail(&state.db, caller.tenant_id, id).await?,
    ))
}

/// Erase a contact (LGPD art. 18): personal data deleted or anonymised, the number suppressed
#[utoipa::path(
    delete,
    path = "/contacts/{id}",
    operation_id = "erase_contact",
    tag = "contacts",
    params(("id" = i64, Path, description = "Contact id")),
    responses(
        (status = 204, description = "Erased"),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
    )
)]
pub(super) async fn erase(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    caller.require_admin()?;
    let actor = consent::actor(&state.db.read, caller.tenant_id, caller.who).await?;
    let touched = consent::erase(&state.db, caller.tenant_id, id, &actor).await?;
    publish(&state, caller.tenant_id, &touched).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `POST /api/v1/contacts/import`.
#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Add the imported contacts to this list.
    list_id: Option<i64>,
}

/// Import a contact file in the background (CSV: ; or , separated, UTF-8 or Windows-1252, pt/en
/// headers; extra columns become attributes)
///
/// The file is the raw body (`?list_id=` optional) or the `file` field of a multipart form
/// (with an optional `list_id` field). Answers 202 with the job, written in the background; a
/// browser's form post (no JavaScript) is redirected to the job's page instead.
#[utoipa::path(
    post,
    path = "/contacts/import",
    operation_id = "start_contact_import",
    tag = "contacts",
    params(ImportQuery),
    request_body(content(
        (String = "text/csv"),
        (ImportForm = "multipart/form-data"),
    )),
    responses(
        (status = 202, description = "Job queued", body = ImportJobView),
        (status = 400, response = ErrorBody),
        (status = 401, response = ErrorBody),
        (status = 403, response = ErrorBody),
        (status = 404, response = ErrorBody),
        (status = 413, response = ErrorBody),
        (status = 422, response = ErrorBody),
    )
)]
pub(super) async fn start_import(
    caller: TenantCaller,
    State(state): State<AppState>,
    Query(q): Query<ImportQuery>,
    request: Request,
) -> Result<Response, ApiError> {
    caller.require_admin()?;
    let (is_multipart, from_page) = {
        let header = |name| {
            request
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_ascii_lowercase()
        };
        (
            header(CONTENT_TYPE).starts_with("multipart/form-data"),
            header(ACCEPT).contains("text/html"),
        )
    };
    let job = if is_multipart {
        let mut form = Multipart::from_request(request, &state)
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?;
        let mut upload = None;
        let mut list_id = q.list_id;
        while let Some(field) = form
            .next_field()
            .await
            .map_err(|e| ApiError::BadRequest(e.to_string()))?
        {
            match field.name() {
                Some("file") if upload.is_none() => {
                    upload = Some(receive(&state, caller.tenant_id, field).await?);
                }
                Some("list_id") => {
                    let text = field
                        .text()
                        .await
                        .map_err(|e| ApiError::BadRequest(e.to_string()))?;
                    let text = text.trim();
                    if !text.is_empty() {
                        list_id = Some(text.parse().map_err(|_| {
                            ApiError::Validation("list_id must be a list id".into())
                        })?);
                    }
                }
                _ => {}
            }
        }
        let upload =
            upload.ok_or_else(|| ApiError::Validation("the form needs a file field".into()))?;
        upload.queue(list_id).await?
    } else {
        let body = request.into_body().into_data_stream();
        receive(&state, caller.tenant_id, body)
            .await?
            .queue(q.list_id)
            .await?
    };
    if from_page {
        return Ok(Redirect::to(&format!("/contacts/imports/{}", job.id)).into_response());
    }
    Ok((StatusCode::ACCEPTED, axum::Json(job)).into_response())
}

/// An upload form of `POST /api/v1/contacts/import` (its OpenAPI schema: the handler reads
/// the form as a stream, field by field).
#[derive(ToSchema)]
#[expect(dead_code, reason = "only describes the form in the OpenAPI document")]
pub struct ImportForm {
    /// The CSV file.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Add the imported contacts to this list.
    list_id: Option<i64>,
}

/// Stores an uploaded file as it arrives (never all of it in memory): the job waits in the
/// database until [`imports::Upload::queue`]. A body that breaks off, or a file refused on the
/// way (too large, no phone column), leaves nothing behind.
async fn receive<E: std::fmt::Display>(
    state: &AppState,
    tenant_id: i64,
    body: impl futures_util::Stream<Item = Result<Bytes, E>>,
) -> Result<imports::Upload, ApiError> {
    let mut body = std::pin::pin!(body);
    let mut upload = imports::Upload::begin(&state.db, tenant_id).await?;
    while let Some(piece) = body.next().await {
        let stored = match piece {
            Ok(piece) => upload.write(&piece).await.map_err(ApiError::from),
            Err(e) => Err(ApiError::BadRequest(e.to_string())),
        };
        if let Err(e) = stored {
            upload.discard().await;
            return Err(e);
        }
    }
    Ok(upload)
}

/// Progress and report of an import job
#[utoipa::path(
    get,
    path = "/contacts/imports/{id}",
    operation_id = "show_contact_import",
    tag = "contacts",
    params(("id" = i64, Path, description = "Import job id")),
    responses(
        (status = 200, description = "Job", body = ImportJobView),
        ReadErrors,
    )
)]
pub(super) async fn import_job(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<axum::Json<ImportJobView>, ApiError> {
    Ok(axum::Json(
        imports::get(&state.db, caller.tenant_id, id).await?,
    ))
}

/// The rejected rows of an import job as CSV (linha;telefone;motivo)
#[utoipa::path(
    get,
    path = "/contacts/imports/{id}/errors.csv",
    operation_id = "contact_import_errors",
    tag = "contacts",
    params(("id" = i64, Path, description = "Import job id")),
    responses(
        (status = 200, description = "CSV", content_type = "text/csv", body = String),
        ReadErrors,
    )
)]
pub(super) async fn import_errors(
    caller: TenantCaller,
    State(state): State<AppState>,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let csv = imports::errors_csv(&state.db, caller.tenant_id, id).await?;
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"importacao-{id}-erros.csv\""),
            ),
        ],
        Body::from(csv),
    )
        .into_response())
}
