//! `evolution-sim`: runs the simulated Evolution API.
//!
//! Environment: `SIM_ADDR` (default 127.0.0.1:8081), `SIM_API_KEY` (default `sim-api-key`),
//! `SIM_SEED` (42), `SIM_V1_INSTANCES` (comma-separated names speaking v1), `SIM_VERSION`
//! (2.3.6; what `GET /` reports, 1.x speaks v1 everywhere), `SIM_CLOSED_INSTANCES`
//! (comma-separated names that start disconnected, to pair by QR code), `SIM_PACE_MS`
//! (1000: receipts arrive within ~1–6 s), `SIM_FAVOURED_HOURS` (`12,20`: the local hours
//! contacts read in; reads take 4× longer outside them), `SIM_REVOKE_PERCENT` (2: delivered
//! messages the team revokes), `SIM_CLICK_PERCENT` (35: readers who tap a message's link),
//! `SIM_SHOP_URL` + `SIM_SHOP_TOKEN` (Flow's URL and an admin token: some clickers buy, and
//! the shop reports the sale), `SIM_LOG` (`info`).

use evolution_sim::SimConfig;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(
                std::env::var("SIM_LOG").unwrap_or_else(|_| "info".into()),
            )
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let mut config = SimConfig::default();
    if let Some(key) = var("SIM_API_KEY") {
        config.api_key = key;
    }
    if let Some(seed) = var("SIM_SEED").and_then(|s| s.parse().ok()) {
        config.seed = seed;
    }
    if let Some(pace) = var("SIM_PACE_MS").and_then(|s| s.parse().ok()) {
        config.pace_ms = pace;
    }
    let names = |v: String| v.split(',').map(|s| s.trim().to_string()).collect();
    if let Some(v1) = var("SIM_V1_INSTANCES") {
        config.v1_instances = names(v1);
    }
    if let Some(closed) = var("SIM_CLOSED_INSTANCES") {
        config.closed_instances = names(closed);
    }
    if let Some(version) = var("SIM_VERSION") {
        config.version = version;
    }
    if let Some(hours) = var("SIM_FAVOURED_HOURS") {
        config.rhythm.favoured = hours
            .split(',')
            .filter_map(|h| h.trim().parse().ok())
            .filter(|h| *h < 24)
            .collect();
    }
    if let Some(p) = var("SIM_REVOKE_PERCENT").and_then(|s| s.parse().ok()) {
        config.revoke_percent = p;
    }
    if let Some(p) = var("SIM_CLICK_PERCENT").and_then(|s| s.parse().ok()) {
        config.click_percent = p;
    }
    if let (Some(flow_url), Some(token)) = (var("SIM_SHOP_URL"), var("SIM_SHOP_TOKEN")) {
        config.shop = Some(evolution_sim::Shop { flow_url, token });
    }
    let addr = var("SIM_ADDR").unwrap_or_else(|| "127.0.0.1:8081".into());
    let Ok(addr) = addr.parse() else {
        eprintln!("SIM_ADDR {addr:?} is not host:port");
        return std::process::ExitCode::from(2);
    };
    match evolution_sim::spawn(config, addr).await {
        Ok(bound) => {
            tracing::info!("Evolution simulator on http://{bound}");
            std::future::pending::<()>().await;
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
