//! The change bus: a broadcast of tenant-scoped changes, each with an increasing id, and a
//! short memory of recent changes so a reconnecting stream can resume (`Last-Event-ID`).

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use app::types::{CampaignLogView, CampaignView, InstanceQr, InstanceView};
use serde::Serialize;
use tokio::sync::broadcast;

/// What changed.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A campaign's status or counters (the latest numbers); boxed, it is the largest.
    Campaign(Box<CampaignView>),
    /// An instance's state, health or counters.
    Instance(InstanceView),
    /// A new QR code to pair an instance (`qrcode.updated`). Admins only: whoever scans it
    /// links their phone to the instance.
    QrCode(InstanceQr),
    /// A new campaign log line.
    Log {
        /// The campaign.
        campaign_id: i64,
        /// The line.
        line: CampaignLogView,
    },
}

impl ChangeKind {
    /// The SSE event name.
    pub fn event_name(&self) -> &'static str {
        match self {
            Self::Campaign(_) => "campaign",
            Self::Instance(_) => "instance",
            Self::QrCode(_) => "qrcode",
            Self::Log { .. } => "log",
        }
    }

    /// Whether only admins' streams may carry it.
    pub fn admin_only(&self) -> bool {
        matches!(self, Self::QrCode(_))
    }

    /// Changes with the same key replace each other when a stream coalesces a burst;
    /// `None` (log lines) are never merged.
    pub fn coalesce_key(&self) -> Option<(&'static str, i64)> {
        match self {
            Self::Campaign(c) => Some(("campaign", c.id)),
            Self::Instance(i) => Some(("instance", i.id)),
            Self::QrCode(q) => Some(("qrcode", q.instance_id)),
            Self::Log { .. } => None,
        }
    }
}

/// One published change.
#[derive(Clone, Debug)]
pub struct Change {
    /// Increasing id (the SSE `id:`).
    pub id: u64,
    /// Whose change it is; only that tenant's streams see it.
    pub tenant_id: i64,
    /// What changed.
    pub kind: ChangeKind,
}

/// How many recent changes are kept for resuming streams.
const HISTORY: usize = 4096;

struct Inner {
    next_id: u64,
    history: VecDeque<Arc<Change>>,
}

/// Publishes changes to every subscribed stream. Cheap to clone.
#[derive(Clone)]
pub struct ChangeBus {
    tx: broadcast::Sender<Arc<Change>>,
    inner: Arc<Mutex<Inner>>,
}

impl Default for ChangeBus {
    fn default() -> Self {
        let (tx, _) = broadcast::channel(4096);
        Self {
            tx,
            inner: Arc::new(Mutex::new(Inner {
                next_id: 1,
                history: VecDeque::with_capacity(HISTORY),
            })),
        }
    }
}

/// What a resuming stream gets from the history.
pub enum Replay {
    /// The changes after the given id (possibly none).
    Changes(Vec<Arc<Change>>),
    /// The id is older than the history: the client must reload.
    TooOld,
}

impl ChangeBus {
    /// Publishes a change of `tenant_id`.
    pub fn publish(&self, tenant_id: i64, kind: ChangeKind) {
        let change = {
            let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            let change = Arc::new(Change {
                id: inner.next_id,
                tenant_id,
                kind,
            });
            inner.next_id += 1;
            if inner.history.len() == HISTORY {
                inner.history.pop_front();
            }
            inner.history.push_back(change.clone());
            change
        };
        // No subscriber is fine: nobody is watching.
        let _ = self.tx.send(change);
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.tx.subscribe()
    }

    /// The remembered changes of `tenant_id` after `last_id`.
    pub fn replay(&self, tenant_id: i64, last_id: u64) -> Replay {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let oldest = inner.history.front().map_or(inner.next_id, |c| c.id);
        // Older than the memory, or from before a restart (ids start again at 1).
        if last_id + 1 < oldest || last_id >= inner.next_id {
            return Replay::TooOld;
        }
        Replay::Changes(
            inner
                .history
                .iter()
                .filter(|c| c.id > last_id && c.tenant_id == tenant_id)
                .cloned()
                .collect(),
        )
    }
}
