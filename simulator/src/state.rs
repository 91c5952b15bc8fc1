//! The simulator's configuration, its instances, and the ground truth it records.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

/// What the simulator does, in percent and milliseconds.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// The api key every request must carry (`apikey` header).
    pub api_key: String,
    /// Seed of every random decision.
    pub seed: u64,
    /// The version `GET /` reports (`2.3.7`); a `1.x` server speaks v1 for every instance. It
    /// also decides the shapes of revokes and poll votes (2.3.0–2.3.6 report no votes).
    pub version: String,
    /// Instances that speak Evolution v1 (all others v2, unless the server is 1.x).
    pub v1_instances: Vec<String>,
    /// Instances that start disconnected (`close`), to be paired by QR code.
    pub closed_instances: Vec<String>,
    /// Share of sends that fail with `ERROR`.
    pub error_percent: u32,
    /// Share of the others that get `DELIVERY_ACK`.
    pub delivered_percent: u32,
    /// Share of the delivered that get `READ`.
    pub read_percent: u32,
    /// Share of the delivered whose contact replies.
    pub reply_percent: u32,
    /// Share of the delivered whose contact opts out.
    pub optout_percent: u32,
    /// Share of webhooks sent twice.
    pub duplicate_percent: u32,
    /// Share of read messages whose `READ` arrives before `DELIVERY_ACK`.
    pub out_of_order_percent: u32,
    /// Numbers ending with this are "not on WhatsApp" (400 `exists: false`).
    pub not_on_whatsapp_suffix: String,
    /// Scale of every delay: receipts come within about 1–6 × this many milliseconds, and a
    /// send's typing `delay` lasts `delay × pace_ms / 1000`.
    pub pace_ms: u64,
    /// The contacts' daily rhythm: outside its favoured hours reads take
    /// [`OFF_HOURS_FACTOR`] times longer.
    pub rhythm: crate::rhythm::Rhythm,
    /// Share of delivered messages the team revokes ("apagada para todos").
    pub revoke_percent: u32,
    /// Share of (non opt-out) replies the contact revokes.
    pub reply_revoke_percent: u32,
    /// Share of read voice notes (and videos) played.
    pub played_percent: u32,
    /// Share of delivered polls voted on.
    pub vote_percent: u32,
    /// Share of votes changed later (the person picks again).
    pub vote_change_percent: u32,
    /// Share of readers who tap the message's link.
    pub click_percent: u32,
    /// Share of those who tap it again.
    pub reclick_percent: u32,
    /// Share of messages whose link a crawler visits.
    pub crawler_percent: u32,
    /// Share of clickers who buy (reported when `shop` is set).
    pub buy_percent: u32,
    /// The shop's backend, reporting sales to Flow.
    pub shop: Option<Shop>,
}

/// Where the simulated shop reports its sales.
#[derive(Clone, Debug)]
pub struct Shop {
    /// Flow's base URL.
    pub flow_url: String,
    /// An admin API token of the tenant.
    pub token: String,
}

/// How much longer a read takes outside the contact's favoured hours.
pub const OFF_HOURS_FACTOR: f64 = 4.0;

impl Default for SimConfig {
    fn default() -> Self {
        Self {
            api_key: "sim-api-key".into(),
            seed: 42,
            version: "2.3.7".into(),
            v1_instances: Vec::new(),
            closed_instances: Vec::new(),
            error_percent: 3,
            delivered_percent: 92,
            read_percent: 65,
            reply_percent: 8,
            optout_percent: 1,
            duplicate_percent: 5,
            out_of_order_percent: 10,
            not_on_whatsapp_suffix: "0000".into(),
            pace_ms: 1000,
            rhythm: crate::rhythm::Rhythm::default(),
            revoke_percent: 2,
            reply_revoke_percent: 10,
            played_percent: 70,
            vote_percent: 60,
            vote_change_percent: 20,
            click_percent: 35,
            reclick_percent: 25,
            crawler_percent: 10,
            buy_percent: 30,
            shop: None,
        }
    }
}

