"""Hypothesis: every dashboard figure equals a brute-force replay of the ticket events (both backends).

The brute force here does not use domain.norms' replay or the facts table: it walks each ticket's
events itself, sorts the waits for the percentiles and counts in plain Python.
"""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.services import setup
from baliedesk.services import reports as R
from tests.norms_data import add_visit

AMS = ZoneInfo("Europe/Amsterdam")
START, END = dt.date(2026, 11, 2), dt.date(2026, 11, 15)
NOW = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)

visit = st.fixed_dictionaries({
    "day": st.integers(0, 13),
    "minute": st.integers(8 * 60, 20 * 60),  # also before opening and after the evening
    "service": st.sampled_from("AB"),
    "appointment_offset": st.one_of(st.none(), st.integers(-20 * 60, 20 * 60)),  # booked time - check-in (s)
    "waits": st.lists(st.integers(0, 3600), min_size=0, max_size=3),  # call after each waiting stretch
    "handling": st.integers(1, 4 * 3600),
    "end": st.sampled_from(["finished", "finished", "finished", "no_show", "cancelled"]),
})


def _brute(visits: list[dict], service_ids: dict[str, int], thresholds: dict[str, int]) -> dict:
    walk, appt, waits_by_service, handling_by_service = [], [], {}, {}
    heat: dict[tuple[int, int], list[int]] = {}
    for v in visits:
        arrive = v["arrive"]
        calls = v["calls"]
        local = arrive.astimezone(AMS)
        heat.setdefault((local.weekday(), local.hour), [])
        if not calls:
            continue
        first = math.floor((calls[0] - arrive).total_seconds())
        heat[(local.weekday(), local.hour)].append(first)
        sid = service_ids[v["service"]]
        waits_by_service.setdefault(sid, []).append(first)
        if v["slot"] is None:
            walk.append(first <= thresholds["walk_in"])
        else:
            start = max(arrive, v["slot"])
            appt.append(max(0, math.floor((calls[0] - start).total_seconds())) <= thresholds["appointment"])
        if v["state"] == "finished":
            handling_by_service.setdefault(sid, []).append(math.floor((v["finish"] - calls[-1]).total_seconds()))
    return {"walk": walk, "appt": appt, "waits": waits_by_service, "handling": handling_by_service, "heat": heat}


def _nearest_rank(values: list[int], p: int) -> int:
    s = sorted(values)
    return s[max(1, math.ceil(p / 100 * len(s))) - 1]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(visits=st.lists(visit, min_size=0, max_size=14))
