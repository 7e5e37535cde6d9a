"""wrk (Debian's package) as the closed-loop load generator: a light C epoll client, so on
this 2-core machine it takes less CPU from the server under test than a heavier client
would. Each run leaves one JSON line (bench/wrk_report.lua) that is parsed here."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"


def require() -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: `apt-get install wrk` (make bench installs it)")


def run(url: str, connections: int, seconds: int, method: str = "GET", body: str = "",
        content_type: str = "application/json", threads: int = 1) -> dict:
    """Requests per second, latency percentiles (ms) and answers that were not 2xx/3xx."""
    env = dict(os.environ, WRK_METHOD=method, WRK_BODY=body, WRK_CONTENT_TYPE=content_type)
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{int(seconds)}s",
           "--timeout", "10s", "-s", str(SCRIPT), url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env,
                         timeout=seconds + 60).stdout
    line = next((l for l in out.splitlines() if l.startswith("WRK_JSON ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    raw = json.loads(line.removeprefix("WRK_JSON "))
    errors = raw["errors"]
    socket_errors = errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]
    lat = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "requests_per_s": raw["requests"] / (raw["duration_us"] / 1e6),
        "ok": raw["requests"] - errors["status"],
        "not_2xx_3xx": errors["status"],
        "socket_errors": socket_errors,
        "mean_ms": lat["mean"] / 1000,
        "p50_ms": lat["p50"] / 1000,
        "p90_ms": lat["p90"] / 1000,
        "p99_ms": lat["p99"] / 1000,
        "max_ms": lat["max"] / 1000,
        "connections": connections,
        "seconds": seconds,
    }
