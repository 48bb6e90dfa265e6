"""Appointments through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest

from baliedesk.domain import ics
from baliedesk.domain.errors import (
    AppointmentNotActive,
    AppointmentNotFound,
    AppointmentsDisabled,
    AppointmentTooEarly,
    AppointmentTooLate,
    PermissionDenied,
    SlotUnavailable,
    ValidationError,
)
from baliedesk.domain.tickets import PriorityClass
from baliedesk.services import appointments as ap
from baliedesk.services import demo, queue, schedules
from baliedesk.services.common import epoch_ms
from baliedesk.ui.common.messages import message_for

AMS = ZoneInfo("Europe/Amsterdam")
NEXT_THURSDAY = dt.date(2026, 11, 26)


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=AMS)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return local(day, hh, mm).astimezone(dt.UTC)


@pytest.fixture
def ids(backend, seeded, now):
    """Demo municipality with Loppersum's hours; appointments on for A (paspoort) and C."""
    demo.seed_hours(backend, seeded, now)
    lead = seeded.users["fatima"]
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=True,
                                   checkin_early_minutes=30, checkin_late_minutes=5)
    ap.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15,
                         bring=["uw oude paspoort", "een pasfoto"])
    ap.configure_service(backend, lead, seeded.services["C"], enabled=True, duration_minutes=20)
    return seeded


def book(backend, ids, now, start, prefix="A", name="Jan Jansen", **kw):
    kw.setdefault("phone", "06 12345678")
    return ap.book(backend, ids.users["anne"], ids.services[prefix], start, now, name=name, **kw)


def active_count(backend) -> int:
    with backend.unit_of_work() as uow:
        from sqlalchemy import func, select

        from baliedesk.storage.models import Appointment

        return uow.session.execute(select(func.count()).select_from(Appointment).where(
            Appointment.state.in_(("booked", "checked_in")))).scalar_one()


# ---------------------------------------------------------------------------
# the switch
# ---------------------------------------------------------------------------
def test_switched_off_nothing_is_visible(backend, seeded, now):
    demo.seed_hours(backend, seeded, now)
    clerk, kiosk = seeded.users["anne"], seeded.users["kiosk-ingang"]
    sw = ap.appointment_switch(backend, seeded.location_id)
    assert not sw.enabled and sw.service_ids == ()
    with pytest.raises(AppointmentsDisabled):
        ap.available_slots(backend, clerk, seeded.services["A"], now)
    with pytest.raises(AppointmentsDisabled):
        ap.book(backend, clerk, seeded.services["A"], local(NEXT_THURSDAY, 9), now, name="Jan", phone="0612345678")
    with pytest.raises(AppointmentsDisabled):
        ap.day_overview(backend, clerk, seeded.location_id, now)
    with pytest.raises(AppointmentsDisabled):
        ap.location_slots(backend, clerk, seeded.location_id, now, NEXT_THURSDAY)
    with pytest.raises(ValidationError):
        ap.check_in(backend, kiosk, "nonsense", now)


def test_switch_per_service(backend, ids, now):
    sw = ap.appointment_switch(backend, ids.location_id)
    assert sw.enabled and set(sw.service_ids) == {ids.services["A"], ids.services["C"]}
    with pytest.raises(AppointmentsDisabled) as err:
        book(backend, ids, now, local(NEXT_THURSDAY, 9), prefix="B")
    assert err.value.service_code == "B"
    schedules.set_calendar_options(backend, ids.users["fatima"], ids.location_id, now, appointments_enabled=False)
    assert ap.appointment_switch(backend, ids.location_id).service_ids == ()


# ---------------------------------------------------------------------------
# slots
# ---------------------------------------------------------------------------
def test_slots_follow_hours_counters_and_service_pattern(backend, ids, now):
    clerk = ids.users["anne"]
    a = [s for s in ap.available_slots(backend, clerk, ids.services["A"], now, NEXT_THURSDAY, 1)]
    assert len(a) == 14 + 12 + 10  # 15 minutes: morning, afternoon, evening
    assert a[0].start == local(NEXT_THURSDAY, 9) and a[-1].end == local(NEXT_THURSDAY, 19, 30)
    assert all(s.capacity == 2 and s.booked == 0 for s in a)  # Balie 1 and Balie 3 serve A
    c = ap.available_slots(backend, clerk, ids.services["C"], now, NEXT_THURSDAY, 1)
    assert c[-1].end <= local(NEXT_THURSDAY, 16, 30)  # C has no evening
    assert all(s.end.hour * 60 + s.end.minute <= 12 * 60 + 30 or s.start >= local(NEXT_THURSDAY, 13, 30) for s in c)


