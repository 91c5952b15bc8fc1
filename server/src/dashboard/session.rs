//! Login sessions: a random token in an HttpOnly, SameSite=Lax cookie, stored as its SHA-256
//! hash with the user, tenant and expiry.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, Set,
};

use crate::auth::{Role, token};
use crate::db::Db;
use crate::entities::{session, user};
use crate::sql::stmt;

/// The session cookie's name.
pub const COOKIE_NAME: &str = "flow_session";

/// How long a session lasts after login.
pub const TTL: Duration = Duration::days(7);

/// The person behind a valid session.
#[derive(Clone, Debug)]
pub struct SessionUser {
    /// The user id.
    pub user_id: i64,
    /// Their tenant.
    pub tenant_id: i64,
    /// Their tenant's name.
    pub tenant_name: String,
    /// Login email.
    pub email: String,
    /// What they may do.
    pub role: Role,
    /// Their saved language (`pt-BR`, `en`); `None` follows the browser.
    pub locale: Option<String>,
    /// Their tenant's IANA timezone.
    pub timezone: String,
}

impl From<SessionUser> for app::backend::Caller {
    /// The dashboard's caller for the person behind a valid session.
    fn from(user: SessionUser) -> Self {
        Self {
            tenant_id: user.tenant_id,
            user_id: user.user_id,
            user: app::types::SessionUser {
                email: user.email,
                role: user.role.as_str().to_string(),
                tenant_name: user.tenant_name,
            },
        }
    }
}

/// The session token in a `Cookie` header value, if any.
pub fn token_in(cookie_header: &str) -> Option<&str> {
    app::backend::cookie_value(cookie_header, COOKIE_NAME)
}

/// The `Set-Cookie` value that stores `token` (`Secure` when Flow is served over HTTPS).
pub fn set_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        TTL.num_seconds()
    )
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// The `Set-Cookie` value of [`app::backend::TOKEN_FLASH_COOKIE`]: the secret for the tokens
/// page only, for a minute, never readable by scripts; `None` clears it.
pub fn token_flash_cookie(secret: Option<&str>, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    let (value, age) = secret.map_or(("", 0), |s| (s, 60));
    format!(
        "{}={value}; Path=/tokens; HttpOnly; SameSite=Strict; Max-Age={age}{secure}",
        app::backend::TOKEN_FLASH_COOKIE
    )
}

/// Opens a session for `user` (and drops their expired ones); answers the token for the cookie.
pub async fn create(db: &Db, user: &user::Model) -> Result<String, DbErr> {
    let token = token::generate("fs_");
    let now = Utc::now();
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.id))
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(&db.write)
        .await?;
    session::ActiveModel {
        token_hash: Set(token::hash(&token)),
        user_id: Set(user.id),
        tenant_id: Set(user.tenant_id),
        created_at: Set(now),
        expires_at: Set(now + TTL),
        ..Default::default()
    }
    .insert(&db.write)
    .await?;
    Ok(token)
}

/// Ends the session of `token` (no-op when unknown).
pub async fn delete(db: &Db, token: &str) -> Result<(), DbErr> {
    session::Entity::delete_many()
        .filter(session::Column::TokenHash.eq(token::hash(token)))
        .exec(&db.write)
        .await?;
    Ok(())
}

/// Deletes every session expired at `now`; answers how many.
pub async fn delete_expired(db: &Db, now: DateTime<Utc>) -> Result<u64, DbErr> {
    let res = session::Entity::delete_many()
        .filter(session::Column::ExpiresAt.lte(now))
        .exec(&db.write)
        .await?;
    Ok(res.rows_affected)
}

/// The user of a valid, unexpired session `token`: one query (session, user and tenant
/// joined), as every page load and every server function asks it.
pub async fn lookup(db: &Db, token: &str) -> Result<Option<SessionUser>, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        user_id: i64,
        tenant_id: i64,
        tenant_name: String,
        email: String,
        role: String,
        locale: Option<String>,
        timezone: String,
    }
    let row = Row::find_by_statement(stmt(
        db.backend(),
        "SELECT u.id AS user_id, u.tenant_id, t.name AS tenant_name, u.email, u.role, u.locale, \
         t.timezone FROM session s JOIN \"user\" u ON u.id = s.user_id \
         JOIN tenant t ON t.id = u.tenant_id WHERE s.token_hash = ? AND s.expires_at > ?",
        vec![token::hash(token).into(), Utc::now().into()],
    ))
    .one(&db.read)
    .await?;
    Ok(row.and_then(|r| {
        Some(SessionUser {
            role: Role::parse(&r.role)?,
            user_id: r.user_id,
            tenant_id: r.tenant_id,
            tenant_name: r.tenant_name,
            email: r.email,
            locale: r.locale,
            timezone: r.timezone,
        })
    }))
}

/// The session token of the first session cookie among `headers`.
pub fn token_from(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(COOKIE)
        .iter()
        .find_map(|value| value.to_str().ok().and_then(token_in))
}

/// The user of the session cookie among `headers`, if valid.
pub async fn from_headers(db: &Db, headers: &HeaderMap) -> Result<Option<SessionUser>, DbErr> {
    match token_from(headers) {
        Some(token) => lookup(db, token).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_cookie_among_others() {
        assert_eq!(token_in("a=1; flow_session=abc; b=2"), Some("abc"));
        assert_eq!(token_in("flow_session="), None);
        assert_eq!(token_in("other=x"), None);
    }

    #[test]
    fn cookie_is_http_only_and_lax() {
        let c = set_cookie("t", true);
        assert!(c.contains("HttpOnly") && c.contains("SameSite=Lax") && c.ends_with("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
        let flash = token_flash_cookie(Some("flow_x"), true);
        assert!(
            flash.starts_with("flow_new_token=flow_x; Path=/tokens; HttpOnly; SameSite=Strict")
        );
        assert!(token_flash_cookie(None, false).contains("Max-Age=0"));
    }
}
