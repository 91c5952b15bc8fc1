//! The relay of live changes between the nodes of a PostgreSQL deployment.
//!
//! - The **writer** takes what this node's [`ChangeBus`] publishes, in batches, and inserts it
//!   into `live_change` under an exclusive table lock (so ids commit in id order on every
//!   node) with a `NOTIFY` on [`CHANNEL`] in the same transaction. A campaign's or instance's
//!   state is read again under that lock: a snapshot another node took earlier but writes
//!   later would otherwise overtake a newer one, and streams would end on stale numbers.
//! - The **reader** `LISTEN`s and, on each notification (and every second in case one was
//!   missed), reads the rows after the last it delivered and [`ChangeBus::deliver`]s them with
//!   their ids. A stream resumed with `Last-Event-ID` on another node therefore misses nothing.
//! - Rows older than [`KEEP`] are deleted every minute by the node that leads.
//!
//! The reader also listens on [`super::DIRECTORY_CHANNEL`] and drops the webhook-directory
//! cache when any node changes an instance.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, TransactionTrait, Value,
};
use tokio::sync::mpsc;

use crate::cluster::leader::Leader;
use crate::db::Db;
use crate::live::bus::{Change, ChangeBus, ChangeKind, HISTORY, Outgoing};
use crate::service::{campaigns, instances};
use crate::webhook::directory::Directory;

/// The channel that says "new rows in `live_change`".
pub const CHANNEL: &str = "flow_live";

/// How long change rows are kept (a stream reconnecting later than this resyncs).
pub const KEEP: chrono::Duration = chrono::Duration::minutes(10);

/// The most changes written in one transaction.
const BATCH: usize = 500;

/// How often the reader looks for rows without being notified.
const POLL: Duration = Duration::from_secs(1);

/// How often the leading node deletes change rows older than [`KEEP`].
const PRUNE_EVERY: Duration = Duration::from_secs(60);

/// Starts the writer and the reader of a relayed bus (see [`ChangeBus::relayed`]), and the
/// pruning of old rows on the node that `leader` says leads.
pub fn start(
    db: Db,
    database_url: String,
    public_url: String,
    bus: ChangeBus,
    outgoing: mpsc::UnboundedReceiver<Outgoing>,
    directory: Arc<Directory>,
    leader: Leader,
) {
    tokio::spawn(write(db.clone(), public_url, outgoing));
    tokio::spawn(read(db.clone(), database_url, bus, directory));
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(PRUNE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if leader.leads()
                && let Err(e) = prune(&db).await
            {
                tracing::warn!(error = %e, "cannot prune the live change log");
            }
        }
    });
}

