"""Appointments in the domain: slots, contact details, codes, check-in rules, iCalendar text."""

from __future__ import annotations

import datetime as dt
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from baliedesk.domain import ics
from baliedesk.domain.appointments import (
    CODE_ALPHABET,
    AppointmentState,
    Block,
    CheckinRules,
    CheckinVerdict,
    DisplayStatus,
    capacity_for,
    checkin_verdict,
    clean_bring_list,
    clean_contact,
    clean_email,
    clean_phone,
    counter_blocks_on,
    day_slots,
    display_code,
    display_status,
    new_code,
    normalise_code,
    require_booked,
    validate_duration,
    validate_max_parallel,
)
from baliedesk.domain.calendar import Period, validate_periods
from baliedesk.domain.errors import AppointmentNotActive, ValidationError

THURSDAY = validate_periods([("09:00", "12:30"), ("13:30", "16:30"), ("17:00", "19:30")])


def hm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# ---------------------------------------------------------------------------
# slots
# ---------------------------------------------------------------------------
def test_slots_of_a_loppersum_thursday():
    slots = day_slots(THURSDAY, [], 30, 2)
    starts = [hm(s.start) for s in slots]
    assert starts[:3] == ["09:00", "09:30", "10:00"]
    assert "12:00" in starts and "12:30" not in starts  # 12:00-12:30 is the last before lunch
    assert "13:30" in starts and "16:00" in starts and "16:30" not in starts
    assert starts[-1] == "19:00"
    assert all(s.capacity == 2 for s in slots)
    assert len(slots) == 7 + 6 + 5


def test_no_slot_runs_past_closing_time():
    slots = day_slots(validate_periods([("13:30", "16:30")]), [], 25, 1)
    assert [hm(s.start) for s in slots] == ["13:30", "13:55", "14:20", "14:45", "15:10", "15:35", "16:00"]
    assert slots[-1].end == 16 * 60 + 25


def test_blocks_take_slots_away_and_the_grid_restarts_after_them():
    meeting = Period(10 * 60, 10 * 60 + 45)
    slots = day_slots(THURSDAY, [meeting], 30, 1)
    starts = [hm(s.start) for s in slots]
    assert "09:30" in starts and "10:00" not in starts and "10:15" not in starts
    assert "10:45" in starts and "11:45" in starts and "12:15" not in starts  # 12:15 + 30 > 12:30


def test_block_applies_by_weekday_or_date_and_service():
    weekly = Block(Period(540, 600), weekday=1)
    dated = Block(Period(540, 600), day=dt.date(2026, 11, 19), service_id=7)
    tuesday, thursday = dt.date(2026, 11, 17), dt.date(2026, 11, 19)
    assert weekly.applies(tuesday, 1) and not weekly.applies(thursday, 1)
    assert dated.applies(thursday, 7) and not dated.applies(thursday, 8) and not dated.applies(tuesday, 7)


def test_a_counter_block_takes_no_slots_away_and_is_listed_for_its_days():
    lunch = Block(Period(720, 750), weekday=3, counter_id=5)
    once = Block(Period(600, 630), day=dt.date(2026, 11, 17), counter_id=6)
    meeting = Block(Period(540, 600), weekday=3)
    tuesday, thursday = dt.date(2026, 11, 17), dt.date(2026, 11, 19)
    assert lunch.on(thursday) and not lunch.applies(thursday, 1)  # the slots stay; capacity counts it out
    blocks = [lunch, once, meeting]
    assert counter_blocks_on(blocks, thursday) == [(5, Period(720, 750))]
    assert counter_blocks_on(blocks, tuesday) == [(6, Period(600, 630))]
    assert counter_blocks_on(blocks, dt.date(2026, 11, 18)) == []


def test_capacity():
    assert capacity_for(3, None) == 3
    assert capacity_for(3, 1) == 1
    assert capacity_for(0, 5) == 0
    assert day_slots(THURSDAY, [], 15, 0) == []


minute_pairs = st.lists(st.tuples(st.integers(0, 1439), st.integers(1, 300)), max_size=5)


def _periods(pairs):
    out = []
    for s, length in sorted(pairs):
        e = min(1440, s + length)
        if out and s < out[-1].end:
            continue
        out.append(Period(s, e))
    return out


@settings(max_examples=300, deadline=None)
@given(minute_pairs, minute_pairs, st.integers(5, 240), st.integers(1, 5))
def test_slots_stay_inside_open_time_and_outside_blocks(open_pairs, block_pairs, duration, capacity):
    periods, blocks = _periods(open_pairs), [Period(s, min(1440, s + n)) for s, n in block_pairs]
    slots = day_slots(periods, blocks, duration, capacity)
    for s in slots:
        assert s.end - s.start == duration and s.capacity == capacity
        assert any(p.start <= s.start and s.end <= p.end for p in periods)
        assert not any(b.start < s.end and s.start < b.end for b in blocks)
    for a, b in zip(slots, slots[1:]):
        assert a.end <= b.start


