//! Test harness: starts the real Flow server in-process on a random port, on a fresh SQLite
//! file or a fresh PostgreSQL database (`FLOW_TEST_PG_URL`, default the local server).

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

pub mod dashboard;
pub mod evolution;
pub mod sim;
pub mod sse;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

use flow_server::config::Config;
use flow_server::state::AppState;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

/// The operator token every test server is started with.
pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789";

/// Which database a test runs on.
#[derive(Clone, Copy, Debug)]
pub enum Backend {
    /// A fresh SQLite file.
    Sqlite,
    /// A fresh PostgreSQL database.
    Postgres,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The PostgreSQL server tests run on (without a database name).
pub fn pg_base() -> String {
    std::env::var("FLOW_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Drops test databases left by processes that are gone.
async fn sweep_pg(admin: &sea_orm::DatabaseConnection) {
    let rows = admin
        .query_all_raw(sea_orm::Statement::from_string(
            sea_orm::DbBackend::Postgres,
            "SELECT datname FROM pg_database WHERE datname LIKE 'flow_test_%'",
        ))
        .await
        .expect("list test databases");
    for row in rows {
        let name: String = row.try_get("", "datname").expect("datname");
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
        }
    }
}

/// How long one test may run before it fails as hung: a hang must fail with the test's name,
/// not hold CI for its whole time limit.
const TEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(900);

/// How long one request of the test client (a live stream included) may take.
const REQUEST_LIMIT: std::time::Duration = std::time::Duration::from_secs(90);

/// Runs a test's body; fails it, named, when it runs longer than [`TEST_LIMIT`].
pub async fn within_limit(name: &str, body: impl std::future::Future<Output = ()>) {
    if tokio::time::timeout(TEST_LIMIT, body).await.is_err() {
        panic!(
            "{name} hung: still running after {} s",
            TEST_LIMIT.as_secs()
        );
    }
}

/// A fresh, empty database URL for `backend`.
pub async fn fresh_database_url(backend: Backend) -> String {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    let nonce: u32 = rand::random();
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("flow-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            let path = dir.join(format!("t_{pid}_{n}_{nonce}.db"));
            format!("sqlite://{}?mode=rwc", path.display())
        }
        Backend::Postgres => {
            let base = pg_base();
            let admin = Database::connect(format!("{base}/postgres"))
                .await
                .expect("PostgreSQL must be running for the postgres tests (FLOW_TEST_PG_URL)");
            if n == 0 {
                sweep_pg(&admin).await;
            }
            let name = format!("flow_test_{pid}_{n}_{nonce}");
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await
                .expect("create test database");
            admin.close().await.ok();
            format!("{base}/{name}")
        }
    }
}

/// A running server and a client for it.
pub struct TestApp {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `http://addr`.
    pub base: String,
    /// The server's state (database handles for direct checks).
    pub state: AppState,
    /// HTTP client.
    pub client: reqwest::Client,
    /// The database it runs on.
    pub backend: Backend,
    /// Its `DATABASE_URL`.
    pub database_url: String,
}

/// Starts Flow on a fresh database of `backend`.
pub async fn spawn(backend: Backend) -> TestApp {
    spawn_with(backend, &[]).await
}

/// Starts Flow on a fresh database of `backend` with extra configuration variables.
pub async fn spawn_with(backend: Backend, extra: &[(&str, &str)]) -> TestApp {
    let url = fresh_database_url(backend).await;
    spawn_on(backend, &url, extra).await
}

/// Starts another Flow server on the existing database `database_url` (as a second node of
/// the same deployment would), with extra configuration variables.
/// The suppression key of every test server (one per process: the first server sets it).
pub const SUPPRESSION_KEY: &str = "test-suppression-key-0123456789abcdef";

pub async fn spawn_on(backend: Backend, database_url: &str, extra: &[(&str, &str)]) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let mut vars = vec![
        ("DATABASE_URL".to_string(), database_url.to_string()),
        ("LEPTOS_SITE_ADDR".to_string(), addr.to_string()),
        ("FLOW_ADMIN_TOKEN".to_string(), ADMIN_TOKEN.to_string()),
        ("FLOW_PUBLIC_URL".to_string(), format!("http://{addr}")),
        // The simulator runs beside Flow, on loopback.
        (
            "FLOW_EVOLUTION_ALLOW_PRIVATE".to_string(),
            "true".to_string(),
        ),
        (
            "FLOW_SUPPRESSION_KEY".to_string(),
            SUPPRESSION_KEY.to_string(),
        ),
        // A spool per database: servers of other tests never replay this one's entries,
        // and a restart on the same database finds them.
        (
            "FLOW_SPOOL_DIR".to_string(),
            std::env::temp_dir()
                .join(format!("flow-test-spool-{:x}", {
                    use std::hash::{Hash, Hasher};
                    let mut h = std::collections::hash_map::DefaultHasher::new();
                    database_url.hash(&mut h);
                    h.finish()
                }))
                .display()
                .to_string(),
        ),
    ];
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = Config::from_lookup(|k| {
        vars.iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
    })
    .expect("test config");
    let state = flow_server::build_state(config)
        .await
        .expect("server starts");
    let server_state = state.clone();
    tokio::spawn(async move {
        flow_server::run(server_state, listener, std::future::pending())
            .await
            .expect("server runs");
    });
    TestApp {
        addr,
        base: format!("http://{addr}"),
        state,
        client: reqwest::Client::builder()
            .timeout(REQUEST_LIMIT)
            .build()
            .expect("http client"),
        backend,
        database_url: database_url.to_string(),
    }
}

