"""Opening hours in plain Dutch (B1), for the counter, kiosk, hall screen, slips and messages.

One place that turns :class:`~baliedesk.services.schedule_dto.TodaysHours`
and moments into sentences such as "Vandaag open tot 19.30 uur" or "We zijn
weer open op maandag 23 november om 9.00 uur". It sits beside
:mod:`baliedesk.i18n` (outside the layers) so that the windows, the hall
screen and the printed slips all word hours the same way. Dutch writes times
with a dot: 9.00 uur, 19.30 uur.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from baliedesk.i18n import N_, _, ngettext

WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")

#: Dutch names of the closure days (keys of baliedesk.domain.calendar.Holiday).
HOLIDAY_NAMES = {
    "nieuwjaarsdag": "Nieuwjaarsdag",
    "goede_vrijdag": "Goede Vrijdag",
    "tweede_paasdag": "Tweede Paasdag",
    "koningsdag": "Koningsdag",
    "bevrijdingsdag": "Bevrijdingsdag",
    "hemelvaartsdag": "Hemelvaartsdag",
    "tweede_pinksterdag": "Tweede Pinksterdag",
    "eerste_kerstdag": "Eerste Kerstdag",
    "tweede_kerstdag": "Tweede Kerstdag",
}


#: The three states of the floor, the same words on the hall screen, the kiosk and the counter.
OPEN = "open"          # tickets are given out
CLOSING = "closing"    # still open, but within the kiosk's stop time: no new numbers
CLOSED = "closed"      # closed (for now); whoever still waits is helped

NO_NEW_NUMBERS = N_("Geen nieuwe nummers")  # short: a hall tile, a kiosk button
STILL_HELPED = N_("Wie wacht, wordt nog geholpen")
CLOSING_SOON_TEXT = N_("Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen.")
CLOSED_WORD = N_("Gesloten")
ALL_DAY_WORDS = N_("hele dag")
DAY_MINUTES = 24 * 60


def clock(minutes_or_moment: int | dt.datetime | dt.time) -> str:
    """540 or 09:00 -> ``"9.00"``; 1440 -> ``"24.00"``."""
    if isinstance(minutes_or_moment, (dt.datetime, dt.time)):
        h, m = minutes_or_moment.hour, minutes_or_moment.minute
    else:
        h, m = divmod(int(minutes_or_moment), 60)
    return f"{h}.{m:02d}"


def _end_clock(moment: dt.datetime, day: dt.date | None) -> str:
    """An end time: the midnight that ends ``day`` reads "24.00", never "0.00"."""
    if day is not None and moment.date() > day and (moment.hour, moment.minute) == (0, 0):
        return "24.00"
    return clock(moment)


def _minutes(p: Any, day: dt.date | None = None) -> tuple[int, int]:
    """(start, end) in minutes after midnight of a minute pair or an OpenPeriodInfo of ``day``."""
    if not hasattr(p, "start"):
        return int(p[0]), int(p[1])
    start, end = p.start, p.end
    if isinstance(start, dt.datetime):
        base = day or start.date()
        s = (start.date() - base).days * DAY_MINUTES + start.hour * 60 + start.minute
        e = (end.date() - base).days * DAY_MINUTES + end.hour * 60 + end.minute
        return s, e
    return int(start), int(end)


def is_all_day(periods: Iterable[Any], day: dt.date | None = None) -> bool:
    """True when the periods cover the whole day (0.00 - 24.00)."""
    spans = sorted(_minutes(p, day) for p in periods)
    reach = 0
    for s, e in spans:
        if s > reach:
            return False
        reach = max(reach, e)
    return bool(spans) and reach >= DAY_MINUTES


def service_state(hours: Any) -> str:
    """OPEN, CLOSING or CLOSED for a ``ServiceHours`` (or the location's ``TodaysHours``
    summed up by :func:`location_state`); None (no schedule) is always OPEN."""
    if hours is None or getattr(hours, "kiosk_open", True):
        return OPEN
    return CLOSING if hours.open_now else CLOSED


def service_line(hours: Any, waiting: int, today: dt.date | None) -> str | None:
    """A service's short status line while the kiosk gives no number for it (None: open).

    Closing soon: "Geen nieuwe nummers". Closed with people still waiting: "worden nog
    geholpen" (under "4 mensen wachten"; never "gesloten" next to a waiting count).
    Closed, nobody waiting: "Weer open om 13.30 uur" (later today) or "Gesloten".
    """
    state = service_state(hours)
    if state == OPEN:
        return None
    if state == CLOSING:
        return _(NO_NEW_NUMBERS)
    if waiting > 0:
        return ngettext("wordt nog geholpen", "worden nog geholpen", waiting)
    nxt = hours.next_opening
    if nxt is not None and today is not None and nxt.date() == today:
        return _("Weer open om {time}").format(time=time_text(nxt))
    return _(CLOSED_WORD)


def location_state(services: Iterable[Any]) -> str:
    """The floor's state from its services' hours (ServiceHours; None: no schedule):
    OPEN while any service gives numbers; CLOSING when none does but one is still open;
    else CLOSED."""
    states = {service_state(s) for s in services}
    if not states or OPEN in states:
        return OPEN
    return CLOSING if CLOSING in states else CLOSED


def time_text(moment: int | dt.datetime | dt.time) -> str:
    """``"9.00 uur"``."""
    return _("{time} uur").format(time=clock(moment))


def date_text(day: dt.date) -> str:
    """``"maandag 23 november"``."""
    return _("{weekday} {day} {month}").format(weekday=_(WEEKDAYS[day.weekday()]), day=day.day,
                                               month=_(MONTHS[day.month - 1]))


def day_text(day: dt.date, today: dt.date | None) -> str:
    """``"vandaag"``, ``"morgen"`` or ``"maandag 23 november"`` (always the date when ``today`` is None)."""
    if today is None:
        return date_text(day)
    if day == today:
        return _("vandaag")
    if day == today + dt.timedelta(days=1):
        return _("morgen")
    return date_text(day)


def holiday_name(key: str | None) -> str:
    return _(HOLIDAY_NAMES.get(key or "", "feestdag"))


def periods_text(periods: Iterable[tuple[int, int]] | Iterable[Any]) -> str:
    """``"9.00 - 12.30 en 13.30 - 16.30 uur"``; accepts minute pairs or objects with start/end."""
    periods = list(periods)
    if is_all_day(periods):
        return _(ALL_DAY_WORDS)
    parts = []
    for p in periods:
        start, end = (p.start, p.end) if hasattr(p, "start") else p
        if isinstance(start, dt.datetime) or isinstance(end, dt.datetime):
            day = start.date() if isinstance(start, dt.datetime) else None
            parts.append(_("{start} - {end}").format(start=clock(start), end=_end_clock(end, day)))
            continue
        parts.append(_("{start} - {end}").format(start=clock(start), end=clock(end)))
    if not parts:
        return _("gesloten")
    listed = parts[0] if len(parts) == 1 else _("{first} en {last}").format(first=", ".join(parts[:-1]),
                                                                             last=parts[-1])
    return _("{periods} uur").format(periods=listed)


def next_opening_text(moment: dt.datetime | None, today: dt.date | None) -> str:
    """``"We zijn weer open morgen om 9.00 uur."`` (moment aware, in the location's zone)."""
    if moment is None:
        return _("Wanneer we weer open zijn, is nog niet bekend.")
    return _("We zijn weer open {day} om {time}.").format(day=day_text(moment.date(), today),
                                                          time=time_text(moment))


def hours_line(hours: Any) -> str | None:
    """One line about today's hours (``TodaysHours``), or None without a schedule.

    * open, closing for the day: "Vandaag open tot 19.30 uur"
    * open, a break follows: "Open tot 12.30 uur. Daarna weer open om 13.30 uur."
    * closed, opening later today: "Vandaag weer open om 13.30 uur"
    * closed for the day: "Nu gesloten. Weer open morgen om 9.00 uur"
    * open all day (0.00 - 24.00): "Vandaag de hele dag open"
    """
    if hours is None or not getattr(hours, "configured", False):
        return None
    today = hours.day
    if hours.open_now and is_all_day(hours.periods, today):
        return _("Vandaag de hele dag open")
    if hours.open_now and hours.closes_at is not None:
        nxt = hours.next_opening
        if nxt is not None and nxt.date() == today:
            return _("Open tot {end}. Daarna weer open om {start}.").format(
                end=time_text(hours.closes_at), start=time_text(nxt))
        end = _("{time} uur").format(time=_end_clock(hours.closes_at, today))
        return _("Vandaag open tot {end}").format(end=end)
    nxt = hours.next_opening
    if nxt is not None and nxt.date() == today:
        return _("Vandaag weer open om {time}").format(time=time_text(nxt))
    if nxt is None:
        return _("Nu gesloten")
    return _("Nu gesloten. Weer open {day} om {time}").format(day=day_text(nxt.date(), today), time=time_text(nxt))


def todays_periods_line(hours: Any) -> str | None:
    """``"Vandaag open: 9.00 - 12.30 en 13.30 - 16.30 uur"`` (for slips), ``"Vandaag gesloten (Koningsdag)"``."""
    if hours is None or not getattr(hours, "configured", False):
        return None
    if not hours.periods:
        if hours.holiday:
            return _("Vandaag gesloten ({holiday})").format(holiday=holiday_name(hours.holiday))
        return _("Vandaag gesloten")
    if is_all_day(hours.periods, hours.day):
        return _("Vandaag de hele dag open")
    return _("Vandaag open: {periods}").format(periods=periods_text(hours.periods))
