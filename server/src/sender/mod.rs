//! The campaign sender: a tokio task that sends each pending contact of every active campaign
//! through the campaign's instances (`POST {api_url}/message/sendText/{instance}`, or
//! `sendMedia`, `sendWhatsAppAudio`, `sendPoll`: [`compose`]).
//!
//! Safety comes from the database, not from this task's memory: a row is claimed (pending →
//! sending) in a transaction that re-checks the contact is not opted out, the campaign is
//! active and the instance is open (on PostgreSQL with `FOR UPDATE SKIP LOCKED`, so several
//! server processes never claim the same row); a claimed row is never sent again. Pacing and
//! daily caps (with warm-up) are held in the database too (see [`claim::claim_next`]), so they
//! hold across processes; the failure tracking is per process.
//!
//! A campaign with several instances spreads its sends by each one's remaining capacity today
//! and health ([`crate::domain::rotation`]): a weaker instance waits proportionally longer
//! after each of its sends, and one without capacity or at high risk sits out.

pub mod claim;
mod pacing;
pub mod spool;
mod spread;

use std::collections::HashMap;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::domain::{phone, typing};
use crate::evolution::client::{EvolutionClient, SEND_TIMEOUT, SendError};
use crate::evolution::outgoing::Outgoing;
use crate::live::publish::Publisher;
use crate::readiness::Beat;
use crate::service::{compose, links};
use crate::shutdown::SEND_GRACE;

use claim::{Available, Recheck};
pub use claim::{Claimed, recover_stale_sending};
use pacing::InstancePace;
use spool::{Spool, Unrecorded};
use spread::Spread;

/// Pause reason: Evolution refused the instance's api key (401/403).
pub const EVOLUTION_AUTH_FAILED: &str = "evolution_auth_failed";

/// Pause reason: Evolution could not download the campaign's file from Flow.
pub const MEDIA_UNREACHABLE: &str = "media_unreachable";

/// Pause reason: Evolution does not know the instance (404).
pub const EVOLUTION_INSTANCE_MISSING: &str = "evolution_instance_missing";

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
    /// A v1 instance's `close` not followed by `open` within this pauses its campaigns.
    pub v1_close_grace: Duration,
}

