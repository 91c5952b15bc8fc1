//! The durable webhook inbox with group commit. Handlers submit jobs to one writer task; it
//! takes every job waiting (up to [`MAX_BATCH`]), and in ONE transaction stores each raw event
//! in `webhook_event` and applies it, then commits and answers every waiting handler. So a
//! webhook is acknowledged only after its commit, a stored event is always applied exactly once
//! (the row and its effects commit together), and one fsync serves a whole burst.
//! The batch commits without waiting for the disk and is answered once a flusher task has
//! flushed the database's write-ahead log (see [`crate::wal`]): the writer applies the next
//! batch meanwhile.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, Set, TransactionTrait, Value,
};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::entities::webhook_event;
use crate::error::is_unavailable;
use crate::evolution::Event;
use crate::ingest::{self, Ctx, Effects, InstanceMemo, InstanceRef, Outcome};
use crate::live::publish::Publisher;
use crate::readiness::Beat;
use crate::sql::Together;
use crate::telemetry;
use crate::wal::{self, Flush};

/// The columns a stored event is inserted with ([`EVENT_ROW`]).
const EVENT_COLUMNS: usize = 9;

/// The placeholders of one stored event.
const EVENT_ROW: &str = "(?, ?, ?, ?, ?, ?, ?, ?, ?)";

/// The most jobs one transaction takes.
pub const MAX_BATCH: usize = 256;

/// Jobs that may wait for the writer before new webhooks are turned away with 503.
pub const QUEUE_CAPACITY: usize = 8192;

/// Body bytes that may wait for the writer (`FLOW_INBOX_MAX_BYTES`) by default: a burst of
/// large bodies is turned away with 503 before it can exhaust memory.
pub const DEFAULT_MAX_QUEUED_BYTES: usize = 64 * 1024 * 1024;

/// What the webhook layer made of the body.
#[derive(Debug)]
pub enum Parsed {
    /// A typed event, to apply.
    Event(Event),
    /// A JSON envelope whose `data` has the wrong shape; stored, not applied.
    Invalid(String),
}

/// One webhook to store and apply.
#[derive(Debug)]
pub struct Job {
    /// The authenticated instance.
    pub instance: InstanceRef,
    /// The body's `event` (`unknown` when it had none).
    pub event_name: String,
    /// The body as stored (apikey redacted).
    pub body: String,
    /// The parsed event.
    pub parsed: Parsed,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
}

/// Why a job could not be stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    /// The database is unreachable or failing: retry later.
    #[error("the event could not be stored; retry later")]
    Unavailable,
    /// Too many webhooks are waiting to be stored: retry later.
    #[error("too many webhooks waiting; retry later")]
    Overloaded,
}

type Reply = oneshot::Sender<Result<Outcome, StoreError>>;

/// The handle handlers submit jobs through. Cheap to clone.
#[derive(Clone)]
pub struct Inbox {
    tx: mpsc::Sender<(Job, Reply)>,
    queued: Arc<QueuedBytes>,
}

/// Body bytes submitted and not yet through the writer, against a limit.
struct QueuedBytes {
    now: AtomicUsize,
    max: usize,
}

impl QueuedBytes {
    /// Counts `n` more bytes unless that goes over the limit.
    fn reserve(&self, n: usize) -> bool {
        let reserved = self
            .now
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |q| {
                (q + n <= self.max).then_some(q + n)
            })
            .map(|before| before + n);
        if let Ok(now) = reserved {
            metrics::gauge!(telemetry::INBOX_QUEUED_BYTES).set(now as f64);
        }
        reserved.is_ok()
    }

    fn release(&self, n: usize) {
        let now = self.now.fetch_sub(n, Ordering::AcqRel) - n;
        metrics::gauge!(telemetry::INBOX_QUEUED_BYTES).set(now as f64);
    }
}

