"""The one working-day calendar and the opening schedules.

Every deadline in BalieDesk counts in *werkdagen*: Monday to Friday minus the
closure days. Closure days are

* the public holidays the municipality closes on, taken from the maintained
  ``holidays`` package (NL), filtered by the municipality's choices
  (:class:`HolidayPolicy`): by default Nieuwjaarsdag, Tweede Paasdag,
  Koningsdag (26 April when the 27th is a Sunday), Hemelvaartsdag, Tweede
  Pinksterdag, Eerste and Tweede Kerstdag; Goede Vrijdag on or off;
  Bevrijdingsdag every year, every fifth year (2025, 2030, ...) or never;
* extra closure days (the Friday after Ascension, a staff day), dated
  exceptions of the location.

A dated exception with opening hours on a weekday holiday is an extra opening:
that day is then a working day. An opening on a Saturday does not make the
Saturday a working day (werkdagen are Monday to Friday).

On top of the calendar, a :class:`Schedule` holds a location's weekly pattern
(one or more periods per weekday, for example 09:00-12:30 and 13:30-16:30,
Thursday also 17:00-19:30), a narrower pattern per service where needed, and
dated exceptions (closed, or other hours), for the whole location or one
service. A service is never open when its location is closed: its hours are
the intersection of the location's hours and its own.

Times of day are minutes after local midnight (0..1440; 1440 is "24:00" and
only valid as an end). Moments are aware datetimes; the schedule converts
between them in the location's time zone. No clock: ``now`` is passed in.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from baliedesk.domain.errors import PeriodInsideOut, PeriodsOverlap, ValidationError

MINUTES_PER_DAY = 24 * 60
#: How far ``next_opening`` and the deadline helpers look ahead before giving up.
HORIZON_DAYS = 400

WEEKDAYS = range(7)  # Monday = 0 ... Sunday = 6, as ``date.weekday()``

#: Highest value (minutes) of each calendar choice a location can make (services.schedules checks them).
OPTION_LIMITS = {"kiosk_stop_minutes": 120, "checkin_early_minutes": 240, "checkin_late_minutes": 120}
#: Longest note on a dated exception ("Personeelsdag").
EXCEPTION_NOTE_MAX_LENGTH = 200


# ---------------------------------------------------------------------------
# public holidays and the municipality's choices
# ---------------------------------------------------------------------------
class Holiday(str, enum.Enum):
    """The Dutch public holidays a municipality may close on."""

    NEW_YEAR = "nieuwjaarsdag"
    GOOD_FRIDAY = "goede_vrijdag"
    EASTER_MONDAY = "tweede_paasdag"
    KINGS_DAY = "koningsdag"  # Koninginnedag (30 April) before 2014
    LIBERATION_DAY = "bevrijdingsdag"
    ASCENSION = "hemelvaartsdag"
    WHIT_MONDAY = "tweede_pinksterdag"
    CHRISTMAS = "eerste_kerstdag"
    BOXING_DAY = "tweede_kerstdag"


#: Names the ``holidays`` package uses (language en_US) for the days we care
#: about. Sundays (Easter, Whit Sunday) are not listed: they are never working
#: days anyway.
_PACKAGE_NAMES = {
    "New Year's Day": Holiday.NEW_YEAR,
    "Good Friday": Holiday.GOOD_FRIDAY,
    "Easter Monday": Holiday.EASTER_MONDAY,
    "King's Day": Holiday.KINGS_DAY,
    "Queen's Day": Holiday.KINGS_DAY,
    "Ascension Day": Holiday.ASCENSION,
    "Pentecost Monday": Holiday.WHIT_MONDAY,
    "Whit Monday": Holiday.WHIT_MONDAY,
    "Christmas Day": Holiday.CHRISTMAS,
    "Second Day of Christmas": Holiday.BOXING_DAY,
}

#: Closed on these whatever the policy says.
ALWAYS_CLOSED = frozenset({
    Holiday.NEW_YEAR, Holiday.EASTER_MONDAY, Holiday.KINGS_DAY, Holiday.ASCENSION, Holiday.WHIT_MONDAY,
    Holiday.CHRISTMAS, Holiday.BOXING_DAY,
})


class LiberationDay(str, enum.Enum):
    """Bevrijdingsdag (5 May): a municipality's own choice."""

    EVERY_YEAR = "every_year"
    LUSTRUM = "lustrum"  # every fifth year: 2025, 2030, ... (as in the CAO Gemeenten)
    NEVER = "never"