/// POSTs a webhook body to `url` with extra headers; returns status and JSON body.
pub async fn post_webhook(
    client: &reqwest::Client,
    url: &str,
    headers: &[(&str, String)],
    body: &Value,
) -> (u16, Value) {
    let mut req = client.post(url).json(body);
    for (name, value) in headers {
        req = req.header(*name, value);
    }
    let res = req.send().await.expect("request");
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// A tenant created through the API, with its token.
pub struct Tenant {
    /// Tenant id.
    pub id: i64,
    /// Bearer token.
    pub token: String,
}

impl TestApp {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a tenant with the admin token.
    pub async fn tenant(&self, name: &str) -> Tenant {
        let res = self
            .client
            .post(self.url("/api/v1/tenants"))
            .bearer_auth(ADMIN_TOKEN)
            .json(&json!({ "name": name }))
            .send()
            .await
            .expect("request");
        assert_eq!(res.status(), 201, "tenant creation");
        let body: Value = res.json().await.expect("json");
        Tenant {
            id: body["id"].as_i64().expect("id"),
            token: body["api_token"].as_str().expect("token").to_string(),
        }
    }

    /// Sends `request`; returns status and JSON body (Null when not JSON).
    pub async fn respond(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let res = request.send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Sends `request` with a token; returns status and JSON body (Null when not JSON).
    async fn answer(&self, request: reqwest::RequestBuilder, token: &str) -> (u16, Value) {
        self.respond(request.bearer_auth(token)).await
    }

    /// A request of any `method` to `path`, with a JSON body when given.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::RequestBuilder {
        let req = self
            .client
            .request(method.parse().expect("method"), self.url(path));
        match body {
            Some(body) => req.json(&body),
            None => req,
        }
    }

    /// A request of any `method` with a token (and a JSON body when given); status and JSON
    /// body.
    pub async fn call(
        &self,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.answer(self.request(method, path, body), token).await
    }

    /// The name of the PostgreSQL database the server runs on.
    pub async fn database_name(&self) -> String {
        self.state
            .db
            .read
            .query_one_raw(sea_orm::Statement::from_string(
                self.state.db.backend(),
                "SELECT current_database() AS name",
            ))
            .await
            .expect("query")
            .expect("a row")
            .try_get("", "name")
            .expect("name")
    }

    /// GET with a token; returns status and JSON body (Null when not JSON).
    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.answer(self.client.get(self.url(path)), token).await
    }

    /// POST JSON with a token; returns status and JSON body.
    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.answer(self.client.post(self.url(path)).json(&body), token)
            .await
    }

    /// PATCH JSON with a token; returns status and JSON body.
    pub async fn patch(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.answer(self.client.patch(self.url(path)).json(&body), token)
            .await
    }

    /// PUT JSON with a token; returns status and JSON body.
    pub async fn put(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.answer(self.client.put(self.url(path)).json(&body), token)
            .await
    }

    /// DELETE with a token; returns status and JSON body (Null when empty).
    pub async fn delete(&self, token: &str, path: &str) -> (u16, Value) {
        self.answer(self.client.delete(self.url(path)), token).await
    }

    /// Registers an instance for `tenant`; returns its JSON view.
    pub async fn instance(&self, tenant: &Tenant, name: &str) -> Value {
        let (status, body) = self
            .post(
                &tenant.token,
                "/api/v1/instances",
                json!({
                    "instance_name": name,
                    "api_url": "http://127.0.0.1:9",
                    "api_key": format!("secret-key-{name}"),
                    // Nothing answers there to tell the version.
                    "api_version": "v2",
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body
    }

    /// POSTs a webhook body to `path` with extra headers; returns status and JSON body.
    pub async fn webhook(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: &Value,
    ) -> (u16, Value) {
        post_webhook(&self.client, &self.url(path), headers, body).await
    }

    /// Creates a draft campaign over `contact_ids` through `instance_id`; returns its id.
    pub async fn campaign(&self, tenant: &Tenant, instance_id: i64, contact_ids: &[i64]) -> i64 {
        let (status, body) = self
            .post(
                &tenant.token,
                "/api/v1/campaigns",
                json!({
                    "name": "Campaign",
                    "message": "Olá {{name}}",
                    "instance_ids": [instance_id],
                    "contact_ids": contact_ids,
                    "settings": {"min_delay_ms": 0, "max_delay_ms": 0},
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_i64().expect("id")
    }

    /// PostgreSQL only: lets clients connect to the test database again, or refuses them and
    /// ends every open connection (the database "goes away").
    pub async fn allow_connections(&self, allowed: bool) {
        let name = self.database_url.rsplit('/').next().expect("database name");
        let admin = Database::connect(format!("{}/postgres", pg_base()))
            .await
            .expect("admin connection");
        admin
            .execute_unprepared(&format!(
                "ALTER DATABASE \"{name}\" ALLOW_CONNECTIONS {allowed}"
            ))
            .await
            .expect("alter database");
        if !allowed {
            admin
                .execute_unprepared(&format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
                ))
                .await
                .expect("terminate connections");
        }
        admin.close().await.ok();
    }

    /// Runs `sql` (`?` placeholders) with `values` on the test's database.
    pub async fn exec_sql(&self, sql: &str, values: Vec<sea_orm::Value>) {
        self.state
            .db
            .write
            .execute_raw(flow_server::sql::stmt(self.state.db.backend(), sql, values))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The number `sql` (`?` placeholders, one `n` column) counts on the test's database.
    pub async fn count_sql(&self, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
        #[derive(sea_orm::FromQueryResult)]
        struct Count {
            n: i64,
        }
        let sql = sql.replace("COUNT(*)", "CAST(COUNT(*) AS BIGINT)");
        <Count as sea_orm::FromQueryResult>::find_by_statement(flow_server::sql::stmt(
            self.state.db.backend(),
            &sql,
            values,
        ))
        .one(&self.state.db.write)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .map_or(0, |c| c.n)
    }

    /// Uploads `file` as a contact import job and waits for it to end; its last view.
    pub async fn import_file(&self, tenant: &Tenant, file: impl Into<reqwest::Body>) -> Value {
        let id = self.upload_import(tenant, file).await;
        self.import_finished(tenant, id, std::time::Duration::from_secs(30))
            .await
    }

    /// Uploads `file` as a contact import job; the job's id.
    pub async fn upload_import(&self, tenant: &Tenant, file: impl Into<reqwest::Body>) -> i64 {
        let res = self
            .client
            .post(self.url("/api/v1/contacts/import"))
            .bearer_auth(&tenant.token)
            .header("content-type", "text/csv")
            .body(file)
            .send()
            .await
            .expect("upload");
        assert_eq!(res.status().as_u16(), 202);
        res.json::<Value>().await.expect("job")["id"]
            .as_i64()
            .expect("job id")
    }

    /// Waits (at most `limit`) for import job `id` to end; its last view.
    pub async fn import_finished(
        &self,
        tenant: &Tenant,
        id: i64,
        limit: std::time::Duration,
    ) -> Value {
        sim::wait_until(limit, || async {
            let (_, job) = self
                .get(&tenant.token, &format!("/api/v1/contacts/imports/{id}"))
                .await;
            (job["status"] == "done" || job["status"] == "failed").then_some(job)
        })
        .await
    }

    /// Imports one contact through `POST /api/v1/contacts`; the report.
    pub async fn import_one(&self, tenant: &Tenant, name: &str, phone: &str) -> Value {
        let (status, report) = self
            .post(
                &tenant.token,
                "/api/v1/contacts",
                json!([{ "name": name, "phone": phone }]),
            )
            .await;
        assert_eq!(status, 200, "{report}");
        report
    }

    /// Imports `n` contacts `Contact i` with phones 55119000000i…; returns their ids.
    pub async fn contacts(&self, tenant: &Tenant, n: usize) -> Vec<i64> {
        let rows: Vec<Value> = (0..n)
            .map(|i| json!({ "name": format!("Contact {i}"), "phone": format!("+55 11 9{:08}", 80_000_000 + i) }))
            .collect();
        let (status, body) = self
            .post(&tenant.token, "/api/v1/contacts", Value::Array(rows))
            .await;
        assert_eq!(status, 200, "{body}");
        let (status, list) = self.get(&tenant.token, "/api/v1/contacts?limit=1000").await;
        assert_eq!(status, 200);
        list.as_array()
            .expect("array")
            .iter()
            .map(|c| c["id"].as_i64().expect("id"))
            .collect()
    }
}

/// Generates `sqlite` and `postgres` tests running `async fn $name(app: TestApp)`; with
/// `with [("VAR", "value"), …];` first, the servers get those extra configuration variables.
#[macro_export]
macro_rules! on_both_databases {
    (with $vars:expr; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::common::within_limit(stringify!($name), async {
                    super::$name(super::common::spawn_with(super::common::Backend::Sqlite, &$vars).await).await
                }).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::common::within_limit(stringify!($name), async {
                    super::$name(super::common::spawn_with(super::common::Backend::Postgres, &$vars).await).await
                }).await
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {
        $crate::on_both_databases!(with []; $($name),*);
    };
}
