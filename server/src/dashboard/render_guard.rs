//! A page render that has not finished in time is rendered again, once.
//!
//! Every render hang seen so far had one cause, now fixed: a second router built in the same
//! process (a test binary starts one server per test) renders the app under leptos's
//! process-wide resource-suppression flag, and a page whose data load was first polled in that
//! window waited forever (leptos-rs/leptos#4773; `route_list` now builds the list once per
//! process). leptos has had other lost wake-ups in the same wait (leptos-rs/leptos#4851), so a
//! person must still never wait forever: the page is rendered whole within [`RENDER_LIMIT`]
//! (pages wait for their data on the server anyway, `SsrMode::Async`), else it is logged as an
//! error with its path and rendered again; a second miss answers 503 in the reader's language.
//! Page renders only read, so rendering again is safe.

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::errors::internal_text;
use app::prefs::Prefs;

/// How long one render of a page may take.
pub const RENDER_LIMIT: Duration = Duration::from_secs(10);

/// How many times a page is rendered before the answer is 503.
const ATTEMPTS: u32 = 2;

/// Middleware of the page routes (state: the render limit), inside `prefs::attach`: renders a
/// GET at most [`ATTEMPTS`] times, each within `limit`.
pub async fn retry_hung(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let (parts, _) = req.into_parts();
    for attempt in 1..=ATTEMPTS {
        let req = Request::from_parts(parts.clone(), Body::empty());
        match tokio::time::timeout(limit, whole(next.clone(), req)).await {
            Ok(res) => return res,
            Err(_) => tracing::error!(
                path = parts.uri.path(),
                attempt,
                limit_ms = limit.as_millis() as u64,
                "page render did not finish in time"
            ),
        }
    }
    let locale = parts
        .extensions
        .get::<Prefs>()
        .map_or_else(|| Prefs::default().locale, |p| p.locale);
    (StatusCode::SERVICE_UNAVAILABLE, internal_text(locale)).into_response()
}

/// The answer to `req` with its whole body read.
async fn whole(next: Next, req: Request) -> Response {
    let (parts, body) = next.run(req).await.into_parts();
    match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => Response::from_parts(parts, Body::from(bytes)),
        Err(e) => {
            tracing::error!(error = %e, "reading a rendered page failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::middleware::from_fn_with_state;
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tower::ServiceExt;

    /// A page whose first `hangs` renders never finish.
    fn app(hangs: u32) -> (Router, Arc<AtomicU32>) {
        let calls = Arc::new(AtomicU32::new(0));
        let counter = calls.clone();
        let page = move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                if n < hangs {
                    std::future::pending::<()>().await;
                }
                "the page"
            }
        };
        let router = Router::new()
            .route("/", get(page))
            .layer(from_fn_with_state(Duration::from_millis(100), retry_hung));
        (router, calls)
    }

    async fn get_page(router: Router) -> (StatusCode, String) {
        let res = router
            .oneshot(Request::get("/").body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_hung_render_is_rendered_again_and_a_second_hang_is_503() {
        let (router, calls) = app(1);
        assert_eq!(
            get_page(router).await,
            (StatusCode::OK, "the page".to_string())
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let (router, calls) = app(2);
        assert_eq!(get_page(router).await.0, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let (router, calls) = app(0);
        assert_eq!(get_page(router).await.0, StatusCode::OK);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
