"""Fixed sample data for test slips, the slip tests and the bench: same input, same picture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from baliedesk.domain.estimate import WaitEstimate
from baliedesk.printing.config import Branding
from baliedesk.services.dto import IssuedTicket, TicketInfo
from baliedesk.services.schedule_dto import AppointmentInfo, OpenPeriodInfo, TodaysHours

AMS = ZoneInfo("Europe/Amsterdam")
#: Thursday 19 November 2026, 09:30 in Amsterdam.
NOW = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


def make_logo(path: Path) -> Path:
    """A small two-colour PNG logo drawn by Pillow (deterministic)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (240, 120), "white")
    d = ImageDraw.Draw(img)
    d.rectangle((8, 8, 112, 112), fill="#0B4F8A")
    d.ellipse((128, 8, 232, 112), fill="#F2A900")
    img.save(path, format="PNG")
    return path


def branding(logo: Path | None = None) -> Branding:
    return Branding(municipality="Gemeente Eemsdelta", logo=str(logo) if logo else "", color="#0B4F8A",
                    address="Raadhuisstraat 1, 9919 AA Loppersum", phone="14 0596",
                    website="www.eemsdelta.nl/afspraak", tracking_url="https://www.eemsdelta.nl/melding/{code}")


def ticket(*, ahead: int = 4, counters: int = 2, minutes: int | None = 12) -> IssuedTicket:
    info = TicketInfo(id=23, number="A023", display_number="A 023", location_id=1, service_id=1,
                      service_prefix="A", service_name="Paspoort en ID-kaart", state="waiting",
                      priority_class=2, issued_at=NOW, arrived_ms=int(NOW.timestamp() * 1000), called_at=None,
                      finished_at=None, counter_id=None, counter_name=None, target_counter_id=None,
                      recall_count=0, outcome=None, note=None)
    return IssuedTicket(info, WaitEstimate(ahead, counters, minutes, 300.0, True), "Gemeente Loppersum")


def hours() -> TodaysHours:
    def at(h: int, m: int = 0) -> dt.datetime:
        return dt.datetime(2026, 11, 19, h, m, tzinfo=AMS)
    periods = (OpenPeriodInfo(at(9), at(12, 30)), OpenPeriodInfo(at(13, 30), at(19, 30)))
    return TodaysHours(location_id=1, configured=True, now=NOW.astimezone(AMS), day=dt.date(2026, 11, 19),
                       status="regular", holiday=None, note="", periods=periods, open_now=True,
                       closes_at=at(12, 30), next_opening=at(13, 30), kiosk_stop_minutes=15, services=())


def appointment() -> AppointmentInfo:
    start = dt.datetime(2026, 11, 26, 10, 30, tzinfo=AMS)
    return AppointmentInfo(
        id=7, code="K7P3QX", display_code="K7P-3QX", location_id=1, location_name="Gemeentehuis Loppersum",
        service_id=1, service_prefix="A", service_name="Paspoort en ID-kaart", start=start,
        end=start + dt.timedelta(minutes=15), state="booked", status="upcoming", name="Jaël de Vries-Öztürk",
        phone="06 12345678", email=None, remarks=None,
        bring=("Uw oude paspoort of ID-kaart", "Een pasfoto van minder dan 6 maanden oud",
               "Pinpas: een paspoort kost € 84,50"),
        checkin_from=start - dt.timedelta(minutes=15), checkin_until=start + dt.timedelta(minutes=10),
        checked_in_at=None, ticket_id=None, ticket_number=None, moved_count=0)


def melding():
    """A MeldingSlip (services.melding_dto, issue 5)."""
    from baliedesk.services.melding_dto import MeldingSlip

    return MeldingSlip(number="M-2026-000123", tracking_code="K7P3-QX4A", category="Openbare ruimte - Straatverlichting",
                       location_text="Hoofdstraat 12, 9919 AB Loppersum",
                       description="De lantaarnpaal voor nummer 12 brandt al een week niet. Het is 's avonds erg donker.",
                       received_on=dt.date(2026, 11, 19), expected_date=dt.date(2026, 12, 3),
                       location_name="Gemeentehuis Loppersum")


def callback():
    """A CallbackSlip (services.melding_dto, issue 5)."""
    from baliedesk.services.melding_dto import CallbackSlip

    return CallbackSlip(caller_name="Mevrouw Bakker", phone="06 98765432",
                        question="Wanneer wordt het grofvuil bij de Stationsweg opgehaald?",
                        for_whom="Team Afval", written_at=NOW, expected_date=dt.date(2026, 11, 23),
                        location_name="Gemeentehuis Loppersum")
