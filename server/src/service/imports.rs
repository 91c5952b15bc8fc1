//! Contact import jobs: an uploaded file is stored in chunks as it arrives and written in the
//! background in batches, read from the database as a stream (memory stays flat whatever the
//! file's size). Each batch commits its contacts together with the job's progress and counts, so
//! a reload shows the progress again, a restart resumes after the last batch, and a failure
//! leaves nothing written that the report does not count.

use std::time::Duration;

use app::audience::{ImportError, ImportJobView};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait};

use tokio::sync::mpsc;

use crate::db::Db;
use crate::domain::contact_csv::{self, CsvError, Person};
use crate::domain::contact_stream::{self, Encoding, Sniffer};
use crate::domain::spreadsheet;
use crate::service::contacts::{self, CHUNK, refresh_statistics, refresh_statistics_before};
use crate::service::{
    Problem, ServiceError, ServiceResult, lists, opt_timestamp, settings, timestamp,
};
use crate::sql::stmt;

/// The most bytes one import file may have.
pub const MAX_IMPORT_FILE_BYTES: usize = 128 * 1024 * 1024;

/// Rejected rows shown in the job view (all of them are in `errors.csv`).
const ERRORS_SHOWN: usize = 100;

/// A running job that has not moved for this long is taken over (its process died).
const STALE_AFTER: Duration = Duration::from_secs(120);

#[derive(FromQueryResult)]
struct JobRow {
    id: i64,
    status: String,
    list_id: Option<i64>,
    total_rows: i64,
    processed: i64,
    created: i64,
    updated: i64,
    unchanged: i64,
    duplicates: i64,
    invalid: i64,
    kept_opted_out: i64,
    invalid_rows: Option<String>,
    error: Option<String>,
    created_at: DateTime<Utc>,
    finished_at: Option<DateTime<Utc>>,
}

const JOB_COLUMNS: &str = "id, status, list_id, total_rows, processed, created, updated, \
    unchanged, duplicates, invalid, kept_opted_out, invalid_rows, error, created_at, finished_at";

impl JobRow {
    fn errors(&self) -> Vec<ImportError> {
        self.invalid_rows
            .as_deref()
            .and_then(|j| serde_json::from_str(j).ok())
            .unwrap_or_default()
    }

    fn view(self) -> ImportJobView {
        let mut errors = self.errors();
        errors.truncate(ERRORS_SHOWN);
        ImportJobView {
            id: self.id,
            status: self.status,
            list_id: self.list_id,
            total: self.total_rows,
            processed: self.processed,
            created: self.created,
            updated: self.updated,
            unchanged: self.unchanged,
            duplicates: self.duplicates,
            invalid: self.invalid,
            kept_opted_out: self.kept_opted_out,
            errors,
            error: self.error,
            created_at: timestamp(self.created_at),
            finished_at: opt_timestamp(self.finished_at),
        }
    }
}

async fn find(conn: &impl ConnectionTrait, tenant_id: i64, id: i64) -> ServiceResult<JobRow> {
    JobRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!("SELECT {JOB_COLUMNS} FROM contact_import WHERE tenant_id = ? AND id = ?"),
        vec![tenant_id.into(), id.into()],
    ))
    .one(conn)
    .await?
    .ok_or(ServiceError::NotFound("import"))
}

/// How many bytes of an upload one stored chunk holds (a database connection keeps a buffer
/// this large once it has carried one).
const CHUNK_BYTES: usize = 256 * 1024;

/// The most bytes of a file's start read for its header line.
const HEADER_BYTES: usize = 64 * 1024;

/// A contact file being uploaded: stored chunk by chunk as it arrives (the job row waits
/// with status `uploading`), so the upload is never held in memory. End it with
/// [`Upload::queue`], or [`Upload::discard`] when the request fails.
pub struct Upload {
    db: Db,
    tenant_id: i64,
    id: i64,
    /// Bytes received and not yet stored.
    pending: Vec<u8>,
    /// Chunks stored.
    chunks: i32,
    size: usize,
    sniffer: Sniffer,
    /// The file's start, until its header line is complete and checked.
    head: Option<Vec<u8>>,
}