def test_no_slots_in_the_past_on_holidays_or_closed_days(backend, ids, now):
    clerk = ids.users["anne"]
    today = ap.available_slots(backend, clerk, ids.services["A"], now, now.astimezone(AMS).date(), 1)
    assert today[0].start == local(dt.date(2026, 11, 19), 9, 45)  # now is 09:30
    christmas = ap.available_slots(backend, clerk, ids.services["A"], now, dt.date(2026, 12, 25), 4)
    assert {s.start.date() for s in christmas} == {dt.date(2026, 12, 28)}
    schedules.set_exception(backend, ids.users["fatima"], ids.location_id, dt.date(2026, 11, 27), (), "Heidag")
    assert ap.available_slots(backend, clerk, ids.services["A"], now, dt.date(2026, 11, 27), 1) == ()


def test_blocks_and_max_parallel(backend, ids, now):
    lead, clerk = ids.users["fatima"], ids.users["anne"]
    block = ap.add_block(backend, lead, ids.location_id, "09:00", "10:00", weekday=3, note="Werkoverleg")
    ap.add_block(backend, lead, ids.location_id, "17:00", "19:30", day=NEXT_THURSDAY,
                 service_id=ids.services["A"], note="Geen avond")
    ap.configure_service(backend, lead, ids.services["A"], max_parallel=1)
    slots = ap.available_slots(backend, clerk, ids.services["A"], now, NEXT_THURSDAY, 1)
    assert slots[0].start == local(NEXT_THURSDAY, 10) and slots[-1].end == local(NEXT_THURSDAY, 16, 30)
    assert all(s.capacity == 1 for s in slots)
    with pytest.raises(SlotUnavailable) as err:
        book(backend, ids, now, local(NEXT_THURSDAY, 9, 15))
    assert err.value.reason == "not_a_slot"
    assert ap.remove_block(backend, lead, ids.location_id, block.id)
    assert book(backend, ids, now, local(NEXT_THURSDAY, 9, 15)).start == local(NEXT_THURSDAY, 9, 15)
    with pytest.raises(ValidationError):
        ap.add_block(backend, lead, ids.location_id, "09:00", "10:00", weekday=3, day=NEXT_THURSDAY)


def test_location_slots_for_a_month(backend, ids, now):
    out = ap.location_slots(backend, ids.users["anne"], ids.location_id, now, dt.date(2026, 12, 1), 31)
    assert set(out) == {ids.services["A"], ids.services["C"]}
    days = {s.start.date() for s in out[ids.services["A"]]}
    assert dt.date(2026, 12, 25) not in days and dt.date(2026, 12, 5) not in days
    assert len(days) == 22  # December 2026: 23 weekdays minus Christmas (Boxing Day is a Saturday)
    assert dt.date(2026, 12, 31) in days


# ---------------------------------------------------------------------------
# book, move, cancel
# ---------------------------------------------------------------------------
def test_book_returns_code_and_neem_mee(backend, ids, now):
    a = book(backend, ids, now, local(NEXT_THURSDAY, 17, 30), email="Jan@Example.NL", remarks="komt met rolstoel")
    assert len(a.code) == 6 and a.display_code == f"{a.code[:3]}-{a.code[3:]}"
    assert a.start == local(NEXT_THURSDAY, 17, 30) and a.end == local(NEXT_THURSDAY, 17, 45)
    assert a.bring == ("uw oude paspoort", "een pasfoto")
    assert (a.phone, a.email, a.remarks) == ("0612345678", "Jan@example.nl", "komt met rolstoel")
    assert a.state == "booked" and a.status == "upcoming" and a.service_prefix == "A"
    assert a.checkin_from == local(NEXT_THURSDAY, 17) and a.checkin_until == local(NEXT_THURSDAY, 17, 35)
    found = ap.find(backend, ids.users["jeroen"], a.display_code.lower(), now)
    assert found.id == a.id and found.name == "Jan Jansen"
    with pytest.raises(AppointmentNotFound):
        ap.find(backend, ids.users["jeroen"], "AAA-AAA" if a.code != "AAAAAA" else "CCC-CCC", now)


