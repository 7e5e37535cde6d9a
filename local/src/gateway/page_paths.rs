//! Which paths of `--web-dir` may be served. tower-http's `ServeDir` refuses `..`, but
//! it served `/.env` and files behind symlinks that lead out of the folder, gave a 500
//! with an empty body for a segment longer than the file system's 255-byte name limit,
//! and answered `GET //assets` with a redirect to `//assets/`, which a browser reads as
//! another host. So before `ServeDir` sees a request, its path must:
//!
//! - be at most [`MAX_PATH_BYTES`], with no segment over [`MAX_SEGMENT_BYTES`] once
//!   percent-decoded;
//! - have no empty segment (`//`), no segment that starts with `.` (dotfiles, `.`,
//!   `..`), and none that decodes to a `/`, `\` or NUL (a `\` in a redirect is read as
//!   `/` by browsers);
//! - resolve, symlinks followed, to a place inside `--web-dir` (and so does the
//!   `index.html` of a folder).
//!
//! Anything else is the same 404 as a file that does not exist. The check and the
//! file's opening are two steps: whoever can swap a symlink in `--web-dir` between them
//! can already write to it.

use std::convert::Infallible;
use std::path::{Path, PathBuf};

use axum::extract::Request;
use axum::response::IntoResponse;
use axum::routing::{any, MethodRouter};
use percent_encoding::percent_decode_str;
use tower::ServiceExt;

use super::page;

/// Linux's PATH_MAX.
pub const MAX_PATH_BYTES: usize = 4_096;
/// Linux's NAME_MAX (ext4, xfs, btrfs, tmpfs).
pub const MAX_SEGMENT_BYTES: usize = 255;

/// The page's file server behind the path rules.
pub fn guarded(web_dir: PathBuf) -> MethodRouter<(), Infallible> {
    let files = page::service(web_dir.clone());
    any(move |request: Request| {
        let (files, web_dir) = (files.clone(), web_dir.clone());
        async move {
            let path = request.uri().path().to_owned();
            if let Err(reason) = servable(&web_dir, &path).await {
                tracing::debug!(%path, reason, "refused a page path");
                return page::no_such_file(&path);
            }
            match files.oneshot(request).await {
                Ok(response) => response.into_response(),
                Err(never) => match never {},
            }
        }
    })
}

/// `Err` with why, when `path` must not be served.
pub async fn servable(web_dir: &Path, path: &str) -> Result<(), &'static str> {
    let segments = segments(path)?;
    let candidate = segments
        .iter()
        .fold(web_dir.to_path_buf(), |p, s| p.join(s));
    let Ok(root) = tokio::fs::canonicalize(web_dir).await else {
        return Ok(()); // no page built: the file server's fallback explains
    };
    for target in [candidate.clone(), candidate.join("index.html")] {
        if let Ok(real) = tokio::fs::canonicalize(&target).await {
            if !real.starts_with(&root) {
                return Err("resolves outside --web-dir");
            }
        }
    }
    Ok(())
}

/// The decoded segments of `path`, by the rules in the module header.
fn segments(path: &str) -> Result<Vec<String>, &'static str> {
    if path.len() > MAX_PATH_BYTES {
        return Err("path too long");
    }
    let inner = path.strip_prefix('/').unwrap_or(path);
    // A trailing slash names a folder (its index.html): not an empty segment.
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    inner
        .split('/')
        .map(|raw| {
            let decoded = percent_decode_str(raw)
                .decode_utf8()
                .map_err(|_| "segment is not UTF-8")?;
            if decoded.is_empty() {
                Err("empty segment")
            } else if decoded.len() > MAX_SEGMENT_BYTES {
                Err("segment too long")
            } else if decoded.starts_with('.') {
                Err("dotfile")
            } else if decoded.contains(['/', '\\', '\0']) {
                Err("separator or NUL in a segment")
            } else {
                Ok(decoded.into_owned())
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_paths_pass() {
        assert_eq!(segments("/").unwrap(), Vec::<String>::new());
        assert_eq!(segments("/index.html").unwrap(), ["index.html"]);
        assert_eq!(
            segments("/assets/main-1a2b.js").unwrap(),
            ["assets", "main-1a2b.js"]
        );
        assert_eq!(segments("/assets/").unwrap(), ["assets"]);
        assert_eq!(segments("/a%20b.txt").unwrap(), ["a b.txt"]);
    }

    #[test]
    fn hostile_paths_are_refused() {
        let long = format!("/{}", "a".repeat(256));
        let very_long = "/a".repeat(3_000);
        for bad in [
            "/.env",
            "/assets/.git/config",
            "/%2Eenv",
            "/..",
            "/assets/../.env",
            "//assets",
            "/assets//x",
            "/%2F%2Fevil.example",
            "/%5Cevil.example",
            "/a%00b",
            "/%FF",
            long.as_str(),
            very_long.as_str(),
        ] {
            assert!(segments(bad).is_err(), "{bad}");
        }
        assert!(segments(&format!("/{}", "a".repeat(255))).is_ok());
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_symlink_out_of_the_web_dir_is_refused_and_one_inside_is_not() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
        let web = tempfile::tempdir().unwrap();
        std::fs::write(web.path().join("page.txt"), "page").unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            web.path().join("leak.txt"),
        )
        .unwrap();
        std::os::unix::fs::symlink(outside.path(), web.path().join("dir")).unwrap();
        std::os::unix::fs::symlink(web.path().join("page.txt"), web.path().join("alias.txt"))
            .unwrap();
        assert!(servable(web.path(), "/page.txt").await.is_ok());
        assert!(servable(web.path(), "/alias.txt").await.is_ok());
        assert!(
            servable(web.path(), "/missing.txt").await.is_ok(),
            "404 comes from the file server"
        );
        assert!(servable(web.path(), "/leak.txt").await.is_err());
        assert!(servable(web.path(), "/dir/secret.txt").await.is_err());
        assert!(servable(web.path(), "/dir/").await.is_err());
    }
}
