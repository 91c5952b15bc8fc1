//! Flow's client of the Evolution API: `sendText`, `sendMedia`, `sendWhatsAppAudio`, `sendPoll`, `connectionState`, `findStatusMessage` and
//! `webhook/set`, for v2 and v1 instances (shapes in shared/evolution/README.md §3).

use std::time::Duration;

use serde_json::{Value, json};

use crate::evolution::ReceiptStatus;
use crate::evolution::address::{self, AddressPolicy};
use crate::evolution::outgoing::Outgoing;

/// How long a send may take beyond its typing delay before it counts as unanswered.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Which Evolution API an instance speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    /// Evolution 2.x: `{number, text, delay}`.
    V2,
    /// Evolution 1.x: `{number, options: {delay}, textMessage: {text}}`.
    V1,
}

impl ApiVersion {
    /// Both versions, the default first.
    pub const ALL: [Self; 2] = [Self::V2, Self::V1];

    /// From the stored `api_version` (`v1`, anything else is v2).
    pub fn parse(s: &str) -> Self {
        if s == "v1" { Self::V1 } else { Self::V2 }
    }

    /// The stored form: `v1` or `v2`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V1 => "v1",
            Self::V2 => "v2",
        }
    }
}

/// How to reach one instance.
#[derive(Clone, Debug)]
pub struct Target {
    /// Evolution's base URL (no trailing slash).
    pub api_url: String,
    /// The instance name.
    pub instance: String,
    /// The instance api key (secret).
    pub api_key: String,
    /// v1 or v2.
    pub version: ApiVersion,
}

/// Why a send did not produce a message id. Each variant says what the answer proves.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 400 with `exists: false`: the number has no WhatsApp. Permanent.
    #[error("not on WhatsApp")]
    NotOnWhatsApp,
    /// Another 4xx about the message: Evolution refused it. Permanent.
    #[error("Evolution refused the message: {0}")]
    Rejected(String),
    /// 401/403: Evolution refused our api key (wrong or revoked). Nothing was sent; it says
    /// nothing about the contact.
    #[error("Evolution refused the api key: {0}")]
    Unauthorized(String),
    /// 404: Evolution does not know the instance. Nothing was sent.
    #[error("Evolution does not know the instance: {0}")]
    InstanceMissing(String),
    /// An answer that proves nothing went out (Evolution unreachable, 429, 500 "Connection
    /// Closed"). Safe to retry.
    #[error("Evolution did not send: {0}")]
    NotSent(String),
    /// Evolution could not download the message's file from Flow's media URL (it fetches it
    /// before sending, so nothing went out): every send of the file would fail the same way.
    #[error("Evolution could not download the file: {0}")]
    MediaUnreachable(String),
    /// No answer in time, or an answer that proves nothing either way (another 5xx): the
    /// message may or may not have gone out. Never retried blindly.
    #[error("send outcome unknown: {0}")]
    Unknown(String),
}

/// The most of an Evolution answer Flow reads; a longer body is cut there.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The most characters of an upstream message shown to people.
const MAX_MESSAGE_CHARS: usize = 200;

/// An Evolution API client (one connection pool for every instance).
#[derive(Clone, Debug)]
pub struct EvolutionClient {
    http: reqwest::Client,
    policy: AddressPolicy,
}

impl EvolutionClient {
    /// A client that reaches only the addresses `policy` allows
    /// (`FLOW_EVOLUTION_ALLOW_PRIVATE`).
    pub fn new(policy: AddressPolicy) -> Self {
        Self {
            // No redirects: one would carry the `apikey` header to another host.
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .dns_resolver(address::resolver(policy))
                .build()
                .unwrap_or_default(),
            policy,
        }
    }

    /// Which addresses it may reach.
    pub fn policy(&self) -> AddressPolicy {
        self.policy
    }

    /// The HTTP client for a call to `url`, if the address policy allows it (a URL naming a
    /// private address is refused here; a name, by the client's resolver).
    pub(super) fn http_for(&self, url: &str) -> Result<&reqwest::Client, SendError> {
        self.policy
            .check_url(url)
            .map(|_| &self.http)
            .map_err(|e| SendError::NotSent(format!("Flow may not call this address: {e}")))
    }
}

