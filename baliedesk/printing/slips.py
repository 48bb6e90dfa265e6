"""What goes on each slip, as a neutral list of blocks.

The builders here turn the services' frozen results into words (Dutch B1,
all through :mod:`baliedesk.i18n`); the renderers draw the blocks, as a PDF
(:mod:`baliedesk.printing.pdf`, reportlab) or as ESC/POS commands for a
receipt printer (:mod:`baliedesk.printing.escpos`). No Qt, no reportlab here.

Header (logo and the municipality's name) and footer (address and phone) come
from :class:`~baliedesk.printing.config.Branding` and are drawn by the renderers
the same way on every slip.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from baliedesk.hourstext import date_text, time_text, todays_periods_line
from baliedesk.i18n import _, ngettext
from baliedesk.printing.config import Branding
from baliedesk.services.dto import IssuedTicket
from baliedesk.services.schedule_dto import AppointmentInfo, TodaysHours

DEFAULT_TZ = "Europe/Amsterdam"


# ---------------------------------------------------------------------------
# blocks
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    text: str
    size: str = "normal"  # small | normal | large | huge
    bold: bool = False
    center: bool = False


@dataclass(frozen=True)
class BigNumber:
    """The ticket number: as large as the paper allows."""
    text: str


@dataclass(frozen=True)
class Notice:
    """A framed line that must stand out (where to look, how to cancel)."""
    text: str


@dataclass(frozen=True)
class Items:
    title: str
    items: tuple[str, ...]


@dataclass(frozen=True)
class Qr:
    data: str
    caption: str = ""


@dataclass(frozen=True)
class Rule:
    pass


@dataclass(frozen=True)
class Space:
    mm: float = 3.0


Block = Text | BigNumber | Notice | Items | Qr | Rule | Space


@dataclass(frozen=True)
class Slip:
    kind: str  # ticket | appointment | melding | callback
    title: str  # the print job's name, and the PDF's title
    location_name: str
    blocks: tuple[Block, ...]
    branding: Branding = field(default_factory=Branding)
    centered: bool = True  # receipt style; A4/A5 renderers may left-align

    def text(self) -> str:
        """Every word on the slip, in order (for tests, logs and ESC/POS fallbacks)."""
        out = [self.branding.name(self.location_name)]
        for b in self.blocks:
            if isinstance(b, (Text, BigNumber, Notice)):
                out.append(b.text)
            elif isinstance(b, Items):
                out.append(b.title)
                out.extend(b.items)
            elif isinstance(b, Qr) and b.caption:
                out.append(b.caption)
        out.extend(footer_lines(self.branding))
        return "\n".join(out)


def footer_lines(branding: Branding) -> list[str]:
    lines = []
    if branding.address:
        lines.append(branding.address)
    if branding.phone:
        lines.append(_("Telefoon: {phone}").format(phone=branding.phone))
    if branding.website:
        lines.append(_("Website: {website}").format(website=branding.website))
    return lines


# ---------------------------------------------------------------------------
# wording shared by the slips
# ---------------------------------------------------------------------------
def _local(moment: dt.datetime, tz: str | dt.tzinfo | None) -> dt.datetime:
    zone = tz if isinstance(tz, dt.tzinfo) else ZoneInfo(tz or DEFAULT_TZ)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone)


def category_text(category: str) -> str:
    """"Verlichting > Lamp defect" (the category path the services give) as a resident reads it:
    "Verlichting, lamp defect". A part that starts with an abbreviation (WMO) keeps its capitals."""
    parts = [p.strip() for p in category.split(">") if p.strip()]
    if len(parts) <= 1:
        return category.strip()

    def lower_first(text: str) -> str:
        if len(text) > 1 and text[0].isupper() and text[1].islower():
            return text[0].lower() + text[1:]
        return text

    return ", ".join([parts[0], *(lower_first(p) for p in parts[1:])])


def full_date(day: dt.date) -> str:
    """``"donderdag 19 november 2026"``."""
    return _("{date} {year}").format(date=date_text(day), year=day.year)


def moment_text(moment: dt.datetime) -> str:
    """``"donderdag 19 november 2026, 9.30 uur"`` (``moment`` already local)."""
    text = _("{date}, {time}").format(date=full_date(moment.date()), time=time_text(moment))
    return text[:1].upper() + text[1:]


def people_ahead_text(n: int) -> str:
    if n <= 0:
        return _("Er is niemand voor u.")
    return ngettext("Er is {n} persoon voor u.", "Er zijn {n} mensen voor u.", n).format(n=n)


def wait_text(minutes: int | None, counters_open: int) -> str:
    """Honest: no number when no counter is open for the service."""
    if minutes is None or counters_open <= 0:
        return _("Er is nu geen balie open voor deze dienst. Daarom weten we nog niet hoe lang u moet wachten.")
    m = max(1, minutes)
    return ngettext("Verwachte wachttijd: ongeveer {n} minuut.",
                    "Verwachte wachttijd: ongeveer {n} minuten.", m).format(n=m)


HALL_LINE = "Kijk op het scherm in de hal. Daar ziet u wanneer u aan de beurt bent."


# ---------------------------------------------------------------------------
# the slips
# ---------------------------------------------------------------------------
def ticket_slip(issued: IssuedTicket, branding: Branding, *, hours: TodaysHours | None = None,
                tz: str | dt.tzinfo | None = None) -> Slip:
    """The walk-in ticket (80 mm): number, service, people ahead, wait, time, today's hours."""
    t = issued.ticket
    zone = tz or (hours.now.tzinfo if hours is not None and hours.configured else None)
    issued_local = _local(t.issued_at, zone)
    est = issued.estimate
    blocks: list[Block] = [
        Text(_("Uw nummer"), center=True),
        BigNumber(t.display_number or t.number),
        Text(t.service_name, size="large", bold=True, center=True),
        Rule(),
        Text(people_ahead_text(est.people_ahead), center=True),
        Text(wait_text(est.minutes, est.counters_open), center=True),
        Space(2),
        Notice(_(HALL_LINE)),
        Space(2),
        Text(moment_text(issued_local), size="small", center=True),
    ]
    line = todays_periods_line(hours)
    if line:
        blocks.append(Text(line, size="small", center=True))
    return Slip("ticket", _("Nummer {number}").format(number=t.display_number or t.number),
                issued.location_name, tuple(blocks), branding)


