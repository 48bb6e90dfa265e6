"""Service norms, hand-computed (both backends): one week in Loppersum's hours (Thursday evening open).

Week of Monday 9 November 2026 (Thursday 12 November has the evening opening 17:00-19:30);
the clock stands at Thursday 19 November 09:30. Every expected figure is worked out in the comments.
"""

from __future__ import annotations

import datetime as dt

import pytest

from baliedesk.domain.errors import NotFound, PermissionDenied, ValidationError
from baliedesk.services import demo
from baliedesk.services import reports as R
from tests.norms_data import (
    add_appointment,
    add_callback,
    add_complaint,
    add_contact,
    add_melding,
    add_visit,
    category,
    local,
)

MON, THU, FRI = dt.date(2026, 11, 9), dt.date(2026, 11, 12), dt.date(2026, 11, 13)
SUN = dt.date(2026, 11, 15)


@pytest.fixture
def week(backend, now):
    ids = demo.seed(backend, now, history=False, hours=True)
    loc, a, b = ids.location_id, ids.services["A"], ids.services["B"]
    db = backend
    # Walk-ins, service A (norm: within 10 min = 600 s).
    add_visit(db, loc, a, local(THU, "10:00"), calls=(local(THU, "10:05"),), finish=local(THU, "10:15"))  # 300 s ok
    add_visit(db, loc, a, local(THU, "10:00"), calls=(local(THU, "10:10"),), finish=local(THU, "10:20"))  # 600 s ok
    add_visit(db, loc, a, local(THU, "10:00"), calls=(local(THU, "10:10", 1),),
              finish=local(THU, "10:20", 1))  # 601 s: late
    add_visit(db, loc, a, local(THU, "17:30"), calls=(local(THU, "17:50"),), finish=local(THU, "18:00"))  # evening, late
    add_visit(db, loc, a, local(THU, "11:00"), calls=(local(THU, "11:02"),), finish=local(THU, "14:02"))  # 3 h: outlier
    add_visit(db, loc, a, local(THU, "11:00"), calls=(local(THU, "11:20"),), state="no_show",
              finish=local(THU, "11:25"))  # called after 20 min: counts, late
    add_visit(db, loc, a, local(THU, "11:00"), state="cancelled", finish=local(THU, "11:05"))  # never called: left out
    # Appointments, service B (norm: within 5 min of the later of check-in and booked time).
    add_visit(db, loc, b, local(THU, "09:50"), calls=(local(THU, "10:04"),), finish=local(THU, "10:10"),
              slot_start=local(THU, "10:00"))  # from 10:00: 240 s ok
    add_visit(db, loc, b, local(THU, "10:03"), calls=(local(THU, "10:09"),), finish=local(THU, "10:15"),
              slot_start=local(THU, "10:00"))  # late check-in, from 10:03: 360 s late
    add_visit(db, loc, b, local(THU, "10:20"), calls=(local(THU, "10:25"),), finish=local(THU, "10:30"),
              slot_start=local(THU, "10:30"))  # called before its time: 0 s ok
    add_appointment(db, loc, b, local(THU, "11:00"), "no_show")
    add_appointment(db, loc, b, local(THU, "11:10"), "cancelled")  # left out
    add_appointment(db, loc, b, local(dt.date(2026, 11, 26), "11:10"), "booked")  # other period
    # The week before: one walk-in helped after a minute (100%).
    add_visit(db, loc, a, local(dt.date(2026, 11, 4), "10:00"), calls=(local(dt.date(2026, 11, 4), "10:01"),),
              finish=local(dt.date(2026, 11, 4), "10:11"))
    # Callback notes written this week.
    add_callback(db, loc, local(THU, "10:00"), dt.date(2026, 11, 16), local(dt.date(2026, 11, 16), "15:00"))  # ok
    add_callback(db, loc, local(THU, "10:00"), dt.date(2026, 11, 16), local(dt.date(2026, 11, 17), "09:00"))  # late
    add_callback(db, loc, local(FRI, "10:00"), dt.date(2026, 11, 17), None)  # open past due: late
    add_callback(db, loc, local(FRI, "10:00"), dt.date(2026, 11, 20), None)  # open, not yet due: left out
    add_callback(db, loc, local(THU, "10:00"), dt.date(2026, 11, 16), local(dt.date(2026, 11, 16), "23:30"))  # ok
    # Meldingen handled this week (term 5 working days).
    cat = category(db)
    add_melding(db, loc, cat, MON, dt.date(2026, 11, 16), local(THU, "11:00"))  # 3 working days, ok
    add_melding(db, loc, cat, dt.date(2026, 11, 2), MON, local(FRI, "11:00"))  # 9 working days, late
    add_melding(db, loc, cat, dt.date(2026, 11, 10), dt.date(2026, 11, 17), local(dt.date(2026, 11, 10), "15:00"))  # 0
    add_melding(db, loc, cat, dt.date(2026, 11, 2), MON, local(dt.date(2026, 11, 4), "11:00"))  # the week before
    add_melding(db, loc, cat, MON, dt.date(2026, 11, 16), local(THU, "12:00"), state="geannuleerd")  # left out
    # Complaints handled this week.
    add_complaint(db, loc, dt.date(2026, 10, 1), THU, local(THU, "16:00"))  # ok
    add_complaint(db, loc, dt.date(2026, 10, 1), THU, local(FRI, "09:00"))  # late
    add_complaint(db, loc, dt.date(2026, 10, 1), dt.date(2026, 12, 10), local(FRI, "09:00"), extended=True)  # ok
    # Contacts: 3 first-line, 1 passed on.
    for result in ("eerstelijn", "eerstelijn", "eerstelijn", "doorgezet"):
        add_contact(db, loc, local(THU, "09:15"), result)
    # Ratings at the counter: 9, 7 (daytime), 6 (daytime), 10 (evening).
    kiosk = ids.users["kiosk-ingang"]
    for rating, at in ((9, "10:30"), (7, "11:30"), (6, "14:00"), (10, "18:00")):
        R.record_rating(backend, kiosk, loc, a, rating, None, local(THU, at))
    return ids


