"""Free text: stored verbatim after trimming, or refused with a ValidationError."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baliedesk.domain.errors import ValidationError
from baliedesk.domain.tickets import NOTE_MAX_LENGTH
from baliedesk.domain.validation import DIRECTION_CONTROLS, clean_name, clean_text


def _bad(ch: str) -> bool:
    # control characters, lone surrogates and direction overrides/embeddings/isolates (U+202A.., U+2066..)
    return ch not in "\n\t" and (unicodedata.category(ch) in ("Cc", "Cs") or ch in DIRECTION_CONTROLS)


def _visible(text: str) -> bool:
    return any(not (ch.isspace() or unicodedata.category(ch) == "Cf") for ch in text)


@given(st.one_of(st.none(), st.text(max_size=600)), st.integers(0, 600), st.booleans())
@example("  hallo\x00wereld ", 500, False)
@example("'; DROP TABLE tickets; --", 500, False)
@example("\u202eשלום\u202c", 20, True)
@example("\x1c  spaces and file separators \x1f", 80, False)
@example("\ud800", 10, False)
def test_text_is_verbatim_or_refused(value, max_length, required):
    try:
        out = clean_text(value, field="note", max_length=max_length, required=required)
    except ValidationError as err:
        assert err.field == "note"
        assert err.code in ("required", "too_long", "control_character")
        stripped = (value or "").strip()
        if err.code == "required":
            assert required and not stripped
        elif err.code == "too_long":
            assert len(stripped) > max_length and err.limit == max_length
        else:
            assert any(_bad(ch) for ch in stripped)
        return
    assert out == (value or "").strip()
    assert len(out) <= max_length
    assert not any(_bad(ch) for ch in out)
    assert _visible(out) or not required


@given(st.text(max_size=100))
def test_names_are_one_line(value):
    try:
        out = clean_name(value, field="name")
    except ValidationError as err:
        assert err.code in ("required", "too_long", "control_character")
        return
    assert out == value.strip() and out
    assert "\n" not in out and "\t" not in out


def test_note_examples():
    assert clean_text("  Pasfoto vergeten.\nKomt morgen terug.\t ", field="note", max_length=NOTE_MAX_LENGTH) == (
        "Pasfoto vergeten.\nKomt morgen terug."
    )
    assert clean_text(None, field="note", max_length=10) == ""
    assert clean_text("x" * NOTE_MAX_LENGTH, field="note", max_length=NOTE_MAX_LENGTH) == "x" * NOTE_MAX_LENGTH
    with pytest.raises(ValidationError) as info:
        clean_text("x" * (NOTE_MAX_LENGTH + 1), field="note", max_length=NOTE_MAX_LENGTH)
    assert (info.value.code, info.value.limit) == ("too_long", NOTE_MAX_LENGTH)
    for bad in ("bel\x07", "a\x00b", "a\rb", "esc\x1b[31m"):
        with pytest.raises(ValidationError) as info:
            clean_text(bad, field="note", max_length=100)
        assert info.value.code == "control_character"


def test_name_examples():
    assert clean_name("  Balie 3 ", field="name") == "Balie 3"
    for bad, code in (("", "required"), ("   ", "required"), ("a\nb", "control_character"),
                      ("a\tb", "control_character"), ("x" * 81, "too_long")):
        with pytest.raises(ValidationError) as info:
            clean_name(bad, field="name")
        assert info.value.code == code