def test_capacity_is_never_exceeded_and_cancel_frees_a_place(backend, ids, now):
    start = local(NEXT_THURSDAY, 10, 0)
    first = book(backend, ids, now, start, name="Een")
    book(backend, ids, now, start, name="Twee")
    with pytest.raises(SlotUnavailable) as err:
        book(backend, ids, now, start, name="Drie")
    assert err.value.reason == "full"
    assert message_for(err.value) == "De tijd 10.00 uur is net vol geraakt. Kies een andere tijd."
    slot = next(s for s in ap.available_slots(backend, ids.users["anne"], ids.services["A"], now, NEXT_THURSDAY, 1)
                if s.start == start)
    assert (slot.booked, slot.free) == (2, 0)
    cancelled = ap.cancel(backend, ids.users["anne"], first.id, now)
    assert cancelled.state == "cancelled"
    assert book(backend, ids, now, start, name="Drie").name == "Drie"
    with pytest.raises(AppointmentNotActive):
        ap.cancel(backend, ids.users["anne"], first.id, now)


def test_refused_bookings_write_nothing(backend, ids, now):
    before = active_count(backend)
    with pytest.raises(ValidationError) as err:
        book(backend, ids, now, local(NEXT_THURSDAY, 10), phone="", email="")
    assert message_for(err.value).startswith("Vul een telefoonnummer of een e-mailadres in.")
    with pytest.raises(ValidationError) as err:
        book(backend, ids, now, local(NEXT_THURSDAY, 10), phone="12345")
    assert "telefoonnummer klopt niet" in message_for(err.value)
    with pytest.raises(SlotUnavailable) as err:
        book(backend, ids, now, local(dt.date(2026, 11, 19), 9, 15))  # earlier today
    assert err.value.reason == "past"
    for bad in (local(NEXT_THURSDAY, 9, 7), local(NEXT_THURSDAY, 12, 30), local(dt.date(2026, 11, 28), 10),
                local(NEXT_THURSDAY, 12, 20)):
        with pytest.raises(SlotUnavailable) as err:
            book(backend, ids, now, bad)
        assert err.value.reason == "not_a_slot"
    with pytest.raises(ValidationError):
        book(backend, ids, now, dt.datetime(2026, 11, 26, 10, 0))  # naive
    assert active_count(backend) == before


def test_move_keeps_the_code_and_respects_capacity(backend, ids, now):
    a = book(backend, ids, now, local(NEXT_THURSDAY, 10))
    for name in ("B1", "B2"):
        book(backend, ids, now, local(NEXT_THURSDAY, 11), name=name)
    with pytest.raises(SlotUnavailable):
        ap.move(backend, ids.users["anne"], a.id, local(NEXT_THURSDAY, 11), now)
    moved = ap.move(backend, ids.users["anne"], a.id, local(NEXT_THURSDAY, 11, 15), now)
    assert moved.code == a.code and moved.start == local(NEXT_THURSDAY, 11, 15) and moved.moved_count == 1
    same = ap.move(backend, ids.users["anne"], a.id, local(NEXT_THURSDAY, 11, 15), now)
    assert same.moved_count == 1
    ap.cancel(backend, ids.users["anne"], a.id, now)
    with pytest.raises(AppointmentNotActive) as err:
        ap.move(backend, ids.users["anne"], a.id, local(NEXT_THURSDAY, 14), now)
    assert message_for(err.value) == f"Afspraak {a.display_code} is afgezegd. Vraag het aan de balie."


def test_roles(backend, ids, now):
    for device in ("kiosk-ingang", "scherm-hal"):
        with pytest.raises(PermissionDenied):
            ap.book(backend, ids.users[device], ids.services["A"], local(NEXT_THURSDAY, 10), now, name="X",
                    phone="0612345678")
        with pytest.raises(PermissionDenied):
            ap.day_overview(backend, ids.users[device], ids.location_id, now)
    with pytest.raises(PermissionDenied):
        ap.configure_service(backend, ids.users["anne"], ids.services["A"], duration_minutes=20)
    kcc = queue_user(backend, ids)
    assert ap.book(backend, kcc, ids.services["A"], local(NEXT_THURSDAY, 10), now, name="Via telefoon",
                   email="a@b.nl").state == "booked"


def queue_user(backend, ids) -> int:
    from baliedesk.services import setup

    return setup.create_user(backend, ids.users["beheer"], "kcc1", "KCC Een", "kcc").id


