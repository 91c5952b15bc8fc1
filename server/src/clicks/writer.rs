//! The click writer, with group commit: redirects submit visits to one task, which stores every
//! visit waiting in ONE transaction of three statements (the raw visits in `link_click`, the
//! counters of their codes and the recipients' first clicks), then answers them all. While the database cannot take them the
//! visits go to the spool (fsynced) and are answered; they are stored when it is back, also
//! after a restart. A visit's random key makes a replay count once. So a redirect is answered
//! only once its click is on disk, and a click answered is a click counted.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait, Value};
use tokio::sync::{mpsc, oneshot};

use crate::clicks::Click;
use crate::db::Db;
use crate::error::is_unavailable;
use crate::ingest::Effects;
use crate::live::publish::Publisher;
use crate::spool::Spool;
use crate::sql::stmt;

/// Visits one transaction takes at most.
const MAX_BATCH: usize = 512;

/// Visits that may wait for the writer.
const QUEUE_CAPACITY: usize = 16_384;

/// How often spooled visits are offered to the database again.
const REPLAY_EVERY: Duration = Duration::from_secs(2);

type Job = (Click, oneshot::Sender<bool>);

/// Submits visits to the writer task.
#[derive(Clone)]
pub struct ClickWriter {
    tx: mpsc::Sender<Job>,
}

impl ClickWriter {
    /// Starts the writer (and the replay of what the spool holds) on `db`; live updates go
    /// through `publisher`.
    pub fn start(db: Db, publisher: Publisher, spool: Spool<Click>) -> Self {
        let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
        let live = Live::default();
        live.clone().spawn(publisher);
        tokio::spawn(write_loop(db.clone(), live.clone(), spool.clone(), rx));
        tokio::spawn(replay_loop(db, live, spool));
        Self { tx }
    }

    /// Stores `click` and waits until it is durable; false when it could be kept nowhere.
    pub async fn record(&self, click: Click) -> bool {
        let (done, answer) = oneshot::channel();
        if self.tx.send((click, done)).await.is_err() {
            return false;
        }
        answer.await.unwrap_or(false)
    }
}

async fn write_loop(db: Db, live: Live, spool: Spool<Click>, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let clicks: Vec<Click> = jobs.iter().map(|(c, _)| c.clone()).collect();
        let kept = match store(&db, &live, &clicks).await {
            Ok(()) => true,
            Err(e) => {
                if is_unavailable(&e) {
                    tracing::warn!(
                        clicks = clicks.len(),
                        "database away: clicks kept in the spool"
                    );
                } else {
                    tracing::error!(error = %e, "cannot store clicks; kept in the spool");
                }
                match spool.add_all(&clicks).await {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::error!(error = %e, clicks = clicks.len(), "cannot spool clicks: they are lost");
                        false
                    }
                }
            }
        };
        for (_, done) in jobs {
            let _ = done.send(kept);
        }
    }
}

/// Stores what the spool holds, every [`REPLAY_EVERY`], for as long as the process runs.
async fn replay_loop(db: Db, live: Live, spool: Spool<Click>) {
    let mut tick = tokio::time::interval(REPLAY_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let entries = match spool.entries().await {
            Ok(entries) if !entries.is_empty() => entries,
            Ok(_) => continue,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the click spool");
                continue;
            }
        };
        match store(&db, &live, &entries).await {
            Ok(()) => {
                tracing::info!(clicks = entries.len(), "spooled clicks stored");
                if let Err(e) = spool.remove_all(&entries).await {
                    tracing::warn!(error = %e, "cannot drop stored clicks from the spool");
                }
            }
            Err(e) if is_unavailable(&e) => {}
            Err(e) => tracing::error!(error = %e, "cannot store spooled clicks"),
        }
    }
}

/// Stores `clicks` and marks the campaigns whose clicks changed for the next live update.
async fn store(db: &Db, live: &Live, clicks: &[Click]) -> Result<(), DbErr> {
    let touched = store_all(db, clicks).await?;
    live.mark(touched);
    Ok(())
}

/// The campaigns whose clicks changed since the last live update. A burst of clicks is
/// published once per [`LIVE_EVERY`], not once per transaction: the page stays live and the
/// publisher's reads stay off the redirect's way.
#[derive(Clone, Default)]
pub struct Live(Arc<Mutex<BTreeSet<i64>>>);

/// How often the campaigns whose clicks changed are published.
const LIVE_EVERY: Duration = Duration::from_millis(500);

impl Live {
    fn mark(&self, campaigns: BTreeSet<i64>) {
        if campaigns.is_empty() {
            return;
        }
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(campaigns);
    }

