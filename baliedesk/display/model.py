"""What the hall screen shows and says, as plain Python (no Qt): testable on its own.

:class:`CallTracker` compares each queue picture with the previous one and
returns what must be announced: every new call and every recall. A call is
identified by (ticket, called_at) and a recall by a higher ``recall_count`` of
the same call, so a visitor put back in the queue and called again is
announced again, and a recall of an older call is seen through the tickets
that counters hold (``snapshot.held``) even when it has scrolled out of the
recent calls. The first picture after start-up is taken as it is: a screen
that restarts does not announce the whole morning again. After a lost
connection, what happened meanwhile is announced once, in order.

Only numbers, counter names and service names ever reach the screen: never a
name, a note or anything else about a person.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from baliedesk import hourstext
from baliedesk.domain.tickets import display_number, spoken_number
from baliedesk.i18n import N_, _, ngettext

WEEKDAYS = (N_("maandag"), N_("dinsdag"), N_("woensdag"), N_("donderdag"), N_("vrijdag"), N_("zaterdag"),
            N_("zondag"))
MONTHS = (N_("januari"), N_("februari"), N_("maart"), N_("april"), N_("mei"), N_("juni"), N_("juli"),
          N_("augustus"), N_("september"), N_("oktober"), N_("november"), N_("december"))


@dataclass(frozen=True)
class Announcement:
    """One call (or recall) to show large, chime for and perhaps say aloud."""

    ticket_id: int
    number: str            # "A023"
    counter_name: str      # "Balie 3"
    called_at: dt.datetime
    recall_count: int
    recall: bool           # True: the same visitor is called again

    @property
    def display_number(self) -> str:
        return display_number(self.number)

    @property
    def key(self) -> tuple[int, int]:
        return (self.ticket_id, self.recall_count)

    @property
    def spoken(self) -> str:
        """'Nummer A 23, balie 3'."""
        return _("Nummer {number}, {counter}").format(number=spoken_number(self.number),
                                                       counter=self.counter_name.lower())


def _from_call(call: Any, recall: bool = False) -> Announcement:
    return Announcement(call.ticket_id, call.number, call.counter_name, call.called_at, call.recall_count, recall)


def _from_held(t: Any, recall: bool = False) -> Announcement:
    """A held ticket: a CallInfo (the quick read) or a TicketInfo (the full queue picture)."""
    tid = t.ticket_id if hasattr(t, "ticket_id") else t.id
    return Announcement(tid, t.number, t.counter_name or "", t.called_at, t.recall_count, recall)


class CallTracker:
    """Turns successive queue pictures into announcements."""

    def __init__(self) -> None:
        # ticket id -> (called_at, recall_count) as last seen; None until the first picture.
        self._seen: dict[int, tuple[dt.datetime, int]] | None = None

    @property
    def started(self) -> bool:
        return self._seen is not None

    def update(self, recent_calls: Sequence[Any], held: Sequence[Any] = ()) -> list[Announcement]:
        """``recent_calls``: CallInfo, newest first; ``held``: the tickets counters hold now.

        Returns the announcements in the order they happened (oldest first).
        """
        current: dict[int, Announcement] = {}
        for call in recent_calls:
            current[call.ticket_id] = _from_call(call)
        for t in held:
            if t.called_at is None or not t.counter_name:
                continue
            a = _from_held(t)
            known = current.get(a.ticket_id)
            if known is None or (a.called_at, a.recall_count) > (known.called_at, known.recall_count):
                current[a.ticket_id] = a
        if self._seen is None:
            self._seen = {tid: (a.called_at, a.recall_count) for tid, a in current.items()}
            return []
        calls: list[Announcement] = []
        recalls: list[Announcement] = []
        for tid, a in current.items():
            before = self._seen.get(tid)
            if before is None or a.called_at > before[0]:
                calls.append(a)  # new, or called again after being put back
            elif a.called_at == before[0] and a.recall_count > before[1]:
                recalls.append(Announcement(a.ticket_id, a.number, a.counter_name, a.called_at,
                                            a.recall_count, True))
        # Forget tickets that left the picture (bounded memory); those still held stay.
        self._seen = {tid: (a.called_at, a.recall_count) for tid, a in current.items()}
        calls.sort(key=lambda a: (a.called_at, a.ticket_id))
        recalls.sort(key=lambda a: (a.called_at, a.ticket_id))
        return calls + recalls


# ---------------------------------------------------------------------------
# texts
# ---------------------------------------------------------------------------
def waiting_text(n: int) -> str:
    if n == 0:
        return _("Niemand wacht")
    return ngettext("{n} persoon wacht", "{n} mensen wachten", n).format(n=n)  # docs/glossary.md


def wait_text(waiting: int, counters_open: int, minutes: int | None) -> str:
    """The expected wait for someone taking a ticket now, honestly."""
    if minutes is None or counters_open <= 0:
        return _("Nu geen balie open")
    if minutes <= 1 and waiting == 0:
        return _("Bijna direct aan de beurt")
    return ngettext("ongeveer {n} minuut", "ongeveer {n} minuten", minutes).format(n=minutes)


def tile_wait_text(q: Any, hours: Any, today: dt.date | None) -> str:
    """A service tile's last line: the expected wait, or, while the kiosk gives no
    number for the service (``hours``: its ``ServiceHours``, None without a
    schedule), the floor's words (:mod:`baliedesk.hourstext`): "Geen nieuwe
    nummers meer" (closing soon), "Wie wacht, wordt nog geholpen" (closed, people
    still waiting), "Weer open om 13.30 uur" or "Gesloten". An estimate for a
    closed service would promise a turn nobody can get."""
    line = hourstext.service_line(hours, q.waiting, today)
    if line is not None:
        return line
    return wait_text(q.waiting, q.counters_open, q.estimate_minutes)


def floor_message(hours: Any, queues: Sequence[Any]) -> str | None:
    """The hall's bottom line while no service gives numbers (None: open, the usual line).

    Closing soon: "Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen."
    Closed: "We zijn gesloten." and, while people still wait, "Wie wacht, wordt nog geholpen."
    """
    if hours is None or not getattr(hours, "configured", False):
        return None
    state = hourstext.location_state([hours.for_service(q.service.id) for q in queues])
    if state == hourstext.OPEN:
        return None
    if state == hourstext.CLOSING:
        return _(hourstext.CLOSING_SOON_TEXT)
    if sum(q.waiting for q in queues) > 0:
        return _("We zijn gesloten. Wie wacht, wordt nog geholpen.")
    return _("We zijn gesloten.")


def clock_text(local: dt.datetime) -> str:
    return f"{local.hour:02d}:{local.minute:02d}"


def date_text(local: dt.datetime) -> str:
    """'donderdag 19 november'."""
    return _("{weekday} {day} {month}").format(weekday=_(WEEKDAYS[local.weekday()]), day=local.day,
                                               month=_(MONTHS[local.month - 1]))


def opening_hours_text(hours: Any) -> str | None:
    """'Vandaag open tot 19.30 uur', or when closed 'Nu gesloten. Weer open morgen om 9.00 uur'.

    ``hours`` is the ``TodaysHours`` the link read (``schedules.todays_hours``),
    None before the first read. Without an opening schedule this is None and the
    hall screen shows no hours at all (it never guesses them).
    """
    return hourstext.hours_line(hours)
