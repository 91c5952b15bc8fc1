//! Configuration, read once from the environment at start and validated.

use std::net::SocketAddr;
use std::time::Duration;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable is set but cannot be used.
    #[error("{name} is invalid: {reason}")]
    Invalid {
        /// The environment variable.
        name: &'static str,
        /// What is wrong with it.
        reason: String,
    },
}

/// Where the database lives when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://flow.db?mode=rwc";

/// The server configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// `LEPTOS_SITE_ADDR`: where the server listens.
    pub site_addr: SocketAddr,
    /// `FLOW_ADMIN_TOKEN`: allows creating tenants. Unset: tenant creation is disabled.
    pub admin_token: Option<String>,
    /// `FLOW_PUBLIC_URL`: the base URL Evolution reaches Flow at (used in webhook URLs).
    pub public_url: String,
    /// `FLOW_WEBHOOK_MAX_BYTES`: the largest webhook body accepted.
    pub webhook_max_bytes: usize,
    /// `FLOW_INBOX_MAX_BYTES`: webhook body bytes that may wait to be stored before new
    /// webhooks get 503 (Evolution retries them).
    pub inbox_max_bytes: usize,
    /// `FLOW_WEBHOOK_APIKEY_AUTH`: `on` (default) accepts webhooks authenticated by the body's
    /// `apikey` when the instance name and key identify exactly one instance; `off` refuses that
    /// mode (the per-instance URL secret, bearer secret and `jwt_key` modes remain).
    pub webhook_apikey_auth: bool,
    /// `FLOW_WEBHOOK_RETENTION_DAYS`: how long the raw bodies of processed webhooks are kept
    /// (their per-day counts are kept for good).
    pub webhook_retention: Duration,
    /// `FLOW_MEDIA_RETENTION_DAYS`: how long an uploaded file no campaign uses is kept
    /// (default 7 days).
    pub media_retention: Duration,
    /// `FLOW_UNMATCHED_TTL_SECS`: how long a receipt for an unknown message id is kept
    /// waiting for its message before it is reported and dropped.
    pub unmatched_ttl: Duration,
    /// `FLOW_SPOOL_DIR`: where the sender keeps message ids Evolution returned while the
    /// database could not record them (one directory per process).
    pub spool_dir: std::path::PathBuf,
    /// `FLOW_SENDER`: `on` (default) runs the campaign sender in this process; `off` makes a
    /// process that only serves the API, webhooks and dashboard.
    pub sender_enabled: bool,
    /// `FLOW_SENDING_GRACE_SECS`: after a restart, how long rows left `sending` wait for
    /// Evolution's `send.message` before they are marked failed for review.
    pub sending_grace: Duration,
    /// `FLOW_V1_CLOSE_GRACE_SECS` (default 60): how long a v1 instance's `close` (sent before
    /// each of its automatic reconnects too) waits for `open` before its campaigns are paused.
    pub v1_close_grace: Duration,
    /// `FLOW_DEMO_EVOLUTION_URL` (+ `FLOW_DEMO_EVOLUTION_KEY`): create the demo tenant on an
    /// empty database, sending through the Evolution API (the simulator) at that URL.
    pub demo: Option<crate::demo::DemoConfig>,
    /// `FLOW_COOKIE_SECURE`: whether the session cookie is marked `Secure` (sent over HTTPS
    /// only). Unset: when `FLOW_PUBLIC_URL` is `https://`.
    pub cookie_secure: bool,
    /// `FLOW_SESSION_RECHECK_SECS`: how often a live stream opened with a session cookie checks
    /// that its session still exists (it ends once the session is revoked or expired).
    pub session_recheck: Duration,
    /// `FLOW_METRICS_TOKEN`: when set, `GET /metrics` needs it as a bearer token.
    pub metrics_token: Option<String>,
    /// `FLOW_EVOLUTION_ALLOW_PRIVATE`: `true` lets instances' Evolution URLs reach loopback,
    /// private and link-local addresses (an Evolution beside Flow); `false` (default) allows
    /// public addresses only.
    pub evolution_allow_private: bool,
    /// `FLOW_SUPPRESSION_KEY` (at least 32 characters): the key of the suppression list's
    /// hashes of erased numbers, kept outside the database. Unset: a salt in the database.
    pub suppression_key: Option<String>,
    /// `FLOW_RECONCILE_SECS`: how often Evolution is asked for every instance's state and for
    /// the receipts of messages stuck in `sent` (see `reconcile`).
    pub reconcile_every: Duration,
    /// `FLOW_RECONCILE_STUCK_SECS`: how long a message stays `sent` before Evolution is asked
    /// for its receipts (default: Evolution's ~20 minutes of webhook retries).
    pub reconcile_stuck_after: Duration,
    /// `FLOW_LOG_FORMAT`: `text` (default) or `json` (one JSON object per log line).
    pub log_json: bool,
    /// `FLOW_LOG`: a `tracing` filter such as `info` or `server=debug`.
    pub log_filter: String,
    /// `FLOW_TRUSTED_PROXIES`: addresses of the reverse proxies in front of Flow (comma
    /// separated); a tracked link's visitor is then read from their `X-Forwarded-For`.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `FLOW_PREVIEW_AGENTS`: more user-agent substrings (comma separated) whose visits of a
    /// tracked link are previews, not clicks.
    pub preview_agents: Vec<String>,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());

        let database_url = get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: "must start with sqlite:, postgres:// or postgresql://".into(),
            });
        }

        let site_addr = get("LEPTOS_SITE_ADDR").unwrap_or_else(|| "127.0.0.1:3000".into());
        let site_addr: SocketAddr = site_addr.parse().map_err(|e| ConfigError::Invalid {
            name: "LEPTOS_SITE_ADDR",
            reason: format!("{e} (expected host:port such as 127.0.0.1:3000)"),
        })?;

        let admin_token = get("FLOW_ADMIN_TOKEN");
        if let Some(token) = &admin_token
            && token.len() < 16
        {
            return Err(ConfigError::Invalid {
                name: "FLOW_ADMIN_TOKEN",
                reason: "must be at least 16 characters".into(),
            });
        }

        let public_url = get("FLOW_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{site_addr}"))
            .trim_end_matches('/')
            .to_string();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::Invalid {
                name: "FLOW_PUBLIC_URL",
                reason: "must be an http:// or https:// URL".into(),
            });
        }

        let webhook_max_bytes = match get("FLOW_WEBHOOK_MAX_BYTES") {
            None => 8 * 1024 * 1024,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1024)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "FLOW_WEBHOOK_MAX_BYTES",
                    reason: format!("{v:?} is not a whole number of bytes >= 1024"),
                })?,
        };

        let inbox_max_bytes = match get("FLOW_INBOX_MAX_BYTES") {
            None => crate::webhook::inbox::DEFAULT_MAX_QUEUED_BYTES,
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= webhook_max_bytes)
                .ok_or_else(|| ConfigError::Invalid {
                    name: "FLOW_INBOX_MAX_BYTES",
                    reason: format!(
                        "{v:?} is not a whole number of bytes >= FLOW_WEBHOOK_MAX_BYTES ({webhook_max_bytes})"
                    ),
                })?,
        };

        let webhook_apikey_auth =
            on_off(get("FLOW_WEBHOOK_APIKEY_AUTH"), "FLOW_WEBHOOK_APIKEY_AUTH")?;

        let days = |name: &'static str, default: u64| match get(name) {
            None => Ok(Duration::from_secs(default * DAY_SECS)),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| (1..=36_500).contains(n))
                .map(|days| Duration::from_secs(days * DAY_SECS))
                .ok_or_else(|| ConfigError::Invalid {
                    name,
                    reason: format!("{v:?} is not a whole number of days from 1 to 36500"),
                }),
        };
        let webhook_retention = days("FLOW_WEBHOOK_RETENTION_DAYS", 30)?;
        let media_retention = days("FLOW_MEDIA_RETENTION_DAYS", 7)?;

        let unmatched_ttl = seconds(
            get("FLOW_UNMATCHED_TTL_SECS"),
            "FLOW_UNMATCHED_TTL_SECS",
            3600,
        )?;

        let sender_enabled = on_off(get("FLOW_SENDER"), "FLOW_SENDER")?;
        let metrics_token = get("FLOW_METRICS_TOKEN");
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16) {
            return Err(ConfigError::Invalid {
                name: "FLOW_METRICS_TOKEN",
                reason: "must be at least 16 characters".into(),
            });
        }
        let log_json = match get("FLOW_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "FLOW_LOG_FORMAT",
                    reason: format!("{other:?} is not text or json"),
                });
            }
        };
        let spool_dir = get("FLOW_SPOOL_DIR")
            .unwrap_or_else(|| "flow-spool".into())
            .into();

        let sending_grace = match get("FLOW_SENDING_GRACE_SECS") {
            None => Duration::from_secs(60),
            Some(v) => {
                v.parse::<u64>()
                    .map(Duration::from_secs)
                    .map_err(|_| ConfigError::Invalid {
                        name: "FLOW_SENDING_GRACE_SECS",
                        reason: format!("{v:?} is not a whole number of seconds"),
                    })?
            }
        };
        let cookie_secure = true_false(get("FLOW_COOKIE_SECURE"), "FLOW_COOKIE_SECURE")?
            .unwrap_or_else(|| public_url.starts_with("https://"));
        let evolution_allow_private = true_false(
            get("FLOW_EVOLUTION_ALLOW_PRIVATE"),
            "FLOW_EVOLUTION_ALLOW_PRIVATE",
        )?
        .unwrap_or(false);

        let suppression_key = get("FLOW_SUPPRESSION_KEY");
        if suppression_key.as_ref().is_some_and(|k| k.len() < 32) {
            return Err(ConfigError::Invalid {
                name: "FLOW_SUPPRESSION_KEY",
                reason: "must have at least 32 characters".into(),
            });
        }

        let v1_close_grace = seconds(
            get("FLOW_V1_CLOSE_GRACE_SECS"),
            "FLOW_V1_CLOSE_GRACE_SECS",
            60,
        )?;
        let session_recheck = seconds(
            get("FLOW_SESSION_RECHECK_SECS"),
            "FLOW_SESSION_RECHECK_SECS",
            30,
        )?;

        let reconcile_every = seconds(get("FLOW_RECONCILE_SECS"), "FLOW_RECONCILE_SECS", 300)?;
        let reconcile_stuck_after = seconds(
            get("FLOW_RECONCILE_STUCK_SECS"),
            "FLOW_RECONCILE_STUCK_SECS",
            1200,
        )?;

        let demo = get("FLOW_DEMO_EVOLUTION_URL").map(|url| crate::demo::DemoConfig {
            evolution_url: url.trim_end_matches('/').to_string(),
            evolution_key: get("FLOW_DEMO_EVOLUTION_KEY").unwrap_or_else(|| "sim-api-key".into()),
        });

        let trusted_proxies = get("FLOW_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(|a| {
                a.parse().map_err(|e| ConfigError::Invalid {
                    name: "FLOW_TRUSTED_PROXIES",
                    reason: format!("{a:?}: {e} (expected IP addresses, comma separated)"),
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let preview_agents = get("FLOW_PREVIEW_AGENTS")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string)
            .collect();

        Ok(Self {
            trusted_proxies,
            preview_agents,
            cookie_secure,
            session_recheck,
            reconcile_every,
            reconcile_stuck_after,
            sending_grace,
            v1_close_grace,
            demo,
            sender_enabled,
            unmatched_ttl,
            webhook_apikey_auth,
            webhook_retention,
            media_retention,
            database_url,
            site_addr,
            admin_token,
            public_url,
            webhook_max_bytes,
            inbox_max_bytes,
            spool_dir,
            metrics_token,
            evolution_allow_private,
            suppression_key,
            log_json,
            log_filter: get("FLOW_LOG").unwrap_or_else(|| "info".into()),
        })
    }
}