@dataclass(frozen=True)
class HolidayPolicy:
    """Which optional holidays the municipality closes on."""

    good_friday: bool = False
    liberation_day: LiberationDay = LiberationDay.LUSTRUM

    @classmethod
    def parse(cls, good_friday: object, liberation_day: object) -> HolidayPolicy:
        try:
            rule = LiberationDay(liberation_day)
        except ValueError:
            raise ValidationError("liberation_day", "invalid") from None
        return cls(bool(good_friday), rule)


@lru_cache(maxsize=512)
def _package_holidays(year: int) -> tuple[tuple[dt.date, Holiday], ...]:
    """The NL holidays of ``year`` from the maintained package, as our keys."""
    if not 1 <= year <= 9999:
        return ()
    # Imported on first use: the package (with dateutil) costs a counter window's
    # start noticeable time, and its first screen does not need it yet.
    import holidays as holiday_data

    out: list[tuple[dt.date, Holiday]] = []
    for day, name in holiday_data.country_holidays("NL", years=year, language="en_US").items():
        for part in str(name).split(";"):
            key = _PACKAGE_NAMES.get(part.strip())
            if key is not None and key is not Holiday.LIBERATION_DAY:
                out.append((day, key))
    return tuple(sorted(out))


@lru_cache(maxsize=4096)
def closure_holidays(year: int, policy: HolidayPolicy = HolidayPolicy()) -> Mapping[dt.date, Holiday]:
    """The public holidays of ``year`` the municipality closes on (any weekday)."""
    out: dict[dt.date, Holiday] = {}
    for day, key in _package_holidays(year):
        if key in ALWAYS_CLOSED or (key is Holiday.GOOD_FRIDAY and policy.good_friday):
            out[day] = key
    rule = policy.liberation_day
    if 1 <= year <= 9999 and (rule is LiberationDay.EVERY_YEAR or (rule is LiberationDay.LUSTRUM and year % 5 == 0)):
        out.setdefault(dt.date(year, 5, 5), Holiday.LIBERATION_DAY)
    return dict(sorted(out.items()))


def friday_after_ascension(year: int) -> dt.date | None:
    """The usual extra closure day (brugdag); a suggestion for the team lead."""
    for day, key in _package_holidays(year):
        if key is Holiday.ASCENSION:
            return day + dt.timedelta(days=1)
    return None


# ---------------------------------------------------------------------------
# working days
# ---------------------------------------------------------------------------
class ClosureReason(str, enum.Enum):
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    EXTRA_CLOSURE = "extra_closure"


def _as_date(value: dt.date | dt.datetime, tz: ZoneInfo) -> dt.date:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValidationError("moment", "naive_datetime")
        return value.astimezone(tz).date()
    return value


def _weekdays_up_to(day: dt.date) -> int:
    """Monday-to-Friday dates from 1 January of year 1 up to and including ``day``."""
    n = day.toordinal()  # 1 = Monday 1 January of year 1
    weeks, rest = divmod(n, 7)
    return weeks * 5 + min(rest, 5)


