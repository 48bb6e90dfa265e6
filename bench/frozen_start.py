#!/usr/bin/env python3
"""The frozen program (installer/dist/baliedesk) against the source tree: how fast the counter is usable.

    QT_QPA_PLATFORM=offscreen bench/frozen_start.py --json [--runs 5] [--bundle installer/dist/baliedesk]

Same measurement as bench/startup.py (its ``prepare`` and ``one_run``: a seeded SQLite
database, the demo clerk remembered at Balie 3, ``BALIEDESK_STARTUP_PROBE=signed-in``,
from spawning the process to the window's ready signal), once with the frozen
``baliedesk`` program and once with ``python -m baliedesk`` from this tree, alternating
run by run so both see the same machine load. Medians after one unmeasured warm-up each.
Build the bundle first with installer/build-linux.

Prints {"frozen_s", "source_s", "bundle_mb", "frozen_rss_mb", "source_rss_mb", ...}.
Target (issue 16): frozen_s no slower than source_s.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from startup import one_run, prepare  # noqa: E402


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bundle", type=Path, default=ROOT / "installer" / "dist" / "baliedesk",
                    help="the frozen build's folder (default: installer/dist/baliedesk)")
    ap.add_argument("--timeout", type=float, default=120.0)
    args = ap.parse_args(argv)

    program = args.bundle / ("baliedesk.exe" if os.name == "nt" else "baliedesk")
    if not program.is_file():
        raise SystemExit(f"no frozen build at {program}: run installer/build-linux first")
    frozen_cmd = [str(program)]
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    frozen, source = [], []
    with tempfile.TemporaryDirectory(prefix="baliedesk-frozen-start-") as tmp:
        url, config = prepare(Path(tmp))
        one_run(url, config, "counter", "signed-in", args.timeout, frozen_cmd)  # warm-ups: fill the file cache
        one_run(url, config, "counter", "signed-in", args.timeout)
        for _ in range(max(1, args.runs)):
            frozen.append(one_run(url, config, "counter", "signed-in", args.timeout, frozen_cmd))
            source.append(one_run(url, config, "counter", "signed-in", args.timeout))

    def med(runs: list[dict], key: str) -> float:
        return round(statistics.median(r[key] for r in runs), 3)

    result = {
        "frozen_s": med(frozen, "startup_s"),
        "source_s": med(source, "startup_s"),
        "bundle_mb": round(folder_mb(args.bundle), 1),
        "frozen_rss_mb": med(frozen, "rss_mb"),
        "source_rss_mb": med(source, "rss_mb"),
        "frozen_cpu_s": med(frozen, "cpu_s"),
        "source_cpu_s": med(source, "cpu_s"),
        "runs": len(frozen),
        "frozen_s_runs": [round(r["startup_s"], 3) for r in frozen],
        "source_s_runs": [round(r["startup_s"], 3) for r in source],
        "window": "counter (signed-in queue)",
        "bundle": str(args.bundle),
        "qpa": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        "cpus": os.cpu_count(),
        "loadavg_1m_before": None if load_before is None else round(load_before, 2),
    }
    result["target_met"] = result["frozen_s"] <= result["source_s"]
    if args.json:
        print(json.dumps(result))
    else:
        print(f"counter usable after {result['frozen_s']:.3f} s frozen, {result['source_s']:.3f} s from source "
              f"(medians of {len(frozen)}); bundle {result['bundle_mb']} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
