//! Password hashes: argon2id with a random salt, stored as a PHC string. Hashing is slow on
//! purpose (about 19 MiB and a core for a moment), so it runs on the blocking pool, at most
//! [`hashing_permits`] at a time: logins queue rather than take the memory and cores the
//! webhooks need.

use std::sync::{Arc, LazyLock};

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rand::RngCore;
use tokio::sync::Semaphore;

/// The longest password accepted (longer ones are refused before any hashing).
pub const MAX_LEN: usize = 1024;

/// Argon2 computations allowed at once: half the cores, at least one.
pub fn hashing_permits() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().div_ceil(2))
}

static HASHING: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(hashing_permits())));

/// Runs the argon2 work `f` on the blocking pool once a hashing permit is free. The permit
/// goes with the work: a client that disconnects frees it only when the hash is done.
async fn hashing<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let permit = HASHING
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| HashError(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let out = f();
        drop(permit);
        out
    })
    .await
    .map_err(|e| HashError(e.to_string()))
}

/// A PHC string that matches no password, verified when the email is unknown so that a
/// wrong email takes as long as a wrong password.
const DECOY: &str = "$argon2id$v=19$m=19456,t=2,p=1$ZGVjb3lkZWNveWRlY295$yOYOxKlcmZVEGG4oV7zWrDGd8XqwMbC9mNpB0aBlGH4";

/// Why a password could not be hashed.
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

/// The argon2id PHC string of `password`.
pub async fn hash(password: String) -> Result<String, HashError> {
    hashing(move || {
        let mut salt = [0u8; 16];
        rand::rng().fill_bytes(&mut salt);
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    })
    .await?
}

/// Whether `password` matches the stored `phc` string; `None` checks against a decoy and fails.
pub async fn verify(password: String, phc: Option<String>) -> bool {
    hashing(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| DECOY.to_string());
        let Ok(parsed) = PasswordHash::new(&phc) else {
            return false;
        };
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        ok && known
    })
    .await
    .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = hash("correct horse".into()).await.unwrap();
        let b = hash("correct horse".into()).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(a.starts_with("$argon2id$"));
        assert!(verify("correct horse".into(), Some(a.clone())).await);
        assert!(!verify("wrong horse".into(), Some(a)).await);
        assert!(!verify("anything".into(), None).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn no_more_than_the_permits_hash_at_once() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (running, most) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let jobs = (0..4 * hashing_permits() + 2).map(|_| {
            let (running, most) = (running.clone(), most.clone());
            hashing(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
            })
        });
        for done in futures_util::future::join_all(jobs).await {
            done.unwrap();
        }
        let most = most.load(Ordering::SeqCst);
        assert!((1..=hashing_permits()).contains(&most), "{most} at once");
    }

    #[test]
    fn the_decoy_is_a_valid_hash_so_unknown_emails_cost_the_same() {
        let decoy = PasswordHash::new(DECOY).unwrap();
        assert_eq!(decoy.algorithm.as_str(), "argon2id");
    }
}
