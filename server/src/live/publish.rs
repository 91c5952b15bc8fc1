//! Publishing what a transaction changed: its log lines, and the latest state of the campaigns
//! and instances it touched, read after the commit.

use app::types::CampaignView;
use sea_orm::ConnectionTrait;

use crate::ingest::Effects;
use crate::live::{ChangeBus, ChangeKind};
use crate::service::{campaign_logs, campaigns, instances};

/// Publishes `effects` on `bus`, reading current state through `conn`.
pub async fn publish_effects(
    conn: &impl ConnectionTrait,
    bus: &ChangeBus,
    public_url: &str,
    effects: &Effects,
) {
    for (tenant_id, campaign_id, line) in &effects.logs {
        bus.publish(
            *tenant_id,
            ChangeKind::Log {
                campaign_id: *campaign_id,
                line: line.clone(),
            },
        );
    }
    for id in &effects.touched_campaigns {
        match campaigns::snapshot(conn, *id).await {
            Ok(Some((tenant_id, view))) => bus.publish(tenant_id, ChangeKind::Campaign(view)),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, campaign_id = id, "cannot read a campaign to publish")
            }
        }
    }
    for id in &effects.touched_instances {
        match instances::snapshot(conn, public_url, *id).await {
            Ok(Some((tenant_id, view))) => bus.publish(tenant_id, ChangeKind::Instance(view)),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, instance_id = id, "cannot read an instance to publish")
            }
        }
    }
}

/// Publishes a campaign that a person just started, paused, resumed or cancelled, with the log
/// line the transition wrote (the newest of the campaign).
pub async fn publish_transition(
    conn: &impl ConnectionTrait,
    bus: &ChangeBus,
    tenant_id: i64,
    view: &CampaignView,
) {
    match campaign_logs::list(conn, view.id, 1, 0).await {
        Ok(lines) => {
            for line in lines {
                bus.publish(
                    tenant_id,
                    ChangeKind::Log {
                        campaign_id: view.id,
                        line,
                    },
                );
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, campaign_id = view.id, "cannot read a log line to publish")
        }
    }
    bus.publish(tenant_id, ChangeKind::Campaign(view.clone()));
}