class WorkdayCalendar:
    """Working days: Monday to Friday minus the closure days.

    ``closed_days`` are the location's extra closure days; ``opened_days`` are
    weekday holidays the location opens on anyway (which then count as working
    days). Moments (aware datetimes) count by their local date in ``timezone``.
    """

    def __init__(
        self,
        policy: HolidayPolicy = HolidayPolicy(),
        closed_days: Iterable[dt.date] = (),
        opened_days: Iterable[dt.date] = (),
        timezone: str = "Europe/Amsterdam",
    ) -> None:
        self.policy = policy
        self.closed_days = frozenset(closed_days)
        self.opened_days = frozenset(opened_days)
        self.timezone = timezone
        self.tz = ZoneInfo(timezone)

    def holiday(self, day: dt.date) -> Holiday | None:
        return closure_holidays(day.year, self.policy).get(day)

    def closure_reason(self, day: dt.date | dt.datetime) -> ClosureReason | None:
        """Why ``day`` is not a working day, or None when it is one."""
        day = _as_date(day, self.tz)
        if day.weekday() >= 5:
            return ClosureReason.WEEKEND
        if day in self.closed_days:
            return ClosureReason.EXTRA_CLOSURE
        if day in self.opened_days:
            return None
        if self.holiday(day) is not None:
            return ClosureReason.HOLIDAY
        return None

    def is_working_day(self, day: dt.date | dt.datetime) -> bool:
        return self.closure_reason(day) is None

    def next_working_day(self, day: dt.date | dt.datetime, *, include_today: bool = False) -> dt.date:
        day = _as_date(day, self.tz)
        if not include_today:
            day += dt.timedelta(days=1)
        for _ in range(HORIZON_DAYS):
            if self.is_working_day(day):
                return day
            day += dt.timedelta(days=1)
        raise ValidationError("calendar", "no_working_day", HORIZON_DAYS)

    def add_working_days(self, start: dt.date | dt.datetime, n: int) -> dt.date:
        """The ``n``-th working day after ``start`` (``n`` = 0: the start day itself).

        For ``n`` >= 1 the answer is always a working day, and
        ``working_days_between(start, add_working_days(start, n)) == n``.
        """
        if n < 0:
            raise ValidationError("working_days", "out_of_range", 0)
        day = _as_date(start, self.tz)
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def working_days_between(self, start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is before ``start``."""
        a, b = _as_date(start, self.tz), _as_date(end, self.tz)
        if b < a:
            return -self.working_days_between(b, a)
        # Weekdays in (a, b] by arithmetic, minus the closed weekdays in that range:
        # fast for spans of years as well as days.
        closed = {d for d in self.closed_days if a < d <= b and d.weekday() < 5}
        for year in range(a.year, b.year + 1):
            for d in closure_holidays(year, self.policy):
                if a < d <= b and d.weekday() < 5 and d not in self.opened_days:
                    closed.add(d)
        return _weekdays_up_to(b) - _weekdays_up_to(a) - len(closed)


# ---------------------------------------------------------------------------
# periods of a day
# ---------------------------------------------------------------------------
_TIME_RE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(?:uur)?\s*$")


def parse_time(text: object, *, field: str = "time") -> int:
    """``"9:00"``, ``"09.00"``, ``"9"`` or ``"19.30 uur"`` -> minutes after midnight (0..1440)."""
    if isinstance(text, int) and not isinstance(text, bool):
        minutes = text
    else:
        m = _TIME_RE.match(str(text or ""))
        if not m:
            raise ValidationError(field, "invalid_time")
        hours, mins = int(m.group(1)), int(m.group(2) or 0)
        if mins >= 60:
            raise ValidationError(field, "invalid_time")
        minutes = hours * 60 + mins
    if not 0 <= minutes <= MINUTES_PER_DAY:
        raise ValidationError(field, "invalid_time")
    return minutes


def hhmm(minutes: int) -> str:
    """600 -> ``"10:00"`` (storage and logs; screens use :mod:`baliedesk.hourstext`)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """From ``start`` to ``end``, minutes after local midnight; ``start < end``."""

    start: int
    end: int

    @classmethod
    def parse(cls, start: object, end: object) -> Period:
        return cls(parse_time(start, field="start"), parse_time(end, field="end"))

    @property
    def minutes(self) -> int:
        return self.end - self.start

    def contains(self, minute: float) -> bool:
        return self.start <= minute < self.end

    def __str__(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


def validate_periods(
    periods: Iterable[Period | tuple[object, object]],
    *,
    weekday: int | None = None,
    day: dt.date | None = None,
) -> tuple[Period, ...]:
    """Sorted, valid periods; refuses inside-out and overlapping ones with typed errors.

    Periods that touch (12:30-13:00 and 13:00-16:00) are allowed.
    """
    out: list[Period] = []
    for p in periods:
        if not isinstance(p, Period):
            try:
                start, end = p
            except (TypeError, ValueError):
                raise ValidationError("period", "invalid") from None
            p = Period.parse(start, end)
        else:
            p = Period(parse_time(p.start, field="start"), parse_time(p.end, field="end"))
        if p.start >= p.end:
            raise PeriodInsideOut(p.start, p.end, weekday, day)
        out.append(p)
    out.sort()
    for first, second in zip(out, out[1:]):
        if second.start < first.end:
            raise PeriodsOverlap(first.start, first.end, second.start, second.end, weekday, day)
    return tuple(out)


_PERIOD_SPLIT = re.compile(r"\s*[,;]\s*|\s+en\s+")
_RANGE_SPLIT = re.compile(r"\s*(?:-|\u2013|\u2014|tot)\s*")


def parse_periods(text: str | None, *, weekday: int | None = None, day: dt.date | None = None) -> tuple[Period, ...]:
    """``"9:00-12:30, 13:30-16:30"`` (also ``"9.00 - 12.30 en 13.30 tot 16.30"``) -> valid periods.

    Empty text: no periods (closed). Refuses what it cannot read with
    ``ValidationError("period", "invalid")`` and bad periods with the typed
    errors of :func:`validate_periods`.
    """
    text = (text or "").strip().removesuffix("uur").strip()
    if not text:
        return ()
    if len(text) > 200:
        raise ValidationError("period", "invalid")
    pairs = []
    for part in _PERIOD_SPLIT.split(text):
        if not part:
            continue
        ends = _RANGE_SPLIT.split(part.strip())
        if len(ends) != 2 or not ends[0] or not ends[1]:
            raise ValidationError("period", "invalid")
        pairs.append((ends[0], ends[1]))
    return validate_periods(pairs, weekday=weekday, day=day)


def periods_input_text(periods: Iterable[Period | tuple[int, int]]) -> str:
    """The editable form of periods: ``"09:00-12:30, 13:30-16:30"`` (what :func:`parse_periods` reads)."""
    out = []
    for p in periods:
        start, end = (p.start, p.end) if isinstance(p, Period) else p
        out.append(f"{hhmm(start)}-{hhmm(end)}")
    return ", ".join(out)


def intersect(a: Sequence[Period], b: Sequence[Period]) -> tuple[Period, ...]:
    """Where two sorted, non-overlapping lists of periods are both open."""
    out: list[Period] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i].start, b[j].start), min(a[i].end, b[j].end)
        if start < end:
            out.append(Period(start, end))
        if a[i].end <= b[j].end:
            i += 1
        else:
            j += 1
    return tuple(out)


