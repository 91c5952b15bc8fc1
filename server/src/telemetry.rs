//! Prometheus metrics (`GET /metrics`, text format) through the `metrics` facade: webhooks by
//! event and outcome, the inbox's batch sizes, commit latency and queued bytes, sends by result
//! and instance, Evolution call latency, live stream clients and unprocessed webhook events.
//! One recorder per process; `FLOW_METRICS_TOKEN` puts the route behind a bearer token.

use std::sync::OnceLock;
use std::time::Duration;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::auth::extract::bearer;
use crate::auth::token::constant_time_eq;
use crate::state::AppState;

/// Webhooks stored, by `event` and `outcome`.
pub const WEBHOOKS: &str = "flow_webhooks_total";
/// Webhooks in one inbox transaction.
pub const INBOX_BATCH: &str = "flow_inbox_batch_size";
/// Seconds one inbox transaction took, store to commit.
pub const INBOX_COMMIT: &str = "flow_inbox_commit_seconds";
/// Seconds the inbox waited for the database's write-ahead log to reach the disk before
/// answering the batches committed meanwhile (every answer of those batches waits for it).
pub const INBOX_FLUSH: &str = "flow_inbox_flush_seconds";
/// Webhook body bytes waiting for the inbox writer.
pub const INBOX_QUEUED_BYTES: &str = "flow_inbox_queued_bytes";
/// Seconds one SQLite checkpoint beside the writer took (see `checkpoint`), when it copied pages.
pub const SQLITE_CHECKPOINT: &str = "flow_sqlite_checkpoint_seconds";
/// WAL pages the checkpoints beside the writer found copied into the database file since their
/// last look (pages the writer copied itself meanwhile included).
pub const SQLITE_CHECKPOINT_PAGES: &str = "flow_sqlite_checkpoint_pages_total";
/// Sends, by `result` and `instance`.
pub const SENDS: &str = "flow_sends_total";
/// Seconds an Evolution call took, by `call`.
pub const EVOLUTION_CALL: &str = "flow_evolution_call_seconds";
/// Open live streams (`/api/v1/events`).
pub const SSE_CLIENTS: &str = "flow_sse_clients";
/// Webhook events stored but not applied yet.
pub const UNPROCESSED: &str = "flow_unprocessed_webhook_events";
/// Changes found by asking Evolution instead of from a webhook, by `kind` (`state`, `receipt`).
pub const RECONCILED: &str = "flow_reconcile_corrections_total";
/// 1 while this process runs the cluster's periodic work (see `cluster::leader`).
pub const LEADER: &str = "flow_cluster_leader";

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use (every server in a process shares it).
pub fn handle() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let seconds = [
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
        ];
        let sizes = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &seconds)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(INBOX_BATCH.into()), &sizes))
            .unwrap_or_else(|_| PrometheusBuilder::new())
            .build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("a metrics recorder was already installed; /metrics may be empty");
        }
        let upkeep = handle.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(5));
            loop {
                tick.tick().await;
                upkeep.run_upkeep();
            }
        });
        handle
    })
}

/// `GET /metrics`: the Prometheus text format (401 without the `FLOW_METRICS_TOKEN` bearer
/// when one is configured; 403 without a token configured unless the server listens on
/// loopback only).
pub async fn render(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.config.metrics_token.is_none() && !state.config.metrics_open() {
        return (
            StatusCode::FORBIDDEN,
            "set FLOW_METRICS_TOKEN to read the metrics of a server reachable from the network",
        )
            .into_response();
    }
    if let Some(expected) = &state.config.metrics_token
        && !bearer(&headers).is_some_and(|given| constant_time_eq(given, expected))
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        handle().render(),
    )
        .into_response()
}

/// Counts one open live stream for as long as it lives.
pub struct SseClient(());

impl SseClient {
    /// A stream opened.
    pub fn open() -> Self {
        metrics::gauge!(SSE_CLIENTS).increment(1.0);
        Self(())
    }
}

impl Drop for SseClient {
    fn drop(&mut self) {
        metrics::gauge!(SSE_CLIENTS).decrement(1.0);
    }
}
