//! The change bus: a broadcast of tenant-scoped changes, each with an increasing id, and a
//! short memory of recent changes so a reconnecting stream can resume (`Last-Event-ID`).
//!
//! On one node (SQLite) the bus numbers changes itself. On PostgreSQL it is *relayed*: a
//! published change goes to the cluster's change log (`crate::cluster::relay`), which every node
//! reads back in order and [`ChangeBus::deliver`]s with its cluster-wide id.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use app::types::{CampaignLogView, CampaignView, InstanceQr, InstanceView};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, mpsc};

/// What changed.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", content = "data", rename_all = "snake_case")]
pub enum ChangeKind {
    /// A campaign's status or counters (the latest numbers); boxed, it is large.
    Campaign(Box<CampaignView>),
    /// An instance's state, health or counters; boxed, it is large.
    Instance(Box<InstanceView>),
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
    /// A credential of the tenant was revoked (an API token, a session) or a user's role
    /// changed or they were removed: every live stream of the tenant re-checks its own at once,
    /// on every node. Never sent to clients.
    Credentials,
}

impl ChangeKind {
    /// The SSE event name.
    pub fn event_name(&self) -> &'static str {
        match self {
            Self::Campaign(_) => "campaign",
            Self::Instance(_) => "instance",
            Self::QrCode(_) => "qrcode",
            Self::Log { .. } => "log",
            Self::Credentials => "credentials",
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
            Self::Log { .. } | Self::Credentials => None,
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
pub const HISTORY: usize = 4096;

struct Inner {
    next_id: u64,
    history: VecDeque<Arc<Change>>,
}

impl Inner {
    fn push(&mut self, change: Arc<Change>) {
        self.next_id = self.next_id.max(change.id + 1);
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(change);
    }
}

/// A published change on its way to the cluster's change log: its tenant and what changed.
pub type Outgoing = (i64, ChangeKind);

/// Publishes changes to every subscribed stream. Cheap to clone.
#[derive(Clone)]
pub struct ChangeBus {
    tx: broadcast::Sender<Arc<Change>>,
    inner: Arc<Mutex<Inner>>,
    /// Set on a relayed bus: where published changes go to reach every node.
    outbox: Option<mpsc::UnboundedSender<Outgoing>>,
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
            outbox: None,
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
    /// A bus of a cluster node: what is published goes to the returned receiver (the relay's
    /// writer), and reaches subscribers only when the relay [`deliver`](Self::deliver)s it.
    pub fn relayed() -> (Self, mpsc::UnboundedReceiver<Outgoing>) {
        let (outbox, rx) = mpsc::unbounded_channel();
        let bus = Self {
            outbox: Some(outbox),
            ..Self::default()
        };
        (bus, rx)
    }

    /// Publishes a change of `tenant_id`.
    pub fn publish(&self, tenant_id: i64, kind: ChangeKind) {
        match &self.outbox {
            // The relay lives as long as the runtime; a send error means it is shutting down.
            Some(outbox) => drop(outbox.send((tenant_id, kind))),
            None => {
                let change = {
                    let mut inner = self.lock();
                    let change = Arc::new(Change {
                        id: inner.next_id,
                        tenant_id,
                        kind,
                    });
                    inner.push(change.clone());
                    change
                };
                // No subscriber is fine: nobody is watching.
                let _ = self.tx.send(change);
            }
        }
    }

    /// Hands a change (with its cluster-wide id) to every subscriber and remembers it. Ids
    /// must grow: the relay delivers the cluster's changes in id order (gaps are fine).
    pub fn deliver(&self, change: Arc<Change>) {
        self.remember(change.clone());
        let _ = self.tx.send(change);
    }

    /// Adds a change to the memory (for resuming streams) without broadcasting it: how a node
    /// that starts learns the cluster's recent changes.
    pub fn remember(&self, change: Arc<Change>) {
        self.lock().push(change);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A receiver of every change published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Change>> {
        self.tx.subscribe()
    }

    /// The remembered changes of `tenant_id` after `last_id`.
    pub fn replay(&self, tenant_id: i64, last_id: u64) -> Replay {
        let inner = self.lock();
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
