//! The click writer, with group commit: redirects submit visits to one task, which stores every
//! visit waiting in ONE transaction (the raw visit in `link_click`, the counters of its code and
//! the recipient's first click), then answers them all. While the database cannot take them the
//! visits go to the spool (fsynced) and are answered; they are stored when it is back, also
//! after a restart. A visit's random key makes a replay count once. So a redirect is answered
//! only once its click is on disk, and a click answered is a click counted.

use std::collections::BTreeSet;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, TransactionTrait};
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
        tokio::spawn(write_loop(db.clone(), publisher.clone(), spool.clone(), rx));
        tokio::spawn(replay_loop(db, publisher, spool));
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

async fn write_loop(
    db: Db,
    publisher: Publisher,
    spool: Spool<Click>,
    mut rx: mpsc::Receiver<Job>,
) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        while jobs.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        let clicks: Vec<Click> = jobs.iter().map(|(c, _)| c.clone()).collect();
        let kept = match store(&db, &publisher, &clicks).await {
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
async fn replay_loop(db: Db, publisher: Publisher, spool: Spool<Click>) {
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
        match store(&db, &publisher, &entries).await {
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

/// Stores `clicks` and publishes the campaigns whose clicks changed.
async fn store(db: &Db, publisher: &Publisher, clicks: &[Click]) -> Result<(), DbErr> {
    let touched = store_all(db, clicks).await?;
    if !touched.is_empty() {
        let mut effects = Effects::default();
        for id in touched {
            effects.touch_campaign(id);
        }
        publisher.publish(effects);
    }
    Ok(())
}

/// Stores `clicks` in one transaction: each visit once (by its key); a person's click adds to
/// its code's clicks and first/last click time and to the recipient's first click, a preview
/// to its code's previews. Returns the campaigns whose clicks changed.
pub async fn store_all(db: &Db, clicks: &[Click]) -> Result<BTreeSet<i64>, DbErr> {
    let txn = db.write.begin().await?;
    let backend = txn.get_database_backend();
    let mut touched = BTreeSet::new();
    for c in clicks {
        let kind = if c.preview.is_some() {
            "preview"
        } else {
            "click"
        };
        let inserted = txn
            .execute_raw(stmt(
                backend,
                "INSERT INTO link_click (click_key, code, kind, reason, at, user_agent) \
                 VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (click_key) DO NOTHING",
                vec![
                    c.key.clone().into(),
                    c.code.clone().into(),
                    kind.into(),
                    c.preview.clone().into(),
                    c.at.into(),
                    c.user_agent.clone().into(),
                ],
            ))
            .await?
            .rows_affected();
        if inserted == 0 {
            continue;
        }
        if c.preview.is_some() {
            txn.execute_raw(stmt(
                backend,
                "UPDATE link_code SET previews = previews + 1 WHERE code = ?",
                vec![c.code.clone().into()],
            ))
            .await?;
            continue;
        }
        txn.execute_raw(stmt(
            backend,
            "UPDATE link_code SET clicks = clicks + 1, \
             first_clicked_at = CASE WHEN first_clicked_at IS NULL OR first_clicked_at > ? \
             THEN ? ELSE first_clicked_at END, \
             last_clicked_at = CASE WHEN last_clicked_at IS NULL OR last_clicked_at < ? \
             THEN ? ELSE last_clicked_at END WHERE code = ?",
            vec![
                c.at.into(),
                c.at.into(),
                c.at.into(),
                c.at.into(),
                c.code.clone().into(),
            ],
        ))
        .await?;
        txn.execute_raw(stmt(
            backend,
            "UPDATE campaign_contact SET clicked_at = ? WHERE id = \
             (SELECT campaign_contact_id FROM link_code WHERE code = ?) \
             AND (clicked_at IS NULL OR clicked_at > ?)",
            vec![c.at.into(), c.code.clone().into(), c.at.into()],
        ))
        .await?;
        touched.insert(c.campaign_id);
    }
    txn.commit().await?;
    Ok(touched)
}
