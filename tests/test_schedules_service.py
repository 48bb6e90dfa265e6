"""Opening schedules through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from baliedesk import hourstext
from baliedesk.domain.errors import (
    PeriodInsideOut,
    PeriodsOverlap,
    PermissionDenied,
    ServiceClosed,
    ValidationError,
)
from baliedesk.services import demo, queue, schedules
from baliedesk.ui.common.messages import message_for

AMS = ZoneInfo("Europe/Amsterdam")


def at(y, m, d, hh, mm=0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=AMS).astimezone(dt.UTC)


THU_0930 = at(2026, 11, 19, 9, 30)  # the `now` fixture


@pytest.fixture
def hours(backend, seeded, now):
    """The demo municipality with Loppersum's hours."""
    demo.seed_hours(backend, seeded, now)
    return seeded


def ticket_count(backend) -> int:
    with backend.unit_of_work() as uow:
        return uow.tickets.count()


# ---------------------------------------------------------------------------
# without a schedule nothing changes
# ---------------------------------------------------------------------------
def test_without_schedule_no_hours_and_tickets_any_time(backend, seeded):
    kiosk = seeded.users["kiosk-ingang"]
    night = at(2026, 11, 22, 3, 0)  # Sunday, 03:00
    h = schedules.todays_hours(backend, kiosk, seeded.location_id, night)
    assert not h.configured and h.services == () and hourstext.hours_line(h) is None
    issued = queue.issue_ticket(backend, kiosk, seeded.services["A"], night)
    assert issued.ticket.number == "A001"


# ---------------------------------------------------------------------------
# today's hours
# ---------------------------------------------------------------------------
def test_todays_hours_thursday_morning(backend, hours, now):
    assert now == THU_0930
    h = schedules.todays_hours(backend, hours.users["scherm-hal"], hours.location_id, now)
    assert h.configured and h.day == dt.date(2026, 11, 19) and h.status == "regular"
    assert [(p.start.strftime("%H:%M"), p.end.strftime("%H:%M")) for p in h.periods] == [
        ("09:00", "12:30"), ("13:30", "16:30"), ("17:00", "19:30")]
    assert h.open_now and h.closes_at == dt.datetime(2026, 11, 19, 12, 30, tzinfo=AMS)
    assert h.next_opening == dt.datetime(2026, 11, 19, 13, 30, tzinfo=AMS)
    a, c = h.for_service(hours.services["A"]), h.for_service(hours.services["C"])
    assert len(a.periods) == 3 and len(c.periods) == 2  # the evening is for collecting documents only
    assert a.kiosk_open and c.kiosk_open
    assert hourstext.hours_line(h) == "Open tot 12.30 uur. Daarna weer open om 13.30 uur."
    assert hourstext.todays_periods_line(h) == "Vandaag open: 9.00 - 12.30, 13.30 - 16.30 en 17.00 - 19.30 uur"


def test_hall_screen_line_in_the_evening_and_at_night(backend, hours):
    display = hours.users["scherm-hal"]
    evening = schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 19, 18, 0))
    assert hourstext.hours_line(evening) == "Vandaag open tot 19.30 uur"
    assert not evening.for_service(hours.services["C"]).open_now
    lunch = schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 19, 12, 45))
    assert hourstext.hours_line(lunch) == "Vandaag weer open om 13.30 uur"
    night = schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 20, 20, 0))  # Friday
    assert hourstext.hours_line(night) == "Nu gesloten. Weer open maandag 23 november om 9.00 uur"
    wednesday = schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 18, 17, 0))
    assert hourstext.hours_line(wednesday) == "Nu gesloten. Weer open morgen om 9.00 uur"


def test_todays_hours_on_a_holiday(backend, hours):
    h = schedules.todays_hours(backend, hours.users["anne"], hours.location_id, at(2026, 12, 25, 10, 0))
    assert h.status == "holiday" and h.holiday == "eerste_kerstdag" and not h.open_now
    assert h.next_opening == dt.datetime(2026, 12, 28, 9, 0, tzinfo=AMS)
    assert hourstext.todays_periods_line(h) == "Vandaag gesloten (Eerste Kerstdag)"


