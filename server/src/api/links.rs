//! `GET /l/{code}`: the redirect of a tracked link. It answers 302 to the link's destination
//! once the visit is durably recorded (a person's click, or a preview when a machine fetched
//! it: see [`crate::domain::link_preview`]). An unknown code gets a page in the reader's
//! language, never an error.

use std::net::{IpAddr, SocketAddr};

use app::i18n::Locale;
use axum::Router;
use axum::extract::{ConnectInfo, Path, Request, State};
use axum::http::header::{CACHE_CONTROL, LOCATION, USER_AGENT};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;

use crate::clicks::{Click, Lookup};
use crate::domain::link_preview::Visit;
use crate::domain::links::is_code;
use crate::state::AppState;

/// The redirect's route (public: the code is the credential).
pub fn routes() -> Router<AppState> {
    Router::new().route("/l/{code}", get(redirect))
}

/// The visitor's address: the peer, or, when the peer is a trusted proxy
/// (`FLOW_TRUSTED_PROXIES`), the last address of `X-Forwarded-For` that is not one.
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse().ok())
        .collect();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted.contains(a))
            .unwrap_or(peer),
    )
}

async fn redirect(
    State(state): State<AppState>,
    Path(code): Path<String>,
    request: Request,
) -> Response {
    let headers = request.headers();
    let locale = crate::api::extract::reader_locale(headers).unwrap_or(Locale::pt_BR);
    if !is_code(&code) {
        return page(StatusCode::NOT_FOUND, locale, false);
    }
    let target = match state.clicks.lookup(&code).await {
        Lookup::Found(target) => target,
        Lookup::Unknown => return page(StatusCode::NOT_FOUND, locale, false),
        Lookup::Unavailable => return page(StatusCode::SERVICE_UNAVAILABLE, locale, true),
    };
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let user_agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let visit = Visit {
        head: request.method() == Method::HEAD,
        user_agent,
        client: client_address(peer, headers, &state.config.trusted_proxies),
    };
    let preview = state.clicks.classify(&target, &visit).await;
    let click = Click {
        key: crate::domain::links::new_code() + &crate::domain::links::new_code(),
        code: target.code.clone(),
        campaign_id: target.campaign_id,
        preview: preview.map(|p| p.as_str().to_string()),
        at: Utc::now(),
        user_agent: user_agent.map(|a| a.chars().take(200).collect()),
    };
    if !state.clicks.record(click).await {
        // Lost only if neither the database nor the disk would take it: still take the person
        // where they were going.
        tracing::error!(code = %target.code, "a click could not be recorded");
    }
    let Ok(location) = HeaderValue::from_str(&target.destination) else {
        return page(StatusCode::NOT_FOUND, locale, false);
    };
    (
        StatusCode::FOUND,
        [
            (LOCATION, location),
            (CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
    )
        .into_response()
}

/// The page of a link that leads nowhere (or not right now, when `later`).
fn page(status: StatusCode, locale: Locale, later: bool) -> Response {
    let (title, text) = app::follow_up::unavailable_link(locale, later);
    let lang = if locale == Locale::pt_BR {
        "pt-BR"
    } else {
        "en"
    };
    let body = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#1e293b\">\
         <h1 style=\"font-size:1.25rem\">{title}</h1><p>{text}</p></body></html>",
        title = escape(&title),
        text = escape(&text),
    );
    let mut response = (status, Html(body)).into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if later {
        response
            .headers_mut()
            .insert("retry-after", HeaderValue::from_static("5"));
    }
    response
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trusted_proxy_passes_the_visitor_on() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", "6.6.6.6, 189.1.2.3".parse().unwrap());
        assert_eq!(
            client_address(Some(proxy), &headers, &[proxy]),
            "189.1.2.3".parse().ok()
        );
        // Not trusted: the header is whatever the client wrote.
        assert_eq!(client_address(Some(proxy), &headers, &[]), Some(proxy));
    }
}
