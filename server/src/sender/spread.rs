//! How this process spreads a campaign's sends over its instances: each instance's share (see
//! [`crate::service::rotation`]) read from the database at most every [`REFRESH`], turned into
//! how much longer than the campaign's pause that instance waits after each of its sends.

use std::collections::HashMap;
use std::time::Duration;

use sea_orm::DbErr;
use tokio::time::Instant;

use crate::db::Db;
use crate::domain::rotation;
use crate::sender::claim::DueCampaign;

/// How long a campaign's shares are used before they are read again.
pub const REFRESH: Duration = Duration::from_secs(5);

/// The shares of each campaign with several instances, as last read.
#[derive(Debug, Default)]
pub struct Spread {
    campaigns: HashMap<i64, (Instant, HashMap<i64, f64>)>,
}

impl Spread {
    /// How many times the campaign's pause instance `instance_id` waits after a send of
    /// `campaign` that has `instances` available instances: 1 with a single instance, more for
    /// a weaker one, `None` when it should not send for it now (no capacity left today, high
    /// risk).
    pub async fn stretch(
        &mut self,
        db: &Db,
        campaign: &DueCampaign,
        instances: usize,
        instance_id: i64,
    ) -> Result<Option<f64>, DbErr> {
        if instances < 2 {
            self.campaigns.remove(&campaign.id);
            return Ok(Some(1.0));
        }
        let fresh = self
            .campaigns
            .get(&campaign.id)
            .is_some_and(|(at, _)| at.elapsed() < REFRESH);
        if !fresh {
            let shares = crate::service::rotation::shares(
                &db.read,
                campaign.id,
                campaign.settings.daily_cap_per_instance,
                campaign.pending,
            )
            .await?
            .into_iter()
            .map(|s| (s.instance_id, s.share_percent / 100.0))
            .collect();
            self.campaigns.insert(campaign.id, (Instant::now(), shares));
        }
        let shares = &self.campaigns[&campaign.id].1;
        let top = shares.values().copied().fold(0.0, f64::max);
        Ok(rotation::stretch(
            shares.get(&instance_id).copied().unwrap_or(0.0),
            top,
        ))
    }

    /// Forgets campaigns that are no longer active.
    pub fn retain(&mut self, active: &[i64]) {
        self.campaigns.retain(|id, _| active.contains(id));
    }
}
