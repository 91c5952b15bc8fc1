//! The `server` binary: reads the configuration from the environment and runs Flow, or runs
//! a command (`server user create …`, see [`flow_server::cli`]).

use flow_server::cli::{self, Command};
use flow_server::config::Config;
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: every webhook allocates its body, parse and rows, and at
/// full load glibc's allocator took ~18 % of the server's CPU.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::from(2);
        }
    };
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    if let Command::CreateUser {
        tenant_id,
        email,
        password,
        role,
    } = command
    {
        return create_user(&config, tenant_id, &email, password, role).await;
    }
    if command == Command::ReprocessWebhooks {
        return reprocess_webhooks(&config).await;
    }
    let filter = EnvFilter::try_new(&config.log_filter).unwrap_or_else(|_| EnvFilter::new("info"));
    if config.log_json {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    let addr = config.site_addr;
    for warning in config.unsafe_settings() {
        tracing::warn!("unsafe for production: {warning}");
    }
    let state = match flow_server::build_state(config).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot start");
            return std::process::ExitCode::FAILURE;
        }
    };
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, %addr, "cannot listen");
            return std::process::ExitCode::FAILURE;
        }
    };
    tracing::info!("Flow listening on http://{addr}");
    match flow_server::run(state, listener, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server stopped");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn create_user(
    config: &Config,
    tenant_id: i64,
    email: &str,
    password: Option<String>,
    role: flow_server::auth::Role,
) -> std::process::ExitCode {
    let Some(password) = password.or_else(|| std::env::var("FLOW_USER_PASSWORD").ok()) else {
        eprintln!("give --password or set FLOW_USER_PASSWORD");
        return std::process::ExitCode::from(2);
    };
    let db = match flow_server::db::Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match flow_server::dashboard::users::create(&db, tenant_id, email, &password, role).await {
        Ok(user) => {
            println!(
                "created {} {} (id {}) in tenant {}",
                role, user.email, user.id, user.tenant_id
            );
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot create the user: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `server webhooks reprocess`: passes over the unprocessed events until one applies nothing.
async fn reprocess_webhooks(config: &Config) -> std::process::ExitCode {
    use flow_server::webhook::reprocess;
    let db = match flow_server::db::Db::open(&config.database_url).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let (mut applied, mut failed) = (0, 0);
    loop {
        match reprocess::run_once(&db, None, chrono::Utc::now(), true).await {
            Ok(pass) => {
                applied += pass.applied;
                failed += pass.failed;
                if pass.applied == 0 {
                    break;
                }
            }
            Err(e) => {
                eprintln!("cannot reprocess: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    let left = reprocess::unprocessed(&db).await.unwrap_or(0);
    println!(
        "applied {applied} stored webhook events; {failed} failed again; {left} still unprocessed"
    );
    if left == 0 {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("installing a SIGTERM handler cannot fail on unix");
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}
