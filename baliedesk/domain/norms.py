"""Service norms (servicenormen): what each figure means, computed from the events.

Plain Python: no clock, no database. Every definition is written once here
(and described in ``docs/norms.md``); storage only counts with the same
predicates (:func:`within_wait`, :data:`RATING_GOOD_FROM` ...), which the
tests check against a brute-force replay of the events.

Times are whole seconds (floored): a wait of 9 min 59.9 s is 599 s. Percentiles
are nearest-rank over those whole seconds, so they can be computed from a
histogram (value -> count) as well as from the list of values.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from baliedesk.domain.calendar import WorkdayCalendar
from baliedesk.domain.errors import ValidationError
from baliedesk.domain.timeline import EventLike, durations

#: A period of the location's opening hours that starts at or after 17:00 is the evening opening.
EVENING_FROM_MINUTE = 17 * 60
#: A handling time above this multiple of the service's median is implausible (a forgotten "afronden").
OUTLIER_MULTIPLE = 4.0
#: A rating of 7 or more is "goed" (Apeldoorn: 90% of counter visitors rate the service as good).
RATING_GOOD_FROM = 7
RATING_MIN, RATING_MAX = 1, 10
COMMENT_MAX_LENGTH = 200
PERCENTILES = (50, 80, 90)


class DayPart(str, enum.Enum):
    DAY = "dag"
    EVENING = "avond"


class VisitKind(str, enum.Enum):
    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"


def day_part(minute_of_day: float, periods: Iterable[tuple[int, int]]) -> DayPart:
    """The day part of a moment: the evening when the opening period it falls in starts at or after
    17:00; outside every period (early, late, a day without hours) by the moment itself."""
    for start, end in periods:
        if start <= minute_of_day < end:
            return DayPart.EVENING if start >= EVENING_FROM_MINUTE else DayPart.DAY
    return DayPart.EVENING if minute_of_day >= EVENING_FROM_MINUTE else DayPart.DAY


# ---------------------------------------------------------------------------
# the norms and their targets
# ---------------------------------------------------------------------------
class Norm(str, enum.Enum):
    WALK_IN_WAIT = "walk_in_wait"  # % walk-in visitors called within N minutes
    APPOINTMENT_WAIT = "appointment_wait"  # % appointments called within N minutes of the later of check-in and time
    CALLBACK_TERM = "callback_term"  # % callback notes done on or before their due day (2 working days)
    MELDING_TERM = "melding_term"  # % meldingen handled on or before their due day
    MELDING_DAYS = "melding_days"  # average working days from receipt to handled
    COMPLAINT_TERM = "complaint_term"  # % complaints handled within the Awb term (6 weeks, 10 when extended)
    FIRST_LINE = "first_line"  # % contacts answered first-line
    NO_SHOW = "no_show"  # % appointments the visitor did not come to
    RATING_GOOD = "rating_good"  # % ratings 7 or higher


class Unit(str, enum.Enum):
    PERCENT = "percent"
    WORKING_DAYS = "working_days"


@dataclass(frozen=True)
class NormSpec:
    norm: Norm
    target: float  # percent (0-100) or working days
    threshold: float | None  # minutes for the waits; None where the norm has no threshold
    higher_is_better: bool
    unit: Unit


_P, _WD = Unit.PERCENT, Unit.WORKING_DAYS
#: The seeds' figures: Leiderdorp 95% (appointments within 5 min, callbacks within 2 working days,
#: meldingen), Loppersum meldingen 90% and 8.2 working days, Apeldoorn 90% "goed".
DEFAULTS: Mapping[Norm, NormSpec] = {
    Norm.WALK_IN_WAIT: NormSpec(Norm.WALK_IN_WAIT, 95.0, 10.0, True, _P),
    Norm.APPOINTMENT_WAIT: NormSpec(Norm.APPOINTMENT_WAIT, 95.0, 5.0, True, _P),
    Norm.CALLBACK_TERM: NormSpec(Norm.CALLBACK_TERM, 95.0, None, True, _P),
    Norm.MELDING_TERM: NormSpec(Norm.MELDING_TERM, 90.0, None, True, _P),
    Norm.MELDING_DAYS: NormSpec(Norm.MELDING_DAYS, 8.2, None, False, _WD),
    Norm.COMPLAINT_TERM: NormSpec(Norm.COMPLAINT_TERM, 95.0, None, True, _P),
    Norm.FIRST_LINE: NormSpec(Norm.FIRST_LINE, 80.0, None, True, _P),
    Norm.NO_SHOW: NormSpec(Norm.NO_SHOW, 5.0, None, False, _P),
    Norm.RATING_GOOD: NormSpec(Norm.RATING_GOOD, 90.0, None, True, _P),
}
#: Norms a service may have its own target for (the others belong to the location).
SERVICE_NORMS = frozenset({Norm.WALK_IN_WAIT, Norm.APPOINTMENT_WAIT, Norm.NO_SHOW, Norm.RATING_GOOD})
THRESHOLD_MAX_MINUTES = 240.0


def parse_norm(value: object) -> Norm:
    try:
        return Norm(value)
    except ValueError:
        raise ValidationError("norm", "invalid") from None


def clean_spec(norm: object, target: object, threshold: object = None) -> NormSpec:
    """A target the team lead typed, checked: percentages 0-100, days 0-260, wait thresholds 1-240 whole
    minutes (norms are stated in minutes; the roll-ups count waits per started minute)."""
    n = parse_norm(norm)
    base = DEFAULTS[n]
    if isinstance(target, bool) or not isinstance(target, (int, float)) or not math.isfinite(target):
        raise ValidationError("target", "invalid")
    upper = 100.0 if base.unit is Unit.PERCENT else 260.0
    if not 0 <= target <= upper:
        raise ValidationError("target", "out_of_range", int(upper))
    limit: float | None = None
    if base.threshold is not None:
        if threshold is None:
            limit = base.threshold
        elif isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not math.isfinite(threshold):
            raise ValidationError("threshold", "invalid")
        elif not 1 <= threshold <= THRESHOLD_MAX_MINUTES:
            raise ValidationError("threshold", "out_of_range", int(THRESHOLD_MAX_MINUTES))
        elif not float(threshold).is_integer():
            raise ValidationError("threshold", "whole_minutes")
        else:
            limit = float(threshold)
    elif threshold is not None:
        raise ValidationError("threshold", "not_applicable")
    return NormSpec(n, float(target), limit, base.higher_is_better, base.unit)


def resolve_specs(rows: Iterable[tuple[int | None, NormSpec]], service_id: int | None
                  ) -> dict[Norm, NormSpec]:
    """The targets in force: the service's own where it has one, else the location's, else the default."""
    rows = list(rows)
    out = dict(DEFAULTS)
    for sid, spec in rows:
        if sid is None:
            out[spec.norm] = spec
    if service_id is not None:
        for sid, spec in rows:
            if sid == service_id and spec.norm in SERVICE_NORMS:
                out[spec.norm] = spec
    return out


# ---------------------------------------------------------------------------
# one visit, replayed from its events
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class VisitFact:
    """What the figures need from one finished visit (one ticket in a final state)."""

    ticket_id: int
    location_id: int
    service_id: int  # the service it ended in
    kind: VisitKind
    day: dt.date  # local date of arrival
    weekday: int  # Monday = 0
    hour: int  # local hour of arrival
    day_part: DayPart
    arrived_at: dt.datetime
    wait_s: int | None  # arrival to first call; None: never called
    norm_wait_s: int | None  # walk-in: = wait_s; appointment: from the later of check-in and booked time
    handling_s: int | None  # last call to finish; None: not finished as helped
    state: str  # finished | no_show | cancelled | expired ...


def _secs(x: float | None) -> int | None:
    return None if x is None else int(math.floor(x))


def visit_fact(*, ticket_id: int, location_id: int, service_id: int, state: str, source: str,
               events: Sequence[EventLike], slot_start: dt.datetime | None, timezone: str,
               periods_on: Mapping[dt.date, Sequence[tuple[int, int]]] | None = None) -> VisitFact:
    """Replay one ticket's events (in order) into its :class:`VisitFact`.

    The arrival is the first event (the issue or check-in). An appointment
    (``source == "appointment"``) counts its norm wait from the later of
    check-in and its booked time ``slot_start``.
    """
    arrived = events[0].at
    local = arrived.astimezone(ZoneInfo(timezone))
    minute = local.hour * 60 + local.minute + local.second / 60
    periods = (periods_on or {}).get(local.date(), ())
    d = durations(events)
    first_call = next((e.at for e in events if e.action == "call"), None)
    kind = VisitKind.APPOINTMENT if source == "appointment" else VisitKind.WALK_IN
    norm_wait: int | None = None
    if first_call is not None:
        start = arrived if kind is VisitKind.WALK_IN or slot_start is None else max(arrived, slot_start)
        norm_wait = max(0, _secs((first_call - start).total_seconds()) or 0)
    handling = _secs(d.handling_s) if state == "finished" else None
    return VisitFact(ticket_id, location_id, service_id, kind, local.date(), local.weekday(), local.hour,
                     day_part(minute, periods), arrived, _secs(d.first_wait_s), norm_wait, handling, state)


# ---------------------------------------------------------------------------
# the predicates (storage counts with the same ones)
# ---------------------------------------------------------------------------
def threshold_seconds(minutes: float) -> int:
    return int(math.floor(minutes * 60))


def within_wait(norm_wait_s: int, threshold_minutes: float) -> bool:
    """Helped within the norm: called at most the threshold after the start of the wait."""
    return norm_wait_s <= threshold_seconds(threshold_minutes)


def counts_for_wait(fact: VisitFact) -> bool:
    """A visit counts for its wait norm when it was called (a no-show counts: it was called)."""
    return fact.norm_wait_s is not None


def rating_good(rating: int) -> bool:
    return rating >= RATING_GOOD_FROM


def on_time(due: dt.date, done_day: dt.date | None, today: dt.date) -> bool | None:
    """A callback, melding or complaint: True done on or before its due day; False done later or still
    open after it; None still open and not yet due (left out)."""
    if done_day is not None:
        return done_day <= due
    return False if today > due else None


def handling_working_days(calendar: WorkdayCalendar, received: dt.date, closed: dt.date) -> int:
    return max(0, calendar.working_days_between(received, closed))


def handling_working_days_total(calendar: WorkdayCalendar,
                                groups: Iterable[tuple[dt.date, dt.date, int]]) -> int:
    """The sum of ``count * handling_working_days(received, closed)`` over the groups, with one calendar
    count per distinct date instead of one per pair: working days between two dates are the difference
    of their working-day numbers counted from any one anchor date."""
    groups = list(groups)
    if not groups:
        return 0
    dates = {d for received, closed, _n in groups for d in (received, closed)}
    anchor = min(dates)
    rank = {d: calendar.working_days_between(anchor, d) for d in dates}
    return sum(n * max(0, rank[closed] - rank[received]) for received, closed, n in groups)


def share(met: int, count: int) -> float | None:
    return None if count == 0 else 100.0 * met / count


def average(total: float, count: int) -> float | None:
    return None if count == 0 else total / count


# ---------------------------------------------------------------------------
# distributions from a histogram (value -> count)
# ---------------------------------------------------------------------------
def histogram(values: Iterable[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return out


def percentile(hist: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile: the smallest value with at least p% of the values at or below it."""
    n = sum(hist.values())
    if n == 0:
        return None
    rank = max(1, math.ceil(p / 100 * n))
    seen = 0
    for value in sorted(hist):
        seen += hist[value]
        if seen >= rank:
            return value
    return max(hist)  # pragma: no cover - rank <= n


