//! The Lambda entry point (SKELETON: written in the Lambda issue).
fn main() {
    eprintln!("bootstrap: not yet written");
    std::process::exit(2);
}
