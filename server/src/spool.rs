//! A spool: entries a process must not forget while the database cannot take them. Each is
//! appended (and fsynced) to one JSON-lines file in `FLOW_SPOOL_DIR` before its writer starts
//! retrying, and removed once stored; a process that stops (or crashes) meanwhile stores what
//! its spool holds when it starts again. The sender keeps the message ids Evolution returned
//! ([`crate::sender::spool`]); the link redirect keeps clicks ([`crate::clicks`]).

use std::io::Write;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::sync::Mutex;

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

/// What a spool keeps: one JSON line per entry, in the file [`Spooled::FILE`].
pub trait Spooled:
    Serialize + DeserializeOwned + PartialEq + Clone + Send + Sync + 'static
{
    /// The file's name in the spool directory.
    const FILE: &'static str;
}

/// The spool file of one process for entries `T`. Writers run concurrently: every change of
/// the file holds one lock, so an entry added while another is removed is never lost.
#[derive(Debug)]
pub struct Spool<T> {
    file: PathBuf,
    lock: Arc<Mutex<()>>,
    kept: PhantomData<fn() -> T>,
}

impl<T> Clone for Spool<T> {
    fn clone(&self) -> Self {
        Self {
            file: self.file.clone(),
            lock: self.lock.clone(),
            kept: PhantomData,
        }
    }
}

impl<T: Spooled> Spool<T> {
    /// The spool in `dir` (created on the first write).
    pub fn new(dir: &Path) -> Self {
        Self {
            file: dir.join(T::FILE),
            lock: Arc::new(Mutex::new(())),
            kept: PhantomData,
        }
    }

    fn io(&self, source: std::io::Error) -> SpoolError {
        SpoolError::Io {
            path: self.file.clone(),
            source,
        }
    }

    /// Appends `entry` and waits until it is on disk.
    pub async fn add(&self, entry: &T) -> Result<(), SpoolError> {
        self.add_all(std::slice::from_ref(entry)).await
    }

    /// Appends `entries` and waits until they are on disk (one write, one sync).
    pub async fn add_all(&self, entries: &[T]) -> Result<(), SpoolError> {
        let _held = self.lock.lock().await;
        let this = self.clone();
        let line: String = entries
            .iter()
            .filter_map(|e| serde_json::to_string(e).ok())
            .map(|l| l + "\n")
            .collect();
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
    pub async fn entries(&self) -> Result<Vec<T>, SpoolError> {
        let _held = self.lock.lock().await;
        self.read().await
    }

    async fn read(&self) -> Result<Vec<T>, SpoolError> {
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
    pub async fn remove(&self, entry: &T) -> Result<(), SpoolError> {
        self.remove_all(std::slice::from_ref(entry)).await
    }

    /// Removes `entries` (rewrites the file without them, atomically).
    pub async fn remove_all(&self, entries: &[T]) -> Result<(), SpoolError> {
        let _held = self.lock.lock().await;
        let rest: Vec<T> = self
            .read()
            .await?
            .into_iter()
            .filter(|e| !entries.contains(e))
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
