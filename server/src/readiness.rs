//! Readiness: whether the background tasks (webhook writer, campaign sender, change publisher)
//! are alive and the database answers. Each task holds a [`Running`] mark for as long as it
//! runs (dropped when it ends, also by a panic) and marks the work it is doing as busy, so a
//! task that died or hangs on one step is named by `GET /readyz`. `/healthz` stays the cheap
//! liveness check.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::AppState;

/// A task busy on one step for longer than this is reported stalled.
pub const STALL_AFTER: Duration = Duration::from_secs(30);

/// How long `/readyz` waits for the database to answer a ping.
pub const DB_PING_TIMEOUT: Duration = Duration::from_secs(2);

const NOT_STARTED: u8 = 0;
const RUNNING: u8 = 1;
const STOPPED: u8 = 2;

#[derive(Debug)]
struct BeatInner {
    state: AtomicU8,
    /// Milliseconds after `origin` + 1 when the current step began; 0 when idle.
    busy_since: AtomicU64,
    origin: Instant,
}

/// The liveness of one background task. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Beat(Arc<BeatInner>);

impl Default for Beat {
    fn default() -> Self {
        Self(Arc::new(BeatInner {
            state: AtomicU8::new(NOT_STARTED),
            busy_since: AtomicU64::new(0),
            origin: Instant::now(),
        }))
    }
}

/// What `/readyz` says about a task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    /// Running, idle or busy for less than [`STALL_AFTER`].
    Ok,
    /// Not started in this process (the sender with `FLOW_SENDER=off`).
    Off,
    /// Busy on one step for this long.
    Stalled(Duration),
    /// It ended (shutdown, or a panic).
    Stopped,
}

impl TaskState {
    /// Whether the process is ready as far as this task goes.
    pub fn is_fine(self) -> bool {
        matches!(self, Self::Ok | Self::Off)
    }

    fn describe(self) -> String {
        match self {
            Self::Ok => "ok".into(),
            Self::Off => "off".into(),
            Self::Stalled(d) => format!("stalled for {} s", d.as_secs()),
            Self::Stopped => "stopped".into(),
        }
    }
}

impl Beat {
    /// Marks the task as running until the returned mark is dropped.
    pub fn start(&self) -> Running {
        self.0.state.store(RUNNING, Ordering::SeqCst);
        Running(self.clone())
    }

    /// The task's state, counting a step busy for longer than `stall_after` as stalled.
    pub fn state(&self, stall_after: Duration) -> TaskState {
        match self.0.state.load(Ordering::SeqCst) {
            NOT_STARTED => TaskState::Off,
            STOPPED => TaskState::Stopped,
            _ => match self.0.busy_since.load(Ordering::SeqCst) {
                0 => TaskState::Ok,
                since => {
                    let busy = self
                        .0
                        .origin
                        .elapsed()
                        .saturating_sub(Duration::from_millis(since - 1));
                    if busy > stall_after {
                        TaskState::Stalled(busy)
                    } else {
                        TaskState::Ok
                    }
                }
            },
        }
    }
}

/// Held by a running task; dropping it (the task ended or panicked) marks the task stopped.
#[derive(Debug)]
pub struct Running(Beat);

impl Running {
    /// Marks one step of work (a batch, a scheduling pass) until the guard is dropped.
    pub fn busy(&self) -> Busy<'_> {
        let since = self.0.0.origin.elapsed().as_millis() as u64 + 1;
        self.0.0.busy_since.store(since, Ordering::SeqCst);
        Busy(self)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.0.0.state.store(STOPPED, Ordering::SeqCst);
    }
}

/// A step in progress (see [`Running::busy`]).
#[derive(Debug)]
pub struct Busy<'a>(&'a Running);

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.0.0.busy_since.store(0, Ordering::SeqCst);
    }
}

/// The beats of the background tasks `/readyz` reports.
#[derive(Clone, Debug, Default)]
pub struct Beats {
    /// The webhook inbox writer.
    pub writer: Beat,
    /// The campaign sender.
    pub sender: Beat,
    /// The change publisher.
    pub publisher: Beat,
}

/// The `/readyz` answer.
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// `ready` or `not_ready`.
    pub status: &'static str,
    /// Each check (`database`, `writer`, `sender`, `publisher`): `ok`, `off`, or what is wrong.
    pub checks: BTreeMap<&'static str, String>,
    /// The checks that are not fine.
    pub failing: Vec<&'static str>,
}

impl Beats {
    /// The readiness given whether the database answered.
    pub fn readiness(&self, database_ok: bool, stall_after: Duration) -> Readiness {
        let database = if database_ok { "ok" } else { "unreachable" };
        let mut checks = BTreeMap::from([("database", database.to_string())]);
        let mut failing = if database_ok {
            vec![]
        } else {
            vec!["database"]
        };
        for (name, beat) in [
            ("writer", &self.writer),
            ("sender", &self.sender),
            ("publisher", &self.publisher),
        ] {
            let state = beat.state(stall_after);
            if !state.is_fine() {
                failing.push(name);
            }
            checks.insert(name, state.describe());
        }
        Readiness {
            status: if failing.is_empty() {
                "ready"
            } else {
                "not_ready"
            },
            checks,
            failing,
        }
    }
}

/// `GET /readyz`: 200 when the database answers and every task runs, else 503 naming what is not.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let database_ok = tokio::time::timeout(DB_PING_TIMEOUT, state.db.ping())
        .await
        .unwrap_or(false);
    let readiness = state.beats.readiness(database_ok, STALL_AFTER);
    let status = if readiness.failing.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(readiness))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_is_off_until_started_and_stopped_once_its_mark_is_dropped() {
        let beat = Beat::default();
        assert_eq!(beat.state(STALL_AFTER), TaskState::Off);
        let running = beat.start();
        assert_eq!(beat.state(STALL_AFTER), TaskState::Ok);
        drop(running);
        assert_eq!(beat.state(STALL_AFTER), TaskState::Stopped);
    }

    #[test]
    fn a_panicking_task_is_reported_stopped() {
        let beats = Beats::default();
        let beat = beats.writer.clone();
        let _ = std::thread::spawn(move || {
            let _running = beat.start();
            panic!("the writer died");
        })
        .join();
        let r = beats.readiness(true, STALL_AFTER);
        assert_eq!(r.failing, vec!["writer"]);
        assert_eq!(r.checks["writer"], "stopped");
        assert_eq!(r.checks["sender"], "off");
        assert_eq!(r.status, "not_ready");
    }

    #[test]
    fn a_step_busy_too_long_is_stalled_and_named() {
        let beats = Beats::default();
        let _publisher = beats.publisher.start();
        let _writer = beats.writer.start();
        let sender = beats.sender.start();
        let busy = sender.busy();
        std::thread::sleep(Duration::from_millis(20));
        let r = beats.readiness(true, Duration::from_millis(5));
        assert_eq!(r.failing, vec!["sender"]);
        assert!(r.checks["sender"].starts_with("stalled"), "{:?}", r.checks);
        drop(busy);
        let r = beats.readiness(false, Duration::from_millis(5));
        assert_eq!(r.failing, vec!["database"]);
        assert_eq!(r.checks["database"], "unreachable");
    }
}
