//! The campaign sender: a tokio task that sends each pending contact of every active campaign
//! through the campaign's instances (`POST {api_url}/message/sendText/{instance}`).
//!
//! Safety comes from the database, not from this task's memory: a row is claimed (pending →
//! sending) in a transaction that re-checks the contact is not opted out, the campaign is
//! active and the instance is open (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several
//! server processes never claim the same row); a claimed row is never sent again. Pacing,
//! rotation and failure tracking are per process.

mod claim;
mod pacing;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::domain::send_window;
use crate::domain::template;
use crate::evolution::client::{EvolutionClient, SendError, Target};
use crate::live::publish::Publisher;
use crate::readiness::Beat;
use crate::shutdown::SEND_GRACE;

pub use claim::{Claimed, recover_stale_sending};
use pacing::InstancePace;

/// How the sender behaves.
#[derive(Clone, Debug)]
pub struct SenderConfig {
    /// How often due work is looked for.
    pub tick: Duration,
    /// A row left `sending` longer than this (no answer, crash) is marked failed for review.
    pub stale_sending_after: Duration,
    /// At start, rows left `sending` by a previous run get this long for Evolution's
    /// `send.message` retry to link them before they are marked failed for review.
    pub startup_grace: Duration,
    /// Pause a campaign when this share (percent) of an instance's last sends failed.
    pub failure_pause_percent: u32,
    /// Pause a campaign after this many consecutive "Evolution unavailable" answers.
    pub max_unavailable_in_a_row: u32,
}

impl Default for SenderConfig {
    fn default() -> Self {
        Self {
            tick: Duration::from_millis(100),
            stale_sending_after: Duration::from_secs(300),
            startup_grace: Duration::from_secs(60),
            failure_pause_percent: 50,
            max_unavailable_in_a_row: 5,
        }
    }
}

/// What the sender needs from the server.
#[derive(Clone)]
pub struct SenderDeps {
    /// Database.
    pub db: Db,
    /// Where committed changes go for live updates.
    pub publisher: Publisher,
    /// Evolution API client.
    pub client: EvolutionClient,
}

/// The result of one send, reported back to the loop.
struct Sent {
    instance_id: i64,
    campaign_id: i64,
    min_delay_ms: i64,
    max_delay_ms: i64,
    outcome: Result<(), SendError>,
}

/// Starts the sender, reporting its liveness on `beat`. Once `stop` is cancelled it claims
/// nothing more, gives its sends in flight up to [`SEND_GRACE`] to record their answer, and
/// ends (the returned task).
pub fn spawn(
    deps: SenderDeps,
    config: SenderConfig,
    stop: CancellationToken,
    beat: Beat,
) -> JoinHandle<()> {
    tokio::spawn(run(deps, config, stop, beat))
}

