"""Part 3: Lambda start-up. Time from exec of the `bootstrap` built with the package's
profile (`lambda-release`, native) to its first request to a local Lambda Runtime API (the
end of Lambda's Init phase), then to its answer to a first invocation that makes one
DynamoDB PutItem, and its peak RSS; side by side, the same for a Python 3 handler that
imports boto3 and creates the DynamoDB and SNS clients (what the original pattern's
handler does at import). Median of STARTUP_RUNS (10), the peers' runs interleaved.

STARTUP_COMPARE_BIN adds another build of `bootstrap` to the same run (e.g. one from
before a change), so a before and after share the machine's conditions."""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from report import ROOT, TARGET, free_port, save

RUNS = int(os.environ.get("STARTUP_RUNS", "10"))
# The first invocation does real work: one store-route message, so each handler makes
# one DynamoDB PutItem (answered below) before it answers; "first response" then counts
# what a cold start costs the first message, SDK and TLS set-up included.
EVENT = (ROOT / "fixtures" / "sqs" / "store-message.json").read_bytes()


class RuntimeApi(ThreadingHTTPServer):
    """A Lambda Runtime API that serves one invocation, then holds the next poll."""

    daemon_threads = True

    def __init__(self, port):
        super().__init__(("127.0.0.1", port), Handler)
        self.first_next = None
        self.paths = []
        self.aws_calls = []
        self.responded = None
        self.response = None
        self.served = False
        self.done = threading.Event()

    def process_request(self, request, client_address):
        # The runtime's first connection carries its first /next (Handler checks that):
        # its arrival ends the init, before this server spends a thread and a parse on it.
        if self.first_next is None:
            self.first_next = time.perf_counter()
        super().process_request(request, client_address)

    def handle_error(self, request, client_address):
        # The held poll's client is killed at the end of every run: not an error.
        pass


