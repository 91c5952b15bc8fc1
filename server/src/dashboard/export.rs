//! CSV exports for people: a campaign's recipients, the tenant's opt-outs (LGPD evidence) and
//! campaigns side by side.
//! Authenticated like the API (session cookie or token), streamed a page at a time so a
//! million-row campaign never sits in memory. Column names follow the reader's language and
//! times are written in the tenant's timezone (RFC 3339 with its offset).

use app::columns::Column;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use futures_util::{StreamExt, stream};
use serde::Deserialize;

use crate::api::extract::{Path, Query};
use crate::auth::TenantCaller;
use crate::dashboard::prefs;
use crate::domain::spreadsheet;
use crate::error::ApiError;
use crate::service::{Cursor, ServiceError, Window, campaigns, contacts, insights};
use crate::state::AppState;

/// Rows read per database query.
const PAGE: u64 = 2_000;

/// The export routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/export/campaigns/{id}/recipients.csv", get(recipients))
        .route("/export/opt-outs.csv", get(opt_outs))
        .route("/export/campaigns/compare.csv", get(compare))
}

/// Query of the recipients export.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipientsQuery {
    status: Option<String>,
    q: Option<String>,
}

/// One page of CSV rows and where the next page starts (`None` after the last page): a row id
/// for a keyset export, a row count for an offset one.
type PageResult = Result<(Vec<Vec<String>>, Option<i64>), ServiceError>;

fn csv_bytes(header: Option<&[&str]>, rows: &[Vec<String>]) -> Result<Bytes, std::io::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if let Some(h) = header {
        w.write_record(h)?;
    }
    for row in rows {
        spreadsheet::write_row(&mut w, row)?;
    }
    w.into_inner()
        .map(Bytes::from)
        .map_err(|e| std::io::Error::other(e.to_string()))
}

