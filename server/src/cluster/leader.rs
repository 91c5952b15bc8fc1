//! Which node runs the cluster's periodic work: the one holding a PostgreSQL session advisory
//! lock on a connection of its own. When that node stops (or its connection breaks), the
//! server releases the lock and another node takes it within [`TRY_EVERY`]. Work done under
//! leadership must stay safe to repeat: for a moment after a broken connection, two nodes can
//! both believe they lead.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::sqlx::{Connection, PgConnection};

/// The advisory lock key ("FlowLead").
const KEY: i64 = 0x466c_6f77_4c65_6164;

/// How often a follower tries to take the lock, and a leader checks its connection.
pub const TRY_EVERY: Duration = Duration::from_secs(2);

/// Whether this node leads. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Leader {
    leads: Arc<AtomicBool>,
}

impl Leader {
    /// A node that is alone (SQLite): it always leads.
    pub fn alone() -> Self {
        Self {
            leads: Arc::new(AtomicBool::new(true)),
        }
    }

    /// A node of a PostgreSQL cluster: starts following, and leads once it holds the lock.
    pub fn elect(database_url: String) -> Self {
        let leader = Self {
            leads: Arc::new(AtomicBool::new(false)),
        };
        tokio::spawn(campaign(database_url, leader.leads.clone()));
        leader
    }

    /// Whether this node should run the cluster's periodic work now.
    pub fn leads(&self) -> bool {
        self.leads.load(Ordering::Acquire)
    }
}

fn set(leads: &AtomicBool, now: bool) {
    if leads.swap(now, Ordering::AcqRel) != now {
        if now {
            tracing::info!("this node now runs the cluster's periodic work");
        } else {
            tracing::warn!("this node lost the lead of the cluster's periodic work");
        }
    }
    metrics::gauge!(crate::telemetry::LEADER).set(if now { 1.0 } else { 0.0 });
}

async fn campaign(database_url: String, leads: Arc<AtomicBool>) {
    loop {
        let mut conn = match PgConnection::connect(&database_url).await {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "cannot connect to take the cluster lead");
                tokio::time::sleep(TRY_EVERY).await;
                continue;
            }
        };
        loop {
            let alive = if leads.load(Ordering::Acquire) {
                sea_orm::sqlx::query("SELECT 1")
                    .execute(&mut conn)
                    .await
                    .map(|_| true)
            } else {
                sea_orm::sqlx::query_scalar::<_, bool>("SELECT pg_try_advisory_lock($1)")
                    .bind(KEY)
                    .fetch_one(&mut conn)
                    .await
                    .map(|took| {
                        if took {
                            set(&leads, true);
                        }
                        true
                    })
            };
            if let Err(e) = alive {
                tracing::warn!(error = %e, "the cluster lead connection failed");
                set(&leads, false);
                // Let a healthy follower take the lead first.
                tokio::time::sleep(TRY_EVERY * 2).await;
                break;
            }
            tokio::time::sleep(TRY_EVERY).await;
        }
    }
}