impl Inbox {
    /// Starts the writer task on `db`, handing applied changes to `publisher` and reporting
    /// its liveness on `beat`; at most `max_queued_bytes` of bodies wait for it. Once `stop`
    /// is cancelled it takes no new job, stores and answers those queued, and ends (the
    /// returned task).
    pub fn start(
        db: Db,
        publisher: Publisher,
        max_queued_bytes: usize,
        stop: CancellationToken,
        beat: Beat,
    ) -> (Self, JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let queued = Arc::new(QueuedBytes {
            now: AtomicUsize::new(0),
            max: max_queued_bytes,
        });
        let (flusher, flushed) = mpsc::unbounded_channel();
        let flushing = tokio::spawn(flush(db.flush.clone(), flushed, publisher.clone()));
        let writer = tokio::spawn(
            Writer {
                db,
                publisher,
                queued: queued.clone(),
                flusher,
                memo: InstanceMemo::default(),
            }
            .run(rx, stop, beat, flushing),
        );
        (Self { tx, queued }, writer)
    }

    /// Stores and applies `job`; returns once it is committed.
    pub async fn submit(&self, job: Job) -> Result<Outcome, StoreError> {
        let size = job.body.len();
        if !self.queued.reserve(size) {
            return Err(StoreError::Overloaded);
        }
        let (reply, answer) = oneshot::channel();
        if self.tx.try_send((job, reply)).is_err() {
            self.queued.release(size);
            return Err(StoreError::Overloaded);
        }
        answer.await.unwrap_or(Err(StoreError::Unavailable))
    }
}

/// `upsert:<id>` / `send:<id>`: events that must not apply twice when Evolution repeats them.
/// Receipts need no key: the status machine ignores repeats by itself.
pub fn dedup_key(event: &Event) -> Option<String> {
    match event {
        Event::MessageReceived(m) => m.message_id.as_ref().map(|id| format!("upsert:{id}")),
        Event::MessageSent(s) => Some(format!("send:{}", s.message_id)),
        _ => None,
    }
}

/// Whether an event with `key` from `instance_id` was already applied.
pub async fn already_applied(
    txn: &DatabaseTransaction,
    instance_id: i64,
    key: &str,
) -> Result<bool, DbErr> {
    Ok(webhook_event::Entity::find()
        .filter(webhook_event::Column::InstanceId.eq(instance_id))
        .filter(webhook_event::Column::DedupKey.eq(key))
        .count(txn)
        .await?
        > 0)
}

/// The webhook's event as counted in `/metrics`: Evolution's names, anything else `other`, so
/// a body cannot invent labels.
fn event_label(event: &str) -> &'static str {
    const KNOWN: [&str; 8] = [
        "messages.update",
        "messages.upsert",
        "send.message",
        "connection.update",
        "qrcode.updated",
        "messages.delete",
        "unparsed",
        "unknown",
    ];
    KNOWN.into_iter().find(|e| *e == event).unwrap_or("other")
}

/// Counts a stored webhook in `/metrics` by event and outcome.
fn count_webhook(event: &'static str, outcome: Outcome) {
    metrics::counter!(telemetry::WEBHOOKS, "event" => event, "outcome" => outcome.as_str())
        .increment(1);
}

/// A committed batch's answers and what it changed.
struct Committed {
    answers: Vec<(Reply, &'static str, Outcome)>,
    effects: Effects,
}

impl Committed {
    /// Tells each handler its webhook is stored, and the live stream what changed.
    fn answer(self, publisher: &Publisher) {
        for (reply, event, outcome) in self.answers {
            count_webhook(event, outcome);
            let _ = reply.send(Ok(outcome));
        }
        publisher.publish(self.effects);
    }