def _tiles(backend, ids, now, **kw):
    out = R.norm_tiles(backend, ids.users["fatima"], ids.location_id, MON, SUN, now, **kw)
    return out, {t.norm: t for t in out.tiles}


def test_every_norm_hand_computed(backend, week, now):
    out, t = _tiles(backend, week, now)
    assert (t["walk_in_wait"].met, t["walk_in_wait"].count) == (3, 6)
    assert t["walk_in_wait"].realised == pytest.approx(50.0)
    assert t["walk_in_wait"].previous == pytest.approx(100.0)
    assert t["walk_in_wait"].trend == pytest.approx(-50.0)
    assert t["walk_in_wait"].verdict == "missed"
    assert (t["appointment_wait"].met, t["appointment_wait"].count) == (2, 3)
    assert (t["callback_term"].met, t["callback_term"].count) == (2, 4)
    assert (t["melding_term"].met, t["melding_term"].count) == (2, 3)
    assert t["melding_days"].realised == pytest.approx(4.0)
    assert t["melding_days"].previous == pytest.approx(2.0)  # 2 Nov -> 4 Nov
    assert (t["complaint_term"].met, t["complaint_term"].count) == (2, 3)
    assert (t["first_line"].met, t["first_line"].count) == (3, 4)
    assert (t["no_show"].met, t["no_show"].count) == (1, 4)
    assert t["no_show"].realised == pytest.approx(25.0)
    assert (t["rating_good"].met, t["rating_good"].count) == (3, 4)
    assert t["rating_good"].target == 90.0 and t["melding_term"].target == 90.0
    assert t["melding_days"].target == 8.2 and t["melding_days"].verdict == "met"
    assert (out.previous_start, out.previous_end) == (dt.date(2026, 11, 2), dt.date(2026, 11, 8))


def test_evening_and_daytime_split_on_thursday(backend, week, now):
    _, day = _tiles(backend, week, now, day_part="dag")
    _, evening = _tiles(backend, week, now, day_part="avond")
    assert (day["walk_in_wait"].met, day["walk_in_wait"].count) == (3, 5)
    assert (evening["walk_in_wait"].met, evening["walk_in_wait"].count) == (0, 1)
    assert (day["rating_good"].met, day["rating_good"].count) == (2, 3)
    assert (evening["rating_good"].met, evening["rating_good"].count) == (1, 1)
    heat = R.week_heatmap(backend, week.users["fatima"], week.location_id, MON, SUN, now)
    cells = {(c.weekday, c.hour): c for c in heat}
    assert cells[(3, 17)].arrivals == 1 and cells[(3, 17)].average_wait_s == 1200
    assert cells[(3, 10)].arrivals == 5  # three walk-ins at 10:00, appointments checked in at 10:03 and 10:20
    assert sum(c.arrivals for c in heat) == 10


