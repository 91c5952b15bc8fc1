//! Talking to the dashboard as a browser does: logging in through the login server function
//! and sending requests with the session cookie.

use reqwest::header::{COOKIE, SET_COOKIE};
use serde_json::Value;

use super::TestApp;

/// The session cookie (`flow_session=…`) an answer sets, if any.
pub fn session_cookie(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("flow_session=") && !v.starts_with("flow_session=;"))
        .map(|v| v.split(';').next().unwrap_or_default().to_string())
}

impl TestApp {
    /// Posts the login server function; the status and the session cookie (`flow_session=…`)
    /// when one was set.
    pub async fn try_login(&self, email: &str, password: &str) -> (u16, Option<String>) {
        let res = self
            .client
            .post(self.url("/api/ui/login"))
            .form(&[("email", email), ("password", password)])
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), session_cookie(&res))
    }

    /// A request with the session `cookie` (and a JSON body when given): status and JSON body
    /// (Null when not JSON).
    pub async fn with_cookie(
        &self,
        cookie: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.respond(self.request(method, path, body).header(COOKIE, cookie))
            .await
    }

    /// The page at `path` as the browser of a session `cookie` gets it: status and HTML.
    pub async fn page_with_cookie(&self, cookie: &str, path: &str) -> (u16, String) {
        let res = self
            .request("GET", path, None)
            .header(COOKIE, cookie)
            .send()
            .await
            .expect("request");
        (res.status().as_u16(), res.text().await.unwrap_or_default())
    }
}
