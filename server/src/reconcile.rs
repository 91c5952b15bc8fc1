//! Reconciliation with Evolution, for what its webhooks did not tell (Evolution retries a
//! webhook for about 20 minutes, then drops it; v1 sends no `close` on some drops). Every
//! `FLOW_RECONCILE_SECS`, on the node that leads the cluster:
//!
//! - each instance's `GET /instance/connectionState` is compared with the stored state; a
//!   difference is applied exactly as a `connection.update` webhook would be (a `close` pauses
//!   the instance's campaigns), and logged as found by polling;
//! - messages `sent` for longer than `FLOW_RECONCILE_STUCK_SECS` are looked up with
//!   `POST /chat/findStatusMessage` (v2 and v1), and what Evolution stored goes through the
//!   same monotonic status machine as a `messages.update` webhook.
//!
//! Both go through the webhook inbox as events of their own (`"source": "reconcile"` in the
//! stored body), so they are stored, applied once and published like any webhook.

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use sea_orm::{DbErr, EntityTrait, FromQueryResult};
use serde_json::json;

use crate::cluster::leader::Leader;
use crate::db::Db;
use crate::entities::whatsapp_instance;
use crate::evolution::client::EvolutionClient;
use crate::evolution::{ConnectionState, ConnectionUpdate, Event, StatusUpdate};
use crate::ingest::{InstanceRef, Outcome};
use crate::service::instances::target;
use crate::sql::stmt;
use crate::telemetry;
use crate::webhook::inbox::{Inbox, Job, Parsed};

/// Stuck messages looked up per instance and round (the next round goes on from there).
pub const PER_ROUND: u64 = 100;

/// What a round changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// Instances whose state was corrected.
    pub states: u64,
    /// Messages whose status moved forward.
    pub receipts: u64,
}

/// What reconciliation needs.
#[derive(Clone)]
pub struct Reconciler {
    /// The database.
    pub db: Db,
    /// Where corrections are applied, like webhooks.
    pub inbox: Inbox,
    /// The Evolution client.
    pub client: EvolutionClient,
    /// How long a message stays `sent` before it is looked up.
    pub stuck_after: Duration,
}

