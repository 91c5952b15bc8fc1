//! The site's static files: the hydration script, the WebAssembly, the stylesheet and the
//! icons under `LEPTOS_SITE_ROOT`.
//!
//! A release build (`cargo leptos build --release --precompress --split`, as `run.sh` does)
//! names the script, the wasm and the stylesheet after a hash of their content (`hash.txt`,
//! written next to the server binary, lists them), names the lazily loaded wasm modules and
//! their loader the same way (`chunk_3.<hash>.wasm`, `__wasm_split.<hash>.js`), and writes a
//! brotli and a gzip copy beside each file. They are served here:
//! - the precompressed copy the browser accepts (brotli first), never compressed again per
//!   request;
//! - a hashed file with `Cache-Control: public, max-age=31536000, immutable`: a new build has
//!   new names, so a browser keeps the old ones for a year without asking;
//! - anything else (the icon, a debug build's unhashed bundle) with `no-cache`: the browser
//!   asks again each time and gets `304 Not Modified` when it has it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::handler::Handler;
use axum::http::header::CACHE_CONTROL;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use leptos::config::LeptosOptions;
use tower_http::services::ServeDir;

use crate::state::AppState;

/// The cache header of a file whose name changes with its content.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The cache header of every other static file.
pub const REVALIDATE: &str = "no-cache";

/// The hash file cargo-leptos writes next to the server binary when it hashes file names.
const HASH_FILE: &str = "hash.txt";

/// The URL paths (`/pkg/flow.<hash>.wasm`, `/pkg/chunk_3.<hash>.wasm`…) of the site's
/// content-hashed files.
#[derive(Clone, Debug, Default)]
pub struct Hashed(Arc<HashSet<String>>);

impl Hashed {
    /// Whether `path` names a content-hashed file.
    pub fn contains(&self, path: &str) -> bool {
        self.0.contains(path)
    }

    /// Whether the build hashed the file names.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The hashed files of the build whose hash file is `hash_file`, under `site_root`: the bundle
/// the hash file names and every file of the package directory named `<stem>.<hash>.<ext>`
/// (the split modules); none when there is no hash file, or when it names files the site does
/// not have (a stale hash file from an earlier build).
pub fn hashed(hash_file: &Path, site_root: &Path, pkg_dir: &str, output_name: &str) -> Hashed {
    let Ok(text) = std::fs::read_to_string(hash_file) else {
        return Hashed::default();
    };
    let paths: HashSet<String> = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .filter(|(kind, _)| matches!(kind.trim(), "js" | "wasm" | "css"))
        .map(|(kind, hash)| format!("/{pkg_dir}/{output_name}.{}.{}", hash.trim(), kind.trim()))
        .collect();
    let present = !paths.is_empty()
        && paths
            .iter()
            .all(|p| site_root.join(p.trim_start_matches('/')).is_file());
    if !present {
        return Hashed::default();
    }
    let split = std::fs::read_dir(site_root.join(pkg_dir))
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| named_by_hash(name))
        .map(|name| format!("/{pkg_dir}/{name}"));
    Hashed(Arc::new(paths.into_iter().chain(split).collect()))
}

/// Whether a file name is `<stem>.<hash>.<ext>` with cargo-leptos's hash: 22 characters of
/// URL-safe base64 (128 bits of the content's digest).
fn named_by_hash(name: &str) -> bool {
    let mut parts = name.split('.');
    let (Some(stem), Some(hash), Some(ext), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    !stem.is_empty()
        && matches!(ext, "wasm" | "js" | "css" | "json")
        && hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The hash file next to the running binary, where Leptos looks for it too.
fn hash_file() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_default()
        .join(HASH_FILE)
}

/// The hashed files of this build, for `options` (whose `hash_files` says whether the pages
/// name them).
pub fn of(options: &LeptosOptions) -> Hashed {
    hashed(
        &hash_file(),
        Path::new(options.site_root.as_ref()),
        &options.site_pkg_dir,
        &options.output_name,
    )
}

/// The static files, with their cache headers; a path that is not a file is a page (the
/// dashboard's "not found" page, or a page route the router did not match).
pub fn files(state: &AppState) -> Router {
    let options = &state.leptos_options;
    let pages =
        leptos_axum::file_and_error_handler::<AppState, _>(app::shell).with_state(state.clone());
    let dir = ServeDir::new(options.site_root.as_ref())
        .precompressed_br()
        .precompressed_gzip()
        .call_fallback_on_method_not_allowed(true)
        .not_found_service(pages);
    Router::new()
        .fallback_service(dir)
        .layer(from_fn_with_state(of(options), cache_control))
}

/// Middleware on the static files: the cache header a file's name calls for, on answers with
/// the file only (a missing one falls through to the "not found" page, which gets none).
pub async fn cache_control(State(hashed): State<Hashed>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    if res.status().is_success() || res.status() == StatusCode::NOT_MODIFIED {
        let value = if hashed.contains(&path) {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        res.headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_current_hash_file_marks_the_bundle_and_the_split_modules_hashed_and_a_stale_one_none() {
        let dir = std::env::temp_dir().join(format!("flow-assets-{}", std::process::id()));
        let pkg = dir.join("site/pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        let hash_file = dir.join("hash.txt");
        std::fs::write(&hash_file, "js: AbC\nwasm: dEf\ncss: Ghi\n").unwrap();
        let site = dir.join("site");

        // Stale: the hash file names files this site does not have.
        assert!(hashed(&hash_file, &site, "pkg", "flow").is_empty());

        let split = "chunk_3.MGJaOVh0OVE9TiXgEbL6rg.wasm";
        let unhashed = [
            "flow.wasm",
            "chunk_4.wasm",
            "chunk_5.short.wasm",
            "notes.txt",
        ];
        for name in ["flow.AbC.js", "flow.dEf.wasm", "flow.Ghi.css", split]
            .into_iter()
            .chain(unhashed)
        {
            std::fs::write(pkg.join(name), b"x").unwrap();
        }
        let found = hashed(&hash_file, &site, "pkg", "flow");
        assert!(found.contains("/pkg/flow.dEf.wasm"));
        assert!(found.contains("/pkg/flow.AbC.js"));
        assert!(found.contains("/pkg/flow.Ghi.css"));
        assert!(found.contains(&format!("/pkg/{split}")), "a split module");
        for name in unhashed {
            assert!(!found.contains(&format!("/pkg/{name}")), "{name}");
        }
        assert!(!found.contains("/favicon.svg"));

        assert!(hashed(&dir.join("none.txt"), &site, "pkg", "flow").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
