//! Clicks on tracked links (`/l/{code}`): where a code leads (kept in memory once known, so a
//! redirect needs no database read, even while the database is away), whether a visit is a
//! person or a preview fetcher, and recording each visit durably before the redirect answers
//! ([`writer`]).

pub mod writer;

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::db::Db;
use crate::domain::link_preview::{self, PreviewReason, Visit};
use crate::service::links::{self, LinkTarget};

/// Codes whose target is kept in memory; past it the cache starts again empty.
const CACHE_CAPACITY: usize = 200_000;

/// How long the addresses of an Evolution server are trusted before being looked up again.
const ADDRESSES_FOR: Duration = Duration::from_secs(300);

/// The addresses a host resolved to, and when.
type Resolved = (Instant, Vec<IpAddr>);

/// One visit of a tracked link, as it is stored (and spooled while the database is away).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Click {
    /// Random key: a visit replayed from the spool is stored once.
    pub key: String,
    /// The code visited.
    pub code: String,
    /// Its campaign (for the live update).
    pub campaign_id: i64,
    /// Why it is a preview; `None` for a person's click.
    pub preview: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
    /// Its user agent (at most 200 characters).
    pub user_agent: Option<String>,
}

impl crate::spool::Spooled for Click {
    const FILE: &'static str = "clicks.jsonl";
}

/// What a code is, for the redirect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Lookup {
    /// A live code.
    Found(LinkTarget),
    /// No such code.
    Unknown,
    /// The database is away and the code is not in memory.
    Unavailable,
}

/// The redirect's shared state: the code cache, the Evolution addresses, the preview rules
/// and the click writer.
#[derive(Clone)]
pub struct Clicks {
    db: Db,
    targets: Arc<Mutex<HashMap<String, LinkTarget>>>,
    addresses: Arc<Mutex<HashMap<String, Resolved>>>,
    extra_agents: Arc<Vec<String>>,
    writer: writer::ClickWriter,
}

impl Clicks {
    /// The redirect's state over `db`, recording through `writer`; `extra_agents` are the
    /// operator's additional preview agents (`FLOW_PREVIEW_AGENTS`).
    pub fn new(db: Db, writer: writer::ClickWriter, extra_agents: Vec<String>) -> Self {
        Self {
            db,
            targets: Arc::default(),
            addresses: Arc::default(),
            extra_agents: Arc::new(
                extra_agents
                    .into_iter()
                    .map(|a| a.trim().to_ascii_lowercase())
                    .filter(|a| !a.is_empty())
                    .collect(),
            ),
            writer,
        }
    }

    /// Remembers where codes lead (the sender calls this for the codes it just made).
    pub fn remember(&self, targets: Vec<LinkTarget>) {
        let mut cache = self.targets.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() + targets.len() > CACHE_CAPACITY {
            cache.clear();
        }
        for t in targets {
            cache.insert(t.code.clone(), t);
        }
    }

    /// Where `code` leads.
    pub async fn lookup(&self, code: &str) -> Lookup {
        if let Some(t) = self
            .targets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(code)
        {
            return Lookup::Found(t.clone());
        }
        match links::target(&self.db.read, code).await {
            Ok(Some(t)) => {
                self.remember(vec![t.clone()]);
                Lookup::Found(t)
            }
            Ok(None) => Lookup::Unknown,
            Err(e) => {
                tracing::warn!(error = %e, "cannot look a link code up");
                Lookup::Unavailable
            }
        }
    }

    /// Why `visit` of `target` is a preview, or `None` for a person.
    pub async fn classify(&self, target: &LinkTarget, visit: &Visit<'_>) -> Option<PreviewReason> {
        let evolution = match &target.evolution_url {
            Some(url) if visit.client.is_some() => self.addresses_of(url).await,
            _ => Vec::new(),
        };
        link_preview::classify(visit, &evolution, &self.extra_agents)
    }

    /// The addresses the host of Evolution URL `url` resolves to (cached a few minutes).
    async fn addresses_of(&self, url: &str) -> Vec<IpAddr> {
        let Ok(parsed) = url::Url::parse(url) else {
            return Vec::new();
        };
        let Some(host) = parsed
            .host_str()
            .map(|h| h.trim_matches(['[', ']']).to_string())
        else {
            return Vec::new();
        };
        if let Ok(ip) = host.parse::<IpAddr>() {
            return vec![ip];
        }
        if let Some((at, ips)) = self
            .addresses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&host)
            && at.elapsed() < ADDRESSES_FOR
        {
            return ips.clone();
        }
        let port = parsed.port_or_known_default().unwrap_or(80);
        let ips: Vec<IpAddr> = match tokio::time::timeout(
            Duration::from_secs(2),
            tokio::net::lookup_host((host.as_str(), port)),
        )
        .await
        {
            Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
            _ => Vec::new(),
        };
        self.addresses
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(host, (Instant::now(), ips.clone()));
        ips
    }

    /// Records `click` durably (database, else the spool); false when it could not be kept.
    pub async fn record(&self, click: Click) -> bool {
        self.writer.record(click).await
    }
}