    /// Publishes what was marked, every [`LIVE_EVERY`], for as long as the process runs.
    fn spawn(self, publisher: Publisher) {
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(LIVE_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let marked = std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()));
                if marked.is_empty() {
                    continue;
                }
                let mut effects = Effects::default();
                for id in marked {
                    effects.touch_campaign(id);
                }
                publisher.publish(effects);
            }
        });
    }
}

/// Stores `clicks` in one transaction of three statements: each visit once (by its key); a
/// person's clicks add to their code's clicks and first/last click time and set the
/// recipient's first click, a preview to its code's previews. Returns the campaigns whose
/// clicks changed.
pub async fn store_all(db: &Db, clicks: &[Click]) -> Result<BTreeSet<i64>, DbErr> {
    let mut touched = BTreeSet::new();
    if clicks.is_empty() {
        return Ok(touched);
    }
    let txn = db.write.begin().await?;
    let backend = txn.get_database_backend();
    #[derive(FromQueryResult)]
    struct Kept {
        click_key: String,
    }
    let mut values: Vec<Value> = Vec::with_capacity(clicks.len() * 6);
    for c in clicks {
        let kind = if c.preview.is_some() {
            "preview"
        } else {
            "click"
        };
        values.extend([
            c.key.clone().into(),
            c.code.clone().into(),
            kind.into(),
            c.preview.clone().into(),
            c.at.into(),
            c.user_agent.clone().into(),
        ]);
    }
    let rows = vec!["(?, ?, ?, ?, ?, ?)"; clicks.len()].join(", ");
    let kept: HashSet<String> = Kept::find_by_statement(stmt(
        backend,
        &format!(
            "INSERT INTO link_click (click_key, code, kind, reason, at, user_agent) VALUES {rows} \
             ON CONFLICT (click_key) DO NOTHING RETURNING click_key"
        ),
        values,
    ))
    .all(&txn)
    .await?
    .into_iter()
    .map(|k| k.click_key)
    .collect();
    // Per code: clicks, previews, first and last click.
    let mut per_code: BTreeMap<&str, Tally> = BTreeMap::new();
    for c in clicks.iter().filter(|c| kept.contains(&c.key)) {
        let t = per_code.entry(c.code.as_str()).or_default();
        if c.preview.is_some() {
            t.previews += 1;
            continue;
        }
        t.clicks += 1;
        t.first = Some(t.first.map_or(c.at, |f| f.min(c.at)));
        t.last = Some(t.last.map_or(c.at, |l| l.max(c.at)));
        touched.insert(c.campaign_id);
    }
    if per_code.is_empty() {
        txn.commit().await?;
        return Ok(touched);
    }
    let mut values: Vec<Value> = Vec::with_capacity(per_code.len() * 5);
    for (code, t) in &per_code {
        values.extend([
            (*code).into(),
            t.clicks.into(),
            t.previews.into(),
            t.first.into(),
            t.last.into(),
        ]);
    }
    let tallies = format!(
        "WITH v (code, clicks, previews, first_at, last_at) AS (VALUES {})",
        vec!["(?, ?, ?, ?, ?)"; per_code.len()].join(", ")
    );
    txn.execute_raw(stmt(
        backend,
        &format!(
            "{tallies} UPDATE link_code SET clicks = link_code.clicks + v.clicks, \
             previews = link_code.previews + v.previews, \
             first_clicked_at = CASE WHEN v.first_at IS NOT NULL AND (link_code.first_clicked_at IS NULL \
               OR link_code.first_clicked_at > v.first_at) THEN v.first_at ELSE link_code.first_clicked_at END, \
             last_clicked_at = CASE WHEN v.last_at IS NOT NULL AND (link_code.last_clicked_at IS NULL \
               OR link_code.last_clicked_at < v.last_at) THEN v.last_at ELSE link_code.last_clicked_at END \
             FROM v WHERE link_code.code = v.code"
        ),
        values.clone(),
    ))
    .await?;
    txn.execute_raw(stmt(
        backend,
        &format!(
            "{tallies} UPDATE campaign_contact SET clicked_at = v.first_at FROM v \
             JOIN link_code lc ON lc.code = v.code \
             WHERE campaign_contact.id = lc.campaign_contact_id AND v.first_at IS NOT NULL \
             AND (campaign_contact.clicked_at IS NULL OR campaign_contact.clicked_at > v.first_at)"
        ),
        values,
    ))
    .await?;
    txn.commit().await?;
    Ok(touched)
}

/// One code's visits in a batch.
#[derive(Default)]
struct Tally {
    clicks: i64,
    previews: i64,
    first: Option<DateTime<Utc>>,
    last: Option<DateTime<Utc>>,
}
