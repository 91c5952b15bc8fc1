//! The send routes' request bodies as Evolution reads them (`sendText`, `sendMedia`,
//! `sendWhatsAppAudio`, `sendPoll`, v2 and v1), with its 400 answers for missing fields, and
//! its download of media given by URL, with its error answers when the URL fails
//! (docs/notes/evolution-media-polls.md).

use axum::http::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Which send route was called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// `sendText`.
    Text,
    /// `sendMedia`.
    Media,
    /// `sendWhatsAppAudio`.
    Audio,
    /// `sendPoll`.
    Poll,
}

/// A send request, read.
#[derive(Clone, Debug, Default)]
pub struct Request {
    /// The number, digits.
    pub number: String,
    /// The typing `delay`, milliseconds.
    pub delay: u64,
    /// `text`, `image`, `video`, `document`, `audio` or `poll`.
    pub kind: String,
    /// The text, caption or poll question.
    pub text: String,
    /// The media URL (or base64), for media and audio.
    pub media: Option<String>,
    /// A document's name.
    pub file_name: Option<String>,
    /// A poll's options.
    pub values: Vec<String>,
    /// How many options a voter may pick.
    pub selectable: u64,
}

/// Evolution's error body.
pub fn error(status: StatusCode, message: Value) -> (StatusCode, Value) {
    (
        status,
        json!({
            "status": status.as_u16(),
            "error": status.canonical_reason().unwrap_or(""),
            "response": {"message": message},
        }),
    )
}

/// A schema failure: Evolution nests the validator's messages in one more array.
fn missing(property: &str) -> (StatusCode, Value) {
    error(
        StatusCode::BAD_REQUEST,
        json!([[format!("instance requires property \"{property}\"")]]),
    )
}

fn text_of(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

/// Reads a send body for `route` in the instance's version; Evolution's 400 when it lacks a
/// required field.
pub fn read(route: Route, v1: bool, body: &Value) -> Result<Request, (StatusCode, Value)> {
    let number = body["number"]
        .as_str()
        .unwrap_or("")
        .trim_start_matches('+')
        .to_string();
    let delay = if v1 {
        body["options"]["delay"].as_u64()
    } else {
        body["delay"].as_u64()
    }
    .unwrap_or(0);
    let mut request = Request {
        number,
        delay,
        selectable: 1,
        ..Request::default()
    };
    match (route, v1) {
        (Route::Text, true) => {
            request.kind = "text".into();
            request.text = text_of(&body["textMessage"]["text"]).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    json!(["instance requires property \"textMessage\""]),
                )
            })?;
        }
        (Route::Text, false) => {
            request.kind = "text".into();
            request.text = text_of(&body["text"]).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    json!(["instance requires property \"text\""]),
                )
            })?;
        }
        (Route::Media, _) => {
            let media = if v1 { &body["mediaMessage"] } else { body };
            if v1 && !media.is_object() {
                return Err(missing("mediaMessage"));
            }
            let kind = text_of(&media["mediatype"]).ok_or_else(|| missing("mediatype"))?;
            if !["image", "video", "document", "audio"].contains(&kind.as_str()) {
                return Err(error(
                    StatusCode::BAD_REQUEST,
                    json!([[
                        "instance.mediatype is not one of enum values: image,document,video,audio"
                    ]]),
                ));
            }
            let url = text_of(&media["media"]).filter(|m| !m.is_empty());
            let Some(url) = url else {
                return Err(if v1 {
                    missing("media")
                } else {
                    error(
                        StatusCode::BAD_REQUEST,
                        json!(["Owned media must be a url or base64"]),
                    )
                });
            };
            request.kind = kind;
            request.media = Some(url);
            request.text = text_of(&media["caption"]).unwrap_or_default();
            request.file_name = text_of(&media["fileName"]);
        }
        (Route::Audio, _) => {
            let audio = if v1 {
                if !body["options"].is_object() {
                    // v1 sets `options.encoding` before reading the body.
                    return Err(error(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json!("Cannot set properties of undefined (setting 'encoding')"),
                    ));
                }
                &body["audioMessage"]["audio"]
            } else {
                &body["audio"]
            };
            request.kind = "audio".into();
            request.media = Some(
                text_of(audio).ok_or_else(|| missing(if v1 { "audioMessage" } else { "audio" }))?,
            );
        }
        (Route::Poll, _) => {
            let poll = if v1 { &body["pollMessage"] } else { body };
            if v1 && !poll.is_object() {
                return Err(missing("pollMessage"));
            }
            request.kind = "poll".into();
            request.text = text_of(&poll["name"]).ok_or_else(|| missing("name"))?;
            request.selectable = poll["selectableCount"]
                .as_u64()
                .ok_or_else(|| missing("selectableCount"))?;
            request.values = poll["values"]
                .as_array()
                .map(|v| v.iter().filter_map(text_of).collect())
                .filter(|v: &Vec<String>| v.len() >= 2)
                .ok_or_else(|| missing("values"))?;
        }
    }
    Ok(request)
}

