//! The reader's language and timezone on dashboard pages: resolved once per request (the
//! user's saved choice, else `Accept-Language`, else pt-BR; the tenant's timezone) and handed
//! to the Leptos app as a request extension, and the header's language switch, a plain form
//! post that works without JavaScript. The same session lookup sends a visitor without a
//! valid session from a signed-in page to `/login` before anything is rendered.

use axum::Router;
use axum::extract::{Form, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, LOCATION};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Deserialize;

use app::prefs::{Prefs, locale_tag, parse_locale};

use crate::dashboard::{session, setup};
use crate::entities::user;
use crate::state::AppState;

use app::pages::layout::LOCALE_PATH;

/// The language switch route.
pub fn routes() -> Router<AppState> {
    Router::new().route(LOCALE_PATH, post(set_locale))
}

/// The preferences of a request: its session user's saved language and tenant timezone, else
/// its `Accept-Language`.
pub async fn resolve(state: &AppState, headers: &HeaderMap) -> Prefs {
    let user = session::from_headers(&state.db, headers).await;
    of_user(headers, user)
}

/// The preferences of a request whose session lookup gave `user` (a failed lookup counts as
/// no user).
fn of_user(
    headers: &HeaderMap,
    user: Result<Option<session::SessionUser>, sea_orm::DbErr>,
) -> Prefs {
    let accept = headers.get(ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let user = user.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "session lookup for preferences failed");
        None
    });
    match user {
        Some(u) => Prefs::resolve(u.locale.as_deref(), accept, Some(&u.timezone)),
        None => Prefs::resolve(None, accept, None),
    }
}

/// The login page, where a visitor without a session is sent.
const LOGIN: &str = "/login";

/// The pages anyone may open: the rest need a session.
const PUBLIC_PAGES: [&str; 2] = [LOGIN, setup::PATH];

/// Middleware of the Leptos routes: a GET of a signed-in page without a valid session goes to
/// `/login` (302) at once, without rendering the page (which would only find out in its data
/// loads); otherwise attaches the request's [`Prefs`] and, when signed in, its
/// [`Caller`](app::backend::Caller) for the app to read. When the sessions
/// cannot be read the page is rendered and reports the outage itself (503).
pub async fn attach(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let user = session::from_headers(&state.db, req.headers()).await;
    let path = req.uri().path();
    let signed_in_page =
        req.method() == Method::GET && !PUBLIC_PAGES.contains(&path) && !path.starts_with("/api/");
    if signed_in_page && matches!(user, Ok(None)) {
        return (StatusCode::FOUND, [(LOCATION, LOGIN)]).into_response();
    }
    if let Ok(Some(u)) = &user {
        // The page's server functions take the caller from here: one session lookup per page.
        req.extensions_mut()
            .insert(app::backend::Caller::from(u.clone()));
    }
    let prefs = of_user(req.headers(), user);
    req.extensions_mut().insert(prefs);
    next.run(req).await
}

/// The language switch's form.
#[derive(Deserialize)]
struct LocaleForm {
    /// `pt-BR` or `en`.
    locale: String,
    /// The page to go back to (a local path).
    back: Option<String>,
}

/// A local path to return to: `/` alone, or `/` followed by a letter or digit, with no
/// backslash or control character anywhere (browsers read `/\host` as `//host`, and drop the
/// tab of `back=/%09/host`, which the form decodes, making it `//host` too).
fn safe_back(back: Option<&str>) -> &str {
    match back {
        Some(b) if is_local_path(b) => b,
        _ => "/",
    }
}

fn is_local_path(path: &str) -> bool {
    let mut chars = path.chars();
    if chars.next() != Some('/') {
        return false;
    }
    let starts_a_segment = match chars.next() {
        None => true,
        Some(c) => c.is_ascii_alphanumeric(),
    };
    starts_a_segment && !path.contains('\\') && !path.chars().any(char::is_control)
}

/// Saves the logged-in user's language and goes back to the page (303). Every user sets their
/// own language, viewers included; without a session it goes to the login page.
async fn set_locale(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Form(form): Form<LocaleForm>,
) -> Response {
    let Some(locale) = parse_locale(&form.locale) else {
        return (axum::http::StatusCode::BAD_REQUEST, "unknown locale").into_response();
    };
    let user = match session::from_headers(&state.db, &headers).await {
        Ok(Some(u)) => u,
        Ok(None) => return Redirect::to(LOGIN).into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "session lookup failed");
            return (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "database unavailable",
            )
                .into_response();
        }
    };
    let saved = user::Entity::update_many()
        .col_expr(user::Column::Locale, Expr::value(locale_tag(locale)))
        .filter(user::Column::Id.eq(user.user_id))
        .exec(&state.db.write)
        .await;
    if let Err(e) = saved {
        tracing::warn!(error = %e, "saving the language failed");
        return (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "database unavailable",
        )
            .into_response();
    }
    Redirect::to(safe_back(form.back.as_deref())).into_response()
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn goes_back_only_to_local_paths() {
        assert_eq!(
            safe_back(Some("/campaigns/3?status=read")),
            "/campaigns/3?status=read"
        );
        assert_eq!(safe_back(Some("//evil.example")), "/");
        assert_eq!(safe_back(Some("https://evil.example")), "/");
        assert_eq!(safe_back(Some("/\\evil")), "/");
        assert_eq!(safe_back(None), "/");
        assert_eq!(safe_back(Some("/")), "/");
        assert_eq!(safe_back(Some("/contacts?q=ana")), "/contacts?q=ana");
        // Browsers drop tabs and newlines, so these are `//evil.example`.
        for evil in [
            "/\t/evil.example",
            "/\n/evil.example",
            "/x\r\n/evil.example",
            "/./evil",
            "/ /evil",
            "/.//evil",
        ] {
            assert_eq!(safe_back(Some(evil)), "/", "{evil:?}");
        }
    }
}
