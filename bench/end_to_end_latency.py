"""End-to-end latency on the local stack, from its own histograms: a fixed rate of
POST /send-message (oha, open loop), then the stack's GET /metrics read with the
Prometheus project's strict parser, and p50/p99 of
  - private_ingest_end_to_end_latency_seconds: accepted (the message's sent time) to its
    outcome (stored or notified), as the poller records it, and
  - private_ingest_accept_latency_seconds: request in to answer out, in the gateway,
beside the accept latency oha saw from the client side.

Quantiles are read off the buckets the way Prometheus' histogram_quantile() does (linear
within the bucket), so each is good to the width of its bucket (about 1.5x apart, see
local/src/metrics.rs). The end-to-end times come from the queue's millisecond clock.
"""

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from local_throughput import BODY, oha
from report import ROOT, save
from servers import Local

RATE = 1_000
REQUESTS = 10_000
PARSER = ROOT / "scripts" / "openmetrics_json.py"


def scrape(base: str) -> dict:
    text = urllib.request.urlopen(base + "/metrics", timeout=10).read()
    out = subprocess.run([sys.executable, str(PARSER)], input=text, capture_output=True, check=True)
    return json.loads(out.stdout)


def quantile(family: dict, q: float) -> float:
    """histogram_quantile(q) over one unlabelled histogram family, in milliseconds."""
    buckets = sorted(
        (float(s["labels"]["le"]), s["value"]) for s in family["samples"] if s["name"].endswith("_bucket")
    )
    total = buckets[-1][1]
    if total == 0:
        return float("nan")
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if bound == float("inf"):
                return lower_bound * 1000
            share = (rank - lower_count) / (count - lower_count) if count > lower_count else 0
            return (lower_bound + (bound - lower_bound) * share) * 1000
        lower_bound, lower_count = bound, count
    return lower_bound * 1000


def main() -> None:
    local = Local()
    try:
        sent = oha(local.base + "/send-message", "-n", str(REQUESTS), "-q", str(RATE), "-c", "64",
                   "-m", "POST", "-T", "application/json", "-d", BODY)
        deadline = time.time() + 120
        while time.time() < deadline:
            q = local.healthz()["queue"]
            if q["visible"] == 0 and q["in_flight"] == 0:
                break
            time.sleep(0.05)
        families = scrape(local.base)
    finally:
        local.close()
    e2e = families["private_ingest_end_to_end_latency_seconds"]
    accept = families["private_ingest_accept_latency_seconds"]
    count = lambda f: next(s["value"] for s in f["samples"] if s["name"].endswith("_count"))
    rows = [
        ["end to end: accepted -> outcome (stack's histogram)", f"{quantile(e2e, 0.5):.2f}", f"{quantile(e2e, 0.99):.2f}", count(e2e)],
        ["accept: request -> answer (stack's histogram)", f"{quantile(accept, 0.5):.2f}", f"{quantile(accept, 0.99):.2f}", count(accept)],
        ["accept, seen by the client (oha)", f'{sent["p50_ms"]:.2f}', f'{sent["p99_ms"]:.2f}', sent["ok"]],
    ]
    save("end_to_end_latency", f"Local stack at a fixed {RATE} req/s ({REQUESTS} requests): latency in ms",
         ["latency", "p50 ms", "p99 ms", "count"], rows,
         {"rate": RATE, "requests": REQUESTS, "client": sent,
          "end_to_end_ms": {"p50": quantile(e2e, 0.5), "p99": quantile(e2e, 0.99), "count": count(e2e)},
          "accept_ms": {"p50": quantile(accept, 0.5), "p99": quantile(accept, 0.99), "count": count(accept)}})
    if count(e2e) != sent["ok"]:
        sys.exit(f"{sent['ok']} accepted but {count(e2e)} reached an outcome")


if __name__ == "__main__":
    main()
