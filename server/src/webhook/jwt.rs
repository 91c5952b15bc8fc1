//! Evolution's `jwt_key` webhook mode: `Authorization: Bearer <JWT>`, HS256-signed with the
//! instance's webhook secret, payload `{iat, exp: iat + 600, app, action}`. Evolution mints the
//! token once per event and reuses it on every retry (up to ~20 minutes), so an expired token is
//! accepted for [`EXPIRY_GRACE_SECS`] after its `exp`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How long after `exp` a token is still accepted.
pub const EXPIRY_GRACE_SECS: i64 = 30 * 60;

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts of JSON.
    #[error("malformed token")]
    Malformed,
    /// Not HS256.
    #[error("unsupported algorithm")]
    Algorithm,
    /// The signature does not match the key.
    #[error("bad signature")]
    Signature,
    /// Expired longer ago than the grace period.
    #[error("expired")]
    Expired,
}

/// Whether `token` has the shape of a JWT (three dot-separated parts).
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// Checks `token`'s HS256 signature against `key` and its expiry against `now` (Unix seconds).
pub fn verify(token: &str, key: &[u8], now: i64) -> Result<(), JwtError> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(JwtError::Malformed);
    };
    let decode = |part: &str| URL_SAFE_NO_PAD.decode(part.trim_end_matches('='));
    let header: serde_json::Value = decode(header)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if header["alg"] != "HS256" {
        return Err(JwtError::Algorithm);
    }
    let signature = decode(signature).map_err(|_| JwtError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| JwtError::Signature)?;
    let signing_input = token.rsplit_once('.').map_or("", |(head, _)| head);
    mac.update(signing_input.as_bytes());
    mac.verify_slice(&signature)
        .map_err(|_| JwtError::Signature)?;
    let claims: serde_json::Value = decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(JwtError::Malformed)?;
    if let Some(exp) = claims["exp"].as_i64()
        && now > exp + EXPIRY_GRACE_SECS
    {
        return Err(JwtError::Expired);
    }
    Ok(())
}

/// Signs `claims` with HS256 (what Evolution does; used by tests and the simulator).
pub fn sign(claims: &serde_json::Value, key: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signing_input = format!("{header}.{payload}");
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(signing_input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NOW: i64 = 1_761_055_392;

    fn token(exp: i64, key: &[u8]) -> String {
        sign(
            &json!({"iat": exp - 600, "exp": exp, "app": "evolution", "action": "webhook"}),
            key,
        )
    }

    #[test]
    fn valid_and_recently_expired_tokens_pass() {
        assert_eq!(verify(&token(NOW + 600, b"k"), b"k", NOW), Ok(()));
        assert_eq!(verify(&token(NOW - 600, b"k"), b"k", NOW), Ok(()));
    }

    #[test]
    fn bad_tokens_fail() {
        assert_eq!(
            verify(&token(NOW + 600, b"k"), b"other", NOW),
            Err(JwtError::Signature)
        );
        assert_eq!(
            verify(&token(NOW - EXPIRY_GRACE_SECS - 601, b"k"), b"k", NOW),
            Err(JwtError::Expired)
        );
        assert_eq!(verify("a.b", b"k", NOW), Err(JwtError::Malformed));
        assert_eq!(verify("a.b.c", b"k", NOW), Err(JwtError::Malformed));
        let none = format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#),
            URL_SAFE_NO_PAD.encode(b"{}")
        );
        assert_eq!(verify(&none, b"k", NOW), Err(JwtError::Algorithm));
        let mut tampered = token(NOW + 600, b"k");
        tampered.insert(tampered.find('.').unwrap() + 2, 'x');
        assert!(verify(&tampered, b"k", NOW).is_err());
    }
}
