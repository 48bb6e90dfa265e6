"""Meldingen, callback notes and complaints: the domain rules and every validator."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baliedesk.domain import meldingen as m
from baliedesk.domain.calendar import WorkdayCalendar
from baliedesk.domain.errors import (
    ComplaintAlreadyExtended,
    MeldingTransitionRefused,
    RecordClosed,
    ValidationError,
)

ROOT = Path(__file__).resolve().parents[1]
S = m.MeldingState
CAL = WorkdayCalendar()

#: Text people (and attackers) type: long, control characters, SQL, right-to-left, emoji.
HOSTILE = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=3000),
    st.sampled_from([
        "'; DROP TABLE meldingen; --", "Robert'); DELETE FROM users;--", "1 OR 1=1", "%", "_", "\\",
        "\u202eتجربة\u202c", "שלום עולם", "\x00", "a\x1bb", "\u200f\u200e", "😀" * 50, "x" * 5000,
        "  ", "\n\n", "\t", "<script>alert(1)</script>",
    ]),
)


# ---------------------------------------------------------------------------
# states
# ---------------------------------------------------------------------------
ALLOWED = {
    ("gemeld", "in_behandeling"), ("gemeld", "doorgezet"), ("gemeld", "afgehandeld"), ("gemeld", "geannuleerd"),
    ("in_behandeling", "doorgezet"), ("in_behandeling", "afgehandeld"), ("in_behandeling", "geannuleerd"),
    ("doorgezet", "in_behandeling"), ("doorgezet", "afgehandeld"), ("doorgezet", "geannuleerd"),
    ("heropend", "in_behandeling"), ("heropend", "doorgezet"), ("heropend", "afgehandeld"),
    ("heropend", "geannuleerd"),
    ("afgehandeld", "heropend"), ("geannuleerd", "heropend"),
}


@pytest.mark.parametrize(("state", "target"), [(a.value, b.value) for a in S for b in S])
def test_transition_table(state, target):
    if (state, target) in ALLOWED:
        assert m.check_transition("M-2026-000001", state, target) is S(target)
    else:
        with pytest.raises(MeldingTransitionRefused) as info:
            m.check_transition("M-2026-000001", state, target)
        assert (info.value.number, info.value.state, info.value.target) == ("M-2026-000001", state, target)


def test_open_and_closed_states():
    assert {s.value for s in m.OPEN_STATES} == {"gemeld", "in_behandeling", "doorgezet", "heropend"}
    assert m.closes(S.AFGEHANDELD) and m.closes(S.GEANNULEERD) and not m.closes(S.HEROPEND)


@given(HOSTILE, HOSTILE)
def test_transition_with_hostile_states_is_a_typed_error(state, target):
    try:
        m.check_transition("M-2026-000001", state, target)
    except (ValidationError, MeldingTransitionRefused):
        pass
    else:
        assert (state, target) in ALLOWED


@given(HOSTILE)
def test_channel_and_urgency_parse_or_refuse(text):
    for parse, enum_ in ((m.parse_channel, m.Channel), (m.parse_urgency, m.Urgency)):
        try:
            assert parse(text).value == text
        except ValidationError as e:
            assert text not in {c.value for c in enum_} and e.code == "invalid"


# ---------------------------------------------------------------------------
# postcode, house number, location
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("typed", "stored"), [
    ("1234 AB", "1234 AB"), ("1234ab", "1234 AB"), (" 9919 hj ", "9919 HJ"), ("", None), (None, None),
])
def test_postcode_normalised(typed, stored):
    assert m.clean_postcode(typed) == stored


@pytest.mark.parametrize("typed", ["0123 AB", "123 AB", "1234 A", "1234 SS", "1234 sa", "1234  AB", "12345AB",
                                   "1234-AB", "１２３４ AB", "1234 ÄB"])
def test_postcode_refused(typed):
    with pytest.raises(ValidationError) as info:
        m.clean_postcode(typed)
    assert (info.value.field, info.value.code) == ("postcode", "invalid")


@given(HOSTILE)
def test_postcode_hostile(text):
    try:
        pc = m.clean_postcode(text)
    except ValidationError as e:
        assert e.field == "postcode"
    else:
        assert pc is None or (len(pc) == 7 and pc[:4].isdigit() and pc[5:].isupper() and pc[5:].isascii())


@pytest.mark.parametrize(("number", "addition", "expected"), [
    ("12", "a", (12, "A")), (12, None, (12, None)), ("7", "bis", (7, "bis")), ("100", "2-hoog", (100, "2-hoog")),
    ("3", "A 2", (3, "A 2")), ("", "", (None, None)), (None, None, (None, None)),
])
def test_house_number(number, addition, expected):
    assert m.clean_house_number(number, addition) == expected


@pytest.mark.parametrize(("number", "addition", "field"), [
    ("0", None, "house_number"), ("-1", None, "house_number"), ("100000", None, "house_number"),
    ("12a", None, "house_number"), ("١٢", None, "house_number"), (True, None, "house_number"),
    ("", "a", "house_number"), ("12", "toolongaddition", "house_addition"), ("12", "a;b", "house_addition"),
])
def test_house_number_refused(number, addition, field):
    with pytest.raises(ValidationError) as info:
        m.clean_house_number(number, addition)
    assert info.value.field == field


@given(HOSTILE, HOSTILE)
def test_house_number_hostile(number, addition):
    try:
        n, a = m.clean_house_number(number, addition)
    except ValidationError as e:
        assert e.field in ("house_number", "house_addition")
    else:
        assert n is None or 1 <= n <= m.HOUSE_NUMBER_MAX
        assert a is None or (a.isascii() and len(a) <= 9)


def test_place_needs_an_address_a_description_or_coordinates():
    with pytest.raises(ValidationError) as info:
        m.clean_place()
    assert (info.value.field, info.value.code) == ("location", "required")
    assert m.clean_place(location_text="bij het bankje in het park").text() == "bij het bankje in het park"
    p = m.clean_place("Dorpsstraat", "12", "a", "9919ab", "Loppersum")
    assert p.text() == "Dorpsstraat 12A, 9919 AB Loppersum"
    assert (p.postcode_area, p.street_key) == ("9919", "dorpsstraat")
    assert m.clean_place(latitude=53.33, longitude=6.75).latitude == 53.33
    with pytest.raises(ValidationError) as info:
        m.clean_place(house_number="12")
    assert info.value.field == "street"


@pytest.mark.parametrize(("lat", "lon"), [(91, 0), (0, 181), (float("nan"), 1), (1, None), ("x", 1), (True, 1)])
def test_coordinates_refused(lat, lon):
    with pytest.raises(ValidationError) as info:
        m.clean_coordinate(lat, lon)
    assert info.value.field == "coordinates"


@given(HOSTILE, HOSTILE, HOSTILE, HOSTILE)
def test_place_hostile_text_verbatim_or_typed_error(street, place, free, postcode):
    try:
        p = m.clean_place(street=street, place=place, location_text=free, postcode=postcode)
    except ValidationError as e:
        assert e.field in ("street", "place", "location_text", "postcode", "location")
        assert e.code in ("too_long", "control_character", "invalid", "required")
    else:
        assert p.street in (None, street.strip())
        assert p.place in (None, place.strip())
        assert p.location_text in (None, free.strip())


def test_street_key_ignores_case_spaces_and_dots():
    assert m.street_key("Dr. A.  Kuyperstraat") == m.street_key("dr a kuyper-straat") == "drakuyperstraat"
    assert m.street_key("") is None


# ---------------------------------------------------------------------------
# reporter, phone, e-mail
# ---------------------------------------------------------------------------
def test_reporter_anonymous_allowed_but_feedback_needs_a_way_back():
    assert m.clean_reporter().anonymous
    with pytest.raises(ValidationError) as info:
        m.clean_reporter("Jan", wants_feedback=True)
    assert info.value.code == "phone_or_email"
    r = m.clean_reporter(" Jan de Vries ", "06-12 34 56 78", "Jan@Example.NL", True)
    assert (r.name, r.phone, r.email) == ("Jan de Vries", "0612345678", "Jan@example.nl")
    assert m.clean_reporter(phone="+32 470 12 34 56").phone == "+32470123456"


@given(HOSTILE, HOSTILE, HOSTILE, st.booleans())
def test_reporter_hostile(name, phone, email, feedback):
    try:
        r = m.clean_reporter(name, phone, email, feedback)
    except ValidationError as e:
        assert e.field in ("reporter_name", "phone", "email", "contact")
    else:
        assert r.name in (None, name.strip())
        assert r.phone is None or r.phone.lstrip("+").isdigit()
        assert r.email is None or "@" in r.email


@given(HOSTILE)
def test_description_and_note_verbatim_or_typed_error(text):
    for fn, field, limit in ((m.clean_description, "description", m.DESCRIPTION_MAX_LENGTH),
                             (m.clean_note, "note", m.NOTE_MAX_LENGTH)):
        try:
            out = fn(text)
        except ValidationError as e:
            assert e.field == field and e.code in ("required", "too_long", "control_character")
            if e.code == "too_long":
                assert e.limit == limit and len(text.strip()) > limit
        else:
            assert (out or "") == text.strip()


@given(HOSTILE)
def test_search_text(text):
    try:
        out = m.clean_search(text)
    except ValidationError as e:
        assert e.field == "search"
    else:
        assert out in (None, text.strip())


# ---------------------------------------------------------------------------
# categories
# ---------------------------------------------------------------------------
def test_shipped_category_list():
    defs = m.parse_categories_toml((ROOT / "resources" / "categories.toml").read_text(encoding="utf-8"))
    labels = {d.label for d in defs}
    for wanted in ("Afval > Grofvuil", "Afval > Zwerfafval", "Afval > Container vol", "Wegen > Losliggende tegel",
                   "Wegen > Gat in de weg", "Verlichting > Lamp defect", "Groen > Boom", "Groen > Onkruid",
                   "Overlast > Geluid", "Overlast > Parkeren"):
        assert wanted in labels
    assert all(d.team and 1 <= d.term_days <= m.TERM_DAYS_MAX for d in defs)


def test_categories_round_trip_toml_and_csv():
    defs = (m.CategoryDef('Afval "oud"', "Grof\\vuil", "Team A", 5), m.CategoryDef("Wegen", "Tegel", "Team W", 10))
    assert m.parse_categories_toml(m.categories_toml(defs)) == defs
    csv_text = "hoofd;sub;team;termijn\nAfval;Grofvuil;Team A;5\nWegen;Tegel;Team W;10\n"
    assert m.parse_categories_csv(csv_text)[1] == m.CategoryDef("Wegen", "Tegel", "Team W", 10)


@pytest.mark.parametrize("text", ["", "[[categorie]]\nhoofd='A'\nsub='B'\nteam='T'\ntermijn=0",
                                  "[[categorie]]\nhoofd='A'\nsub='B'\nteam='T'\ntermijn='5'x", "categorie = 3",
                                  "[[categorie]]\nhoofd='A'\nsub='B'\nteam='T'\ntermijn=5\n"
                                  "[[categorie]]\nhoofd='a'\nsub='b'\nteam='T'\ntermijn=5",
                                  "[[categorie]]\nhoofd='A>B'\nsub='B'\nteam='T'\ntermijn=5",
                                  "[[categorie]]\nhoofd='A'\nsub=3\nteam='T'\ntermijn=5"])
def test_bad_category_files_refused(text):
    with pytest.raises(ValidationError):
        m.parse_categories_toml(text)


@given(HOSTILE)
def test_category_files_hostile(text):
    for parse in (m.parse_categories_toml, m.parse_categories_csv):
        try:
            defs = parse(text)
        except ValidationError:
            pass
        else:
            assert defs and all(1 <= d.term_days <= m.TERM_DAYS_MAX for d in defs)


@given(HOSTILE, HOSTILE, HOSTILE, st.one_of(HOSTILE, st.integers()))
def test_clean_category_hostile(main, sub, team, term):
    try:
        d = m.clean_category(main, sub, team, term)
    except ValidationError as e:
        assert e.field in ("category_main", "category_sub", "team", "term_days")
    else:
        assert (d.main, d.sub, d.team) == (main.strip(), sub.strip(), team.strip())


# ---------------------------------------------------------------------------
# photos
# ---------------------------------------------------------------------------
def test_photos():
    name, kind, data = m.clean_photo("C:\\Users\\x\\tegel.jpg", b"\xff\xd8\xff\xe0rest")
    assert (name, kind) == ("tegel.jpg", "image/jpeg")
    assert m.clean_photo("../../etc/passwd", b"\x89PNG\r\n\x1a\nxx")[0] == "passwd"
    with pytest.raises(ValidationError) as info:
        m.clean_photo("x.jpg", b"\xff\xd8\xff" + b"0" * m.PHOTO_MAX_BYTES)
    assert (info.value.code, info.value.limit) == ("too_large", 5)
    with pytest.raises(ValidationError) as info:
        m.clean_photo("x.exe", b"MZ\x90\x00")
    assert info.value.code == "not_an_image"
    with pytest.raises(ValidationError) as info:
        m.clean_photos([("a.png", b"\x89PNG\r\n\x1a\n")] * (m.PHOTOS_MAX + 1))
    assert info.value.code == "too_many"


@given(HOSTILE, st.binary(max_size=64))
def test_photo_hostile(name, data):
    try:
        fname, kind, blob = m.clean_photo(name, data)
    except ValidationError as e:
        assert e.field == "photo"
    else:
        assert blob == data and kind in m.PHOTO_TYPES.values()
        assert fname and "/" not in fname and "\\" not in fname and "\x00" not in fname


# ---------------------------------------------------------------------------
# numbers and codes
# ---------------------------------------------------------------------------
def test_numbers():
    assert m.melding_number(2026, 123) == "M-2026-000123"
    assert m.parse_melding_number("m-2026-123") == "M-2026-000123"
    assert m.parse_melding_number("M 2026 000123") == "M-2026-000123"
    assert m.parse_melding_number("hello") is None
    with pytest.raises(ValidationError):
        m.melding_number(2026, 1_000_000)
    assert m.complaint_number(2026, 7) == "K-2026-00007"


def test_tracking_codes():
    rnd = random.Random(1)
    code = m.new_tracking_code(rnd.randrange)
    assert len(code) == 8 and set(code) <= set(m.TRACKING_ALPHABET)
    assert m.normalise_tracking_code(m.display_tracking_code(code).lower()) == code
    with pytest.raises(ValidationError):
        m.normalise_tracking_code("O0O0O0O0")


@given(HOSTILE)
def test_number_and_code_parsing_hostile(text):
    assert m.parse_melding_number(text) in (None,) or m.parse_melding_number(text).startswith("M-")
    try:
        code = m.normalise_tracking_code(text)
    except ValidationError as e:
        assert e.field == "tracking_code"
    else:
        assert len(code) == m.TRACKING_LENGTH


# ---------------------------------------------------------------------------
# deadlines on the working-day calendar
# ---------------------------------------------------------------------------
def test_melding_due_counts_working_days_over_christmas():
    # Wednesday 23 December 2026: 25 and 26 December closed, weekend too.
    due = m.melding_due(CAL, dt.date(2026, 12, 23), 5)
    assert due == dt.date(2026, 12, 31)
    assert m.days_left(CAL, dt.date(2026, 12, 23), due) == 5
    assert m.days_left(CAL, dt.date(2027, 1, 4), due) == -1
    assert m.is_overdue(dt.date(2027, 1, 1), due) and not m.is_overdue(due, due)


def test_callback_due_is_two_working_days():
    assert m.callback_due(CAL, dt.date(2026, 11, 19)) == dt.date(2026, 11, 23)  # Thursday -> Monday
    closed = WorkdayCalendar(closed_days=[dt.date(2026, 11, 20)])
    assert m.callback_due(closed, dt.date(2026, 11, 19)) == dt.date(2026, 11, 24)


def test_complaint_due_six_weeks_then_extended_once():
    assert m.complaint_due(CAL, dt.date(2026, 11, 19)) == dt.date(2026, 12, 31)
    assert m.complaint_due(CAL, dt.date(2026, 11, 19), extended=True) == dt.date(2027, 1, 28)
    # Six weeks after 14 November (a Saturday) is a Saturday: the next working day.
    assert m.complaint_due(CAL, dt.date(2026, 11, 14)) == dt.date(2026, 12, 28)
    m.check_can_extend("K-2026-00001", "bevestigd", False)
    with pytest.raises(ComplaintAlreadyExtended):
        m.check_can_extend("K-2026-00001", "bevestigd", True)
    with pytest.raises(RecordClosed):
        m.check_can_extend("K-2026-00001", "afgehandeld", False)


@settings(max_examples=200)
@given(st.dates(dt.date(2020, 1, 1), dt.date(2035, 1, 1)), st.integers(1, 60))
def test_melding_due_is_a_working_day_term_days_ahead(day, term):
    due = m.melding_due(CAL, day, term)
    assert CAL.is_working_day(due) and m.days_left(CAL, day, due) == term


# ---------------------------------------------------------------------------
# duplicates
# ---------------------------------------------------------------------------
NOW = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("fields", "expected"), [
    ({}, True),
    ({"category_id": 2}, False),
    ({"state": "afgehandeld"}, False),
    ({"state": "heropend"}, True),
    ({"created_at": NOW - dt.timedelta(days=29)}, False),
    ({"street_key_": "kerkstraat"}, True),  # same postcode area still
    ({"street_key_": "kerkstraat", "postcode_area_": "9920"}, False),
    ({"postcode_area_": None}, True),  # same street
])
def test_duplicate_rule(fields, expected):
    probe = m.DuplicateProbe(1, "dorpsstraat", "9919")
    row = {"category_id": 1, "state": "gemeld", "created_at": NOW - dt.timedelta(days=3),
           "street_key_": "dorpsstraat", "postcode_area_": "9919", **fields}
    assert m.is_duplicate_candidate(probe, now=NOW, **row) is expected


# ---------------------------------------------------------------------------
# coordinates: decimal comma or point, both or neither, in the Netherlands
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("lat", "lon", "expected"), [
    ("53,3312", "6,7481", (53.3312, 6.7481)),
    (" 53.3312 ", "6.7481", (53.3312, 6.7481)),
    ("51,4416°", "+5,4697", (51.4416, 5.4697)),  # Eindhoven, as copied from a map
    (50.7504, 5.6944, (50.7504, 5.6944)),  # Zuid-Limburg
    ("53,4667", "4,85", (53.4667, 4.85)),  # Texel
    ("", "", (None, None)),
    ("  ", None, (None, None)),
])
def test_coordinates_accepted(lat, lon, expected):
    assert m.clean_coordinate(lat, lon) == expected


@pytest.mark.parametrize(("lat", "lon", "code"), [
    ("53,3312", "", "both"),
    ("", "6,7", "both"),
    ("48,8566", "2,3522", "outside"),  # Paris
    ("-53,33", "6,75", "outside"),
    ("6,7481", "53,3312", "swapped"),
    ("53,33,1", "6,7", "invalid"),
    ("53.3.3", "6,7", "invalid"),
    ("1e2", "6,7", "invalid"),
    ("NaN", "6,7", "invalid"),
    ("inf", "6,7", "invalid"),
    ("٥٣", "6,7", "invalid"),  # Arabic-Indic digits: not what a map gives
    ("53,33" + "3" * 40, "6,7", "invalid"),
])
def test_coordinates_refused_with_a_reason(lat, lon, code):
    with pytest.raises(ValidationError) as info:
        m.clean_coordinate(lat, lon)
    assert (info.value.field, info.value.code) == ("coordinates", code)


@given(st.floats(50.70, 53.70), st.floats(3.20, 7.30), st.booleans())
def test_coordinates_in_the_netherlands_round_trip_with_a_comma(lat, lon, comma):
    text = (lambda v: f"{v:.7f}".replace(".", ",") if comma else f"{v:.7f}")
    la, lo = m.clean_coordinate(text(lat), text(lon))
    assert abs(la - lat) < 1e-6 and abs(lo - lon) < 1e-6


@given(st.one_of(st.none(), st.text(max_size=40)), st.one_of(st.none(), st.text(max_size=40)))
def test_coordinates_hostile_text_is_a_typed_refusal(lat, lon):
    try:
        la, lo = m.clean_coordinate(lat, lon)
    except ValidationError as err:
        assert err.field == "coordinates" and err.code in {"both", "outside", "swapped", "invalid"}
    else:
        assert (la is None) == (lo is None)
        if la is not None:
            assert 50.70 <= la <= 53.70 and 3.20 <= lo <= 7.30


@pytest.mark.parametrize("term", ["²", "٣", "1²", "１０"])
def test_term_days_in_other_digits_is_refused(term):
    with pytest.raises(ValidationError) as info:
        m.clean_term_days(term)
    assert (info.value.field, info.value.code) == ("term_days", "invalid")
