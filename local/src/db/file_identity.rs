//! Is the database at its path still the one this process opened? SQLite keeps writing
//! to an open file after it is unlinked (`rm`) or replaced (a move over it), and every
//! commit then succeeds into a file no one will ever open again: the stack answered
//! 4,693 more 200s after an `rm`, and the restart began with an empty database.
//!
//! A file is known by its device and inode. Those of the database, its WAL and its
//! shared-memory index are recorded at open; [`OpenedFiles::check`] compares them with
//! what the paths name now (three `stat` calls, microseconds next to a commit's fsync).

use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// Device and inode: a file's identity, whatever its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileIdentity {
    pub device: u64,
    pub inode: u64,
}

impl FileIdentity {
    pub fn of(path: &Path) -> io::Result<Self> {
        let meta = std::fs::metadata(path)?;
        Ok(Self {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }
}

/// How the opened database went away.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Vanished {
    #[error("{0} was removed while the stack had it open")]
    Removed(PathBuf),
    #[error("{0} was replaced by another file while the stack had it open")]
    Replaced(PathBuf),
}

/// The database's files as opened.
#[derive(Debug, Clone)]
pub struct OpenedFiles {
    /// Each path with its identity once the file has been seen (the WAL and the index
    /// appear with the first transaction).
    files: Vec<(PathBuf, Option<FileIdentity>)>,
}

impl OpenedFiles {
    /// Records the database at `path` (which must exist) and its `-wal` and `-shm`
    /// files where they exist already.
    pub fn record(path: &Path) -> io::Result<Self> {
        let main = FileIdentity::of(path)?;
        let mut files = vec![(path.to_path_buf(), Some(main))];
        for suffix in ["-wal", "-shm"] {
            let mut companion = path.as_os_str().to_owned();
            companion.push(suffix);
            let companion = PathBuf::from(companion);
            let identity = FileIdentity::of(&companion).ok();
            files.push((companion, identity));
        }
        Ok(Self { files })
    }

    /// `Err` when a recorded file is no longer at its path. A companion not seen before
    /// is recorded now. Other `stat` errors (a permission change on the folder) say
    /// nothing about the file, so they do not count as a loss.
    pub fn check(&mut self) -> Result<(), Vanished> {
        for (path, recorded) in &mut self.files {
            match (FileIdentity::of(path), *recorded) {
                (Ok(now), Some(then)) if now != then => {
                    return Err(Vanished::Replaced(path.clone()))
                }
                (Ok(now), None) => *recorded = Some(now),
                (Err(e), Some(_)) if e.kind() == io::ErrorKind::NotFound => {
                    return Err(Vanished::Removed(path.clone()))
                }
                _ => {}
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_left_alone_passes_and_a_removed_or_replaced_one_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.sqlite3");
        let wal = dir.path().join("x.sqlite3-wal");
        std::fs::write(&db, b"db").unwrap();
        let mut files = OpenedFiles::record(&db).unwrap();
        assert_eq!(files.check(), Ok(()));

        // A companion that appears later is recorded, then watched like the rest.
        std::fs::write(&wal, b"wal").unwrap();
        assert_eq!(files.check(), Ok(()));
        std::fs::remove_file(&wal).unwrap();
        assert_eq!(files.check(), Err(Vanished::Removed(wal.clone())));

        let mut files = OpenedFiles::record(&db).unwrap();
        let other = dir.path().join("other");
        std::fs::write(&other, b"other").unwrap();
        std::fs::rename(&other, &db).unwrap();
        assert_eq!(files.check(), Err(Vanished::Replaced(db.clone())));

        std::fs::remove_file(&db).unwrap();
        assert_eq!(files.check(), Err(Vanished::Removed(db)));
    }
}