# ---------------------------------------------------------------------------
# the kiosk rule
# ---------------------------------------------------------------------------
def test_kiosk_issues_while_open(backend, hours):
    kiosk = hours.users["kiosk-ingang"]
    assert queue.issue_ticket(backend, kiosk, hours.services["A"], at(2026, 11, 19, 12, 19)).ticket.number == "A001"
    assert queue.issue_ticket(backend, kiosk, hours.services["A"], at(2026, 11, 19, 18, 0)).ticket.number == "A002"


def test_kiosk_stops_before_closing_with_next_opening(backend, hours):
    kiosk = hours.users["kiosk-ingang"]
    before = ticket_count(backend)
    with pytest.raises(ServiceClosed) as err:
        queue.issue_ticket(backend, kiosk, hours.services["A"], at(2026, 11, 19, 12, 20))
    e = err.value
    assert (e.service_code, e.reason) == ("A", "closing")
    assert e.closes_at == dt.datetime(2026, 11, 19, 12, 30, tzinfo=AMS)
    assert e.next_opening == dt.datetime(2026, 11, 19, 13, 30, tzinfo=AMS)
    assert message_for(e) == ("Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen. "
                              "We zijn weer open vandaag om 13.30 uur.")
    assert ticket_count(backend) == before  # nothing written


def test_kiosk_refuses_daytime_service_in_the_evening(backend, hours):
    kiosk = hours.users["kiosk-ingang"]
    with pytest.raises(ServiceClosed) as err:
        queue.issue_ticket(backend, kiosk, hours.services["C"], at(2026, 11, 19, 18, 0))
    assert err.value.reason == "closed"
    assert err.value.next_opening == dt.datetime(2026, 11, 20, 9, 0, tzinfo=AMS)
    assert message_for(err.value) == "Deze dienst is nu gesloten. We zijn weer open morgen om 9.00 uur."


def test_kiosk_refuses_at_the_weekend_and_on_the_bridge_day(backend, hours):
    kiosk = hours.users["kiosk-ingang"]
    with pytest.raises(ServiceClosed) as err:
        queue.issue_ticket(backend, kiosk, hours.services["B"], at(2026, 11, 21, 10, 0))
    assert err.value.next_opening == dt.datetime(2026, 11, 23, 9, 0, tzinfo=AMS)
    assert "maandag 23 november om 9.00 uur" in message_for(err.value)
    # The demo closes the Friday after Ascension 2027 (7 May); Ascension itself is a holiday.
    with pytest.raises(ServiceClosed) as err:
        queue.issue_ticket(backend, kiosk, hours.services["B"], at(2027, 5, 6, 10, 0))
    assert err.value.next_opening == dt.datetime(2027, 5, 10, 9, 0, tzinfo=AMS)


def test_stop_minutes_are_configurable(backend, hours, now):
    lead, kiosk = hours.users["fatima"], hours.users["kiosk-ingang"]
    schedules.set_calendar_options(backend, lead, hours.location_id, now, kiosk_stop_minutes=0)
    assert queue.issue_ticket(backend, kiosk, hours.services["A"], at(2026, 11, 19, 12, 29)).ticket.number == "A001"
    schedules.set_calendar_options(backend, lead, hours.location_id, now, kiosk_stop_minutes=45)
    with pytest.raises(ServiceClosed):
        queue.issue_ticket(backend, kiosk, hours.services["A"], at(2026, 11, 19, 11, 50))


# ---------------------------------------------------------------------------
# editing hours and exceptions
# ---------------------------------------------------------------------------
def test_overlapping_or_inside_out_hours_are_refused_and_nothing_is_lost(backend, hours):
    lead = hours.users["fatima"]
    before = schedules.schedule_config(backend, lead, hours.location_id)
    with pytest.raises(PeriodsOverlap) as err:
        schedules.set_opening_hours(backend, lead, hours.location_id, {0: [("09:00", "12:30"), ("12:00", "16:00")]})
    assert message_for(err.value) == ("De tijden 9.00 - 12.30 en 12.00 - 16.00 op maandag lopen door elkaar. "
                                      "Pas een van de twee aan.")
    with pytest.raises(PeriodInsideOut) as err:
        schedules.set_opening_hours(backend, lead, hours.location_id, {3: [("19:30", "17:00")]})
    assert message_for(err.value) == ("De tijd 19.30 - 17.00 op donderdag klopt niet: het einde ligt voor het "
                                      "begin. Pas de tijden aan.")
    with pytest.raises(ValidationError) as err:
        schedules.set_opening_hours(backend, lead, hours.location_id, {0: [("9:00", "25:00")]})
    assert message_for(err.value) == "De eindtijd is geen goede tijd. Schrijf bijvoorbeeld 9:00 of 13:30."
    assert schedules.schedule_config(backend, lead, hours.location_id) == before


