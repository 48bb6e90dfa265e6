"""CSV and XLSX writers for :class:`ReportTable` (openpyxl, write-only: a year of rows stays fast)."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from baliedesk.reports.xlsx import FORMULA_START as _FORMULA_START  # text that starts like a formula: quoted
from baliedesk.services.report_dto import ReportTable


def _safe(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(table: ReportTable, out: str | Path | IO[str]) -> None:
    """Semicolon-separated with a BOM, as Dutch Excel opens it; decimals with a comma."""
    def cell(v: object) -> object:
        if isinstance(v, float):
            return f"{v}".replace(".", ",")
        if isinstance(v, bool):
            return "ja" if v else "nee"
        if v is None:
            return ""
        return _safe(v)

    def write(f: IO[str]) -> None:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(table.columns)
        for row in table.rows:
            w.writerow([cell(v) for v in row])

    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8-sig", newline="") as f:
            write(f)
    else:
        write(out)


def _sheet_name(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", title)[:28] or "Blad"
    name, n = base, 2
    while name in taken:
        name, n = f"{base[:25]} {n}", n + 1
    taken.add(name)
    return name


def write_xlsx(tables: Sequence[ReportTable], out: str | Path) -> None:
    """One sheet per table, a bold and frozen header row; dates as dates.

    Written straight as SpreadsheetML (a zip of XML parts, see :mod:`baliedesk.reports.xlsx`): openpyxl
    without lxml needs about 50 us a cell, too slow for a year of rows; the tests read the files
    back with openpyxl.
    """
    from baliedesk.reports.xlsx import write_workbook

    taken: set[str] = set()
    write_workbook([(_sheet_name(t.title, taken), [_safe(c) for c in t.columns], t.rows)
                    for t in tables], out, formula_guard=True)  # the writer quotes formula-like text itself
