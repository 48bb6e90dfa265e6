"""Issue 12: free text loses phone numbers, e-mail addresses and postcodes (with house numbers) when anonymised."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from baliedesk.domain.scrub import ADDRESS_MARK, EMAIL_MARK, PHONE_MARK, has_personal_details, scrub_text

SEPS = st.sampled_from(["", " ", "-", ".", "  "])
DIGIT = st.sampled_from("0123456789")


@st.composite
def dutch_phone(draw) -> tuple[str, str]:
    """(as written, its nine significant digits)."""
    kind = draw(st.sampled_from(["mobile", "area2", "area3"]))
    if kind == "mobile":
        prefix, rest_len = "6", 8
    elif kind == "area2":
        prefix, rest_len = draw(st.sampled_from(["10", "20", "30", "40", "50", "70"])), 7
    else:
        prefix, rest_len = draw(st.sampled_from(["591", "596", "294", "172", "578"])), 6
    rest = "".join(draw(st.lists(DIGIT, min_size=rest_len, max_size=rest_len)))
    significant = prefix + rest
    # split the rest in groups with separators
    cut = draw(st.lists(st.integers(1, rest_len - 1), max_size=3, unique=True))
    parts, last = [], 0
    for c in sorted(cut):
        parts.append(rest[last:c])
        last = c
    parts.append(rest[last:])
    sep = draw(SEPS)
    body = sep.join(parts)
    start = draw(st.sampled_from(["0", "+31 ", "+31", "0031 ", "+31 (0)", "(0"]))
    if start == "(0":
        written = f"(0{prefix}) {body}"
    else:
        written = f"{start}{prefix}{draw(SEPS)}{body}"
    return written, significant


LOCAL = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789._%+-"), min_size=1, max_size=20).filter(
    lambda s: s[0] not in "._" and s[-1] not in "._")
EMAIL = st.builds(lambda u, d, t: f"{u}@{d}.{t}", LOCAL,
                  st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-"), min_size=1, max_size=15)
                  .filter(lambda s: s[0] != "-" and s[-1] != "-"),
                  st.sampled_from(["nl", "com", "org", "eu"]))
POSTCODE = st.builds(lambda d, letters, sp, nr, add: f"{d}{sp}{letters}{' ' if sp else ' '}{nr}{add}",
                     st.integers(1000, 9999).map(str),
                     st.text(st.sampled_from("ABCEGHJKLMNPRTVWXZ"), min_size=2, max_size=2),
                     st.sampled_from([" ", ""]), st.integers(1, 999).map(str), st.sampled_from(["", "a", "-2", " - B"]))
# Other text: words, punctuation, whitespace, no digits and no "@" (those are what is scrubbed).
WORDS = st.text(st.characters(blacklist_categories=("Cs", "Nd", "No", "Nl"), blacklist_characters="@"),
                max_size=60)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(WORDS, st.one_of(dutch_phone(), EMAIL.map(lambda e: (e, "")),
                                           POSTCODE.map(lambda p: (p, "")))), min_size=1, max_size=4), WORDS)
def test_no_phone_email_or_postcode_survives(pieces, tail):
    text = " ".join(f"{words} {pii} " for words, (pii, _d) in pieces) + " " + tail
    out = scrub_text(text)
    digits_left = re.sub(r"\D", "", out)
    for _words, (pii, significant) in pieces:
        assert pii not in out
        if significant:
            assert significant not in digits_left
    assert "@" not in out
    assert not re.search(r"[1-9]\d{3}\s?[A-Z]{2}\s*\d", out)
    # the words around them are all still there, in order
    rest = out
    for words, _pii in pieces:
        for word in words.split():
            assert word in rest


@settings(max_examples=200, deadline=None)
@given(WORDS)
def test_other_text_is_left_intact(text):
    assert scrub_text(text) == text
    assert not has_personal_details(text)


@given(st.integers(0, 99_999), st.sampled_from(["lantaarnpalen", "euro", "meter", "keer", "stuks"]))
def test_ordinary_numbers_stay(n, unit):
    text = f"Er staan {n} {unit} in 2026, nummer 12 van 3."
    assert scrub_text(text) == text


def test_the_examples_of_the_issue():
    text = ("Bel 06-12345678 of +31 6 1234 5678, thuis 020-1234567. Mail jan.jansen@example.nl. "
            "Adres 1234 AB 12, Dorpsstraat.")
    out = scrub_text(text)
    assert out == (f"Bel {PHONE_MARK} of {PHONE_MARK}, thuis {PHONE_MARK}. Mail {EMAIL_MARK}. "
                   f"Adres {ADDRESS_MARK}, Dorpsstraat.")
    assert scrub_text(None) is None and scrub_text("") == ""
