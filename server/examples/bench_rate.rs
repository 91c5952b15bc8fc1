//! Fixed-rate webhook load: sends `rate` messages.update webhooks per second for `seconds`
//! (ids drawn from `B-<first>..=B-<last>`), each on its own schedule slot, and prints the
//! achieved rate and latency percentiles. Used by `bench/webhooks.sh`.
//!
//! `cargo run --release --example bench_rate -- <url> <instance> <first> <last> <rate> <seconds>`

use std::time::{Duration, Instant};

use rand::Rng;

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [url, instance, first, last, rate, seconds] = args.as_slice() else {
        panic!("usage: bench_rate <url> <instance> <first-id> <last-id> <rate> <seconds>");
    };
    let (first, last): (i64, i64) = (first.parse().expect("first"), last.parse().expect("last"));
    let rate: u64 = rate.parse().expect("rate");
    let seconds: u64 = seconds.parse().expect("seconds");
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");
    let total = rate * seconds;
    let interval = Duration::from_nanos(1_000_000_000 / rate);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(total as usize);
    for i in 0..total {
        let slot = start + interval * i as u32;
        tokio::time::sleep_until(slot.into()).await;
        let id = rand::rng().random_range(first..=last);
        let status = ["DELIVERY_ACK", "READ"][(i % 2) as usize];
        let body = serde_json::json!({
            "event": "messages.update", "instance": instance,
            "data": {"keyId": format!("B-{id}"), "remoteJid": "5511900000000@s.whatsapp.net",
                     "fromMe": true, "status": status, "instanceId": "bench"},
            "apikey": null
        });
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            let ok = client
                .post(&url)
                .json(&body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            (sent.elapsed(), ok)
        }));
    }
    let mut latencies = Vec::with_capacity(tasks.len());
    let mut errors = 0;
    for t in tasks {
        let (latency, ok) = t.await.expect("task");
        if !ok {
            errors += 1;
        }
        latencies.push(latency);
    }
    let elapsed = start.elapsed().as_secs_f64();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "rate_target={rate}/s achieved={:.0}/s requests={} errors={errors} p50_ms={:.2} p99_ms={:.2} max_ms={:.2}",
        total as f64 / elapsed,
        latencies.len(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        latencies.last().map_or(0.0, |l| l.as_secs_f64() * 1000.0),
    );
}
