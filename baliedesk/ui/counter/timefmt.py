"""Times and waits as the counter window writes them."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from baliedesk.i18n import _


def format_wait(seconds: float) -> str:
    """A waiting time the B1 way: "minder dan 1 min", "12 min", "1 uur 5 min"."""
    minutes = max(0, int(seconds // 60))
    if minutes < 1:
        return _("minder dan 1 min")
    if minutes < 60:
        return _("{m} min").format(m=minutes)
    return _("{h} uur {m} min").format(h=minutes // 60, m=minutes % 60)


def local_moment(moment: dt.datetime, timezone: str | None) -> dt.datetime:
    """``moment`` in the location's time zone (the computer's own when unknown)."""
    try:
        zone = ZoneInfo(timezone) if timezone else None
    except (ValueError, KeyError):
        zone = None
    return moment.astimezone(zone)


def local_time(moment: dt.datetime | None, timezone: str | None) -> str:
    if moment is None:
        return ""
    return local_moment(moment, timezone).strftime("%H:%M")