def test_figures_equal_brute_force_replay(backend, seeded, visits):
    admin, lead = seeded.users["beheer"], seeded.users["fatima"]
    setup.set_user_locations(backend, admin, lead, all_locations=True)  # the test's new locations are hers too
    loc = setup.create_location(backend, admin, f"Proef {len(setup.list_locations(backend))}").id
    service_ids = {p: setup.create_service(backend, admin, loc, p, f"Dienst {p}").id for p in "AB"}
    written = []
    for v in visits:
        day = START + dt.timedelta(days=v["day"])
        arrive = dt.datetime.combine(day, dt.time(), AMS).astimezone(dt.UTC) + dt.timedelta(minutes=v["minute"])
        slot = None if v["appointment_offset"] is None else arrive + dt.timedelta(seconds=v["appointment_offset"])
        calls, t, requeues = [], arrive, []
        for i, w in enumerate(v["waits"]):
            if i:
                t += dt.timedelta(seconds=30)
                requeues.append(t)
            t += dt.timedelta(seconds=w, microseconds=250_000)
            calls.append(t)
        state = v["end"] if calls or v["end"] == "cancelled" else "cancelled"
        finish = calls[-1] + dt.timedelta(seconds=v["handling"]) if calls else arrive + dt.timedelta(minutes=1)
        add_visit(backend, loc, service_ids[v["service"]], arrive, calls=tuple(calls), finish=finish, state=state,
                  requeues=tuple(requeues), slot_start=slot)
        written.append({**v, "arrive": arrive, "slot": slot, "calls": calls, "state": state, "finish": finish})
    brute = _brute(written, service_ids, {"walk_in": 600, "appointment": 300})

    tiles = {t.norm: t for t in R.norm_tiles(backend, lead, loc, START, END, NOW).tiles}
    assert (tiles["walk_in_wait"].met, tiles["walk_in_wait"].count) == (sum(brute["walk"]), len(brute["walk"]))
    assert (tiles["appointment_wait"].met, tiles["appointment_wait"].count) == (sum(brute["appt"]),
                                                                                len(brute["appt"]))
    rows = {r.service_id: r for r in R.wait_distribution(backend, lead, loc, START, END, NOW) if r.day_part is None}
    for sid, waits in brute["waits"].items():
        r = rows[sid]
        assert (r.count, r.max_s) == (len(waits), max(waits))
        assert (r.p50_s, r.p80_s, r.p90_s) == tuple(_nearest_rank(waits, p) for p in (50, 80, 90))
        assert r.average_s == pytest.approx(sum(waits) / len(waits))
    for sid, hs in brute["handling"].items():
        median = _nearest_rank(hs, 50)
        kept = [h for h in hs if h <= 4 * median]
        assert rows[sid].handling_median_s == median
        assert rows[sid].outliers == len(hs) - len(kept)
        assert rows[sid].handling_average_s == pytest.approx(sum(kept) / len(kept))
    heat = {(c.weekday, c.hour): c for c in R.week_heatmap(backend, lead, loc, START, END, NOW)}
    assert sum(c.arrivals for c in heat.values()) == len(written)
    for key, waits in brute["heat"].items():
        assert heat[key].average_wait_s == (pytest.approx(sum(waits) / len(waits)) if waits else None)
    days = R.daily_trend(backend, lead, loc, START, END, NOW)
    assert sum(d.called for d in days) == len(brute["walk"]) + len(brute["appt"])
    assert sum(d.within_norm for d in days) == sum(brute["walk"]) + sum(brute["appt"])


def test_visit_facts_are_built_once_and_incrementally(backend, seeded):
    admin, lead = seeded.users["beheer"], seeded.users["fatima"]
    setup.set_user_locations(backend, admin, lead, all_locations=True)  # the test's new locations are hers too
    loc = setup.create_location(backend, admin, "Proef").id
    a = setup.create_service(backend, admin, loc, "A", "Dienst A").id
    arrive = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC)
    add_visit(backend, loc, a, arrive, calls=(arrive + dt.timedelta(minutes=3),),
              finish=arrive + dt.timedelta(minutes=9))
    assert R.refresh_visit_facts(backend, loc, NOW) == 1
    assert R.refresh_visit_facts(backend, loc, NOW) == 0
    today = NOW - dt.timedelta(minutes=40)  # a visit of today, finished after the facts were built
    add_visit(backend, loc, a, today, calls=(today + dt.timedelta(minutes=20),),
              finish=today + dt.timedelta(minutes=29))
    tiles = {t.norm: t for t in R.norm_tiles(backend, lead, loc, START, NOW.date(), NOW).tiles}
    assert (tiles["walk_in_wait"].met, tiles["walk_in_wait"].count) == (1, 2)
    assert R.refresh_visit_facts(backend, loc, NOW) == 0


def test_two_looks_at_once_build_the_facts_once(backend, seeded):
    import threading

    admin = seeded.users["beheer"]
    loc = setup.create_location(backend, admin, "Tegelijk").id
    a = setup.create_service(backend, admin, loc, "A", "Dienst A").id
    for i in range(40):
        arrive = dt.datetime(2026, 11, 3, 9, 0, tzinfo=dt.UTC) + dt.timedelta(minutes=i)
        add_visit(backend, loc, a, arrive, calls=(arrive + dt.timedelta(minutes=2),),
                  finish=arrive + dt.timedelta(minutes=9))
    barrier, results, errors = threading.Barrier(4), [], []

    def look() -> None:
        barrier.wait()
        try:
            results.append(R.refresh_visit_facts(backend, loc, NOW))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=look) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(results) == 40
