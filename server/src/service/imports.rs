//! Contact import jobs: an uploaded file is stored as a job row and written in the background
//! in batches. Each batch commits its contacts together with the job's progress and counts, so
//! a reload shows the progress again, a restart resumes after the last batch, and a failure
//! leaves nothing written that the report does not count.

use std::time::Duration;

use app::audience::{ImportError, ImportJobView};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, TransactionTrait};

use crate::db::Db;
use crate::domain::{contact_csv, spreadsheet};
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

/// Stores an uploaded contact file as a job and starts writing it in the background; its
/// contacts are also added to `list_id` when given. A file without a phone column is refused
/// at once.
pub async fn start(
    db: &Db,
    tenant_id: i64,
    data: Vec<u8>,
    list_id: Option<i64>,
) -> ServiceResult<ImportJobView> {
    if data.len() > MAX_IMPORT_FILE_BYTES {
        return Err(Problem::FileTooLarge {
            max: MAX_IMPORT_FILE_BYTES,
        }
        .into());
    }
    {
        let text = contact_csv::decode(&data);
        let header = text.lines().next().unwrap_or("");
        contact_csv::parse(header).map_err(|e| Problem::CsvFile {
            reason: e.to_string(),
        })?;
    }
    if let Some(list_id) = list_id {
        lists::get(&db.read, tenant_id, list_id).await?;
    }
    let now = Utc::now();
    let txn = db.write.begin().await?;
    txn.execute_raw(stmt(
        db.backend(),
        "INSERT INTO contact_import (tenant_id, status, list_id, created_at, updated_at) \
         VALUES (?, 'queued', ?, ?, ?)",
        vec![tenant_id.into(), list_id.into(), now.into(), now.into()],
    ))
    .await?;
    let job = JobRow::find_by_statement(stmt(
        db.backend(),
        &format!(
            "SELECT {JOB_COLUMNS} FROM contact_import WHERE tenant_id = ? \
             ORDER BY id DESC LIMIT 1"
        ),
        vec![tenant_id.into()],
    ))
    .one(&txn)
    .await?
    .ok_or(ServiceError::NotFound("import"))?;
    txn.execute_raw(stmt(
        db.backend(),
        "INSERT INTO contact_import_file (import_id, data) VALUES (?, ?)",
        vec![job.id.into(), data.into()],
    ))
    .await?;
    txn.commit().await?;
    spawn(db.clone(), job.id);
    tracing::info!(import_id = job.id, "contact import queued");
    Ok(job.view())
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
        "DELETE FROM contact_import_file WHERE import_id = ?",
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

/// Writes job `id` from where it stopped.
async fn run(db: &Db, id: i64) -> ServiceResult<()> {
    let backend = db.backend();
    #[derive(FromQueryResult)]
    struct Work {
        tenant_id: i64,
        list_id: Option<i64>,
        processed: i64,
        data: Option<Vec<u8>>,
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
        "SELECT i.tenant_id, i.list_id, i.processed, f.data FROM contact_import i \
         LEFT JOIN contact_import_file f ON f.import_id = i.id WHERE i.id = ?",
        vec![id.into()],
    ))
    .one(&db.write)
    .await?
    else {
        return Ok(());
    };
    let Some(data) = work.data else {
        return Ok(());
    };

    let (rows, mut invalid) =
        contact_csv::parse(&contact_csv::decode(&data)).map_err(|e| Problem::CsvFile {
            reason: e.to_string(),
        })?;
    drop(data);
    let country = settings::country(&db.read, work.tenant_id).await?;
    let prepared = contact_csv::prepare(rows, country);
    invalid.extend(prepared.invalid);
    invalid.sort_by_key(|e| e.line);
    let invalid_json = serde_json::to_string(&invalid).map_err(ServiceError::internal)?;
    db.write
        .execute_raw(stmt(
            backend,
            "UPDATE contact_import SET total_rows = ?, duplicates = ?, invalid = ?, \
             invalid_rows = ?, updated_at = ? WHERE id = ?",
            vec![
                (prepared.people.len() as i64).into(),
                (prepared.duplicates as i64).into(),
                (invalid.len() as i64).into(),
                invalid_json.into(),
                Utc::now().into(),
                id.into(),
            ],
        ))
        .await?;

    let mut processed = work.processed;
    let start = usize::try_from(processed).unwrap_or(0);
    for (batch, chunk) in prepared
        .people
        .get(start..)
        .unwrap_or(&[])
        .chunks(CHUNK)
        .enumerate()
    {
        refresh_statistics_before(db, batch).await?;
        let now = Utc::now();
        let txn = db.write.begin().await?;
        let (counts, ids) = contacts::write_batch(&txn, work.tenant_id, chunk, now).await?;
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
