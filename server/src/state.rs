//! The state every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::db::Db;
use crate::evolution::client::EvolutionClient;
use crate::live::ChangeBus;
use crate::readiness::Beats;
use crate::shutdown::Shutdown;
use crate::webhook::directory::Directory;
use crate::webhook::inbox::Inbox;

/// Shared by all handlers: one pointer, so the clone every request makes (extractors,
/// middleware) is one reference count, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl AppState {
    /// Wraps the handlers' shared state.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }

    /// Tells every live stream of the tenant, on every node, to re-check its credential now:
    /// a token was revoked, a user's role changed, a user was removed or their other sessions
    /// ended.
    pub fn credentials_changed(&self, tenant_id: i64) {
        self.bus
            .publish(tenant_id, crate::live::bus::ChangeKind::Credentials);
    }
}

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What every handler shares, behind [`AppState`].
pub struct Shared {
    /// Database handles.
    pub db: Db,
    /// Configuration read at start.
    pub config: Arc<Config>,
    /// Leptos rendering options (site root, output name).
    pub leptos_options: LeptosOptions,
    /// Where applied changes are published for live streams.
    pub bus: ChangeBus,
    /// The durable webhook inbox (group-commit writer).
    pub inbox: Inbox,
    /// Webhook credential lookup.
    pub directory: Arc<Directory>,
    /// Client of the tenants' Evolution APIs.
    pub evolution: EvolutionClient,
    /// Liveness of the background tasks, for `/readyz`.
    pub beats: Beats,
    /// The process-wide shutdown signal.
    pub shutdown: Shutdown,
    /// Whether this node runs the cluster's periodic work.
    pub leader: crate::cluster::leader::Leader,
    /// Whether the first-run setup is still to be done.
    pub setup: crate::service::setup::SetupGate,
    /// Tracked links: where codes lead, and the click writer.
    pub clicks: crate::clicks::Clicks,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
