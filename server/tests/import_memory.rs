//! An import in constant memory (issue 26), on SQLite and PostgreSQL: a 100,000-row file
//! (4.8 MB) is uploaded as a stream (the client never holds it either) and imported while this
//! process counts every byte it allocates. Held whole, the file would be there several times
//! (the upload, the stored copy, the copy read back) and its parsed rows alone take about
//! 33 MB (a name, a phone and an attribute map each); streamed, the import needs the chunks in
//! hand, a few batches and 24 bytes per person (measured: +9 MB on SQLite, +14 MB on
//! PostgreSQL, whose connections keep a buffer the size of a chunk). The test fails when the
//! peak of the import goes over [`BOUND`], as it does when the upload or the parser holds the
//! file.
//!
//! It has a test binary of its own: the allocator counts the whole process, so nothing else
//! may run beside it (the two databases take turns).

mod common;

use common::TestApp;
use futures_util::{StreamExt as _, stream};
use peak_alloc::PeakAlloc;

/// Counts the bytes allocated now and the most allocated since the last reset.
#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

/// Rows of the file.
const ROWS: usize = 100_000;

/// The most the import may add to the process's heap at its peak.
const BOUND: usize = 24 * 1024 * 1024;

/// The two databases take turns (the allocator counts the whole process).
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

on_both_databases!(a_large_import_runs_in_constant_memory);

/// Row `i` of the file: a Brazilian spelling of a distinct mobile, a name and a city.
fn row(i: usize) -> String {
    format!(
        "Pessoa {i} da Silva;({}) 9{:04}-{:04};São Paulo\n",
        [11, 21, 31, 41, 51, 61, 71, 81, 91][i % 9],
        8000 + i / 10_000,
        i % 10_000
    )
}

async fn a_large_import_runs_in_constant_memory(app: TestApp) {
    let _turn = ONE_AT_A_TIME.lock().await;
    let tenant = app.tenant("Atacado").await;
    // Warm the paths the import takes (connections, statement caches), then measure.
    let warm = app
        .import_file(&tenant, "nome;celular\nAna;11 98888-0001\n")
        .await;
    assert_eq!(warm["status"], "done", "{warm}");

    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    // The file as a stream of 1,000-row pieces: the client holds one piece at a time.
    let pieces = stream::iter(
        std::iter::once("nome;celular;cidade\n".to_string())
            .chain((0..ROWS / 1000).map(|p| (p * 1000..(p + 1) * 1000).map(row).collect())),
    )
    .map(Ok::<_, std::io::Error>);
    let id = app
        .upload_import(&tenant, reqwest::Body::wrap_stream(pieces))
        .await;
    let job = app
        .import_finished(&tenant, id, std::time::Duration::from_secs(600))
        .await;
    let peak = ALLOCATOR.peak_usage().saturating_sub(before);

    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(job["total"], ROWS as i64, "{job}");
    assert_eq!(job["created"], ROWS as i64, "{job}");
    println!(
        "{ROWS} rows imported on {:?}: heap peak +{:.1} MB (bound {} MB)",
        app.backend,
        peak as f64 / 1e6,
        BOUND / (1024 * 1024)
    );
    assert!(
        peak < BOUND,
        "the import held {:.1} MB at its peak: more than {} MB for a {ROWS}-row file",
        peak as f64 / 1e6,
        BOUND / (1024 * 1024)
    );
}
