"""The system print spooler on Linux and macOS: CUPS through its ``lp`` and
``lpoptions`` commands (no Qt). Before a job goes out, the printer's state is
read, so a missing, paused/stopped/offline or paper-less printer becomes a
typed :class:`~baliedesk.printing.errors.PrinterUnavailable` instead of a job
that silently waits in the queue.

Windows has no ``lp``; there the Qt path (:mod:`baliedesk.printing.qtprint`)
renders the PDF onto a QPrinter.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from baliedesk.printing.errors import PrinterUnavailable

TIMEOUT_S = 15
OUT_OF_PAPER = ("media-empty", "media-needed")
OFFLINE = ("offline", "paused", "shutdown", "stopped", "connecting-to-device", "timed-out")


@dataclass(frozen=True)
class PrinterState:
    name: str
    state: int  # 3 idle, 4 processing, 5 stopped
    reasons: tuple[str, ...]
    accepting: bool


def available() -> bool:
    return shutil.which("lp") is not None and shutil.which("lpoptions") is not None


def _run(args: list[str], data: bytes | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, input=data, capture_output=True, timeout=TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        raise PrinterUnavailable("", "missing", f"{args[0]} not found") from exc
    except subprocess.TimeoutExpired as exc:
        raise PrinterUnavailable(args[-1] if args else "", "offline", "the print spooler does not answer") from exc


def _text(p: subprocess.CompletedProcess) -> str:
    return (p.stdout or b"").decode("utf-8", "replace") + (p.stderr or b"").decode("utf-8", "replace")


def _classify_error(name: str, message: str) -> PrinterUnavailable:
    low = message.lower()
    if "does not exist" in low or "unknown printer" in low or "invalid destination" in low or "no default" in low:
        return PrinterUnavailable(name, "missing", message.strip())
    if "scheduler is not running" in low or "not accepting" in low or "unable to connect" in low:
        return PrinterUnavailable(name, "offline", message.strip())
    return PrinterUnavailable(name, "failed", message.strip())


def default_printer() -> str:
    """The system's default printer; PrinterUnavailable(missing) when there is none."""
    p = _run(["lpstat", "-d"])
    m = re.search(r"destination:\s*(\S+)", _text(p))
    if p.returncode != 0 or not m:
        raise _classify_error("", _text(p) or "no default destination")
    return m.group(1)


def parse_options(name: str, text: str) -> PrinterState:
    """``lpoptions -p NAME`` output -> state (pure; tested on its own)."""
    values = dict(re.findall(r"(printer-state|printer-state-reasons|printer-is-accepting-jobs)=(\S+)", text))
    reasons = tuple(r for r in values.get("printer-state-reasons", "none").split(",") if r and r != "none")
    state = int(values["printer-state"]) if values.get("printer-state", "").isdigit() else 3
    accepting = values.get("printer-is-accepting-jobs", "true").lower() != "false"
    return PrinterState(name, state, reasons, accepting)


def check_state(state: PrinterState) -> None:
    """Raise PrinterUnavailable when the printer cannot print now."""
    if any(r.startswith(OUT_OF_PAPER) for r in state.reasons):
        raise PrinterUnavailable(state.name, "out_of_paper", ",".join(state.reasons))
    if state.state == 5 or not state.accepting or any(r.startswith(OFFLINE) for r in state.reasons):
        raise PrinterUnavailable(state.name, "offline", f"state {state.state}, {','.join(state.reasons) or 'none'}")


def printer_state(name: str) -> PrinterState:
    p = _run(["lpoptions", "-p", name])
    if p.returncode != 0:
        raise _classify_error(name, _text(p))
    return parse_options(name, _text(p))


def submit(pdf: bytes, printer: str = "", *, title: str = "BalieDesk", paper: str = "80mm") -> str:
    """Hand ``pdf`` to CUPS; returns the job id (``"printer-12"``).

    ``printer`` empty: the system's default. Raises PrinterUnavailable when the
    printer is missing, offline or out of paper, or the spooler refuses the job.
    """
    name = printer or default_printer()
    check_state(printer_state(name))
    args = ["lp", "-d", name, "-t", title[:120]]
    if paper in ("A4", "A5"):
        args += ["-o", f"media={paper}"]
    p = _run([*args, "-"], pdf)
    out = _text(p)
    m = re.search(r"request id is (\S+)", out)
    if p.returncode != 0 or not m:
        raise _classify_error(name, out or f"lp exited with {p.returncode}")
    return m.group(1)


def printer_names() -> tuple[list[str], str]:
    """The print queues CUPS knows (``lpstat -e``) and the default one ("" when none);
    ([], "") when the spooler cannot be asked."""
    if shutil.which("lpstat") is None:
        return [], ""
    try:
        p = _run(["lpstat", "-e"])
    except PrinterUnavailable:
        return [], ""
    names = [line.strip() for line in _text(p).splitlines() if line.strip() and " " not in line.strip()] \
        if p.returncode == 0 else []
    try:
        default = default_printer()
    except PrinterUnavailable:
        default = ""
    return names, default