/// Seconds in a day.
const DAY_SECS: u64 = 24 * 60 * 60;

/// An `on`/`off` switch (unset is `on`).
fn on_off(value: Option<String>, name: &'static str) -> Result<bool, ConfigError> {
    match value.as_deref() {
        None | Some("on") => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(ConfigError::Invalid {
            name,
            reason: format!("{other:?} is not on or off"),
        }),
    }
}

/// A `true`/`false` switch; `None` when unset.
fn true_false(value: Option<String>, name: &'static str) -> Result<Option<bool>, ConfigError> {
    match value.as_deref() {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(ConfigError::Invalid {
            name,
            reason: format!("{other:?} is not true or false"),
        }),
    }
}

/// A duration of whole seconds (at least 1) from variable `name`, `default` when unset.
fn seconds(
    value: Option<String>,
    name: &'static str,
    default: u64,
) -> Result<Duration, ConfigError> {
    let Some(v) = value else {
        return Ok(Duration::from_secs(default));
    };
    v.parse::<u64>()
        .ok()
        .filter(|n| *n >= 1)
        .map(Duration::from_secs)
        .ok_or_else(|| ConfigError::Invalid {
            name,
            reason: format!("{v:?} is not a whole number of seconds >= 1"),
        })
}

impl Config {
    /// Whether `GET /metrics` answers without a token: only on a server bound to a loopback
    /// address (its figures name every tenant's activity).
    pub fn metrics_open(&self) -> bool {
        self.metrics_token.is_none() && self.site_addr.ip().is_loopback()
    }

