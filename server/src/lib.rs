//! Alrea Flow's server: the JSON API, the Evolution webhooks, the SSR dashboard, and the state
//! they share. `main.rs` only reads the configuration and calls [`run`].

// The dashboard's view types nest deeply (Leptos); computing their layout needs more depth.
#![recursion_limit = "256"]

pub mod api;
pub mod assets;
pub mod auth;
pub mod checkpoint;
pub mod cli;
pub mod clicks;
pub mod cluster;
pub mod config;
pub mod dashboard;
pub mod db;
pub mod demo;
pub mod domain;
pub mod entities;
pub mod error;
pub mod evolution;
pub mod ingest;
pub mod live;
pub mod readiness;
pub mod reconcile;
pub mod sender;
pub mod service;
pub mod shutdown;
pub mod spool;
pub mod sql;
pub mod state;
pub mod telemetry;
pub mod wal;
pub mod webhook;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use sea_orm::DbBackend;
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::trace::TraceLayer;

use crate::cluster::leader::Leader;
use crate::config::Config;
use crate::db::{Db, DbInitError};
use crate::evolution::client::EvolutionClient;
use crate::live::ChangeBus;
use crate::live::publish::Publisher;
use crate::readiness::Beats;
use crate::shutdown::{HTTP_GRACE, Shutdown};
use crate::state::AppState;
use crate::webhook::directory::Directory;
use crate::webhook::inbox::Inbox;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error(transparent)]
    Db(#[from] DbInitError),
    /// The stored phones could not be repaired.
    #[error("cannot repair the stored phone numbers: {0}")]
    PhoneRepair(#[source] sea_orm::DbErr),
    /// The listening socket failed.
    #[error("cannot serve: {0}")]
    Io(#[from] std::io::Error),
}

/// The Leptos options: the site files (`LEPTOS_SITE_ROOT`, default `target/site`) and the
/// bundle name cargo-leptos baked in at build time.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    let mut options = LeptosOptions::builder()
        .output_name(option_env!("LEPTOS_OUTPUT_NAME").unwrap_or("flow"))
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .site_addr(config.site_addr)
        .build();
    // Pages name the content-hashed bundle when this build made one.
    options.hash_files = !assets::of(&options).is_empty();
    options
}

/// Opens the database (applying migrations), starts the webhook writer, the unmatched
/// receipt expiry, the retention pruning and the campaign sender, and builds the shared state.
pub async fn build_state(config: Config) -> Result<AppState, StartError> {
    let db = Db::open(&config.database_url).await?;
    service::suppression::use_key(config.suppression_key.as_deref());
    // Before anything sends: numbers stored before they were parsed are read again.
    service::phone_repair::run(&db)
        .await
        .map_err(StartError::PhoneRepair)?;
    telemetry::handle();
    let directory = Arc::new(Directory::new(db.clone()));
    // One node on SQLite; on PostgreSQL, live changes and the lead go through the database.
    let (bus, leader) = if db.write.get_database_backend() == DbBackend::Postgres {
        let (bus, outgoing) = ChangeBus::relayed();
        let leader = Leader::elect(config.database_url.clone());
        cluster::relay::start(
            db.clone(),
            config.database_url.clone(),
            config.public_url.clone(),
            bus.clone(),
            outgoing,
            directory.clone(),
            leader.clone(),
        );
        (bus, leader)
    } else {
        (ChangeBus::default(), Leader::alone())
    };
    let beats = Beats::default();
    let shutdown = Shutdown::default();
    let publisher = Publisher::start(
        db.clone(),
        bus.clone(),
        config.public_url.clone(),
        beats.publisher.clone(),
    );
    let (inbox, writer) = Inbox::start(
        db.clone(),
        publisher.clone(),
        config.inbox_max_bytes,
        shutdown.inbox_token(),
        beats.writer.clone(),
    );
    shutdown.track("webhook writer", writer);
    if let Some(checkpointer) = db.spawn_checkpointer(shutdown.token()) {
        shutdown.track("checkpointer", checkpointer);
    }
    webhook::orphans::spawn(
        db.clone(),
        publisher.clone(),
        config.unmatched_ttl,
        leader.clone(),
    );
    webhook::reprocess::spawn(db.clone(), publisher.clone());
    webhook::retention::spawn(
        db.clone(),
        config.webhook_retention,
        config.media_retention,
        leader.clone(),
    );
    service::scheduler::spawn(db.clone(), bus.clone(), leader.clone());
    match service::imports::resume(&db).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(jobs = n, "contact imports resumed"),
        Err(e) => tracing::warn!(error = %e, "cannot resume contact imports"),
    }
    let evolution = EvolutionClient::new(evolution::address::AddressPolicy::from_allow_private(
        config.evolution_allow_private,
    ));
    reconcile::spawn(
        reconcile::Reconciler {
            db: db.clone(),
            inbox: inbox.clone(),
            client: evolution.clone(),
            stuck_after: config.reconcile_stuck_after,
        },
        config.reconcile_every,
        leader.clone(),
    );
    let clicks = clicks::Clicks::new(
        db.clone(),
        clicks::writer::ClickWriter::start(
            db.clone(),
            publisher.clone(),
            spool::Spool::new(&config.spool_dir),
        ),
        config.preview_agents.clone(),
    );
    if config.sender_enabled {
        let sender = sender::spawn(
            sender::SenderDeps {
                db: db.clone(),
                publisher,
                client: evolution.clone(),
                spool: sender::spool::Spool::new(&config.spool_dir),
                public_url: config.public_url.clone(),
                clicks: clicks.clone(),
            },
            sender::SenderConfig {
                startup_grace: config.sending_grace,
                v1_close_grace: config.v1_close_grace,
                ..sender::SenderConfig::default()
            },
            shutdown.token(),
            beats.sender.clone(),
        );
        shutdown.track("sender", sender);
    }
    let state = AppState::new(state::Shared {
        directory,
        leader,
        db,
        leptos_options: leptos_options(&config),
        config: Arc::new(config),
        bus,
        inbox,
        evolution,
        beats,
        shutdown,
        setup: service::setup::SetupGate::default(),
        clicks,
    });
    if let Some(demo) = &state.config.demo {
        match demo::seed(&state, demo).await {
            Ok(created) => {
                let verb = if created { "created" } else { "already there" };
                tracing::info!(
                    "demo {verb}: log in at {}/login as {} or {} (password {})",
                    state.config.public_url,
                    demo::ADMIN_EMAIL,
                    demo::VIEWER_EMAIL,
                    demo::PASSWORD
                );
            }
            Err(e) => tracing::error!(error = %e, "cannot create the demo"),
        }
    }
    Ok(state)
}