/// Reads at most [`MAX_ANSWER_BYTES`] of an answer as JSON (`Null` when it is not JSON, or
/// longer than that).
pub(super) async fn read_json(mut response: reqwest::Response) -> Value {
    let mut bytes: Vec<u8> = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if bytes.len() + chunk.len() <= MAX_ANSWER_BYTES => {
                bytes.extend_from_slice(&chunk);
            }
            Ok(None) => break,
            Ok(Some(_)) | Err(_) => return Value::Null,
        }
    }
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// `text` as it may be shown to an admin: control characters dropped, at most
/// [`MAX_MESSAGE_CHARS`] characters.
pub(super) fn sanitized(text: &str) -> String {
    let clean: String = text.chars().filter(|c| !c.is_control()).collect();
    match clean.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((cut, _)) => format!("{}…", &clean[..cut]),
        None => clean,
    }
}

/// `{status}: {message}` of an Evolution error answer, sanitized.
pub(super) fn describe(status: reqwest::StatusCode, body: &Value) -> String {
    sanitized(&format!("{status}: {}", error_message(body)))
}

/// The text of Evolution's error body `{status, error, response: {message}}`.
fn error_message(body: &Value) -> String {
    let message = &body["response"]["message"];
    match message {
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => body["error"]
            .as_str()
            .unwrap_or("unknown error")
            .to_string(),
        other => other.to_string(),
    }
}

/// Whether an error answer is Evolution failing to download a file it was given by URL
/// (`AxiosError: Request failed with status code 404`, `Failed to fetch stream from …`, a
/// refused or unresolved host): docs/notes/evolution-media-polls.md.
fn media_unreachable(body: &Value) -> bool {
    let message = error_message(body);
    [
        "AxiosError",
        "Failed to fetch stream",
        "ECONNREFUSED",
        "ENOTFOUND",
        "getaddrinfo",
    ]
    .iter()
    .any(|sign| message.contains(sign))
}

fn not_on_whatsapp(body: &Value) -> bool {
    body["response"]["message"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i["exists"] == json!(false)))
}

