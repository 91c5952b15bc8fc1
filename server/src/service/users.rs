//! The tenant's dashboard users as admins manage them: list, create, change a role, remove
//! (never the last admin; the removed user's sessions end at once), and each user's own
//! password change.

use app::types::UserView;
use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, TransactionTrait,
};

use crate::auth::Role;
use crate::dashboard::password;
use crate::dashboard::users::{self as accounts, UserError};
use crate::db::Db;
use crate::entities::{session, user};
use crate::service::{Problem, ServiceError, ServiceResult, opt_timestamp, timestamp};
use crate::sql::stmt;

impl From<UserError> for ServiceError {
    fn from(err: UserError) -> Self {
        match err {
            UserError::Invalid(problem) => Self::Refused(problem),
            UserError::NoTenant(_) => Self::NotFound("tenant"),
            UserError::EmailTaken(email) => Problem::EmailTaken { email }.into(),
            UserError::Hash(e) => Self::internal(e),
            UserError::Db(e) => Self::Db(e),
        }
    }
}

fn view(u: user::Model) -> UserView {
    UserView {
        id: u.id,
        email: u.email,
        role: u.role,
        last_login_at: opt_timestamp(u.last_login_at),
        created_at: timestamp(u.created_at),
    }
}

/// A role of its wire form, or a validation error.
pub fn parse_role(role: &str) -> ServiceResult<Role> {
    Role::parse(role).ok_or(Problem::Role.into())
}

/// The tenant's users, oldest first.
pub async fn list(db: &Db, tenant_id: i64) -> ServiceResult<Vec<UserView>> {
    Ok(user::Entity::find()
        .filter(user::Column::TenantId.eq(tenant_id))
        .order_by_asc(user::Column::Id)
        .all(&db.read)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Creates a user of the tenant with an initial password.
pub async fn create(
    db: &Db,
    tenant_id: i64,
    email: &str,
    password: &str,
    role: Role,
) -> ServiceResult<UserView> {
    Ok(view(
        accounts::create(db, tenant_id, email, password, role).await?,
    ))
}

/// Locks the tenant's users against concurrent role changes and removals until `txn` ends
/// (PostgreSQL: the tenant row; SQLite has one writer, so its transactions never overlap).
async fn lock_tenant(txn: &DatabaseTransaction, tenant_id: i64) -> ServiceResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_raw(stmt(
            DbBackend::Postgres,
            "SELECT id FROM tenant WHERE id = ? FOR UPDATE",
            vec![tenant_id.into()],
        ))
        .await?;
    }
    Ok(())
}

async fn find(txn: &DatabaseTransaction, tenant_id: i64, id: i64) -> ServiceResult<user::Model> {
    user::Entity::find_by_id(id)
        .filter(user::Column::TenantId.eq(tenant_id))
        .one(txn)
        .await?
        .ok_or(ServiceError::NotFound("user"))
}

/// Refuses to leave the tenant without an admin when `target`, an admin now, stops being one.
async fn keep_an_admin(txn: &DatabaseTransaction, target: &user::Model) -> ServiceResult<()> {
    if target.role != Role::Admin.as_str() {
        return Ok(());
    }
    let admins = user::Entity::find()
        .filter(user::Column::TenantId.eq(target.tenant_id))
        .filter(user::Column::Role.eq(Role::Admin.as_str()))
        .count(txn)
        .await?;
    if admins <= 1 {
        return Err(Problem::LastAdmin.into());
    }
    Ok(())
}

/// Changes a user's role (never the last admin's to viewer); it holds from their next request.
pub async fn set_role(db: &Db, tenant_id: i64, id: i64, role: Role) -> ServiceResult<UserView> {
    let txn = db.write.begin().await?;
    lock_tenant(&txn, tenant_id).await?;
    let target = find(&txn, tenant_id, id).await?;
    if role != Role::Admin {
        keep_an_admin(&txn, &target).await?;
    }
    user::Entity::update_many()
        .col_expr(user::Column::Role, Expr::value(role.as_str()))
        .filter(user::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    let updated = find(&txn, tenant_id, id).await?;
    txn.commit().await?;
    Ok(view(updated))
}

/// Removes a user (never the last admin) and ends their sessions at once.
pub async fn remove(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<()> {
    let txn = db.write.begin().await?;
    lock_tenant(&txn, tenant_id).await?;
    let target = find(&txn, tenant_id, id).await?;
    keep_an_admin(&txn, &target).await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    user::Entity::delete_by_id(id).exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Changes the password of `user_id` after checking the current one; their other sessions end.
pub async fn change_password(
    db: &Db,
    user_id: i64,
    keep_session: Option<&str>,
    current: &str,
    new: &str,
) -> ServiceResult<()> {
    if current.len() > password::MAX_LEN {
        return Err(Problem::WrongPassword.into());
    }
    accounts::check_password(new)?;
    let u = user::Entity::find_by_id(user_id)
        .one(&db.read)
        .await?
        .ok_or(ServiceError::NotFound("user"))?;
    if !password::verify(current.to_string(), Some(u.password_hash)).await {
        return Err(Problem::WrongPassword.into());
    }
    let hash = password::hash(new.to_string())
        .await
        .map_err(ServiceError::internal)?;
    let txn = db.write.begin().await?;
    user::Entity::update_many()
        .col_expr(user::Column::PasswordHash, Expr::value(hash))
        .filter(user::Column::Id.eq(user_id))
        .exec(&txn)
        .await?;
    let mut others = session::Entity::delete_many().filter(session::Column::UserId.eq(user_id));
    if let Some(token) = keep_session {
        others = others.filter(session::Column::TokenHash.ne(crate::auth::token::hash(token)));
    }
    others.exec(&txn).await?;
    txn.commit().await?;
    Ok(())
}

/// Records a successful login of `user_id`.
pub async fn touch_login(db: &Db, user_id: i64) -> Result<(), sea_orm::DbErr> {
    user::Entity::update_many()
        .col_expr(user::Column::LastLoginAt, Expr::value(Utc::now()))
        .filter(user::Column::Id.eq(user_id))
        .exec(&db.write)
        .await?;
    Ok(())
}