def subtract(a: Sequence[Period], b: Sequence[Period]) -> tuple[Period, ...]:
    """``a`` without the parts covered by ``b`` (both sorted; ``b`` may overlap itself)."""
    out: list[Period] = []
    for p in a:
        pieces = [p]
        for cut in b:
            next_pieces = []
            for q in pieces:
                if cut.end <= q.start or cut.start >= q.end:
                    next_pieces.append(q)
                    continue
                if q.start < cut.start:
                    next_pieces.append(Period(q.start, cut.start))
                if cut.end < q.end:
                    next_pieces.append(Period(cut.end, q.end))
            pieces = next_pieces
        out.extend(pieces)
    return tuple(sorted(out))


# ---------------------------------------------------------------------------
# weekly patterns and dated exceptions
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WeeklyPattern:
    """Opening periods per weekday (Monday = 0)."""

    days: tuple[tuple[Period, ...], ...] = ((),) * 7

    @classmethod
    def build(cls, by_weekday: Mapping[int, Iterable[Period | tuple[object, object]]]) -> WeeklyPattern:
        days: list[tuple[Period, ...]] = [()] * 7
        for weekday, periods in by_weekday.items():
            if not isinstance(weekday, int) or isinstance(weekday, bool) or weekday not in WEEKDAYS:
                raise ValidationError("weekday", "invalid")
            days[weekday] = validate_periods(periods, weekday=weekday)
        return cls(tuple(days))

    def on(self, weekday: int) -> tuple[Period, ...]:
        return self.days[weekday]

    @property
    def empty(self) -> bool:
        return not any(self.days)

    def as_mapping(self) -> dict[int, tuple[Period, ...]]:
        return {wd: ps for wd, ps in enumerate(self.days) if ps}


