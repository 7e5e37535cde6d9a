//! private-ingest-local (SKELETON: written in the local-stack issue).
fn main() {
    eprintln!(
        "private-ingest-local: the local stack has not landed yet (see the local-stack issue)"
    );
    std::process::exit(2);
}
