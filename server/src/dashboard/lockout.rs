//! The login lockout, kept in the `login_attempt` table so that every server process on the
//! database shares it: each attempt at an email is counted (one atomic upsert) *before* its
//! password is checked, and once [`MAX_ATTEMPTS`] have been counted in a [`WINDOW`] the email
//! is refused, whatever password, until the window ends. A successful login clears the count.
//! Rows are keyed by the SHA-256 of the normalized email (fixed size, whatever the attacker
//! sends) and deleted once their window is over.

use chrono::Utc;
use sea_orm::{ConnectionTrait, DbErr};

use crate::auth::token;
use crate::db::Db;
use crate::sql::stmt;

/// Attempts at one email allowed in a window.
pub const MAX_ATTEMPTS: i64 = 5;

/// How long a window lasts, in seconds (a locked email waits at most this long).
pub const WINDOW: i64 = 5 * 60;

/// What an attempt may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Check the password.
    Allowed,
    /// Too many attempts at this email; refuse without checking.
    LockedOut,
}

/// Counts an attempt at `email` (already normalized) and answers whether its password may be
/// checked.
pub async fn count(db: &Db, email: &str) -> Result<Attempt, DbErr> {
    let now = Utc::now().timestamp();
    let over = now - WINDOW;
    let backend = db.backend();
    let row = db
        .write
        .query_one_raw(stmt(
            backend,
            "INSERT INTO login_attempt (email_key, window_start, failures) VALUES (?, ?, 1) \
             ON CONFLICT (email_key) DO UPDATE SET \
             failures = CASE WHEN login_attempt.window_start <= ? THEN 1 \
                        ELSE login_attempt.failures + 1 END, \
             window_start = CASE WHEN login_attempt.window_start <= ? THEN ? \
                            ELSE login_attempt.window_start END \
             RETURNING failures",
            vec![
                token::hash(email).into(),
                now.into(),
                over.into(),
                over.into(),
                now.into(),
            ],
        ))
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("login_attempt".into()))?;
    let attempts: i64 = row.try_get("", "failures")?;
    if attempts == 1 {
        // A new window: the moment to drop the windows that are over.
        db.write
            .execute_raw(stmt(
                backend,
                "DELETE FROM login_attempt WHERE window_start <= ?",
                vec![over.into()],
            ))
            .await?;
    }
    Ok(if attempts > MAX_ATTEMPTS {
        Attempt::LockedOut
    } else {
        Attempt::Allowed
    })
}

/// Forgets the attempts at `email` after a successful login.
pub async fn clear(db: &Db, email: &str) -> Result<(), DbErr> {
    db.write
        .execute_raw(stmt(
            db.backend(),
            "DELETE FROM login_attempt WHERE email_key = ?",
            vec![token::hash(email).into()],
        ))
        .await?;
    Ok(())
}