impl EvolutionClient {
    /// Sends `message` to `number` (digits) with the route and body of the instance's API
    /// version. `typing_delay_ms` is Evolution's `delay` (it holds the request that long), so
    /// the timeout is above it. Returns the WhatsApp message id.
    pub async fn send(
        &self,
        target: &Target,
        number: &str,
        message: &Outgoing,
        typing_delay_ms: u64,
    ) -> Result<String, SendError> {
        let (route, body) = message.request(target.version, number, typing_delay_ms);
        let url = format!("{}/message/{route}/{}", target.api_url, target.instance);
        let _timer = CallTimer::start(message.call_name());
        let response = self
            .http_for(&url)?
            .post(&url)
            .header("apikey", &target.api_key)
            .timeout(Duration::from_millis(typing_delay_ms) + SEND_TIMEOUT)
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    SendError::NotSent("cannot connect to Evolution".into())
                } else if e.is_timeout() {
                    SendError::Unknown("no answer in time".into())
                } else {
                    SendError::Unknown("the connection failed mid-request".into())
                }
            })?;
        let status = response.status();
        let body = read_json(response).await;
        if status.is_success() {
            return body["key"]["id"]
                .as_str()
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .ok_or_else(|| SendError::Unknown("the answer carries no key.id".into()));
        }
        Err(classify(status, &body))
    }

    /// The instance's connection state (`open`, `connecting`, `close`, `refused`).
    pub async fn connection_state(&self, target: &Target) -> Result<String, SendError> {
        let url = format!(
            "{}/instance/connectionState/{}",
            target.api_url, target.instance
        );
        let _timer = CallTimer::start("connection_state");
        let response = self
            .http_for(&url)?
            .get(&url)
            .header("apikey", &target.api_key)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let body = read_json(response).await;
        match body["instance"]["state"].as_str() {
            Some(state) if status.is_success() => Ok(sanitized(state)),
            _ if !status.is_success() => Err(classify(status, &body)),
            _ => Err(SendError::Rejected(describe(status, &body))),
        }
    }

    /// The statuses Evolution stored for a message Flow sent (`POST /chat/findStatusMessage`,
    /// v2 rows carry `keyId`, v1 rows `id`; both `status`), oldest first as Evolution keeps
    /// them. Unknown status words are left out.
    pub async fn find_statuses(
        &self,
        target: &Target,
        remote_jid: &str,
        message_id: &str,
    ) -> Result<Vec<ReceiptStatus>, SendError> {
        let url = format!(
            "{}/chat/findStatusMessage/{}",
            target.api_url, target.instance
        );
        let _timer = CallTimer::start("find_status_message");
        let response = self
            .http_for(&url)?
            .post(&url)
            .header("apikey", &target.api_key)
            .json(&json!({"where": {"remoteJid": remote_jid, "id": message_id}}))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let body = read_json(response).await;
        if !status.is_success() {
            return Err(classify(status, &body));
        }
        // Some versions wrap the rows (`{"messages": {"records": […]}}`-like); take any array.
        let rows = body
            .as_array()
            .or_else(|| body["records"].as_array())
            .or_else(|| body["messages"]["records"].as_array())
            .cloned()
            .unwrap_or_default();
        Ok(rows
            .iter()
            .filter(|row| {
                let id = row["keyId"].as_str().or_else(|| row["id"].as_str());
                id.is_none_or(|id| id == message_id)
            })
            .filter_map(|row| match &row["status"] {
                Value::String(word) => ReceiptStatus::from_word(word),
                Value::Number(n) => n.as_u64().and_then(ReceiptStatus::from_baileys_code),
                _ => None,
            })
            .collect())
    }

    /// Points the instance's webhook at `webhook_url` with the events Flow uses.
    pub async fn set_webhook(&self, target: &Target, webhook_url: &str) -> Result<(), SendError> {
        let events = [
            "MESSAGES_UPSERT",
            "MESSAGES_UPDATE",
            "SEND_MESSAGE",
            "CONNECTION_UPDATE",
            "MESSAGES_DELETE",
            "PRESENCE_UPDATE",
            "CONTACTS_UPSERT",
            "CONTACTS_UPDATE",
        ];
        let body = match target.version {
            ApiVersion::V2 => json!({ "webhook": {
                "enabled": true, "url": webhook_url, "byEvents": false, "base64": false,
                "events": events,
            }}),
            ApiVersion::V1 => json!({
                "enabled": true, "url": webhook_url, "webhook_by_events": false,
                "webhook_base64": false, "events": events,
            }),
        };
        let url = format!("{}/webhook/set/{}", target.api_url, target.instance);
        let _timer = CallTimer::start("set_webhook");
        let response = self
            .http_for(&url)?
            .post(&url)
            .header("apikey", &target.api_key)
            .timeout(Duration::from_secs(10))
            .json(&body)
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(classify(status, &read_json(response).await))
        }
    }
}

/// Records how long an Evolution call took (in `/metrics`) when dropped.
struct CallTimer {
    call: &'static str,
    started: std::time::Instant,
}

impl CallTimer {
    fn start(call: &'static str) -> Self {
        Self {
            call,
            started: std::time::Instant::now(),
        }
    }
}

impl Drop for CallTimer {
    fn drop(&mut self) {
        metrics::histogram!(crate::telemetry::EVOLUTION_CALL, "call" => self.call)
            .record(self.started.elapsed().as_secs_f64());
    }
}

/// A request that got no answer (connection refused, timeout), said without the URL.
pub(super) fn unreachable(e: &reqwest::Error) -> SendError {
    if e.is_timeout() {
        SendError::NotSent("no answer from Evolution in time".into())
    } else {
        SendError::NotSent("cannot reach Evolution".into())
    }
}

