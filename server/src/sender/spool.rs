//! The sender's spool: message ids Evolution returned while the database could not record
//! them, kept in `sent.jsonl` in `FLOW_SPOOL_DIR` (see [`crate::spool`]). So a message that
//! went out is never forgotten and swept as failed, whatever the database and the process do.

use serde::{Deserialize, Serialize};

/// A message Evolution accepted and the database has not recorded yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unrecorded {
    /// The campaign contact it was sent for.
    pub campaign_contact_id: i64,
    /// The campaign.
    pub campaign_id: i64,
    /// The instance that sent it.
    pub instance_id: i64,
    /// The WhatsApp message id Evolution returned.
    pub message_id: String,
}

impl crate::spool::Spooled for Unrecorded {
    const FILE: &'static str = "sent.jsonl";
}

/// The sender's spool file.
pub type Spool = crate::spool::Spool<Unrecorded>;

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: i64) -> Unrecorded {
        Unrecorded {
            campaign_contact_id: n,
            campaign_id: 1,
            instance_id: 2,
            message_id: format!("MSG-{n}"),
        }
    }

    #[tokio::test]
    async fn entries_survive_until_removed() {
        let dir = std::env::temp_dir().join(format!("flow-spool-test-{}", rand::random::<u32>()));
        let spool = Spool::new(&dir);
        assert!(spool.entries().await.unwrap().is_empty());
        spool.add(&entry(1)).await.unwrap();
        spool.add(&entry(2)).await.unwrap();
        // Another process (a restart) reads the same file.
        let again = Spool::new(&dir);
        assert_eq!(again.entries().await.unwrap(), vec![entry(1), entry(2)]);
        again.remove(&entry(1)).await.unwrap();
        assert_eq!(spool.entries().await.unwrap(), vec![entry(2)]);
        again.remove(&entry(2)).await.unwrap();
        assert!(!dir.join("sent.jsonl").exists());
        std::fs::remove_dir_all(&dir).ok();
    }
}
