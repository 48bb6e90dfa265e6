"""The slips themselves: words (extracted from the PDF), determinism, and golden pictures."""

from __future__ import annotations

import pytest

from baliedesk.printing import pdf, receipt, samples
from baliedesk.printing.slips import appointment_slip, printer_test_slip, ticket_slip


@pytest.fixture
def logo(tmp_path):
    return samples.make_logo(tmp_path / "logo.png")


def test_ticket_slip_words(pdf_text, logo):
    data = pdf.render(ticket_slip(samples.ticket(), samples.branding(logo), hours=samples.hours()))
    text = pdf_text(data)
    assert "A 023" in text
    assert "Paspoort en ID-kaart" in text
    assert "Er zijn 4 mensen voor u." in text
    assert "Verwachte wachttijd: ongeveer 12 minuten." in text
    assert "Kijk op het scherm in de hal. Daar ziet u wanneer u aan de beurt bent." in text
    assert "Donderdag 19 november 2026, 9.30 uur" in text  # 08:30 UTC is 9.30 in Amsterdam
    assert "Vandaag open: 9.00 - 12.30 en 13.30 - 19.30 uur" in text
    assert "Gemeente Eemsdelta" in text
    assert "Telefoon: 14 0596" in text


def test_ticket_slip_is_honest_without_an_open_counter(pdf_text):
    data = pdf.render(ticket_slip(samples.ticket(ahead=1, counters=0, minutes=None), samples.branding()))
    text = pdf_text(data)
    assert "Er is 1 persoon voor u." in text
    assert "Er is nu geen balie open voor deze dienst." in text
    assert "minuten" not in text and "minuut" not in text
    assert "Vandaag open" not in text  # no schedule given: no hours line


def test_ticket_slip_singular_wait_and_nobody_ahead(pdf_text):
    text = pdf_text(pdf.render(ticket_slip(samples.ticket(ahead=0, counters=1, minutes=1), samples.branding())))
    assert "Er is niemand voor u." in text
    assert "ongeveer 1 minuut." in text


@pytest.mark.parametrize("paper", ["80mm", "A5"])
def test_appointment_slip_words(pdf_text, paper):
    data = pdf.render(appointment_slip(samples.appointment(), samples.branding()), paper)
    text = pdf_text(data)
    for expected in ("Uw afspraak", "donderdag 26 november 2026", "om 10.30 uur", "Voor: Paspoort en ID-kaart",
                     "Gemeentehuis Loppersum", "Jaël de Vries-Öztürk", "Neem mee:",
                     "Een pasfoto van minder dan 6 maanden oud", "€ 84,50", "K7P-3QX",
                     "U kunt zich melden vanaf 10.15 uur.", "Zeg de afspraak dan af.",
                     "Bel 14 0596 of kijk op www.eemsdelta.nl/afspraak."):
        assert expected in text, expected


def test_appointment_without_phone_or_website_says_ask_at_the_counter(pdf_text):
    from baliedesk.printing.config import Branding

    text = pdf_text(pdf.render(appointment_slip(samples.appointment(), Branding())))
    assert "Vraag het aan de balie." in text
    assert "Gemeentehuis Loppersum" in text  # no municipality set: the location's name heads the slip


def test_page_sizes(pdf_pages):
    from reportlab.lib.units import mm

    ticket = pdf_pages(pdf.render(ticket_slip(samples.ticket(), samples.branding())))
    w, h = ticket.size_points(0)
    assert w == pytest.approx(80 * mm) and 60 * mm < h < 200 * mm  # a roll: as long as the content
    a5 = pdf_pages(pdf.render(appointment_slip(samples.appointment(), samples.branding()), "A5"))
    assert a5.count == 1 and a5.size_points(0) == pytest.approx((148 * mm, 210 * mm), abs=0.5)
    a4 = pdf_pages(pdf.render(appointment_slip(samples.appointment(), samples.branding()), "A4"))
    assert a4.count == 1 and a4.size_points(0) == pytest.approx((210 * mm, 297 * mm), abs=0.5)


def test_renders_are_deterministic(logo):
    slip = ticket_slip(samples.ticket(), samples.branding(logo), hours=samples.hours())
    assert pdf.render(slip) == pdf.render(slip)
    appt = appointment_slip(samples.appointment(), samples.branding(logo))
    assert pdf.render(appt, "A5") == pdf.render(appt, "A5")
    assert receipt.escpos_bytes(appt) == receipt.escpos_bytes(appt)


def test_an_unusable_logo_does_not_stop_the_slip(tmp_path, pdf_text):
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"not a png")
    for path in (str(bad), str(tmp_path / "missing.png"), str(tmp_path / "logo.svg")):
        text = pdf_text(pdf.render(ticket_slip(samples.ticket(), samples.branding(path))))
        assert "A 023" in text


# ---------------------------------------------------------------------------
# golden pictures (references in tests/printing/golden, copies in docs/slips)
# ---------------------------------------------------------------------------
GOLDEN_CASES = {
    "ticket_80mm": lambda logo: pdf.render(ticket_slip(samples.ticket(), samples.branding(logo),
                                                       hours=samples.hours())),
    "ticket_no_counter_80mm": lambda logo: pdf.render(ticket_slip(samples.ticket(counters=0, minutes=None),
                                                                  samples.branding(logo))),
    "appointment_80mm": lambda logo: pdf.render(appointment_slip(samples.appointment(), samples.branding(logo))),
    "appointment_A5": lambda logo: pdf.render(appointment_slip(samples.appointment(), samples.branding(logo)),
                                              "A5"),
    "testslip_80mm": lambda logo: pdf.render(printer_test_slip(samples.branding(logo), printer="balie-3-laser",
                                                       paper="80mm", moment=samples.NOW)),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name, golden, logo):
    golden(name, GOLDEN_CASES[name](logo))


def test_golden_comparison_catches_a_layout_change(render_page, image_difference, logo):
    """The tolerance is not so loose that a changed slip passes."""
    diff, limit = image_difference
    ref = render_page(GOLDEN_CASES["ticket_80mm"](logo))
    assert diff(ref, render_page(GOLDEN_CASES["ticket_80mm"](logo))) == 0.0
    changed = pdf.render(ticket_slip(samples.ticket(ahead=14), samples.branding(logo), hours=samples.hours()))
    assert diff(ref, render_page(changed)) > limit


def test_test_slip_words(pdf_text):
    text = pdf_text(pdf.render(printer_test_slip(samples.branding(), printer="balie-3-laser", paper="A5",
                                         moment=samples.NOW), "A5"))
    for expected in ("Testbon", "Deze printer werkt.", "Printer: balie-3-laser", "Papier: A5",
                     "Donderdag 19 november 2026, 9.30 uur", "é ë ï ö ü à ç €"):
        assert expected in text, expected
