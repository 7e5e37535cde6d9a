//! A fresh database in a temp folder with its writer running: what the unit tests of the
//! queue, the adapters, the poller and the gateway start from.

use std::path::PathBuf;
use std::time::Duration;

use super::{open_for_writing, writer, Reads, Writer, WriterThread, FILE_NAME};

/// How long the writer thread may take to stop once its last handle is gone: it only
/// commits what is queued, which in a unit test is a few rows.
const STOP_TIMEOUT: Duration = Duration::from_secs(10);

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

    /// Drops this handle to the writer and waits for the writer thread to stop, as it must
    /// once every handle is gone. Panics after [`STOP_TIMEOUT`] instead of hanging the
    /// test run when it does not (a handle still alive, or a commit that never ends).
    pub fn stop_writer(self) {
        let Self {
            writer, _thread, ..
        } = self;
        drop(writer);
        let (stopped, waited) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            _thread.join();
            let _ = stopped.send(());
        });
        waited.recv_timeout(STOP_TIMEOUT).unwrap_or_else(|_| {
            panic!("the writer thread did not stop within {STOP_TIMEOUT:?} of its last handle being dropped")
        });
    }

    /// A folder inside the temp folder that does not exist (a web dir with no page).
    pub fn missing_folder(&self) -> PathBuf {
        self._dir.path().join("missing")
    }
}
