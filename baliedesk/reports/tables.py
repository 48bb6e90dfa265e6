"""Every dashboard read as a :class:`ReportTable`: what the exports write and the window shows."""

from __future__ import annotations

from collections.abc import Sequence

from baliedesk.i18n import _
from baliedesk.reports import texts as T
from baliedesk.services.report_dto import DailyPoint, HeatCell, NormTiles, ReportTable, WaitRow


def _r(value: float | None, decimals: int = 1) -> float | None:
    return None if value is None else round(value, decimals)


def _m(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def tiles_table(tiles: NormTiles) -> ReportTable:
    rows = tuple((T.NORM_LABELS.get(t.norm, t.norm), t.norm, t.unit, t.target, t.threshold, _r(t.realised),
                  t.met, t.count, T.VERDICT_WORDS[t.verdict], _r(t.previous), _r(t.trend)) for t in tiles.tiles)
    return ReportTable(_("Servicenormen {start} t/m {end}").format(start=tiles.period_start.isoformat(),
                                                                    end=tiles.period_end.isoformat()),
                       (_("Norm"), _("Code"), _("Eenheid"), _("Doel"), _("Grens (min)"), _("Gerealiseerd"),
                        _("Gehaald (aantal)"), _("Geteld"), _("Oordeel"), _("Vorige periode"), _("Verschil")),
                       rows)


def waits_table(rows: Sequence[WaitRow]) -> ReportTable:
    return ReportTable(_("Wachttijden per dienst"),
                       (_("Dienst"), _("Dagdeel"), _("Bezoekers"), _("Gemiddeld (min)"), _("P50 (min)"),
                        _("P80 (min)"), _("P90 (min)"), _("Langste (min)"), _("Behandeld"),
                        _("Behandeltijd mediaan (min)"), _("Behandeltijd gemiddeld (min)"),
                        _("Onwaarschijnlijk"), _("Grens (min)")),
                       tuple((r.service_name, T.DAY_PARTS.get(r.day_part, r.day_part), r.count, _m(r.average_s),
                              _m(r.p50_s), _m(r.p80_s), _m(r.p90_s), _m(r.max_s), r.handled,
                              _m(r.handling_median_s), _m(r.handling_average_s), r.outliers, _m(r.outlier_limit_s))
                             for r in rows))


def daily_table(points: Sequence[DailyPoint]) -> ReportTable:
    return ReportTable(_("Per dag"),
                       (_("Dag"), _("Bezoekers"), _("Aan de beurt geweest"), _("Binnen de norm"),
                        _("Binnen de norm (%)"), _("Gemiddelde wachttijd (min)")),
                       tuple((p.day, p.arrivals, p.called, p.within_norm, _r(p.share_within), _m(p.average_wait_s))
                             for p in points))


def heatmap_table(cells: Sequence[HeatCell]) -> ReportTable:
    return ReportTable(_("Bezoekers per uur van de week"),
                       (_("Dag"), _("Uur"), _("Bezoekers"), _("Per dag gemiddeld"), _("Gemiddelde wachttijd (min)")),
                       tuple((T.WEEKDAYS[c.weekday], f"{c.hour:02d}:00", c.arrivals, _r(c.per_day),
                              _m(c.average_wait_s)) for c in cells))
