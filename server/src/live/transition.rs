//! Publishing a campaign transition that a person asked for (start, pause, resume, cancel),
//! from the API or the dashboard: the campaign's new state and the log line it wrote.

use app::types::CampaignView;
use sea_orm::ConnectionTrait;

use crate::live::{ChangeBus, ChangeKind};
use crate::service::{Window, campaign_logs};

/// Publishes `view` (just transitioned) with its newest log line.
pub async fn publish_transition(
    conn: &impl ConnectionTrait,
    bus: &ChangeBus,
    tenant_id: i64,
    view: &CampaignView,
) {
    match campaign_logs::list_of(conn, view.id, None, Window::first(1)).await {
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
    bus.publish(tenant_id, ChangeKind::Campaign(Box::new(view.clone())));
}
