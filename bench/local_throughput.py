"""Part 1: local stack throughput and latency, side by side with moto server's SQS
SendMessage (the emulator most local AWS set-ups are built on), on loopback, with `oha`.

Measures, in one run: accepted requests/s (closed loop), p50/p99 latency at a fixed
1,000 requests/s, and end-to-end messages/s processed (send N, wait until N records
exist), checking that nothing was lost (accepted == processed)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

from report import TARGET, free_port, save

N_LOCAL = int(os.environ.get("BENCH_REQUESTS", "20000"))
N_MOTO = int(os.environ.get("BENCH_MOTO_REQUESTS", "3000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "32"))
RATE = 1000
RATE_REQUESTS = 10000
BODY = '{"Insert": "DynamoDB"}'


def oha(url: str, *args: str, timeout: int = 240) -> dict:
    cmd = ["oha", "--no-tui", "--output-format", "json", *args, url]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=timeout).stdout
    return json.loads(out)


def summary(result: dict) -> dict:
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


def wait_http(url: str, deadline_s: float = 30) -> None:
    end = time.time() + deadline_s
    while time.time() < end:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in {deadline_s}s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()


def healthz(base: str) -> dict:
    return json.loads(urllib.request.urlopen(base + "/healthz", timeout=5).read())


class Local:
    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="pi-bench-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        binary = TARGET / "release" / "private-ingest-local"
        if not binary.exists():
            sys.exit(f"{binary} is missing: run `cargo build --release -p private-ingest-local`")
        self.proc = subprocess.Popen(
            [str(binary), "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.dir, "--web-dir", self.dir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(self.base + "/healthz")

    def close(self):
        stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


class Moto:
    def __init__(self):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([shutil.which("moto_server") or "moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(self.base + "/moto-api/")
        import boto3
        sqs = boto3.client("sqs", endpoint_url=self.base, region_name="us-east-1",
                           aws_access_key_id="bench", aws_secret_access_key="bench")
        self.queue_url = sqs.create_queue(QueueName="bench")["QueueUrl"]

    def close(self):
        stop(self.proc)


def main() -> None:
    if not shutil.which("oha"):
        sys.exit("oha is missing: `cargo install oha` (make bench installs it)")
    local, moto = Local(), Moto()
    try:
        send = ["-m", "POST", "-T", "application/json", "-d", BODY]
        # 1. Closed loop: how many requests/s each accepts.
        local_closed = summary(oha(local.base + "/send-message", "-n", str(N_LOCAL), "-c", str(CONCURRENCY), *send))
        form = urllib.parse.urlencode({"Action": "SendMessage", "QueueUrl": moto.queue_url, "MessageBody": BODY, "Version": "2012-11-05"})
        moto_closed = summary(oha(moto.base + "/", "-n", str(N_MOTO), "-c", str(CONCURRENCY), "-m", "POST",
                                  "-T", "application/x-www-form-urlencoded", "-d", form))
        # 2. End to end: everything accepted above must end up processed.
        start = time.time()
        accepted = local_closed["ok"]
        deadline = start + 240
        while time.time() < deadline:
            h = healthz(local.base)
            if h["records"] >= accepted:
                break
            time.sleep(0.05)
        h = healthz(local.base)
        # The drain time is measured from the end of the send; add the send time for the total.
        send_s = N_LOCAL / local_closed["requests_per_s"]
        e2e_s = send_s + (time.time() - start)
        processed = h["records"]
        # 3. Open loop at a fixed 1,000 requests/s: latency.
        local_rate = summary(oha(local.base + "/send-message", "-n", str(RATE_REQUESTS), "-q", str(RATE), "-c", "64", *send))
    finally:
        local.close()
        moto.close()
    ratio = local_closed["requests_per_s"] / moto_closed["requests_per_s"]
    rows = [
        ["local stack POST /send-message", f'{local_closed["requests_per_s"]:.0f}', f'{local_closed["p50_ms"]:.2f}', f'{local_closed["p99_ms"]:.2f}', local_closed["ok"]],
        ["moto server SQS SendMessage", f'{moto_closed["requests_per_s"]:.0f}', f'{moto_closed["p50_ms"]:.2f}', f'{moto_closed["p99_ms"]:.2f}', moto_closed["ok"]],
        ["ratio local / moto (goal >= 20x)", f"{ratio:.1f}x", "", "", ""],
        [f"local at a fixed {RATE} req/s (goal p99 < 10 ms)", f'{local_rate["requests_per_s"]:.0f}', f'{local_rate["p50_ms"]:.2f}', f'{local_rate["p99_ms"]:.2f}', local_rate["ok"]],
        ["local end to end: accepted -> records", f"{processed / e2e_s:.0f} msg/s", "", "", f"{processed}/{accepted}"],
    ]
    save("local_throughput", f"Local stack vs moto SQS on loopback (oha, {CONCURRENCY} connections)",
         ["load", "req/s", "p50 ms", "p99 ms", "200s"], rows,
         {"local_closed_loop": local_closed, "moto_closed_loop": moto_closed, "ratio": ratio,
          "local_fixed_rate": local_rate, "end_to_end": {"accepted": accepted, "processed": processed,
                                                         "seconds": e2e_s, "messages_per_s": processed / e2e_s}})
    if processed != accepted:
        sys.exit(f"LOST MESSAGES: {accepted} accepted, {processed} processed")


if __name__ == "__main__":
    main()