def test_outlier_flagged_shown_and_left_out(backend, week, now):
    rows = R.wait_distribution(backend, week.users["fatima"], week.location_id, MON, SUN, now)
    a = next(r for r in rows if r.service_name.startswith("Paspoort") and r.day_part is None)
    # handling 600, 600, 600, 600, 10800: median 600, limit 4 x 600 = 2400, one outlier, average 600
    assert (a.handled, a.handling_median_s, a.outlier_limit_s, a.outliers) == (5, 600, 2400, 1)
    assert a.handling_average_s == pytest.approx(600.0)
    # waits 300, 600, 601, 1200, 120, 1200: p50 = 3rd of 6 sorted (120,300,600,601,1200,1200) = 600
    assert (a.count, a.p50_s, a.p80_s, a.p90_s, a.max_s) == (6, 600, 1200, 1200, 1200)
    assert a.average_s == pytest.approx((300 + 600 + 601 + 1200 + 120 + 1200) / 6)
    evening = next(r for r in rows if r.service_name.startswith("Paspoort") and r.day_part == "avond")
    assert (evening.count, evening.max_s) == (1, 1200)
    behind = R.visits_behind(backend, week.users["fatima"], week.location_id, R.OUTLIERS, MON, SUN, now)
    assert len(behind.rows) == 1 and behind.rows[0][8] == 180.0  # 3 hours, in minutes


def test_drill_down_rows_and_no_personal_data(backend, week, now):
    lead = week.users["fatima"]
    late = R.visits_behind(backend, lead, week.location_id, "walk_in_wait", MON, SUN, now, only_missed=True)
    assert len(late.rows) == 3 and all(r[-1] is False for r in late.rows)
    notes = R.visits_behind(backend, lead, week.location_id, "callback_term", MON, SUN, now)
    assert len(notes.rows) == 4
    flat = repr(notes.rows) + repr(late.rows)
    assert "0612345678" not in flat and "'X'" not in flat


def test_daily_trend(backend, week, now):
    days = R.daily_trend(backend, week.users["fatima"], week.location_id, MON, SUN, now)
    assert [d.day for d in days] == [THU]
    # 7 walk-ins (one never called) + 3 appointments; called 9; within: 3 walk-ins + 2 appointments
    assert (days[0].arrivals, days[0].called, days[0].within_norm) == (10, 9, 5)


def test_targets_per_location_and_service(backend, week, now):
    lead, loc, a = week.users["fatima"], week.location_id, week.services["A"]
    R.set_norm_target(backend, lead, loc, "walk_in_wait", 80, now, threshold=20)
    _, t = _tiles(backend, week, now)
    assert t["walk_in_wait"].threshold == 20 and t["walk_in_wait"].target == 80
    assert (t["walk_in_wait"].met, t["walk_in_wait"].count) == (6, 6)  # everything within 20 minutes
    R.set_norm_target(backend, lead, loc, "walk_in_wait", 95, now, service_id=a, threshold=5)
    _, t = _tiles(backend, week, now, service_id=a)
    assert (t["walk_in_wait"].met, t["walk_in_wait"].count) == (2, 6)  # 300 and 120 s
    info = {x.norm: x for x in R.norm_targets(backend, lead, loc, now, service_id=a)}
    assert info["walk_in_wait"].source == "service" and info["melding_days"].source == "default"
    assert R.clear_norm_target(backend, lead, loc, "walk_in_wait", now, service_id=a)
    with pytest.raises(PermissionDenied):
        R.set_norm_target(backend, week.users["anne"], loc, "walk_in_wait", 90, now)
    with pytest.raises(ValidationError):
        R.set_norm_target(backend, lead, loc, "walk_in_wait", 101, now)
    with pytest.raises(ValidationError):
        R.set_norm_target(backend, lead, loc, "melding_term", 90, now, service_id=a)


def test_permissions_and_bad_input(backend, week, now):
    loc = week.location_id
    with pytest.raises(PermissionDenied):
        R.norm_tiles(backend, week.users["anne"], loc, MON, SUN, now)
    assert R.norm_tiles(backend, week.users["beheer"], loc, MON, SUN, now).tiles
    with pytest.raises(ValidationError):
        R.norm_tiles(backend, week.users["fatima"], loc, SUN, MON, now)
    with pytest.raises(ValidationError):
        R.norm_tiles(backend, week.users["fatima"], loc, MON, SUN, now, day_part="nacht")
    with pytest.raises(NotFound):
        R.norm_tiles(backend, week.users["fatima"], loc, MON, SUN, now, service_id=99999)


