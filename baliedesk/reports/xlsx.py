"""A small, fast XLSX (SpreadsheetML) writer: inline strings, numbers, booleans, dates; a bold, frozen
header row. Enough for the exports, about a microsecond or two per cell."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

_EPOCH = dt.datetime(1899, 12, 30)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NEEDS_WORK = re.compile(r'[&<>"\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]')
_STYLE_BOLD, _STYLE_DATE, _STYLE_DATETIME = 1, 2, 3

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '{sheets}</Types>')
_SHEET_TYPE = ('<Override PartName="/xl/worksheets/sheet{n}.xml" '
               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" '
         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="xl/workbook.xml"/></Relationships>')
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="dd-mm-yyyy hh:mm"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')


def _col(i: int) -> str:
    name = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        name = chr(65 + r) + name
    return name


def _cell(ref: str, v: object, style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    kind = type(v)
    if kind is str:
        return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{_text(v)}</t></is></c>'  # type: ignore[arg-type]
    if kind is int or kind is float:
        if v != v:  # NaN
            return ""
        return f'<c r="{ref}"{s}><v>{v!r}</v></c>'
    if v is None:
        return ""
    if kind is bool:
        return f'<c r="{ref}" t="b"{s}><v>{int(v)}</v></c>'  # type: ignore[call-overload]
    if isinstance(v, dt.datetime):
        naive = v.replace(tzinfo=None) if v.tzinfo is None else v.astimezone(dt.UTC).replace(tzinfo=None)
        serial = (naive - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{_STYLE_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(v, dt.date):
        return f'<c r="{ref}" s="{_STYLE_DATE}"><v>{(v - _EPOCH.date()).days}</v></c>'
    if isinstance(v, (int, float)):  # int and float subclasses (enums)
        return _cell(ref, float(v) if isinstance(v, float) else int(v), style)
    return _cell(ref, str(v), style)


def _text(value: str) -> str:
    if _NEEDS_WORK.search(value) is None:
        return value
    return escape(_ILLEGAL.sub("", value), {'"': "&quot;"})


#: Text a spreadsheet program would run as a formula; with ``formula_guard`` such text gets a leading quote.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _sheet(columns: Sequence[str], rows: Iterable[Sequence[object]], formula_guard: bool = False) -> str:
    """One worksheet. The common cells (text, whole and broken numbers, empty) are written inline in one
    loop, about half a microsecond each; the rest (dates, booleans, subclasses) through :func:`_cell`."""
    letters = [_col(i) for i in range(max(len(columns), 1) + 64)]
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
             'state="frozen"/></sheetView></sheetViews><sheetData>',
             '<row r="1">' + "".join(_cell(f"{letters[i]}1", c, _STYLE_BOLD) for i, c in enumerate(columns))
             + "</row>"]
    append = parts.append
    needs_work = _NEEDS_WORK.search
    for r, row in enumerate(rows, start=2):
        rs = str(r)
        append(f'<row r="{rs}">')
        for i, v in enumerate(row):
            kind = type(v)
            if kind is str:
                if formula_guard and v.startswith(FORMULA_START):  # type: ignore[attr-defined]
                    v = "'" + v  # type: ignore[operator]
                text = v if needs_work(v) is None else _text(v)  # type: ignore[arg-type]
                append(f'<c r="{letters[i]}{rs}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
            elif kind is int or (kind is float and v == v):
                append(f'<c r="{letters[i]}{rs}"><v>{v!r}</v></c>')
            elif v is None:
                continue
            else:
                if formula_guard and isinstance(v, str) and v.startswith(FORMULA_START):
                    v = "'" + v
                append(_cell(letters[i] + rs, v))
        append("</row>")
    append("</sheetData></worksheet>")
    return "".join(parts)


def write_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[object]]]],
                   out: str | Path, *, formula_guard: bool = False) -> None:
    """``sheets``: (name, header, rows) each; names unique, at most 31 characters. ``formula_guard``: text
    cells that start like a formula (:data:`FORMULA_START`) get a leading quote."""
    n = len(sheets)
    workbook = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
                + "".join(f'<sheet name="{_text(name)}" sheetId="{i}" r:id="rId{i}"/>'
                          for i, (name, _c, _r) in enumerate(sheets, start=1))
                + "</sheets></workbook>")
    wb_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
               + "".join(f'<Relationship Id="rId{i}" '
                         'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                         f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
               + f'<Relationship Id="rId{n + 1}" '
               'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
               'Target="styles.xml"/></Relationships>')
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml",
                   _CONTENT_TYPES.format(sheets="".join(_SHEET_TYPE.format(n=i) for i in range(1, n + 1))))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", workbook)
        z.writestr("xl/_rels/workbook.xml.rels", wb_rels)
        z.writestr("xl/styles.xml", _STYLES)
        for i, (_name, columns, rows) in enumerate(sheets, start=1):
            z.writestr(f"xl/worksheets/sheet{i}.xml", _sheet(columns, rows, formula_guard))
