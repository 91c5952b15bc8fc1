//! First-run setup: on a database without tenants, the first visitor creates the first tenant
//! and its admin, once. Two setups at the same time create one tenant: the second finds the
//! first's and is refused as if the page were gone.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, Set,
    TransactionTrait,
};

use crate::auth::Role;
use crate::dashboard::users;
use crate::db::Db;
use crate::entities::{tenant, user};
use crate::service::tenants::valid_name;
use crate::service::{ServiceError, ServiceResult};

/// Whether setup is still to be done; once a tenant exists the answer is cached for good.
#[derive(Clone, Debug, Default)]
pub struct SetupGate {
    done: Arc<AtomicBool>,
}

impl SetupGate {
    /// Whether the database has no tenant yet.
    pub async fn needed(&self, db: &Db) -> Result<bool, sea_orm::DbErr> {
        if self.done.load(Ordering::Relaxed) {
            return Ok(false);
        }
        let tenants = tenant::Entity::find().count(&db.read).await?;
        if tenants > 0 {
            self.done.store(true, Ordering::Relaxed);
        }
        Ok(tenants == 0)
    }
}

/// What the setup form sends.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupForm {
    /// The team's (tenant's) name.
    pub tenant_name: String,
    /// The first admin's e-mail.
    pub email: String,
    /// The first admin's password.
    pub password: String,
}

/// Creates the first tenant and its admin; [`ServiceError::NotFound`] once a tenant exists.
pub async fn run(db: &Db, gate: &SetupGate, form: &SetupForm) -> ServiceResult<user::Model> {
    if !gate.needed(db).await? {
        return Err(ServiceError::NotFound("page"));
    }
    let name = valid_name(&form.tenant_name)?;
    let credentials = users::credentials(&form.email, &form.password).await?;
    let txn = db.write.begin().await?;
    // SQLite has one writer connection, so its transactions never overlap; PostgreSQL takes
    // a lock that only one transaction at a time holds.
    if txn.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared("LOCK TABLE tenant IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    if tenant::Entity::find().count(&txn).await? > 0 {
        return Err(ServiceError::NotFound("page"));
    }
    let tenant = tenant::ActiveModel {
        name: Set(name),
        opt_out_keywords: Set(None),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    let admin = users::insert(&txn, tenant.id, credentials, Role::Admin).await?;
    txn.commit().await?;
    tracing::info!(
        tenant_id = tenant.id,
        user_id = admin.id,
        "first-run setup done"
    );
    Ok(admin)
}
