//! Uploaded media: a file is spooled to disk while it arrives (memory stays flat), its type read
//! from its content, hashed, and stored in the database in 256 KiB chunks, so every node of a
//! cluster serves it from the one database (PostgreSQL in production) without a shared disk.
//! The same file uploaded twice by a tenant is stored once (by SHA-256). Evolution downloads it
//! at `{FLOW_PUBLIC_URL}/media/{token}`, a URL nobody can guess; a file no campaign uses is
//! deleted after `FLOW_MEDIA_RETENTION_DAYS`.

use std::path::PathBuf;

use app::messages::MediaView;
use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, SqlErr, TransactionTrait};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::db::Db;
use crate::domain::media_type::{self, MediaKind, SNIFF_BYTES};
use crate::service::{Problem, ServiceError, ServiceResult};
use crate::sql::stmt;

/// Bytes per stored chunk (and the most a range request reads at once).
pub const CHUNK_BYTES: usize = 256 * 1024;

/// A file being received: written to a temporary file as it arrives, hashed on the way, its
/// type read from its first bytes. The temporary file goes when this is dropped.
pub struct Spooler {
    path: PathBuf,
    file: tokio::fs::File,
    hasher: Sha256,
    head: Vec<u8>,
    size: u64,
    sniffed: Option<(MediaKind, &'static str)>,
}

/// A received file, checked: its kind, type, size and hash, still on disk.
pub struct Spooled {
    spooler: Spooler,
    kind: MediaKind,
    mimetype: &'static str,
    sha256: String,
    duration_secs: Option<i64>,
}

impl Spooler {
    /// A new, empty temporary file.
    pub async fn new() -> ServiceResult<Self> {
        let mut name = [0u8; 16];
        rand::rng().fill_bytes(&mut name);
        let path = std::env::temp_dir().join(format!("flow-upload-{}", hex::encode(name)));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(ServiceError::internal)?;
        Ok(Self {
            path,
            file,
            hasher: Sha256::new(),
            head: Vec::new(),
            size: 0,
            sniffed: None,
        })
    }

    /// Adds the next bytes. Refuses a file whose content is not a type Flow sends, or larger
    /// than its kind allows, as soon as that is known.
    pub async fn push(&mut self, bytes: &[u8]) -> ServiceResult<()> {
        self.size += bytes.len() as u64;
        self.hasher.update(bytes);
        if self.sniffed.is_none() {
            let wanted = SNIFF_BYTES.saturating_sub(self.head.len());
            self.head
                .extend_from_slice(&bytes[..wanted.min(bytes.len())]);
            if self.head.len() >= SNIFF_BYTES {
                self.sniff()?;
            }
        }
        if let Some((kind, _)) = self.sniffed
            && self.size > kind.max_bytes()
        {
            return Err(too_large(kind));
        }
        self.file
            .write_all(bytes)
            .await
            .map_err(ServiceError::internal)
    }

    fn sniff(&mut self) -> ServiceResult<(MediaKind, &'static str)> {
        let found = media_type::sniff(&self.head).ok_or(Problem::MediaType)?;
        self.sniffed = Some(found);
        self.head = Vec::new();
        Ok(found)
    }

    /// The whole file received: checks it (not empty, a type Flow sends, within its size).
    pub async fn finish(mut self) -> ServiceResult<Spooled> {
        if self.size == 0 {
            return Err(Problem::MediaEmpty.into());
        }
        let (kind, mimetype) = match self.sniffed {
            Some(found) => found,
            None => self.sniff()?,
        };
        if self.size > kind.max_bytes() {
            return Err(too_large(kind));
        }
        self.file.flush().await.map_err(ServiceError::internal)?;
        let sha256 = hex::encode(std::mem::take(&mut self.hasher).finalize());
        let duration_secs = if mimetype == "audio/ogg" {
            self.ogg_secs().await?
        } else {
            None
        };
        Ok(Spooled {
            spooler: self,
            kind,
            mimetype,
            sha256,
            duration_secs,
        })
    }