impl Upload {
    /// Opens a job for an upload of the tenant's.
    pub async fn begin(db: &Db, tenant_id: i64) -> ServiceResult<Self> {
        let now = Utc::now();
        let txn = db.write.begin().await?;
        txn.execute_raw(stmt(
            db.backend(),
            "INSERT INTO contact_import (tenant_id, status, created_at, updated_at) \
             VALUES (?, 'uploading', ?, ?)",
            vec![tenant_id.into(), now.into(), now.into()],
        ))
        .await?;
        let job = find_last(&txn, tenant_id).await?;
        txn.commit().await?;
        Ok(Self {
            db: db.clone(),
            tenant_id,
            id: job.id,
            pending: Vec::with_capacity(CHUNK_BYTES),
            chunks: 0,
            size: 0,
            sniffer: Sniffer::default(),
            head: Some(Vec::new()),
        })
    }

    /// Takes the next piece of the file, storing each full chunk. A file over
    /// [`MAX_IMPORT_FILE_BYTES`], or whose header names no phone column, is refused as soon as
    /// that shows.
    pub async fn write(&mut self, piece: &[u8]) -> ServiceResult<()> {
        self.size += piece.len();
        if self.size > MAX_IMPORT_FILE_BYTES {
            return Err(Problem::FileTooLarge {
                max: MAX_IMPORT_FILE_BYTES,
            }
            .into());
        }
        self.sniffer.feed(piece);
        if let Some(head) = &mut self.head {
            head.extend_from_slice(&piece[..piece.len().min(HEADER_BYTES)]);
            if head.contains(&b'\n') || head.len() >= HEADER_BYTES {
                check_header(head)?;
                self.head = None;
            }
        }
        self.pending.extend_from_slice(piece);
        while self.pending.len() >= CHUNK_BYTES {
            let rest = self.pending.split_off(CHUNK_BYTES);
            let chunk = std::mem::replace(&mut self.pending, rest);
            self.store(chunk).await?;
        }
        Ok(())
    }

    async fn store(&mut self, chunk: Vec<u8>) -> ServiceResult<()> {
        let backend = self.db.backend();
        let txn = self.db.write.begin().await?;
        txn.execute_raw(stmt(
            backend,
            "INSERT INTO contact_import_chunk (import_id, seq, data) VALUES (?, ?, ?)",
            vec![self.id.into(), self.chunks.into(), chunk.into()],
        ))
        .await?;
        // A live upload is not taken for one whose process died (see `resume`).
        txn.execute_raw(stmt(
            backend,
            "UPDATE contact_import SET updated_at = ? WHERE id = ?",
            vec![Utc::now().into(), self.id.into()],
        ))
        .await?;
        txn.commit().await?;
        self.chunks += 1;
        Ok(())
    }

    /// Ends the upload: stores what is left and queues the job (its contacts also added to
    /// `list_id` when given), written in the background. An empty file, a file without a phone
    /// column and an unknown list are refused (and the upload deleted).
    pub async fn queue(mut self, list_id: Option<i64>) -> ServiceResult<ImportJobView> {
        let queued = async {
            if self.size == 0 {
                return Err(Problem::CsvFile {
                    reason: CsvError::Empty.to_string(),
                }
                .into());
            }
            if let Some(head) = self.head.take() {
                check_header(&head)?;
            }
            if let Some(list_id) = list_id {
                lists::get(&self.db.read, self.tenant_id, list_id).await?;
            }
            let rest = std::mem::take(&mut self.pending);
            if !rest.is_empty() {
                self.store(rest).await?;
            }
            let txn = self.db.write.begin().await?;
            txn.execute_raw(stmt(
                self.db.backend(),
                "UPDATE contact_import SET status = 'queued', list_id = ?, encoding = ?, \
                 updated_at = ? WHERE id = ?",
                vec![
                    list_id.into(),
                    self.sniffer.encoding().as_str().into(),
                    Utc::now().into(),
                    self.id.into(),
                ],
            ))
            .await?;
            let job = find(&txn, self.tenant_id, self.id).await?;
            txn.commit().await?;
            ServiceResult::Ok(job)
        }
        .await;
        match queued {
            Ok(job) => {
                spawn(self.db.clone(), job.id);
                tracing::info!(
                    import_id = job.id,
                    bytes = self.size,
                    "contact import queued"
                );
                Ok(job.view())
            }
            Err(e) => {
                self.discard().await;
                Err(e)
            }
        }
    }

