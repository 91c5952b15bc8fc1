//! Cross-site request refusal: a change (any method but GET, HEAD and OPTIONS) that a browser
//! authenticates with the session cookie must come from Flow's own pages. It is refused with
//! 403 when `Sec-Fetch-Site` says another site sent it, or when its `Origin` is neither the
//! request's host nor `FLOW_PUBLIC_URL`. Requests with a bearer token, without the session
//! cookie, or with neither header (non-browser clients) pass.

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::auth::extract::bearer;
use crate::dashboard::session;
use crate::error::ApiError;
use crate::state::AppState;

/// The middleware: refuses cross-site, cookie-authenticated changes.
pub async fn refuse_cross_site(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if is_cross_site(
        request.method(),
        request.headers(),
        &state.config.public_url,
    ) {
        tracing::info!(method = %request.method(), "cross-site request refused");
        return ApiError::Forbidden(
            "cross-site request refused: changes must come from Flow's own pages".into(),
        )
        .into_response();
    }
    next.run(request).await
}

/// Whether a request is a change authenticated by the session cookie that another site sent.
pub fn is_cross_site(method: &Method, headers: &HeaderMap, public_url: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        || bearer(headers).is_some()
        || session::token_from(headers).is_none()
    {
        return false;
    }
    let header = |name| headers.get(name).map(|v| v.to_str().unwrap_or_default());
    // Browsers set `Sec-Fetch-Site` and pages cannot forge it: when present it decides (a
    // proxy that rewrites Host cannot break it). Older browsers send only `Origin`.
    match header("sec-fetch-site") {
        Some(site) => site != "same-origin" && site != "none",
        None => header("origin")
            .is_some_and(|origin| !is_own_origin(origin, header("host"), public_url)),
    }
}

/// Whether `origin` is Flow's: the public URL's origin, or any scheme on the request's host.
fn is_own_origin(origin: &str, host: Option<&str>, public_url: &str) -> bool {
    let public_origin = match public_url.split_once("://") {
        Some((scheme, rest)) => {
            let authority = rest.split('/').next().unwrap_or_default();
            format!("{scheme}://{authority}")
        }
        None => return false,
    };
    if origin.eq_ignore_ascii_case(&public_origin) {
        return true;
    }
    let authority = origin.split_once("://").map(|(_, a)| a);
    matches!((authority, host), (Some(a), Some(h)) if !a.is_empty() && a.eq_ignore_ascii_case(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://flow.example.com";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (name, value) in pairs {
            h.append(*name, value.parse().unwrap());
        }
        h
    }

    fn refused(pairs: &[(&'static str, &str)]) -> bool {
        is_cross_site(&Method::POST, &headers(pairs), PUBLIC)
    }

    const COOKIE: (&str, &str) = ("cookie", "flow_session=abc");
    const HOST_HDR: (&str, &str) = ("host", "10.0.0.5:3000");

    #[test]
    fn cookie_changes_from_other_sites_are_refused() {
        assert!(refused(&[COOKIE, ("sec-fetch-site", "cross-site")]));
        assert!(refused(&[COOKIE, ("sec-fetch-site", "same-site")]));
        assert!(refused(&[
            COOKIE,
            HOST_HDR,
            ("origin", "https://evil.example")
        ]));
        assert!(refused(&[COOKIE, HOST_HDR, ("origin", "null")]));
        assert!(refused(&[
            COOKIE,
            HOST_HDR,
            ("origin", "https://flow.example.com.evil.example"),
        ]));
    }

    #[test]
    fn the_browsers_word_wins_behind_a_proxy_that_rewrites_host() {
        // The dashboard at https://panel.example behind a proxy that forwards to
        // 10.0.0.5:3000, while FLOW_PUBLIC_URL is the address Evolution uses.
        assert!(!refused(&[
            COOKIE,
            HOST_HDR,
            ("sec-fetch-site", "same-origin"),
            ("origin", "https://panel.example"),
        ]));
    }

    #[test]
    fn own_pages_other_clients_and_reads_pass() {
        assert!(!refused(&[COOKIE, ("sec-fetch-site", "same-origin")]));
        assert!(!refused(&[COOKIE, ("sec-fetch-site", "none")]));
        assert!(!refused(&[COOKIE, ("origin", PUBLIC)]));
        assert!(!refused(&[
            COOKIE,
            HOST_HDR,
            ("origin", "http://10.0.0.5:3000")
        ]));
        assert!(!refused(&[COOKIE]), "no browser headers: not a browser");
        assert!(!refused(&[("origin", "https://evil.example")]), "no cookie");
        let bearer = ("authorization", "Bearer t");
        assert!(!refused(&[
            COOKIE,
            bearer,
            ("origin", "https://evil.example")
        ]));
        let get = headers(&[COOKIE, ("sec-fetch-site", "cross-site")]);
        assert!(!is_cross_site(&Method::GET, &get, PUBLIC));
    }
}