    /// The length of the spooled OGG/Opus file, from its first and last 64 KiB.
    async fn ogg_secs(&self) -> ServiceResult<Option<i64>> {
        use tokio::io::AsyncSeekExt;
        let mut file = tokio::fs::File::open(&self.path)
            .await
            .map_err(ServiceError::internal)?;
        let mut head = vec![0u8; SNIFF_BYTES];
        let n = read_full(&mut file, &mut head).await?;
        head.truncate(n);
        let from = self.size.saturating_sub(SNIFF_BYTES as u64);
        file.seek(std::io::SeekFrom::Start(from))
            .await
            .map_err(ServiceError::internal)?;
        let mut tail = vec![0u8; SNIFF_BYTES];
        let n = read_full(&mut file, &mut tail).await?;
        tail.truncate(n);
        Ok(media_type::ogg_opus_secs(&head, &tail))
    }
}

impl Drop for Spooler {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn too_large(kind: MediaKind) -> ServiceError {
    Problem::MediaTooLarge {
        kind: kind.as_str().to_string(),
        max_mb: kind.max_bytes() / (1024 * 1024),
    }
    .into()
}

#[derive(FromQueryResult)]
struct Row {
    id: i64,
    kind: String,
    mimetype: String,
    size: i64,
    sha256: String,
    file_name: String,
    duration_secs: Option<i32>,
}

impl From<Row> for MediaView {
    fn from(r: Row) -> Self {
        Self {
            id: r.id,
            kind: r.kind,
            mimetype: r.mimetype,
            size: r.size,
            sha256: r.sha256,
            file_name: r.file_name,
            duration_secs: r.duration_secs.map(i64::from),
        }
    }
}

const COLUMNS: &str = "id, kind, mimetype, size, sha256, file_name, duration_secs";

/// Stores a received file for `tenant_id` under `file_name`, or answers the file it already
/// has with the same bytes. Whether it was new.
pub async fn store(
    db: &Db,
    tenant_id: i64,
    file_name: &str,
    spooled: Spooled,
) -> ServiceResult<(MediaView, bool)> {
    let backend = db.backend();
    if let Some(row) = Row::find_by_statement(stmt(
        backend,
        &format!("SELECT {COLUMNS} FROM media WHERE tenant_id = ? AND sha256 = ?"),
        vec![tenant_id.into(), spooled.sha256.clone().into()],
    ))
    .one(&db.read)
    .await?
    {
        return Ok((row.into(), false));
    }
    let mut token = [0u8; 32];
    rand::rng().fill_bytes(&mut token);
    let file_name = media_type::clean_file_name(file_name);
    let txn = db.write.begin().await?;
    let inserted = Row::find_by_statement(stmt(
        backend,
        &format!(
            "INSERT INTO media (tenant_id, sha256, kind, mimetype, size, file_name, duration_secs, \
             token, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ),
        vec![
            tenant_id.into(),
            spooled.sha256.clone().into(),
            spooled.kind.as_str().into(),
            spooled.mimetype.into(),
            (spooled.spooler.size as i64).into(),
            file_name.into(),
            spooled.duration_secs.map(|d| d as i32).into(),
            hex::encode(token).into(),
            Utc::now().into(),
        ],
    ))
    .one(&txn)
    .await;
    let row = match inserted {
        Ok(Some(row)) => row,
        Ok(None) => return Err(DbErr::RecordNotInserted.into()),
        // The same file uploaded at the same moment by another request: theirs is the one.
        Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            return Row::find_by_statement(stmt(
                backend,
                &format!("SELECT {COLUMNS} FROM media WHERE tenant_id = ? AND sha256 = ?"),
                vec![tenant_id.into(), spooled.sha256.clone().into()],
            ))
            .one(&db.write)
            .await?
            .map(|row| (row.into(), false))
            .ok_or(ServiceError::NotFound("media"));
        }
        Err(e) => return Err(e.into()),
    };
    let mut file = tokio::fs::File::open(&spooled.spooler.path)
        .await
        .map_err(ServiceError::internal)?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    let mut seq: i32 = 0;
    loop {
        let n = read_full(&mut file, &mut buf).await?;
        if n == 0 {
            break;
        }
        txn.execute_raw(stmt(
            backend,
            "INSERT INTO media_chunk (media_id, seq, data) VALUES (?, ?, ?)",
            vec![row.id.into(), seq.into(), buf[..n].to_vec().into()],
        ))
        .await?;
        seq += 1;
    }
    txn.commit().await?;
    Ok((row.into(), true))
}

/// Reads until `buf` is full or the file ends; how many bytes it read.
async fn read_full(file: &mut tokio::fs::File, buf: &mut [u8]) -> ServiceResult<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file
            .read(&mut buf[filled..])
            .await
            .map_err(ServiceError::internal)?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

/// A file of `tenant_id`.
pub async fn find(
    conn: &impl ConnectionTrait,
    tenant_id: i64,
    id: i64,
) -> ServiceResult<MediaView> {
    Row::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("SELECT {COLUMNS} FROM media WHERE tenant_id = ? AND id = ?"),
        vec![tenant_id.into(), id.into()],
    ))
    .one(conn)
    .await?
    .map(MediaView::from)
    .ok_or(ServiceError::NotFound("media"))
}

