"""The servers a benchmark runs against, each on a free 127.0.0.1 port and stopped by its
process id: the local stack's release binary, and moto server (the emulator most local
AWS set-ups are built on) with one SQS queue."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from report import TARGET, free_port


def cpu_seconds(proc: subprocess.Popen) -> float:
    """User + system CPU time the process has used so far (its threads included)."""
    fields = open(f"/proc/{proc.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        proc.wait()


class Local:
    """The release `private-ingest-local` with a fresh data dir; serves `web_dir` (the
    built page) when given, else an empty folder."""

    def __init__(self, web_dir=None, binary=None):
        self.dir = tempfile.mkdtemp(prefix="pi-bench-")
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        binary = binary or TARGET / "release" / "private-ingest-local"
        if not binary.exists():
            sys.exit(f"{binary} is missing: run `cargo build --release -p private-ingest-local`")
        self.proc = subprocess.Popen(
            [str(binary), "--listen", f"127.0.0.1:{self.port}", "--data-dir", self.dir,
             "--web-dir", str(web_dir or self.dir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_http(self.base + "/healthz")

    def healthz(self) -> dict:
        return json.loads(urllib.request.urlopen(self.base + "/healthz", timeout=5).read())

    def close(self):
        stop(self.proc)
        shutil.rmtree(self.dir, ignore_errors=True)


class Moto:
    """moto server with one SQS queue, `queue_url`."""

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
