"""Issue 14, case 7: a word that does not fit the paper is wrapped, not printed off the slip."""

from __future__ import annotations

import pytest

from baliedesk.printing import fonts, pdf, receipt
from baliedesk.printing.slips import Items, Notice, Slip, Text

WORD = "x" * 2000


@pytest.mark.parametrize("paper", ["80mm", "A5"])
def test_a_2000_character_word_is_wrapped_on_the_paper(pdf_text, paper):
    slip = Slip("callback", "test", "Loppersum", (Text(WORD), Notice("y" * 500), Items("Neem mee", ("z" * 700,))))
    text = pdf_text(pdf.render(slip, paper))
    assert text.replace(" ", "").count("x") == 2000  # every character is on the paper, over several lines
    assert text.count("x") < 2000 or " " in text


def test_split_lines_fit_the_width():
    fonts.register()
    lines = pdf._split_lines(WORD + " kort woord " + WORD, fonts.REGULAR, 10, 200)
    assert len(lines) > 2
    assert all(pdf.stringWidth(line, fonts.REGULAR, 10) <= 200 for line in lines)
    assert "".join(lines).replace(" ", "") == (WORD + "kortwoord" + WORD)


def test_receipt_wraps_long_words():
    data = receipt.escpos_bytes(Slip("callback", "t", "Loppersum", (Text(WORD),)))
    assert b"x" * (receipt.COLUMNS + 1) not in data
