"""The team lead's dashboard reads, the norm targets and the visitor rating (KTO).

Convention ``fn(backend, user_id, location_id, ..., now)``. Reading needs
VIEW_REPORTS (team lead, beheerder); setting a target needs CONFIGURE; giving a
rating needs RATE_VISIT (kiosk, counter, clerk).

Every figure comes from :mod:`baliedesk.domain.norms`. The visits are read from
``visit_facts``, which each read first brings up to date from the ticket
events (:func:`refresh_visit_facts`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from baliedesk.domain import norms as N
from baliedesk.domain.calendar import WorkdayCalendar
from baliedesk.domain.errors import NotFound, ValidationError
from baliedesk.domain.permissions import Permission
from baliedesk.domain.tickets import TicketState
from baliedesk.domain.timeline import is_gone
from baliedesk.services.common import acting_user, check_now, get_or_404, local_day, require_location
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.report_dto import (
    DailyPoint,
    HeatCell,
    LiveCounter,
    LiveToday,
    NormTargetInfo,
    NormTile,
    NormTiles,
    QuarterReport,
    RatingInfo,
    ReportTable,
    WaitRow,
)
from baliedesk.services.schedules import load_schedule, load_workday_calendar

#: Ticket states after which a visit no longer changes: it gets its fact.
FINAL_STATES = (TicketState.FINISHED.value, TicketState.NO_SHOW.value, TicketState.CANCELLED.value)
_BATCH = 5000
BEHIND_LIMIT = 1000
#: What ``visits_behind`` can show besides the norms.
OUTLIERS = "handling_outliers"


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _location(uow: UnitOfWork, location_id: int) -> Any:
    return get_or_404(uow.directory.location(location_id), "location", location_id)


def _check_service(uow: UnitOfWork, location: Any, service_id: int | None) -> None:
    if service_id is None:
        return
    if not isinstance(service_id, int) or isinstance(service_id, bool):
        raise ValidationError("service", "invalid")
    s = uow.directory.service(service_id)
    if s is None or s.location_id != location.id:
        raise NotFound("service", service_id)


def _day_part(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return N.DayPart(value).value
    except ValueError:
        raise ValidationError("day_part", "invalid") from None


def _bounds(start: dt.date, end: dt.date, timezone: str) -> tuple[dt.datetime, dt.datetime]:
    """[local midnight of start, local midnight after end) as UTC."""
    tz = ZoneInfo(timezone)
    a = dt.datetime.combine(start, dt.time(), tz).astimezone(dt.UTC)
    b = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz).astimezone(dt.UTC)
    return a, b


def _specs(uow: UnitOfWork, location_id: int, service_id: int | None) -> dict[N.Norm, N.NormSpec]:
    rows = []
    for r in uow.reports.targets(location_id):
        try:
            rows.append((r.service_id, N.clean_spec(r.norm, r.target, r.threshold)))
        except ValidationError:
            continue  # a norm this version does not know: ignore
    return N.resolve_specs(rows, service_id)


def _thresholds(specs: dict[N.Norm, N.NormSpec]) -> dict[str, int]:
    """Whole minutes per visit kind (``clean_spec`` only allows whole minutes)."""
    return {N.VisitKind.WALK_IN.value: int(specs[N.Norm.WALK_IN_WAIT].threshold or 0),
            N.VisitKind.APPOINTMENT.value: int(specs[N.Norm.APPOINTMENT_WAIT].threshold or 0)}


def _reading(backend: Backend, user_id: int, location_id: int, now: dt.datetime,
             read: Callable[[UnitOfWork, Any, dt.datetime], Any], *, service_id: int | None = None) -> Any:
    now = check_now(now)
    with backend.unit_of_work() as uow:  # check before building anything
        actor = acting_user(uow, user_id, Permission.VIEW_REPORTS)
        location = _location(uow, location_id)
        require_location(uow, actor, location.id)
        _check_service(uow, location, service_id)
    refresh_visit_facts(backend, location_id, now)
    with backend.unit_of_work() as uow:
        return read(uow, _location(uow, location_id), now)


# ---------------------------------------------------------------------------
# visit facts
# ---------------------------------------------------------------------------
def refresh_visit_facts(backend: Backend, location_id: int, now: dt.datetime) -> int:
    """Replay the events of the finished visits that have no fact yet; returns how many were added.

    Costs one small query when nothing is new. Not a user action (no permission):
    the reads call it, and so may a nightly job.
    """
    now = check_now(now)
    with backend.unit_of_work() as uow:
        location = _location(uow, location_id)
        through = uow.reports.facts_complete_through(location.id)
        pending = uow.reports.tickets_without_fact(location.id, through, FINAL_STATES, 1)
        yesterday = local_day(now, location.timezone) - dt.timedelta(days=1)
        if not pending and through is not None and through >= yesterday:
            return 0
    added = 0
    last_id = 0
    periods: dict[dt.date, tuple[tuple[int, int], ...]] = {}
    while True:
        # One transaction per batch: a year of a large municipality (the first look) takes minutes, far
        # beyond the database layer's deadline for a unit of work, and a single write transaction that
        # long would keep every counter on SQLite waiting. Each batch is consistent on its own (its facts
        # and the roll-ups of its days, recounted from all the facts of those days); a look meanwhile sees
        # the visits built so far. Only the last transaction moves ``complete_through``.
        with backend.unit_of_work(write=True) as uow:
            uow.reports.lock_facts(location_id)  # another look building at the same moment: wait, then add the rest
            location = _location(uow, location_id)
            through = uow.reports.facts_complete_through(location.id)
            batch = uow.reports.tickets_without_fact(location.id, through, FINAL_STATES, _BATCH, after_id=last_id)
            if batch:
                schedule, _options = load_schedule(uow, location)
                last_id = batch[-1].id
                ids = [t.id for t in batch]
                events = uow.reports.events_of(ids)
                slots = uow.reports.slot_starts(ids)
                rows = []
                for t in batch:
                    evs = events.get(t.id) or []
                    if not evs:
                        continue
                    for d in (t.day, t.day + dt.timedelta(days=1)):  # the arrival's local date is the ticket's day
                        if d not in periods:
                            periods[d] = tuple((p.start, p.end) for p in schedule.location_day(d).periods) \
                                if schedule is not None else ()
                    f = N.visit_fact(ticket_id=t.id, location_id=location.id, service_id=t.service_id,
                                     state=t.state, source=t.source, events=evs, slot_start=slots.get(t.id),
                                     timezone=location.timezone, periods_on=periods)
                    rows.append(_fact_row(f))
                added += uow.reports.add_facts(rows)
                days = sorted({r["day"] for r in rows})
                if days:
                    uow.reports.rebuild_rollups(location.id, days)
            if len(batch) < _BATCH:
                first_open = uow.reports.first_open_day(location.id, through, FINAL_STATES)
                new_through = yesterday if first_open is None else min(yesterday, first_open - dt.timedelta(days=1))
                if through is None or new_through > through:
                    uow.reports.set_facts_complete_through(location.id, new_through)
            uow.commit()
        if len(batch) < _BATCH:
            return added


def _fact_row(f: N.VisitFact) -> dict[str, Any]:
    return {"ticket_id": f.ticket_id, "location_id": f.location_id, "service_id": f.service_id,
            "kind": f.kind.value, "day": f.day, "weekday": f.weekday, "hour": f.hour, "day_part": f.day_part.value,
            "arrived_at": f.arrived_at, "wait_s": f.wait_s, "norm_wait_s": f.norm_wait_s,
            "handling_s": f.handling_s, "state": f.state}


# ---------------------------------------------------------------------------
# the figures of a period
# ---------------------------------------------------------------------------
def _handling_hists(uow: UnitOfWork, location_id: int, start: dt.date, end: dt.date, service_id: int | None
                    ) -> dict[int, dict[str, dict[int, int]]]:
    out: dict[int, dict[str, dict[int, int]]] = {}
    for sid, part, value, count in uow.reports.handling_histogram(location_id, start, end, service_id, None):
        out.setdefault(sid, {}).setdefault(part, {})[value] = count
    return out


def _merge(hists: Any) -> dict[int, int]:
    out: dict[int, int] = {}
    for h in hists:
        for v, c in h.items():
            out[v] = out.get(v, 0) + c
    return out


def _figures(uow: UnitOfWork, location: Any, periods: list[tuple[dt.date, dt.date]], service_id: int | None,
             day_part: str | None, specs: dict[N.Norm, N.NormSpec], calendar: WorkdayCalendar, today: dt.date
             ) -> list[dict[N.Norm, tuple[float | None, int | None, int]]]:
    """Per period: norm -> (realised, met, count). One query per source table for all the periods
    (the current one and the one before): the counts come back grouped by period."""
    r = uow.reports
    outs: list[dict[N.Norm, tuple[float | None, int | None, int]]] = [{} for _ in periods]
    tzname = location.timezone
    spans = [_bounds(a, b, tzname) for a, b in periods]

    for out, waits in zip(outs, r.wait_counts_periods(location.id, periods, service_id, day_part,
                                                      _thresholds(specs)), strict=True):
        for norm, kind in ((N.Norm.WALK_IN_WAIT, N.VisitKind.WALK_IN),
                           (N.Norm.APPOINTMENT_WAIT, N.VisitKind.APPOINTMENT)):
            met, n = waits.get(kind.value, (0, 0))
            out[norm] = (N.share(met, n), met, n)

    for out, groups in zip(outs, r.callback_groups_periods(location.id, spans, tzname), strict=True):
        met = n = 0
        for due, done, count in groups:
            ok = N.on_time(due, done, today)
            if ok is not None:
                n += count
                met += count if ok else 0
        out[N.Norm.CALLBACK_TERM] = (N.share(met, n), met, n)

    for out, groups in zip(outs, r.melding_groups_periods(location.id, spans, tzname), strict=True):
        met = n = 0
        for _received, due, closed, count in groups:
            n += count
            met += count if N.on_time(due, closed, today) else 0
        days_total = N.handling_working_days_total(calendar, ((received, closed, count)
                                                              for received, _due, closed, count in groups))
        out[N.Norm.MELDING_TERM] = (N.share(met, n), met, n)
        out[N.Norm.MELDING_DAYS] = (N.average(days_total, n), None, n)

    for out, groups in zip(outs, r.complaint_groups_periods(location.id, spans, tzname), strict=True):
        met = n = 0
        for due, handled, count in groups:
            n += count
            met += count if N.on_time(due, handled, today) else 0
        out[N.Norm.COMPLAINT_TERM] = (N.share(met, n), met, n)

    for out, (met, n) in zip(outs, r.contact_counts_periods(location.id, spans, service_id), strict=True):
        out[N.Norm.FIRST_LINE] = (N.share(met, n), met, n)
    for out, (met, n) in zip(outs, r.appointment_counts_periods(location.id, periods, service_id), strict=True):
        out[N.Norm.NO_SHOW] = (N.share(met, n), met, n)
    for out, (met, n, _total) in zip(outs, r.rating_counts_periods(location.id, periods, service_id, day_part,
                                                                    N.RATING_GOOD_FROM), strict=True):
        out[N.Norm.RATING_GOOD] = (N.share(met, n), met, n)
    return outs


def norm_tiles(backend: Backend, user_id: int, location_id: int, period_start: dt.date, period_end: dt.date,
               now: dt.datetime, *, service_id: int | None = None, day_part: str | None = None) -> NormTiles:
    """A tile per norm: realised against the target (the service's own where set), the count behind it,
    and the trend against the previous period of the same length.

    ``service_id`` and ``day_part`` narrow the visit norms and the ratings (and, for a service, no-shows
    and contacts); callbacks, meldingen and complaints belong to the location and are not narrowed.
    """
    start, end = N.check_period(period_start, period_end)
    part = _day_part(day_part)
    prev_start, prev_end = N.previous_period(start, end)

    def read(uow: UnitOfWork, location: Any, moment: dt.datetime) -> NormTiles:
        specs = _specs(uow, location.id, service_id)
        calendar = load_workday_calendar(uow, location)
        today = local_day(moment, location.timezone)
        cur, prev = _figures(uow, location, [(start, end), (prev_start, prev_end)], service_id, part, specs,
                             calendar, today)
        tiles = []
        for norm in N.Norm:
            spec = specs[norm]
            realised, met, count = cur[norm]
            before = prev[norm][0]
            tiles.append(NormTile(norm.value, spec.unit.value, spec.target, spec.threshold, spec.higher_is_better,
                                  realised, met, count, N.verdict(spec, realised).value, before,
                                  None if realised is None or before is None else realised - before))
        return NormTiles(location.id, start, end, prev_start, prev_end, service_id, part, tuple(tiles))

    return _reading(backend, user_id, location_id, now, read, service_id=service_id)


def wait_distribution(backend: Backend, user_id: int, location_id: int, period_start: dt.date,
                      period_end: dt.date, now: dt.datetime, *, service_id: int | None = None,
                      day_part: str | None = None) -> tuple[WaitRow, ...]:
    """Per service: a row per day part and one for the whole day (day_part None), with the average,
    p50/p80/p90 and maximum wait, and the handling time without the implausible ones."""
    start, end = N.check_period(period_start, period_end)
    part = _day_part(day_part)

    def read(uow: UnitOfWork, location: Any, moment: dt.datetime) -> tuple[WaitRow, ...]:
        names = {s.id: s.name for s in uow.directory.services(location.id)}
        waits: dict[int, dict[str, dict[int, int]]] = {}
        for sid, p, value, count in uow.reports.wait_histogram(location.id, start, end, service_id, part):
            waits.setdefault(sid, {}).setdefault(p, {})[value] = count
        handling = _handling_hists(uow, location.id, start, end, service_id)
        rows = []
        for sid in sorted(set(waits) | set(handling), key=lambda i: (names.get(i, ""), i)):
            h_parts = handling.get(sid, {})
            limit = N.handling(_merge(h_parts.values())).limit_s
            w_parts = waits.get(sid, {})
            shown = [p for p in (N.DayPart.DAY.value, N.DayPart.EVENING.value)
                     if (part is None or p == part) and (p in w_parts or p in h_parts)]
            for p in [*shown, None]:
                if p is None and part is not None:
                    continue
                w = w_parts.get(p, {}) if p else _merge(w_parts.values())
                h = h_parts.get(p, {}) if p else _merge(h_parts.values())
                d = N.distribution(w)
                kept = {v: c for v, c in h.items() if not N.is_outlier(v, limit)}
                n_kept = sum(kept.values())
                rows.append(WaitRow(sid, names.get(sid, "?"), p, d.count, d.average_s, d.p50_s, d.p80_s, d.p90_s,
                                    d.max_s, sum(h.values()), N.percentile(_merge(h_parts.values()), 50),
                                    N.average(sum(v * c for v, c in kept.items()), n_kept),
                                    sum(h.values()) - n_kept, limit))
        return tuple(rows)

    return _reading(backend, user_id, location_id, now, read, service_id=service_id)


def daily_trend(backend: Backend, user_id: int, location_id: int, period_start: dt.date, period_end: dt.date,
                now: dt.datetime, *, service_id: int | None = None, day_part: str | None = None
                ) -> tuple[DailyPoint, ...]:
    """Per day with visits: arrivals, called, called within the wait norm (walk-in and appointment
    thresholds), that share, and the average wait."""
    start, end = N.check_period(period_start, period_end)
    part = _day_part(day_part)

    def read(uow: UnitOfWork, location: Any, moment: dt.datetime) -> tuple[DailyPoint, ...]:
        specs = _specs(uow, location.id, service_id)
        return tuple(DailyPoint(d, a, c, m, N.share(m, c), N.average(w, c))
                     for d, a, c, m, w in uow.reports.daily(location.id, start, end, service_id, part,
                                                            _thresholds(specs)))

    return _reading(backend, user_id, location_id, now, read, service_id=service_id)


def _weekday_counts(start: dt.date, end: dt.date) -> list[int]:
    days = (end - start).days + 1
    full, rest = divmod(days, 7)
    counts = [full] * 7
    for i in range(rest):
        counts[(start.weekday() + i) % 7] += 1
    return counts


def week_heatmap(backend: Backend, user_id: int, location_id: int, period_start: dt.date, period_end: dt.date,
                 now: dt.datetime, *, service_id: int | None = None, day_part: str | None = None
                 ) -> tuple[HeatCell, ...]:
    """Arrivals and average wait per weekday and hour (only the cells with arrivals)."""
    start, end = N.check_period(period_start, period_end)
    part = _day_part(day_part)
    occurs = _weekday_counts(start, end)

    def read(uow: UnitOfWork, location: Any, moment: dt.datetime) -> tuple[HeatCell, ...]:
        rows = sorted(uow.reports.week_heatmap(location.id, start, end, service_id, part))
        return tuple(HeatCell(w, h, a, a / max(1, occurs[w]), N.average(s, c)) for w, h, a, c, s in rows)

    return _reading(backend, user_id, location_id, now, read, service_id=service_id)


def live_today(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> LiveToday:
    """Waiting now, the longest wait, the counters open and who serves whom, helped today."""
    now = check_now(now)
    with backend.unit_of_work() as uow:
        actor = acting_user(uow, user_id, Permission.VIEW_REPORTS)
        location = _location(uow, location_id)
        require_location(uow, actor, location.id)
        day = local_day(now, location.timezone)
        waiting = uow.tickets.waiting(location.id, day)
        now_ms = int(now.timestamp() * 1000)
        longest = max(((now_ms - t.arrived_ms) / 1000.0 for t in waiting), default=None)
        held = {t.counter_id: t for t in uow.tickets.held_at(location.id)}
        users = {u.id: u for u in uow.directory.users()}
        counters = []
        for c in uow.directory.counters(location.id):
            if not c.active or c.signed_in_user_id is None or is_gone(c.last_seen_at, now,
                                                                       location.counter_gone_after_s):
                continue
            t = held.get(c.id)
            u = users.get(c.signed_in_user_id)
            counters.append(LiveCounter(c.id, c.display_name, u.display_name if u else None,
                                        t.number if t else None, t.called_at if t else None))
        helped = sum(1 for t in uow.tickets.recent_calls(location.id, day, 100000) if t.state == "finished")
        return LiveToday(now, len(waiting), longest, len(counters), tuple(counters), helped)


# ---------------------------------------------------------------------------
# the rows behind a figure
# ---------------------------------------------------------------------------
def _fmt_min(seconds: int | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def visits_behind(backend: Backend, user_id: int, location_id: int, norm: str, period_start: dt.date,
                  period_end: dt.date, now: dt.datetime, *, service_id: int | None = None,
                  day_part: str | None = None, only_missed: bool = False, limit: int = BEHIND_LIMIT) -> ReportTable:
    """The visits, meldingen, notes, complaints, appointments or ratings behind a tile (``norm``: a Norm
    value or ``"handling_outliers"``). Only what is needed to check the figure: numbers and times, never
    a name, phone number or address."""
    start, end = N.check_period(period_start, period_end)
    part = _day_part(day_part)
    key = norm if norm == OUTLIERS else N.parse_norm(norm)
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100_000:
        raise ValidationError("limit", "out_of_range", 100_000)

    def read(uow: UnitOfWork, location: Any, moment: dt.datetime) -> ReportTable:
        return _behind(uow, location, key, start, end, service_id, part, only_missed, limit, moment)

    return _reading(backend, user_id, location_id, now, read, service_id=service_id)


def _behind(uow: UnitOfWork, location: Any, key: N.Norm | str, start: dt.date, end: dt.date,
            service_id: int | None, part: str | None, only_missed: bool, limit: int, now: dt.datetime
            ) -> ReportTable:
    r = uow.reports
    tz = ZoneInfo(location.timezone)
    today = local_day(now, location.timezone)
    since, until = _bounds(start, end, location.timezone)
    specs = _specs(uow, location.id, service_id)
    visit_cols = ("Volgnummer", "Dienst", "Soort", "Dag", "Dagdeel", "Aankomst", "Wachttijd (min)",
                  "Wachttijd norm (min)", "Behandeltijd (min)", "Status")

    def visit_row(v: Any, extra: tuple[object, ...] = ()) -> tuple[object, ...]:
        (_tid, number, _sid, service_name, kind, day, day_part, arrived_at, wait_s, norm_wait_s, handling_s,
         state) = v  # by position: a year's export has 100,000 of these
        t = arrived_at.astimezone(tz)
        return (number, service_name, kind, day, day_part, f"{t.hour:02d}:{t.minute:02d}",
                None if wait_s is None else round(wait_s / 60, 1),
                None if norm_wait_s is None else round(norm_wait_s / 60, 1),
                None if handling_s is None else round(handling_s / 60, 1), state, *extra)

    def table(title: str, cols: tuple[str, ...], rows: list[tuple[object, ...]]) -> ReportTable:
        return ReportTable(title, cols, tuple(rows[:limit]), len(rows) > limit)

    if key in (N.Norm.WALK_IN_WAIT, N.Norm.APPOINTMENT_WAIT):
        kind = N.VisitKind.WALK_IN if key is N.Norm.WALK_IN_WAIT else N.VisitKind.APPOINTMENT
        thr = N.threshold_seconds(specs[key].threshold or 0)  # type: ignore[index]
        rows = r.visit_rows(location.id, start, end, service_id, part, kind=kind.value, only_called=True,
                            min_norm_wait_s=thr if only_missed else None, limit=limit + 1)
        return table(str(key.value), (*visit_cols, "Binnen norm"),
                     [visit_row(v, (N.within_wait(v.norm_wait_s, specs[key].threshold or 0),))  # type: ignore[index]
                      for v in rows])
    if key == OUTLIERS:
        hists = _handling_hists(uow, location.id, start, end, service_id)
        rows = []
        for sid, parts in sorted(hists.items()):
            limit_s = N.handling(_merge(parts.values())).limit_s
            if limit_s is None:
                continue
            for v in r.visit_rows(location.id, start, end, sid, part, min_handling_s=limit_s, limit=limit + 1):
                rows.append(visit_row(v, (_fmt_min(limit_s),)))
        return table(OUTLIERS, (*visit_cols, "Grens (min)"), rows)
    if key is N.Norm.CALLBACK_TERM:
        rows = []
        for n in r.callback_rows(location.id, since, until):
            done = n.done_at.astimezone(tz).date() if n.done_at else None
            ok = N.on_time(n.due_date, done, today)
            if ok is None or (only_missed and ok):
                continue
            rows.append((n.id, n.created_at.astimezone(tz).date(), n.due_date, done, ok))
        return table(key.value, ("Notitie", "Geschreven", "Uiterlijk", "Teruggebeld", "Op tijd"), rows)
    if key in (N.Norm.MELDING_TERM, N.Norm.MELDING_DAYS):
        calendar = load_workday_calendar(uow, location)
        rows = []
        for m in r.melding_rows(location.id, since, until):
            closed = m.closed_at.astimezone(tz).date()
            ok = bool(N.on_time(m.due_date, closed, today))
            if only_missed and ok:
                continue
            rows.append((m.number, m.category, m.received_on, m.due_date, closed,
                         N.handling_working_days(calendar, m.received_on, closed), ok))
        return table(key.value, ("Melding", "Categorie", "Ontvangen", "Uiterlijk", "Afgehandeld", "Werkdagen",
                                 "Op tijd"), rows)
    if key is N.Norm.COMPLAINT_TERM:
        rows = []
        for k in r.complaint_rows(location.id, since, until):
            handled = k.handled_at.astimezone(tz).date()
            ok = bool(N.on_time(k.due_date, handled, today))
            if only_missed and ok:
                continue
            rows.append((k.number, k.received_on, k.due_date, k.extended, handled, ok))
        return table(key.value, ("Klacht", "Ontvangen", "Uiterlijk", "Verlengd", "Afgehandeld", "Op tijd"), rows)
    if key is N.Norm.NO_SHOW:
        rows = [(a.code, a.service_name, a.day, a.slot_start.astimezone(tz).strftime("%H:%M"), a.state)
                for a in r.no_show_rows(location.id, start, end, service_id, limit + 1)
                if not only_missed or a.state == "no_show"]
        return table(key.value, ("Afspraak", "Dienst", "Dag", "Tijd", "Status"), rows)
    if key is N.Norm.RATING_GOOD:
        rows = [(x.day, x.hour, x.day_part, x.service_name, x.rating, x.comment)
                for x in r.rating_rows(location.id, start, end, service_id, part, limit + 1)
                if not only_missed or not N.rating_good(x.rating)]
        return table(key.value, ("Dag", "Uur", "Dagdeel", "Dienst", "Cijfer", "Wat kan beter?"), rows)
    # FIRST_LINE: the contacts themselves are in the contacts list (they may hold notes about people).
    met, n = r.contact_counts(location.id, since, until, service_id)
    return table(N.Norm.FIRST_LINE.value, ("Eerstelijns", "Doorgezet", "Totaal"), [(met, n - met, n)])


# ---------------------------------------------------------------------------
# targets
# ---------------------------------------------------------------------------
def norm_targets(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *,
                 service_id: int | None = None) -> tuple[NormTargetInfo, ...]:
    """The targets in force for the location (or one service), and where each comes from."""
    now = check_now(now)
    with backend.unit_of_work() as uow:
        actor = acting_user(uow, user_id, Permission.VIEW_REPORTS)
        location = _location(uow, location_id)
        require_location(uow, actor, location.id)
        _check_service(uow, location, service_id)
        own = {(r.service_id, r.norm) for r in uow.reports.targets(location.id)}
        specs = _specs(uow, location.id, service_id)
        out = []
        for norm in N.Norm:
            s = specs[norm]
            source = ("service" if service_id is not None and (service_id, norm.value) in own
                      and norm in N.SERVICE_NORMS else "location" if (None, norm.value) in own else "default")
            out.append(NormTargetInfo(norm.value, service_id if source == "service" else None, s.target,
                                      s.threshold, source))
        return tuple(out)


def set_norm_target(backend: Backend, user_id: int, location_id: int, norm: str, target: float,
                    now: dt.datetime, *, service_id: int | None = None,
                    threshold: float | None = None) -> NormTargetInfo:
    """The team lead sets the location's own target (or one service's: waits, no-shows, ratings)."""
    now = check_now(now)
    spec = N.clean_spec(norm, target, threshold)
    if service_id is not None and spec.norm not in N.SERVICE_NORMS:
        raise ValidationError("service", "not_applicable")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.CONFIGURE)
        location = _location(uow, location_id)
        require_location(uow, user, location.id)
        _check_service(uow, location, service_id)
        uow.reports.put_target(location.id, service_id, spec.norm.value, spec.target, spec.threshold, now, user.id)
        uow.changed(reports_topic(location.id))
        uow.commit()
        return NormTargetInfo(spec.norm.value, service_id, spec.target, spec.threshold,
                              "location" if service_id is None else "service")


def clear_norm_target(backend: Backend, user_id: int, location_id: int, norm: str, now: dt.datetime, *,
                      service_id: int | None = None) -> bool:
    """Back to the default (or, for a service, to the location's target)."""
    now = check_now(now)
    n = N.parse_norm(norm)
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.CONFIGURE)
        location = _location(uow, location_id)
        require_location(uow, actor, location.id)
        _check_service(uow, location, service_id)
        gone = uow.reports.delete_target(location.id, service_id, n.value)
        uow.changed(reports_topic(location.id))
        uow.commit()
        return gone


