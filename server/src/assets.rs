//! The site's static files: the hydration script, the WebAssembly, the stylesheet and the
//! icons under `LEPTOS_SITE_ROOT`.
//!
//! A release build (`cargo leptos build --release --precompress`, as `run.sh` does) names the
//! script, the wasm and the stylesheet after a hash of their content (`hash.txt`, written next
//! to the server binary, lists them) and writes a brotli and a gzip copy beside each file. They
//! are served here:
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

/// The URL paths (`/pkg/flow.<hash>.wasm`…) of the site's content-hashed files.
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

/// The hashed files of the build whose hash file is `hash_file`, under `site_root`: none when
/// there is no hash file, or when it names files the site does not have (a stale hash file
/// from an earlier build).
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
    if present {
        Hashed(Arc::new(paths))
    } else {
        Hashed::default()
    }
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
    fn a_hash_file_names_the_hashed_bundle_only_when_the_site_has_it() {
        let dir = std::env::temp_dir().join(format!("flow-assets-{}", std::process::id()));
        let pkg = dir.join("site/pkg");
        std::fs::create_dir_all(&pkg).unwrap();
        let hash_file = dir.join("hash.txt");
        std::fs::write(&hash_file, "js: AbC\nwasm: dEf\ncss: Ghi\n").unwrap();
        let site = dir.join("site");

        // Stale: the hash file names files this site does not have.
        assert!(hashed(&hash_file, &site, "pkg", "flow").is_empty());

        for name in ["flow.AbC.js", "flow.dEf.wasm", "flow.Ghi.css"] {
            std::fs::write(pkg.join(name), b"x").unwrap();
        }
        let found = hashed(&hash_file, &site, "pkg", "flow");
        assert!(found.contains("/pkg/flow.dEf.wasm"));
        assert!(found.contains("/pkg/flow.AbC.js"));
        assert!(found.contains("/pkg/flow.Ghi.css"));
        assert!(!found.contains("/pkg/flow.wasm"));
        assert!(!found.contains("/favicon.svg"));

        assert!(hashed(&dir.join("none.txt"), &site, "pkg", "flow").is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
