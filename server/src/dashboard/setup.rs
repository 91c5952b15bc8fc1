//! The first-run setup in the browser: while the database has no tenant every page redirects
//! to `/setup`, whose form posts here to create the first tenant and its admin and log them in.
//! Afterwards `/setup` answers 404 (the operator API is unchanged).

use axum::Form;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::post;

use crate::dashboard::session;
use crate::error::ApiError;
use crate::service::ServiceError;
use crate::service::setup::{self, SetupForm};
use crate::state::AppState;

/// The setup page's path.
pub const PATH: &str = "/setup";

/// `POST /setup`.
pub fn routes() -> Router<AppState> {
    Router::new().route(PATH, post(submit))
}

fn see_other(location: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, location.to_string())]).into_response()
}

/// Whether `path` is a dashboard page (not the API, a webhook, a probe, an export or a file).
fn is_page(path: &str) -> bool {
    const NOT_PAGES: [&str; 7] = [
        "/api/", "/pkg/", "/export/", "/healthz", "/readyz", "/metrics", "/favicon",
    ];
    !NOT_PAGES.iter().any(|p| path.starts_with(p))
        && !path
            .rsplit('/')
            .next()
            .is_some_and(|last| last.contains('.'))
}

/// The middleware: pages lead to `/setup` while it is needed, and `/setup` is gone after.
pub async fn gate(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let page_read = request.method() == Method::GET && is_page(path);
    if !page_read {
        return next.run(request).await;
    }
    let needed = match state.setup.needed(&state.db).await {
        Ok(needed) => needed,
        // The page itself reports the outage.
        Err(_) => return next.run(request).await,
    };
    match (needed, path == PATH) {
        (true, false) => see_other(PATH),
        (false, true) => ApiError::NotFound("page").into_response(),
        _ => next.run(request).await,
    }
}

async fn submit(State(state): State<AppState>, Form(form): Form<SetupForm>) -> Response {
    match setup::run(&state.db, &state.setup, &form).await {
        Ok(admin) => match session::create(&state.db, &admin).await {
            Ok(token) => {
                let mut res = see_other("/");
                if let Ok(cookie) = session::set_cookie(&token, state.config.cookie_secure).parse()
                {
                    res.headers_mut().insert(SET_COOKIE, cookie);
                }
                res
            }
            Err(e) => ApiError::from(e).into_response(),
        },
        Err(ServiceError::Refused(_)) => see_other("/setup?error=invalid"),
        Err(e) => ApiError::from(e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::is_page;

    #[test]
    fn pages_are_told_from_api_files_and_probes() {
        for page in ["/", "/campaigns/3", "/setup", "/login"] {
            assert!(is_page(page), "{page}");
        }
        for other in [
            "/api/v1/users",
            "/pkg/flow.js",
            "/healthz",
            "/metrics",
            "/favicon.ico",
            "/style.css",
        ] {
            assert!(!is_page(other), "{other}");
        }
    }
}