/// One simulated instance.
#[derive(Debug)]
pub struct Instance {
    /// `open`, `connecting` (showing a QR code) or `close`.
    pub state: &'static str,
    /// QR codes shown since the last pairing began (Evolution's `count`).
    pub qr_count: u32,
    /// Where webhooks go (set by `webhook/set`).
    pub webhook_url: Option<String>,
    /// Speaks v1.
    pub v1: bool,
    /// Evolution refuses its api key (401), as after a key rotation.
    pub key_revoked: bool,
    /// Evolution no longer knows it (404), as after it was deleted there.
    pub deleted: bool,
    /// Sends go out but the answer is lost: Evolution answers 500 with an unrelated error
    /// (the `send.message` webhook still reports the message).
    pub answers_lost: bool,
    /// WhatsApp bans the number (close, statusReason 403) after this many more sends.
    pub ban_after: Option<u64>,
    /// Every contact who gets a message answers "SAIR" (a wave of opt-outs).
    pub optout_wave: bool,
    /// Its webhooks are dropped (as when Evolution gave up retrying while Flow was down);
    /// what they would have said is still in its state and message statuses.
    pub webhooks_dropped: bool,
}

/// A status Evolution stored for a message (`findStatusMessage` answers them once due).
#[derive(Clone, Debug)]
pub struct StoredStatus {
    /// The chat.
    pub remote_jid: String,
    /// `SERVER_ACK`, `DELIVERY_ACK`, `READ`, `ERROR`.
    pub status: String,
    /// When it happens.
    pub at: std::time::Instant,
}

/// What the simulator decided, for tests and demos to compare against.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct Truth {
    /// Messages accepted (201).
    pub sent: u64,
    /// Accepted messages that end delivered or read.
    pub delivered: u64,
    /// Accepted messages that end read.
    pub read: u64,
    /// Accepted messages that end in `ERROR`.
    pub failed: u64,
    /// Sends refused as not on WhatsApp.
    pub not_on_whatsapp: u64,
    /// Sends refused because the instance was disconnected.
    pub refused_disconnected: u64,
    /// Sends refused because the instance's key was revoked or the instance deleted.
    #[serde(default)]
    pub refused_instance: u64,
    /// Contacts that replied (an opt-out is a reply too).
    pub replied: u64,
    /// Contacts that opted out.
    pub opted_out: u64,
    /// Sends per phone number (more than 1 means a contact was messaged twice).
    pub sends_per_number: BTreeMap<String, u64>,
    /// Request bodies per API version (`v1`, `v2`).
    pub bodies: BTreeMap<String, u64>,
    /// Webhooks scheduled but not yet delivered.
    pub webhooks_pending: usize,
    /// Webhooks delivered (2xx).
    pub webhooks_delivered: u64,
    /// Webhooks dropped on purpose (`drop-webhooks`).
    #[serde(default)]
    pub webhooks_dropped: u64,
    /// Every accepted message, in the order accepted.
    #[serde(default)]
    pub messages: Vec<SentMessage>,
    /// Campaign messages the team revoked (`messages.delete`, fromMe).
    #[serde(default)]
    pub revoked: u64,
    /// Replies the contacts revoked.
    #[serde(default)]
    pub replies_revoked: u64,
    /// `presence.update` events sent.
    #[serde(default)]
    pub presences: u64,
    /// Numbers introduced by `contacts.upsert` with a push name.
    #[serde(default)]
    pub named: u64,
    /// Voice notes and videos played (`PLAYED`).
    #[serde(default)]
    pub played: u64,
    /// Each voter's final choice, by number (a changed vote shows its last choice).
    #[serde(default)]
    pub votes: BTreeMap<String, Vec<String>>,
    /// Votes changed after the first.
    #[serde(default)]
    pub vote_changes: u64,
    /// Media downloads that failed (the send was refused as Evolution refuses it).
    #[serde(default)]
    pub media_failed: u64,
    /// Link previews Evolution fetched.
    #[serde(default)]
    pub link_previews: u64,
    /// Crawler visits of links.
    #[serde(default)]
    pub crawler_visits: u64,
    /// People's clicks that were answered with a redirect, by number.
    #[serde(default)]
    pub clicks: BTreeMap<String, u64>,
    /// Sales the shop reported: (number, order id).
    #[serde(default)]
    pub sales: Vec<(String, String)>,
}

/// One message the simulator accepted.
#[derive(Clone, Debug, Default, Serialize, serde::Deserialize, PartialEq)]
pub struct SentMessage {
    /// The instance that sent it.
    pub instance: String,
    /// The number it went to.
    pub number: String,
    /// Its text (a caption, a poll's question).
    pub text: String,
    /// `text`, `image`, `video`, `document`, `audio` or `poll`.
    #[serde(default)]
    pub kind: String,
    /// SHA-256 of the file Evolution downloaded for it.
    #[serde(default)]
    pub media_sha256: Option<String>,
    /// Bytes of that file.
    #[serde(default)]
    pub media_bytes: Option<u64>,
    /// A document's name.
    #[serde(default)]
    pub file_name: Option<String>,
    /// A poll's options.
    #[serde(default)]
    pub poll_options: Vec<String>,
    /// The typing `delay` Flow asked for, in milliseconds.
    pub delay_ms: u64,
    /// When the send request arrived (Unix milliseconds).
    pub received_at_ms: i64,
}