    /// What this configuration leaves unsafe for production, one sentence each (the server
    /// logs each as a warning at start; the README's security section lists them).
    pub fn unsafe_settings(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let exposed = !self.site_addr.ip().is_loopback();
        if self.metrics_token.is_none() && exposed {
            out.push(
                "FLOW_METRICS_TOKEN is unset: GET /metrics is refused (403) until it is set, \
                 since the server listens beyond this machine",
            );
        }
        if self.webhook_apikey_auth {
            out.push(
                "FLOW_WEBHOOK_APIKEY_AUTH is on: a webhook carrying an instance's name and \
                 Evolution api key is accepted; set it off when the Evolution server is shared \
                 with others who know its keys",
            );
        }
        if self.suppression_key.is_none() {
            out.push(
                "FLOW_SUPPRESSION_KEY is unset: erased numbers are hashed with a salt kept in the \
                 database, so a copy of the database can tell whose they were; set a random key \
                 of 32+ characters (and back it up: without it erased people are no longer \
                 recognised)",
            );
        }
        if self.evolution_allow_private {
            out.push(
                "FLOW_EVOLUTION_ALLOW_PRIVATE is true: instances may point Flow at loopback and \
                 private addresses; keep it only when Evolution runs beside Flow and every \
                 admin of every team is trusted with your network",
            );
        }
        if !self.cookie_secure && exposed {
            out.push(
                "FLOW_COOKIE_SECURE is off: session cookies also travel over plain http; set \
                 it on when the dashboard is served over HTTPS",
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn metrics_need_a_token_beyond_loopback_and_unsafe_settings_are_named() {
        let local = load(&[
            ("FLOW_WEBHOOK_APIKEY_AUTH", "off"),
            (
                "FLOW_SUPPRESSION_KEY",
                "a-suppression-key-of-32-characters!",
            ),
        ])
        .unwrap();
        assert!(local.metrics_open());
        assert!(local.unsafe_settings().is_empty());
        let exposed = load(&[("LEPTOS_SITE_ADDR", "0.0.0.0:3000")]).unwrap();
        assert!(!exposed.metrics_open());
        let warnings = exposed.unsafe_settings().join("\n");
        for name in [
            "FLOW_METRICS_TOKEN",
            "FLOW_WEBHOOK_APIKEY_AUTH",
            "FLOW_COOKIE_SECURE",
            "FLOW_SUPPRESSION_KEY",
        ] {
            assert!(warnings.contains(name), "{name} in {warnings}");
        }
        let tokened = load(&[
            ("LEPTOS_SITE_ADDR", "0.0.0.0:3000"),
            ("FLOW_METRICS_TOKEN", "a-metrics-token-0123"),
        ])
        .unwrap();
        assert!(!tokened.metrics_open());
        assert!(
            !tokened
                .unsafe_settings()
                .join(" ")
                .contains("FLOW_METRICS_TOKEN")
        );
    }

    #[test]
    fn defaults_need_nothing() {
        let c = load(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.site_addr.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.admin_token.is_none());
        assert!(c.webhook_apikey_auth);
        assert_eq!(c.webhook_retention, Duration::from_secs(30 * DAY_SECS));
    }

    #[test]
    fn webhook_apikey_auth_and_retention_are_read() {
        let c = load(&[
            ("FLOW_WEBHOOK_APIKEY_AUTH", "off"),
            ("FLOW_WEBHOOK_RETENTION_DAYS", "7"),
        ])
        .unwrap();
        assert!(!c.webhook_apikey_auth);
        assert_eq!(c.webhook_retention, Duration::from_secs(7 * DAY_SECS));
        assert_eq!(c.media_retention, Duration::from_secs(7 * DAY_SECS));
        for (name, bad) in [
            ("FLOW_WEBHOOK_APIKEY_AUTH", "no"),
            ("FLOW_WEBHOOK_RETENTION_DAYS", "0"),
            ("FLOW_WEBHOOK_RETENTION_DAYS", "1.5"),
        ] {
            let e = load(&[(name, bad)]).unwrap_err();
            assert!(e.to_string().starts_with(name), "{e}");
        }
    }

    #[test]
    fn bad_values_are_named() {
        let e = load(&[("LEPTOS_SITE_ADDR", "nope")]).unwrap_err();
        assert!(e.to_string().starts_with("LEPTOS_SITE_ADDR is invalid"));
        let e = load(&[("DATABASE_URL", "mysql://x")]).unwrap_err();
        assert!(e.to_string().contains("DATABASE_URL"));
        let e = load(&[("FLOW_ADMIN_TOKEN", "short")]).unwrap_err();
        assert!(e.to_string().contains("16 characters"));
        let e = load(&[("FLOW_WEBHOOK_MAX_BYTES", "-3")]).unwrap_err();
        assert!(e.to_string().contains("FLOW_WEBHOOK_MAX_BYTES"));
    }

    #[test]
    fn the_cookie_is_secure_behind_https_or_when_told() {
        assert!(!load(&[]).unwrap().cookie_secure);
        let https = [("FLOW_PUBLIC_URL", "https://flow.example.com")];
        assert!(load(&https).unwrap().cookie_secure);
        let told = load(&[("FLOW_COOKIE_SECURE", "true")]).unwrap();
        assert!(told.cookie_secure, "http public URL, TLS at a proxy");
        let off = [https[0], ("FLOW_COOKIE_SECURE", "false")];
        assert!(!load(&off).unwrap().cookie_secure);
        let e = load(&[("FLOW_COOKIE_SECURE", "yes")]).unwrap_err();
        assert!(e.to_string().starts_with("FLOW_COOKIE_SECURE is invalid"));
    }

    #[test]
    fn sessions_are_rechecked_every_30_s_unless_told() {
        assert_eq!(load(&[]).unwrap().session_recheck, Duration::from_secs(30));
        let c = load(&[("FLOW_SESSION_RECHECK_SECS", "1")]).unwrap();
        assert_eq!(c.session_recheck, Duration::from_secs(1));
        let e = load(&[("FLOW_SESSION_RECHECK_SECS", "0")]).unwrap_err();
        assert!(e.to_string().contains("FLOW_SESSION_RECHECK_SECS"));
    }

    #[test]
    fn public_url_loses_trailing_slash() {
        let c = load(&[("FLOW_PUBLIC_URL", "https://flow.example.com/")]).unwrap();
        assert_eq!(c.public_url, "https://flow.example.com");
    }
}
