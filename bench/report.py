"""How every benchmark reports: a table on stdout and JSON in bench/results/ (git-ignored),
stamped with the machine it ran on, because figures without a machine mean little."""

import json
import os
import platform
import subprocess
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kib = 0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem_kib = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "kernel": platform.release(),
        "load_average": os.getloadavg(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "git": subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip(),
    }


def table(title: str, headers: list, rows: list) -> str:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda r: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths)))
    out = [f"\n## {title}", line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)


def save(name: str, title: str, headers: list, rows: list, data: dict) -> None:
    """Prints the table and writes bench/results/<name>.json."""
    print(table(title, headers, rows), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"benchmark": name, "title": title, "machine": machine(),
           "table": {"headers": headers, "rows": rows}, "data": data}
    (RESULTS / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(f"(written to {RESULTS / (name + '.json')})")


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
