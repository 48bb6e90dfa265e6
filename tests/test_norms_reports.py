"""Exports and the quarterly report: CSV, XLSX and PDF made and readable (both backends), and the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import subprocess

import pytest

from baliedesk.reports import export, tables
from baliedesk.reports.quarterly import build_quarterly_pdf
from baliedesk.services import demo
from baliedesk.services import reports as R
from baliedesk.services.report_dto import ReportTable
from tests.norms_data import add_visit, local

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


@pytest.fixture
def quarter(backend, now):
    ids = demo.seed(backend, now, history=False, hours=True)
    a = ids.services["A"]
    for day, wait in ((dt.date(2026, 7, 2), 5), (dt.date(2026, 8, 13), 15), (dt.date(2026, 4, 9), 3)):
        arrive = local(day, "10:00")
        add_visit(backend, ids.location_id, a, arrive, calls=(arrive + dt.timedelta(minutes=wait),),
                  finish=arrive + dt.timedelta(minutes=wait + 10))
    evening = local(dt.date(2026, 8, 13), "17:40")
    add_visit(backend, ids.location_id, a, evening, calls=(evening + dt.timedelta(minutes=2),),
              finish=evening + dt.timedelta(minutes=8))
    R.record_rating(backend, ids.users["kiosk-ingang"], ids.location_id, a, 8, "=cmd| 'x' koffie?",
                    local(dt.date(2026, 7, 2), "10:30"))
    return ids


def _all_tables(backend, ids, now) -> list[ReportTable]:
    lead, loc = ids.users["fatima"], ids.location_id
    return [tables.tiles_table(R.norm_tiles(backend, lead, loc, *Q3, now)),
            tables.waits_table(R.wait_distribution(backend, lead, loc, *Q3, now)),
            tables.daily_table(R.daily_trend(backend, lead, loc, *Q3, now)),
            tables.heatmap_table(R.week_heatmap(backend, lead, loc, *Q3, now)),
            R.visits_behind(backend, lead, loc, "rating_good", *Q3, now),
            R.visits_behind(backend, lead, loc, "walk_in_wait", *Q3, now)]


def test_csv_and_xlsx_read_back(backend, quarter, now, tmp_path):
    from openpyxl import load_workbook

    all_tables = _all_tables(backend, quarter, now)
    for i, t in enumerate(all_tables):
        path = tmp_path / f"t{i}.csv"
        export.write_csv(t, path)
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
        assert tuple(rows[0]) == t.columns and len(rows) == len(t.rows) + 1
    ratings = tmp_path / "t4.csv"
    assert "'=cmd" in ratings.read_text(encoding="utf-8-sig")  # a formula is never run by a spreadsheet
    xlsx = tmp_path / "alles.xlsx"
    export.write_xlsx(all_tables, xlsx)
    wb = load_workbook(xlsx, read_only=True)
    assert len(wb.sheetnames) == len(all_tables)
    tiles = list(wb[wb.sheetnames[0]].iter_rows(values_only=True))
    assert tiles[0][0] == "Norm" and len(tiles) == 10
    walk = next(r for r in tiles if r[1] == "walk_in_wait")
    assert (walk[6], walk[7], walk[5]) == (2, 3, pytest.approx(66.7))  # 5 and 2 minutes within, 15 not
    daily = list(wb[wb.sheetnames[2]].iter_rows(values_only=True))
    assert [r[0].date() for r in daily[1:]] == [dt.date(2026, 7, 2), dt.date(2026, 8, 13)]


def test_quarterly_pdf_has_every_norm(backend, quarter, now, tmp_path):
    report = R.quarterly_report(backend, quarter.users["fatima"], quarter.location_id, "2026Q3", now)
    assert report.tiles.previous_start == dt.date(2026, 4, 1)
    walk = {t.norm: t for t in report.tiles.tiles}["walk_in_wait"]
    assert walk.previous == pytest.approx(100.0)
    assert {t.norm: t for t in report.evening_tiles.tiles}["walk_in_wait"].count == 1
    out = tmp_path / "q3.pdf"
    build_quarterly_pdf(report, out)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 3000
    plain = tmp_path / "q3-plain.pdf"
    build_quarterly_pdf(report, plain, compress=False)  # the page text as literal strings
    raw = plain.read_bytes().decode("latin-1")
    for text in ("Kwartaalrapportage servicenormen", "Zonder afspraak op tijd geholpen", "Rapportcijfer 7 of hoger",
                 "66,7%", "100,0%", "Avondopenstelling", "Vorig kwartaal"):
        assert text in raw, text
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
        assert "Kwartaalrapportage servicenormen" in text
        assert "Zonder afspraak op tijd geholpen" in text and "Rapportcijfer 7 of hoger" in text
        assert "66,7%" in text and "100,0%" in text
        assert "Avondopenstelling" in text


def test_report_command_line(backend, quarter, tmp_path):
    from baliedesk import cli

    url = backend.url
    out = tmp_path / "rapport.pdf"
    assert cli.main(["report", "--quarter", "2026Q3", "--location", str(quarter.location_id), "--out", str(out),
                     "--database-url", url]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert cli.main(["report", "--quarter", "2026Q9", "--location", str(quarter.location_id), "--out",
                     str(tmp_path / "x.pdf"), "--database-url", url]) == 2
    assert cli.main(["report", "--quarter", "2026Q3", "--location", "999", "--out",
                     str(tmp_path / "x.pdf"), "--database-url", url]) == 2


def test_xlsx_writer_values_read_back(tmp_path):
    from openpyxl import load_workbook

    t = ReportTable("Proef: a/b [c]", ("Tekst", "Getal", "Ja/nee", "Dag", "Moment", "Leeg"),
                    (("<b>&\"x\"\x01", 1.5, True, dt.date(2026, 7, 2), dt.datetime(2026, 7, 2, 10, 30, tzinfo=dt.UTC),
                      None), ("=1+1", -3, False, dt.date(1999, 12, 31), dt.datetime(2026, 1, 1), None)))
    path = tmp_path / "p.xlsx"
    export.write_xlsx([t, t], path)
    wb = load_workbook(path)
    assert len(wb.sheetnames) == 2 and wb.sheetnames[0] != wb.sheetnames[1]
    ws = wb[wb.sheetnames[0]]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == t.columns and ws["A1"].font.b and ws.freeze_panes == "A2"
    assert rows[1][:4] == ('<b>&"x"', 1.5, True, dt.datetime(2026, 7, 2))
    assert rows[1][4] == dt.datetime(2026, 7, 2, 10, 30)
    assert rows[2][:4] == ("'=1+1", -3, False, dt.datetime(1999, 12, 31))


def test_norms_through_the_client_and_the_server(backend, quarter, now):
    """The dashboard's reads cross the network as themselves (DTOs with dates, floats and None)."""
    from tests.server_support import TestServer

    server = TestServer(backend, clock=lambda: now).start()
    try:
        lead = server.client(quarter.users["fatima"])
        tiles = lead.reports.norm_tiles(quarter.location_id, *Q3)
        local = R.norm_tiles(backend, quarter.users["fatima"], quarter.location_id, *Q3, now)
        assert tiles == local
        assert lead.reports.week_heatmap(quarter.location_id, *Q3) == R.week_heatmap(
            backend, quarter.users["fatima"], quarter.location_id, *Q3, now)
        kiosk = server.client(quarter.users["kiosk-ingang"])
        rating = kiosk.reports.record_rating(quarter.location_id, quarter.services["A"], 9, None)
        assert rating.rating == 9 and rating.day == now.date()
        from baliedesk.domain.errors import PermissionDenied

        with pytest.raises(PermissionDenied):
            kiosk.reports.norm_tiles(quarter.location_id, *Q3)
    finally:
        server.stop()