@pytest.mark.parametrize("value", [4, 241, 0, "10", None, True, 10.0])
def test_duration_refused(value):
    with pytest.raises(ValidationError):
        validate_duration(value)


def test_duration_and_parallel_accepted():
    assert validate_duration(15) == 15
    assert validate_max_parallel(None) is None and validate_max_parallel(3) == 3
    with pytest.raises(ValidationError):
        validate_max_parallel(0)


def test_bring_list():
    assert clean_bring_list("uw oude paspoort\n\n een pasfoto ") == ("uw oude paspoort", "een pasfoto")
    assert clean_bring_list(["uw rijbewijs"]) == ("uw rijbewijs",)
    with pytest.raises(ValidationError) as err:
        clean_bring_list(["x"] * 13)
    assert err.value.code == "too_many"
    with pytest.raises(ValidationError):
        clean_bring_list(["a" * 121])


# ---------------------------------------------------------------------------
# contact details
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed, stored", [
    ("06 12345678", "0612345678"),
    ("06-12345678", "0612345678"),
    ("(050) 123 45 67", "0501234567"),
    ("+31 6 12345678", "+31612345678"),
    ("0031 6 1234 5678", "+31612345678"),
    ("+49 30 1234567", "+49301234567"),
    ("", None),
    ("   ", None),
    (None, None),
])
def test_phone_accepted(typed, stored):
    assert clean_phone(typed) == stored


@pytest.mark.parametrize("typed", ["0612345", "061234567890", "12345678901", "06 1234abcd", "+31 06 12345678",
                                   "++31612345678", "+31 6 1234567", "06 12345678 ext 3", "+1234567", "0012", "6" * 40])
def test_phone_refused(typed):
    with pytest.raises(ValidationError) as err:
        clean_phone(typed)
    assert (err.value.field, err.value.code) == ("phone", "invalid")


@pytest.mark.parametrize("typed, stored", [
    ("jan.jansen@Loppersum.NL", "jan.jansen@loppersum.nl"),
    ("  a+b@example.org ", "a+b@example.org"),
    ("", None),
])
def test_email_accepted(typed, stored):
    assert clean_email(typed) == stored


@pytest.mark.parametrize("typed", ["jan", "jan@", "@example.nl", "jan@example", "jan@@example.nl", "jan@exa mple.nl",
                                   "jan..j@example.nl", ".jan@example.nl", "jan@-example.nl", "jan@example.n1",
                                   "j\u00e4n@example.nl", "a" * 65 + "@example.nl", "jan@exam\nple.nl"])
def test_email_refused(typed):
    with pytest.raises(ValidationError) as err:
        clean_email(typed)
    assert (err.value.field, err.value.code) == ("email", "invalid")


def test_contact_needs_phone_or_email():
    with pytest.raises(ValidationError) as err:
        clean_contact("Jan Jansen", "", "")
    assert (err.value.field, err.value.code) == ("contact", "phone_or_email")
    with pytest.raises(ValidationError) as err:
        clean_contact("  ", "0612345678", None)
    assert err.value.field == "name"
    c = clean_contact(" Jan Jansen ", None, "jan@example.nl", "  rolstoel  ")
    assert (c.name, c.phone, c.email, c.remarks) == ("Jan Jansen", None, "jan@example.nl", "rolstoel")


@settings(max_examples=300)
@given(st.one_of(st.none(), st.text(max_size=300)), st.one_of(st.none(), st.text(max_size=40)),
       st.one_of(st.none(), st.text(max_size=300)), st.one_of(st.none(), st.text(max_size=600)))
def test_contact_validation_never_crashes(name, phone, email, remarks):
    try:
        c = clean_contact(name, phone, email, remarks)
    except ValidationError:
        return
    assert c.name and (c.phone or c.email)
    assert c.phone is None or re.fullmatch(r"\+?[0-9]{8,15}", c.phone)
    assert c.email is None or c.email.count("@") == 1