@dataclass(frozen=True)
class DayException:
    """Other hours on one date; no periods means closed that day."""

    day: dt.date
    periods: tuple[Period, ...] = ()
    note: str = ""

    @classmethod
    def build(cls, day: dt.date, periods: Iterable[Period | tuple[object, object]] = (), note: str = "") -> DayException:
        return cls(day, validate_periods(periods, day=day), note)

    @property
    def closed(self) -> bool:
        return not self.periods


class DayStatus(str, enum.Enum):
    REGULAR = "regular"  # the weekly pattern
    OTHER_HOURS = "other_hours"  # a dated exception with hours
    HOLIDAY = "holiday"  # a public holiday the municipality closes on
    CLOSED = "closed"  # a dated exception: closed
    NO_HOURS = "no_hours"  # the weekly pattern has nothing that day (weekend)


@dataclass(frozen=True)
class DayHours:
    """What a location (or one service) is open on one date."""

    day: dt.date
    periods: tuple[Period, ...]
    status: DayStatus
    holiday: Holiday | None = None
    note: str = ""

    @property
    def is_open(self) -> bool:
        return bool(self.periods)

    @property
    def opens(self) -> int | None:
        return self.periods[0].start if self.periods else None

    @property
    def closes(self) -> int | None:
        return self.periods[-1].end if self.periods else None


@dataclass(frozen=True)
class OpenPeriod:
    """One opening period as moments (aware, in the location's time zone)."""

    start: dt.datetime
    end: dt.datetime


class KioskVerdict(str, enum.Enum):
    OPEN = "open"
    CLOSED = "closed"
    CLOSING = "closing"  # open, but within the stop time before closing


@dataclass(frozen=True)
class KioskCheck:
    verdict: KioskVerdict
    closes_at: dt.datetime | None  # end of the current period, when open
    next_opening: dt.datetime | None  # start of the next period, if any within the horizon


