"""Part 1: the local stack's throughput on loopback, in one run: the no-I/O ceiling
(`GET /livez`), the durable `POST /send-message` at the same concurrency, and moto
server's SQS SendMessage (the emulator most local AWS set-ups are built on) at the same
concurrency, all closed loop with wrk; then p50/p99 at a fixed 1,000 requests/s (oha, open
loop), and end-to-end messages/s processed, checking that every 200 became a record.

The durable POST's share of the no-I/O ceiling says how much of the server's capacity the
queue write (validation, SQLite insert, group-commit fsync) and the pollers processing
the same messages in the background take. Each row also has the server's CPU time per
request (from /proc, for the durable POST until the pollers have processed every
message): unlike requests/s, it barely moves when other work shares the machine."""

import json
import os
import subprocess
import sys
import time
import urllib.parse

import wrk
from report import save
from servers import Local, Moto, cpu_seconds

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
RATE = 1000
RATE_REQUESTS = 10000
BODY = '{"Insert": "DynamoDB"}'
GOAL_SHARE = 0.80
GOAL_MOTO_RATIO = 100


def oha(url: str, *args: str, timeout: int = 240) -> dict:
    cmd = ["oha", "--no-tui", "--output-format", "json", *args, url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout).stdout
    result = json.loads(out)
    s, p = result["summary"], result.get("latencyPercentiles", {})
    codes = result.get("statusCodeDistribution", {})
    return {
        "requests_per_s": s["requestsPerSec"],
        "ok": int(codes.get("200", 0)),
        "status_codes": codes,
        "errors": result.get("errorDistribution", {}),
        "p50_ms": (p.get("p50") or 0) * 1000,
        "p99_ms": (p.get("p99") or 0) * 1000,
    }


def drain(local: Local, accepted: int, deadline_s: float = 300) -> dict:
    """Waits until the queue is empty; every accepted message must be a record by then."""
    end = time.time() + deadline_s
    while time.time() < end:
        h = local.healthz()
        q = h["queue"]
        if q["visible"] == 0 and q["in_flight"] == 0 and h["records"] >= accepted:
            return h
        time.sleep(0.05)
    raise RuntimeError(f"queue not drained in {deadline_s}s: {local.healthz()}")


def main() -> None:
    wrk.require()
    if not subprocess.run(["sh", "-c", "command -v oha"], capture_output=True).returncode == 0:
        sys.exit("oha is missing: `cargo install oha` (make bench installs it)")
    local, moto = Local(), Moto()
    try:
        # Closed loop, same concurrency; each run alone on the machine (moto before the
        # POST run, whose backlog the pollers go on processing afterwards).
        cpu = cpu_seconds(local.proc)
        livez = wrk.run(local.base + "/livez", CONCURRENCY, SECONDS)
        livez["cpu_us_per_request"] = (cpu_seconds(local.proc) - cpu) / livez["requests"] * 1e6
        form = urllib.parse.urlencode({"Action": "SendMessage", "QueueUrl": moto.queue_url,
                                       "MessageBody": BODY, "Version": "2012-11-05"})
        cpu = cpu_seconds(moto.proc)
        moto_send = wrk.run(moto.base + "/", CONCURRENCY, SECONDS, method="POST", body=form,
                            content_type="application/x-www-form-urlencoded")
        moto_send["cpu_us_per_request"] = (cpu_seconds(moto.proc) - cpu) / moto_send["requests"] * 1e6
        moto.close()
        cpu = cpu_seconds(local.proc)
        post = wrk.run(local.base + "/send-message", CONCURRENCY, SECONDS, method="POST", body=BODY)
        # End to end: every 200 must become a record. wrk stops with requests in flight,
        # which the stack may have committed without wrk counting the answer, so up to
        # CONCURRENCY more records than 200s are expected, never fewer.
        start = time.time()
        h = drain(local, post["ok"])
        e2e_s = SECONDS + (time.time() - start)
        post["cpu_us_per_request"] = (cpu_seconds(local.proc) - cpu) / h["records"] * 1e6
        processed = h["records"]
        # Open loop at a fixed 1,000 requests/s: latency.
        local_rate = oha(local.base + "/send-message", "-n", str(RATE_REQUESTS), "-q", str(RATE), "-c", "64",
                         "-m", "POST", "-T", "application/json", "-d", BODY)
    finally:
        local.close()
        moto.close()
    share = post["requests_per_s"] / livez["requests_per_s"]
    ratio = post["requests_per_s"] / moto_send["requests_per_s"]
    fmt = lambda label, r, ok: [label, f'{r["requests_per_s"]:.0f}', f'{r["p50_ms"]:.2f}', f'{r["p99_ms"]:.2f}', ok,
                                f'{r["cpu_us_per_request"]:.1f}' if "cpu_us_per_request" in r else ""]
    rows = [
        fmt("local GET /livez (no I/O ceiling)", livez, livez["ok"]),
        fmt("local POST /send-message (durable; CPU incl. its processing)", post, post["ok"]),
        fmt("moto server SQS SendMessage", moto_send, moto_send["ok"]),
        [f"durable POST / no-I/O ceiling (goal >= {GOAL_SHARE:.0%})", f"{share:.0%}", "", "", "", ""],
        [f"durable POST / moto (goal >= {GOAL_MOTO_RATIO}x)", f"{ratio:.1f}x", "", "", "", ""],
        fmt(f"local POST at a fixed {RATE} req/s (oha; goal p99 < 10 ms)", local_rate, local_rate["ok"]),
        ["local end to end: 200s -> records", f"{processed / e2e_s:.0f} msg/s", "", "", f"{processed} records / {post['ok']} 200s", ""],
    ]
    save("local_throughput", f"Local stack vs moto SQS on loopback (wrk, {CONCURRENCY} connections, {SECONDS} s each)",
         ["load", "req/s", "p50 ms", "p99 ms", "2xx", "server CPU µs/request"], rows,
         {"concurrency": CONCURRENCY, "seconds": SECONDS, "livez": livez, "durable_post": post,
          "moto_send_message": moto_send, "share_of_ceiling": share, "ratio_to_moto": ratio,
          "local_fixed_rate": local_rate,
          "end_to_end": {"accepted": post["ok"], "processed": processed, "seconds": e2e_s,
                         "messages_per_s": processed / e2e_s, "dead_letters": h["queue"]["dead_letters"]}})
    if not post["ok"] <= processed <= post["ok"] + CONCURRENCY or h["queue"]["dead_letters"]:
        sys.exit(f"LOST OR EXTRA MESSAGES: {post['ok']} answered 200, {processed} records, "
                 f"{h['queue']['dead_letters']} dead letters")


if __name__ == "__main__":
    main()