# ---------------------------------------------------------------------------
# codes
# ---------------------------------------------------------------------------
def test_codes_are_short_unambiguous_and_forgiving():
    rng = random.Random(1)
    codes = {new_code(rng.randrange) for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert not set(code) & set("0O1IL2Z5S8B")
        shown = display_code(code)
        assert shown[3] == "-"
        assert normalise_code(f" {shown.lower()} ") == code
        assert normalise_code(" ".join(code)) == code


@pytest.mark.parametrize("typed", ["", "K7P-3Q", "K7P-3QXA", "K0P-3QX", "KOP-3QX", None, "K7P_3QX"])
def test_bad_codes_refused(typed):
    with pytest.raises(ValidationError) as err:
        normalise_code(typed)
    assert (err.value.field, err.value.code) == ("code", "invalid")


@given(st.text(max_size=20))
def test_normalise_code_never_crashes(text):
    try:
        code = normalise_code(text)
    except ValidationError:
        return
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)


# ---------------------------------------------------------------------------
# check-in rules
# ---------------------------------------------------------------------------
SLOT = dt.datetime(2026, 11, 19, 9, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("minutes, verdict", [
    (-31, CheckinVerdict.TOO_EARLY),
    (-30, CheckinVerdict.ON_TIME),
    (0, CheckinVerdict.ON_TIME),
    (1, CheckinVerdict.LATE),
    (5, CheckinVerdict.LATE),
    (6, CheckinVerdict.TOO_LATE),
])
def test_checkin_windows(minutes, verdict):
    assert checkin_verdict(SLOT, SLOT + dt.timedelta(minutes=minutes), CheckinRules(30, 5)) is verdict


def test_display_status():
    rules = CheckinRules(15, 0)
    assert display_status("booked", SLOT, SLOT - dt.timedelta(minutes=20), rules) is DisplayStatus.UPCOMING
    assert display_status("booked", SLOT, SLOT - dt.timedelta(minutes=10), rules) is DisplayStatus.EXPECTED
    assert display_status("booked", SLOT, SLOT + dt.timedelta(minutes=1), rules) is DisplayStatus.NO_SHOW
    assert display_status("checked_in", SLOT, SLOT, rules) is DisplayStatus.CHECKED_IN
    assert display_status("cancelled", SLOT, SLOT, rules) is DisplayStatus.CANCELLED


def test_only_booked_appointments_change():
    require_booked("K7P-3QX", AppointmentState.BOOKED.value)
    for state in ("checked_in", "cancelled", "no_show"):
        with pytest.raises(AppointmentNotActive) as err:
            require_booked("K7P-3QX", state)
        assert err.value.state == state


# ---------------------------------------------------------------------------
# iCalendar
# ---------------------------------------------------------------------------
def unescape(value: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) in "nN" else m.group(1), value)


def props(text: str) -> dict[str, str]:
    out = {}
    for line in ics.unfold(text):
        name, _, value = line.partition(":")
        out.setdefault(name, value)
    return out


def test_ics_event():
    start = dt.datetime(2026, 11, 26, 17, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    text = ics.event(uid="afspraak-K7P3QX@baliedesk", start=start, end=start + dt.timedelta(minutes=15),
                     stamp=dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC),
                     summary="Afspraak: Paspoort, ID-kaart; ophalen", location="Gemeente Loppersum",
                     description="Afspraakcode: K7P-3QX\nNeem mee:\n- uw oude paspoort\n- een pasfoto")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    p = props(text)
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:")
    assert p["DTSTART"] == "20261126T163000Z" and p["DTEND"] == "20261126T164500Z"
    assert p["DTSTAMP"] == "20261119T083000Z"
    assert p["SUMMARY"] == "Afspraak: Paspoort\\, ID-kaart\\; ophalen"
    assert unescape(p["DESCRIPTION"]).splitlines()[-1] == "- een pasfoto"
    assert ics.unfold(text)[-1] == "END:VCALENDAR"
    assert [line for line in ics.unfold(text) if line.startswith(("BEGIN", "END"))] == [
        "BEGIN:VCALENDAR", "BEGIN:VEVENT", "BEGIN:VALARM", "END:VALARM", "END:VEVENT", "END:VCALENDAR"]


@settings(max_examples=300)
@given(st.text(max_size=400))
def test_ics_folds_at_75_octets_and_round_trips(description):
    start = dt.datetime(2026, 11, 26, 16, 30, tzinfo=dt.UTC)
    text = ics.event(uid="u", start=start, end=start, stamp=start, summary="s", description=description or "x")
    for physical in text.split("\r\n")[:-1]:
        assert len(physical.encode("utf-8")) <= 75
        assert "\r" not in physical and "\n" not in physical
    expected = (description or "x").replace("\r\n", "\n").replace("\r", "\n")
    expected = "".join(ch for ch in expected if ch in "\n\t" or (ord(ch) >= 0x20 and ord(ch) != 0x7F))
    assert unescape(props(text)["DESCRIPTION"]) == expected


def test_ics_needs_aware_times():
    with pytest.raises(ValueError):
        ics.utc_stamp(dt.datetime(2026, 1, 1))