def test_replace_location_and_service_hours(backend, hours):
    lead = hours.users["fatima"]
    saved = schedules.set_opening_hours(backend, lead, hours.location_id, {0: [("8:30", "12:00")], 4: [(600, 720)]})
    assert saved == {0: ((510, 720),), 4: ((600, 720),)}
    cfg = schedules.schedule_config(backend, lead, hours.location_id)
    assert cfg.location_hours == {0: ((510, 720),), 4: ((600, 720),)}
    assert set(cfg.service_hours) == {hours.services["C"], hours.services["M"]}
    schedules.set_opening_hours(backend, lead, hours.location_id, None, service_id=hours.services["C"])
    cfg = schedules.schedule_config(backend, lead, hours.location_id)
    assert set(cfg.service_hours) == {hours.services["M"]}


def test_service_hours_need_location_hours(backend, seeded):
    lead = seeded.users["fatima"]
    with pytest.raises(ValidationError) as err:
        schedules.set_opening_hours(backend, lead, seeded.location_id, {0: [("09:00", "12:00")]},
                                    service_id=seeded.services["A"])
    assert err.value.code == "no_location_hours"
    assert "openingstijden van de locatie" in message_for(err.value)


def test_dated_exceptions_close_and_change_hours(backend, hours):
    lead, display = hours.users["fatima"], hours.users["scherm-hal"]
    day = dt.date(2026, 11, 24)
    schedules.set_exception(backend, lead, hours.location_id, day, (), "Personeelsdag")
    h = schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 24, 10))
    assert h.status == "closed" and h.note == "Personeelsdag" and not h.open_now
    # Replacing it: other hours that day.
    info = schedules.set_exception(backend, lead, hours.location_id, day, [("10:00", "14:00")], "Later open")
    assert info.periods == ((600, 840),) and not info.closed
    h = schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 24, 9, 30))
    assert h.status == "other_hours" and not h.open_now
    assert h.next_opening == dt.datetime(2026, 11, 24, 10, 0, tzinfo=AMS)
    assert len(schedules.schedule_config(backend, lead, hours.location_id).exceptions) == 2  # + the demo bridge day
    assert schedules.remove_exception(backend, lead, hours.location_id, day)
    assert not schedules.remove_exception(backend, lead, hours.location_id, day)
    assert schedules.todays_hours(backend, display, hours.location_id, at(2026, 11, 24, 9, 30)).open_now


def test_service_exception_closes_one_service_only(backend, hours):
    lead, kiosk = hours.users["fatima"], hours.users["kiosk-ingang"]
    day = dt.date(2026, 11, 20)
    schedules.set_exception(backend, lead, hours.location_id, day, (), "Storing paspoortmachine",
                            service_id=hours.services["A"])
    with pytest.raises(ServiceClosed):
        queue.issue_ticket(backend, kiosk, hours.services["A"], at(2026, 11, 20, 10))
    assert queue.issue_ticket(backend, kiosk, hours.services["B"], at(2026, 11, 20, 10)).ticket.number == "B001"
    view = schedules.calendar_view(backend, lead, hours.location_id, day, 1)
    assert view[0].status == "regular" and view[0].service_exceptions[0].note == "Storing paspoortmachine"


def test_bad_exception_input_is_refused(backend, hours):
    lead = hours.users["fatima"]
    with pytest.raises(PeriodsOverlap):
        schedules.set_exception(backend, lead, hours.location_id, dt.date(2026, 12, 24),
                                [("09:00", "13:00"), ("12:00", "14:00")])
    with pytest.raises(ValidationError):
        schedules.set_exception(backend, lead, hours.location_id, dt.date(2026, 12, 24), (), "a" * 201)
    with pytest.raises(ValidationError):
        schedules.set_exception(backend, lead, hours.location_id, "2026-12-24", ())  # type: ignore[arg-type]
    assert len(schedules.schedule_config(backend, lead, hours.location_id).exceptions) == 1