@dataclass(frozen=True)
class Schedule:
    """A location's opening schedule: pattern, service patterns, exceptions, calendar."""

    pattern: WeeklyPattern
    timezone: str = "Europe/Amsterdam"
    policy: HolidayPolicy = HolidayPolicy()
    exceptions: Mapping[dt.date, DayException] = field(default_factory=dict)
    service_patterns: Mapping[int, WeeklyPattern] = field(default_factory=dict)
    service_exceptions: Mapping[tuple[int, dt.date], DayException] = field(default_factory=dict)

    def __post_init__(self) -> None:
        tz = ZoneInfo(self.timezone)
        holidays_open = []
        for day, exc in self.exceptions.items():
            if not exc.closed and day.weekday() < 5:
                holidays_open.append(day)
        closed = [d for d, exc in self.exceptions.items() if exc.closed]
        object.__setattr__(self, "_tz", tz)
        object.__setattr__(self, "calendar", WorkdayCalendar(self.policy, closed, holidays_open, self.timezone))

    calendar: WorkdayCalendar = field(init=False, repr=False, compare=False)

    @property
    def tz(self) -> ZoneInfo:
        return self._tz  # type: ignore[attr-defined]

    # -- one day ---------------------------------------------------------
    def location_day(self, day: dt.date) -> DayHours:
        exc = self.exceptions.get(day)
        holiday = self.calendar.holiday(day)
        if exc is not None:
            if exc.closed:
                return DayHours(day, (), DayStatus.CLOSED, holiday, exc.note)
            return DayHours(day, exc.periods, DayStatus.OTHER_HOURS, holiday, exc.note)
        if holiday is not None:
            return DayHours(day, (), DayStatus.HOLIDAY, holiday)
        periods = self.pattern.on(day.weekday())
        return DayHours(day, periods, DayStatus.REGULAR if periods else DayStatus.NO_HOURS)

    def day(self, day: dt.date, service_id: int | None = None) -> DayHours:
        """The hours on ``day``, for the location or (narrower) for one service."""
        loc = self.location_day(day)
        if service_id is None or not loc.is_open:
            return loc
        exc = self.service_exceptions.get((service_id, day))
        if exc is not None:
            periods = intersect(loc.periods, exc.periods)
            status = DayStatus.CLOSED if not periods else DayStatus.OTHER_HOURS
            return DayHours(day, periods, status, loc.holiday, exc.note or loc.note)
        pattern = self.service_patterns.get(service_id)
        if pattern is None or loc.status is DayStatus.OTHER_HOURS:
            # A dated exception for the whole location replaces every weekly
            # pattern that day; a service exception can still narrow it.
            return loc
        periods = intersect(loc.periods, pattern.on(day.weekday()))
        return DayHours(day, periods, loc.status if periods else DayStatus.NO_HOURS, loc.holiday, loc.note)

    def local_date(self, moment: dt.datetime) -> dt.date:
        return _as_date(moment, self.tz)

    def moment(self, day: dt.date, minute: int) -> dt.datetime:
        """Local ``day`` at ``minute`` after midnight, aware in the location's zone."""
        base = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
        if minute >= MINUTES_PER_DAY:
            base = dt.datetime.combine(day + dt.timedelta(days=minute // MINUTES_PER_DAY), dt.time(0), tzinfo=self.tz)
            minute %= MINUTES_PER_DAY
        return base.replace(hour=minute // 60, minute=minute % 60)

    def open_periods(self, day: dt.date, service_id: int | None = None) -> tuple[OpenPeriod, ...]:
        return tuple(OpenPeriod(self.moment(day, p.start), self.moment(day, p.end))
                     for p in self.day(day, service_id).periods)

    # -- now ---------------------------------------------------------------
    def current_period(self, now: dt.datetime, service_id: int | None = None) -> OpenPeriod | None:
        day = self.local_date(now)
        for p in self.open_periods(day, service_id):
            if p.start <= now < p.end:
                return p
        return None

    def is_open(self, now: dt.datetime, service_id: int | None = None) -> bool:
        return self.current_period(now, service_id) is not None

    def next_opening(self, now: dt.datetime, service_id: int | None = None,
                     horizon_days: int = HORIZON_DAYS) -> dt.datetime | None:
        """The start of the first opening period after ``now`` (None: none within the horizon)."""
        day = self.local_date(now)
        for _ in range(horizon_days):
            for p in self.open_periods(day, service_id):
                if p.start > now:
                    return p.start
            day += dt.timedelta(days=1)
        return None

    def closes_at(self, now: dt.datetime, service_id: int | None = None) -> dt.datetime | None:
        current = self.current_period(now, service_id)
        return current.end if current else None

    def kiosk_check(self, now: dt.datetime, service_id: int | None = None, stop_minutes: int = 0) -> KioskCheck:
        """May the kiosk issue a ticket now? Not when closed, nor ``stop_minutes`` before closing."""
        current = self.current_period(now, service_id)
        if current is None:
            return KioskCheck(KioskVerdict.CLOSED, None, self.next_opening(now, service_id))
        if now >= current.end - dt.timedelta(minutes=max(0, stop_minutes)):
            return KioskCheck(KioskVerdict.CLOSING, current.end, self.next_opening(now, service_id))
        return KioskCheck(KioskVerdict.OPEN, current.end, self.next_opening(now, service_id))

    def today(self, now: dt.datetime, service_id: int | None = None) -> DayHours:
        return self.day(self.local_date(now), service_id)

    def days(self, start: dt.date, count: int, service_id: int | None = None) -> list[DayHours]:
        """``count`` consecutive days from ``start``: the four-week view."""
        return [self.day(start + dt.timedelta(days=i), service_id) for i in range(max(0, count))]
