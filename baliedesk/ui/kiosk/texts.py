"""The kiosk's words (B1): what a visitor reads on the start screen, the confirmation and after an error."""

from __future__ import annotations

import datetime as dt

from baliedesk import hourstext
from baliedesk.domain.errors import ServiceClosed, StorageUnavailable
from baliedesk.i18n import _, ngettext
from baliedesk.services.dto import IssuedTicket, ServiceQueue
from baliedesk.services.schedule_dto import ServiceHours, TodaysHours
from baliedesk.ui.common.messages import message_for


class KioskNotConfigured(Exception):
    """No location, or no kiosk account, in the database."""



def kiosk_message(err: BaseException) -> str:
    """The sentence a visitor sees. Visitors did not type anything, so the
    connection message differs from the one for staff."""
    if isinstance(err, StorageUnavailable):
        return _("Het lukt nu even niet om een nummer te maken. Probeer het zo nog eens. "
                 "Lukt het niet? Meld u dan bij de balie.")
    if isinstance(err, KioskNotConfigured):
        return _("Deze kiosk werkt nu niet. Meld u bij de balie.")
    if isinstance(err, ServiceClosed):  # a press that raced the clock: the floor's own words
        again = hourstext.next_opening_text(err.next_opening, err.today)
        if err.reason == "closing":
            return f"{_(hourstext.CLOSING_SOON_TEXT)} {again}"
        return _("Gesloten. {again}").format(again=again)
    return message_for(err)


def waiting_text(n: int) -> str:
    if n <= 0:
        return _("Er wacht nu niemand")
    return ngettext("Er wacht nu {n} persoon", "Er wachten nu {n} mensen", n).format(n=n)


def wait_text(sq: ServiceQueue) -> str:
    if sq.counters_open <= 0 or sq.estimate_minutes is None:
        return _("Er is nu geen balie open")
    m = max(1, sq.estimate_minutes)
    return ngettext("Wachttijd: ongeveer {n} minuut", "Wachttijd: ongeveer {n} minuten", m).format(n=m)


def people_ahead_text(n: int) -> str:
    if n <= 0:
        return _("Er is niemand voor u.")
    return ngettext("Er is {n} persoon voor u.", "Er zijn {n} mensen voor u.", n).format(n=n)


def estimate_text(issued: IssuedTicket) -> str:
    est = issued.estimate
    if est.minutes is None or est.counters_open <= 0:
        return _("Er is nu geen balie open voor deze dienst. "
                 "Daarom weten we nog niet hoe lang u moet wachten.")
    m = max(1, est.minutes)
    return ngettext("Verwachte wachttijd: ongeveer {n} minuut.",
                    "Verwachte wachttijd: ongeveer {n} minuten.", m).format(n=m)


def closed_text(hours: ServiceHours, today: dt.date | None, floor: str = hourstext.OPEN) -> str:
    """Why a service button is greyed out (B1), in the hall screen's words.

    While other services still give numbers (``floor`` OPEN) the button says it all:
    "Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen." or "Gesloten. We zijn
    weer open morgen om 9.00 uur." When no service gives numbers, the title says
    that and the buttons only say "Geen nieuwe nummers" or "Gesloten".
    """
    state = hourstext.service_state(hours)
    if floor != hourstext.OPEN:
        return _(hourstext.NO_NEW_NUMBERS) if state == hourstext.CLOSING else _(hourstext.CLOSED_WORD)
    if state == hourstext.CLOSING:
        return _(hourstext.CLOSING_SOON_TEXT)
    again = hourstext.next_opening_text(hours.next_opening, today)
    return _("Gesloten. {again}").format(again=again)


def floor_title(floor: str, hours: TodaysHours | None, waiting: int) -> tuple[str, str]:
    """The start screen's title and the line under it for the floor's state."""
    if floor == hourstext.OPEN or hours is None:
        return _("Kies waarvoor u komt"), _("Tik op een knop. U krijgt dan een nummer.")
    again = hourstext.next_opening_text(hours.next_opening, hours.day)
    if floor == hourstext.CLOSING:
        return _("Geen nieuwe nummers meer"), _("{helped}. {again}").format(helped=_(hourstext.STILL_HELPED),
                                                                          again=again)
    if waiting > 0:
        return _("We zijn gesloten"), _("{helped}. {again}").format(helped=_(hourstext.STILL_HELPED), again=again)
    return _("We zijn gesloten"), again


def appointment_text(start: dt.datetime) -> str:
    """"afspraak 12.30 uur": beside the service on the confirmation."""
    return _("afspraak {time}").format(time=hourstext.time_text(start))
