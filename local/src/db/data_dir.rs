//! Opening the data dir at start, refusing what would lose acknowledged messages
//! silently:
//!
//! - Each database gets an identity (a UUID in its `meta` table) and the data dir a
//!   marker file naming it. A start that finds the marker (or a WAL file) but no
//!   database is refused unless `--init`: the database was deleted, and starting empty
//!   would quietly drop every message it held.
//! - A database whose identity is not the marker's is refused too (unless `--init`,
//!   which adopts it): it is not the one this data dir had.
//! - Every existing database passes the integrity check ([`super::integrity`]) first.
//!
//! Limits: a data dir emptied entirely (marker, WAL and all) looks new and starts
//! empty; nothing inside it is left to tell otherwise.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

use super::file_identity::OpenedFiles;
use super::integrity::{self, Malformed};
use super::watch::RESCUE_PREFIX;
use super::{OpenError, FILE_NAME};

/// The marker file inside `--data-dir`.
pub const MARKER_FILE: &str = "private-ingest.marker";

/// The writer's connection, checked and claimed.
#[derive(Debug)]
pub struct OpenedDatabase {
    pub conn: Connection,
    pub path: PathBuf,
    pub files: OpenedFiles,
    pub database_id: String,
    /// How long the integrity check took (`None`: a new database, nothing to check).
    pub checked_in: Option<Duration>,
}

/// Why the data dir was not opened.
#[derive(Debug, thiserror::Error)]
pub enum DataDirError {
    #[error(
        "the database {db} is missing, but this data dir had one ({evidence}). Starting \
             empty would silently drop every message it held. {rescued}To start with an \
             empty database anyway, pass --init"
    )]
    DatabaseMissing {
        db: PathBuf,
        evidence: String,
        rescued: String,
    },
    #[error(
        "the database {db} (identity {found}) is not the one this data dir was created \
             with ({marker} names {expected}). To adopt it, pass --init"
    )]
    NotThisDataDirs {
        db: PathBuf,
        found: String,
        marker: PathBuf,
        expected: String,
    },
    #[error("{db}: {source}. Restore it from a backup or move it away (then --init starts empty)")]
    Malformed { db: PathBuf, source: Malformed },
    #[error("could not open the database {db}: {source}")]
    Open { db: PathBuf, source: OpenError },
    #[error("could not read the identity (device, inode) of {db}: {source}")]
    Identity { db: PathBuf, source: std::io::Error },
    #[error("could not read or write the data dir marker {path}: {source}")]
    Marker {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Opens (or creates) the database in `data_dir` for writing, by the rules above.
pub fn open(data_dir: &Path, init: bool) -> Result<OpenedDatabase, DataDirError> {
    let path = data_dir.join(FILE_NAME);
    let marker_path = data_dir.join(MARKER_FILE);
    let marker = read_marker(&marker_path)?;
    let has_database = std::fs::metadata(&path).is_ok_and(|m| m.len() > 0);
    if !has_database && !init {
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        let wal = PathBuf::from(wal);
        let rescued = rescued_copies(data_dir);
        let evidence = match (&marker, wal.exists(), rescued.is_empty()) {
            (Some(id), _, _) => Some(format!("{} names database {id}", marker_path.display())),
            (None, true, _) => Some(format!("its WAL file {} is still there", wal.display())),
            // The folder itself was removed with the database, then recreated by the
            // rescue: the copies are all that is left to tell.
            (None, false, false) => Some("a rescue copy of a lost database is here".into()),
            (None, false, true) => None,
        };
        if let Some(evidence) = evidence {
            return Err(DataDirError::DatabaseMissing {
                db: path,
                evidence,
                rescued,
            });
        }
    }
    let opened = |source| DataDirError::Open {
        db: path.clone(),
        source,
    };
    let conn = super::open_for_writing(&path).map_err(|e| match e {
        OpenError::Sqlite(e) if integrity::is_malformed(&e) => DataDirError::Malformed {
            db: path.clone(),
            source: Malformed {
                problems: vec![e.to_string()],
            },
        },
        e => opened(e),
    })?;
    let checked_in = if has_database {
        Some(
            integrity::check(&conn).map_err(|source| DataDirError::Malformed {
                db: path.clone(),
                source,
            })?,
        )
    } else {
        None
    };
    let database_id = claim(&conn, marker.as_deref(), init).map_err(|e| match e {
        Claim::Sqlite(e) => opened(OpenError::Sqlite(e)),
        Claim::Mismatch { found } => DataDirError::NotThisDataDirs {
            db: path.clone(),
            found,
            marker: marker_path.clone(),
            expected: marker.clone().unwrap_or_default(),
        },
    })?;
    if marker.as_deref() != Some(database_id.as_str()) {
        write_marker(&marker_path, &database_id).map_err(|source| DataDirError::Marker {
            path: marker_path.clone(),
            source,
        })?;
    }
    let files = OpenedFiles::record(&path).map_err(|source| DataDirError::Identity {
        db: path.clone(),
        source,
    })?;
    Ok(OpenedDatabase {
        conn,
        path,
        files,
        database_id,
        checked_in,
    })
}

enum Claim {
    Sqlite(rusqlite::Error),
    Mismatch { found: String },
}

/// The database's identity, given one when it has none. `Mismatch` when the marker names
/// another database (without `--init`).
fn claim(conn: &Connection, marker: Option<&str>, init: bool) -> Result<String, Claim> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID",
    )
    .map_err(Claim::Sqlite)?;
    let found: Option<String> = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'database_id'",
            [],
            |r| r.get(0),
        )
        .optional()
        .map_err(Claim::Sqlite)?;
    match (found, marker) {
        (Some(found), Some(marker)) if found != marker && !init => Err(Claim::Mismatch { found }),
        (Some(found), _) => Ok(found),
        // A database made before the marker existed, or a new one: give it an identity.
        // One the marker does not name is refused unless --init (an empty file where
        // the database was is not the database).
        (None, Some(_)) if !init => Err(Claim::Mismatch {
            found: "none".into(),
        }),
        (None, _) => {
            let id = uuid::Uuid::new_v4().to_string();
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('database_id', ?1)",
                [&id],
            )
            .map_err(Claim::Sqlite)?;
            Ok(id)
        }
    }
}

