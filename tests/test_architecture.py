"""The layer directions in pyproject.toml ([tool.importlinter]) are kept."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _contracts() -> list[dict]:
    with open(ROOT / "pyproject.toml", "rb") as fh:
        return tomllib.load(fh)["tool"]["importlinter"]["contracts"]


def _lint_imports() -> Path:
    scripts = Path(sys.executable).parent
    for name in ("lint-imports", "lint-imports.exe"):
        if (scripts / name).exists():
            return scripts / name
    raise AssertionError(f"lint-imports not found beside {sys.executable}: install the test extras")


def test_contracts_are_configured():
    contracts = _contracts()
    names = {c["name"] for c in contracts}
    assert len(contracts) >= 5 and len(names) == len(contracts)
    layers = next(c for c in contracts if c["type"] == "layers")
    # UI over services over domain: the order is the architecture.
    order = layers["layers"]
    assert order.index("baliedesk.storage") < order.index("baliedesk.services") < order.index("baliedesk.domain")
    forbidden = {c["source_modules"][0]: set(c["forbidden_modules"]) for c in contracts if c["type"] == "forbidden"}
    assert {"sqlalchemy", "PySide6", "baliedesk.storage"} <= forbidden["baliedesk.domain"]
    assert {"sqlalchemy", "PySide6", "baliedesk.storage"} <= forbidden["baliedesk.services"]


def test_import_contracts_are_kept():
    proc = subprocess.run(
        [str(_lint_imports()), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    summary = re.search(r"Contracts: (\d+) kept, (\d+) broken\.", output)
    assert summary, output
    kept, broken = int(summary.group(1)), int(summary.group(2))
    assert (kept, broken) == (len(_contracts()), 0), output
    for contract in _contracts():
        assert f"{contract['name']} KEPT" in output, output


def test_counter_window_module_loads_without_print_pdf_and_holiday_modules():
    """What the counter window needs only later (a print dialog, a holiday list,
    reportlab's slips) is imported when first used, not at start: the window
    must be usable within 1.5 s (bench/startup.py measures that)."""
    later = ["PySide6.QtPrintSupport", "PySide6.QtPdf", "baliedesk.printing.qtprint", "holidays", "reportlab"]
    code = ("import sys; import baliedesk.ui.counter.window, baliedesk.ui.launch; "
            f"print(','.join(m for m in {later!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "", f"imported at start: {out.stdout.strip()}"