impl Default for SenderConfig {
    fn default() -> Self {
        Self {
            tick: Duration::from_millis(100),
            stale_sending_after: Duration::from_secs(300),
            startup_grace: Duration::from_secs(60),
            failure_pause_percent: 50,
            max_unavailable_in_a_row: 5,
            v1_close_grace: Duration::from_secs(60),
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
    /// Where sent messages wait while the database cannot record them.
    pub spool: Spool,
    /// `FLOW_PUBLIC_URL`: Evolution downloads a campaign's media under it.
    pub public_url: String,
    /// Where the codes of tracked links are remembered for the redirect.
    pub clicks: crate::clicks::Clicks,
}

/// The result of one send, reported back to the loop.
struct Sent {
    instance: Available,
    campaign_id: i64,
    min_delay_ms: i64,
    max_delay_ms: i64,
    /// How many times the campaign's pause this instance waits (its share of the rotation).
    stretch: f64,
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
    replay_spool(&deps).await;
    // Rows a previous run left `sending`: Evolution's `send.message` retries get the grace
    // period to link them before they are marked failed for review.
    let started = Instant::now();
    let mut startup_checked = false;
    let mut paces: HashMap<i64, InstancePace> = HashMap::new();
    let mut spread = Spread::default();
    let mut in_flight: JoinSet<Sent> = JoinSet::new();
    let mut tick = tokio::time::interval(config.tick);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_sweep = Instant::now();
    let mut last_grace_check = Instant::now();
    let mut schedule_failing: Option<Instant> = None;
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
                match schedule(&deps, &config, &mut paces, &mut spread, &mut in_flight).await {
                    Ok(()) => schedule_failing = None,
                    // During a database outage this fails every tick: say so once a minute.
                    Err(e) => {
                        if schedule_failing.is_none_or(|at: Instant| at.elapsed() >= Duration::from_secs(60)) {
                            schedule_failing = Some(Instant::now());
                            tracing::warn!(error = %e, "sender could not schedule sends");
                        }
                    }
                }
                if !startup_checked && started.elapsed() >= config.startup_grace {
                    startup_checked = true;
                    match recover_stale_sending(&deps, config.startup_grace).await {
                        Ok(0) => {}
                        Ok(n) => tracing::warn!(rows = n, "rows left `sending` by a previous run were marked failed for review"),
                        Err(e) => tracing::warn!(error = %e, "cannot check rows left `sending`"),
                    }
                }
                if last_grace_check.elapsed() >= Duration::from_secs(1) {
                    last_grace_check = Instant::now();
                    if let Err(e) = claim::expire_close_grace(&deps, config.v1_close_grace).await {
                        tracing::warn!(error = %e, "cannot check v1 instances waiting after a close");
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
    config: &SenderConfig,
    paces: &mut HashMap<i64, InstancePace>,
    spread: &mut Spread,
    in_flight: &mut JoinSet<Sent>,
) -> Result<(), sea_orm::DbErr> {
    let now = Instant::now();
    // How long a claimed pacing slot is held: the longest a send can take (the typing time
    // and the client's timeout), but no longer than the restart grace, so a process that died
    // mid-send holds its instance no longer than its unanswered rows wait.
    let lease = (Duration::from_millis(typing::MAX_MS) + SEND_TIMEOUT).min(config.startup_grace);
    let campaigns = claim::active_campaigns(&deps.db, &deps.public_url).await?;
    spread.retain(&campaigns.iter().map(|c| c.id).collect::<Vec<_>>());
    for campaign in campaigns {
        if !campaign.quiet.is_open(Utc::now()) {
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
            // Out of the rotation for now (no capacity left today, high risk): the claim
            // would refuse it too; the others take its recipients.
            let Some(stretch) = spread
                .stretch(&deps.db, &campaign, instances.len(), instance.id)
                .await?
            else {
                continue;
            };
            let Some(claimed) =
                claim::claim_next(&deps.db, &campaign, instance, &available, lease).await?
            else {
                continue;
            };
            sent_any = true;
            pace.busy = true;
            let message = message_for(&campaign, &claimed);
            let tracking = campaign.tracking.clone();
            let typing_delay = message
                .as_ref()
                .map_or(0, |m| typing::delay_ms(&m.typed_text()));
            let deps = deps.clone();
            let campaign_id = campaign.id;
            let (min_delay_ms, max_delay_ms) = (
                campaign.settings.min_delay_ms,
                campaign.settings.max_delay_ms,
            );
            let instance = instance.clone();
            in_flight.spawn(async move {
                let outcome =
                    send_one(&deps, &claimed, &instance, message, tracking, typing_delay).await;
                Sent {
                    instance,
                    campaign_id,
                    min_delay_ms,
                    max_delay_ms,
                    stretch,
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

/// The message `claimed` gets: its variant, spun with the row id as seed (a resend after a
/// crash is the same text), with the contact's placeholders (and attributes, `{{cidade}}`)
/// filled, as text, caption, voice note or poll. `None` when its file is gone.
fn message_for(campaign: &claim::DueCampaign, claimed: &Claimed) -> Option<Outgoing> {
    let attributes = claimed.attributes();
    let person = compose::Person {
        seed: claimed.id as u64,
        name: &claimed.name,
        phone: &claimed.phone,
        attributes: &attributes,
    };
    let variant = usize::try_from(claimed.variant).unwrap_or(0);
    compose::compose(
        &campaign.variants,
        &campaign.content,
        &campaign.files,
        variant,
        &person,
    )
}

/// The last look (opt-out, campaign still active), the Evolution call, and recording its
/// answer. A message Evolution accepted is recorded even if the database is away for a while.
async fn send_one(
    deps: &SenderDeps,
    claimed: &Claimed,
    instance: &Available,
    message: Option<Outgoing>,
    tracking: Option<links::Tracking>,
    typing_delay: u64,
) -> Result<(), SendError> {
    match claim::recheck(deps, claimed).await {
        Ok(Recheck::Send) => {}
        Ok(Recheck::OptedOut | Recheck::Stopped) => return Ok(()),
        Err(e) => {
            // Cannot make sure the person may be messaged: do not send. The row stays
            // claimed until it can be put back.
            tracing::warn!(error = %e, campaign_contact = claimed.id, "cannot re-check a claimed contact; not sent");
            retry_until_done(|| claim::put_back(deps, claimed.id)).await;
            return Ok(());
        }
    }
    // A number Flow could not place is never handed to Evolution to guess.
    if !phone::placeable(&claimed.phone) {
        claim::refuse_unplaceable(deps, claimed).await;
        return Ok(());
    }
    let Some(mut message) = message else {
        let e = SendError::Rejected("the campaign's file is no longer stored".into());
        claim::record_failure(deps, claimed, instance.id, &e).await;
        return Err(e);
    };
    if let Some(tracking) = &tracking {
        let recipient = links::Recipient {
            campaign_contact_id: claimed.id,
            contact_id: claimed.contact_id,
            variant: claimed.variant,
        };
        match links::track(
            &deps.db.write,
            &deps.public_url,
            tracking,
            recipient,
            &instance.api_url,
            &mut message,
        )
        .await
        {
            Ok(targets) => deps.clicks.remember(targets),
            Err(e) => {
                // Its links cannot be tracked now: sent later rather than untracked.
                tracing::warn!(error = %e, campaign_contact = claimed.id, "cannot make the recipient's link codes; not sent yet");
                retry_until_done(|| claim::put_back(deps, claimed.id)).await;
                return Ok(());
            }
        }
    }
    match deps
        .client
        .send(&instance.target(), &claimed.phone, &message, typing_delay)
        .await
    {
        Ok(message_id) => {
            let sent = Unrecorded {
                campaign_contact_id: claimed.id,
                campaign_id: claimed.campaign_id,
                instance_id: instance.id,
                message_id,
            };
            record(deps, &sent).await;
            Ok(())
        }
        Err(e) => {
            claim::record_failure(deps, claimed, instance.id, &e).await;
            Err(e)
        }
    }
}

/// Records a message Evolution accepted. While the database cannot be reached the message is
/// kept in the spool (on disk) and recorded as soon as the database answers again.
async fn record(deps: &SenderDeps, sent: &Unrecorded) {
    let write = || {
        claim::record_sent(
            deps,
            sent.campaign_contact_id,
            sent.instance_id,
            &sent.message_id,
        )
    };
    match write().await {
        Ok(()) => return,
        Err(e) if !crate::error::is_unavailable(&e) => {
            tracing::error!(error = %e, "cannot record a send's outcome");
            return;
        }
        Err(_) => {}
    }
    if let Err(e) = deps.spool.add(sent).await {
        tracing::error!(error = %e, "cannot spool a sent message; it stays in memory only");
    }
    retry_until_done(write).await;
    if let Err(e) = deps.spool.remove(sent).await {
        tracing::warn!(error = %e, "cannot drop a recorded message from the spool");
    }
}

/// Records what a previous run left in the spool (it stopped while the database was away).
async fn replay_spool(deps: &SenderDeps) {
    let entries = match deps.spool.entries().await {
        Ok(entries) => entries,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the spool");
            return;
        }
    };
    if !entries.is_empty() {
        tracing::info!(
            messages = entries.len(),
            "recording messages a previous run could not record"
        );
    }
    for sent in &entries {
        record(deps, sent).await;
        if let Err(e) = deps.spool.remove(sent).await {
            tracing::warn!(error = %e, "cannot drop a recorded message from the spool");
        }
    }
}

/// Runs `write` until it succeeds or fails for a reason other than the database being
/// unreachable: a message Evolution accepted must be recorded, whatever the database does
/// meanwhile. Waits 0.5 s, doubling up to 30 s, between tries; warns on the first failure and
/// then once a minute. A write that fails for another reason is logged and left to the stale
/// sweep and Evolution's `send.message` (which links the row, even once swept).
async fn retry_until_done<F, Fut>(mut write: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), sea_orm::DbErr>>,
{
    let mut wait = Duration::from_millis(500);
    let mut warned: Option<Instant> = None;
    loop {
        match write().await {
            Ok(()) => {
                if warned.is_some() {
                    tracing::info!("a send's outcome was recorded after the database came back");
                }
                return;
            }
            Err(e) if !crate::error::is_unavailable(&e) => {
                tracing::error!(error = %e, "cannot record a send's outcome");
                return;
            }
            Err(e) => {
                if warned.is_none_or(|at| at.elapsed() >= Duration::from_secs(60)) {
                    warned = Some(Instant::now());
                    tracing::warn!(error = %e, "cannot record a send's outcome yet; retrying");
                }
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(30));
            }
        }
    }
}

async fn after_send(
    deps: &SenderDeps,
    config: &SenderConfig,
    paces: &mut HashMap<i64, InstancePace>,
    sent: Sent,
) {
    let pace = paces.entry(sent.instance.id).or_default();
    pace.busy = false;
    let delay = if sent.max_delay_ms > sent.min_delay_ms {
        rand::rng().random_range(sent.min_delay_ms..=sent.max_delay_ms)
    } else {
        sent.min_delay_ms
    };
    let pause = Duration::from_millis(delay.max(0) as u64).mul_f64(sent.stretch);
    pace.wait(pause);
    let next_at = Utc::now() + chrono::Duration::from_std(pause).unwrap_or_default();
    if let Err(e) = claim::release_pace(&deps.db, sent.instance.id, next_at).await {
        tracing::warn!(error = %e, "cannot release an instance's pacing slot; it frees itself later");
    }
    let result = match &sent.outcome {
        Ok(()) => "sent",
        Err(SendError::NotOnWhatsApp) => "not_on_whatsapp",
        Err(SendError::Rejected(_)) => "rejected",
        Err(SendError::Unauthorized(_)) => "unauthorized",
        Err(SendError::InstanceMissing(_)) => "instance_missing",
        Err(SendError::NotSent(_)) => "not_sent",
        Err(SendError::MediaUnreachable(_)) => "media_unreachable",
        Err(SendError::Unknown(_)) => "unknown",
    };
    metrics::counter!(crate::telemetry::SENDS, "result" => result, "instance" => sent.instance.id.to_string())
        .increment(1);
    if matches!(
        sent.outcome,
        Ok(()) | Err(SendError::NotOnWhatsApp | SendError::Rejected(_))
    ) && let Err(e) = claim::check_risk(deps, &sent.instance).await
    {
        tracing::warn!(error = %e, "cannot check an instance's risk signals");
    }
    let reason = match &sent.outcome {
        Ok(()) => {
            pace.record(true);
            None
        }
        Err(SendError::NotSent(_)) => {
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
        Err(e @ (SendError::Unauthorized(_) | SendError::InstanceMissing(_))) => {
            let (state, reason) = match e {
                SendError::Unauthorized(_) => ("auth_failed", EVOLUTION_AUTH_FAILED),
                _ => ("missing", EVOLUTION_INSTANCE_MISSING),
            };
            if let Err(err) = claim::instance_refused(deps, &sent.instance, state, reason, e).await
            {
                tracing::warn!(error = %err, "cannot pause the campaigns of a refused instance");
            }
            None
        }
        Err(SendError::Unknown(_)) => None,
        // Every send of the file fails alike until Flow's media URL is reachable again.
        Err(e @ SendError::MediaUnreachable(_)) => Some((
            MEDIA_UNREACHABLE,
            format!("{e}; check that Evolution reaches FLOW_PUBLIC_URL; campaign paused"),
        )),
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
