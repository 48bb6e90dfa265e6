"""Issue 12: users work for one or more locations; every location-bound read and write is scoped."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import pkgutil
from zoneinfo import ZoneInfo

import pytest

import baliedesk.services as services_pkg
from baliedesk.domain.errors import NotYourLocation, PermissionDenied
from baliedesk.services import appointments as ap
from baliedesk.services import contacts, demo, hall, meldingen, organisation, queue, reports, schedules, setup

AMS = ZoneInfo("Europe/Amsterdam")
TODAY = dt.date(2026, 11, 19)


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hh, mm, tzinfo=AMS).astimezone(dt.UTC)


class Two:
    """Location 1 (the demo) and location 2 with a record of every kind."""


@pytest.fixture
def two(backend, seeded, now):
    w = Two()
    w.ids = seeded
    admin = seeded.users["beheer"]
    demo.seed_hours(backend, seeded, now)
    loc2 = setup.create_location(backend, admin, "Gemeente Eemsdelta").id
    w.loc1, w.loc2 = seeded.location_id, loc2
    w.svc2 = setup.create_service(backend, admin, loc2, "A", "Paspoort", walk_in=True).id
    w.counter2 = setup.create_counter(backend, admin, loc2, "Balie 1", service_ids=[w.svc2]).id
    # staff of location 2 (created by the beheerder for location 2 only)
    w.clerk2 = setup.create_user(backend, admin, "piet", "Piet", "baliemedewerker", location_ids=[loc2]).id
    w.lead2 = setup.create_user(backend, admin, "lead2", "Lead Twee", "teamleider", location_ids=[loc2]).id
    w.kiosk2 = setup.create_user(backend, admin, "kiosk2", "Kiosk twee", "kiosk", location_ids=[loc2]).id
    schedules.set_opening_hours(backend, w.lead2, loc2, {d: [("09:00", "17:00")] for d in range(5)})
    schedules.set_calendar_options(backend, w.lead2, loc2, now, appointments_enabled=True)
    ap.configure_service(backend, w.lead2, w.svc2, enabled=True, duration_minutes=15)
    w.appointment2 = ap.book(backend, w.clerk2, w.svc2, dt.datetime(2026, 11, 20, 10, 0, tzinfo=AMS), now,
                             name="Els Smit", phone="0612345678")
    w.ticket2 = queue.issue_ticket(backend, w.kiosk2, w.svc2, local(TODAY, 10)).ticket
    cats = {c.label: c for c in meldingen.list_categories(backend, w.clerk2)}
    w.cat = cats["Wegen > Losliggende tegel"].id
    w.melding2 = meldingen.take_melding(backend, w.clerk2, loc2, now, category_id=w.cat, description="Tegel los",
                                        channel="balie", street="Kerkstraat", house_number="1",
                                        reporter_name="Els Smit", reporter_phone="0612345678").melding
    w.callback2 = contacts.write_callback(backend, w.clerk2, loc2, now, caller_name="Els Smit", phone="0612345678",
                                          question="Over de tegel", for_team="Team Wegen")[0]
    w.complaint2 = contacts.register_complaint(backend, w.clerk2, loc2, now, name="Els Smit", subject="Wachttijd",
                                               description="Lang gewacht", channel="balie")
    w.clerk1, w.lead1 = seeded.users["anne"], seeded.users["fatima"]
    return w


# Every service that takes or derives a location, called by a location-1 person on location 2.
# (function name, who, call)
REFUSED = {
    "queue.issue_ticket": ("kiosk", lambda b, u, w, now: queue.issue_ticket(b, u, w.svc2, local(TODAY, 10, 5))),
    "queue.sign_in": ("clerk", lambda b, u, w, now: queue.sign_in(b, u, w.counter2, local(TODAY, 10, 5))),
    "queue.cancel": ("clerk", lambda b, u, w, now: queue.cancel(b, u, w.ticket2.id, local(TODAY, 10, 5))),
    "queue.release": ("lead", lambda b, u, w, now: queue.release(b, u, w.ticket2.id, local(TODAY, 10, 5))),
    "queue.queue_snapshot": ("clerk", lambda b, u, w, now: queue.queue_snapshot(b, u, w.loc2, local(TODAY, 10, 5))),
    "queue.counters_at": ("clerk", lambda b, u, w, now: queue.counters_at(b, u, w.loc2, local(TODAY, 10, 5))),
    "queue.ticket_history": ("clerk", lambda b, u, w, now: queue.ticket_history(b, u, w.ticket2.id)),
    "hall.hall_calls": ("display", lambda b, u, w, now: hall.hall_calls(b, u, w.loc2, now)),
    "schedules.todays_hours": ("clerk", lambda b, u, w, now: schedules.todays_hours(b, u, w.loc2, now)),
    "schedules.calendar_view": ("lead", lambda b, u, w, now: schedules.calendar_view(b, u, w.loc2, TODAY)),
    "schedules.schedule_config": ("lead", lambda b, u, w, now: schedules.schedule_config(b, u, w.loc2)),
    "schedules.set_calendar_options": ("lead", lambda b, u, w, now: schedules.set_calendar_options(
        b, u, w.loc2, now, kiosk_stop_minutes=5)),
    "schedules.set_opening_hours": ("lead", lambda b, u, w, now: schedules.set_opening_hours(
        b, u, w.loc2, {0: [("08:00", "12:00")]})),
    "schedules.set_exception": ("lead", lambda b, u, w, now: schedules.set_exception(b, u, w.loc2, TODAY)),
    "schedules.remove_exception": ("lead", lambda b, u, w, now: schedules.remove_exception(b, u, w.loc2, TODAY)),
    "appointments.bookable_services": ("clerk", lambda b, u, w, now: ap.bookable_services(b, u, w.loc2)),
    "appointments.configure_service": ("lead", lambda b, u, w, now: ap.configure_service(b, u, w.svc2,
                                                                                          enabled=False)),
    "appointments.add_block": ("lead", lambda b, u, w, now: ap.add_block(b, u, w.loc2, "12:00", "13:00",
                                                                          weekday=0)),
    "appointments.remove_block": ("lead", lambda b, u, w, now: ap.remove_block(b, u, w.loc2, 1)),
    "appointments.available_slots": ("clerk", lambda b, u, w, now: ap.available_slots(b, u, w.svc2, now)),
    "appointments.location_slots": ("clerk", lambda b, u, w, now: ap.location_slots(b, u, w.loc2, now, TODAY)),
    "appointments.book": ("clerk", lambda b, u, w, now: ap.book(
        b, u, w.svc2, dt.datetime(2026, 11, 20, 11, 0, tzinfo=AMS), now, name="X Y", phone="0611111111")),
    "appointments.move": ("clerk", lambda b, u, w, now: ap.move(
        b, u, w.appointment2.id, dt.datetime(2026, 11, 20, 11, 0, tzinfo=AMS), now)),
    "appointments.cancel": ("clerk", lambda b, u, w, now: ap.cancel(b, u, w.appointment2.id, now)),
    "appointments.find": ("clerk", lambda b, u, w, now: ap.find(b, u, w.appointment2.code, now)),
    "appointments.check_in": ("kiosk", lambda b, u, w, now: ap.check_in(b, u, w.appointment2.code, now)),
    "appointments.day_overview": ("clerk", lambda b, u, w, now: ap.day_overview(b, u, w.loc2, now)),
    "appointments.mark_no_shows": ("clerk", lambda b, u, w, now: ap.mark_no_shows(b, u, w.loc2, now)),
    "appointments.appointment_ics": ("clerk", lambda b, u, w, now: ap.appointment_ics(b, u, w.appointment2.id,
                                                                                       now)),
    "meldingen.take_melding": ("clerk", lambda b, u, w, now: meldingen.take_melding(
        b, u, w.loc2, now, category_id=w.cat, description="x", channel="balie", location_text="ergens")),
    "meldingen.link_melding": ("clerk", lambda b, u, w, now: meldingen.link_melding(
        b, u, w.melding2.summary.id, w.melding2.summary.id, now)),
    "meldingen.change_status": ("clerk", lambda b, u, w, now: meldingen.change_status(
        b, u, w.melding2.summary.id, "in_behandeling", now)),
    "meldingen.work_list": ("clerk", lambda b, u, w, now: meldingen.work_list(b, u, w.loc2, now)),
    "meldingen.melding_detail": ("clerk", lambda b, u, w, now: meldingen.melding_detail(
        b, u, w.melding2.summary.id, now)),
    "meldingen.melding_slip": ("clerk", lambda b, u, w, now: meldingen.melding_slip(b, u, w.melding2.summary.id)),
    "contacts.register_contact": ("clerk", lambda b, u, w, now: contacts.register_contact(
        b, u, w.loc2, now, channel="telefoon", subject="Vraag")),
    "contacts.register_visit_contact": ("clerk", lambda b, u, w, now: contacts.register_visit_contact(
        b, u, w.ticket2.id, now)),
    "contacts.recent_contacts": ("clerk", lambda b, u, w, now: contacts.recent_contacts(b, u, w.loc2, now)),
    "contacts.write_callback": ("clerk", lambda b, u, w, now: contacts.write_callback(
        b, u, w.loc2, now, caller_name="A B", phone="0612345678", question="?", for_team="T")),
    "contacts.open_callbacks": ("clerk", lambda b, u, w, now: contacts.open_callbacks(b, u, w.loc2, now)),
    "contacts.mark_called_back": ("clerk", lambda b, u, w, now: contacts.mark_called_back(
        b, u, w.callback2.id, now, reached=True, outcome="ok")),
    "contacts.register_complaint": ("clerk", lambda b, u, w, now: contacts.register_complaint(
        b, u, w.loc2, now, name="A B", subject="s", description="d", channel="balie")),
    "contacts.acknowledge_complaint": ("clerk", lambda b, u, w, now: contacts.acknowledge_complaint(
        b, u, w.complaint2.id, now)),
    "contacts.extend_complaint": ("lead", lambda b, u, w, now: contacts.extend_complaint(
        b, u, w.complaint2.id, now, reason="drukte")),
    "contacts.close_complaint": ("lead", lambda b, u, w, now: contacts.close_complaint(
        b, u, w.complaint2.id, now, outcome="klaar")),
    "contacts.complaints": ("clerk", lambda b, u, w, now: contacts.complaints(b, u, w.loc2, now)),
    "setup.create_service": ("lead", lambda b, u, w, now: setup.create_service(b, u, w.loc2, "Z", "Zorg")),
    "setup.create_counter": ("lead", lambda b, u, w, now: setup.create_counter(b, u, w.loc2, "Balie 9")),
    "organisation.update_location": ("lead", lambda b, u, w, now: organisation.update_location(
        b, u, w.loc2, phone="0201234567")),
    "organisation.set_location_active": ("lead", lambda b, u, w, now: organisation.set_location_active(
        b, u, w.loc2, False)),
    "organisation.set_fair_share_weights": ("lead", lambda b, u, w, now: organisation.set_fair_share_weights(
        b, u, w.loc2, {w.svc2: 2.0})),
    "organisation.update_service": ("lead", lambda b, u, w, now: organisation.update_service(
        b, u, w.svc2, name="Anders")),
    "organisation.set_service_active": ("lead", lambda b, u, w, now: organisation.set_service_active(
        b, u, w.svc2, False)),
    "organisation.delete_service": ("lead", lambda b, u, w, now: organisation.delete_service(b, u, w.svc2)),
    "organisation.update_counter": ("lead", lambda b, u, w, now: organisation.update_counter(
        b, u, w.counter2, display_name="Balie X")),
    "organisation.set_counter_active": ("lead", lambda b, u, w, now: organisation.set_counter_active(
        b, u, w.counter2, False)),
    "organisation.delete_counter": ("lead", lambda b, u, w, now: organisation.delete_counter(b, u, w.counter2)),
    "queue.undoable_no_shows": ("clerk", lambda b, u, w, now: queue.undoable_no_shows(b, u, w.loc2, now)),
    "reports.norm_tiles": ("lead", lambda b, u, w, now: reports.norm_tiles(b, u, w.loc2, TODAY, TODAY, now)),
    "reports.wait_distribution": ("lead", lambda b, u, w, now: reports.wait_distribution(
        b, u, w.loc2, TODAY, TODAY, now)),
    "reports.daily_trend": ("lead", lambda b, u, w, now: reports.daily_trend(b, u, w.loc2, TODAY, TODAY, now)),
    "reports.week_heatmap": ("lead", lambda b, u, w, now: reports.week_heatmap(b, u, w.loc2, TODAY, TODAY, now)),
    "reports.live_today": ("lead", lambda b, u, w, now: reports.live_today(b, u, w.loc2, now)),
    "reports.visits_behind": ("lead", lambda b, u, w, now: reports.visits_behind(
        b, u, w.loc2, "walk_in_wait", TODAY, TODAY, now)),
    "reports.quarterly_report": ("lead", lambda b, u, w, now: reports.quarterly_report(b, u, w.loc2, "2026Q4", now)),
    "reports.norm_targets": ("lead", lambda b, u, w, now: reports.norm_targets(b, u, w.loc2, now)),
    "reports.set_norm_target": ("lead", lambda b, u, w, now: reports.set_norm_target(
        b, u, w.loc2, "walk_in_wait", 0.9, now)),
    "reports.clear_norm_target": ("lead", lambda b, u, w, now: reports.clear_norm_target(
        b, u, w.loc2, "walk_in_wait", now)),
    "reports.record_rating": ("kiosk", lambda b, u, w, now: reports.record_rating(
        b, u, w.loc2, None, 8, "", now)),
}

# Services that take a location-bound id but are scoped another way (with the reason).
SCOPED_ELSEWHERE = {
    # At a counter: only at the counter one signed in at, and signing in is scoped (queue.sign_in).
    "queue.call_ticket", "queue.undo_no_show",
    "queue.set_counter_services", "queue.heartbeat", "queue.sign_out", "queue.counter_session", "queue.call_next",
    "queue.recall", "queue.start_serving", "queue.finish", "queue.no_show", "queue.requeue", "queue.transfer",
    # Photos: through their melding (the photo's melding is checked).
    "meldingen.photo_data",
    # No location: the list of the user's own locations is filtered (possible_duplicates by scope).
    "meldingen.possible_duplicates",
    # Public, before anyone signs in (no personal data; see test_privacy_devices).
    "setup.list_services", "appointments.appointment_switch", "schedules.working_days",
    # Not a user action: the norms' visit facts are brought up to date before each scoped read.
    "reports.refresh_visit_facts",
    # The details every slip and screen of a location shows (no personal data, no user).
    "organisation.branding", "organisation.location_details",
    # Devices: enrolling is for the beheerder (every location; scoped all the same in the service);
    # redeeming is the device's own one-time code, before it has any user.
    "auth.enroll_device", "auth.redeem_enrolment",
    # Users and locations themselves (CONFIGURE; giving locations is scoped in set_user_locations).
    "setup.set_user_locations", "setup.user_locations", "setup.set_user_teams",
}

LOCATION_PARAMS = {"location_id", "service_id", "counter_id", "ticket_id", "appointment_id", "melding_id",
                   "note_id", "complaint_id", "photo_id", "code"}


def location_bound_services() -> set[str]:
    found = set()
    for info in pkgutil.iter_modules(services_pkg.__path__):
        if info.name in ("demo", "common", "privacy", "retention"):
            continue
        module = importlib.import_module(f"baliedesk.services.{info.name}")
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if name.startswith("_") or fn.__module__ != module.__name__:
                continue
            params = list(inspect.signature(fn).parameters)
            if params[:1] == ["backend"] and LOCATION_PARAMS & set(params):
                found.add(f"{info.name}.{name}")
    return found


def test_every_location_bound_service_is_in_the_table():
    missing = location_bound_services() - set(REFUSED) - SCOPED_ELSEWHERE
    assert not missing, f"add to REFUSED (or SCOPED_ELSEWHERE with a reason): {sorted(missing)}"


def _who(w, role: str) -> int:
    return {"clerk": w.clerk1, "lead": w.lead1, "kiosk": w.ids.users["kiosk-ingang"],
            "display": w.ids.users["scherm-hal"]}[role]


@pytest.mark.parametrize("service", sorted(REFUSED))
def test_the_other_location_is_refused(two, backend, now, service):
    role, call = REFUSED[service]
    with pytest.raises(NotYourLocation) as info:
        call(backend, _who(two, role), two, now)
    assert info.value.location_id == two.loc2
    assert isinstance(info.value, PermissionDenied)  # the UI's existing wording applies


def test_own_location_staff_may(two, backend, now):
    """The same calls work for location 2's own people (the refusal is about the location, not the call)."""
    m = meldingen.melding_detail(backend, two.clerk2, two.melding2.summary.id, now)
    assert m.reporter_name == "Els Smit"
    assert [c.id for c in contacts.open_callbacks(backend, two.clerk2, two.loc2, now)] == [two.callback2.id]
    schedules.set_exception(backend, two.lead2, two.loc2, TODAY)