    /// Answers 503 (the batch is committed, but not known to be on disk: Evolution sends it
    /// again, and a repeat is recognised); the live stream still shows what the database holds.
    fn refuse(self, publisher: &Publisher) {
        for (reply, _, _) in self.answers {
            let _ = reply.send(Err(StoreError::Unavailable));
        }
        publisher.publish(self.effects);
    }
}

/// Answers committed batches once the write-ahead log is on disk, one flush for all the batches
/// committed meanwhile.
async fn flush(wal: Flush, mut rx: mpsc::UnboundedReceiver<Committed>, publisher: Publisher) {
    let mut batches = Vec::new();
    while rx.recv_many(&mut batches, MAX_BATCH).await > 0 {
        let started = std::time::Instant::now();
        let synced = wal.sync().await;
        metrics::histogram!(telemetry::INBOX_FLUSH).record(started.elapsed().as_secs_f64());
        match synced {
            Ok(()) => batches.drain(..).for_each(|b| b.answer(&publisher)),
            Err(e) => {
                tracing::error!(error = %e, batches = batches.len(), "flushing the WAL failed: those webhooks are answered 503");
                batches.drain(..).for_each(|b| b.refuse(&publisher));
            }
        }
    }
}

struct Writer {
    db: Db,
    publisher: Publisher,
    queued: Arc<QueuedBytes>,
    /// Where committed batches wait for the WAL flush.
    flusher: mpsc::UnboundedSender<Committed>,
    /// What the writer's transactions read and wrote of instances, not asked again.
    memo: InstanceMemo,
}

impl Writer {
    async fn run(
        mut self,
        mut rx: mpsc::Receiver<(Job, Reply)>,
        stop: CancellationToken,
        beat: Beat,
        flushing: JoinHandle<()>,
    ) {
        let running = beat.start();
        let mut batch = Vec::with_capacity(MAX_BATCH);
        let mut stopping = false;
        loop {
            let received = tokio::select! {
                n = rx.recv_many(&mut batch, MAX_BATCH) => n,
                () = stop.cancelled(), if !stopping => {
                    // New webhooks are turned away (503, Evolution retries); queued ones still
                    // commit and get their answer, then `recv_many` returns 0.
                    stopping = true;
                    rx.close();
                    continue;
                }
            };
            if received == 0 {
                break;
            }
            let _busy = running.busy();
            let jobs = std::mem::take(&mut batch);
            let bytes: usize = jobs.iter().map(|(job, _)| job.body.len()).sum();
            self.process(jobs).await;
            self.queued.release(bytes);
        }
        // Every committed batch is answered before the writer is done: without the writer the
        // flusher's channel closes, and the flusher ends once it has answered the last batch.
        drop(self);
        let _ = flushing.await;
    }

    async fn process(&mut self, jobs: Vec<(Job, Reply)>) {
        let now = Utc::now();
        let started = std::time::Instant::now();
        let stored = wal::deferred(self.store_and_apply(&jobs, now)).await;
        match stored {
            Ok((outcomes, effects)) => {
                metrics::histogram!(telemetry::INBOX_COMMIT)
                    .record(started.elapsed().as_secs_f64());
                metrics::histogram!(telemetry::INBOX_BATCH).record(jobs.len() as f64);
                let answers = jobs
                    .into_iter()
                    .zip(outcomes)
                    .map(|((job, reply), outcome)| (reply, event_label(&job.event_name), outcome))
                    .collect();
                let batch = Committed { answers, effects };
                if let Err(unsent) = self.flusher.send(batch) {
                    // The flusher is gone (it never ends before the writer): refuse.
                    unsent.0.refuse(&self.publisher);
                }
            }
            Err(e) if is_unavailable(&e) => {
                tracing::warn!(error = %e, jobs = jobs.len(), "webhook batch not stored: database unavailable");
                for (_, reply) in jobs {
                    let _ = reply.send(Err(StoreError::Unavailable));
                }
            }
            Err(e) if jobs.len() > 1 => {
                // One bad event must not sink the others: retry them one by one.
                tracing::warn!(error = %e, jobs = jobs.len(), "webhook batch failed; retrying one by one");
                for job in jobs {
                    Box::pin(self.process(vec![job])).await;
                }
            }
            Err(e) => {
                let Some((job, reply)) = jobs.into_iter().next() else {
                    return;
                };
                tracing::error!(error = %e, event = %job.event_name, "applying a webhook failed; stored for reprocessing");
                let answer = self
                    .store_failed(&job, &e.to_string())
                    .await
                    .map(|()| Outcome::Error)
                    .map_err(|_| StoreError::Unavailable);
                if answer.is_ok() {
                    count_webhook(event_label(&job.event_name), Outcome::Error);
                }
                let _ = reply.send(answer);
            }
        }
    }