/// What an error answer proves: a redirect (not followed), 429 or 500 "Connection Closed" that
/// nothing was sent; 401/403 that our key is refused; 404 that the instance is unknown;
/// `exists: false` that the number has no WhatsApp; another 4xx that the message was refused;
/// another 5xx nothing either way.
pub(super) fn classify(status: reqwest::StatusCode, body: &Value) -> SendError {
    let text = describe(status, body);
    match status.as_u16() {
        // A redirect is not followed (it would carry the api key elsewhere): nothing was sent.
        300..=399 => SendError::NotSent(text),
        401 | 403 => SendError::Unauthorized(text),
        // sendMedia wraps the download's error in a 500; sendWhatsAppAudio answers with the
        // download's own status (a 404 here is the file's, not the instance's).
        _ if media_unreachable(body) => SendError::MediaUnreachable(text),
        404 => SendError::InstanceMissing(text),
        429 => SendError::NotSent(text),
        500 if error_message(body).contains("Connection Closed") => SendError::NotSent(text),
        500..=599 => SendError::Unknown(text),
        _ if not_on_whatsapp(body) => SendError::NotOnWhatsApp,
        _ => SendError::Rejected(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_on_whatsapp_reads_as_the_dashboard_translates_it() {
        assert_eq!(
            SendError::NotOnWhatsApp.to_string(),
            app::types::NOT_ON_WHATSAPP_ERROR
        );
    }

    #[test]
    fn reads_evolution_errors() {
        let e: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/evolution/v2_error_400_not_on_whatsapp.json"
        ))
        .unwrap();
        assert!(not_on_whatsapp(&e));
        let e: Value = serde_json::from_str(include_str!(
            "../../tests/fixtures/evolution/v2_error_500_connection_closed.json"
        ))
        .unwrap();
        assert!(!not_on_whatsapp(&e));
        assert!(error_message(&e).contains("Connection Closed"));
        let e = json!({"status": 400, "error": "Bad Request", "response": {"message": ["Text is required"]}});
        assert_eq!(error_message(&e), "Text is required");
    }

    #[test]
    fn a_file_evolution_cannot_download_is_not_an_unknown_outcome() {
        let media = json!({"status": 500, "error": "Internal Server Error",
            "response": {"message": ["AxiosError: Request failed with status code 404"]}});
        assert!(matches!(
            classify(reqwest::StatusCode::INTERNAL_SERVER_ERROR, &media),
            SendError::MediaUnreachable(_)
        ));
        let audio = json!({"status": 404, "error": "Internal Server Error",
            "response": {"message": "AxiosError: Request failed with status code 404"}});
        assert!(matches!(
            classify(reqwest::StatusCode::NOT_FOUND, &audio),
            SendError::MediaUnreachable(_)
        ));
        let instance = json!({"status": 404, "error": "Not Found",
            "response": {"message": ["The \"x\" instance does not exist"]}});
        assert!(matches!(
            classify(reqwest::StatusCode::NOT_FOUND, &instance),
            SendError::InstanceMissing(_)
        ));
    }

    #[test]
    fn answers_are_classified_by_what_they_prove() {
        use reqwest::StatusCode as S;
        let closed = json!({"status": 500, "error": "Internal Server Error", "response": {"message": "Error: Connection Closed"}});
        let other = json!({"status": 500, "error": "Internal Server Error", "response": {"message": "TypeError: x is undefined"}});
        let missing = json!({"status": 404, "error": "Not Found", "response": {"message": ["The \"loja\" instance does not exist"]}});
        type Expect = fn(&SendError) -> bool;
        let cases: &[(S, &Value, Expect)] = &[
            (S::UNAUTHORIZED, &Value::Null, |e| {
                matches!(e, SendError::Unauthorized(_))
            }),
            (S::FORBIDDEN, &Value::Null, |e| {
                matches!(e, SendError::Unauthorized(_))
            }),
            (S::NOT_FOUND, &missing, |e| {
                matches!(e, SendError::InstanceMissing(_))
            }),
            (S::TOO_MANY_REQUESTS, &Value::Null, |e| {
                matches!(e, SendError::NotSent(_))
            }),
            (S::INTERNAL_SERVER_ERROR, &closed, |e| {
                matches!(e, SendError::NotSent(_))
            }),
            (S::INTERNAL_SERVER_ERROR, &other, |e| {
                matches!(e, SendError::Unknown(_))
            }),
            (S::BAD_GATEWAY, &Value::Null, |e| {
                matches!(e, SendError::Unknown(_))
            }),
            (S::BAD_REQUEST, &Value::Null, |e| {
                matches!(e, SendError::Rejected(_))
            }),
        ];
        for (status, body, expected) in cases {
            let got = classify(*status, body);
            assert!(expected(&got), "{status} {body} → {got:?}");
        }
    }

    #[test]
    fn upstream_messages_are_cut_and_cleaned() {
        let long = "x".repeat(5000);
        let shown = sanitized(&format!("a\u{1b}[31mb\n{long}"));
        assert!(shown.starts_with("a[31mb"));
        assert!(shown.chars().count() <= MAX_MESSAGE_CHARS + 1);
    }
}
