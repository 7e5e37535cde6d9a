"""Part 4: core cost per message (route + validate + build record, i.e. `plan`; with the IoT
routing rules for the iot_ bodies, and the rules' evaluation alone): ns/message
from criterion, instructions/message from callgrind (repeatable on a noisy machine: it
counts instructions, not seconds). Callgrind runs the loop at two counts and divides the
difference, so process start-up cancels out."""

import json
import re
import subprocess
import sys

from report import ROOT, TARGET, save

BODIES = ["store", "notify", "store_with_data", "rejected", "store_keyed", "notify_keyed", "iot_over", "iot_under"]
# The routing rules' evaluation alone (fixtures/rules/iot-thresholds.json on a parsed reading).
EVALUATE = ["iot_over", "iot_under"]
LOW, HIGH = 1000, 3000


def instructions(binary: str, body: str, count: int) -> int:
    out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", binary, body, str(count)],
                         capture_output=True, text=True, check=True).stderr
    return int(re.search(r"Collected : (\d+)", out).group(1))


def plan_loop_binary() -> str:
    """Builds the plan_loop bench target (release) and returns its path, from cargo's own report."""
    out = subprocess.run(["cargo", "build", "-q", "--release", "-p", "private-ingest-core", "--bench", "plan_loop",
                          "--message-format=json"], cwd=ROOT, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "plan_loop" and message.get("executable"):
            return message["executable"]
    sys.exit("cargo built no plan_loop executable")


def criterion_ns(body: str) -> float:
    est = TARGET / "criterion" / "plan" / body / "new" / "estimates.json"
    return json.loads(est.read_text())["median"]["point_estimate"]


def main() -> None:
    subprocess.run(["cargo", "bench", "-q", "-p", "private-ingest-core", "--bench", "plan", "--",
                    "--warm-up-time", "1", "--measurement-time", "3"], cwd=ROOT, check=True)
    binary = plan_loop_binary()
    rows, data = [], {}
    for body in BODIES:
        per_msg = (instructions(binary, body, HIGH) - instructions(binary, body, LOW)) / (HIGH - LOW)
        ns = criterion_ns(body)
        data[body] = {"ns_per_message": ns, "instructions_per_message": per_msg}
        rows.append([body, f"{ns:.0f}", f"{per_msg:.0f}", f"{1e9 / ns:,.0f}"])
    for body in EVALUATE:
        est = TARGET / "criterion" / "rules_evaluate" / body / "new" / "estimates.json"
        ns = json.loads(est.read_text())["median"]["point_estimate"]
        loop = f"evaluate:{body}"
        per_msg = (instructions(binary, loop, HIGH) - instructions(binary, loop, LOW)) / (HIGH - LOW)
        data[f"rules_evaluate/{body}"] = {"ns_per_message": ns, "instructions_per_message": per_msg}
        rows.append([f"rules_evaluate/{body} (evaluation alone)", f"{ns:.0f}", f"{per_msg:.0f}", f"{1e9 / ns:,.0f}"])
    save("core_cost", "Core cost per message: plan = validate + route + build (release)",
         ["body", "ns/message (criterion median)", "instructions/message (callgrind)", "messages/s/core"], rows, data)


if __name__ == "__main__":
    if not subprocess.run(["which", "valgrind"], capture_output=True).returncode == 0:
        sys.exit("valgrind is missing: apt-get install valgrind")
    main()
