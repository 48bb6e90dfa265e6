"""What the kiosk's window tests share: its settings and a clock set to a time on Thursday 19 November 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

AMS = ZoneInfo("Europe/Amsterdam")
THURSDAY = dt.date(2026, 11, 19)


class FakeSettings(dict):
    def __init__(self, **values):
        super().__init__(location_id=0, kiosk_user="kiosk-ingang", language="", user_id=0, counter_id=0)
        self.update(values)


class SettableClock:
    def __init__(self, hh: int, mm: int = 0) -> None:
        self.set(hh, mm)

    def set(self, hh: int, mm: int = 0) -> None:
        self.t = dt.datetime(THURSDAY.year, THURSDAY.month, THURSDAY.day, hh, mm, tzinfo=AMS).astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.t