def appointment_slip(a: AppointmentInfo, branding: Branding) -> Slip:
    """The appointment confirmation (80 mm or A5): when, where, what to bring, the code, how to cancel."""
    start = a.start
    where = a.location_name if not branding.address else _("{place}, {address}").format(
        place=a.location_name, address=branding.address)
    blocks: list[Block] = [
        Text(_("Uw afspraak"), size="large", bold=True, center=True),
        Space(1),
        Text(full_date(start.date()), size="large", bold=True, center=True),
        Text(_("om {time}").format(time=time_text(start)), size="large", bold=True, center=True),
        Rule(),
        Text(_("Voor: {service}").format(service=a.service_name)),
        Text(_("Waar: {place}").format(place=where)),
        Text(_("Op naam van: {name}").format(name=a.name)),
    ]
    if a.bring:
        blocks.append(Items(_("Neem mee:"), tuple(a.bring)))
    blocks += [
        Rule(),
        Text(_("Uw afspraakcode:"), center=True),
        Text(a.display_code, size="huge", bold=True, center=True),
        Qr(a.code, _("Scan deze code bij de kiosk.")),
        Text(_("Kom op tijd. U kunt zich melden vanaf {time}.").format(time=time_text(a.checkin_from)),
             center=True),
        Space(1),
        Notice(cancel_text(branding)),
    ]
    return Slip("appointment", _("Afspraak {code}").format(code=a.display_code), a.location_name,
                tuple(blocks), branding)


def cancel_text(branding: Branding) -> str:
    if branding.phone and branding.website:
        how = _("Bel {phone} of kijk op {website}.").format(phone=branding.phone, website=branding.website)
    elif branding.phone:
        how = _("Bel {phone}.").format(phone=branding.phone)
    elif branding.website:
        how = _("Kijk op {website}.").format(website=branding.website)
    else:
        how = _("Vraag het aan de balie.")
    return _("Kunt u niet komen? Zeg de afspraak dan af. {how} Noem dan uw afspraakcode.").format(how=how)