async fn write(db: Db, public_url: String, mut outgoing: mpsc::UnboundedReceiver<Outgoing>) {
    while let Some(first) = outgoing.recv().await {
        let mut batch = vec![first];
        while batch.len() < BATCH {
            match outgoing.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        let mut wait = Duration::from_millis(50);
        for attempt in 1..=5 {
            match insert(&db, &public_url, &batch).await {
                Ok(()) => break,
                Err(e) if attempt == 5 => {
                    tracing::warn!(error = %e, changes = batch.len(), "live changes lost: the change log cannot be written");
                }
                Err(e) => {
                    tracing::debug!(error = %e, "cannot write live changes yet; retrying");
                    tokio::time::sleep(wait).await;
                    wait *= 2;
                }
            }
        }
    }
}

async fn insert(db: &Db, public_url: &str, batch: &[Outgoing]) -> Result<(), DbErr> {
    let txn = db.write.begin().await?;
    // One writer at a time across the cluster: ids become visible in id order, so a reader
    // that has delivered id N never sees a smaller id commit later.
    txn.execute_unprepared("LOCK TABLE live_change IN EXCLUSIVE MODE")
        .await?;
    let now = Utc::now();
    let mut sql = String::from("INSERT INTO live_change (tenant_id, payload, created_at) VALUES ");
    let mut values: Vec<Value> = Vec::with_capacity(batch.len() * 3);
    for (i, (tenant_id, kind)) in batch.iter().enumerate() {
        let kind = current(&txn, public_url, kind).await?;
        let payload = serde_json::to_string(&kind).map_err(|e| DbErr::Custom(e.to_string()))?;
        if i > 0 {
            sql.push_str(", ");
        }
        let n = i * 3;
        sql.push_str(&format!("(${}, ${}, ${})", n + 1, n + 2, n + 3));
        values.extend([(*tenant_id).into(), payload.into(), now.into()]);
    }
    txn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .await?;
    txn.execute_unprepared(&format!("SELECT pg_notify('{CHANNEL}', '')"))
        .await?;
    txn.commit().await
}

/// `kind` as it stands now, read under the writers' lock: a campaign's or an instance's latest
/// state (so row ids and snapshots age together across nodes); other changes as they are.
async fn current(
    conn: &impl ConnectionTrait,
    public_url: &str,
    kind: &ChangeKind,
) -> Result<ChangeKind, DbErr> {
    Ok(match kind {
        ChangeKind::Campaign(view) => campaigns::snapshot(conn, view.id)
            .await?
            .map_or_else(|| kind.clone(), |(_, v)| ChangeKind::Campaign(Box::new(v))),
        ChangeKind::Instance(view) => instances::snapshot(conn, public_url, view.id)
            .await?
            .map_or_else(|| kind.clone(), |(_, v)| ChangeKind::Instance(Box::new(v))),
        _ => kind.clone(),
    })
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    tenant_id: i64,
    payload: String,
}

impl Row {
    fn change(self) -> Option<Arc<Change>> {
        match serde_json::from_str::<ChangeKind>(&self.payload) {
            Ok(kind) => Some(Arc::new(Change {
                id: u64::try_from(self.id).ok()?,
                tenant_id: self.tenant_id,
                kind,
            })),
            Err(e) => {
                tracing::warn!(error = %e, id = self.id, "an unreadable live change is skipped");
                None
            }
        }
    }
}

async fn rows(db: &Db, sql: &str, values: Vec<Value>) -> Result<Vec<Row>, DbErr> {
    Row::find_by_statement(Statement::from_sql_and_values(
        DbBackend::Postgres,
        sql,
        values,
    ))
    .all(&db.read)
    .await
}

/// Loads the cluster's recent changes into the bus memory (so streams resume on this node
/// too) and answers the last id.
async fn preload(db: &Db, bus: &ChangeBus) -> Result<i64, DbErr> {
    let mut recent = rows(
        db,
        "SELECT id, tenant_id, payload FROM live_change ORDER BY id DESC LIMIT $1",
        vec![(HISTORY as i64).into()],
    )
    .await?;
    recent.reverse();
    let last = recent.last().map_or(0, |r| r.id);
    for change in recent.into_iter().filter_map(Row::change) {
        bus.remember(change);
    }
    Ok(last)
}

/// Delivers every row after `last`; answers the new last id.
async fn deliver_new(db: &Db, bus: &ChangeBus, mut last: i64) -> Result<i64, DbErr> {
    loop {
        let batch = rows(
            db,
            "SELECT id, tenant_id, payload FROM live_change WHERE id > $1 ORDER BY id LIMIT $2",
            vec![last.into(), (BATCH as i64).into()],
        )
        .await?;
        let full = batch.len() == BATCH;
        for row in batch {
            last = row.id;
            if let Some(change) = row.change() {
                bus.deliver(change);
            }
        }
        if !full {
            return Ok(last);
        }
    }
}

async fn prune(db: &Db) -> Result<(), DbErr> {
    db.write
        .execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "DELETE FROM live_change WHERE created_at < $1",
            vec![(Utc::now() - KEEP).into()],
        ))
        .await
        .map(drop)
}

async fn read(db: Db, database_url: String, bus: ChangeBus, directory: Arc<Directory>) {
    let mut last = loop {
        match preload(&db, &bus).await {
            Ok(last) => break last,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the live change log yet");
                tokio::time::sleep(POLL).await;
            }
        }
    };
    let mut listener: Option<PgListener> = None;
    loop {
        if listener.is_none() {
            listener = listen(&database_url).await;
            // Whatever changed while nobody listened: forget cached instances.
            directory.clear();
        }
        if let Some(l) = listener.as_mut() {
            match tokio::time::timeout(POLL, l.try_recv()).await {
                Ok(Ok(Some(n))) if n.channel() == super::DIRECTORY_CHANNEL => directory.clear(),
                Ok(Ok(Some(_))) | Err(_) => {}
                // The connection dropped (and will reconnect): notifications may be lost.
                Ok(Ok(None)) => directory.clear(),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "the live change listener failed; reconnecting");
                    listener = None;
                }
            }
        } else {
            tokio::time::sleep(POLL).await;
        }
        match deliver_new(&db, &bus, last).await {
            Ok(new_last) => last = new_last,
            Err(e) => tracing::warn!(error = %e, "cannot read the live change log"),
        }
    }
}

async fn listen(database_url: &str) -> Option<PgListener> {
    let mut listener = match PgListener::connect(database_url).await {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!(error = %e, "cannot open the live change listener");
            return None;
        }
    };
    match listener
        .listen_all([CHANNEL, super::DIRECTORY_CHANNEL])
        .await
    {
        Ok(()) => Some(listener),
        Err(e) => {
            tracing::warn!(error = %e, "cannot listen for live changes");
            None
        }
    }
}