/// 200 when the database answers, 503 otherwise
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = "health",
    security(),
    responses(
        (status = 200, description = "healthy"),
        (status = 503, description = "database unreachable"),
    )
)]
async fn healthz(State(state): State<AppState>) -> (StatusCode, &'static str) {
    if state.db.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
    }
}

/// The path as it may be logged: the secret of a webhook URL is masked.
pub fn loggable_path(path: &str) -> String {
    const PREFIX: &str = "/api/webhooks/evolution/i/";
    match path.strip_prefix(PREFIX) {
        Some(rest) => {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            format!("{PREFIX}***{tail}")
        }
        None => path.to_string(),
    }
}

fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    tracing::debug_span!(
        "request",
        method = %request.method(),
        path = %loggable_path(request.uri().path()),
    )
}

/// The dashboard's routes, found by rendering the app once per process and kept.
///
/// Once, because leptos renders the app for it under a process-wide flag that holds back every
/// resource first polled meanwhile, forever (`SuppressResourceLoad`, leptos-rs/leptos#4773): a
/// second router built while a page renders (a test binary starts one server per test) would
/// hang that page.
fn route_list() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(render_route_list).clone()
}

/// Renders the app to list its routes. That render rarely panics on a reactive value
/// leptos_i18n's provider created and the arena already disposed (seen about once in a few
/// hundred starts, at random); it has no side effects, so it is tried again.
fn render_route_list() -> Vec<leptos_axum::AxumRouteListing> {
    const ATTEMPTS: u32 = 3;
    for attempt in 1.. {
        match std::panic::catch_unwind(|| generate_route_list(app::App)) {
            Ok(routes) => return routes,
            Err(panic) if attempt >= ATTEMPTS => std::panic::resume_unwind(panic),
            Err(_) => tracing::warn!(attempt, "rendering the route list panicked; trying again"),
        }
    }
    unreachable!("the loop returns or resumes the panic")
}

