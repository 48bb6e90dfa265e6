#!/usr/bin/env python3
"""Run the benchmarks with moderate sizes; print one JSON object per run (one per line).

    python bench/run_all.py [--full] [--only NAME ...]      (``./dev bench`` runs this)

SQLite always; PostgreSQL too when it answers at ``BALIEDESK_BENCH_PG_URL``
(default ``postgresql://postgres@127.0.0.1:5432/test``; every run works in a
schema of its own that is dropped afterwards). ``--full`` adds the big runs
quoted in the targets: 32 workers and 1,000,000 historical tickets (the bulk
load takes a few minutes). Every run is its own process; a run that fails
prints ``{"bench": ..., "error": ...}`` and makes the exit status non-zero.
See bench/README.md for what each number means and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from _benchlib import DEFAULT_PG_URL, pg_reachable  # noqa: E402


def plan(pg_url: str | None, full: bool) -> list[tuple[str, list[str]]]:
    """(script, arguments) of every run, in order."""
    backends: list[list[str]] = [[]]  # SQLite: a temporary file
    if pg_url:
        backends.append(["--database-url", pg_url])
    runs: list[tuple[str, list[str]]] = []
    for db in backends:
        runs.append(("queue_contention.py", [*db, "--workers", "8", "--tickets", "400"]))
        if full:
            runs.append(("queue_contention.py", [*db, "--workers", "32", "--tickets", "960"]))
        for history in (1_000, 1_000_000) if full else (1_000, 100_000):
            runs.append(("call_next_latency.py", [*db, "--history", str(history)]))
        runs.append(("call_next_latency.py", [*db, "--history", "1000", "--workers", "8", "--calls", "150"]))
    # Benchmarks of other parts of BalieDesk, when present.
    if (BENCH / "startup.py").exists():
        runs.append(("startup.py", []))
    if (BENCH / "display_latency.py").exists():
        runs.extend(("display_latency.py", db) for db in backends)
    if (BENCH / "slots.py").exists():
        runs.extend(("slots.py", db) for db in backends)
    return runs


def run_one(script: str, args: list[str], timeout: float) -> tuple[dict, bool]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    cmd = [sys.executable, str(BENCH / script), *args, "--json"]
    started = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=BENCH.parent)
    except subprocess.TimeoutExpired:
        return {"bench": script.removesuffix(".py"), "args": args, "error": f"timed out after {timeout:.0f} s"}, False
    lines = [line for line in proc.stdout.splitlines() if line.strip().startswith("{")]
    try:
        result = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        return {"bench": script.removesuffix(".py"), "args": args, "exit": proc.returncode,
                "error": " | ".join(tail)[:800]}, False
    result.setdefault("bench", script.removesuffix(".py"))
    result["run_s"] = round(time.monotonic() - started, 1)
    if proc.returncode != 0:
        result["exit"] = proc.returncode
    return result, proc.returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="add 32 workers and 1,000,000 historical tickets")
    parser.add_argument("--only", nargs="*", default=None, help="only these scripts (e.g. queue_contention)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="per run, seconds")
    args = parser.parse_args(argv)

    url = os.environ.get("BALIEDESK_BENCH_PG_URL", "").strip() or DEFAULT_PG_URL
    pg_url = url if pg_reachable(url) else None
    if pg_url is None:
        print(json.dumps({"bench": "run_all", "note": f"PostgreSQL not reachable at {url}: SQLite only"}), flush=True)
    ok = True
    for script, script_args in plan(pg_url, args.full):
        if args.only and script.removesuffix(".py") not in args.only:
            continue
        result, good = run_one(script, script_args, args.timeout)
        ok &= good
        print(json.dumps(result), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
