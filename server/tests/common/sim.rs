//! Running the Evolution simulator beside Flow in tests, and child server processes.

use std::process::Stdio;
use std::time::Duration;

use evolution_sim::{SimConfig, Truth};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use super::{ADMIN_TOKEN, Tenant, TestApp};

/// A running simulator.
pub struct Sim {
    /// `http://addr`.
    pub base: String,
    /// Its api key.
    pub api_key: String,
    client: reqwest::Client,
}

/// Fast, seeded defaults for tests: receipts within ~20–120 ms.
pub fn fast(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        pace_ms: 20,
        ..SimConfig::default()
    }
}

impl Sim {
    /// Starts a simulator with `config` on a free port.
    pub async fn start(config: SimConfig) -> Self {
        let api_key = config.api_key.clone();
        let addr = evolution_sim::spawn(config, "127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("simulator starts");
        Self {
            base: format!("http://{addr}"),
            api_key,
            client: reqwest::Client::new(),
        }
    }

    /// The simulator's ground truth.
    pub async fn truth(&self) -> Truth {
        self.client
            .get(format!("{}/sim/truth", self.base))
            .send()
            .await
            .expect("truth")
            .json()
            .await
            .expect("truth json")
    }

    /// Drops (`disconnect`) or restores (`connect`) an instance.
    pub async fn control(&self, instance: &str, action: &str) {
        let res = self
            .client
            .post(format!("{}/sim/instances/{instance}/{action}", self.base))
            .send()
            .await
            .expect("control");
        assert!(res.status().is_success());
    }

    /// Waits until every scheduled webhook was delivered.
    pub async fn settle(&self) -> Truth {
        wait_until(Duration::from_secs(30), || async {
            let t = self.truth().await;
            (t.webhooks_pending == 0).then_some(t)
        })
        .await
    }
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after `timeout`.
pub async fn wait_until<T, F, Fut>(timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl TestApp {
    /// Adds instance `name` on `sim` through the API; its view.
    pub async fn instance_on(&self, tenant: &Tenant, sim: &Sim, name: &str) -> Value {
        let (status, body) = self
            .post(
                &tenant.token,
                "/api/v1/instances",
                json!({"instance_name": name, "api_url": sim.base, "api_key": sim.api_key}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// Registers an instance served by `sim`, reads its state and points its webhook at Flow.
    pub async fn sim_instance(
        &self,
        tenant: &Tenant,
        sim: &Sim,
        name: &str,
        version: &str,
    ) -> Value {
        let (status, inst) = self
            .post(
                &tenant.token,
                "/api/v1/instances",
                json!({"instance_name": name, "api_url": sim.base, "api_key": sim.api_key, "api_version": version}),
            )
            .await;
        assert_eq!(status, 201, "{inst}");
        let id = inst["id"].as_i64().expect("id");
        let (status, body) = self
            .post(
                &tenant.token,
                &format!("/api/v1/instances/{id}/refresh"),
                json!({}),
            )
            .await;
        assert_eq!(
            (status, body["connection_state"].as_str()),
            (200, Some("open")),
            "{body}"
        );
        let (status, body) = self
            .post(
                &tenant.token,
                &format!("/api/v1/instances/{id}/webhook"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        inst
    }

    /// Creates and starts a campaign over `contact_ids` with the given pacing; returns its id.
    pub async fn start_campaign(
        &self,
        tenant: &Tenant,
        instance_ids: &[i64],
        contact_ids: &[i64],
        delay_ms: i64,
    ) -> i64 {
        let (status, body) = self
            .post(
                &tenant.token,
                "/api/v1/campaigns",
                json!({
                    "name": "Sim campaign",
                    "message": "Olá {{first_name}}, temos novidades!",
                    "instance_ids": instance_ids,
                    "contact_ids": contact_ids,
                    "settings": {"min_delay_ms": delay_ms, "max_delay_ms": delay_ms},
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        let id = body["id"].as_i64().expect("id");
        let (status, body) = self
            .post(
                &tenant.token,
                &format!("/api/v1/campaigns/{id}/start"),
                json!({}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        id
    }

    /// Waits until the campaign has `status`; returns its view.
    pub async fn wait_status(
        &self,
        tenant: &Tenant,
        campaign_id: i64,
        status: &str,
        timeout: Duration,
    ) -> Value {
        wait_until(timeout, || async {
            let (_, c) = self
                .get(&tenant.token, &format!("/api/v1/campaigns/{campaign_id}"))
                .await;
            (c["status"] == status).then_some(c)
        })
        .await
    }
}

/// Starts the `server` binary as a child process on `url`, listening on `port`.
pub async fn spawn_process(url: &str, port: u16, extra_env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.env("DATABASE_URL", url)
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("FLOW_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("FLOW_LOG", "error")
        .env("FLOW_EVOLUTION_ALLOW_PRIVATE", "true")
        .env("FLOW_SUPPRESSION_KEY", super::SUPPRESSION_KEY)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("spawn server");
    let client = reqwest::Client::new();
    wait_until(Duration::from_secs(20), || async {
        client
            .get(format!("http://127.0.0.1:{port}/healthz"))
            .send()
            .await
            .ok()
            .filter(|r| r.status() == 200)
    })
    .await;
    child
}

/// A Flow node in its own process (the `server` binary) on an existing database, as another
/// node of the same deployment; the process ends when this drops.
pub struct NodeProcess {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    _child: Child,
}

impl NodeProcess {
    /// Starts a node on `database_url` and waits until it answers.
    pub async fn start(database_url: &str) -> Self {
        let port = free_port();
        let child = spawn_process(database_url, port, &[("FLOW_ADMIN_TOKEN", ADMIN_TOKEN)]).await;
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            _child: child,
        }
    }
}

/// Panics naming every number the simulator got more than one message for.
pub fn assert_nobody_twice(truth: &evolution_sim::Truth) {
    let twice: Vec<_> = truth
        .sends_per_number
        .iter()
        .filter(|(_, n)| **n > 1)
        .collect();
    assert!(twice.is_empty(), "messaged more than once: {twice:?}");
}

/// A free TCP port on loopback.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Through the API of the server at `base`: a tenant, an instance on `sim`, `contacts`
/// contacts and a started campaign over all of them paced `delay_ms`; returns the tenant's
/// token and the campaign id.
pub async fn prepare_remote(
    base: &str,
    sim: &Sim,
    contacts: usize,
    delay_ms: i64,
) -> (String, i64) {
    let http = reqwest::Client::new();
    let post = |path: &str, token: &str, body: Value| {
        http.post(format!("{base}{path}"))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let tenant: Value = post("/api/v1/tenants", ADMIN_TOKEN, json!({"name": "P"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = tenant["api_token"].as_str().unwrap().to_string();
    let inst: Value = post(
        "/api/v1/instances",
        &token,
        json!({"instance_name": "loja-01", "api_url": sim.base, "api_key": sim.api_key}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let iid = inst["id"].as_i64().unwrap();
    post(
        &format!("/api/v1/instances/{iid}/refresh"),
        &token,
        json!({}),
    )
    .await
    .unwrap();
    post(
        &format!("/api/v1/instances/{iid}/webhook"),
        &token,
        json!({}),
    )
    .await
    .unwrap();
    let rows: Vec<Value> = (0..contacts)
        .map(|i| json!({"name": "C", "phone": format!("55119{:08}", 70_000_001 + i)}))
        .collect();
    post("/api/v1/contacts", &token, Value::Array(rows))
        .await
        .unwrap();
    let camp: Value = post(
        "/api/v1/campaigns",
        &token,
        json!({"name": "P", "message": "Oi", "instance_ids": [iid], "all_contacts": true,
               "settings": {"min_delay_ms": delay_ms, "max_delay_ms": delay_ms}}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let cid = camp["id"].as_i64().unwrap();
    post(&format!("/api/v1/campaigns/{cid}/start"), &token, json!({}))
        .await
        .unwrap();
    (token, cid)
}

/// The campaign `id` as the server at `base` shows it.
pub async fn remote_campaign(base: &str, token: &str, id: i64) -> Value {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/campaigns/{id}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