def test_lists_span_only_ones_own_locations(two, backend, now, seeded):
    """Lists that are not per location (callbacks, complaints, the meldingen work list) leave out the others."""
    contacts.write_callback(backend, two.clerk1, two.loc1, now, caller_name="Jan", phone="0698765432",
                            question="?", for_team="T")
    mine = contacts.open_callbacks(backend, two.clerk1, two.loc1, now)
    assert two.callback2.id not in {c.id for c in mine} and len(mine) == 1
    assert two.complaint2.id not in {c.id for c in contacts.complaints(backend, two.clerk1, two.loc1, now)}
    assert two.melding2.summary.id not in {m.id for m in meldingen.work_list(backend, two.clerk1, two.loc1,
                                                                             now).rows}
    found = meldingen.work_list(backend, two.clerk1, two.loc1, now, search=two.melding2.summary.number)
    assert found.rows == ()
    # someone who works for both locations sees both in the one list
    setup.set_user_locations(backend, seeded.users["beheer"], two.clerk1, [two.loc1, two.loc2], now=now)
    assert two.melding2.summary.id in {m.id for m in meldingen.work_list(backend, two.clerk1, two.loc1, now).rows}


def test_giving_locations(two, backend, now, seeded):
    admin = seeded.users["beheer"]
    assert setup.user_locations(backend, admin, two.clerk1) == (two.loc1,)
    assert setup.user_locations(backend, admin, admin) is None  # all
    assert setup.set_user_locations(backend, admin, two.clerk1, [two.loc1, two.loc2], now=now) == (two.loc1,
                                                                                                   two.loc2)
    meldingen.melding_detail(backend, two.clerk1, two.melding2.summary.id, now)  # now allowed
    # a team lead of location 1 may not hand out location 2, nor "every location"
    with pytest.raises(NotYourLocation):
        setup.set_user_locations(backend, two.lead1, two.clerk1, [two.loc2], now=now)
    with pytest.raises(NotYourLocation):
        setup.set_user_locations(backend, two.lead1, two.clerk1, all_locations=True, now=now)
    # a new clerk made by the location-1 team lead works for location 1 only
    new = setup.create_user(backend, two.lead1, "nieuw", "Nieuw", "baliemedewerker").id
    assert setup.user_locations(backend, admin, new) == (two.loc1,)