def melding_slip(m: Any, branding: Branding) -> Slip:
    """The melding confirmation (80 mm or A4) from ``services.melding_dto.MeldingSlip``:
    number, category, location, description, the expected date, how to follow it."""
    blocks: list[Block] = [
        Text(_("Uw melding"), size="large", bold=True, center=True),
        Text(m.number, size="huge", bold=True, center=True),
        Text(_("Ontvangen op {date}").format(date=full_date(m.received_on)), center=True),
        Rule(),
        Text(_("Soort melding: {category}").format(category=category_text(m.category))),
        Text(_("Waar: {place}").format(place=m.location_text)),
        Text(_("Wat: {description}").format(description=m.description)),
        Rule(),
        Text(_("U hoort uiterlijk {date} van ons.").format(date=full_date(m.expected_date)), bold=True,
             center=True),
        Space(1),
        Text(_("Uw volgcode:"), center=True),
        Text(m.tracking_code, size="huge", bold=True, center=True),
    ]
    link = branding.tracking_link(m.tracking_code.replace("-", ""))
    if link:
        blocks += [Qr(link, _("Scan de code. Dan ziet u hoe het met uw melding gaat.")),
                   Text(link, size="small", center=True)]
    else:
        blocks.append(Notice(follow_text(branding)))
    return Slip("melding", _("Melding {number}").format(number=m.number), m.location_name, tuple(blocks), branding)


def follow_text(branding: Branding) -> str:
    """How a resident without the tracking page hears how it goes: only ways that are configured."""
    if branding.phone and branding.website:
        how = _("Bel {phone} of kijk op {website}.").format(phone=branding.phone, website=branding.website)
    elif branding.phone:
        how = _("Bel {phone}.").format(phone=branding.phone)
    elif branding.website:
        how = _("Kijk op {website}.").format(website=branding.website)
    else:
        how = _("Vraag het aan de balie.")
    return _("Wilt u weten hoe het gaat? {how} Noem dan uw volgcode.").format(how=how)


def callback_slip(c: Any, branding: Branding, *, tz: str | dt.tzinfo | None = None) -> Slip:
    """The callback receipt (80 mm) from ``services.melding_dto.CallbackSlip``."""
    written = _local(c.written_at, tz)
    blocks: list[Block] = [
        Text(_("We bellen u terug"), size="large", bold=True, center=True),
        Rule(),
        Text(_("Naam: {name}").format(name=c.caller_name)),
        Text(_("Telefoon: {phone}").format(phone=c.phone)),
        Text(_("Vraag: {question}").format(question=c.question)),
        Text(_("Wie belt: {whom}").format(whom=c.for_whom)),
        Rule(),
        Text(_("We bellen u uiterlijk {date}.").format(date=full_date(c.expected_date)), bold=True, center=True),
        Space(1),
        Text(_("Genoteerd op {date} om {time}").format(date=full_date(written.date()), time=time_text(written)),
             size="small", center=True),
    ]
    # The title is the print job's name (the spooler's history lists it to every user of the PC) and the
    # PDF's title: the caller's name and number are only on the paper.
    title = _("Terugbelverzoek {date} {time}").format(date=written.date().isoformat(), time=time_text(written))
    return Slip("callback", title, c.location_name, tuple(blocks), branding)


def printer_test_slip(branding: Branding, *, printer: str, paper: str, moment: dt.datetime,
              location_name: str = "BalieDesk", tz: str | dt.tzinfo | None = None) -> Slip:
    """The short slip of "Testbon printen" in the workstation settings: which printer
    and paper, when, and the characters a slip needs (diacritics, euro sign, a large number)."""
    blocks: list[Block] = [
        Text(_("Testbon"), size="large", bold=True, center=True),
        BigNumber("TEST"),  # the large print of a ticket number, but never a real one
        Rule(),
        Text(_("Deze printer werkt."), bold=True, center=True),
        Text(_("Printer: {printer}").format(printer=printer), center=True),
        Text(_("Papier: {paper}").format(paper=paper), center=True),
        Text(moment_text(_local(moment, tz)), size="small", center=True),
        Space(1),
        Text("é ë ï ö ü à ç € — ĳ", center=True),
    ]
    return Slip("test", _("Testbon"), location_name, tuple(blocks), branding)


def slip_for(kind: str, data: Any, branding: Branding, **kwargs: Any) -> Slip:
    """Build a slip by its kind name (for the bench and the CLI)."""
    builders = {"ticket": ticket_slip, "appointment": appointment_slip, "melding": melding_slip,
                "callback": callback_slip}
    return builders[kind](data, branding, **kwargs)
