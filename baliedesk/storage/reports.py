"""Aggregate queries for the service norms (``uow.reports``): counts grouped in SQL.

The formulas live in :mod:`baliedesk.domain.norms`; these queries only count
with the same predicates (a wait within the threshold is ``norm_wait_s <=
threshold_seconds``, a good rating is ``rating >= RATING_GOOD_FROM``) and
hand back plain tuples. Everything filters on the covering indexes of
migration 0008, so a year of a large municipality stays fast on both backends.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, and_, case, cast, delete, func, insert, literal, select, update

from baliedesk.storage.models import (
    Appointment,
    CallbackNote,
    Complaint,
    ContactRecord,
    Melding,
    MeldingCategory,
    Service,
    Ticket,
    TicketEvent,
)
from baliedesk.storage.models_norms import (
    KtoRating,
    NormTarget,
    VisitFact,
    VisitFactProgress,
    VisitHourly,
    VisitWaitMinutes,
)

_F = VisitFact.__table__.c


def _as_date(value: Any) -> dt.date | None:
    """A date column from SQLite's date() comes back as text."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
_T = Ticket.__table__.c
_CHUNK = 500
_FACTS_LOCK = 0x6E6F726D0000  # "norm" + the location id: the advisory lock of a location's fact building


#: Waits above 241 minutes share one bucket (the thresholds go up to 240 minutes).
WAIT_MIN_CAP = 241


def _rollup_filters(t: Any, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                    day_part: str | None) -> list[Any]:
    where = [t.location_id == location_id, t.day >= start, t.day <= end]
    if service_id is not None:
        where.append(t.service_id == service_id)
    if day_part is not None:
        where.append(t.day_part == day_part)
    return where


def _filters(location_id: int, start: dt.date, end: dt.date, service_id: int | None,
             day_part: str | None) -> list[Any]:
    where = [_F.location_id == location_id, _F.day >= start, _F.day <= end]
    if service_id is not None:
        where.append(_F.service_id == service_id)
    if day_part is not None:
        where.append(_F.day_part == day_part)
    return where


Period = tuple[Any, Any]


def _period_of(col: Any, periods: Sequence[Period], *, half_open: bool) -> Any:
    """The index of the period ``col`` falls in (NULL: none). Dates: [start, end]; moments: [since, until).

    Periods that follow each other without a gap (the current one and the one before) need one
    comparison per boundary; the rows are already limited to the whole span by :func:`_span`."""
    order = sorted(range(len(periods)), key=lambda i: periods[i][0], reverse=True)
    step = (lambda b: b) if half_open else (lambda b: b + dt.timedelta(days=1))
    if len(order) == 1:
        return literal(order[0])
    if all(step(periods[earlier][1]) == periods[later][0] for later, earlier in zip(order, order[1:], strict=False)):
        return case(*[(col >= periods[i][0], i) for i in order[:-1]], else_=order[-1])
    whens = [(and_(col >= a, col < b) if half_open else and_(col >= a, col <= b), i)
             for i, (a, b) in enumerate(periods)]
    return case(*whens, else_=None)


def _span(col: Any, periods: Sequence[Period], *, half_open: bool) -> list[Any]:
    """One range over all the periods (the previous period lies right before the current one)."""
    lo, hi = min(a for a, _b in periods), max(b for _a, b in periods)
    return [col >= lo, col < hi if half_open else col <= hi]