/// A file Evolution downloaded.
#[derive(Clone, Debug)]
pub struct Downloaded {
    /// SHA-256 of its bytes, hex.
    pub sha256: String,
    /// Bytes.
    pub size: u64,
    /// The `Content-Type` it was served with.
    pub mimetype: Option<String>,
}

/// Downloads `url` as Evolution does before sending (the whole file). Its failures answer as
/// Evolution's do: `sendMedia` wraps them in a 500, `sendWhatsAppAudio` answers with the
/// download's own status.
pub async fn download(
    http: &reqwest::Client,
    route: Route,
    url: &str,
) -> Result<Downloaded, (StatusCode, Value)> {
    let failed = |upstream: Option<StatusCode>, text: String| match (route, upstream) {
        (Route::Audio, Some(status)) => (
            status,
            json!({"status": status.as_u16(), "error": "Internal Server Error",
                   "response": {"message": text}}),
        ),
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, json!([text])),
    };
    if !url.starts_with("http://") && !url.starts_with("https://") {
        // Base64: what was sent is the file.
        let bytes = url.as_bytes();
        return Ok(Downloaded {
            sha256: hex::encode(Sha256::digest(bytes)),
            size: bytes.len() as u64,
            mimetype: None,
        });
    }
    let response = http
        .get(url)
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .map_err(|e| {
            failed(
                None,
                format!("Error: Failed to fetch stream from {url}: {e}"),
            )
        })?;
    let status = response.status();
    if !status.is_success() {
        let code = StatusCode::from_u16(status.as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        return Err(failed(
            Some(code),
            format!(
                "AxiosError: Request failed with status code {}",
                status.as_u16()
            ),
        ));
    }
    let mimetype = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(|e| {
        failed(
            None,
            format!("Error: Failed to fetch stream from {url}: {e}"),
        )
    })? {
        size += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok(Downloaded {
        sha256: hex::encode(hasher.finalize()),
        size,
        mimetype,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_each_route_in_both_versions() {
        let v2 = json!({"number": "5511", "mediatype": "image", "media": "http://x/m", "caption": "Oi", "delay": 9});
        let r = read(Route::Media, false, &v2).unwrap();
        assert_eq!(
            (r.kind.as_str(), r.text.as_str(), r.delay),
            ("image", "Oi", 9)
        );
        let v1 = json!({"number": "5511", "options": {"delay": 5}, "mediaMessage": {"mediatype": "document", "media": "http://x/m", "fileName": "c.pdf"}});
        let r = read(Route::Media, true, &v1).unwrap();
        assert_eq!(r.file_name.as_deref(), Some("c.pdf"));
        let poll = json!({"number": "5511", "options": {}, "pollMessage": {"name": "Q?", "selectableCount": 1, "values": ["a", "b"]}});
        assert_eq!(read(Route::Poll, true, &poll).unwrap().values, ["a", "b"]);
    }

    #[test]
    fn missing_fields_are_evolutions_400s() {
        let (status, body) = read(
            Route::Media,
            false,
            &json!({"number": "5511", "media": "x"}),
        )
        .unwrap_err();
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(
            body["response"]["message"][0][0],
            "instance requires property \"mediatype\""
        );
        let (_, body) = read(
            Route::Media,
            false,
            &json!({"number": "5511", "mediatype": "image"}),
        )
        .unwrap_err();
        assert_eq!(
            body["response"]["message"][0],
            "Owned media must be a url or base64"
        );
        let (status, _) = read(
            Route::Audio,
            true,
            &json!({"number": "5511", "audioMessage": {"audio": "x"}}),
        )
        .unwrap_err();
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(
            read(
                Route::Poll,
                false,
                &json!({"number": "5511", "name": "Q", "selectableCount": 1, "values": ["a"]})
            )
            .is_err()
        );
    }
}