fn read_marker(path: &Path) -> Result<Option<String>, DataDirError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text
            .lines()
            .find_map(|line| line.strip_prefix("database_id="))
            .map(|id| id.trim().to_owned())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(DataDirError::Marker {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Writes the marker atomically (temp file, fsync, rename, fsync of the folder), so a
/// crash leaves the old marker or the new one, never half of one.
fn write_marker(path: &Path, database_id: &str) -> std::io::Result<()> {
    let folder = path.parent().unwrap_or(Path::new("."));
    let temp = folder.join(format!("{MARKER_FILE}.tmp"));
    let mut file = std::fs::File::create(&temp)?;
    write!(
        file,
        "# private-ingest data dir. The database here ({FILE_NAME}) has this identity; while\n\
         # this file is here and the database is not, the stack refuses to start (--init\n\
         # starts with an empty database).\n\
         database_id={database_id}\n"
    )?;
    file.sync_all()?;
    std::fs::rename(&temp, path)?;
    std::fs::File::open(folder)?.sync_all()
}

/// "Rescued copies: a, b. Move one to <db> to resume from it. " or "".
fn rescued_copies(data_dir: &Path) -> String {
    let mut found: Vec<String> = std::fs::read_dir(data_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(RESCUE_PREFIX))
        .collect();
    found.sort();
    if found.is_empty() {
        return String::new();
    }
    format!(
        "Rescued copies of it are in the data dir: {}; move the newest to {} to resume from it. ",
        found.join(", "),
        data_dir.join(FILE_NAME).display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remove_database(dir: &Path) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(dir.join(format!("{FILE_NAME}{suffix}")));
        }
    }

    #[test]
    fn a_new_data_dir_gets_a_database_and_a_marker_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = open(dir.path(), false).unwrap();
        assert_eq!(first.checked_in, None, "nothing to check in a new database");
        let marker = std::fs::read_to_string(dir.path().join(MARKER_FILE)).unwrap();
        assert!(marker.contains(&format!("database_id={}", first.database_id)));
        drop(first);
        let again = open(dir.path(), false).unwrap();
        assert!(
            again.checked_in.is_some(),
            "an existing database is checked"
        );
        assert_eq!(
            again.database_id,
            read_marker(&dir.path().join(MARKER_FILE)).unwrap().unwrap()
        );
    }

    #[test]
    fn a_deleted_database_is_refused_unless_init() {
        let dir = tempfile::tempdir().unwrap();
        let id = open(dir.path(), false).unwrap().database_id;
        remove_database(dir.path());
        let refused = open(dir.path(), false).unwrap_err();
        assert!(
            matches!(refused, DataDirError::DatabaseMissing { .. }),
            "{refused}"
        );
        let text = refused.to_string();
        assert!(text.contains(&id) && text.contains("--init"), "{text}");
        assert!(
            !dir.path().join(FILE_NAME).exists(),
            "a refused start creates nothing"
        );

        let fresh = open(dir.path(), true).unwrap();
        assert_ne!(fresh.database_id, id);
    }

    #[test]
    fn a_leftover_wal_alone_is_evidence_too() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(format!("{FILE_NAME}-wal")), b"frames").unwrap();
        let refused = open(dir.path(), false).unwrap_err().to_string();
        assert!(refused.contains("WAL file"), "{refused}");
    }

    #[test]
    fn a_rescue_copy_alone_is_evidence_too() {
        let dir = tempfile::tempdir().unwrap();
        let copy = dir
            .path()
            .join(format!("{RESCUE_PREFIX}1700000000000.sqlite3"));
        std::fs::write(&copy, b"copy").unwrap();
        let refused = open(dir.path(), false).unwrap_err().to_string();
        assert!(
            refused.contains("a rescue copy of a lost database is here"),
            "{refused}"
        );
        assert!(
            refused.contains("private-ingest.rescued-1700000000000.sqlite3"),
            "{refused}"
        );
    }

    #[test]
    fn an_empty_file_where_the_database_was_is_not_the_database() {
        let dir = tempfile::tempdir().unwrap();
        open(dir.path(), false).unwrap();
        remove_database(dir.path());
        std::fs::write(dir.path().join(FILE_NAME), b"").unwrap();
        assert!(matches!(
            open(dir.path(), false).unwrap_err(),
            DataDirError::DatabaseMissing { .. }
        ));
    }

    #[test]
    fn another_data_dirs_database_is_refused_unless_init_adopts_it() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        open(a.path(), false).unwrap();
        let b_id = open(b.path(), false).unwrap().database_id;
        std::fs::copy(b.path().join(FILE_NAME), a.path().join(FILE_NAME)).unwrap();
        let refused = open(a.path(), false).unwrap_err();
        assert!(
            matches!(refused, DataDirError::NotThisDataDirs { .. }),
            "{refused}"
        );
        let adopted = open(a.path(), true).unwrap();
        assert_eq!(adopted.database_id, b_id);
        drop(adopted);
        assert!(open(a.path(), false).is_ok(), "the marker now names it");
    }

    #[test]
    fn a_database_from_before_markers_is_adopted() {
        let dir = tempfile::tempdir().unwrap();
        drop(crate::db::open_for_writing(&dir.path().join(FILE_NAME)).unwrap());
        let opened = open(dir.path(), false).unwrap();
        assert!(dir.path().join(MARKER_FILE).exists());
        assert_eq!(opened.database_id.len(), 36);
    }

    #[test]
    fn a_malformed_header_is_refused_as_malformed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), vec![0x5A; 8192]).unwrap();
        let refused = open(dir.path(), false).unwrap_err();
        assert!(
            matches!(refused, DataDirError::Malformed { .. }),
            "{refused}"
        );
    }
}
