"""No-shows are recorded by themselves while the software runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from baliedesk.domain.errors import AppointmentTooLate
from baliedesk.services import appointments as ap
from baliedesk.services import schedules
from baliedesk.ui.common.messages import message_for
from tests.test_appointments_service import at, at_the_same_instant, book, ids, local  # noqa: F401

TODAY = dt.date(2026, 11, 19)  # the conftest's now: Thursday 09:30


def states(backend, ids) -> dict[str, str]:  # noqa: F811
    overview = ap._day_overview(backend, ids.users["anne"], ids.location_id, at(TODAY, 8), TODAY, None, True)
    return {a.name: a.state for a in overview.appointments}


def test_day_overview_records_no_shows_once_the_window_passed(backend, ids, now):  # noqa: F811
    clerk, kiosk = ids.users["anne"], ids.users["kiosk-ingang"]
    book(backend, ids, now, local(TODAY, 10), name="Tien uur")
    book(backend, ids, now, local(TODAY, 10, 15), name="Kwart over tien")
    came = book(backend, ids, now, local(TODAY, 10, 30), name="Komt wel")
    ap.check_in(backend, kiosk, came.code, at(TODAY, 10, 20))
    # 10:05 is the late limit of 10:00 (5 minutes): not yet a no-show at 10:05, one at 10:06.
    ap.day_overview(backend, clerk, ids.location_id, at(TODAY, 10, 5))
    assert states(backend, ids)["Tien uur"] == "booked"
    overview = ap.day_overview(backend, clerk, ids.location_id, at(TODAY, 10, 6))
    assert {a.name: (a.state, a.status) for a in overview.appointments} == {
        "Tien uur": ("no_show", "no_show"), "Kwart over tien": ("booked", "expected"),
        "Komt wel": ("checked_in", "checked_in")}
    assert overview.count("no_show") == 1
    ap.day_overview(backend, clerk, ids.location_id, at(TODAY, 11))
    assert states(backend, ids) == {"Tien uur": "no_show", "Kwart over tien": "no_show", "Komt wel": "checked_in"}
    assert ap.mark_no_shows(backend, clerk, ids.location_id, at(TODAY, 11)) == 0  # idempotent


def test_a_no_show_at_the_kiosk_is_too_late_with_a_walk_in_offer(backend, ids, now):  # noqa: F811
    a = book(backend, ids, now, local(TODAY, 10))
    assert ap.mark_no_shows(backend, ids.users["anne"], ids.location_id, at(TODAY, 10, 30)) == 1
    with pytest.raises(AppointmentTooLate) as err:
        ap.check_in(backend, ids.users["kiosk-ingang"], a.code, at(TODAY, 10, 31))
    assert err.value.walk_in_possible
    assert message_for(err.value) == "U bent te laat voor uw afspraak van 10.00 uur. U kunt wel een gewoon nummer nemen."


def test_the_late_limit_follows_the_location_choice(backend, ids, now):  # noqa: F811
    schedules.set_calendar_options(backend, ids.users["fatima"], ids.location_id, now, checkin_late_minutes=15)
    book(backend, ids, now, local(TODAY, 10), name="Tien uur")
    assert ap.mark_no_shows(backend, ids.users["anne"], ids.location_id, at(TODAY, 10, 14)) == 0
    assert ap.mark_no_shows(backend, ids.users["anne"], ids.location_id, at(TODAY, 10, 16)) == 1


@pytest.mark.parametrize("workstations", [2, 5])
def test_several_workstations_marking_at_once_count_each_no_show_once(backend, ids, now, workstations):  # noqa: F811
    for i, minute in enumerate((0, 15, 30, 45)):
        book(backend, ids, now, local(TODAY, 10, minute), name=f"Weg {i}")
    kept = book(backend, ids, now, local(TODAY, 11, 45), name="Op tijd")
    ap.check_in(backend, ids.users["kiosk-ingang"], kept.code, at(TODAY, 11, 20))
    results = at_the_same_instant(
        workstations, lambda _i: ap.mark_no_shows(backend, ids.users["anne"], ids.location_id, at(TODAY, 12)))
    assert all(isinstance(r, int) for r in results), results
    assert sum(results) == 4  # type: ignore[arg-type]
    after = states(backend, ids)
    assert after["Op tijd"] == "checked_in"
    assert sorted(v for k, v in after.items() if k.startswith("Weg")) == ["no_show"] * 4