    /// Deletes the upload and its job (the request failed).
    pub async fn discard(self) {
        let gone = async {
            let txn = self.db.write.begin().await?;
            forget_file(&txn, self.id).await?;
            txn.execute_raw(stmt(
                self.db.backend(),
                "DELETE FROM contact_import WHERE id = ?",
                vec![self.id.into()],
            ))
            .await?;
            txn.commit().await
        }
        .await;
        if let Err(e) = gone {
            tracing::warn!(import_id = self.id, error = %e, "cannot delete a failed upload");
        }
    }
}

/// Refuses a file whose header (the first line of `head`) names no phone column.
fn check_header(head: &[u8]) -> ServiceResult<()> {
    let text = contact_csv::decode(head);
    let header = text.lines().next().unwrap_or("");
    contact_csv::parse(header).map_err(|e| Problem::CsvFile {
        reason: e.to_string(),
    })?;
    Ok(())
}

/// The tenant's newest job.
async fn find_last(conn: &impl ConnectionTrait, tenant_id: i64) -> ServiceResult<JobRow> {
    JobRow::find_by_statement(stmt(
        conn.get_database_backend(),
        &format!(
            "SELECT {JOB_COLUMNS} FROM contact_import WHERE tenant_id = ? \
             ORDER BY id DESC LIMIT 1"
        ),
        vec![tenant_id.into()],
    ))
    .one(conn)
    .await?
    .ok_or(ServiceError::NotFound("import"))
}

/// A job of the tenant with its progress and report.
pub async fn get(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<ImportJobView> {
    find(&db.read, tenant_id, id).await.map(JobRow::view)
}

/// Every rejected row of a job as CSV (`linha;telefone;motivo`, in Portuguese like its header,
/// UTF-8 with a byte-order mark so Excel reads the accents).
pub async fn errors_csv(db: &Db, tenant_id: i64, id: i64) -> ServiceResult<Vec<u8>> {
    let job = find(&db.read, tenant_id, id).await?;
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(&mut out);
        let io = |e: csv::Error| ServiceError::internal(e);
        spreadsheet::write_row(&mut writer, ["linha", "telefone", "motivo"]).map_err(io)?;
        for e in job.errors() {
            let reason = e.reason_in(app::i18n::Locale::pt_BR);
            spreadsheet::write_row(&mut writer, [e.line.to_string(), e.phone, reason])
                .map_err(io)?;
        }
        writer.flush().map_err(ServiceError::internal)?;
    }
    Ok(out)
}

/// Job `id`'s stored file, read one chunk at a time (a task fetches the next chunk while the
/// reader parses this one), as UTF-8 text. Meant for a blocking thread; a database failure
/// is a read error.
fn stored_file(db: &Db, id: i64, encoding: Encoding) -> impl std::io::Read + Send + 'static {
    let (tx, rx) = mpsc::channel(1);
    let db = db.clone();
    tokio::spawn(async move {
        for seq in 0i32.. {
            let chunk = chunk(&db, id, seq).await;
            let end = matches!(chunk, Ok(None) | Err(_));
            if tx.send(chunk).await.is_err() || end {
                return;
            }
        }
    });
    contact_stream::decoded(
        ChunkReader {
            rx,
            chunk: std::io::Cursor::new(Vec::new()),
        },
        encoding,
    )
}

/// Chunk `seq` of job `id`'s file; `None` past its end.
async fn chunk(db: &Db, id: i64, seq: i32) -> Result<Option<Vec<u8>>, DbErr> {
    #[derive(FromQueryResult)]
    struct Chunk {
        data: Vec<u8>,
    }
    Ok(Chunk::find_by_statement(stmt(
        db.backend(),
        "SELECT data FROM contact_import_chunk WHERE import_id = ? AND seq = ?",
        vec![id.into(), seq.into()],
    ))
    .one(&db.read)
    .await?
    .map(|c| c.data))
}

/// The encoding of job `id`'s stored file, read through once.
async fn sniff(db: &Db, id: i64) -> ServiceResult<Encoding> {
    let mut sniffer = Sniffer::default();
    for seq in 0i32.. {
        match chunk(db, id, seq).await? {
            Some(data) => sniffer.feed(&data),
            None => break,
        }
    }
    Ok(sniffer.encoding())
}