def test_rating_is_anonymous_and_checked(backend, week, now):
    kiosk, loc, a = week.users["kiosk-ingang"], week.location_id, week.services["A"]
    r = R.record_rating(backend, kiosk, loc, a, 8, "Bel me: 06-12345678 of jan@example.nl\nsneller!",
                        local(THU, "18:10", 17))
    assert r.day_part == "avond" and r.hour == 18
    assert "12345678" not in (r.comment or "") and "example" not in (r.comment or "") and "\n" not in r.comment
    for bad in (0, 11, True, 7.5, "8"):
        with pytest.raises(ValidationError):
            R.record_rating(backend, kiosk, loc, a, bad, None, now)
    with pytest.raises(PermissionDenied):
        R.record_rating(backend, week.users["scherm-hal"], loc, a, 8, None, now)
    assert len(R.record_rating(backend, kiosk, loc, None, 5, "x" * 500, now).comment) == 200
    rows = R.visits_behind(backend, week.users["fatima"], loc, "rating_good", THU, THU, now)
    assert ("Dag", "Uur", "Dagdeel", "Dienst", "Cijfer", "Wat kan beter?") == rows.columns


def test_live_today(backend, now):
    from baliedesk.services import queue

    ids = demo.seed(backend, now, history=False)
    lead, loc = ids.users["fatima"], ids.location_id
    queue.issue_ticket(backend, ids.users["kiosk-ingang"], ids.services["A"], now - dt.timedelta(minutes=7))
    queue.issue_ticket(backend, ids.users["kiosk-ingang"], ids.services["A"], now - dt.timedelta(minutes=2))
    queue.sign_in(backend, ids.users["anne"], ids.counters["Balie 1"], now)
    called = queue.call_next(backend, ids.users["anne"], ids.counters["Balie 1"], now)
    live = R.live_today(backend, lead, loc, now + dt.timedelta(seconds=30))
    assert live.waiting == 1 and live.longest_wait_s == pytest.approx(150.0)
    assert live.counters_open == 1
    assert live.counters[0].user_name == "Anne de Vries" and live.counters[0].serving == called.number


def test_facts_built_in_batches_of_their_own_transactions(backend, week, now, monkeypatch):
    """The first look at a large year builds the facts in batches, each its own transaction (the
    database layer cuts a unit of work after its deadline): batches of 2 split Thursday over
    several transactions, and every figure stays the hand-computed one."""
    monkeypatch.setattr(R, "_BATCH", 2)
    commits = []
    real = backend.unit_of_work

    def counting(*args, **kwargs):
        if kwargs.get("write"):
            commits.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(backend, "unit_of_work", counting)
    assert R.refresh_visit_facts(backend, week.location_id, now) == 11  # every final visit (one cancelled)
    assert len(commits) >= 6  # 11 visits, 2 a batch
    assert R.refresh_visit_facts(backend, week.location_id, now) == 0
    test_every_norm_hand_computed(backend, week, now)
    test_evening_and_daytime_split_on_thursday(backend, week, now)
    daily = {p.day: p for p in R.daily_trend(backend, week.users["fatima"], week.location_id, MON, SUN, now)}
    assert (daily[THU].arrivals, daily[THU].called, daily[THU].within_norm) == (10, 9, 5)


def test_several_periods_at_once_equal_one_by_one(backend, week, now):
    """``*_periods`` (PostgreSQL: one query per table for all the periods, grouped by period) give the same
    counts as the single-period queries: the week, the week before, and one with a gap."""
    R.refresh_visit_facts(backend, week.location_id, now)
    loc, w = week.location_id, dt.timedelta(days=7)
    periods = [(MON, SUN), (MON - w, SUN - w), (MON - 3 * w, SUN - 2 * w - dt.timedelta(days=3))]
    spans = [R._bounds(a, b, "Europe/Amsterdam") for a, b in periods]
    thresholds = {"walk_in": 10, "appointment": 5}
    tz = "Europe/Amsterdam"
    with backend.unit_of_work() as uow:
        r = uow.reports
        assert r.wait_counts_periods(loc, periods, None, None, thresholds) == \
            [r.wait_counts(loc, a, b, None, None, thresholds) for a, b in periods]
        assert r.appointment_counts_periods(loc, periods, None) == [r.appointment_counts(loc, a, b, None)
                                                                    for a, b in periods]
        assert r.rating_counts_periods(loc, periods, None, "dag", 7) == \
            [r.rating_counts(loc, a, b, None, "dag", 7) for a, b in periods]
        assert r.contact_counts_periods(loc, spans, None) == [r.contact_counts(loc, a, b, None) for a, b in spans]
        for many, one in ((r.callback_groups_periods, r.callback_groups), (r.melding_groups_periods, r.melding_groups),
                          (r.complaint_groups_periods, r.complaint_groups)):
            assert [sorted(g) for g in many(loc, spans, tz)] == [sorted(one(loc, a, b, tz)) for a, b in spans]
        assert r.wait_counts_periods(loc, periods, None, None, thresholds)[0]["walk_in"] == (3, 6)