# ---------------------------------------------------------------------------
# concurrency: two (or more) workstations book the last place at the same moment
# ---------------------------------------------------------------------------
def at_the_same_instant(workstations: int, action) -> list[object]:
    """``workstations`` threads call ``action(i)`` at the same instant; what each
    returned, or the exception it raised, in the order they finished."""
    barrier = threading.Barrier(workstations)
    results: list[object] = []
    lock = threading.Lock()

    def attempt(i: int) -> None:
        barrier.wait()
        try:
            r: object = action(i)
        except Exception as exc:  # noqa: BLE001 - collected and checked by the caller
            r = exc
        with lock:
            results.append(r)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(workstations)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def race_to_book(workstations: int, book_one) -> None:
    """``workstations`` threads call ``book_one(i)`` at the same instant: exactly one books,
    every other one is refused as full."""
    results = at_the_same_instant(workstations, book_one)
    booked = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(results) == workstations
    assert len(booked) == 1, results
    assert all(isinstance(r, SlotUnavailable) and r.reason == "full" for r in refused), refused


@pytest.mark.parametrize("workstations", [2, 6])
def test_last_place_is_booked_once_under_contention(backend, ids, now, workstations):
    ap.configure_service(backend, ids.users["fatima"], ids.services["A"], max_parallel=1)
    for minute in (0, 15, 30):
        start = local(NEXT_THURSDAY, 14, minute)
        race_to_book(workstations, lambda i, start=start: book(backend, ids, now, start, name=f"Werkplek {i}"))
    assert active_count(backend) == 3


# ---------------------------------------------------------------------------
# check-in at the kiosk
# ---------------------------------------------------------------------------
def test_check_in_puts_the_visitor_in_the_queue_at_the_slot_time(backend, ids, now):
    kiosk = ids.users["kiosk-ingang"]
    today = dt.date(2026, 11, 19)
    a = book(backend, ids, now, local(today, 10, 30))
    with pytest.raises(AppointmentTooEarly) as err:
        ap.check_in(backend, kiosk, a.code, at(today, 9, 59))
    assert err.value.checkin_from == local(today, 10, 0)
    assert message_for(err.value) == ("U bent te vroeg. Uw afspraak is op donderdag 19 november om 10.30 uur. "
                                      "U kunt zich melden vanaf 10.00 uur.")
    result = ap.check_in(backend, kiosk, a.display_code.lower(), at(today, 10, 10))
    t = result.issued.ticket
    assert result.verdict == "on_time" and result.appointment.state == "checked_in"
    assert t.priority_class == int(PriorityClass.APPOINTMENT) and t.number.startswith("A")
    assert t.arrived_ms == epoch_ms(at(today, 10, 10))
    with backend.unit_of_work() as uow:
        assert uow.tickets.get(t.id).queue_ms == epoch_ms(at(today, 10, 30))
    assert result.appointment.ticket_number == t.number
    with pytest.raises(AppointmentNotActive) as err:
        ap.check_in(backend, kiosk, a.code, at(today, 10, 11))
    assert err.value.state == "checked_in"
    assert "al aangemeld" in message_for(err.value)


def test_checked_in_appointment_goes_first_once_its_slot_began(backend, ids, now):
    kiosk, clerk = ids.users["kiosk-ingang"], ids.users["jeroen"]
    today = dt.date(2026, 11, 19)
    queue.sign_in(backend, clerk, ids.counters["Balie 1"], at(today, 9, 30))
    a = book(backend, ids, now, local(today, 10, 30))
    walk_in = queue.issue_ticket(backend, kiosk, ids.services["A"], at(today, 10, 0)).ticket
    ap.check_in(backend, kiosk, a.code, at(today, 10, 20))
    early = queue.call_next(backend, clerk, ids.counters["Balie 1"], at(today, 10, 25))
    assert early.id == walk_in.id  # before its slot the appointment waits like a walk-in (arrived 10:20)
    queue.finish(backend, clerk, ids.counters["Balie 1"], early.id, at(today, 10, 26))
    later_walk_in = queue.issue_ticket(backend, kiosk, ids.services["A"], at(today, 10, 27)).ticket
    called = queue.call_next(backend, clerk, ids.counters["Balie 1"], at(today, 10, 31))
    assert called.priority_class == 0 and called.id != later_walk_in.id


