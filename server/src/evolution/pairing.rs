//! Asking Evolution which API it speaks (`GET /`) and for the QR code that pairs an instance
//! with a phone (`GET /instance/connect/{instance}`).
//!
//! Both versions answer `GET /` with `{status, message, version, …}` (v2 [E236]
//! `src/api/routes/index.router.ts:191-201`, v1 [E182] `src/api/routes/index.router.ts:43-51`),
//! without an api key. `GET /instance/connect/{instance}` answers, in v2 and v1 alike
//! ([E236] `src/api/controllers/instance.controller.ts:295-330`, [E182] `:598-635`), the
//! connection state `{instance: {instanceName, state: "open"}}` when connected, else the
//! instance's `qrCode` getter `{pairingCode, code, base64, count}` (`base64` a
//! `data:image/png;base64,…` URL; `pairingCode` only when a phone number was given).

use std::time::Duration;

use serde_json::Value;

use super::client::{
    ApiVersion, EvolutionClient, SendError, Target, classify, describe, read_json, sanitized,
    unreachable,
};
use super::event::QrCode;

/// What `GET /instance/connect/{instance}` answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pairing {
    /// The instance is already connected.
    Connected,
    /// A QR code to scan.
    Qr(QrCode),
}

/// The longest QR image accepted (a WhatsApp QR PNG is a few KiB).
const MAX_QR_CHARS: usize = 256 * 1024;

/// Reads Evolution's `{pairingCode, code, base64}` (the `connect` answer and the
/// `qrcode.updated` webhook's `qrcode`): `None` without a PNG data URL.
pub fn read_qr(value: &Value) -> Option<QrCode> {
    let base64 = value["base64"]
        .as_str()
        .filter(|b| b.starts_with("data:image/png;base64,") && b.len() <= MAX_QR_CHARS)?;
    let text = |field: &str| {
        value[field]
            .as_str()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(sanitized)
    };
    Some(QrCode {
        base64: base64.to_string(),
        pairing_code: text("pairingCode"),
        code: text("code"),
    })
}

/// The API a version string speaks: `1.x` is v1, `2.x` (and later) v2.
pub fn version_of(version: &str) -> Option<ApiVersion> {
    let major: u32 = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()?
        .parse()
        .ok()?;
    match major {
        0 => None,
        1 => Some(ApiVersion::V1),
        _ => Some(ApiVersion::V2),
    }
}

impl EvolutionClient {
    /// Asks the Evolution server at `api_url` which API it speaks (`GET /`'s `version`).
    pub async fn detect_version(&self, api_url: &str) -> Result<ApiVersion, SendError> {
        let url = format!("{api_url}/");
        let response = self
            .http_for(&url)?
            .get(&url)
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let body = read_json(response).await;
        if !status.is_success() {
            return Err(classify(status, &body));
        }
        let version = body["version"].as_str().unwrap_or_default();
        version_of(version).ok_or_else(|| {
            SendError::Rejected(format!(
                "{} does not look like an Evolution API (no version in GET /: {})",
                sanitized(api_url),
                describe(status, &body)
            ))
        })
    }

    /// Asks Evolution to pair the instance: its QR code, or [`Pairing::Connected`].
    pub async fn connect(&self, target: &Target) -> Result<Pairing, SendError> {
        let url = format!("{}/instance/connect/{}", target.api_url, target.instance);
        let response = self
            .http_for(&url)?
            .get(&url)
            .header("apikey", &target.api_key)
            // Evolution waits 2 s (v2) or 5 s (v1) for the first QR before answering.
            .timeout(Duration::from_secs(20))
            .send()
            .await
            .map_err(|e| unreachable(&e))?;
        let status = response.status();
        let body = read_json(response).await;
        if !status.is_success() {
            return Err(classify(status, &body));
        }
        if body["instance"]["state"] == "open" {
            return Ok(Pairing::Connected);
        }
        // A failure inside Evolution is a 200 `{error: true, message}`.
        read_qr(&body).map(Pairing::Qr).ok_or_else(|| {
            let message = body["message"]
                .as_str()
                .unwrap_or("no QR code in the answer");
            SendError::Rejected(sanitized(message))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_map_to_apis() {
        assert_eq!(version_of("2.3.6"), Some(ApiVersion::V2));
        assert_eq!(version_of("1.8.2"), Some(ApiVersion::V1));
        assert_eq!(version_of("v2.0.0-beta"), Some(ApiVersion::V2));
        assert_eq!(version_of("3.0"), Some(ApiVersion::V2));
        assert_eq!(version_of(""), None);
        assert_eq!(version_of("banana"), None);
        assert_eq!(version_of("0.9"), None);
    }

    #[test]
    fn qr_answers_are_read() {
        let png = "data:image/png;base64,iVBORw0KGgo=";
        assert_eq!(
            read_qr(
                &json!({"pairingCode": "WZYEH1YY", "code": "2@abc", "base64": png, "count": 1})
            ),
            Some(QrCode {
                base64: png.into(),
                pairing_code: Some("WZYEH1YY".into()),
                code: Some("2@abc".into()),
            })
        );
        assert_eq!(
            read_qr(&json!({"pairingCode": null, "code": "2@abc", "base64": png})),
            Some(QrCode {
                base64: png.into(),
                pairing_code: None,
                code: Some("2@abc".into()),
            })
        );
        assert_eq!(read_qr(&json!({"base64": "javascript:alert(1)"})), None);
        let fixture = |body: &str| serde_json::from_str::<Value>(body).expect("fixture");
        let v2 = read_qr(&fixture(include_str!(
            "../../tests/fixtures/evolution/v2_instance_connect_response.json"
        )))
        .expect("v2 answer");
        assert_eq!(v2.pairing_code.as_deref(), Some("WZYEH1YY"));
        let v1 = read_qr(&fixture(include_str!(
            "../../tests/fixtures/evolution/v1_instance_connect_response.json"
        )))
        .expect("v1 answer");
        assert_eq!(v1.pairing_code, None);
        assert!(v1.code.is_some_and(|c| c.starts_with("2@")));
        for (body, api) in [
            (
                include_str!("../../tests/fixtures/evolution/v2_root_response.json"),
                ApiVersion::V2,
            ),
            (
                include_str!("../../tests/fixtures/evolution/v1_root_response.json"),
                ApiVersion::V1,
            ),
        ] {
            assert_eq!(
                version_of(fixture(body)["version"].as_str().unwrap()),
                Some(api)
            );
        }
        assert_eq!(read_qr(&json!({"error": true, "message": "x"})), None);
    }
}