def outlier_limit(median_s: int | None, multiple: float = OUTLIER_MULTIPLE) -> int | None:
    """Handling above this many seconds is implausible; None: no median, nothing is flagged."""
    return None if median_s is None else int(math.floor(median_s * multiple))


def is_outlier(handling_s: int | None, limit: int | None) -> bool:
    return handling_s is not None and limit is not None and handling_s > limit


@dataclass(frozen=True)
class Distribution:
    count: int
    average_s: float | None
    p50_s: int | None
    p80_s: int | None
    p90_s: int | None
    max_s: int | None


def distribution(hist: Mapping[int, int]) -> Distribution:
    n = sum(hist.values())
    total = sum(v * c for v, c in hist.items())
    return Distribution(n, average(total, n), percentile(hist, 50), percentile(hist, 80), percentile(hist, 90),
                        max(hist) if hist else None)


@dataclass(frozen=True)
class Handling:
    """Handling times of one service: the median, the limit above which a time is implausible,
    how many are above it, and the average without them."""

    count: int
    median_s: int | None
    limit_s: int | None
    outliers: int
    average_s: float | None  # outliers left out


def handling(hist: Mapping[int, int], multiple: float = OUTLIER_MULTIPLE) -> Handling:
    med = percentile(hist, 50)
    limit = outlier_limit(med, multiple)
    kept = {v: c for v, c in hist.items() if not is_outlier(v, limit)}
    n_kept = sum(kept.values())
    return Handling(sum(hist.values()), med, limit, sum(hist.values()) - n_kept,
                    average(sum(v * c for v, c in kept.items()), n_kept))