def test_one_exception_per_day_is_enforced_by_the_database(backend, hours):
    with backend.unit_of_work(write=True) as uow:
        from baliedesk.storage.models import ScheduleException

        uow.session.add(ScheduleException(location_id=hours.location_id, service_id=None,
                                          day=dt.date(2026, 12, 31), periods=[], note=""))
        uow.session.add(ScheduleException(location_id=hours.location_id, service_id=None,
                                          day=dt.date(2026, 12, 31), periods=[[540, 720]], note=""))
        with pytest.raises(IntegrityError):
            uow.flush()


def test_four_week_calendar_view(backend, hours):
    lead = hours.users["fatima"]
    view = schedules.calendar_view(backend, lead, hours.location_id, dt.date(2026, 12, 14))
    assert len(view) == 28
    by_day = {d.day: d for d in view}
    assert by_day[dt.date(2026, 12, 17)].periods == ((540, 750), (810, 990), (1020, 1170))  # Thursday evening
    assert by_day[dt.date(2026, 12, 25)].status == "holiday" and not by_day[dt.date(2026, 12, 25)].working_day
    assert by_day[dt.date(2026, 12, 19)].status == "no_hours"
    with pytest.raises(ValidationError):
        schedules.calendar_view(backend, lead, hours.location_id, dt.date(2026, 12, 14), 0)


def test_holiday_choices_change_the_working_days(backend, hours, now):
    lead = hours.users["fatima"]
    good_friday = dt.date(2027, 3, 26)
    assert schedules.working_days(backend, hours.location_id).is_working_day(good_friday)
    opts = schedules.set_calendar_options(backend, lead, hours.location_id, now, good_friday=True,
                                          liberation_day="every_year")
    assert opts.good_friday and opts.liberation_day == "every_year"
    cal = schedules.working_days(backend, hours.location_id)
    assert not cal.is_working_day(good_friday) and not cal.is_working_day(dt.date(2028, 5, 5))
    view = schedules.calendar_view(backend, lead, hours.location_id, good_friday, 1)
    assert view[0].holiday == "goede_vrijdag"
    with pytest.raises(ValidationError):
        schedules.set_calendar_options(backend, lead, hours.location_id, now, liberation_day="soms")
    with pytest.raises(ValidationError) as err:
        schedules.set_calendar_options(backend, lead, hours.location_id, now, kiosk_stop_minutes=500)
    assert err.value.limit == 120
    assert schedules.schedule_config(backend, lead, hours.location_id).options == opts


def test_working_days_without_opening_hours_still_know_closures(backend, seeded, now):
    lead = seeded.users["fatima"]
    schedules.set_exception(backend, lead, seeded.location_id, dt.date(2026, 11, 20), (), "Heidag")
    cal = schedules.working_days(backend, seeded.location_id)
    assert cal.add_working_days(dt.date(2026, 11, 19), 1) == dt.date(2026, 11, 23)


def test_roles(backend, hours, now):
    clerk, kiosk, display = hours.users["anne"], hours.users["kiosk-ingang"], hours.users["scherm-hal"]
    for user in (clerk, kiosk, display):
        with pytest.raises(PermissionDenied):
            schedules.set_opening_hours(backend, user, hours.location_id, {0: [("09:00", "12:00")]})
        with pytest.raises(PermissionDenied):
            schedules.set_exception(backend, user, hours.location_id, dt.date(2026, 12, 1))
        assert schedules.todays_hours(backend, user, hours.location_id, now).configured
    with pytest.raises(PermissionDenied):
        schedules.calendar_view(backend, clerk, hours.location_id, dt.date(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        schedules.set_calendar_options(backend, clerk, hours.location_id, now, kiosk_stop_minutes=0)


def test_demo_seed_with_hours(backend, now):
    ids = demo.seed(backend, now, history=False, hours=True)
    h = schedules.todays_hours(backend, ids.users["scherm-hal"], ids.location_id, now)
    assert h.configured and h.kiosk_stop_minutes == 10
