//! `GET /api/v1/events`: the tenant's changes as server-sent events. Bursts are coalesced
//! (at most one update per campaign or instance every [`FLUSH_EVERY`], always the latest
//! numbers; log lines are never merged), keep-alives flow every 15 s, and `Last-Event-ID`
//! resumes from the bus history (or sends a `resync` event when that is too old). A stream
//! opened with a session cookie re-checks its session every `FLOW_SESSION_RECHECK_SECS` and
//! ends once the session is revoked (logout) or expired.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::auth::extract::bearer;
use crate::auth::{Role, TenantCaller};
use crate::dashboard::session;
use crate::db::Db;
use crate::error::ErrorBody;
use crate::live::bus::{Change, ChangeKind, Replay};
use crate::state::AppState;

/// The shortest time between two updates of the same campaign or instance on one stream.
pub const FLUSH_EVERY: Duration = Duration::from_millis(250);

/// The session a cookie-authenticated stream lives on, and when to check it next.
struct SessionCheck {
    db: Db,
    token: String,
    every: Duration,
    next: Instant,
}

impl SessionCheck {
    /// Whether the session still exists (a database hiccup keeps the stream open).
    async fn still_valid(&mut self) -> bool {
        self.next = Instant::now() + self.every;
        match session::lookup(&self.db, &self.token).await {
            Ok(user) => user.is_some(),
            Err(e) => {
                tracing::warn!(error = %e, "cannot re-check a live stream's session");
                true
            }
        }
    }
}

struct LiveStream {
    tenant_id: i64,
    /// Set when the stream was opened with a session cookie.
    session: Option<SessionCheck>,
    /// Viewers do not get the instances' webhook URLs and secrets, nor QR codes.
    redact_secrets: bool,
    rx: broadcast::Receiver<Arc<Change>>,
    ready: VecDeque<Event>,
    coalesced: BTreeMap<(&'static str, i64), Arc<Change>>,
    logs: Vec<Arc<Change>>,
    deadline: Option<Instant>,
    last_flush: Instant,
    last_id: u64,
    /// Cancelled when the server shuts down: the stream ends.
    shutdown: CancellationToken,
    /// Counts the stream in `/metrics` while it lives.
    _client: crate::telemetry::SseClient,
}

fn sse_event(change: &Change, redact_secrets: bool) -> Event {
    let event = Event::default()
        .id(change.id.to_string())
        .event(change.kind.event_name());
    let event = match &change.kind {
        ChangeKind::Instance(view) if redact_secrets => {
            let mut view = view.clone();
            view.hide_secrets();
            event.json_data(ChangeKind::Instance(view))
        }
        kind => event.json_data(kind),
    };
    event.unwrap_or_else(|_| Event::default().event("error"))
}

fn resync() -> Event {
    Event::default()
        .event("resync")
        .data("missed updates: reload the current state")
}

impl LiveStream {
    fn accept(&mut self, change: Arc<Change>) {
        if change.tenant_id != self.tenant_id
            || change.id <= self.last_id
            || (self.redact_secrets && change.kind.admin_only())
        {
            return;
        }
        match change.kind.coalesce_key() {
            Some(key) => {
                self.coalesced.insert(key, change);
            }
            None => self.logs.push(change),
        }
        if self.deadline.is_none() {
            self.deadline = Some((self.last_flush + FLUSH_EVERY).max(Instant::now()));
        }
    }

    fn flush(&mut self) {
        let mut out: Vec<Arc<Change>> = std::mem::take(&mut self.logs);
        out.extend(std::mem::take(&mut self.coalesced).into_values());
        out.sort_by_key(|c| c.id);
        for change in out {
            self.last_id = self.last_id.max(change.id);
            self.ready
                .push_back(sse_event(&change, self.redact_secrets));
        }
        self.deadline = None;
        self.last_flush = Instant::now();
    }

    async fn next(mut self) -> Option<(Result<Event, Infallible>, Self)> {
        loop {
            if let Some(event) = self.ready.pop_front() {
                return Some((Ok(event), self));
            }
            let deadline = self.deadline;
            let recheck = self.session.as_ref().map(|s| s.next);
            tokio::select! {
                () = self.shutdown.cancelled() => return None,
                received = self.rx.recv() => match received {
                    Ok(change) => self.accept(change),
                    Err(RecvError::Lagged(_)) => self.ready.push_back(resync()),
                    Err(RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep_until(deadline.unwrap_or_else(Instant::now)), if deadline.is_some() => {
                    self.flush();
                }
                _ = tokio::time::sleep_until(recheck.unwrap_or_else(Instant::now)), if recheck.is_some() => {
                    if let Some(check) = &mut self.session
                        && !check.still_valid().await
                    {
                        return None;
                    }
                }
            }
        }
    }
}

/// Server-sent events of the tenant's changes: `campaign`, `instance`, `log` and (admins only)
/// `qrcode` events (data `{type, data}`), `ready`, and `resync` when updates were missed. Send
/// `Last-Event-ID` to resume. Bearer token or dashboard session cookie.
#[utoipa::path(
    get,
    path = "/events",
    operation_id = "events",
    tag = "events",
    responses(
        (status = 200, description = "text/event-stream", content_type = "text/event-stream", body = String),
        (status = 401, response = ErrorBody),
    )
)]
pub async fn stream(
    caller: TenantCaller,
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    // Subscribe before reading the history so nothing falls between the two.
    let rx = state.bus.subscribe();
    let every = state.config.session_recheck;
    let session = match (bearer(&headers), session::token_from(&headers)) {
        (None, Some(token)) => Some(SessionCheck {
            db: state.db.clone(),
            token: token.to_string(),
            every,
            next: Instant::now() + every,
        }),
        _ => None,
    };
    let mut s = LiveStream {
        tenant_id: caller.tenant_id,
        session,
        redact_secrets: caller.role != Role::Admin,
        rx,
        ready: VecDeque::new(),
        coalesced: BTreeMap::new(),
        logs: Vec::new(),
        deadline: None,
        last_flush: Instant::now() - FLUSH_EVERY,
        last_id: 0,
        shutdown: state.shutdown.token(),
        _client: crate::telemetry::SseClient::open(),
    };
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    match last_event_id.map(|id| (id, state.bus.replay(caller.tenant_id, id))) {
        Some((id, Replay::Changes(changes))) => {
            s.last_id = id;
            for change in changes {
                s.accept(change);
            }
            s.flush();
        }
        Some((_, Replay::TooOld)) => s.ready.push_back(resync()),
        None => s
            .ready
            .push_back(Event::default().event("ready").data("{}")),
    }
    Sse::new(futures_util::stream::unfold(s, LiveStream::next))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