/// The shared state.
pub struct Sim {
    /// Configuration.
    pub config: SimConfig,
    /// Instances by name (created on first use, open).
    pub instances: Mutex<HashMap<String, Instance>>,
    /// Ground truth, minus the webhook counters.
    pub truth: Mutex<Truth>,
    /// Webhooks in flight.
    pub pending: AtomicUsize,
    /// Webhooks delivered.
    pub delivered: AtomicU64,
    /// Message counter (ids).
    pub counter: AtomicU64,
    /// HTTP client for webhooks.
    pub http: reqwest::Client,
    /// Message statuses by message id, as Evolution's `MessageUpdate` table keeps them.
    pub statuses: Mutex<HashMap<String, Vec<StoredStatus>>>,
    /// Webhooks dropped on purpose (`drop-webhooks`).
    pub dropped: AtomicU64,
    /// Numbers already introduced by `contacts.upsert`.
    pub known_numbers: Mutex<std::collections::HashSet<String>>,
    /// Who fetches links: Evolution's server and people's phones.
    pub browsers: crate::links::Browsers,
}

impl Sim {
    /// A simulator with `config`.
    pub fn new(config: SimConfig) -> Self {
        Self {
            config,
            instances: Mutex::new(HashMap::new()),
            truth: Mutex::new(Truth::default()),
            pending: AtomicUsize::new(0),
            delivered: AtomicU64::new(0),
            counter: AtomicU64::new(0),
            http: reqwest::Client::new(),
            statuses: Mutex::new(HashMap::new()),
            dropped: AtomicU64::new(0),
            known_numbers: Mutex::new(std::collections::HashSet::new()),
            browsers: crate::links::Browsers::default(),
        }
    }

    /// Runs `f` on the instance `name` (created open on first use).
    pub fn with_instance<T>(&self, name: &str, f: impl FnOnce(&mut Instance) -> T) -> T {
        let mut instances = self.instances.lock().unwrap_or_else(|e| e.into_inner());
        let v1 = self.speaks_v1(name);
        let closed = self.config.closed_instances.iter().any(|n| n == name);
        let instance = instances.entry(name.to_string()).or_insert(Instance {
            state: if closed { "close" } else { "open" },
            qr_count: 0,
            webhook_url: None,
            v1,
            key_revoked: false,
            deleted: false,
            answers_lost: false,
            webhooks_dropped: false,
            ban_after: None,
            optout_wave: false,
        });
        f(instance)
    }

    /// The version's numbers (`[2, 3, 7]`).
    fn version(&self) -> Vec<u32> {
        self.config
            .version
            .split('.')
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// Whether a `messages.delete` carries `status: "DELETED"` (Evolution 2.3.7 and later).
    pub fn keyed_revokes(&self) -> bool {
        self.version() >= vec![2, 3, 7]
    }

    /// How a poll vote reaches the webhook in this version: `Some(true)` a decrypted
    /// `messages.upsert` (2.3.7+), `Some(false)` a `messages.update` with `pollUpdates` (v1,
    /// 2.2.x), `None` not at all (2.3.0–2.3.6).
    pub fn vote_shape(&self, v1: bool) -> Option<bool> {
        let version = self.version();
        if v1 || version < vec![2, 3] {
            Some(false)
        } else if version >= vec![2, 3, 7] {
            Some(true)
        } else {
            None
        }
    }

    /// Whether instance `name` speaks v1: a 1.x server, or a name in `v1_instances`.
    pub fn speaks_v1(&self, name: &str) -> bool {
        self.config.version.starts_with("1.") || self.config.v1_instances.iter().any(|n| n == name)
    }

    /// Updates the ground truth.
    pub fn record(&self, f: impl FnOnce(&mut Truth)) {
        f(&mut self.truth.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// The generator for decisions about messages to `number` (repeatable for a seed).
    pub fn rng_for(&self, number: &str) -> StdRng {
        let mut h = DefaultHasher::new();
        (self.config.seed, number).hash(&mut h);
        StdRng::seed_from_u64(h.finish())
    }
}
