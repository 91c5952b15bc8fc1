//! Stopping cleanly (SIGTERM, Ctrl-C). One process-wide signal, in this order:
//!
//! 1. the signal fires ([`Shutdown::trigger`]): the server stops accepting connections, live
//!    streams end, the sender claims nothing more and gives its sends in flight up to
//!    [`SEND_GRACE`] to record Evolution's answer;
//! 2. once the open HTTP requests are answered (at most [`HTTP_GRACE`] after the signal, then
//!    the remaining connections are closed), the webhook inbox stores and answers what is
//!    queued and stops ([`Shutdown::finish`]);
//! 3. [`crate::run`] returns when the writer and the sender are done, at most [`STOP_WITHIN`]
//!    after the signal.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long open HTTP requests get to finish after the signal.
pub const HTTP_GRACE: Duration = Duration::from_secs(6);

/// How long the sender waits for its sends in flight to record their answer.
pub const SEND_GRACE: Duration = Duration::from_secs(8);

/// The most a shutdown takes, from the signal until [`crate::run`] returns.
pub const STOP_WITHIN: Duration = Duration::from_secs(9);

/// A background task the shutdown waits for, by name.
type Tracked = (&'static str, JoinHandle<()>);

/// The process-wide shutdown signal and the background tasks it waits for. Cheap to clone.
#[derive(Clone, Default)]
pub struct Shutdown {
    signal: CancellationToken,
    inbox: CancellationToken,
    triggered_at: Arc<OnceLock<Instant>>,
    tasks: Arc<Mutex<Vec<Tracked>>>,
}

impl Shutdown {
    /// Starts the shutdown (idempotent).
    pub fn trigger(&self) {
        let mut first = false;
        self.triggered_at.get_or_init(|| {
            first = true;
            Instant::now()
        });
        if first {
            tracing::info!(
                "shutting down: no new connections, live streams end, sends in flight get {} s",
                SEND_GRACE.as_secs()
            );
        }
        self.signal.cancel();
    }

    /// A token cancelled when the shutdown starts (cancelling it stops nothing else).
    pub fn token(&self) -> CancellationToken {
        self.signal.child_token()
    }

    /// A token cancelled once the HTTP server is done: the webhook inbox then stops.
    pub(crate) fn inbox_token(&self) -> CancellationToken {
        self.inbox.child_token()
    }

    /// Registers a background task [`Shutdown::finish`] waits for.
    pub(crate) fn track(&self, name: &'static str, task: JoinHandle<()>) {
        self.tasks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((name, task));
    }

    /// The instant `after` the signal (or after now, before any signal).
    pub fn deadline(&self, after: Duration) -> Instant {
        self.triggered_at
            .get()
            .copied()
            .unwrap_or_else(Instant::now)
            + after
    }

    /// After the HTTP server stopped: stops the inbox and waits for the tracked tasks, until
    /// [`STOP_WITHIN`] after the signal.
    pub async fn finish(&self) {
        self.trigger();
        self.inbox.cancel();
        let deadline = self.deadline(STOP_WITHIN);
        let tasks = std::mem::take(&mut *self.tasks.lock().unwrap_or_else(|e| e.into_inner()));
        for (name, task) in tasks {
            if tokio::time::timeout_at(deadline, task).await.is_err() {
                tracing::warn!(task = name, "did not stop in time; abandoned");
            }
        }
        tracing::info!("stopped");
    }
}
