//! Tenants: created by the operator, each with its first API token.

use app::types::TenantCreated;
use chrono::Utc;
use sea_orm::{ActiveModelTrait, Set, TransactionTrait};

use crate::auth::token;
use crate::db::Db;
use crate::entities::{api_token, tenant};
use crate::service::{Problem, ServiceResult};

/// A tenant name trimmed, if it has 1 to 200 characters.
pub fn valid_name(name: &str) -> ServiceResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(Problem::NameLength { max: 200 }.into());
    }
    Ok(name.to_string())
}

/// Creates a tenant and its API token; the token is returned here only.
pub async fn create(db: &Db, name: &str) -> ServiceResult<TenantCreated> {
    let name = valid_name(name)?;
    let now = Utc::now();
    let secret = token::generate("flow_");
    let txn = db.write.begin().await?;
    let tenant = tenant::ActiveModel {
        name: Set(name),
        opt_out_keywords: Set(None),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    api_token::ActiveModel {
        tenant_id: Set(tenant.id),
        token_hash: Set(token::hash(&secret)),
        name: Set("default".into()),
        created_at: Set(now),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    Ok(TenantCreated {
        id: tenant.id,
        name: tenant.name,
        api_token: secret,
    })
}
