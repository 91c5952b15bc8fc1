//! An instance's risk read from the database (its last sends over every campaign and
//! process) and judged by [`crate::domain::risk`] with its tenant's opt-out limit.

use app::types::RiskView;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, FromQueryResult};

use crate::domain::risk::{self, Recent, Signal};
use crate::entities::tenant;
use crate::evolution::client::SendError;
use crate::sql::stmt;

/// The tenant's opt-out limit, percent of an instance's last sends.
pub async fn optout_percent(conn: &impl ConnectionTrait, tenant_id: i64) -> Result<i64, DbErr> {
    Ok(optout_percent_of(
        tenant::Entity::find_by_id(tenant_id)
            .one(conn)
            .await?
            .as_ref(),
    ))
}

/// The opt-out limit of a tenant row already read (the default without one).
pub fn optout_percent_of(tenant: Option<&tenant::Model>) -> i64 {
    tenant.map_or(risk::DEFAULT_OPTOUT_PERCENT, |t| {
        i64::from(t.optout_pause_percent)
    })
}

/// The last [`risk::WINDOW`] sends of instance `instance_id`.
pub async fn recent(conn: &impl ConnectionTrait, instance_id: i64) -> Result<Recent, DbErr> {
    #[derive(FromQueryResult)]
    struct Row {
        attempts: i64,
        failed: i64,
        not_on_whatsapp: i64,
        opted_out: i64,
    }
    let sql = format!(
        "SELECT COUNT(*) AS attempts, \
         COALESCE(SUM(CASE WHEN status = 'failed' AND (error IS NULL OR error <> ?) THEN 1 ELSE 0 END), 0) AS failed, \
         COALESCE(SUM(CASE WHEN status = 'failed' AND error = ? THEN 1 ELSE 0 END), 0) AS not_on_whatsapp, \
         COALESCE(SUM(CASE WHEN whatsapp_message_id IS NOT NULL AND opted_out_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS opted_out \
         FROM (SELECT status, error, whatsapp_message_id, opted_out_at FROM campaign_contact \
         WHERE instance_id = ? AND (whatsapp_message_id IS NOT NULL OR status = 'failed') \
         ORDER BY id DESC LIMIT {}) recent",
        risk::WINDOW
    );
    let not_on_whatsapp = SendError::NotOnWhatsApp.to_string();
    Ok(Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &sql,
        vec![
            not_on_whatsapp.clone().into(),
            not_on_whatsapp.into(),
            instance_id.into(),
        ],
    ))
    .one(conn)
    .await?
    .map_or(Recent::default(), |r| Recent {
        attempts: r.attempts,
        failed: r.failed,
        not_on_whatsapp: r.not_on_whatsapp,
        opted_out: r.opted_out,
    }))
}

/// The risk of instance `instance_id` of `tenant_id`, and the signal to pause for when high.
pub async fn assess(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    instance_id: i64,
) -> Result<(RiskView, Option<Signal>), DbErr> {
    let limit = optout_percent(conn, tenant_id).await?;
    Ok(risk::assess(recent(conn, instance_id).await?, limit))
}