/// Reads the chunks [`stored_file`]'s task sends, in a blocking thread.
struct ChunkReader {
    rx: mpsc::Receiver<Result<Option<Vec<u8>>, DbErr>>,
    /// The chunk in hand, what is left of it.
    chunk: std::io::Cursor<Vec<u8>>,
}

impl std::io::Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        loop {
            let n = self.chunk.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            match self.rx.blocking_recv() {
                Some(Ok(Some(chunk))) => self.chunk = std::io::Cursor::new(chunk),
                Some(Ok(None)) | None => return Ok(0),
                Some(Err(e)) => return Err(std::io::Error::other(e)),
            }
        }
    }
}

/// Starts the worker of job `id` in the background.
fn spawn(db: Db, id: i64) {
    tokio::spawn(async move {
        if let Err(e) = run(&db, id).await {
            tracing::warn!(import_id = id, error = %e, "contact import failed");
            let failed = async {
                let txn = db.write.begin().await?;
                txn.execute_raw(stmt(
                    db.backend(),
                    "UPDATE contact_import SET status = 'failed', error = ?, \
                     finished_at = ?, updated_at = ? WHERE id = ?",
                    vec![
                        e.to_string().into(),
                        Utc::now().into(),
                        Utc::now().into(),
                        id.into(),
                    ],
                ))
                .await?;
                forget_file(&txn, id).await?;
                txn.commit().await
            }
            .await;
            if let Err(e) = failed {
                tracing::warn!(import_id = id, error = %e, "cannot mark an import failed");
            }
        }
    });
}

/// Deletes job `id`'s uploaded file: the job has ended (its people are written, or it failed),
/// and the file names people in clear.
async fn forget_file(conn: &impl ConnectionTrait, id: i64) -> Result<(), DbErr> {
    conn.execute_raw(stmt(
        conn.get_database_backend(),
        "DELETE FROM contact_import_chunk WHERE import_id = ?",
        vec![id.into()],
    ))
    .await?;
    Ok(())
}

/// Resumes the jobs left queued, or running without progress for a while (their process
/// stopped); called at start.
pub async fn resume(db: &Db) -> Result<usize, DbErr> {
    #[derive(FromQueryResult)]
    struct Id {
        id: i64,
    }
    let stale = Utc::now() - chrono::Duration::from_std(STALE_AFTER).unwrap_or_default();
    // Uploads whose process died: their request failed, nobody has the job.
    let dead = Id::find_by_statement(stmt(
        db.backend(),
        "SELECT id FROM contact_import WHERE status = 'uploading' AND updated_at < ?",
        vec![stale.into()],
    ))
    .all(&db.read)
    .await?;
    for Id { id } in dead {
        let txn = db.write.begin().await?;
        forget_file(&txn, id).await?;
        txn.execute_raw(stmt(
            db.backend(),
            "DELETE FROM contact_import WHERE id = ? AND status = 'uploading'",
            vec![id.into()],
        ))
        .await?;
        txn.commit().await?;
    }
    let ids = Id::find_by_statement(stmt(
        db.backend(),
        "SELECT id FROM contact_import WHERE status = 'queued' \
         OR (status = 'running' AND updated_at < ?) ORDER BY id",
        vec![stale.into()],
    ))
    .all(&db.read)
    .await?;
    let n = ids.len();
    for Id { id } in ids {
        spawn(db.clone(), id);
    }
    Ok(n)
}