def test_too_late_is_refused_with_a_walk_in_offer(backend, ids, now):
    kiosk = ids.users["kiosk-ingang"]
    today = dt.date(2026, 11, 19)
    a = book(backend, ids, now, local(today, 10, 30))
    with pytest.raises(AppointmentTooLate) as err:
        ap.check_in(backend, kiosk, a.code, at(today, 10, 36))
    e = err.value
    assert e.walk_in_possible and e.service_id == ids.services["A"] and e.late_until == local(today, 10, 35)
    assert message_for(e) == "U bent te laat voor uw afspraak van 10.30 uur. U kunt wel een gewoon nummer nemen."
    walk_in = queue.issue_ticket(backend, kiosk, e.service_id, at(today, 10, 36))
    assert walk_in.ticket.priority_class == int(PriorityClass.WALK_IN)
    with pytest.raises(AppointmentNotFound) as err:
        ap.check_in(backend, kiosk, "CCC-CCC" if a.code != "CCCCCC" else "DDD-DDD", at(today, 10, 36))
    assert "kennen afspraakcode" in message_for(err.value)


# ---------------------------------------------------------------------------
# the day at the counter, no-shows, .ics
# ---------------------------------------------------------------------------
def test_day_overview_for_a_counter(backend, ids, now):
    kiosk, clerk = ids.users["kiosk-ingang"], ids.users["sanne"]
    today = dt.date(2026, 11, 19)
    a1 = book(backend, ids, now, local(today, 10), name="Eerst")
    book(backend, ids, now, local(today, 11), name="Later")
    c1 = book(backend, ids, now, local(today, 10, 20), prefix="C", name="Uittreksel")
    gone = book(backend, ids, now, local(today, 9, 45), name="Afgezegd")
    ap.cancel(backend, clerk, gone.id, now)
    ap.check_in(backend, kiosk, a1.code, at(today, 9, 50))
    overview = ap.day_overview(backend, clerk, ids.location_id, at(today, 10, 50))
    assert [x.name for x in overview.appointments] == ["Eerst", "Uittreksel", "Later"]
    status = {x.name: x.status for x in overview.appointments}
    assert status == {"Eerst": "checked_in", "Uittreksel": "no_show", "Later": "expected"}
    assert overview.appointments[0].ticket_number.startswith("A")
    balie2 = ap.day_overview(backend, clerk, ids.location_id, at(today, 10, 50), counter_id=ids.counters["Balie 2"])
    assert [x.id for x in balie2.appointments] == [c1.id]  # Balie 2 serves C and M
    with_cancelled = ap.day_overview(backend, clerk, ids.location_id, now, include_cancelled=True)
    assert with_cancelled.count("cancelled") == 1
    # The overview at 10:50 recorded "Uittreksel" (10:20, late limit 10:25) as a no-show by itself.
    assert {x.name: x.state for x in overview.appointments}["Uittreksel"] == "no_show"
    assert ap.mark_no_shows(backend, clerk, ids.location_id, at(today, 10, 50)) == 0


def test_export_ics(backend, ids, now):
    a = book(backend, ids, now, local(NEXT_THURSDAY, 17, 30))
    text = ap.appointment_ics(backend, ids.users["anne"], a.id, now)
    lines = ics.unfold(text)
    assert "\r\n" in text and all(len(p.encode()) <= 75 for p in text.split("\r\n"))
    assert "DTSTART:20261126T163000Z" in lines and "DTEND:20261126T164500Z" in lines
    assert f"UID:afspraak-{a.code}@baliedesk" in lines
    assert "SUMMARY:Afspraak: Paspoort en ID-kaart" in lines
    assert "LOCATION:Gemeente Loppersum" in lines
    description = next(line for line in lines if line.startswith("DESCRIPTION:Afspraakcode"))
    assert a.display_code in description and "uw oude paspoort" in description


def test_configure_service_validation(backend, ids):
    lead = ids.users["fatima"]
    with pytest.raises(ValidationError):
        ap.configure_service(backend, lead, ids.services["A"], duration_minutes=2)
    with pytest.raises(ValidationError):
        ap.configure_service(backend, lead, ids.services["A"], max_parallel=0)
    info = ap.configure_service(backend, lead, ids.services["A"], max_parallel=None, bring="pasfoto")
    assert info.max_parallel is None and info.bring == ("pasfoto",) and info.duration_minutes == 15
    cfg = schedules.schedule_config(backend, lead, ids.location_id)
    assert {s.service_id: s.enabled for s in cfg.services}[ids.services["A"]]
