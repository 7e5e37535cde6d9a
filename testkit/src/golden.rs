//! Files a test generates and keeps in the repository (golden files): the test compares
//! what it generates with the file, fails with the lines that differ when the file is
//! stale, and rewrites it only when asked (`BLESS=1`). Review the diff before committing.

use std::path::Path;

/// The environment variable that lets a test rewrite its golden file.
pub const BLESS_VAR: &str = "BLESS";

/// Lines of context shown around the first difference, and at most how many differing
/// lines are shown of each side.
const CONTEXT: usize = 3;
const SHOWN: usize = 40;

/// Passes when `path` holds exactly `generated`. Otherwise, with `BLESS=1`, writes it and
/// passes; without, panics with the lines that differ and how to regenerate.
pub fn assert_current(path: &Path, generated: &str, regenerate_with: &str) {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current == generated {
        return;
    }
    if std::env::var(BLESS_VAR).is_ok_and(|v| v == "1") {
        std::fs::write(path, generated)
            .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        eprintln!("{BLESS_VAR}=1: rewrote {}; review its diff", path.display());
        return;
    }
    panic!(
        "{} is stale (or missing): it is not what the code now generates.\n{}\n\
         If the change is intended, regenerate it with `{BLESS_VAR}=1 {regenerate_with}` and review the diff.",
        path.display(),
        line_diff(&current, generated)
    );
}

/// The lines between the common start and the common end of `old` and `new`, with a
/// little context: enough to see what changed in a generated file.
pub fn line_diff(old: &str, new: &str) -> String {
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let same_start = old.iter().zip(&new).take_while(|(a, b)| a == b).count();
    let same_end = old[same_start..]
        .iter()
        .rev()
        .zip(new[same_start..].iter().rev())
        .take_while(|(a, b)| a == b)
        .count();
    let from = same_start.saturating_sub(CONTEXT);
    let mut out = format!("@@ line {} @@\n", same_start + 1);
    for line in &old[from..same_start] {
        out.push_str(&format!("  {line}\n"));
    }
    let side = |out: &mut String, lines: &[&str], mark: char| {
        for line in lines.iter().take(SHOWN) {
            out.push_str(&format!("{mark} {line}\n"));
        }
        if lines.len() > SHOWN {
            out.push_str(&format!(
                "{mark} ... ({} more lines)\n",
                lines.len() - SHOWN
            ));
        }
    };
    side(&mut out, &old[same_start..old.len() - same_end], '-');
    side(&mut out, &new[same_start..new.len() - same_end], '+');
    for line in old[old.len() - same_end..].iter().take(CONTEXT) {
        out.push_str(&format!("  {line}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_diff_shows_the_changed_lines_and_their_context() {
        let diff = line_diff("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n");
        assert_eq!(diff, "@@ line 3 @@\n  a\n  b\n- c\n+ X\n  d\n  e\n");
    }

    #[test]
    fn an_added_line_at_the_end_is_shown() {
        assert_eq!(line_diff("a\n", "a\nb\n"), "@@ line 2 @@\n  a\n+ b\n");
    }

    #[test]
    fn a_stale_file_fails_with_the_diff_and_the_command() {
        let dir = std::env::temp_dir().join(format!("golden-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("f.json");
        std::fs::write(&path, "old\n").unwrap();
        let failure = std::panic::catch_unwind(|| assert_current(&path, "new\n", "cargo test"));
        let message = *failure.unwrap_err().downcast::<String>().unwrap();
        assert!(message.contains("- old\n+ new"), "{message}");
        assert!(message.contains("BLESS=1 cargo test"), "{message}");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "old\n",
            "not rewritten"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
