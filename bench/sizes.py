"""Part 5: sizes (and the page's time to interactive, which the browser tests record): the
release .wasm gzipped (the page's, and Pulumi's with every export), the arm64
bootstrap.zip, and the page's total weight (what a browser downloads: HTML + JS + CSS +
Wasm, each gzipped)."""

import gzip
import json
from pathlib import Path

from report import ROOT, TARGET, save


def gz(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def main() -> None:
    rows, data = [], {}
    wasm = ROOT / "wasm" / "pkg-web" / "private_ingest_wasm_bg.wasm"
    if wasm.exists():
        data["wasm"] = {"bytes": wasm.stat().st_size, "gzip_bytes": gz(wasm)}
        rows.append(["release .wasm (page: validate, validateIdempotencyKey, contract, previewRules, readRulesInForce)", wasm.stat().st_size, gz(wasm),
                     f"limit 150 KiB gz, goal 60 KiB: {'met' if gz(wasm) < 60 * 1024 else 'MISSED'}"])
    node_wasm = ROOT / "wasm" / "pkg-node" / "private_ingest_wasm_bg.wasm"
    if node_wasm.exists():
        data["wasm_pulumi"] = {"bytes": node_wasm.stat().st_size, "gzip_bytes": gz(node_wasm)}
        rows.append(["release .wasm (Pulumi: every export)", node_wasm.stat().st_size, gz(node_wasm),
                     "loaded by Node from disk, never downloaded"])
    zip_path = TARGET / "lambda" / "bootstrap" / "bootstrap.zip"
    if zip_path.exists():
        size = zip_path.stat().st_size
        data["bootstrap_zip"] = {"bytes": size, "mib": size / 2**20}
        rows.append(["bootstrap.zip (arm64)", size, "(zip)",
                     f"{size / 2**20:.2f} MiB; goal under 3 MiB: {'met' if size < 3 * 2**20 else 'MISSED'}"])
    else:
        rows.append(["bootstrap.zip (arm64)", "not built", "", "run `make package`"])
    dist = ROOT / "web" / "dist"
    if dist.exists():
        files = [p for p in dist.rglob("*") if p.is_file() and p.suffix in {".html", ".js", ".css", ".wasm", ".svg", ".ico"}]
        raw, packed = sum(p.stat().st_size for p in files), sum(gz(p) for p in files)
        data["page"] = {"files": len(files), "bytes": raw, "gzip_bytes": packed,
                        "by_file": {str(p.relative_to(dist)): gz(p) for p in files}}
        rows.append([f"test page ({len(files)} files)", raw, packed, "HTML + JS + CSS + Wasm"])
    figures = ROOT / "tests" / "browser" / "screenshots" / "figures.json"
    if figures.exists():
        tti = json.loads(figures.read_text()).get("timeToInteractive")
        if tti:
            data["time_to_interactive"] = tti
            rows.append(["page time to interactive (ms)", f'{tti["medianMs"]:.0f}', "",
                         "median of 5 cold loads, from the last `make test-browser`"])
    save("sizes", "Sizes (bytes)", ["artifact", "bytes", "gzipped", "note"], rows, data)


if __name__ == "__main__":
    main()