def test_migration_gives_existing_users_their_locations(database_url):
    """An existing database: after 0007 a beheerder has all, everybody else every location that existed."""
    from sqlalchemy import text

    from baliedesk.storage.database import Database
    from baliedesk.storage.migrations_runner import upgrade

    db = Database(database_url)
    try:
        upgrade(db.engine, "0005")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO locations (id, name, timezone, ordering_mode, no_show_after_recalls, "
                              "counter_gone_after_s, active) VALUES (1, 'A', 'Europe/Amsterdam', 'longest_wait', "
                              "2, 120, true), (2, 'B', 'Europe/Amsterdam', 'longest_wait', 2, 120, true)"))
            conn.execute(text("INSERT INTO users (id, username, display_name, role, active) VALUES "
                              "(1, 'beheer', 'B', 'beheerder', true), (2, 'anne', 'A', 'baliemedewerker', true)"))
        upgrade(db.engine)
        with db.unit_of_work() as uow:
            assert uow.privacy.user_location_ids(1) == [None]
            assert sorted(uow.privacy.user_location_ids(2)) == [1, 2]
    finally:
        db.dispose()


def test_dutch_wording_for_the_new_errors():
    from baliedesk.domain.errors import LegalTermApplies
    from baliedesk.privacy_text import privacy_message

    assert privacy_message(NotYourLocation("baliemedewerker", "location", 2)) == (
        "Dit hoort bij een andere locatie. U werkt niet voor die locatie. Vraag het de beheerder.")
    assert privacy_message(LegalTermApplies("complaint", 3, "complaint_open")) == (
        "Deze gegevens kunnen nog niet weg: de klacht is nog niet afgehandeld.")
    assert privacy_message(ValueError()) is None