async fn run(deps: SenderDeps, config: SenderConfig, stop: CancellationToken, beat: Beat) {
    let running = beat.start();
    // Rows a previous run left `sending`: Evolution's `send.message` retries get the grace
    // period to link them before they are marked failed for review.
    let started = Instant::now();
    let mut startup_checked = false;
    let mut paces: HashMap<i64, InstancePace> = HashMap::new();
    let mut in_flight: JoinSet<Sent> = JoinSet::new();
    let mut tick = tokio::time::interval(config.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_sweep = Instant::now();
    loop {
        tokio::select! {
            biased;
            () = stop.cancelled() => break,
            Some(done) = in_flight.join_next() => {
                let _busy = running.busy();
                if let Ok(sent) = done {
                    after_send(&deps, &config, &mut paces, sent).await;
                }
            }
            _ = tick.tick() => {
                let _busy = running.busy();
                if let Err(e) = schedule(&deps, &mut paces, &mut in_flight).await {
                    tracing::warn!(error = %e, "sender could not schedule sends");
                }
                if !startup_checked && started.elapsed() >= config.startup_grace {
                    startup_checked = true;
                    match recover_stale_sending(&deps, config.startup_grace).await {
                        Ok(0) => {}
                        Ok(n) => tracing::warn!(rows = n, "rows left `sending` by a previous run were marked failed for review"),
                        Err(e) => tracing::warn!(error = %e, "cannot check rows left `sending`"),
                    }
                }
                if last_sweep.elapsed() > Duration::from_secs(60) {
                    last_sweep = Instant::now();
                    if let Err(e) = recover_stale_sending(&deps, config.stale_sending_after).await {
                        tracing::warn!(error = %e, "cannot sweep stale sends");
                    }
                }
            }
        }
    }
    if !in_flight.is_empty() {
        tracing::info!(
            sends = in_flight.len(),
            "sender stopping: waiting for the sends in flight"
        );
    }
    let finished = tokio::time::timeout(SEND_GRACE, async {
        while let Some(done) = in_flight.join_next().await {
            if let Ok(sent) = done {
                after_send(&deps, &config, &mut paces, sent).await;
            }
        }
    })
    .await;
    if finished.is_err() {
        tracing::warn!(
            sends = in_flight.len(),
            "sends without an answer at shutdown stay `sending` until reviewed"
        );
    }
}

/// Starts a send on every instance that is free, paced and has work.
async fn schedule(
    deps: &SenderDeps,
    paces: &mut HashMap<i64, InstancePace>,
    in_flight: &mut JoinSet<Sent>,
) -> Result<(), sea_orm::DbErr> {
    let now = Instant::now();
    for campaign in claim::active_campaigns(&deps.db).await? {
        if !send_window::is_open(campaign.settings.send_window.as_ref(), Utc::now()) {
            continue;
        }
        let instances = claim::available_instances(&deps.db, campaign.id).await?;
        let available: Vec<i64> = instances.iter().map(|i| i.id).collect();
        let mut sent_any = false;
        let mut blocked = false;
        for instance in &instances {
            let pace = paces.entry(instance.id).or_default();
            if pace.busy || !pace.ready(now) {
                blocked = true;
                continue;
            }
            if let Some(cap) = campaign.settings.daily_cap_per_instance
                && claim::sent_today(&deps.db, instance.id).await? >= cap
            {
                continue;
            }
            let Some(claimed) =
                claim::claim_next(&deps.db, &campaign, instance, &available).await?
            else {
                continue;
            };
            sent_any = true;
            pace.busy = true;
            let text = template::render(&campaign.message, &claimed.name, &claimed.phone);
            let target = Target {
                api_url: instance.api_url.clone(),
                instance: instance.name.clone(),
                api_key: instance.api_key.clone(),
                version: instance.version,
            };
            let typing_delay = campaign.settings.min_delay_ms.clamp(0, 1200) as u64;
            let deps = deps.clone();
            let (instance_id, campaign_id) = (instance.id, campaign.id);
            let (min_delay_ms, max_delay_ms) = (
                campaign.settings.min_delay_ms,
                campaign.settings.max_delay_ms,
            );
            in_flight.spawn(async move {
                let outcome = match deps
                    .client
                    .send_text(&target, &claimed.phone, &text, typing_delay)
                    .await
                {
                    Ok(message_id) => claim::record_sent(&deps, &claimed, instance_id, &message_id)
                        .await
                        .map_err(|e| SendError::Unknown(format!("sent, but not recorded: {e}"))),
                    Err(e) => {
                        claim::record_failure(&deps, &claimed, instance_id, &e).await;
                        Err(e)
                    }
                };
                Sent {
                    instance_id,
                    campaign_id,
                    min_delay_ms,
                    max_delay_ms,
                    outcome,
                }
            });
        }
        if !sent_any && !blocked && !instances.is_empty() {
            claim::complete_if_done(deps, campaign.id).await?;
        }
    }
    Ok(())
}

async fn after_send(
    deps: &SenderDeps,
    config: &SenderConfig,
    paces: &mut HashMap<i64, InstancePace>,
    sent: Sent,
) {
    let pace = paces.entry(sent.instance_id).or_default();
    pace.busy = false;
    let delay = if sent.max_delay_ms > sent.min_delay_ms {
        rand::rng().random_range(sent.min_delay_ms..=sent.max_delay_ms)
    } else {
        sent.min_delay_ms
    };
    pace.wait(Duration::from_millis(delay.max(0) as u64));
    let reason = match &sent.outcome {
        Ok(()) => {
            pace.record(true);
            None
        }
        Err(SendError::Unavailable(_)) => {
            pace.record(false);
            pace.back_off();
            (pace.unavailable_in_a_row >= config.max_unavailable_in_a_row).then_some((
                "evolution_unavailable",
                format!(
                    "Evolution did not accept {} sends in a row; campaign paused",
                    pace.unavailable_in_a_row
                ),
            ))
        }
        Err(SendError::Unknown(_)) => None,
        Err(SendError::NotOnWhatsApp | SendError::Rejected(_)) => {
            pace.record(false);
            pace.failure_percent()
                .filter(|p| *p >= config.failure_pause_percent)
                .map(|p| {
                    (
                        "high_failure_rate",
                        format!("{p}% of the instance's last sends failed; campaign paused"),
                    )
                })
        }
    };
    if let Some((reason, message)) = reason {
        pace.reset_failures();
        if let Err(e) = claim::pause(deps, sent.campaign_id, reason, message).await {
            tracing::warn!(error = %e, "cannot pause a failing campaign");
        }
    }
}
