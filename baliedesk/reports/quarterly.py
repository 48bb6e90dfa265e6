"""The "Kwartaalrapportage servicenormen": a PDF in the form municipalities publish.

Per norm: the target, the realised figure, the quarter before, a bar chart and a
short B1 explanation; then the waits per service and the evening opening.
Built with reportlab (platypus for the text, reportlab.graphics for the charts).
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from reportlab.graphics.charts.barcharts import HorizontalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from baliedesk.i18n import _
from baliedesk.reports import texts as T
from baliedesk.services.report_dto import NormTile, QuarterReport

_BLUE = colors.HexColor("#1F4E8C")
_GREY = colors.HexColor("#9AA0A6")


def _chart(tile: NormTile, previous_label: str, current_label: str) -> Drawing:
    """Two bars (the quarter before, this quarter) and the target as a line."""
    width, height = 160 * mm, 26 * mm
    d = Drawing(width, height)
    values = [tile.previous or 0.0, tile.realised or 0.0]
    top = max(100.0, *values, tile.target) if tile.unit == "percent" else max(1.0, *values, tile.target) * 1.25
    chart = HorizontalBarChart()
    chart.x, chart.y, chart.width, chart.height = 38 * mm, 4 * mm, 110 * mm, 18 * mm
    chart.data = [values]
    chart.valueAxis.valueMin, chart.valueAxis.valueMax = 0, top
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7
    chart.categoryAxis.categoryNames = [previous_label, current_label]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 8
    chart.bars[0].fillColor = _BLUE
    chart.bars[(0, 0)].fillColor = _GREY
    chart.barSpacing = 2
    d.add(chart)
    x = chart.x + chart.width * tile.target / top
    d.add(Line(x, chart.y - 2, x, chart.y + chart.height + 2, strokeColor=colors.HexColor("#B00020"),
               strokeWidth=1.5, strokeDashArray=[3, 2]))
    d.add(String(x + 2, chart.y + chart.height, _("doel"), fontName="Helvetica", fontSize=7,
                 fillColor=colors.HexColor("#B00020")))
    return d


def build_quarterly_pdf(report: QuarterReport, out: str | Path | IO[bytes], *, compress: bool = True) -> None:
    """Write the report; ``compress=False`` leaves the page text readable in the file (for tests)."""
    styles = getSampleStyleSheet()
    h1 = ParagraphStyle("h1", parent=styles["Title"], fontName="Helvetica-Bold", fontSize=18, alignment=0)
    h2 = ParagraphStyle("h2", parent=styles["Heading2"], fontName="Helvetica-Bold", fontSize=12, spaceBefore=8)
    body = ParagraphStyle("body", parent=styles["BodyText"], fontName="Helvetica", fontSize=10, leading=14)
    small = ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=colors.HexColor("#5F6368"))
    tiles = report.tiles
    prev_label = _("Vorig kwartaal")
    cur_label = _("Dit kwartaal")
    story: list = [
        Paragraph(_("Kwartaalrapportage servicenormen"), h1),
        Paragraph(_("{location}, {quarter}: {start} tot en met {end}").format(
            location=report.location_name, quarter=report.quarter, start=report.period_start.strftime("%d-%m-%Y"),
            end=report.period_end.strftime("%d-%m-%Y")), body),
        Spacer(1, 4 * mm),
        Paragraph(_("Wij beloven inwoners hoe snel en hoe goed wij helpen. Dat zijn onze servicenormen. "
                    "In dit verslag staat per norm wat ons doel is, wat het dit kwartaal was en wat het het "
                    "kwartaal ervoor was."), body),
        Spacer(1, 4 * mm),
    ]
    summary = [[_("Norm"), _("Doel"), _("Dit kwartaal"), _("Vorig kwartaal"), _("Oordeel")]]
    for t in tiles.tiles:
        summary.append([T.NORM_LABELS[t.norm], T.figure(t.unit, t.target), T.figure(t.unit, t.realised),
                        T.figure(t.unit, t.previous), T.VERDICT_WORDS[t.verdict]])
    table = Table(summary, colWidths=[62 * mm, 22 * mm, 28 * mm, 28 * mm, 30 * mm], repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), "Helvetica", 9), ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 9),
             ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP"),
             ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#F1F3F4")])]
    for i, t in enumerate(tiles.tiles, start=1):
        style.append(("TEXTCOLOR", (4, i), (4, i), colors.HexColor(T.VERDICT_COLOURS[t.verdict])))
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 4 * mm)]
    for t in tiles.tiles:
        story.append(KeepTogether([
            Paragraph(T.NORM_LABELS[t.norm], h2),
            Paragraph(T.explanation(t.norm, t.unit, t.target, t.threshold, t.realised, t.previous, t.count,
                                    t.verdict), body),
            _chart(t, prev_label, cur_label),
        ]))
    outliers = sum(w.outliers for w in report.waits if w.day_part is None)
    if outliers:
        story.append(Paragraph(_("{n} bezoeken hadden een onwaarschijnlijk lange behandeltijd (meer dan vier keer "
                                 "de gewone tijd van die dienst; bijvoorbeeld vergeten af te ronden). Die tellen "
                                 "niet mee in de gemiddelde behandeltijd.").format(n=outliers), body))
    story.append(Paragraph(_("Wachttijden per dienst"), h2))
    story.append(Paragraph(_("De helft van de bezoekers wachtte korter dan P50. Negen op de tien wachtten korter "
                             "dan P90."), body))
    rows = [[_("Dienst"), _("Dagdeel"), _("Bezoekers"), _("Gemiddeld"), "P50", "P90", _("Langste")]]
    for w in report.waits:
        rows.append([w.service_name, T.DAY_PARTS.get(w.day_part, w.day_part), str(w.count), T.minutes(w.average_s),
                     T.minutes(w.p50_s), T.minutes(w.p90_s), T.minutes(w.max_s)])
    wt = Table(rows, colWidths=[50 * mm, 22 * mm, 20 * mm, 22 * mm, 20 * mm, 20 * mm, 20 * mm], repeatRows=1)
    wt.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), "Helvetica", 8),
                            ("FONT", (0, 0), (-1, 0), "Helvetica-Bold", 8),
                            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black)]))
    story.append(wt)
    ev = {t.norm: t for t in report.evening_tiles.tiles}["walk_in_wait"]
    story.append(Paragraph(_("Avondopenstelling"), h2))
    if ev.count:
        story.append(Paragraph(_("In de avond kwamen {n} bezoekers zonder afspraak. {share} van hen was op tijd "
                                 "aan de beurt.").format(n=ev.count, share=T.figure("percent", ev.realised)), body))
    else:
        story.append(Paragraph(_("Er waren dit kwartaal geen bezoekers in de avond."), body))
    story.append(Spacer(1, 6 * mm))
    story.append(Paragraph(_("Gemaakt met BalieDesk op {date}. Hoe elk cijfer berekend is, staat in "
                             "docs/norms.md.").format(date=report.made_at.strftime("%d-%m-%Y")), small))
    target = str(out) if isinstance(out, Path) else out
    doc = SimpleDocTemplate(target, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                            bottomMargin=16 * mm, title=_("Kwartaalrapportage servicenormen"),
                            author="BalieDesk", subject=f"{report.location_name} {report.quarter}",
                            pageCompression=1 if compress else 0)
    doc.build(story)
