//! `GET /api/v1/events`: the tenant's changes as server-sent events. Bursts are coalesced
//! (at most one update per campaign or instance every [`FLUSH_EVERY`], always the latest
//! numbers; log lines are never merged), keep-alives flow every 15 s, and `Last-Event-ID`
//! resumes from the bus history (or sends a `resync` event when that is too old). A stream
//! re-checks its credential (session cookie or API token) every `FLOW_SESSION_RECHECK_SECS`,
//! and at once when one of the tenant's credentials changes on any node
//! ([`ChangeKind::Credentials`]): it ends once its credential is revoked or expired, and stops
//! carrying secrets and QR codes once its caller is no longer an admin.

use std::collections::{BTreeMap, VecDeque};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use sea_orm::EntityTrait;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::auth::{Role, TenantCaller, Who};
use crate::dashboard::session;
use crate::db::Db;
use crate::entities::api_token;
use crate::error::ErrorBody;
use crate::live::bus::{Change, ChangeKind, Replay};
use crate::state::AppState;

/// The shortest time between two updates of the same campaign or instance on one stream. The
/// first change after a quiet spell goes out at once; during a burst each change waits at most
/// this long, which keeps webhook → screen under a quarter second at the 99th percentile
/// (`end2end/tests/live_latency.test.mjs`) while a busy campaign still redraws at most ten
/// times a second.
pub const FLUSH_EVERY: Duration = Duration::from_millis(100);

/// The credential a stream was opened with.
enum Credential {
    /// A dashboard session (the cookie's token).
    Session(String),
    /// An API token (its row id).
    ApiToken(i64),
}

/// The credential a stream lives on, and when to check it next: a stream lives no longer than
/// its credential, and carries what only admins may see no longer than its caller is one.
struct CredentialCheck {
    db: Db,
    credential: Credential,
    every: Duration,
    next: Instant,
}

impl CredentialCheck {
    /// The caller's role now, or `None` once the credential was revoked or expired (or the
    /// user removed). A database hiccup keeps the stream as it is (`Some(current)`).
    async fn role_now(&mut self, current: Role) -> Option<Role> {
        self.next = Instant::now() + self.every;
        let found = match &self.credential {
            Credential::Session(token) => session::lookup(&self.db, token)
                .await
                .map(|user| user.map(|u| u.role)),
            Credential::ApiToken(id) => api_token::Entity::find_by_id(*id)
                .one(&self.db.read)
                .await
                .map(|row| row.map(|_| Role::Admin)),
        };
        match found {
            Ok(role) => role,
            Err(e) => {
                tracing::warn!(error = %e, "cannot re-check a live stream's credential");
                Some(current)
            }
        }
    }
}

struct LiveStream {
    tenant_id: i64,
    /// The credential it was opened with, checked on a timer and whenever one of the tenant's
    /// credentials changes.
    check: CredentialCheck,
    /// The caller's role as last checked.
    role: Role,
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
        if change.tenant_id == self.tenant_id && matches!(change.kind, ChangeKind::Credentials) {
            // Checked before anything more is sent.
            self.check.next = Instant::now();
            return;
        }
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
            // Due (or asked for by a credentials change): checked before anything is sent.
            if self.check.next <= Instant::now() && !self.recheck().await {
                return None;
            }
            if let Some(event) = self.ready.pop_front() {
                return Some((Ok(event), self));
            }
            let deadline = self.deadline;
            let recheck = self.check.next;
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
                () = tokio::time::sleep_until(recheck) => {}
            }
        }
    }

    /// Re-checks the stream's credential: false once it is gone (the stream ends). A caller
    /// who is no longer an admin stops getting admin-only changes and secrets at once, also
    /// those already waiting to be sent.
    async fn recheck(&mut self) -> bool {
        let Some(role) = self.check.role_now(self.role).await else {
            return false;
        };
        self.role = role;
        let redact = role != Role::Admin;
        if redact && !self.redact_secrets {
            // What was queued carries secrets: dropped, and the client told to reload.
            self.ready.clear();
            self.ready.push_back(resync());
            self.coalesced.retain(|_, c| !c.kind.admin_only());
        }
        self.redact_secrets = redact;
        true
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
    // A user is only ever authenticated by their session cookie, a token by its bearer.
    let credential = match caller.who {
        Who::Token(id) => Credential::ApiToken(id),
        Who::User(_) => Credential::Session(
            session::token_from(&headers)
                .unwrap_or_default()
                .to_string(),
        ),
    };
    let mut s = LiveStream {
        tenant_id: caller.tenant_id,
        check: CredentialCheck {
            db: state.db.clone(),
            credential,
            every,
            next: Instant::now() + every,
        },
        role: caller.role,
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
