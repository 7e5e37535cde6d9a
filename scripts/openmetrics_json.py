"""Reads an OpenMetrics text exposition (a scrape of the local stack's GET /metrics) on
stdin, parses it with the Prometheus project's own Python parser, which is strict (it
refuses a document without `# EOF`, a counter without `_total`, histogram buckets out of
order, ...), and prints the families as JSON: {name: {type, unit, help, samples: [{name,
labels, value}]}}. Exits 1, with the parser's reason, on anything that is not OpenMetrics.

Used by the local stack's metrics tests (tests/tests/local_metrics.rs) and `make bench`.
"""

import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families


def main() -> int:
    text = sys.stdin.read()
    try:
        families = {
            f.name: {
                "type": f.type,
                "unit": f.unit,
                "help": f.documentation,
                "samples": [
                    {"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples
                ],
            }
            for f in text_string_to_metric_families(text)
        }
    except ValueError as error:
        print(f"not OpenMetrics: {error}", file=sys.stderr)
        return 1
    json.dump(families, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