/// Runs a round every `every` while this node leads.
pub fn spawn(reconciler: Reconciler, every: Duration, leader: Leader) {
    tokio::spawn(async move {
        let start = tokio::time::Instant::now() + every;
        let mut tick = tokio::time::interval_at(start, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut cursors = HashMap::new();
        loop {
            tick.tick().await;
            if !leader.leads() {
                continue;
            }
            match reconciler.round(&mut cursors).await {
                Ok(Report {
                    states: 0,
                    receipts: 0,
                }) => {}
                Ok(r) => tracing::info!(
                    states = r.states,
                    receipts = r.receipts,
                    "reconciliation with Evolution corrected what its webhooks missed"
                ),
                Err(e) => tracing::warn!(error = %e, "cannot reconcile with Evolution now"),
            }
        }
    });
}

#[derive(FromQueryResult)]
struct Stuck {
    id: i64,
    whatsapp_message_id: String,
    phone: String,
}

impl Reconciler {
    /// One round over every instance. `cursors` keeps, per instance, the last stuck row looked
    /// up, so rounds take turns over a long tail.
    pub async fn round(&self, cursors: &mut HashMap<i64, i64>) -> Result<Report, DbErr> {
        let mut report = Report::default();
        for m in whatsapp_instance::Entity::find().all(&self.db.read).await? {
            if self.state(&m).await {
                report.states += 1;
            }
            let cursor = cursors.entry(m.id).or_insert(0);
            report.receipts += self.receipts(&m, cursor).await?;
        }
        Ok(report)
    }

    /// Corrects the instance's state from Evolution's answer; whether it changed.
    async fn state(&self, m: &whatsapp_instance::Model) -> bool {
        let Ok(word) = self.client.connection_state(&target(m)).await else {
            // Refusals and outages are the sender's to report; nothing learned here.
            return false;
        };
        let state = ConnectionState::from_word(&word);
        let settled = matches!(state, ConnectionState::Open | ConnectionState::Close);
        if !settled || state.as_str() == m.connection_state {
            return false;
        }
        tracing::warn!(
            instance = %m.instance_name,
            stored = %m.connection_state,
            found = %state.as_str(),
            "instance state found by polling Evolution (no webhook told it)"
        );
        let body = json!({
            "event": "connection.update",
            "instance": m.instance_name,
            "source": "reconcile",
            "data": {"instance": m.instance_name, "state": state.as_str()},
        });
        let event = Event::Connection(ConnectionUpdate {
            state,
            status_reason: None,
            phone: None,
        });
        let changed = self.submit(m, "connection.update", body, event).await;
        if changed {
            metrics::counter!(telemetry::RECONCILED, "kind" => "state").increment(1);
        }
        changed
    }

    /// Looks up the instance's messages stuck in `sent` after `cursor`; how many moved on.
    async fn receipts(&self, m: &whatsapp_instance::Model, cursor: &mut i64) -> Result<u64, DbErr> {
        let backend = self.db.read.get_database_backend();
        let before = Utc::now() - chrono::Duration::from_std(self.stuck_after).unwrap_or_default();
        let stuck = Stuck::find_by_statement(stmt(
            backend,
            "SELECT cc.id, cc.whatsapp_message_id, c.phone FROM campaign_contact cc \
             JOIN contact c ON c.id = cc.contact_id \
             WHERE cc.instance_id = ? AND cc.status = 'sent' AND cc.whatsapp_message_id IS NOT NULL \
             AND cc.sent_at <= ? AND cc.id > ? ORDER BY cc.id LIMIT ?",
            vec![m.id.into(), before.into(), (*cursor).into(), PER_ROUND.into()],
        ))
        .all(&self.db.read)
        .await?;
        // A short page means the tail was reached: the next round starts over.
        *cursor = if (stuck.len() as u64) < PER_ROUND {
            0
        } else {
            stuck.last().map_or(0, |s| s.id)
        };
        let target = target(m);
        let mut moved = 0;
        for row in stuck {
            let jid = format!("{}@s.whatsapp.net", row.phone);
            let Ok(statuses) = self
                .client
                .find_statuses(&target, &jid, &row.whatsapp_message_id)
                .await
            else {
                continue;
            };
            if statuses.is_empty() {
                continue;
            }
            let updates: Vec<StatusUpdate> = statuses
                .iter()
                .map(|status| StatusUpdate {
                    message_id: row.whatsapp_message_id.clone(),
                    remote_jid: Some(jid.clone()),
                    status: *status,
                })
                .collect();
            let words: Vec<String> = statuses.iter().map(|s| format!("{s:?}")).collect();
            let body = json!({
                "event": "messages.update",
                "instance": m.instance_name,
                "source": "reconcile",
                "data": {"keyId": row.whatsapp_message_id, "remoteJid": jid, "statuses": words},
            });
            if self
                .submit(m, "messages.update", body, Event::MessageStatus(updates))
                .await
            {
                metrics::counter!(telemetry::RECONCILED, "kind" => "receipt").increment(1);
                moved += 1;
            }
        }
        Ok(moved)
    }

    /// Applies a correction through the inbox; whether it changed anything.
    async fn submit(
        &self,
        m: &whatsapp_instance::Model,
        event_name: &str,
        body: serde_json::Value,
        event: Event,
    ) -> bool {
        let job = Job {
            instance: InstanceRef {
                id: m.id,
                tenant_id: m.tenant_id,
                name: m.instance_name.clone(),
            },
            event_name: event_name.to_string(),
            body: body.to_string(),
            parsed: Parsed::Event(event),
            received_at: Utc::now(),
        };
        match self.inbox.submit(job).await {
            Ok(outcome) => matches!(
                outcome,
                Outcome::Updated | Outcome::Disconnected | Outcome::Connected
            ),
            Err(e) => {
                tracing::warn!(error = %e, "cannot apply a reconciliation now");
                false
            }
        }
    }
}
