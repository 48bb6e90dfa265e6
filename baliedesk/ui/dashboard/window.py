"""The team lead's dashboard: the service norms, charts, today live, drill-down and exports.

Every read goes through the client (``client.reports.norm_tiles(location_id, start, end, ...)``)
on a worker thread (``run_task``); the window has no backend, user id or clock of its own
(today comes from ``client.now()``). Charts are pyqtgraph (MIT). Colours always come with words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from baliedesk.i18n import _
from baliedesk.reports import export, tables
from baliedesk.reports import texts as T
from baliedesk.services.report_dto import DailyPoint, HeatCell, LiveToday, NormTiles, ReportTable, WaitRow
from baliedesk.ui.common.tasks import run_task

PERIODS = (("today", _("Vandaag")), ("week", _("Deze week")), ("month", _("Deze maand")),
           ("quarter", _("Dit kwartaal")), ("year", _("Dit jaar")), ("custom", _("Zelf kiezen")))
LIVE_REFRESH_MS = 15_000


def period_dates(kind: str, today: dt.date, custom: tuple[dt.date, dt.date] | None = None
                 ) -> tuple[dt.date, dt.date]:
    """The dates of a period choice, up to and including today."""
    if kind == "today":
        return today, today
    if kind == "week":
        return today - dt.timedelta(days=today.weekday()), today
    if kind == "month":
        return today.replace(day=1), today
    if kind == "quarter":
        return dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if kind == "year":
        return dt.date(today.year, 1, 1), today
    if custom is None:
        return today, today
    return custom


class NormTileWidget(QFrame):
    """One norm: the realised figure, the target, the verdict in words and colour, the count, the trend."""

    clicked = Signal(str)

    def __init__(self, norm: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.norm = norm
        self.setObjectName(f"tile_{norm}")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        lay = QVBoxLayout(self)
        self.title = QLabel(T.NORM_LABELS[norm])
        self.title.setWordWrap(True)
        self.value = QLabel("-")
        self.value.setStyleSheet("font-size: 22pt; font-weight: bold;")
        self.verdict = QLabel("")
        self.verdict.setStyleSheet("font-weight: bold;")
        self.detail = QLabel("")
        self.detail.setWordWrap(True)
        for w in (self.title, self.value, self.verdict, self.detail):
            lay.addWidget(w)

    def show_tile(self, tile: Any) -> None:
        self.value.setText(T.figure(tile.unit, tile.realised))
        colour = T.VERDICT_COLOURS[tile.verdict]
        self.verdict.setText(T.VERDICT_WORDS[tile.verdict])
        self.verdict.setStyleSheet(f"font-weight: bold; color: {colour};")
        self.setStyleSheet(f"#tile_{self.norm} {{ border: 2px solid {colour}; border-radius: 6px; }}")
        trend = ""
        if tile.trend is not None:
            better = tile.trend >= 0 if tile.higher_is_better else tile.trend <= 0
            arrow = "\u25b2" if tile.trend > 0 else "\u25bc" if tile.trend < 0 else "="
            trend = _("{arrow} {diff} t.o.v. vorige periode ({word})").format(
                arrow=arrow, diff=T.number(abs(tile.trend)), word=_("beter") if better else _("slechter"))
        self.detail.setText(_("Doel {target} · {count} geteld").format(target=T.figure(tile.unit, tile.target),
                                                                      count=tile.count)
                            + ("\n" + trend if trend else ""))

    def mouseReleaseEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.clicked.emit(self.norm)
        super().mouseReleaseEvent(event)


class TableDialog(QDialog):
    """The rows behind a figure, with export."""

    def __init__(self, table: ReportTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self.setWindowTitle(T.NORM_LABELS.get(table.title, table.title))
        lay = QVBoxLayout(self)
        self.grid = table_widget(table)
        lay.addWidget(self.grid)
        if table.truncated:
            lay.addWidget(QLabel(_("Alleen de eerste {n} regels staan hier.").format(n=len(table.rows))))
        self.resize(900, 500)


def table_widget(table: ReportTable) -> QTableWidget:
    w = QTableWidget(len(table.rows), len(table.columns))
    w.setHorizontalHeaderLabels(list(table.columns))
    w.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    for r, row in enumerate(table.rows):
        for c, value in enumerate(row):
            text = "" if value is None else (_("ja") if value is True else _("nee") if value is False else str(value))
            w.setItem(r, c, QTableWidgetItem(text))
    return w


class DashboardWindow(QWidget):
    """``DashboardWindow(client, location_id)``: the client is signed in as the team lead."""

    loaded = Signal()  # every part of a refresh has arrived (tests wait for it)
    error_shown = Signal(str)

    def __init__(self, client: Any, location_id: int, *, timezone: str = "Europe/Amsterdam",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client = client
        self.location_id = location_id
        self.tz = ZoneInfo(timezone)
        self._closed = False
        self._pending = 0
        self.tiles: NormTiles | None = None
        self.waits: tuple[WaitRow, ...] = ()
        self.daily: tuple[DailyPoint, ...] = ()
        self.heat: tuple[HeatCell, ...] = ()
        self.split: dict[str, NormTiles] = {}
        self.live: LiveToday | None = None
        self.setWindowTitle(_("Servicenormen"))
        root = QVBoxLayout(self)
        root.addLayout(self._selectors())
        self.message = QLabel("")
        self.message.setWordWrap(True)
        root.addWidget(self.message)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._tiles_tab(), _("Normen"))
        self.tabs.addTab(self._charts_tab(), _("Grafieken"))
        self.tabs.addTab(self._live_tab(), _("Vandaag"))
        root.addWidget(self.tabs)
        self.live_timer = QTimer(self)
        self.live_timer.setInterval(LIVE_REFRESH_MS)
        self.live_timer.timeout.connect(self.refresh_live)
        self.live_timer.start()
        self._load_services()
        self.refresh()
        self.refresh_live()

    # -- building ----------------------------------------------------------
    def _selectors(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.period = QComboBox()
        for key, label in PERIODS:
            self.period.addItem(label, key)
        self.period.setCurrentIndex(3)  # this quarter
        self.start_edit, self.end_edit = QDateEdit(), QDateEdit()
        for e in (self.start_edit, self.end_edit):
            e.setCalendarPopup(True)
            e.setDisplayFormat("dd-MM-yyyy")
            e.setEnabled(False)
        today = self._today()
        self.start_edit.setDate(today.replace(day=1))
        self.end_edit.setDate(today)
        self.service = QComboBox()
        self.service.addItem(_("Alle diensten"), None)
        self.day_part = QComboBox()
        for key in (None, "dag", "avond"):
            self.day_part.addItem(T.DAY_PARTS[key], key)
        self.refresh_button = QPushButton(_("Vernieuwen"))
        self.csv_button = QPushButton(_("Opslaan als CSV"))
        self.xlsx_button = QPushButton(_("Opslaan als Excel"))
        self.period.currentIndexChanged.connect(self._period_changed)
        for w in (self.service, self.day_part):
            w.currentIndexChanged.connect(lambda _i: self.refresh())
        self.start_edit.dateChanged.connect(lambda _d: self.refresh())
        self.end_edit.dateChanged.connect(lambda _d: self.refresh())
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button.clicked.connect(self._ask_csv)
        self.xlsx_button.clicked.connect(self._ask_xlsx)
        for label, w in ((_("Periode"), self.period), (_("Van"), self.start_edit), (_("Tot en met"), self.end_edit),
                         (_("Dienst"), self.service), (_("Dagdeel"), self.day_part)):
            row.addWidget(QLabel(label))
            row.addWidget(w)
        row.addStretch(1)
        for b in (self.refresh_button, self.csv_button, self.xlsx_button):
            row.addWidget(b)
        return row

    def _tiles_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        grid = QGridLayout()
        self.tile_widgets: dict[str, NormTileWidget] = {}
        for i, norm in enumerate(("walk_in_wait", "appointment_wait", "callback_term", "melding_term",
                                  "melding_days", "complaint_term", "first_line", "no_show", "rating_good")):
            w = NormTileWidget(norm)
            w.clicked.connect(self.show_behind)
            self.tile_widgets[norm] = w
            grid.addWidget(w, i // 3, i % 3)
        lay.addLayout(grid)
        self.split_label = QLabel("")  # the evening opening, always beside daytime
        self.split_label.setWordWrap(True)
        lay.addWidget(self.split_label)
        self.outliers_button = QPushButton("")
        self.outliers_button.clicked.connect(lambda: self.show_behind("handling_outliers"))
        lay.addWidget(self.outliers_button)
        return tab

    def _charts_tab(self) -> QWidget:
        tab = QWidget()
        lay = QGridLayout(tab)
        self.wait_plot = pg.PlotWidget(title=_("Wachttijd per dienst (minuten): P50, P80, P90, langste"))
        self.wait_plot.setBackground("w")
        self.wait_plot.addLegend()
        self.trend_plot = pg.PlotWidget(title=_("Per dag: % op tijd geholpen"))
        self.trend_plot.setBackground("w")
        self.heat_plot = pg.PlotWidget(title=_("Bezoekers per uur van de week (per dag gemiddeld; licht is druk)"))
        self.heat_plot.setBackground("w")
        self.heat_image = pg.ImageItem()
        self.heat_plot.addItem(self.heat_image)
        self.heat_plot.getAxis("left").setTicks([[(i + 0.5, T.WEEKDAYS[i][:2]) for i in range(7)]])
        self.waits_table = QTableWidget()
        lay.addWidget(self.wait_plot, 0, 0)
        lay.addWidget(self.trend_plot, 0, 1)
        lay.addWidget(self.heat_plot, 1, 0)
        lay.addWidget(self.waits_table, 1, 1)
        return tab

    def _live_tab(self) -> QWidget:
        tab = QWidget()
        lay = QVBoxLayout(tab)
        self.live_label = QLabel(_("Even geduld ..."))
        self.live_label.setStyleSheet("font-size: 16pt;")
        self.live_label.setWordWrap(True)
        self.counters_table = QTableWidget(0, 3)
        self.counters_table.setHorizontalHeaderLabels([_("Balie"), _("Medewerker"), _("Helpt nu")])
        lay.addWidget(self.live_label)
        lay.addWidget(self.counters_table)
        return tab

    # -- choices -----------------------------------------------------------
    def _today(self) -> dt.date:
        return self.client.now().astimezone(self.tz).date()

    def _period_changed(self) -> None:
        custom = self.period.currentData() == "custom"
        self.start_edit.setEnabled(custom)
        self.end_edit.setEnabled(custom)
        self.refresh()

    def choice(self) -> dict[str, Any]:
        custom = (self.start_edit.date().toPython(), self.end_edit.date().toPython())
        start, end = period_dates(self.period.currentData(), self._today(), custom)
        return {"start": start, "end": end, "service_id": self.service.currentData(),
                "day_part": self.day_part.currentData()}

    def _load_services(self) -> None:
        def done(services: Any) -> None:
            for s in services:
                self.service.blockSignals(True)
                self.service.addItem(s.name, s.id)
                self.service.blockSignals(False)

        self._run(lambda: self.client.setup.list_services(self.location_id), done, count=False)

    # -- loading -----------------------------------------------------------
    def _run(self, work: Callable[[], Any], on_done: Callable[[Any], None], *, count: bool = True) -> None:
        if count:
            self._pending += 1

        def finished() -> None:
            if count:
                self._pending -= 1
                if self._pending == 0:
                    self.loaded.emit()

        def done(result: Any) -> None:
            if not self._closed:
                on_done(result)
                finished()

        def failed(err: BaseException) -> None:
            if not self._closed:
                text = T.error_text(err)
                self.message.setText(text)
                self.error_shown.emit(text)
                finished()

        run_task(work, done, failed)

    def refresh(self) -> None:
        c = self.choice()
        if self.period.currentData() != "custom":  # show the chosen period's dates (not editable)
            for edit, day in ((self.start_edit, c["start"]), (self.end_edit, c["end"])):
                edit.blockSignals(True)
                edit.setDate(day)
                edit.blockSignals(False)
        loc, start, end = self.location_id, c["start"], c["end"]
        kw = {"service_id": c["service_id"], "day_part": c["day_part"]}
        r = self.client.reports
        self.message.setText("")
        self._run(lambda: r.norm_tiles(loc, start, end, **kw), self._show_tiles)
        self._run(lambda: r.wait_distribution(loc, start, end, **kw), self._show_waits)
        self._run(lambda: r.daily_trend(loc, start, end, **kw), self._show_daily)
        self._run(lambda: r.week_heatmap(loc, start, end, **kw), self._show_heat)
        for part in ("dag", "avond"):
            self._run(lambda p=part: r.norm_tiles(loc, start, end, service_id=c["service_id"], day_part=p),
                      lambda res, p=part: self._show_split(p, res))

    def refresh_live(self) -> None:
        self._run(lambda: self.client.reports.live_today(self.location_id), self._show_live, count=False)

    # -- showing -----------------------------------------------------------
    def _show_tiles(self, tiles: NormTiles) -> None:
        self.tiles = tiles
        for t in tiles.tiles:
            if t.norm in self.tile_widgets:
                self.tile_widgets[t.norm].show_tile(t)

    def _show_split(self, part: str, tiles: NormTiles) -> None:
        self.split[part] = tiles
        words = []
        for p in ("dag", "avond"):
            if p in self.split:
                w = {t.norm: t for t in self.split[p].tiles}["walk_in_wait"]
                words.append(_("{part}: {value} op tijd ({n} bezoekers, {verdict})").format(
                    part=T.DAY_PARTS[p], value=T.figure("percent", w.realised), n=w.count,
                    verdict=T.VERDICT_WORDS[w.verdict].lower()))
        self.split_label.setText(_("Zonder afspraak, overdag en 's avonds: ") + " · ".join(words))

    def _show_waits(self, rows: tuple[WaitRow, ...]) -> None:
        self.waits = rows
        whole = [r for r in rows if r.day_part is None]
        self.wait_plot.clear()
        x = list(range(len(whole)))
        colours = ("#9AA0A6", "#5B8DD6", "#1F4E8C", "#B00020")
        for k, (field, label) in enumerate((("p50_s", "P50"), ("p80_s", "P80"), ("p90_s", "P90"),
                                            ("max_s", _("langste")))):
            heights = [(getattr(r, field) or 0) / 60 for r in whole]
            self.wait_plot.addItem(pg.BarGraphItem(x=[i + (k - 1.5) * 0.2 for i in x], height=heights, width=0.18,
                                                   brush=colours[k], name=label))
        self.wait_plot.getAxis("bottom").setTicks([[(i, r.service_name[:14]) for i, r in enumerate(whole)]])
        t = tables.waits_table(rows)
        fill_table(self.waits_table, t)
        outliers = sum(r.outliers for r in whole)
        self.outliers_button.setText(_("{n} onwaarschijnlijke behandeltijden (tellen niet mee in het "
                                       "gemiddelde) - bekijken").format(n=outliers))

    def _show_daily(self, points: tuple[DailyPoint, ...]) -> None:
        self.daily = points
        self.trend_plot.clear()
        xs = [p.day.toordinal() for p in points]
        ys = [p.share_within if p.share_within is not None else float("nan") for p in points]
        self.trend_plot.plot(xs, ys, pen=pg.mkPen("#1F4E8C", width=2), symbol="o", symbolSize=5)
        if self.tiles is not None:
            target = {t.norm: t for t in self.tiles.tiles}["walk_in_wait"].target
            self.trend_plot.addItem(pg.InfiniteLine(pos=target, angle=0, pen=pg.mkPen("#B00020", style=Qt.PenStyle.DashLine)))
        if points:
            step = max(1, len(points) // 6)
            self.trend_plot.getAxis("bottom").setTicks(
                [[(p.day.toordinal(), p.day.strftime("%d-%m")) for p in points[::step]]])

    def _show_heat(self, cells: tuple[HeatCell, ...]) -> None:
        import numpy as np

        self.heat = cells
        grid = np.zeros((24, 7))
        for c in cells:
            grid[c.hour, c.weekday] = c.per_day
        self.heat_image.setImage(grid, autoLevels=True)
        self.heat_image.setColorMap(pg.colormap.get("viridis"))
        self.heat_plot.getAxis("bottom").setTicks([[(h + 0.5, f"{h:02d}") for h in range(0, 24, 2)]])

    def _show_live(self, live: LiveToday) -> None:
        self.live = live
        self.live_label.setText(
            _("Nu wachten: {n}. Langste wachttijd: {longest}. Balies open: {open}. Vandaag geholpen: {helped}.")
            .format(n=live.waiting, longest=T.minutes(live.longest_wait_s), open=live.counters_open,
                    helped=live.helped_today))
        self.counters_table.setRowCount(len(live.counters))
        for r, c in enumerate(live.counters):
            for col, text in enumerate((c.name, c.user_name or "", c.serving or _("niemand"))):
                self.counters_table.setItem(r, col, QTableWidgetItem(text))

    # -- drill-down and export -------------------------------------------------
    def show_behind(self, norm: str) -> None:
        c = self.choice()

        def done(table: ReportTable) -> None:
            self.behind_dialog = TableDialog(table, self)
            self.behind_dialog.show()

        self._run(lambda: self.client.reports.visits_behind(self.location_id, norm, c["start"], c["end"],
                                                            service_id=c["service_id"], day_part=c["day_part"]),
                  done, count=False)

    def current_tables(self) -> list[ReportTable]:
        out = []
        if self.tiles is not None:
            out.append(tables.tiles_table(self.tiles))
        out += [tables.waits_table(self.waits), tables.daily_table(self.daily), tables.heatmap_table(self.heat)]
        return out

    def export_xlsx(self, path: str | Path) -> None:
        export.write_xlsx(self.current_tables(), path)
        self.message.setText(_("Opgeslagen: {path}").format(path=path))

    def export_csv(self, folder: str | Path) -> list[Path]:
        folder = Path(folder)
        names = ("normen", "wachttijden", "per-dag", "per-uur")
        paths = []
        for name, table in zip(names, self.current_tables(), strict=False):
            p = folder / f"{name}.csv"
            export.write_csv(table, p)
            paths.append(p)
        self.message.setText(_("Opgeslagen in {folder}").format(folder=folder))
        return paths

    def _ask_xlsx(self) -> None:
        path, _f = QFileDialog.getSaveFileName(self, _("Opslaan als Excel"), "servicenormen.xlsx", "Excel (*.xlsx)")
        if path:
            self.export_xlsx(path)

    def _ask_csv(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Map voor de CSV-bestanden"))
        if folder:
            self.export_csv(folder)

    def closeEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self._closed = True
        self.live_timer.stop()
        super().closeEvent(event)


def fill_table(widget: QTableWidget, table: ReportTable) -> None:
    widget.clear()
    widget.setRowCount(len(table.rows))
    widget.setColumnCount(len(table.columns))
    widget.setHorizontalHeaderLabels(list(table.columns))
    for r, row in enumerate(table.rows):
        for c, value in enumerate(row):
            widget.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
