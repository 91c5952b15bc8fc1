//! `GET /metrics`: Prometheus text with the webhook, inbox and live-stream figures, behind
//! `FLOW_METRICS_TOKEN` when one is set.

mod common;

use common::evolution::receipt_v2;
use common::{TestApp, spawn_with};

on_both_databases!(metrics_count_webhooks_and_can_require_a_token);

async fn scrape(app: &TestApp, token: Option<&str>) -> (u16, String) {
    let mut req = app.client.get(app.url("/metrics"));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.expect("request");
    (res.status().as_u16(), res.text().await.unwrap_or_default())
}

async fn metrics_count_webhooks_and_can_require_a_token(app: TestApp) {
    let t = app.tenant("Loja").await;
    let inst = app.instance(&t, "loja-01").await;
    let path = inst["webhook_url"]
        .as_str()
        .unwrap()
        .strip_prefix(&app.base)
        .unwrap()
        .to_string();
    let (status, _) = app
        .webhook(
            &path,
            &[],
            &receipt_v2("loja-01", "UNKNOWN-1", "DELIVERY_ACK"),
        )
        .await;
    assert_eq!(status, 200);
    let (status, text) = scrape(&app, None).await;
    assert_eq!(status, 200);
    assert!(
        text.contains(r#"flow_webhooks_total{event="messages.update",outcome="unmatched"}"#),
        "{text}"
    );
    assert!(text.contains("flow_inbox_commit_seconds_bucket"), "{text}");
    assert!(text.contains("flow_inbox_flush_seconds_bucket"), "{text}");
    assert!(text.contains("flow_inbox_batch_size"), "{text}");

    let token = "metrics-token-0123456789";
    let guarded = spawn_with(app.backend, &[("FLOW_METRICS_TOKEN", token)]).await;
    assert_eq!(scrape(&guarded, None).await.0, 401);
    assert_eq!(
        scrape(&guarded, Some("wrong-token-0123456789")).await.0,
        401
    );
    assert_eq!(scrape(&guarded, Some(token)).await.0, 200);
}
