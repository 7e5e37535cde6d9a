#!/usr/bin/env python3
"""Unpacks the Lambda deployment package as Lambda does, for `make test-package`.

Checks what Lambda's provided.al2023 runtime requires of the zip before it runs
anything: an executable file named `bootstrap` at the root (Lambda execs
/var/task/bootstrap; without the execute bit every cold start fails with
Runtime.InvalidEntrypoint). Extracts with the modes the zip records, which Python's
zipfile does not restore by itself.

usage: unpack-lambda-package.py <bootstrap.zip> <dir>
"""

import stat
import sys
import zipfile
from pathlib import Path


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    package, out = Path(sys.argv[1]), Path(sys.argv[2])
    if not package.is_file():
        sys.exit(f"{package}: no such package; `make package` builds it")
    with zipfile.ZipFile(package) as archive:
        names = archive.namelist()
        if "bootstrap" not in names:
            sys.exit(f"{package}: no `bootstrap` at the root of the zip (it has {names})")
        mode = archive.getinfo("bootstrap").external_attr >> 16
        if not mode & stat.S_IXUSR:
            sys.exit(f"{package}: `bootstrap` is not executable in the zip (mode {oct(mode)})")
        out.mkdir(parents=True, exist_ok=True)
        for info in archive.infolist():
            path = Path(archive.extract(info, out))
            if info.external_attr >> 16:
                path.chmod((info.external_attr >> 16) & 0o7777)
    print(f"{package}: {package.stat().st_size} bytes, {len(names)} file(s), bootstrap mode {oct(mode & 0o7777)}; unpacked in {out}")


if __name__ == "__main__":
    main()