@lru_cache(maxsize=256)
def offset_spans(timezone: str, start: dt.datetime, end: dt.datetime) -> tuple[tuple[dt.datetime, int], ...]:
    """[(until, offset in minutes)]: the zone's UTC offset holds up to ``until`` (exclusive); the last span
    has no end (``until`` = ``end``). Found day by day, each change pinned down to the minute."""
    tz = ZoneInfo(timezone)

    def off(t: dt.datetime) -> int:
        return int((t.astimezone(tz).utcoffset() or dt.timedelta()).total_seconds() // 60)

    spans: list[tuple[dt.datetime, int]] = []
    t = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    current = off(t)
    while t < end:
        nxt = t + dt.timedelta(days=1)
        if off(nxt) != current:
            lo, hi = t, nxt  # off(lo) == current != off(hi)
            while hi - lo > dt.timedelta(minutes=1):
                mid = lo + (hi - lo) / 2
                mid = mid.replace(second=0, microsecond=0)
                if mid <= lo:
                    break
                if off(mid) == current:
                    lo = mid
                else:
                    hi = mid
            spans.append((hi, current))
            current = off(hi)
        t = nxt
    spans.append((end, current))
    return tuple(spans)


class ReportRepository:
    def __init__(self, session: Any) -> None:
        self.s = session

    def _rows(self, stmt: Any) -> list[Any]:
        return list(self.s.connection().execute(stmt).all())

    def _one_by_one(self, periods: Sequence[Period]) -> bool:
        """Whether to count period by period after all. PostgreSQL: never (a round trip per query is
        what a look costs). SQLite runs in this process, so a query per period costs no round trip, and
        it spends less CPU without the period's CASE on every row (measured in bench/README.md)."""
        return self.s.connection().dialect.name == "sqlite"

    # -- visit facts: building ---------------------------------------------
    def lock_facts(self, location_id: int) -> None:
        """One builder of a location's facts at a time, until commit (two dashboards looking at once).

        PostgreSQL: a transaction-level advisory lock. SQLite: the write transaction already is one.
        """
        conn = self.s.connection()
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SELECT pg_advisory_xact_lock(%(k)s)", {"k": _FACTS_LOCK + location_id})

    def facts_complete_through(self, location_id: int) -> dt.date | None:
        return self.s.connection().execute(
            select(VisitFactProgress.complete_through).where(VisitFactProgress.location_id == location_id)
        ).scalar()

    def set_facts_complete_through(self, location_id: int, day: dt.date) -> None:
        conn = self.s.connection()
        done = conn.execute(update(VisitFactProgress).where(VisitFactProgress.location_id == location_id)
                            .values(complete_through=day)).rowcount
        if not done:
            conn.execute(insert(VisitFactProgress).values(location_id=location_id, complete_through=day))

    def tickets_without_fact(self, location_id: int, after: dt.date | None, final_states: Sequence[str],
                             limit: int, *, after_id: int = 0) -> list[Any]:
        """(id, service_id, state, source, day) of final tickets of days after ``after`` (and with an id
        above ``after_id``: page on by the last id) that have no fact yet, by id."""
        stmt = (select(_T.id, _T.service_id, _T.state, _T.source, _T.day)
                .select_from(Ticket.__table__.outerjoin(VisitFact.__table__, _F.ticket_id == _T.id))
                .where(_T.location_id == location_id, _T.state.in_(list(final_states)), _F.ticket_id.is_(None),
                       _T.id > after_id)
                .order_by(_T.id).limit(limit))
        if after is not None:
            stmt = stmt.where(_T.day > after)
        return self._rows(stmt)

    def first_open_day(self, location_id: int, after: dt.date | None, final_states: Sequence[str]) -> dt.date | None:
        stmt = select(func.min(_T.day)).where(_T.location_id == location_id, _T.state.not_in(list(final_states)))
        if after is not None:
            stmt = stmt.where(_T.day > after)
        return self.s.connection().execute(stmt).scalar()

    def events_of(self, ticket_ids: Sequence[int]) -> dict[int, list[Any]]:
        """Every ticket's events (``.action``, ``.at``) in order."""
        out: dict[int, list[Any]] = {i: [] for i in ticket_ids}
        e = TicketEvent.__table__.c
        for i in range(0, len(ticket_ids), _CHUNK):
            part = list(ticket_ids[i:i + _CHUNK])
            for row in self._rows(select(e.ticket_id, e.action, e.at).where(e.ticket_id.in_(part))
                                  .order_by(e.ticket_id, e.id)):
                out[row.ticket_id].append(row)
        return out

    def slot_starts(self, ticket_ids: Sequence[int]) -> dict[int, dt.datetime]:
        a = Appointment.__table__.c
        out: dict[int, dt.datetime] = {}
        for i in range(0, len(ticket_ids), _CHUNK):
            part = list(ticket_ids[i:i + _CHUNK])
            for tid, start in self._rows(select(a.ticket_id, a.slot_start).where(a.ticket_id.in_(part))):
                out[tid] = start
        return out

    def add_facts(self, rows: Iterable[dict[str, Any]]) -> int:
        rows = list(rows)
        if rows:
            self.s.connection().execute(insert(VisitFact.__table__), rows)
        return len(rows)

    def forget_facts(self, location_id: int) -> None:
        """Drop a location's facts (they are rebuilt from the events on the next look)."""
        conn = self.s.connection()
        conn.execute(delete(VisitFact.__table__).where(_F.location_id == location_id))
        conn.execute(delete(VisitHourly.__table__).where(VisitHourly.__table__.c.location_id == location_id))
        conn.execute(delete(VisitWaitMinutes.__table__).where(VisitWaitMinutes.__table__.c.location_id == location_id))
        conn.execute(delete(VisitFactProgress).where(VisitFactProgress.location_id == location_id))

    # -- visit facts: counting ---------------------------------------------
    def wait_counts(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                    day_part: str | None, thresholds_min: dict[str, int]) -> dict[str, tuple[int, int]]:
        """kind -> (called within its threshold in whole minutes, called): ``norm_wait_s <= 60 * T``
        is ``wait_min <= T`` (wait_min = the norm wait in minutes rounded up)."""
        w = VisitWaitMinutes.__table__.c
        within = case(*[(and_(w.kind == k, w.wait_min <= t), w.visits) for k, t in thresholds_min.items()], else_=0)
        stmt = (select(w.kind, func.sum(within), func.sum(w.visits))
                .where(*_rollup_filters(w, location_id, start, end, service_id, day_part))
                .group_by(w.kind))
        return {k: (int(m or 0), int(n or 0)) for k, m, n in self._rows(stmt)}

    def wait_counts_periods(self, location_id: int, periods: Sequence[Period], service_id: int | None,
                            day_part: str | None, thresholds_min: dict[str, int]
                            ) -> list[dict[str, tuple[int, int]]]:
        """Per period: kind -> (called within its threshold in whole minutes, called): ``norm_wait_s <=
        60 * T`` is ``wait_min <= T`` (wait_min = the norm wait in minutes rounded up). One query: the
        counts come back per (period, kind)."""
        if self._one_by_one(periods):
            return [self.wait_counts(location_id, a, b, service_id, day_part, thresholds_min) for a, b in periods]
        w = VisitWaitMinutes.__table__.c
        where = [w.location_id == location_id, *_span(w.day, periods, half_open=False)]
        if service_id is not None:
            where.append(w.service_id == service_id)
        if day_part is not None:
            where.append(w.day_part == day_part)
        within = case(*[(and_(w.kind == k, w.wait_min <= t), w.visits) for k, t in thresholds_min.items()],
                      else_=0)
        inner = (select(_period_of(w.day, periods, half_open=False).label("p"), w.kind, within.label("m"),
                        w.visits).where(*where).subquery())  # grouped outside: one CASE, no repeated parameters
        out: list[dict[str, list[int]]] = [{} for _ in periods]
        for i, kind, m, n in self._rows(select(inner.c.p, inner.c.kind, func.sum(inner.c.m), func.sum(inner.c.visits))
                                        .group_by(inner.c.p, inner.c.kind)):
            if i is not None:
                out[int(i)][kind] = [int(m or 0), int(n or 0)]
        return [{k: (m, n) for k, (m, n) in d.items()} for d in out]

    def wait_histogram(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                       day_part: str | None) -> list[tuple[int, str, int, int]]:
        """(service_id, day_part, wait_s, count) of the visits that were called."""
        stmt = (select(_F.service_id, _F.day_part, _F.wait_s, func.count())
                .where(*_filters(location_id, start, end, service_id, day_part), _F.wait_s.is_not(None))
                .group_by(_F.service_id, _F.day_part, _F.wait_s))
        return [tuple(r) for r in self._rows(stmt)]

    def handling_histogram(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                           day_part: str | None) -> list[tuple[int, str, int, int]]:
        """(service_id, day_part, handling_s, count) of the visits finished as helped."""
        stmt = (select(_F.service_id, _F.day_part, _F.handling_s, func.count())
                .where(*_filters(location_id, start, end, service_id, day_part), _F.handling_s.is_not(None))
                .group_by(_F.service_id, _F.day_part, _F.handling_s))
        return [tuple(r) for r in self._rows(stmt)]

    def daily(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None, day_part: str | None,
              thresholds_min: dict[str, int]) -> list[tuple[dt.date, int, int, int, int]]:
        """(day, arrivals, called, called within the norm, sum of waits in seconds)."""
        h, w = VisitHourly.__table__.c, VisitWaitMinutes.__table__.c
        per_day = {d: [int(a), int(c), 0, int(ws)] for d, a, c, ws in self._rows(
            select(h.day, func.sum(h.arrivals), func.sum(h.called), func.sum(h.wait_sum))
            .where(*_rollup_filters(h, location_id, start, end, service_id, day_part)).group_by(h.day))}
        within = case(*[(and_(w.kind == k, w.wait_min <= t), w.visits) for k, t in thresholds_min.items()], else_=0)
        for d, m in self._rows(select(w.day, func.sum(within))
                               .where(*_rollup_filters(w, location_id, start, end, service_id, day_part))
                               .group_by(w.day)):
            if d in per_day:
                per_day[d][2] = int(m or 0)
        return [(d, *v) for d, v in sorted(per_day.items())]  # type: ignore[misc]

    def week_heatmap(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                     day_part: str | None) -> list[tuple[int, int, int, int, int]]:
        """(weekday, hour, arrivals, called, sum of waits in seconds)."""
        h = VisitHourly.__table__.c
        stmt = (select(h.weekday, h.hour, func.sum(h.arrivals), func.sum(h.called), func.sum(h.wait_sum))
                .where(*_rollup_filters(h, location_id, start, end, service_id, day_part))
                .group_by(h.weekday, h.hour))
        return [(int(wd), int(hr), int(a), int(c), int(ws or 0)) for wd, hr, a, c, ws in self._rows(stmt)]

    def rebuild_rollups(self, location_id: int, days: Sequence[dt.date]) -> None:
        """Recount ``visit_hourly`` and ``visit_wait_minutes`` of these days from the facts."""
        conn = self.s.connection()
        h, w = VisitHourly.__table__, VisitWaitMinutes.__table__
        days = sorted(set(days))
        wait_min = case((_F.norm_wait_s > 60 * WAIT_MIN_CAP, WAIT_MIN_CAP),
                        else_=(_F.norm_wait_s + 59) // 60)
        for i in range(0, len(days), _CHUNK):
            part = days[i:i + _CHUNK]
            conn.execute(delete(h).where(h.c.location_id == location_id, h.c.day.in_(part)))
            conn.execute(delete(w).where(w.c.location_id == location_id, w.c.day.in_(part)))
            keys = (_F.location_id, _F.day, _F.hour, _F.service_id, _F.kind, _F.day_part)
            conn.execute(h.insert().from_select(
                ["location_id", "day", "hour", "service_id", "kind", "day_part", "weekday", "arrivals", "called",
                 "wait_sum"],
                select(*keys, func.min(_F.weekday), func.count(), func.count(_F.wait_s),
                       func.coalesce(func.sum(_F.wait_s), 0))
                .where(_F.location_id == location_id, _F.day.in_(part)).group_by(*keys)))
            wkeys = (_F.location_id, _F.day, _F.service_id, _F.kind, _F.day_part)
            conn.execute(w.insert().from_select(
                ["location_id", "day", "service_id", "kind", "day_part", "wait_min", "visits"],
                select(*wkeys, wait_min, func.count())
                .where(_F.location_id == location_id, _F.day.in_(part), _F.norm_wait_s.is_not(None))
                .group_by(*wkeys, wait_min)))

    def visit_rows(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                   day_part: str | None, *, kind: str | None = None, only_called: bool = False,
                   min_norm_wait_s: int | None = None, min_handling_s: int | None = None,
                   limit: int | None = 1000) -> list[Any]:
        """The facts behind a figure, with the ticket number and the service's name (no personal data)."""
        s = Service.__table__.c
        stmt = (select(_F.ticket_id, _T.number, _F.service_id, s.name.label("service_name"), _F.kind, _F.day,
                       _F.day_part, _F.arrived_at, _F.wait_s, _F.norm_wait_s, _F.handling_s, _F.state)
                .select_from(VisitFact.__table__.join(Ticket.__table__, _T.id == _F.ticket_id)
                             .join(Service.__table__, s.id == _F.service_id))
                .where(*_filters(location_id, start, end, service_id, day_part))
                .order_by(_F.day, _F.arrived_at, _F.ticket_id))
        if kind is not None:
            stmt = stmt.where(_F.kind == kind)
        if only_called:
            stmt = stmt.where(_F.norm_wait_s.is_not(None))
        if min_norm_wait_s is not None:
            stmt = stmt.where(_F.norm_wait_s > min_norm_wait_s)
        if min_handling_s is not None:
            stmt = stmt.where(_F.handling_s > min_handling_s)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self._rows(stmt)

    # -- appointments, contacts, ratings -------------------------------------
    def appointment_counts(self, location_id: int, start: dt.date, end: dt.date,
                           service_id: int | None) -> tuple[int, int]:
        """(no-shows, appointments that came or did not: checked in or no-show) by the appointment's day."""
        a = Appointment.__table__.c
        stmt = (select(func.sum(case((a.state == "no_show", 1), else_=0)), func.count())
                .where(a.location_id == location_id, a.day >= start, a.day <= end,
                       a.state.in_(["checked_in", "no_show"])))
        if service_id is not None:
            stmt = stmt.where(a.service_id == service_id)
        m, n = self.s.connection().execute(stmt).one()
        return int(m or 0), int(n)

    def appointment_counts_periods(self, location_id: int, periods: Sequence[Period],
                                   service_id: int | None) -> list[tuple[int, int]]:
        """Per period: (no-shows, appointments that came or did not: checked in or no-show) by the
        appointment's day."""
        if self._one_by_one(periods):
            return [self.appointment_counts(location_id, a, b, service_id) for a, b in periods]
        a = Appointment.__table__.c
        where = [a.location_id == location_id, *_span(a.day, periods, half_open=False),
                 a.state.in_(["checked_in", "no_show"])]
        if service_id is not None:
            where.append(a.service_id == service_id)
        inner = select(_period_of(a.day, periods, half_open=False).label("p"), a.state).where(*where).subquery()
        out = [(0, 0)] * len(periods)
        for p, m, n in self._rows(select(inner.c.p, func.sum(case((inner.c.state == "no_show", 1), else_=0)),
                                         func.count()).group_by(inner.c.p)):
            if p is not None:
                out[int(p)] = (int(m or 0), int(n))
        return out

    def no_show_rows(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                     limit: int = 1000) -> list[Any]:
        a, s = Appointment.__table__.c, Service.__table__.c
        stmt = (select(a.id, a.code, a.service_id, s.name.label("service_name"), a.day, a.slot_start, a.state)
                .select_from(Appointment.__table__.join(Service.__table__, s.id == a.service_id))
                .where(a.location_id == location_id, a.day >= start, a.day <= end,
                       a.state.in_(["checked_in", "no_show"])).order_by(a.slot_start, a.id).limit(limit))
        if service_id is not None:
            stmt = stmt.where(a.service_id == service_id)
        return self._rows(stmt)

    def contact_counts(self, location_id: int, since: dt.datetime, until: dt.datetime,
                       service_id: int | None) -> tuple[int, int]:
        """(answered first-line, all contacts) registered in [since, until)."""
        c = ContactRecord.__table__.c
        stmt = (select(func.sum(case((c.result == "eerstelijn", 1), else_=0)), func.count())
                .where(c.location_id == location_id, c.created_at >= since, c.created_at < until))
        if service_id is not None:
            stmt = stmt.where(c.service_id == service_id)
        m, n = self.s.connection().execute(stmt).one()
        return int(m or 0), int(n)

    def contact_counts_periods(self, location_id: int, spans: Sequence[Period],
                               service_id: int | None) -> list[tuple[int, int]]:
        """Per span [since, until): (answered first-line, all contacts) registered in it."""
        if self._one_by_one(spans):
            return [self.contact_counts(location_id, a, b, service_id) for a, b in spans]
        c = ContactRecord.__table__.c
        where = [c.location_id == location_id, *_span(c.created_at, spans, half_open=True)]
        if service_id is not None:
            where.append(c.service_id == service_id)
        inner = select(_period_of(c.created_at, spans, half_open=True).label("p"), c.result).where(*where).subquery()
        out = [(0, 0)] * len(spans)
        for p, m, n in self._rows(select(inner.c.p, func.sum(case((inner.c.result == "eerstelijn", 1), else_=0)),
                                         func.count()).group_by(inner.c.p)):
            if p is not None:
                out[int(p)] = (int(m or 0), int(n))
        return out

    def rating_counts(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                      day_part: str | None, good_from: int) -> tuple[int, int, int]:
        """(ratings >= good_from, ratings, sum of ratings)."""
        r = KtoRating.__table__.c
        stmt = (select(func.sum(case((r.rating >= good_from, 1), else_=0)), func.count(), func.sum(r.rating))
                .where(r.location_id == location_id, r.day >= start, r.day <= end))
        if service_id is not None:
            stmt = stmt.where(r.service_id == service_id)
        if day_part is not None:
            stmt = stmt.where(r.day_part == day_part)
        m, n, total = self.s.connection().execute(stmt).one()
        return int(m or 0), int(n), int(total or 0)

    def rating_counts_periods(self, location_id: int, periods: Sequence[Period], service_id: int | None,
                              day_part: str | None, good_from: int) -> list[tuple[int, int, int]]:
        """Per period: (ratings >= good_from, ratings, sum of ratings)."""
        if self._one_by_one(periods):
            return [self.rating_counts(location_id, a, b, service_id, day_part, good_from) for a, b in periods]
        r = KtoRating.__table__.c
        where = [r.location_id == location_id, *_span(r.day, periods, half_open=False)]
        if service_id is not None:
            where.append(r.service_id == service_id)
        if day_part is not None:
            where.append(r.day_part == day_part)
        inner = select(_period_of(r.day, periods, half_open=False).label("p"), r.rating).where(*where).subquery()
        out = [(0, 0, 0)] * len(periods)
        for p, m, n, total in self._rows(
                select(inner.c.p, func.sum(case((inner.c.rating >= good_from, 1), else_=0)), func.count(),
                       func.sum(inner.c.rating)).group_by(inner.c.p)):
            if p is not None:
                out[int(p)] = (int(m or 0), int(n), int(total or 0))
        return out

    def rating_rows(self, location_id: int, start: dt.date, end: dt.date, service_id: int | None,
                    day_part: str | None, limit: int | None = 1000) -> list[Any]:
        r, s = KtoRating.__table__.c, Service.__table__.c
        stmt = (select(r.id, r.day, r.hour, r.day_part, r.service_id, s.name.label("service_name"), r.rating,
                       r.comment)
                .select_from(KtoRating.__table__.outerjoin(Service.__table__, s.id == r.service_id))
                .where(r.location_id == location_id, r.day >= start, r.day <= end).order_by(r.day, r.hour, r.id))
        if service_id is not None:
            stmt = stmt.where(r.service_id == service_id)
        if day_part is not None:
            stmt = stmt.where(r.day_part == day_part)
        if limit is not None:
            stmt = stmt.limit(limit)
        return self._rows(stmt)

    def add_rating(self, **fields: Any) -> int:
        result = self.s.connection().execute(insert(KtoRating.__table__).values(**fields)
                                             .returning(KtoRating.__table__.c.id))
        return int(result.scalar_one())

    # -- callbacks, meldingen, complaints: grouped by local dates -------------
    def _local_groups_one(self, keys: Sequence[Any], col: Any, where: Sequence[Any], timezone: str,
                          since: dt.datetime, until: dt.datetime) -> list[tuple[Any, ...]]:
        """(*keys, local date of ``col`` or None, count), grouped (one period).

        PostgreSQL converts with the zone itself. SQLite has no zones: it groups by the UTC hour
        (the first 13 characters of the stored text; 16, to the minute, for a zone with an offset
        that is not whole hours), which Python turns into local dates (one conversion per hour).
        """
        if self.s.connection().dialect.name == "postgresql":
            local = cast(func.timezone(timezone, col), Date)
            return [tuple(r) for r in self._rows(select(*keys, local, func.count()).where(*where)
                                                  .group_by(*keys, local))]
        spans = offset_spans(timezone, since - dt.timedelta(days=2), until + dt.timedelta(days=400))
        width = 13 if all(minutes % 60 == 0 for _u, minutes in spans) else 16
        prefix = func.substr(col, 1, width)
        tz = ZoneInfo(timezone)
        seen: dict[str | None, dt.date | None] = {None: None}
        out: dict[tuple[Any, ...], int] = {}
        for *k, text, count in self._rows(select(*keys, prefix, func.count()).where(*where).group_by(*keys, prefix)):
            day = seen.get(text, dt.date.min)
            if day is dt.date.min:
                t = str(text)
                moment = dt.datetime(int(t[0:4]), int(t[5:7]), int(t[8:10]), int(t[11:13]),
                                     int(t[14:16]) if width == 16 else 0, tzinfo=dt.UTC)
                day = seen[text] = moment.astimezone(tz).date()
            key = (*k, day)
            out[key] = out.get(key, 0) + int(count)
        return [(*k, n) for k, n in out.items()]

    def _local_groups(self, keys: Sequence[Any], col: Any, period_col: Any, where: Sequence[Any], timezone: str,
                      spans: Sequence[Period]) -> list[list[tuple[Any, ...]]]:
        """Per span [since, until) of ``period_col``: (*keys, local date of ``col`` or None, count), grouped.
        PostgreSQL: one query for all the spans (the period's index is one more group key), converting
        with the zone itself. SQLite: :meth:`_local_groups_one` per span."""
        if self._one_by_one(spans):
            return [self._local_groups_one(keys, col, [*where, period_col >= a, period_col < b], timezone, a, b)
                    for a, b in spans]
        inner = (select(_period_of(period_col, spans, half_open=True).label("p"),
                        *[k.label(f"k{i}") for i, k in enumerate(keys)], col.label("c"))
                 .where(*where, *_span(period_col, spans, half_open=True)).subquery())
        ks = [inner.c[f"k{i}"] for i in range(len(keys))]
        results: list[list[tuple[Any, ...]]] = [[] for _ in spans]
        local = cast(func.timezone(timezone, inner.c.c), Date)  # PostgreSQL (SQLite counted one by one above)
        for p, *rest in self._rows(select(inner.c.p, *ks, local, func.count()).group_by(inner.c.p, *ks, local)):
            if p is not None:
                results[int(p)].append(tuple(rest))
        return results

    def callback_groups(self, location_id: int, since: dt.datetime, until: dt.datetime, timezone: str
                        ) -> list[tuple[dt.date, dt.date | None, int]]:
        """(due_date, local date done or None, count) of the notes written in [since, until)."""
        n = CallbackNote.__table__.c
        return self._local_groups_one((n.due_date,), n.done_at, (n.location_id == location_id,
                                                                  n.created_at >= since, n.created_at < until),
                                      timezone, since, until)

    def callback_groups_periods(self, location_id: int, spans: Sequence[Period], timezone: str
                                ) -> list[list[tuple[Any, ...]]]:
        """Per span: (due_date, local date done or None, count) of the notes written in [since, until)."""
        n = CallbackNote.__table__.c
        return self._local_groups((n.due_date,), n.done_at, n.created_at, (n.location_id == location_id,),
                                  timezone, spans)

    def melding_groups(self, location_id: int, since: dt.datetime, until: dt.datetime, timezone: str
                       ) -> list[tuple[dt.date, dt.date, dt.date, int]]:
        """(received_on, due_date, local date closed, count) of the meldingen handled in [since, until)."""
        m = Melding.__table__.c
        return self._local_groups_one((m.received_on, m.due_date), m.closed_at,
                                      (m.location_id == location_id, m.closed_at >= since, m.closed_at < until,
                                       m.state == "afgehandeld"), timezone, since, until)

    def melding_groups_periods(self, location_id: int, spans: Sequence[Period], timezone: str
                               ) -> list[list[tuple[Any, ...]]]:
        """Per span: (received_on, due_date, local date closed, count) of the meldingen handled in it."""
        m = Melding.__table__.c
        return self._local_groups((m.received_on, m.due_date), m.closed_at, m.closed_at,
                                  (m.location_id == location_id, m.state == "afgehandeld"), timezone, spans)

    def complaint_groups(self, location_id: int, since: dt.datetime, until: dt.datetime, timezone: str
                         ) -> list[tuple[dt.date, dt.date, int]]:
        """(due_date, local date handled, count) of the complaints handled in [since, until)."""
        k = Complaint.__table__.c
        return self._local_groups_one((k.due_date,), k.handled_at,
                                      (k.location_id == location_id, k.handled_at >= since, k.handled_at < until,
                                       k.state == "afgehandeld"), timezone, since, until)

    # -- callbacks, meldingen, complaints: rows (for the drill-down) ----
    def complaint_groups_periods(self, location_id: int, spans: Sequence[Period], timezone: str
                                 ) -> list[list[tuple[Any, ...]]]:
        """Per span: (due_date, local date handled, count) of the complaints handled in it."""
        k = Complaint.__table__.c
        return self._local_groups((k.due_date,), k.handled_at, k.handled_at,
                                  (k.location_id == location_id, k.state == "afgehandeld"), timezone, spans)

    # -- callbacks, meldingen, complaints: rows (for the drill-down) ----
    def callback_rows(self, location_id: int, since: dt.datetime, until: dt.datetime) -> list[Any]:
        """(id, created_at, due_date, done_at) of the notes written in [since, until)."""
        n = CallbackNote.__table__.c
        return self._rows(select(n.id, n.created_at, n.due_date, n.done_at)
                          .where(n.location_id == location_id, n.created_at >= since, n.created_at < until)
                          .order_by(n.created_at, n.id))

    def melding_rows(self, location_id: int, since: dt.datetime, until: dt.datetime) -> list[Any]:
        """(id, number, category, received_on, due_date, closed_at) of the meldingen handled in [since, until)."""
        m, c = Melding.__table__.c, MeldingCategory.__table__.c
        label = (c.main + literal(" - ") + c.sub).label("category")
        return self._rows(select(m.id, m.number, label, m.received_on, m.due_date, m.closed_at)
                          .select_from(Melding.__table__.join(MeldingCategory.__table__, c.id == m.category_id))
                          .where(m.location_id == location_id, m.state == "afgehandeld",
                                 m.closed_at >= since, m.closed_at < until)
                          .order_by(m.closed_at, m.id))

    def complaint_rows(self, location_id: int, since: dt.datetime, until: dt.datetime) -> list[Any]:
        """(id, number, received_on, due_date, extended, handled_at) of the complaints handled in [since, until)."""
        k = Complaint.__table__.c
        return self._rows(select(k.id, k.number, k.received_on, k.due_date, k.extended, k.handled_at)
                          .where(k.location_id == location_id, k.state == "afgehandeld",
                                 k.handled_at >= since, k.handled_at < until)
                          .order_by(k.handled_at, k.id))

    # -- targets --------------------------------------------------------------
    def targets(self, location_id: int) -> list[Any]:
        return self._rows(select(NormTarget.service_id, NormTarget.norm, NormTarget.target, NormTarget.threshold,
                                 NormTarget.updated_at)
                          .where(NormTarget.location_id == location_id)
                          .order_by(NormTarget.service_id, NormTarget.norm))

    def put_target(self, location_id: int, service_id: int | None, norm: str, target: float,
                   threshold: float | None, now: dt.datetime, user_id: int) -> None:
        conn = self.s.connection()
        t = NormTarget.__table__.c
        where = [t.location_id == location_id, t.norm == norm,
                 t.service_id.is_(None) if service_id is None else t.service_id == service_id]
        done = conn.execute(update(NormTarget.__table__).where(*where)
                            .values(target=target, threshold=threshold, updated_at=now, updated_by=user_id)).rowcount
        if not done:
            conn.execute(insert(NormTarget.__table__).values(location_id=location_id, service_id=service_id,
                                                             norm=norm, target=target, threshold=threshold,
                                                             updated_at=now, updated_by=user_id))

    def delete_target(self, location_id: int, service_id: int | None, norm: str) -> bool:
        t = NormTarget.__table__.c
        where = [t.location_id == location_id, t.norm == norm,
                 t.service_id.is_(None) if service_id is None else t.service_id == service_id]
        return bool(self.s.connection().execute(delete(NormTarget.__table__).where(*where)).rowcount)
