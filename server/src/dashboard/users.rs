//! Dashboard users: their credentials, created from the CLI (`server user create`), the first-run
//! setup and the users page; emails compared lowercased.

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set, SqlErr,
};

use app::problem::Problem;

use crate::auth::Role;
use crate::dashboard::password;
use crate::db::Db;
use crate::entities::{tenant, user};

/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 8;

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The email or password is not acceptable.
    #[error(transparent)]
    Invalid(Problem),
    /// No tenant has that id.
    #[error("tenant {0} does not exist")]
    NoTenant(i64),
    /// Another user has that email.
    #[error("a user with email {0} already exists")]
    EmailTaken(String),
    /// Hashing failed.
    #[error(transparent)]
    Hash(#[from] password::HashError),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

/// The longest email accepted (longer ones are refused before anything is looked up).
pub const MAX_EMAIL_LEN: usize = 254;

/// The stored form of an email: trimmed and lowercased.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A validated e-mail and the argon2 hash of a validated password, ready to insert.
pub struct Credentials {
    /// Normalized e-mail.
    pub email: String,
    /// Argon2 PHC string.
    pub password_hash: String,
}

/// Refuses a password shorter than [`MIN_PASSWORD_LEN`] characters or longer than
/// [`password::MAX_LEN`] bytes.
pub fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < MIN_PASSWORD_LEN || password.len() > password::MAX_LEN {
        return Err(UserError::Invalid(Problem::PasswordLength {
            min: MIN_PASSWORD_LEN,
            max: password::MAX_LEN,
        }));
    }
    Ok(())
}

/// Validates `email` and `password` and hashes the password (slow: argon2).
pub async fn credentials(email: &str, password: &str) -> Result<Credentials, UserError> {
    let email = normalize_email(email);
    if !email.contains('@') || email.len() > MAX_EMAIL_LEN {
        return Err(UserError::Invalid(Problem::Email { email }));
    }
    check_password(password)?;
    let password_hash = password::hash(password.to_string()).await?;
    Ok(Credentials {
        email,
        password_hash,
    })
}

/// Inserts a user of `tenant_id` (the e-mail's uniqueness is the table's: a taken e-mail is
/// [`UserError::EmailTaken`]).
pub async fn insert(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    credentials: Credentials,
    role: Role,
) -> Result<user::Model, UserError> {
    let email = credentials.email.clone();
    user::ActiveModel {
        tenant_id: Set(tenant_id),
        email: Set(credentials.email),
        password_hash: Set(credentials.password_hash),
        role: Set(role.as_str().to_string()),
        created_at: Set(Utc::now()),
        last_login_at: Set(None),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => UserError::EmailTaken(email),
        _ => UserError::Db(e),
    })
}

/// Creates a user of `tenant_id`.
pub async fn create(
    db: &Db,
    tenant_id: i64,
    email: &str,
    password: &str,
    role: Role,
) -> Result<user::Model, UserError> {
    let credentials = credentials(email, password).await?;
    if tenant::Entity::find_by_id(tenant_id)
        .one(&db.read)
        .await?
        .is_none()
    {
        return Err(UserError::NoTenant(tenant_id));
    }
    if find_by_email(db, &credentials.email).await?.is_some() {
        return Err(UserError::EmailTaken(credentials.email));
    }
    insert(&db.write, tenant_id, credentials, role).await
}

/// The user with `email` (already normalized).
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<user::Model>, DbErr> {
    user::Entity::find()
        .filter(user::Column::Email.eq(email))
        .one(&db.read)
        .await
}