def reports_topic(location_id: int) -> str:
    return f"reports:{location_id}"


# ---------------------------------------------------------------------------
# the visitor's rating (KTO)
# ---------------------------------------------------------------------------
def record_rating(backend: Backend, user_id: int, location_id: int, service_id: int | None, rating: int,
                  comment: str | None, now: dt.datetime) -> RatingInfo:
    """A rapportcijfer 1-10 and an optional line "Wat kan beter?", anonymous: tied to the service,
    the day, the hour and the day part only (no ticket, person or device; the time kept to the hour)."""
    now = check_now(now)
    value = N.clean_rating(rating)
    text = N.scrub_comment(comment)
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.RATE_VISIT)
        location = _location(uow, location_id)
        require_location(uow, actor, location.id)
        _check_service(uow, location, service_id)
        local = now.astimezone(ZoneInfo(location.timezone))
        schedule, _options = load_schedule(uow, location)
        periods = tuple((p.start, p.end) for p in schedule.location_day(local.date()).periods) if schedule else ()
        part = N.day_part(local.hour * 60 + local.minute, periods)
        rid = uow.reports.add_rating(location_id=location.id, service_id=service_id, rating=value, comment=text,
                                     day=local.date(), hour=local.hour, day_part=part.value,
                                     created_at=N.hour_bucket(now))
        uow.changed(reports_topic(location.id))
        uow.commit()
        return RatingInfo(rid, location.id, service_id, value, text, local.date(), local.hour, part.value)


# ---------------------------------------------------------------------------
# the quarterly report
# ---------------------------------------------------------------------------
def quarterly_report(backend: Backend, user_id: int, location_id: int, quarter: str,
                     now: dt.datetime) -> QuarterReport:
    """Every norm of a quarter ("2026Q3") against the quarter before, the waits per service and the
    evening opening apart: what the PDF report shows."""
    start, end = N.parse_quarter(quarter)
    tiles = norm_tiles(backend, user_id, location_id, start, end, now)
    evening = norm_tiles(backend, user_id, location_id, start, end, now, day_part=N.DayPart.EVENING.value)
    waits = wait_distribution(backend, user_id, location_id, start, end, now)
    with backend.unit_of_work() as uow:
        name = _location(uow, location_id).name
    label = f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return QuarterReport(location_id, name, label, start, end, check_now(now), tiles, waits, evening)
