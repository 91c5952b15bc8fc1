//! The sender's spool: message ids Evolution returned while the database could not record
//! them. Each is appended (and fsynced) to `sent.jsonl` in `FLOW_SPOOL_DIR` before the sender
//! starts retrying, and removed once recorded; a process that stops (or crashes) meanwhile
//! records what its spool holds when it starts again. So a message that went out is never
//! forgotten and swept as failed, whatever the database and the process do.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::sync::Mutex;

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

/// Why the spool could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum SpoolError {
    /// The file system refused.
    #[error("spool {path}: {source}")]
    Io {
        /// The spool file.
        path: PathBuf,
        /// What failed.
        source: std::io::Error,
    },
}

/// The spool file of one process. Sends run concurrently: every change of the file holds
/// one lock, so an entry added while another is removed is never lost.
#[derive(Clone, Debug)]
pub struct Spool {
    file: PathBuf,
    lock: Arc<Mutex<()>>,
}

impl Spool {
    /// The spool in `dir` (created on the first write).
    pub fn new(dir: &Path) -> Self {
        Self {
            file: dir.join("sent.jsonl"),
            lock: Arc::new(Mutex::new(())),
        }
    }

    fn io(&self, source: std::io::Error) -> SpoolError {
        SpoolError::Io {
            path: self.file.clone(),
            source,
        }
    }

    /// Appends `entry` and waits until it is on disk.
    pub async fn add(&self, entry: &Unrecorded) -> Result<(), SpoolError> {
        let _held = self.lock.lock().await;
        let this = self.clone();
        let mut line = serde_json::to_string(entry).unwrap_or_default();
        line.push('\n');
        tokio::task::spawn_blocking(move || {
            if let Some(dir) = this.file.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&this.file)?;
            file.write_all(line.as_bytes())?;
            file.sync_data()
        })
        .await
        .unwrap_or_else(|e| Err(std::io::Error::other(e)))
        .map_err(|e| self.io(e))
    }

    /// Every entry waiting (unreadable lines are skipped).
    pub async fn entries(&self) -> Result<Vec<Unrecorded>, SpoolError> {
        let _held = self.lock.lock().await;
        self.read().await
    }

    async fn read(&self) -> Result<Vec<Unrecorded>, SpoolError> {
        match tokio::fs::read_to_string(&self.file).await {
            Ok(text) => Ok(text
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(self.io(e)),
        }
    }

    /// Removes `entry` (rewrites the file without it, atomically).
    pub async fn remove(&self, entry: &Unrecorded) -> Result<(), SpoolError> {
        let _held = self.lock.lock().await;
        let rest: Vec<Unrecorded> = self
            .read()
            .await?
            .into_iter()
            .filter(|e| e != entry)
            .collect();
        if rest.is_empty() {
            return match tokio::fs::remove_file(&self.file).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.io(e)),
                _ => Ok(()),
            };
        }
        let text: String = rest
            .iter()
            .filter_map(|e| serde_json::to_string(e).ok())
            .map(|l| l + "\n")
            .collect();
        let tmp = self.file.with_extension("jsonl.tmp");
        tokio::fs::write(&tmp, text).await.map_err(|e| self.io(e))?;
        tokio::fs::rename(&tmp, &self.file)
            .await
            .map_err(|e| self.io(e))
    }
}

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