/// A streamed CSV download of the pages `fetch(start)` answers, from `fetch(None)` on.
fn csv_response<F, Fut>(filename: String, header: Vec<&'static str>, fetch: F) -> Response
where
    F: Fn(Option<i64>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = PageResult> + Send + 'static,
{
    // The state: the next page's start, if a page follows.
    let body = stream::unfold(Some(None), move |start: Option<Option<i64>>| {
        let page = start.map(|start| (start.is_none(), fetch(start)));
        let header = header.clone();
        async move {
            let (first, page) = page?;
            Some(match page.await {
                Ok((rows, next)) => (
                    csv_bytes(first.then_some(&header[..]), &rows),
                    next.map(Some),
                ),
                Err(e) => {
                    tracing::error!(error = %e, "CSV export failed midway");
                    (Err(std::io::Error::other("export failed")), None)
                }
            })
        }
    });
    // Fused: the compression layer may poll once more after the end.
    let body = body.fuse();
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        Body::from_stream(body),
    )
        .into_response()
}

async fn recipients(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Query(query): Query<RecipientsQuery>,
) -> Result<Response, ApiError> {
    // Not found (or another tenant's) answers 404 before any byte is streamed.
    campaigns::ensure_exists(&state.db, caller.tenant_id, id).await?;
    let status = query.status.filter(|s| !s.is_empty());
    let prefs = prefs::resolve(&state, &headers).await;
    let header = [
        Column::Name,
        Column::Phone,
        Column::Status,
        Column::WhatsappMessageId,
        Column::SentAt,
        Column::DeliveredAt,
        Column::ReadAt,
        Column::FailedAt,
        Column::Error,
        Column::RepliedAt,
    ]
    .map(|c| c.name(prefs.locale))
    .to_vec();
    Ok(csv_response(
        format!("campaign-{id}-recipients.csv"),
        header,
        move |after| {
            let (db, status, q) = (state.db.clone(), status.clone(), query.q.clone());
            async move {
                let window = Window {
                    cursor: after.map(Cursor::After),
                    ..Window::first(PAGE)
                };
                let rows = campaigns::contacts(
                    &db,
                    caller.tenant_id,
                    id,
                    status.as_deref(),
                    q.as_deref(),
                    window,
                )
                .await?;
                let next = (rows.len() as u64 == PAGE)
                    .then(|| rows.last().map(|r| r.id))
                    .flatten();
                let rows = rows
                    .into_iter()
                    .map(|r| {
                        vec![
                            r.name,
                            r.phone,
                            r.status,
                            r.whatsapp_message_id.unwrap_or_default(),
                            prefs.iso(r.sent_at.as_deref()),
                            prefs.iso(r.delivered_at.as_deref()),
                            prefs.iso(r.read_at.as_deref()),
                            prefs.iso(r.failed_at.as_deref()),
                            r.error.unwrap_or_default(),
                            prefs.iso(r.replied_at.as_deref()),
                        ]
                    })
                    .collect();
                Ok((rows, next))
            }
        },
    ))
}

async fn opt_outs(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Response {
    let prefs = prefs::resolve(&state, &headers).await;
    let header = [
        Column::OptedOutAt,
        Column::Phone,
        Column::Name,
        Column::Keyword,
        Column::Message,
        Column::Campaign,
    ]
    .map(|c| c.name(prefs.locale))
    .to_vec();
    csv_response("opt-outs.csv".into(), header, move |offset| {
        let db = state.db.clone();
        let offset = offset.unwrap_or(0);
        async move {
            let rows = contacts::opt_outs(&db, caller.tenant_id, PAGE, offset as u64).await?;
            let next = (rows.len() as u64 == PAGE).then_some(offset + PAGE as i64);
            let rows = rows
                .into_iter()
                .map(|o| {
                    vec![
                        prefs.iso(Some(&o.opted_out_at)),
                        o.phone,
                        o.name,
                        o.keyword.unwrap_or_default(),
                        o.raw_text.unwrap_or_default(),
                        o.campaign_name.unwrap_or_default(),
                    ]
                })
                .collect();
            Ok((rows, next))
        }
    })
}

/// Query of the comparison export.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CompareQuery {
    ids: String,
}

async fn compare(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<CompareQuery>,
) -> Result<Response, ApiError> {
    let ids = crate::api::extract::ids(&query.ids, "ids")?;
    // Refusals and unknown campaigns answer before any byte is streamed.
    let comparison = insights::compare(&state.db, caller.tenant_id, &ids).await?;
    let prefs = prefs::resolve(&state, &headers).await;
    let header = [
        Column::Campaign,
        Column::Status,
        Column::Recipients,
        Column::Sent,
        Column::DeliveryRate,
        Column::ReadRate,
        Column::ReplyRate,
        Column::OptOutRate,
        Column::DeletionRate,
        Column::ReadP50Secs,
        Column::BestVariant,
        Column::ClickRate,
        Column::Conversions,
        Column::Revenue,
        Column::RevenuePerMessage,
    ]
    .map(|c| c.name(prefs.locale))
    .to_vec();
    let rows: Vec<Vec<String>> = comparison
        .campaigns
        .into_iter()
        .map(|c| {
            vec![
                c.name,
                c.status,
                c.size.to_string(),
                c.sent.to_string(),
                format!("{:.2}", c.delivery_rate),
                format!("{:.2}", c.read_rate),
                format!("{:.2}", c.reply_rate),
                format!("{:.2}", c.opt_out_rate),
                format!("{:.2}", c.deletion_rate),
                c.read_p50_secs.map(|s| s.to_string()).unwrap_or_default(),
                c.best_variant
                    .map(|v| (v + 1).to_string())
                    .unwrap_or_default(),
                format!("{:.2}", c.click_rate),
                c.conversions.to_string(),
                format!("{:.2}", c.revenue),
                format!("{:.2}", c.revenue_per_message),
            ]
        })
        .collect();
    let once = std::sync::Mutex::new(Some(rows));
    Ok(csv_response(
        "campaigns-compared.csv".into(),
        header,
        move |_| {
            let rows = once
                .lock()
                .ok()
                .and_then(|mut r| r.take())
                .unwrap_or_default();
            async move { Ok((rows, None)) }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_and_fields_quoted() {
        let bytes = csv_bytes(Some(&["a", "b"]), &[vec!["x,y".into(), "@z".into()]]).unwrap();
        assert_eq!(std::str::from_utf8(&bytes).unwrap(), "a,b\n\"x,y\",'@z\n");
    }
}
