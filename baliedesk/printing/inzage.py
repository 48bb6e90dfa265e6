"""The inzage letter (AVG art. 15): what the municipality stores about a resident, as a PDF (A4).

Plain Dutch at B1 level: short sentences, one thing per paragraph. The letter
lists every record with its personal data, says why it is kept and how long,
and tells the resident what they can do next. Built with reportlab's platypus
(paragraphs and tables flow over as many pages as needed).
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from baliedesk.printing import fonts
from baliedesk.services.privacy_dto import ResidentData

AMS = ZoneInfo("Europe/Amsterdam")

#: How each kind of data is called in the letter, and why it is kept (B1).
KIND_TEXT = {
    "melding_reporter": ("Uw gegevens bij een melding", "We bewaren ze tot 12 maanden nadat de melding klaar is. "
                         "Zo kunnen we u laten weten wat we gedaan hebben."),
    "appointment": ("Uw gegevens bij een afspraak", "We bewaren ze tot 3 maanden na de afspraak."),
    "callback": ("Uw gegevens bij een terugbelverzoek", "We bewaren ze tot 6 maanden nadat we u gebeld hebben."),
    "complaint": ("Uw gegevens bij een klacht", "We bewaren ze tot 2 jaar nadat de klacht klaar is."),
    "melding_cancelled": ("Een geannuleerde melding", "We vernietigen die 1 jaar na het annuleren."),
    "melding_handled": ("Een afgehandelde melding", "We vernietigen die 5 jaar na het afhandelen "
                        "(Archiefwet)."),
    "ticket_note": ("Een notitie bij uw bezoek aan de balie", "We wissen die 3 maanden na uw bezoek."),
    "contact_note": ("Een notitie bij een contact met ons", "We wissen die 12 maanden na het contact."),
}


def _d(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, dt.datetime):
        return value.astimezone(AMS).strftime("%d-%m-%Y %H.%M uur")
    return value.strftime("%d-%m-%Y")


def _v(value: object) -> str:
    return escape(str(value)) if value not in (None, "") else "-"


def inzage_letter(data: ResidentData, *, municipality: str, reference: str = "") -> bytes:
    """The PDF bytes of the letter."""
    fonts.register()
    base = ParagraphStyle("body", fontName=fonts.REGULAR, fontSize=10.5, leading=14.5, spaceAfter=5)
    h1 = ParagraphStyle("h1", parent=base, fontName=fonts.BOLD, fontSize=15, leading=19, spaceAfter=9)
    h2 = ParagraphStyle("h2", parent=base, fontName=fonts.BOLD, fontSize=12, leading=16, spaceBefore=9)
    cell = ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5, spaceAfter=0)

    def table(rows: list[tuple[str, object]]) -> Table:
        t = Table([[Paragraph(escape(k), cell), Paragraph(_v(v), cell)] for k, v in rows],
                  colWidths=[45 * mm, 120 * mm])
        t.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("LINEBELOW", (0, 0), (-1, -1), 0.3, colors.lightgrey)]))
        return t

    story = [
        Paragraph(escape(municipality), h2),
        Paragraph("Uw gegevens bij ons", h1),
        Paragraph(f"Datum: {_d(data.found_at.astimezone(AMS).date())}"
                  + (f". Kenmerk: {escape(reference)}" if reference else ""), base),
        Paragraph("U heeft gevraagd welke gegevens wij over u hebben. Dat is uw recht (AVG, artikel 15). "
                  "In deze brief staat alles wat wij over u vonden.", base),
    ]
    if data.empty:
        story.append(Paragraph("Wij hebben geen gegevens over u gevonden.", base))
    for m in data.meldingen:
        story += [Paragraph(f"Melding {escape(m.number)}", h2), table([
            ("Binnengekomen", _d(m.received_on)), ("Status", m.state), ("Klaar op", _d(m.closed_at)),
            ("Naam", m.reporter_name), ("Telefoon", m.reporter_phone), ("E-mail", m.reporter_email),
            ("Adres", m.address), ("Omschrijving", m.description)])]
    for a in data.appointments:
        story += [Paragraph(f"Afspraak {escape(a.code)}", h2), table([
            ("Voor", a.service_name), ("Wanneer", _d(a.start)), ("Status", a.state), ("Naam", a.name),
            ("Telefoon", a.phone), ("E-mail", a.email), ("Opmerking", a.remarks)])]
    for n in data.callbacks:
        story += [Paragraph("Terugbelverzoek", h2), table([
            ("Gemaakt op", _d(n.created_at)), ("Naam", n.caller_name), ("Telefoon", n.phone),
            ("Vraag", n.question), ("Gebeld op", _d(n.done_at)), ("Uitkomst", n.outcome)])]
    for c in data.complaints:
        story += [Paragraph(f"Klacht {escape(c.number)}", h2), table([
            ("Binnengekomen", _d(c.received_on)), ("Status", c.state), ("Naam", c.name), ("Telefoon", c.phone),
            ("E-mail", c.email), ("Onderwerp", c.subject), ("Omschrijving", c.description),
            ("Uitkomst", c.outcome)])]
    story += [Paragraph("Hoe lang bewaren wij dit?", h2)]
    for t in data.retention:
        title, why = KIND_TEXT.get(t.kind, (t.kind, ""))
        months = f"{t.months} maanden" if t.enabled else "geen vaste termijn"
        story.append(Paragraph(f"<b>{escape(title)}</b>: {escape(why)} (nu ingesteld: {months}.)", base))
    story += [
        Paragraph("Wat kunt u doen?", h2),
        Paragraph("Klopt er iets niet? Dan kunt u ons vragen het te verbeteren. "
                  "U kunt ook vragen uw gegevens te wissen. Soms moeten wij gegevens nog even bewaren, "
                  "bijvoorbeeld als uw melding of klacht nog niet klaar is. Dat laten wij u dan weten.", base),
        Paragraph("Bent u het niet eens met ons antwoord? Neem dan contact op met onze functionaris "
                  "gegevensbescherming. U kunt ook een klacht indienen bij de Autoriteit Persoonsgegevens.", base),
        Spacer(1, 6 * mm),
        Paragraph("Met vriendelijke groet,", base),
        Paragraph(escape(municipality), base),
    ]
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title="Uw gegevens bij ons", author=municipality,
                            invariant=1)
    doc.build(story)
    return buf.getvalue()
