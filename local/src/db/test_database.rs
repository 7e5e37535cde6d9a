//! A fresh database in a temp folder with its writer running: what the unit tests of the
//! queue, the adapters, the poller and the gateway start from.

use std::path::PathBuf;

use super::{open_for_writing, writer, Reads, Writer, WriterThread, FILE_NAME};

pub struct TestDatabase {
    pub writer: Writer,
    pub reads: Reads,
    /// The database file, for a test that opens it as another process would.
    pub path: PathBuf,
    _thread: WriterThread,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temp folder");
        let path = dir.path().join(FILE_NAME);
        let connection = open_for_writing(&path).expect("a new database");
        let (writer, thread) = writer::start(connection).expect("the writer thread");
        Self {
            writer,
            reads: Reads::new(path.clone()),
            path,
            _thread: thread,
            _dir: dir,
        }
    }

    /// A folder inside the temp folder that does not exist (a web dir with no page).
    pub fn missing_folder(&self) -> PathBuf {
        self._dir.path().join("missing")
    }
}