/// A stored file as its public URL serves it.
#[derive(Clone, Debug, FromQueryResult)]
pub struct Served {
    /// Its id (to read its chunks).
    pub id: i64,
    /// Its MIME type.
    pub mimetype: String,
    /// Bytes.
    pub size: i64,
    /// Its name.
    pub file_name: String,
}

/// The file whose URL token is `token`, if any.
pub async fn by_token(conn: &impl ConnectionTrait, token: &str) -> Result<Option<Served>, DbErr> {
    Served::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT id, mimetype, size, file_name FROM media WHERE token = ?",
        vec![token.into()],
    ))
    .one(conn)
    .await
}

/// The URL token of a file.
pub async fn token_of(conn: &impl ConnectionTrait, media_id: i64) -> Result<Option<String>, DbErr> {
    #[derive(FromQueryResult)]
    struct Token {
        token: String,
    }
    Ok(Token::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT token FROM media WHERE id = ?",
        vec![media_id.into()],
    ))
    .one(conn)
    .await?
    .map(|t| t.token))
}

/// The public URL Evolution downloads a file at.
pub fn url(public_url: &str, token: &str) -> String {
    format!("{}/media/{token}", public_url.trim_end_matches('/'))
}

/// Chunk `seq` of file `media_id`.
pub async fn chunk(
    conn: &impl ConnectionTrait,
    media_id: i64,
    seq: i64,
) -> Result<Option<Vec<u8>>, DbErr> {
    #[derive(FromQueryResult)]
    struct Chunk {
        data: Vec<u8>,
    }
    Ok(Chunk::find_by_statement(stmt(
        conn.get_database_backend(),
        "SELECT data FROM media_chunk WHERE media_id = ? AND seq = ?",
        vec![media_id.into(), (seq as i32).into()],
    ))
    .one(conn)
    .await?
    .map(|c| c.data))
}

/// Deletes the files uploaded before `cutoff` that no campaign uses; how many went.
pub async fn prune_unused(db: &Db, cutoff: DateTime<Utc>) -> Result<u64, DbErr> {
    let backend = db.backend();
    let unused = "SELECT id FROM media WHERE created_at < ? \
                  AND NOT EXISTS (SELECT 1 FROM campaign_media cm WHERE cm.media_id = media.id)";
    let txn = db.write.begin().await?;
    txn.execute_raw(stmt(
        backend,
        &format!("DELETE FROM media_chunk WHERE media_id IN ({unused})"),
        vec![cutoff.into()],
    ))
    .await?;
    let gone = txn
        .execute_raw(stmt(
            backend,
            &format!("DELETE FROM media WHERE id IN ({unused})"),
            vec![cutoff.into()],
        ))
        .await?
        .rows_affected();
    txn.commit().await?;
    Ok(gone)
}
