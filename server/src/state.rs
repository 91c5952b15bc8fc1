//! The state every handler shares.

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::config::Config;
use crate::db::Db;

/// Shared by all handlers (cheap to clone).
#[derive(Clone)]
pub struct AppState {
    /// Database handles.
    pub db: Db,
    /// Configuration read at start.
    pub config: Arc<Config>,
    /// Leptos rendering options (site root, output name).
    pub leptos_options: LeptosOptions,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
