//! Evolution's `jwt_key` webhook mode: `Authorization: Bearer <JWT>`, HS256-signed with the
//! instance's webhook secret, payload `{iat, exp: iat + 600, app, action}`. Evolution mints the
//! token once per event and reuses it on every retry (up to ~20 minutes), so an expired token is
//! accepted for [`EXPIRY_GRACE_SECS`] after its `exp`.
//!
//! Verification is the `jsonwebtoken` crate's, with the algorithm pinned to HS256: a token
//! whose header names any other algorithm (`none`, `HS512`, RS256, …) is refused before its
//! signature is looked at.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

/// How long after `exp` a token is still accepted.
pub const EXPIRY_GRACE_SECS: u64 = 30 * 60;

/// Why a token was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum JwtError {
    /// Not three base64url parts of JSON, or claims of the wrong type.
    #[error("malformed token")]
    Malformed,
    /// Not HS256.
    #[error("unsupported algorithm")]
    Algorithm,
    /// The signature does not match the key.
    #[error("bad signature")]
    Signature,
    /// No `exp`, or expired longer ago than the grace period.
    #[error("expired")]
    Expired,
}

impl From<jsonwebtoken::errors::Error> for JwtError {
    fn from(e: jsonwebtoken::errors::Error) -> Self {
        match e.kind() {
            ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => Self::Algorithm,
            ErrorKind::InvalidSignature => Self::Signature,
            ErrorKind::ExpiredSignature | ErrorKind::MissingRequiredClaim(_) => Self::Expired,
            _ => Self::Malformed,
        }
    }
}

/// Whether `token` has the shape of a JWT (three dot-separated parts).
pub fn looks_like_jwt(token: &str) -> bool {
    token.split('.').count() == 3
}

/// What a webhook token must satisfy: HS256 only, an `exp` no older than the grace period.
fn validation() -> Validation {
    let mut v = Validation::new(Algorithm::HS256);
    v.leeway = EXPIRY_GRACE_SECS;
    v.validate_aud = false;
    v
}

/// Checks `token`'s HS256 signature against `key` and its expiry (with the grace period)
/// against the clock.
pub fn verify(token: &str, key: &[u8]) -> Result<(), JwtError> {
    // An empty key verifies nothing.
    let key = DecodingKey::from_secret(key).map_err(|_| JwtError::Signature)?;
    jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation())?;
    Ok(())
}

/// Signs `claims` with HS256 (what Evolution does; used by tests). Panics on an empty key.
pub fn sign(claims: &serde_json::Value, key: &[u8]) -> String {
    EncodingKey::from_secret(key)
        .and_then(|key| jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &key))
        .expect("HS256 signs JSON claims with any non-empty key")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn now() -> i64 {
        chrono::Utc::now().timestamp()
    }

    fn token(exp: i64, key: &[u8]) -> String {
        sign(
            &json!({"iat": exp - 600, "exp": exp, "app": "evolution", "action": "webhook"}),
            key,
        )
    }

    fn grace() -> i64 {
        i64::try_from(EXPIRY_GRACE_SECS).expect("small")
    }

    #[test]
    fn valid_and_recently_expired_tokens_pass() {
        assert_eq!(verify(&token(now() + 600, b"k"), b"k"), Ok(()));
        assert_eq!(verify(&token(now() - 600, b"k"), b"k"), Ok(()));
        assert_eq!(verify(&token(now() - grace() + 60, b"k"), b"k"), Ok(()));
    }

    #[test]
    fn bad_tokens_fail() {
        assert_eq!(
            verify(&token(now() + 600, b"k"), b"other"),
            Err(JwtError::Signature)
        );
        assert_eq!(
            verify(&token(now() - grace() - 601, b"k"), b"k"),
            Err(JwtError::Expired)
        );
        assert_eq!(
            verify(&sign(&json!({"app": "evolution"}), b"k"), b"k"),
            Err(JwtError::Expired)
        );
        assert_eq!(verify("a.b", b"k"), Err(JwtError::Malformed));
        assert_eq!(verify("a.b.c", b"k"), Err(JwtError::Malformed));
        assert_eq!(
            verify(&token(now() + 600, b"k"), b""),
            Err(JwtError::Signature)
        );
        let mut tampered = token(now() + 600, b"k");
        tampered.insert(tampered.find('.').unwrap() + 2, 'x');
        assert!(verify(&tampered, b"k").is_err());
    }

    #[test]
    fn other_algorithms_fail_even_with_the_right_key() {
        // {"alg":"none","typ":"JWT"} . {"exp":4102444800} . (no signature)
        let none = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJleHAiOjQxMDI0NDQ4MDB9.";
        assert!(verify(none, b"k").is_err());
        let hs512 = jsonwebtoken::encode(
            &Header::new(Algorithm::HS512),
            &json!({"exp": now() + 600}),
            &EncodingKey::from_secret(b"k").unwrap(),
        )
        .unwrap();
        assert_eq!(verify(&hs512, b"k"), Err(JwtError::Algorithm));
    }
}