# ---------------------------------------------------------------------------
# a norm's result
# ---------------------------------------------------------------------------
class Verdict(str, enum.Enum):
    MET = "met"  # norm gehaald
    NEAR = "near"  # within 5 points (or 10% of a day target): bijna
    MISSED = "missed"  # niet gehaald
    NO_DATA = "no_data"  # nothing to count


NEAR_PERCENT_POINTS = 5.0


def verdict(spec: NormSpec, realised: float | None) -> Verdict:
    if realised is None:
        return Verdict.NO_DATA
    if spec.higher_is_better:
        gap = spec.target - realised
    else:
        gap = realised - spec.target
    if gap <= 1e-9:
        return Verdict.MET
    near = NEAR_PERCENT_POINTS if spec.unit is Unit.PERCENT else spec.target * 0.1
    return Verdict.NEAR if gap <= near else Verdict.MISSED


# ---------------------------------------------------------------------------
# rating comments: anonymous and short
# ---------------------------------------------------------------------------
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?:\+|00)?\d[\d\s\-().]{7,}\d")
_POSTCODE_RE = re.compile(r"\b[1-9]\d{3}\s?[A-Za-z]{2}\b")


def clean_rating(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError("rating", "invalid")
    if not RATING_MIN <= value <= RATING_MAX:
        raise ValidationError("rating", "out_of_range", RATING_MAX)
    return value


def scrub_comment(text: object) -> str | None:
    """One line, at most 200 characters, with e-mail addresses, phone numbers and postcodes blanked."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValidationError("comment", "invalid")
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    line = _EMAIL_RE.sub("[e-mail]", line)
    line = _PHONE_RE.sub("[nummer]", line)
    line = _POSTCODE_RE.sub("[postcode]", line)
    line = line[:COMMENT_MAX_LENGTH].strip()
    return line or None


def hour_bucket(moment: dt.datetime) -> dt.datetime:
    """A rating's time is kept to the hour only: never precise enough to find the visit back."""
    return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


# ---------------------------------------------------------------------------
# periods
# ---------------------------------------------------------------------------
_QUARTER_RE = re.compile(r"^\s*(\d{4})\s*[Qq-]?\s*[Qq]?([1-4])\s*$")


def parse_quarter(text: object) -> tuple[dt.date, dt.date]:
    """'2026Q3' -> (1 July 2026, 30 September 2026), both inclusive."""
    m = _QUARTER_RE.match(text) if isinstance(text, str) else None
    if m is None:
        raise ValidationError("quarter", "invalid")
    year, q = int(m.group(1)), int(m.group(2))
    if not 2000 <= year <= 2100:
        raise ValidationError("quarter", "out_of_range")
    first = dt.date(year, 3 * q - 2, 1)
    nxt = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def previous_period(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The period before, as long: a quarter before a quarter, a year before a year, else the same days before."""
    if start.day == 1 and (end + dt.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        m = start.month - 1 - months
        first = dt.date(start.year + m // 12, m % 12 + 1, 1)
        return first, start - dt.timedelta(days=1)
    days = (end - start).days + 1
    return start - dt.timedelta(days=days), start - dt.timedelta(days=1)


def check_period(start: object, end: object, max_days: int = 3 * 366) -> tuple[dt.date, dt.date]:
    for name, v in (("period_start", start), ("period_end", end)):
        if not isinstance(v, dt.date) or isinstance(v, dt.datetime):
            raise ValidationError(name, "invalid")
    assert isinstance(start, dt.date) and isinstance(end, dt.date)
    if end < start:
        raise ValidationError("period_end", "before_start")
    if (end - start).days >= max_days:
        raise ValidationError("period_end", "out_of_range", max_days)
    return start, end
