//! Random secrets (API tokens, webhook secrets) and how they are stored and compared.
//! Tokens carry 256 random bits, so a fast SHA-256 is the right stored form (argon2 is for
//! low-entropy passwords); lookups go by the hash.

use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A new random secret: `prefix` followed by 64 hex characters (256 bits).
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", hex::encode(bytes))
}

/// The stored form of a token: hex SHA-256.
pub fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_prefixed() {
        let a = generate("flow_");
        let b = generate("flow_");
        assert_ne!(a, b);
        assert!(a.starts_with("flow_"));
        assert_eq!(a.len(), 5 + 64);
    }

    #[test]
    fn hash_is_stable_and_not_the_token() {
        let t = generate("flow_");
        assert_eq!(hash(&t), hash(&t));
        assert_ne!(hash(&t), t);
        assert_eq!(hash(&t).len(), 64);
    }

    #[test]
    fn constant_time_eq_compares() {
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "abcd"));
    }
}
