#!/usr/bin/env python3
"""How long slips take: building each slip type, and handing one to the spooler.

    python bench/slips.py [--repeat 200] [--spool-repeat 10] [--printer NAME] [--json]

``build_ms``: median wall time to turn the service's result into a finished
PDF (slip blocks + reportlab render, fonts already registered; the first
build of a process, which registers the fonts, is reported apart as
``first_build_ms``). Target: under 15 ms for a ticket. ``build_new_code_ms``
(slips with a QR code): the same with the QR cache emptied before every build,
i.e. a slip whose code was never drawn in this process (a new appointment or
melding); ``build_ms`` then is a reprint or a preview. ``escpos_ms``: the same
slip as ESC/POS commands. ``spool_ms``: median time for CUPS to accept a
ticket PDF (``lp``, after the printer-state check), on ``--printer`` or the
``baliedesk-pdf`` cups-pdf queue; left out with the reason when there is no
CUPS. Fixed sample data (baliedesk.printing.samples), so runs compare.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from baliedesk.printing import pdf, receipt, samples, spool  # noqa: E402
from baliedesk.printing import slips as s  # noqa: E402


def cases(branding) -> dict[str, tuple]:
    out = {
        "ticket_80mm": (lambda: s.ticket_slip(samples.ticket(), branding, hours=samples.hours()), "80mm"),
        "appointment_80mm": (lambda: s.appointment_slip(samples.appointment(), branding), "80mm"),
        "appointment_A5": (lambda: s.appointment_slip(samples.appointment(), branding), "A5"),
    }
    try:
        samples.melding()
        out["melding_80mm"] = (lambda: s.melding_slip(samples.melding(), branding), "80mm")
        out["melding_A4"] = (lambda: s.melding_slip(samples.melding(), branding), "A4")
        out["callback_80mm"] = (lambda: s.callback_slip(samples.callback(), branding), "80mm")
    except ImportError:
        pass  # meldingen (issue 5) not on this branch
    return out


def median_ms(func, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 3)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=200)
    ap.add_argument("--spool-repeat", type=int, default=10)
    ap.add_argument("--printer", default="baliedesk-pdf")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    tmp = tempfile.TemporaryDirectory()
    branding = samples.branding(samples.make_logo(Path(tmp.name) / "logo.png"))
    all_cases = cases(branding)
    t0 = time.perf_counter()
    first = all_cases["ticket_80mm"]
    pdf.render(first[0](), first[1])
    result: dict = {"first_build_ms": round((time.perf_counter() - t0) * 1000, 3), "repeat": args.repeat,
                    "slips": {}}
    for name, (make, paper) in all_cases.items():
        result["slips"][name] = {
            "build_ms": median_ms(lambda make=make, paper=paper: pdf.render(make(), paper), args.repeat),
            "escpos_ms": median_ms(lambda make=make: receipt.escpos_bytes(make()), args.repeat),
            "pdf_bytes": len(pdf.render(make(), paper)),
        }
        if any(isinstance(b, s.Qr) for b in make().blocks):
            def cold(make=make, paper=paper) -> None:
                if hasattr(pdf, "qr_runs"):  # (older builds had no QR cache: every build was cold)
                    pdf.qr_runs.cache_clear()
                pdf.render(make(), paper)
            result["slips"][name]["build_new_code_ms"] = median_ms(cold, args.repeat)
    result["ticket_target_ms"] = 15
    result["ticket_within_target"] = result["slips"]["ticket_80mm"]["build_ms"] < 15

    if not spool.available():
        result["spool"] = {"skipped": "no CUPS client (lp) on this machine"}
    else:
        try:
            spool.printer_state(args.printer)
            ticket_pdf = pdf.render(first[0](), "80mm")
            jobs: list[str] = []
            ms = median_ms(lambda: jobs.append(spool.submit(ticket_pdf, args.printer, title="bench-slip")),
                           args.spool_repeat)
            result["spool"] = {"printer": args.printer, "submit_ms": ms, "jobs": len(jobs)}
            subprocess.run(["cancel", *jobs], capture_output=True, check=False)
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            result["spool"] = {"skipped": f"{type(exc).__name__}: {exc}"}
    result["load_avg_1m"] = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None

    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for name, v in result["slips"].items():
            cold = f"  new code {v['build_new_code_ms']:7.2f} ms" if "build_new_code_ms" in v else ""
            print(f"{name:18s} build {v['build_ms']:7.2f} ms{cold}  escpos {v['escpos_ms']:6.2f} ms"
                  f"  {v['pdf_bytes']} bytes")
        print("spool:", result["spool"])
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
