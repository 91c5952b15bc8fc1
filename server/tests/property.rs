//! Property: whatever order Evolution's receipts arrive in — shuffled, repeated, v1 and v2 and
//! Cloud-API words mixed, in concurrent batches, some before Flow knows the message id — every
//! campaign contact ends in its true status and every counter equals the truth and a recount.

mod common;

use common::TestApp;
use common::evolution::{receipt_v1, receipt_v2, record_sent, rows};
use flow_server::service::campaigns::recount;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::Value;

on_both_databases!(shuffled_receipts_converge_to_the_truth);

#[derive(Clone, Copy, Debug, PartialEq)]
enum Truth {
    Sent,
    Delivered,
    Read,
    Failed,
}

impl Truth {
    fn status(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
        }
    }
}

/// The receipts Evolution may send for a message that ends in `truth`.
fn receipts(truth: Truth, rng: &mut StdRng) -> Vec<&'static str> {
    let cloud = rng.random_bool(0.2);
    let (ack, delivered, read, error) = if cloud {
        ("SENT", "DELIVERED", "READ", "FAILED")
    } else {
        ("SERVER_ACK", "DELIVERY_ACK", "READ", "ERROR")
    };
    let mut out = vec![];
    if truth != Truth::Failed || rng.random_bool(0.5) {
        out.push(ack);
    }
    match truth {
        Truth::Sent => {}
        Truth::Delivered => out.push(delivered),
        Truth::Read => {
            // Baileys may merge receipts: a READ without DELIVERY_ACK happens.
            if rng.random_bool(0.7) {
                out.push(delivered);
            }
            out.push(if !cloud && rng.random_bool(0.2) {
                "PLAYED"
            } else {
                read
            });
        }
        Truth::Failed => out.push(error),
    }
    out
}

async fn run_seed(app: &TestApp, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let tenant = app.tenant(&format!("seed {seed}")).await;
    let name = format!("inst-{seed}");
    let inst = app.instance(&tenant, &name).await;
    let instance_id = inst["id"].as_i64().unwrap();
    let hook = format!(
        "/api/webhooks/evolution/i/{}",
        inst["webhook_secret"].as_str().unwrap()
    );
    let n = 80;
    let contacts = app.contacts(&tenant, n).await;
    let campaign_id = app.campaign(&tenant, instance_id, &contacts).await;
    let all_rows = rows(app, campaign_id).await;

    let truths: Vec<Truth> = (0..n)
        .map(|_| match rng.random_range(0..10) {
            0 => Truth::Sent,
            1..=3 => Truth::Delivered,
            4..=7 => Truth::Read,
            _ => Truth::Failed,
        })
        .collect();
    let message_id = |i: usize| format!("P{seed}-{i:04}");
    // Half the ids are recorded up front; the rest at random moments of the stream, so their
    // early receipts wait as unmatched.
    let mut late: Vec<usize> = Vec::new();
    for (i, row) in all_rows.iter().enumerate() {
        if rng.random_bool(0.5) {
            record_sent(app, row.id, instance_id, &message_id(i)).await;
        } else {
            late.push(i);
        }
    }

    let mut stream: Vec<Value> = Vec::new();
    for (i, truth) in truths.iter().enumerate() {
        for status in receipts(*truth, &mut rng) {
            let copies = if rng.random_bool(0.3) { 2 } else { 1 };
            for _ in 0..copies {
                let body = if rng.random_bool(0.5) {
                    receipt_v1(&name, &message_id(i), status)
                } else {
                    receipt_v2(&name, &message_id(i), status)
                };
                stream.push(body);
            }
        }
    }
    stream.shuffle(&mut rng);
    late.shuffle(&mut rng);

    let mut rest = stream.as_slice();
    while !rest.is_empty() {
        let take = rng.random_range(1..=20).min(rest.len());
        let (batch, tail) = rest.split_at(take);
        rest = tail;
        let sends = batch.iter().map(|body| app.webhook(&hook, &[], body));
        for (status, res) in futures_util::future::join_all(sends).await {
            assert_eq!(status, 200, "{res}");
        }
        if rng.random_bool(0.3)
            && let Some(i) = late.pop()
        {
            record_sent(app, all_rows[i].id, instance_id, &message_id(i)).await;
        }
    }
    for i in late {
        record_sent(app, all_rows[i].id, instance_id, &message_id(i)).await;
    }

    let final_rows = rows(app, campaign_id).await;
    for (i, (row, truth)) in final_rows.iter().zip(&truths).enumerate() {
        assert_eq!(row.status, truth.status(), "seed {seed}, contact {i}");
    }
    let count = |f: &dyn Fn(Truth) -> bool| truths.iter().filter(|t| f(**t)).count() as i64;
    let (_, view) = app
        .get(&tenant.token, &format!("/api/v1/campaigns/{campaign_id}"))
        .await;
    let counts = &view["counts"];
    assert_eq!(counts["total"], n as i64);
    assert_eq!(counts["pending"], 0);
    assert_eq!(counts["sent"], n as i64);
    assert_eq!(
        counts["delivered"],
        count(&|t| matches!(t, Truth::Delivered | Truth::Read))
    );
    assert_eq!(counts["read"], count(&|t| t == Truth::Read));
    assert_eq!(counts["failed"], count(&|t| t == Truth::Failed));
    let truth = recount(&app.state.db.read, campaign_id).await.unwrap();
    assert_eq!(
        *counts,
        serde_json::to_value(&truth).unwrap(),
        "seed {seed}"
    );
}

async fn shuffled_receipts_converge_to_the_truth(app: TestApp) {
    for seed in [1, 2, 3] {
        run_seed(&app, seed).await;
    }
}