/// Every route of Flow: health, API, dashboard pages and static files; cross-site changes made
/// with the session cookie are refused before any of them.
pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let options = state.leptos_options.clone();
    let backend = dashboard::backend::DashboardBackend::provide(state.clone());
    let audience = dashboard::audience::AudienceDashboard::provide(state.clone());
    let insights = dashboard::insights::InsightsDashboard::provide(state.clone());
    let messages = dashboard::messages::MessagesDashboard::provide(state.clone());
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readiness::readyz))
        .route("/metrics", get(telemetry::render))
        .nest("/api/v1", api::routes())
        .merge(api::media::public_routes())
        .merge(api::links::routes())
        .merge(webhook::routes(state.config.webhook_max_bytes))
        .merge(dashboard::export::routes())
        .merge(dashboard::setup::routes())
        .merge(dashboard::prefs::routes())
        .merge(
            Router::new()
                .leptos_routes_with_context(
                    &state,
                    routes,
                    move || {
                        leptos::prelude::provide_context(backend.clone());
                        leptos::prelude::provide_context(audience.clone());
                        leptos::prelude::provide_context(insights.clone());
                        leptos::prelude::provide_context(messages.clone());
                    },
                    move || app::shell(options.clone()),
                )
                // Inside `attach`: a render tried again reuses its session lookup and language.
                .layer(axum::middleware::from_fn_with_state(
                    dashboard::render_guard::RENDER_LIMIT,
                    dashboard::render_guard::retry_hung,
                ))
                .layer(axum::middleware::from_fn_with_state(
                    state.clone(),
                    dashboard::prefs::attach,
                )),
        )
        .fallback_service(assets::files(&state))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            dashboard::setup::gate,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::csrf::refuse_cross_site,
        ))
        // Pages, scripts, styles and JSON go out brotli- or gzip-compressed when the client
        // takes it (a phone on 4G loads the dashboard in a fraction of the bytes); live streams
        // (`text/event-stream`) and tiny answers are sent as they are, and so is the wasm: the
        // release build compresses it once (see `assets`), while compressing a debug build's
        // 20 MB wasm for every request would delay each page's start by seconds.
        .layer(CompressionLayer::new().compress_when(
            DefaultPredicate::new().and(NotForContentType::const_new("application/wasm")),
        ))
        .layer(catch_panics())
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .with_state(state)
}

/// A request whose handler panics (a bug) is answered 500 in the API's error format and
/// logged, instead of its connection being dropped without an answer.
fn catch_panics() -> CatchPanicLayer<fn(Box<dyn std::any::Any + Send + 'static>) -> Response> {
    fn answer(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
        let what = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("a panic without a message");
        error::ApiError::Internal(format!("a request handler panicked: {what}").into())
            .into_response()
    }
    CatchPanicLayer::custom(answer)
}

/// Serves Flow on `listener` until `signal` completes, then shuts down cleanly (see
/// [`shutdown`]): new connections are refused, live streams end, the sender finishes its sends
/// in flight, the inbox stores what is queued, and this returns within
/// [`shutdown::STOP_WITHIN`] of the signal.
pub async fn run(
    state: AppState,
    listener: TcpListener,
    signal: impl Future<Output = ()> + Send + 'static,
) -> Result<(), StartError> {
    let shutdown = state.shutdown.clone();
    tokio::spawn({
        let shutdown = shutdown.clone();
        async move {
            signal.await;
            shutdown.trigger();
        }
    });
    let stopping = shutdown.token();
    let serve = axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move { stopping.cancelled().await });
    let stopping = shutdown.token();
    let http_grace = async {
        stopping.cancelled().await;
        tokio::time::sleep_until(shutdown.deadline(HTTP_GRACE)).await;
    };
    tokio::select! {
        served = serve.into_future() => served?,
        () = http_grace => tracing::warn!(
            "connections still open {} s after the shutdown signal were closed",
            HTTP_GRACE.as_secs()
        ),
    }
    shutdown.finish().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{catch_panics, loggable_path};

    #[tokio::test]
    async fn a_handler_that_panics_is_answered_500_in_the_error_format() {
        use tower::ServiceExt;
        let app: axum::Router = axum::Router::new()
            .route(
                "/boom",
                axum::routing::get(|| async {
                    let n: u64 = u64::MAX;
                    let small: i64 = i64::try_from(n).expect("a number past i64::MAX");
                    small.to_string()
                }),
            )
            .layer(catch_panics());
        let res = app
            .oneshot(
                axum::http::Request::get("/boom")
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
        assert_eq!(res.status(), axum::http::StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["error"], "internal");
    }

    #[test]
    fn webhook_secrets_are_masked_in_logged_paths() {
        assert_eq!(
            loggable_path("/api/webhooks/evolution/i/whsec_abc/messages-update"),
            "/api/webhooks/evolution/i/***/messages-update"
        );
        assert_eq!(
            loggable_path("/api/webhooks/evolution/i/whsec_abc"),
            "/api/webhooks/evolution/i/***"
        );
        assert_eq!(loggable_path("/api/v1/campaigns/1"), "/api/v1/campaigns/1");
    }
}
