//! The browser bundle's files (`/pkg/...`): the script, the WASM and the stylesheet.
//!
//! A release build names each file after its content (cargo-leptos `hash-files`, which writes
//! the hashes to `hash.txt` beside the server binary), so a browser may keep such a file for a
//! year without asking again: a new build has new names, and the pages name the new ones. The
//! build also compresses each file once (`scripts/lib.sh`: brotli at its best, 11, and gzip),
//! and the copy the browser accepts is sent as it is, with no work per download. A file without
//! a hashed name (a development build) is revalidated on every use, and compressed on the fly
//! when no compressed copy exists.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::services::ServeDir;

/// What a hashed file's answer says: keep it for a year, never ask again.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// What any other file's says: keep it, but ask whether it changed before each use.
const REVALIDATE: &str = "no-cache";

/// The hash file cargo-leptos wrote beside this binary, when the build hashed the file names.
/// (Leptos reads it too, to name the files in every page.)
pub fn hash_file() -> Option<PathBuf> {
    let path = std::env::current_exe().ok()?.parent()?.join("hash.txt");
    path.is_file().then_some(path)
}

/// The stylesheet's address (`/pkg/clinic.<hash>.css` when the build hashed names), for the
/// pages the server writes by hand (the edge's error pages).
pub fn stylesheet_href() -> &'static str {
    static HREF: OnceLock<String> = OnceLock::new();
    HREF.get_or_init(|| {
        let text = hash_file()
            .and_then(|path| std::fs::read_to_string(path).ok())
            .unwrap_or_default();
        stylesheet_of(&text)
    })
}

fn stylesheet_of(hash_file: &str) -> String {
    match hash_of(hash_file, "css") {
        Some(hash) => format!("/pkg/{}.{hash}.css", app::OUTPUT_NAME),
        None => format!("/pkg/{}.css", app::OUTPUT_NAME),
    }
}

/// The hash.txt line of one `kind` of file (`css: <hash>`), if the build hashed it.
fn hash_of<'a>(hash_file: &'a str, kind: &str) -> Option<&'a str> {
    hash_file.lines().find_map(|line| {
        let (named, hash) = line.split_once(':')?;
        (named.trim() == kind).then(|| hash.trim())
    })
}

/// The content hashes of this build's files (`js: <hash>` lines and the like), and those of the
/// chunks split out of the bundle, which hash.txt does not list but the split loader it lists
/// (`split: <hash>`) names; none when the names are not hashed.
fn build_hashes(pkg_dir: &Path) -> Vec<String> {
    let Some(text) = hash_file().and_then(|path| std::fs::read_to_string(path).ok()) else {
        return Vec::new();
    };
    let mut hashes = parse_hashes(&text);
    if let Some(loader) = hash_of(&text, "split") {
        match std::fs::read_to_string(pkg_dir.join(format!("__wasm_split.{loader}.js"))) {
            Ok(script) => hashes.extend(chunk_hashes(&script)),
            Err(err) => {
                tracing::warn!(%err, "the split loader is missing: its chunks will be revalidated")
            }
        }
    }
    hashes
}

/// The hashes in the `NAME.<hash>.wasm` file names a script mentions.
fn chunk_hashes(script: &str) -> Vec<String> {
    script
        .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))
        .filter_map(|word| {
            let mut parts = word.strip_suffix(".wasm")?.rsplit('.');
            let hash = parts.next()?;
            parts.next()?;
            (hash.len() >= 8).then(|| hash.to_owned())
        })
        .collect()
}

fn parse_hashes(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(_, hash)| hash.trim().to_owned())
        // A hash is long; a short word would match names by accident.
        .filter(|hash| hash.len() >= 8)
        .collect()
}

/// Whether `path` names a file by one of `hashes` (`/pkg/clinic.<hash>.wasm`).
fn is_hashed(path: &str, hashes: &[String]) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    hashes
        .iter()
        .any(|hash| name.split('.').any(|part| part == hash))
}

/// `/pkg/...` from `site_root/pkg`, compressed copies first.
pub fn routes<S: Clone + Send + Sync + 'static>(site_root: &str) -> Router<S> {
    let pkg_dir = Path::new(site_root).join("pkg");
    let hashes = Arc::new(build_hashes(&pkg_dir));
    let files = ServeDir::new(pkg_dir)
        .precompressed_br()
        .precompressed_gzip();
    Router::new()
        .nest_service("/pkg", files)
        .layer(middleware::from_fn(move |request: Request, next: Next| {
            let hashes = hashes.clone();
            async move { caching(request, next, &hashes).await }
        }))
}

async fn caching(request: Request, next: Next, hashes: &[String]) -> Response {
    let immutable = is_hashed(request.uri().path(), hashes);
    let mut response = next.run(request).await;
    if matches!(response.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        let policy = if immutable { IMMUTABLE } else { REVALIDATE };
        let headers = response.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
        // The same address answers br, gzip or plain, as the browser asks.
        if !headers.contains_key(header::VARY) {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_from_others() {
        let hashes = parse_hashes("js: eF3aXbQ9tLw\nwasm: Zq1c8Yy0pVu\ncss: kd93Mnb2Aq1\n\n");
        assert_eq!(hashes.len(), 3);
        assert!(is_hashed("/pkg/clinic.eF3aXbQ9tLw.js", &hashes));
        assert!(is_hashed("/pkg/clinic.Zq1c8Yy0pVu.wasm", &hashes));
        assert!(!is_hashed("/pkg/clinic.wasm", &hashes));
        assert!(!is_hashed("/pkg/clinic.OLDhash1234.wasm", &hashes));
        assert!(!is_hashed("/pkg/clinic.js", &[]));
        assert_eq!(
            stylesheet_of("js: eF3aXbQ9tLw\ncss: kd93Mnb2Aq1\n"),
            "/pkg/clinic.kd93Mnb2Aq1.css"
        );
        assert_eq!(stylesheet_of(""), "/pkg/clinic.css");
    }

    #[test]
    fn the_split_loader_names_the_chunks() {
        let script = r#"const a = "./split_admin_users_route_1234.AbCdEfGh12345678901234.wasm";
            fetch(`${root}/chunk_3.Zz_y-Xw0987654321abcdef.wasm`); import "./clinic.js";"#;
        assert_eq!(
            chunk_hashes(script),
            ["AbCdEfGh12345678901234", "Zz_y-Xw0987654321abcdef"]
        );
        assert!(chunk_hashes("split_x.wasm plain.wasm").is_empty());
    }
}
