//! Publishing what a transaction changed: its log lines and QR codes, and the latest state of the campaigns
//! and instances it touched. One publisher task does the reads, after the commits and in
//! order, on the read pool — so the writers never wait for it, and a newer snapshot is never
//! overtaken by an older one. It reads at most once per [`PACE`]: changes that come closer
//! together (a burst of webhook batches) are merged, and each touched campaign or instance is
//! read once for all of them, instead of once per batch.

use sea_orm::ConnectionTrait;
use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};

use crate::db::Db;
use crate::ingest::Effects;
use crate::live::{ChangeBus, ChangeKind};
use crate::readiness::Beat;
use crate::service::{campaigns, instances};

/// The shortest time between two rounds of reads. A change after a quiet moment is published at
/// once; within a burst the screen follows at this pace (the webhook-to-screen latency test
/// allows 250 ms in all).
pub const PACE: Duration = Duration::from_millis(50);

/// The handle writers hand their committed effects to. Cheap to clone.
#[derive(Clone)]
pub struct Publisher {
    tx: mpsc::UnboundedSender<Effects>,
}

impl Publisher {
    /// Starts the publisher task, reporting its liveness on `beat`.
    pub fn start(db: Db, bus: ChangeBus, public_url: String, beat: Beat) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Effects>();
        tokio::spawn(async move {
            let running = beat.start();
            let mut last: Option<Instant> = None;
            while let Some(mut effects) = rx.recv().await {
                // At most one round of reads per PACE: the changes of a burst of batches wait
                // for it and are published together.
                if let Some(last) = last {
                    tokio::time::sleep_until(last + PACE).await;
                }
                let _busy = running.busy();
                while let Ok(more) = rx.try_recv() {
                    effects.absorb(more);
                }
                last = Some(Instant::now());
                publish_effects(&db.read, &bus, &public_url, &effects).await;
            }
        });
        Self { tx }
    }

    /// Publishes `effects` (already committed) soon.
    pub fn publish(&self, effects: Effects) {
        // The task lives as long as the runtime; a send error means it is shutting down.
        let _ = self.tx.send(effects);
    }
}

/// Publishes `effects` on `bus`, reading current state through `conn`.
async fn publish_effects(
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
    for (tenant_id, qr) in &effects.qr_codes {
        bus.publish(*tenant_id, ChangeKind::QrCode(qr.clone()));
    }
    for id in &effects.touched_campaigns {
        match campaigns::snapshot(conn, *id).await {
            Ok(Some((tenant_id, view))) => {
                bus.publish(tenant_id, ChangeKind::Campaign(Box::new(view)))
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, campaign_id = id, "cannot read a campaign to publish")
            }
        }
    }
    for id in &effects.touched_instances {
        match instances::snapshot(conn, public_url, *id).await {
            Ok(Some((tenant_id, view))) => {
                bus.publish(tenant_id, ChangeKind::Instance(Box::new(view)))
            }
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, instance_id = id, "cannot read an instance to publish")
            }
        }
    }
}
