"""The layer directions in pyproject.toml ([tool.importlinter]) are kept."""

from __future__ import annotations

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
