//! What an ELF executable needs from the system that loads it, read with binutils'
//! `readelf` (it reads any architecture's ELF): its machine, the shared libraries it
//! names (`NEEDED`) and the newest glibc symbol version it asks for. A package that asks
//! for more than Lambda's `provided.al2023` has fails at exec on every cold start, before
//! a single log line, so the package tier checks this up front.

use std::path::Path;
use std::process::Command;

#[derive(Debug)]
pub struct ElfNeeds {
    /// `Machine:` from the ELF header, e.g. "AArch64".
    pub machine: String,
    pub needed: Vec<String>,
    /// The highest `GLIBC_x.y` among the version needs, as (x, y).
    pub newest_glibc: Option<(u32, u32)>,
}

pub fn read(binary: &Path) -> ElfNeeds {
    let output = Command::new("readelf")
        .args(["--wide", "--file-header", "--dynamic", "--version-info"])
        .arg(binary)
        .output()
        .unwrap_or_else(|e| panic!("running readelf (binutils) on {}: {e}", binary.display()));
    assert!(
        output.status.success(),
        "readelf failed on {}: {}",
        binary.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    parse(&String::from_utf8_lossy(&output.stdout))
}

fn parse(readelf: &str) -> ElfNeeds {
    let machine = readelf
        .lines()
        .find_map(|l| l.trim().strip_prefix("Machine:"))
        .map(|m| m.trim().to_owned())
        .unwrap_or_default();
    // `0x...1 (NEEDED)  Shared library: [libc.so.6]`
    let needed = readelf
        .lines()
        .filter(|l| l.contains("(NEEDED)"))
        .filter_map(|l| l.split('[').nth(1)?.split(']').next())
        .map(str::to_owned)
        .collect();
    // `0x0010:   Name: GLIBC_2.17  Flags: none  Version: 5`
    let newest_glibc = readelf
        .split_whitespace()
        .filter_map(|word| word.strip_prefix("GLIBC_"))
        .filter_map(|version| {
            let mut parts = version.split('.');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .max();
    ElfNeeds {
        machine,
        needed,
        newest_glibc,
    }
}

#[test]
fn reads_machine_libraries_and_the_newest_glibc_version() {
    let sample = "  Machine:                           AArch64\n \
        0x0000000000000001 (NEEDED)             Shared library: [libgcc_s.so.1]\n \
        0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]\n \
        0x0010:   Name: GLIBC_2.17  Flags: none  Version: 5\n \
        0x0020:   Name: GLIBC_2.28  Flags: none  Version: 3\n \
        0x0030:   Name: GLIBC_PRIVATE  Flags: none  Version: 2\n";
    let needs = parse(sample);
    assert_eq!(needs.machine, "AArch64");
    assert_eq!(needs.needed, ["libgcc_s.so.1", "libc.so.6"]);
    assert_eq!(needs.newest_glibc, Some((2, 28)));
}
