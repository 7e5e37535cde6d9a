"""Part 1c: single-connection latency per route of the local stack (wrk, one connection,
keep-alive): what one user waiting on one request sees, for every route the page and the
API serve, the page's static files included. Goal: p50 under 1 ms for every route.

LOCAL_BIN runs it on another build of the binary (e.g. one without a fix, for a before
and after in the same conditions)."""

import json
import os
import sys
import time
import urllib.request
from pathlib import Path

import wrk
from report import ROOT, save
from servers import Local

SECONDS = int(os.environ.get("BENCH_LATENCY_SECONDS", "3"))
GOAL_P50_MS = 1.0
STORE = '{"Insert": "DynamoDB"}'


def send(base: str, body: str) -> dict:
    req = urllib.request.Request(base + "/send-message", data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=5).read())


def wait_for_record(base: str, message_id: str, deadline_s: float = 30) -> None:
    end = time.time() + deadline_s
    while time.time() < end:
        try:
            urllib.request.urlopen(f"{base}/messages/{message_id}", timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"record {message_id} did not appear in {deadline_s}s")


def routes(base: str, dist: Path) -> list:
    """(label, method, path, body) for every route; a record and a notification exist."""
    stored = send(base, STORE)["messageId"]
    send(base, '{"Insert": "Dynamoooo"}')
    wait_for_record(base, stored)
    assets = sorted((dist / "assets").iterdir(), key=lambda p: p.stat().st_size, reverse=True)
    largest_js = next(p for p in assets if p.suffix == ".js")
    wasm = next(p for p in assets if p.suffix == ".wasm")
    css = next(p for p in assets if p.suffix == ".css")
    return [
        ("GET /livez (no I/O)", "GET", "/livez", ""),
        ("GET /healthz", "GET", "/healthz", ""),
        ("GET /metrics", "GET", "/metrics", ""),
        ("POST /send-message (durable, 200)", "POST", "/send-message", STORE),
        ("POST /send-message (invalid, 400)", "POST", "/send-message", '{"Insert": 1}'),
        ("GET /messages/{id} (200)", "GET", f"/messages/{stored}", ""),
        ("GET /messages/{id} (404)", "GET", "/messages/no-such-id", ""),
        ("GET /notifications", "GET", "/notifications?limit=10", ""),
        ("GET /dead-letters", "GET", "/dead-letters", ""),
        ("GET / (index.html)", "GET", "/", ""),
        ("GET /favicon.svg", "GET", "/favicon.svg", ""),
        (f"GET {css.name}", "GET", f"/assets/{css.name}", ""),
        (f"GET {largest_js.name} ({largest_js.stat().st_size // 1024} KiB)", "GET", f"/assets/{largest_js.name}", ""),
        (f"GET {wasm.name} ({wasm.stat().st_size // 1024} KiB)", "GET", f"/assets/{wasm.name}", ""),
        ("GET /no-such-file (404)", "GET", "/no-such-file", ""),
    ]


def main() -> None:
    wrk.require()
    dist = ROOT / "web" / "dist"
    if not (dist / "index.html").exists():
        sys.exit(f"{dist} is not built: run `make web`")
    binary = Path(os.environ["LOCAL_BIN"]) if os.environ.get("LOCAL_BIN") else None
    local = Local(web_dir=dist, binary=binary)
    results = {}
    try:
        for label, method, path, body in routes(local.base, dist):
            r = wrk.run(local.base + path, 1, SECONDS, method=method, body=body)
            if r["socket_errors"]:
                raise RuntimeError(f"{label}: {r['socket_errors']} socket errors")
            results[label] = r
    finally:
        local.close()
    rows = [[label, f'{r["requests_per_s"]:.0f}', r["not_2xx_3xx"], f'{r["p50_ms"]:.3f}', f'{r["p99_ms"]:.3f}',
             "yes" if r["p50_ms"] < GOAL_P50_MS else "NO"]
            for label, r in results.items()]
    worst = max(r["p50_ms"] for r in results.values())
    name = "latency" if binary is None else "latency_" + binary.parent.name
    save(name, f"Local stack, one connection per route (wrk -c1, {SECONDS} s each; binary {binary or 'release'})",
         ["route", "req/s", "not 2xx/3xx", "p50 ms", "p99 ms", f"p50 < {GOAL_P50_MS:.0f} ms"], rows,
         {"binary": str(binary or "release"), "seconds_per_route": SECONDS, "routes": results,
          "worst_p50_ms": worst, "goal_p50_ms": GOAL_P50_MS})


if __name__ == "__main__":
    main()
