//! The tenant's API tokens: listed without their secrets, created (the secret shown once),
//! revoked (the next request with it gets 401), and stamped with their last use.

use app::types::{TokenCreated, TokenView};
use chrono::{Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, DbErr, EntityTrait, QueryFilter, QueryOrder, Set,
};

use crate::auth::token;
use crate::db::Db;
use crate::entities::api_token;
use crate::service::{Problem, ServiceError, ServiceResult, opt_timestamp, timestamp};

/// How stale `last_used_at` may get: a token used all the time is written once a minute.
pub const LAST_USED_PRECISION: Duration = Duration::minutes(1);

fn view(t: api_token::Model) -> TokenView {
    TokenView {
        id: t.id,
        name: t.name,
        created_at: timestamp(t.created_at),
        last_used_at: opt_timestamp(t.last_used_at),
    }
}

/// The tenant's tokens, oldest first.
pub async fn list(db: &Db, tenant_id: i64) -> ServiceResult<Vec<TokenView>> {
    Ok(api_token::Entity::find()
        .filter(api_token::Column::TenantId.eq(tenant_id))
        .order_by_asc(api_token::Column::Id)
        .all(&db.read)
        .await?
        .into_iter()
        .map(view)
        .collect())
}

/// Creates a token named `name`; its secret is in the answer only.
pub async fn create(db: &Db, tenant_id: i64, name: &str) -> ServiceResult<TokenCreated> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Problem::NameLength { max: 100 }.into());
    }
    let secret = token::generate("flow_");
    let row = api_token::ActiveModel {
        tenant_id: Set(tenant_id),
        token_hash: Set(token::hash(&secret)),
        name: Set(name.to_string()),
        created_at: Set(Utc::now()),
        last_used_at: Set(None),
        ..Default::default()
    }
    .insert(&db.write)
    .await?;
    Ok(TokenCreated {
        id: row.id,
        name: row.name,
        token: secret,
        created_at: timestamp(row.created_at),
    })
}

/// Revokes token `id` of the tenant.
pub async fn revoke(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<()> {
    let res = api_token::Entity::delete_many()
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::TenantId.eq(tenant_id))
        .exec(&db.write)
        .await?;
    if res.rows_affected == 0 {
        return Err(ServiceError::NotFound("token"));
    }
    Ok(())
}

/// Stamps token `id` as used now, unless it was within [`LAST_USED_PRECISION`].
pub async fn touch(db: &Db, token: &api_token::Model) -> Result<(), DbErr> {
    let now = Utc::now();
    if token
        .last_used_at
        .is_some_and(|t| now - t < LAST_USED_PRECISION)
    {
        return Ok(());
    }
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now))
        .filter(api_token::Column::Id.eq(token.id))
        .filter(
            Condition::any()
                .add(api_token::Column::LastUsedAt.is_null())
                .add(api_token::Column::LastUsedAt.lt(now - LAST_USED_PRECISION)),
        )
        .exec(&db.write)
        .await?;
    Ok(())
}
