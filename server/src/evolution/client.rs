//! Flow's client of the Evolution API: `sendText`, `connectionState` and `webhook/set`, for v2
//! and v1 instances (shapes in shared/evolution/README.md §3).

use std::time::Duration;

use serde_json::{Value, json};

/// Which Evolution API an instance speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiVersion {
    /// Evolution 2.x: `{number, text, delay}`.
    V2,
    /// Evolution 1.x: `{number, options: {delay}, textMessage: {text}}`.
    V1,
}

impl ApiVersion {
    /// From the stored `api_version` (`v1`, anything else is v2).
    pub fn parse(s: &str) -> Self {
        if s == "v1" { Self::V1 } else { Self::V2 }
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

/// Why a send did not produce a message id.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// 400 with `exists: false`: the number has no WhatsApp. Permanent.
    #[error("not on WhatsApp")]
    NotOnWhatsApp,
    /// Another 4xx: Evolution refused the request. Permanent.
    #[error("Evolution refused the message: {0}")]
    Rejected(String),
    /// Evolution answered that it did not send (5xx such as "Connection Closed"), or could not
    /// be reached at all. Safe to retry.
    #[error("Evolution is unavailable: {0}")]
    Unavailable(String),
    /// No answer in time: the message may or may not have gone out. Never retried blindly.
    #[error("no answer from Evolution in time: {0}")]
    Unknown(String),
}

/// An Evolution API client (one connection pool for every instance).
#[derive(Clone, Debug)]
pub struct EvolutionClient {
    http: reqwest::Client,
}

impl Default for EvolutionClient {
    fn default() -> Self {
        Self {
            http: reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .unwrap_or_default(),
        }
    }
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

fn not_on_whatsapp(body: &Value) -> bool {
    body["response"]["message"]
        .as_array()
        .is_some_and(|items| items.iter().any(|i| i["exists"] == json!(false)))
}

impl EvolutionClient {
    /// Sends `text` to `number` (digits). `typing_delay_ms` is Evolution's `delay` (it holds the
    /// request that long), so the timeout is above it. Returns the WhatsApp message id.
    pub async fn send_text(
        &self,
        target: &Target,
        number: &str,
        text: &str,
        typing_delay_ms: u64,
    ) -> Result<String, SendError> {
        let body = match target.version {
            ApiVersion::V2 => json!({ "number": number, "text": text, "delay": typing_delay_ms }),
            ApiVersion::V1 => json!({
                "number": number,
                "options": { "delay": typing_delay_ms, "presence": "composing" },
                "textMessage": { "text": text },
            }),
        };
        let url = format!("{}/message/sendText/{}", target.api_url, target.instance);
        let response = self
            .http
            .post(&url)
            .header("apikey", &target.api_key)
            .timeout(Duration::from_millis(typing_delay_ms) + Duration::from_secs(30))
            .json(&body)
            .send()
            .await
            .map_err(|e| {
                if e.is_connect() {
                    SendError::Unavailable(format!("cannot connect: {e}"))
                } else {
                    SendError::Unknown(e.to_string())
                }
            })?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return body["key"]["id"]
                .as_str()
                .filter(|id| !id.is_empty())
                .map(str::to_string)
                .ok_or_else(|| SendError::Unknown("the answer carries no key.id".into()));
        }
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(SendError::Unavailable(format!(
                "{status}: {}",
                error_message(&body)
            )));
        }
        if not_on_whatsapp(&body) {
            return Err(SendError::NotOnWhatsApp);
        }
        Err(SendError::Rejected(format!(
            "{status}: {}",
            error_message(&body)
        )))
    }

    /// The instance's connection state (`open`, `connecting`, `close`, `refused`).
    pub async fn connection_state(&self, target: &Target) -> Result<String, SendError> {
        let url = format!(
            "{}/instance/connectionState/{}",
            target.api_url, target.instance
        );
        let response = self
            .http
            .get(&url)
            .header("apikey", &target.api_key)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| SendError::Unavailable(e.to_string()))?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        match body["instance"]["state"].as_str() {
            Some(state) if status.is_success() => Ok(state.to_string()),
            _ => Err(SendError::Rejected(format!(
                "{status}: {}",
                error_message(&body)
            ))),
        }
    }

    /// Points the instance's webhook at `webhook_url` with the events Flow uses.
    pub async fn set_webhook(&self, target: &Target, webhook_url: &str) -> Result<(), SendError> {
        let events = [
            "MESSAGES_UPSERT",
            "MESSAGES_UPDATE",
            "SEND_MESSAGE",
            "CONNECTION_UPDATE",
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
        let response = self
            .http
            .post(&url)
            .header("apikey", &target.api_key)
            .timeout(Duration::from_secs(10))
            .json(&body)
            .send()
            .await
            .map_err(|e| SendError::Unavailable(e.to_string()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            let body: Value = response.json().await.unwrap_or(Value::Null);
            Err(SendError::Rejected(format!(
                "{status}: {}",
                error_message(&body)
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