    async fn store_and_apply(
        &mut self,
        jobs: &[(Job, Reply)],
        now: DateTime<Utc>,
    ) -> Result<(Vec<Outcome>, Effects), DbErr> {
        let txn = self.db.flush.connection(&self.db.write).begin().await?;
        let mut ctx = Ctx::new(&txn, now);
        // One query for every receipt's campaign contact instead of one per receipt.
        let receipt_ids: Vec<String> = jobs
            .iter()
            .filter_map(|(job, _)| match &job.parsed {
                Parsed::Event(Event::MessageStatus(updates)) => Some(updates),
                _ => None,
            })
            .flatten()
            .map(|u| u.message_id.clone())
            .collect();
        ctx.effects.tracked.prefetch(&txn, &receipt_ids).await?;
        let mut seen: HashSet<(i64, String)> = HashSet::new();
        let mut outcomes = Vec::with_capacity(jobs.len());
        let mut events: Vec<Value> = Vec::with_capacity(jobs.len() * EVENT_COLUMNS);
        for (job, _) in jobs {
            let mut key = match &job.parsed {
                Parsed::Event(event) => dedup_key(event),
                Parsed::Invalid(_) => None,
            };
            let (outcome, error) = match &job.parsed {
                Parsed::Invalid(reason) => (Outcome::Invalid, Some(reason.clone())),
                Parsed::Event(event) => {
                    let repeated = match &key {
                        Some(k) => {
                            !seen.insert((job.instance.id, k.clone()))
                                || already_applied(&txn, job.instance.id, k).await?
                        }
                        None => false,
                    };
                    if repeated {
                        key = None;
                        (Outcome::Duplicate, None)
                    } else {
                        (ingest::apply(&mut ctx, &job.instance, event).await?, None)
                    }
                }
            };
            outcomes.push(outcome);
            events.extend([
                job.instance.tenant_id.into(),
                job.instance.id.into(),
                job.event_name.clone().into(),
                job.body.clone().into(),
                job.received_at.into(),
                now.into(),
                outcome.as_str().into(),
                error.into(),
                key.into(),
            ]);
        }
        // The events go in the same round trip as the changes they made.
        let mut together = Together::new(txn.get_database_backend());
        together.push(
            format!(
                "INSERT INTO webhook_event (tenant_id, instance_id, event, body, received_at, \
                 processed_at, outcome, error, dedup_key) VALUES {}",
                vec![EVENT_ROW; jobs.len()].join(", ")
            ),
            events,
        );
        ctx.effects
            .flush_with(&txn, now, &mut self.memo, together)
            .await?;
        let effects = std::mem::take(&mut ctx.effects);
        txn.commit().await?;
        self.memo.committed();
        Ok((outcomes, effects))
    }

    /// Keeps an event whose application failed, unprocessed, for the reprocessor
    /// ([`super::reprocess`]) to apply once whatever failed is fixed.
    async fn store_failed(&self, job: &Job, error: &str) -> Result<(), DbErr> {
        webhook_event::Entity::insert(webhook_event::ActiveModel {
            tenant_id: Set(Some(job.instance.tenant_id)),
            instance_id: Set(Some(job.instance.id)),
            event: Set(job.event_name.clone()),
            body: Set(job.body.clone()),
            received_at: Set(job.received_at),
            processed_at: Set(None),
            outcome: Set(Some(Outcome::Error.as_str().to_string())),
            error: Set(Some(error.to_string())),
            dedup_key: Set(None),
            // The reprocessor takes it from here.
            attempts: Set(1),
            next_attempt_at: Set(Some(Utc::now() + super::reprocess::backoff(1))),
            ..Default::default()
        })
        .exec(&self.db.write)
        .await?;
        Ok(())
    }
}
