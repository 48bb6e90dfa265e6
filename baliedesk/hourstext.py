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

from baliedesk.i18n import _

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


def clock(minutes_or_moment: int | dt.datetime | dt.time) -> str:
    """540 or 09:00 -> ``"9.00"``; 1440 -> ``"24.00"``."""
    if isinstance(minutes_or_moment, (dt.datetime, dt.time)):
        h, m = minutes_or_moment.hour, minutes_or_moment.minute
    else:
        h, m = divmod(int(minutes_or_moment), 60)
    return f"{h}.{m:02d}"


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
    parts = []
    for p in periods:
        start, end = (p.start, p.end) if hasattr(p, "start") else p
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
    """
    if hours is None or not getattr(hours, "configured", False):
        return None
    today = hours.day
    if hours.open_now and hours.closes_at is not None:
        nxt = hours.next_opening
        if nxt is not None and nxt.date() == today:
            return _("Open tot {end}. Daarna weer open om {start}.").format(
                end=time_text(hours.closes_at), start=time_text(nxt))
        return _("Vandaag open tot {end}").format(end=time_text(hours.closes_at))
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
    return _("Vandaag open: {periods}").format(periods=periods_text(hours.periods))
