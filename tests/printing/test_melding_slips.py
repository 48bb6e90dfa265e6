"""Melding confirmation (80 mm, A4) and callback receipt (80 mm), from issue 5's
MeldingSlip and CallbackSlip. Skips (with the reason) until those DTOs are on main."""

from __future__ import annotations

import pytest

pytest.importorskip("baliedesk.services.melding_dto", reason="issue 5 (meldingen) is not on this branch yet")

from baliedesk.printing import pdf, samples  # noqa: E402
from baliedesk.printing.config import Branding  # noqa: E402
from baliedesk.printing.slips import callback_slip, melding_slip  # noqa: E402


@pytest.mark.parametrize("paper", ["80mm", "A4"])
def test_melding_slip_words(pdf_text, paper):
    text = pdf_text(pdf.render(melding_slip(samples.melding(), samples.branding()), paper))
    for expected in ("Uw melding", "M-2026-000123", "Ontvangen op donderdag 19 november 2026",
                     "Openbare ruimte - Straatverlichting", "Hoofdstraat 12, 9919 AB Loppersum",
                     "brandt al een week niet", "U hoort uiterlijk donderdag 3 december 2026 van ons.",
                     "K7P3-QX4A", "https://www.eemsdelta.nl/melding/K7P3QX4A"):
        assert expected in text, expected


def test_melding_slip_without_tracking_site_says_to_call(pdf_text):
    text = pdf_text(pdf.render(melding_slip(samples.melding(), Branding(phone="14 0596"))))
    assert "Bel 14 0596. Noem dan uw volgcode." in text and "K7P3-QX4A" in text
    assert "Bel ons" not in text  # issue 15: always the number itself


def test_callback_receipt_words(pdf_text):
    text = pdf_text(pdf.render(callback_slip(samples.callback(), samples.branding())))
    for expected in ("We bellen u terug", "Mevrouw Bakker", "06 98765432", "grofvuil", "Team Afval",
                     "We bellen u uiterlijk maandag 23 november 2026.", "Genoteerd op donderdag 19 november 2026 om 9.30 uur"):
        assert expected in text, expected


GOLDEN_CASES = {
    "melding_80mm": lambda: pdf.render(melding_slip(samples.melding(), samples.branding())),
    "melding_A4": lambda: pdf.render(melding_slip(samples.melding(), samples.branding()), "A4"),
    "callback_80mm": lambda: pdf.render(callback_slip(samples.callback(), samples.branding())),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_CASES))
def test_golden(name, golden):
    first = GOLDEN_CASES[name]()
    assert first == GOLDEN_CASES[name]()  # deterministic
    golden(name, first)


def test_the_category_reads_as_words_not_a_path(pdf_text):
    import dataclasses

    from baliedesk.printing.slips import category_text

    assert category_text("Verlichting > Lamp defect") == "Verlichting, lamp defect"
    assert category_text("Zorg > WMO-aanvraag") == "Zorg, WMO-aanvraag"
    assert category_text("Afval") == "Afval"
    m = dataclasses.replace(samples.melding(), category="Verlichting > Lamp defect")
    text = pdf_text(pdf.render(melding_slip(m, samples.branding())))
    assert "Soort melding: Verlichting, lamp defect" in text
    assert ">" not in text.replace("->", "")