/// Writes job `id` from where it stopped: reads its file once to plan who is written (and
/// count the invalid rows and duplicates), then again to write them in batches. Each read
/// streams the stored chunks through a parser on a blocking thread; the second one parses the
/// next batches while this task writes the last one.
async fn run(db: &Db, id: i64) -> ServiceResult<()> {
    let backend = db.backend();
    #[derive(FromQueryResult)]
    struct Work {
        tenant_id: i64,
        list_id: Option<i64>,
        processed: i64,
        encoding: Option<String>,
    }
    // Take the job (one worker per job, even with several server processes): a queued one,
    // or a running one whose worker stopped moving.
    let now = Utc::now();
    let stale = now - chrono::Duration::from_std(STALE_AFTER).unwrap_or_default();
    let taken = db
        .write
        .execute_raw(stmt(
            backend,
            "UPDATE contact_import SET status = 'running', updated_at = ? WHERE id = ? \
             AND (status = 'queued' OR (status = 'running' AND updated_at < ?))",
            vec![now.into(), id.into(), stale.into()],
        ))
        .await?
        .rows_affected();
    if taken == 0 {
        return Ok(());
    }
    let Some(work) = Work::find_by_statement(stmt(
        backend,
        "SELECT tenant_id, list_id, processed, encoding FROM contact_import WHERE id = ?",
        vec![id.into()],
    ))
    .one(&db.write)
    .await?
    else {
        return Ok(());
    };
    let encoding = match work.encoding.as_deref().and_then(Encoding::parse) {
        Some(encoding) => encoding,
        // A job queued before encodings were stored: told from its chunks.
        None => sniff(db, id).await?,
    };
    let country = settings::country(&db.read, work.tenant_id).await?;
    let file = stored_file(db, id, encoding);
    let plan = tokio::task::spawn_blocking(move || contact_stream::plan(file, country))
        .await
        .map_err(ServiceError::internal)?
        .map_err(|e| Problem::CsvFile {
            reason: e.to_string(),
        })?;
    let invalid_json = serde_json::to_string(&plan.invalid).map_err(ServiceError::internal)?;
    db.write
        .execute_raw(stmt(
            backend,
            "UPDATE contact_import SET total_rows = ?, duplicates = ?, invalid = ?, \
             invalid_rows = ?, updated_at = ? WHERE id = ?",
            vec![
                (plan.writes.len() as i64).into(),
                (plan.duplicates as i64).into(),
                (plan.invalid.len() as i64).into(),
                invalid_json.into(),
                Utc::now().into(),
                id.into(),
            ],
        ))
        .await?;
    drop(plan.invalid);

    // The parser runs ahead by at most two batches.
    let (batches, mut ready) = mpsc::channel::<Vec<Person>>(2);
    let file = stored_file(db, id, encoding);
    let start = usize::try_from(work.processed).unwrap_or(0);
    let reader = tokio::task::spawn_blocking(move || {
        let writes = plan.writes.get(start..).unwrap_or(&[]);
        contact_stream::people(file, writes, CHUNK, |batch| {
            batches.blocking_send(batch).is_ok()
        })
    });
    let mut processed = work.processed;
    let mut batch = 0;
    while let Some(chunk) = ready.recv().await {
        refresh_statistics_before(db, batch).await?;
        batch += 1;
        let now = Utc::now();
        let txn = db.write.begin().await?;
        let (counts, ids) = contacts::write_batch(&txn, work.tenant_id, &chunk, now).await?;
        if let Some(list_id) = work.list_id {
            lists::add_in(&txn, work.tenant_id, list_id, &ids, now).await?;
        }
        let moved = txn
            .execute_raw(stmt(
                backend,
                "UPDATE contact_import SET processed = processed + ?, created = created + ?, \
                 updated = updated + ?, unchanged = unchanged + ?, \
                 kept_opted_out = kept_opted_out + ?, updated_at = ? \
                 WHERE id = ? AND processed = ? AND status = 'running'",
                vec![
                    (chunk.len() as i64).into(),
                    counts.created.into(),
                    counts.updated.into(),
                    counts.unchanged.into(),
                    counts.kept_opted_out.into(),
                    now.into(),
                    id.into(),
                    processed.into(),
                ],
            ))
            .await?
            .rows_affected();
        if moved == 0 {
            // Another worker took the job over; its batches count, not this one.
            txn.rollback().await?;
            return Ok(());
        }
        txn.commit().await?;
        processed += chunk.len() as i64;
    }
    reader
        .await
        .map_err(ServiceError::internal)?
        .map_err(|e| Problem::CsvFile {
            reason: e.to_string(),
        })?;
    let txn = db.write.begin().await?;
    txn.execute_raw(stmt(
        backend,
        "UPDATE contact_import SET status = 'done', finished_at = ?, \
         updated_at = ? WHERE id = ? AND status = 'running'",
        vec![Utc::now().into(), Utc::now().into(), id.into()],
    ))
    .await?;
    forget_file(&txn, id).await?;
    txn.commit().await?;
    refresh_statistics(db).await?;
    tracing::info!(import_id = id, people = processed, "contact import done");
    Ok(())
}
