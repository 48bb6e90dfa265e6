"""Daily retention (issue 12): the housekeeping round runs retention once per local day as the first
beheerder, on record in the audit log; the server starts it; a PC runs it once at start-up."""

from __future__ import annotations

import datetime as dt

import pytest

from baliedesk.server.housekeeping import Housekeeping, first_admin, housekeep, start_daily_retention
from baliedesk.services import auth, contacts, setup


def wait_for(condition, timeout_s: float = 30.0) -> None:
    """Poll until ``condition`` holds (the server's thread does its first round at start)."""
    import time

    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met")
        time.sleep(0.05)


def retention_runs(backend) -> list:
    from types import SimpleNamespace

    with backend.unit_of_work() as uow:
        return [SimpleNamespace(at=e.at, user_id=e.user_id, detail=e.detail)
                for e in uow.privacy.audit_entries(record_type="retention", limit=1000) if e.action == "retention"]


@pytest.fixture
def due(backend, seeded, now):
    """A callback note made and called back a year before ``now``: its caller's data is due (6 months)."""
    year_ago = now - dt.timedelta(days=365)
    note = contacts.write_callback(backend, seeded.users["anne"], seeded.location_id, year_ago,
                                   caller_name="Piet Paal", phone="0612345678", question="Vraag", for_team="KCC")[0]
    contacts.mark_called_back(backend, seeded.users["anne"], note.id, year_ago + dt.timedelta(hours=1),
                              reached=True, outcome="Uitgelegd")
    return note.id


def test_the_round_runs_retention_once_per_local_day_as_the_first_beheerder(backend, seeded, now, due):
    admin = first_admin(backend)
    assert admin == seeded.users["beheer"]
    first = housekeep(backend, now)
    assert first.acting == admin and first.retention is not None and first.retention.count("callback") == 1
    assert first.purged == 0
    runs = retention_runs(backend)
    assert len(runs) == 1 and runs[0].user_id == admin and runs[0].at == now
    assert runs[0].detail["counts"]["callback"] == 1 and runs[0].detail["dry_run"] is False
    # later the same Amsterdam day: nothing again
    evening = now.replace(hour=22, minute=30)  # 23:30 in Amsterdam, still 19 November
    assert housekeep(backend, evening).retention is None
    assert len(retention_runs(backend)) == 1
    # after local midnight (23:00 UTC = 00:00 CET): the next day's run
    next_day = now.replace(hour=23, minute=0)
    again = housekeep(backend, next_day)
    assert again.retention is not None and again.retention.total == 0
    assert [r.at for r in retention_runs(backend)] == [now, next_day]


def test_the_round_purges_ended_sign_in_records(backend, seeded, now):
    then = now - dt.timedelta(days=60)
    anne = seeded.users["anne"]
    auth.install_passwords(backend, [anne], "Lange-zin-voor-anne-42", then)
    old = auth.sign_in(backend, "anne", "Lange-zin-voor-anne-42", then)
    auth.sign_out(backend, old.token, then + dt.timedelta(hours=1))
    fresh = auth.sign_in(backend, "anne", "Lange-zin-voor-anne-42", now)
    done = housekeep(backend, now)
    assert done.purged == 1
    assert auth.resolve_session(backend, fresh.token, now).user_id == anne  # a live session stays


def test_the_first_active_beheerder_acts(backend, seeded, now):
    admin = seeded.users["beheer"]
    other = setup.create_user(backend, admin, "tweede", "Tweede Beheerder", "beheerder").id
    assert first_admin(backend) == admin
    auth.deactivate_user(backend, other, admin, now)
    assert first_admin(backend) == other
    assert housekeep(backend, now, purge=False).acting == other
    assert [r.user_id for r in retention_runs(backend)] == [other]


def test_a_failing_round_is_logged_and_counted_never_raised(backend, seeded, now):
    def broken_clock() -> dt.datetime:
        raise RuntimeError("clock away")

    keeper = Housekeeping(backend, broken_clock)
    assert keeper.round() is None and keeper.failures == 1
    keeper.clock = lambda: now
    assert keeper.round() is not None and keeper.failures == 1 and len(keeper.rounds) == 1


def test_a_pc_runs_it_once_at_start_up_on_a_thread(backend, seeded, now, due):
    thread = start_daily_retention(backend, lambda: now)
    thread.join(30)
    assert not thread.is_alive()
    assert len(retention_runs(backend)) == 1
    start_daily_retention(backend, lambda: now + dt.timedelta(hours=1)).join(30)
    assert len(retention_runs(backend)) == 1  # already ran today


def test_the_server_starts_it(backend, seeded, now, due):
    from tests.server_support import TestServer

    server = TestServer(backend, clock=lambda: now).start()
    try:
        keeper = server.app.state.housekeeping
        wait_for(lambda: bool(keeper.rounds))
        assert keeper.rounds[0].retention is not None and keeper.rounds[0].retention.count("callback") == 1
        assert len(retention_runs(backend)) == 1
    finally:
        server.stop()
    assert not keeper._thread.is_alive()