class Handler(BaseHTTPRequestHandler):
    """The Runtime API on /2018-06-01/runtime/..., and DynamoDB's JSON protocol on `/`
    (AWS_ENDPOINT_URL points here): every PutItem succeeds with an empty answer."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        srv = self.server
        srv.paths.append(self.path)
        if not self.path.endswith("/runtime/invocation/next"):
            self.send_error(404)
            return
        if srv.served:
            srv.done.wait(30)  # hold the second poll until the run ends, as Lambda does
            self.send_error(503)
            return
        srv.served = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Lambda-Runtime-Aws-Request-Id", "bench-request-1")
        self.send_header("Lambda-Runtime-Deadline-Ms", str(int(time.time() * 1000) + 30000))
        self.send_header("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:bench")
        self.send_header("Lambda-Runtime-Trace-Id", "Root=1-5759e988-bd862e3fe1be46a994272793")
        self.send_header("Content-Length", str(len(EVENT)))
        self.end_headers()
        self.wfile.write(EVENT)

    def do_POST(self):
        srv = self.server
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length)
        if self.path == "/":
            target = self.headers.get("X-Amz-Target", "")
            srv.aws_calls.append(target)
            answer = b"{}" if target.endswith(".PutItem") else b'{"__type":"UnknownOperationException"}'
            self.send_response(200 if answer == b"{}" else 400)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        srv.response = body
        srv.responded = time.perf_counter()
        self.send_response(202)
        self.send_header("Content-Length", "0")
        self.end_headers()


def peak_rss_kib(pid: int) -> int:
    try:
        for line in open(f"/proc/{pid}/status"):
            if line.startswith("VmHWM"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_once(cmd: list) -> dict:
    port = free_port()
    api = RuntimeApi(port)
    threading.Thread(target=api.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{port}",
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",  # DynamoDB's PutItem, answered by Handler
        "AWS_EC2_METADATA_DISABLED": "true",
        # Every variable the handler reads (core::contract::function_environment).
        "TABLE_NAME": "MyCustomTable",
        "IDEMPOTENCY_TABLE_NAME": "MyCustomTable-idempotency",
        "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:MyCustomTopic",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    start = time.perf_counter()
    # close_fds=False lets Python use posix_spawn (its fds are not inheritable anyway): the
    # harness's own cost, counted against both peers, is then smaller.
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, close_fds=False)
    try:
        deadline = start + 30
        while api.responded is None and time.perf_counter() < deadline and proc.poll() is None:
            time.sleep(0.001)
        if api.responded is None:
            err = proc.stderr.read().decode() if proc.poll() is not None else ""
            raise RuntimeError(f"{cmd[0]} did not answer an invocation: {err[-500:]}")
        rss = peak_rss_kib(proc.pid)
    finally:
        api.done.set()
        proc.kill()
        proc.wait()
        api.shutdown()
        api.server_close()
    return {
        "init_ms": (api.first_next - start) * 1000,
        "first_invocation_ms": (api.responded - start) * 1000,
        "peak_rss_mib": rss / 1024,
        "response": json.loads(api.response),
        "aws_calls": api.aws_calls,
        "first_path": api.paths[0] if api.paths else None,
    }


def summarize(name: str, runs: list) -> dict:
    for r in runs:
        assert r["response"] == {"batchItemFailures": []}, r["response"]
        assert r["aws_calls"] == ["DynamoDB_20120810.PutItem"], r["aws_calls"]
        assert r["first_path"] == "/2018-06-01/runtime/invocation/next", r["first_path"]
    med = lambda k: statistics.median(r[k] for r in runs)
    return {"name": name, "runs": len(runs), "init_ms": med("init_ms"),
            "first_invocation_ms": med("first_invocation_ms"), "peak_rss_mib": med("peak_rss_mib"),
            "all": runs}


def measure(peers: dict) -> dict:
    """Median of RUNS for each peer, the peers' runs interleaved, so that a machine that
    gets busier or quieter during the run treats them alike."""
    runs = {name: [] for name in peers}
    for _ in range(RUNS):
        for name, cmd in peers.items():
            runs[name].append(run_once(cmd))
    return {name: summarize(name, r) for name, r in runs.items()}


GOAL_RATIO = 50


def main() -> None:
    bootstrap = TARGET / "lambda-release" / "bootstrap"
    if not bootstrap.exists():
        sys.exit(f"{bootstrap} is missing: run `cargo build --profile lambda-release -p private-ingest-handler --bin bootstrap`")
    compare = os.environ.get("STARTUP_COMPARE_BIN")
    peers = {"Rust bootstrap (lambda-release profile)": [str(bootstrap)]}
    if compare:
        peers[f"Rust bootstrap ({compare})"] = [compare]
    peers["Python 3 + boto3 (original pattern's imports)"] = [
        sys.executable, str(ROOT / "bench" / "python_handler" / "bootstrap.py")]
    results = list(measure(peers).values())
    rust, python = results[0], results[-1]
    other = results[1] if compare else None
    rows = [[r["name"], f'{r["init_ms"]:.2f}', f'{r["first_invocation_ms"]:.2f}', f'{r["peak_rss_mib"]:.1f}']
            for r in (rust, other, python) if r]
    ratio = python["init_ms"] / rust["init_ms"]
    rows.append([f"ratio (Python / Rust; goal >= {GOAL_RATIO}x)", f"{ratio:.1f}x",
                 f'{python["first_invocation_ms"] / rust["first_invocation_ms"]:.1f}x',
                 f'{python["peak_rss_mib"] / rust["peak_rss_mib"]:.1f}x'])
    if other:
        rows.append(["ratio (compared build / this build)", f'{other["init_ms"] / rust["init_ms"]:.1f}x',
                     f'{other["first_invocation_ms"] / rust["first_invocation_ms"]:.1f}x',
                     f'{other["peak_rss_mib"] / rust["peak_rss_mib"]:.1f}x'])
    save("startup", f"Lambda start-up against a local Runtime API (median of {RUNS} runs)",
         ["handler", "exec → first /next (ms)", "exec → first response, 1 PutItem (ms)", "peak RSS (MiB)"], rows,
         {"rust": rust, "compared": other, "python": python, "init_ratio": ratio, "goal_ratio": GOAL_RATIO})


if __name__ == "__main__":
    main()