def test_meldingen_may_be_scoped_to_teams(two, backend, now, seeded):
    """Someone who works in given teams reads and handles only their meldingen; no teams: every team."""
    admin, clerk = seeded.users["beheer"], two.clerk1
    cats = {c.label: c for c in meldingen.list_categories(backend, clerk)}
    roads, trees = cats["Wegen > Losliggende tegel"], cats["Groen > Boom"]
    loc = two.loc1

    def take(cat):
        return meldingen.take_melding(backend, clerk, loc, now, category_id=cat.id, description="x",
                                      channel="balie", location_text="hier").melding.summary.id

    road, tree = take(roads), take(trees)
    assert {road, tree} <= {m.id for m in meldingen.work_list(backend, clerk, loc, now).rows}
    assert setup.set_user_teams(backend, admin, clerk, [roads.team], now=now) == (roads.team,)
    assert {m.id for m in meldingen.work_list(backend, clerk, loc, now).rows} == {road}
    meldingen.melding_detail(backend, clerk, road, now)
    from baliedesk.domain.errors import NotYourTeam

    with pytest.raises(NotYourTeam) as info:
        meldingen.melding_detail(backend, clerk, tree, now)
    assert info.value.team == trees.team
    with pytest.raises(NotYourTeam):
        meldingen.change_status(backend, clerk, tree, "in_behandeling", now)
    with pytest.raises(NotYourTeam):
        meldingen.work_list(backend, clerk, loc, now, team=trees.team)
    assert setup.set_user_teams(backend, admin, clerk, [], now=now) == ()
    meldingen.melding_detail(backend, clerk, tree, now)
