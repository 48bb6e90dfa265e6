"""The BalieDesk server: every operation of the catalogue over HTTP, the person from the
token and the time from the server's clock, typed errors back as themselves (both backends)."""

from __future__ import annotations

import datetime as dt
import json
import time

import httpx
import pytest

from baliedesk.domain.errors import NotSignedInHere, PermissionDenied, ValidationError
from baliedesk.services import catalogue, meldingen
from tests.server_support import TestServer

PUBLIC = {"/api/health", "/api/openapi.json", "/volg/{code}", "/api/auth/sign-in", "/api/auth/device",
          "/api/setup/list_locations", "/api/setupfile/first_run"}
#: Routes that act on the caller's own session (besides one per catalogue operation).
OWN_SESSION = {"/api/auth/change-password", "/api/auth/sign-out", "/api/auth/me"}


@pytest.fixture
def server(backend, now):
    s = TestServer(backend, clock=lambda: now).start()
    yield s
    s.stop()


def test_a_visit_through_the_server(server, seeded, now):
    kiosk = server.client(seeded.users["kiosk-ingang"])
    clerk = server.client(seeded.users["anne"])
    issued = kiosk.queue.issue_ticket(seeded.services["A"])
    assert issued.ticket.issued_at == now  # the server's clock
    session = clerk.queue.sign_in(seeded.counters["Balie 1"])
    assert session.user.id == seeded.users["anne"]
    called = clerk.queue.call_next(seeded.counters["Balie 1"])
    assert called.id == issued.ticket.id and called.state == "called"
    snap = clerk.queue.queue_snapshot(seeded.location_id)
    assert [t.id for t in snap.held] == [issued.ticket.id]


def test_the_servers_clock_counts_not_the_workstations(server, seeded, now):
    """A kiosk whose own clock is a day ahead still issues today's ticket (the server's time)."""
    kiosk = server.client(seeded.users["kiosk-ingang"])
    issued = kiosk.queue.issue_ticket(seeded.services["A"])
    assert issued.ticket.issued_at == now
    # the client follows the server's clock for what it shows
    assert abs((kiosk.now() - now).total_seconds()) < 5


def test_typed_errors_come_back_as_themselves(server, seeded):
    kiosk = server.client(seeded.users["kiosk-ingang"])
    with pytest.raises(PermissionDenied) as err:  # a device token for a person's action
        kiosk.queue.call_next(seeded.counters["Balie 1"])
    assert err.value.role == "kiosk"
    clerk = server.client(seeded.users["anne"])
    with pytest.raises(ValidationError):
        clerk.contacts.register_contact(seeded.location_id, channel="postduif", subject="x")


def test_every_route_refuses_a_request_without_a_valid_token(server, seeded):
    """The route walk: no route can be forgotten (openapi.json lists them all)."""
    spec = httpx.get(server.url + "/api/openapi.json").json()
    paths = set(spec["paths"])
    expected = {f"/api/{op.module}/{op.function}" for op in catalogue.operations().values()
                if op.needs_backend and not op.public}
    expected |= OWN_SESSION
    assert expected <= paths and paths - expected == PUBLIC - {"/api/openapi.json"}
    kiosk_token = server.tokens.issue(seeded.users["kiosk-ingang"], "device")
    revoked = server.tokens.issue(seeded.users["anne"])
    server.tokens.revoke(revoked)
    walked = 0
    with httpx.Client(base_url=server.url) as http:
        for path, methods in spec["paths"].items():
            if path in PUBLIC:
                continue
            for method in methods:
                for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": f"Bearer {revoked}"},
                                {"Authorization": "Basic YWRtaW46YWRtaW4="}):
                    r = http.request(method, path, headers=headers, json={})
                    assert r.status_code == 401, (path, headers, r.status_code)
                    assert "Traceback" not in r.text
                walked += 1
    assert walked == len(expected)
    # with a kiosk's device token, a person's actions are refused by role
    r = httpx.post(server.url + "/api/queue/call_next", headers={"Authorization": f"Bearer {kiosk_token}"},
                   json={"counter_id": seeded.counters["Balie 1"]})
    assert r.status_code == 403


def test_a_request_never_carries_a_person_or_a_time(server, seeded, now):
    token = server.tokens.issue(seeded.users["kiosk-ingang"])
    auth = {"Authorization": f"Bearer {token}"}
    for extra in ({"user_id": seeded.users["beheer"]}, {"now": {"$dt": "2030-01-01T00:00:00+00:00"}}):
        r = httpx.post(server.url + "/api/queue/issue_ticket", headers=auth,
                       json={"service_id": seeded.services["A"], **extra})
        assert r.status_code == 422, r.text


def test_bad_bodies_get_4xx_without_a_traceback(server, seeded):
    auth = {"Authorization": f"Bearer {server.tokens.issue(seeded.users['anne'])}",
            "Content-Type": "application/json"}
    url = server.url + "/api/queue/counters_at"
    cases = [b"{not json", b"[1, 2]", b'"text"', json.dumps({"location_id": {"$t": "os.system", "f": {}}}).encode(),
             b"[" * 100_000]
    for body in cases:
        r = httpx.post(url, headers=auth, content=body)
        assert 400 <= r.status_code < 500, (body[:40], r.status_code)
        assert "Traceback" not in r.text and "File \"" not in r.text
    r = httpx.post(url, headers=auth, content=b"x" * (13 * 1024 * 1024))
    assert r.status_code == 413


def test_nobody_signed_in_is_told_so(server, seeded):
    door = server.client(None)
    with pytest.raises(NotSignedInHere):
        door.setup.list_services(seeded.location_id)
    # only the public operations answer without a token: the locations' names, and the
    # first-run assistant's save, which the service refuses on a database that is set up
    assert [loc.id for loc in door.setup.list_locations()] == [seeded.location_id]
    from baliedesk.domain.errors import ValidationError as Invalid

    with pytest.raises(Invalid) as err:
        door.setupfile.first_run("", admin_username="x", admin_password="een lange zin als wachtwoord")
    assert (err.value.field, err.value.code) == ("database", "already_set_up")


def test_tracking_page_shows_status_and_no_personal_data(server, backend, seeded, now):
    categories = meldingen.list_categories(backend, seeded.users["anne"])
    lamp = next(c for c in categories if c.sub.lower().startswith("lamp"))
    result = meldingen.take_melding(
        backend, seeded.users["anne"], seeded.location_id, now, category_id=lamp.id,
        description="Lamp bij Jansen kapot, bel 0612345678", channel="balie", street="Stationsweg",
        house_number=12, postcode="9919 AA", reporter_name="Jan Jansen", reporter_phone="0612345678",
        reporter_email="jan@example.nl", wants_feedback=True)
    code = result.slip.tracking_code
    page = httpx.get(f"{server.url}/volg/{code}")
    assert page.status_code == 200
    text = page.text
    assert result.slip.number in text and "Verlichting" in text and "ontvangen" in text
    for private in ("Jansen", "0612345678", "jan@example.nl", "Stationsweg", "9919"):
        assert private not in text
    assert httpx.get(f"{server.url}/volg/AAAA-AAAA").status_code == 404
    assert httpx.get(f"{server.url}/volg/<script>").status_code == 404


def test_changes_reach_a_feed_connected_to_the_server(server, seeded):
    kiosk = server.client(seeded.users["kiosk-ingang"])
    feed = kiosk.open_feed()
    try:
        deadline = time.monotonic() + 10
        while not feed.connected and time.monotonic() < deadline:
            feed.wait(0.1)
        assert feed.connected
        while feed.wait(0.3):  # the greeting and anything before it
            pass
        kiosk.queue.issue_ticket(seeded.services["A"])
        assert feed.wait(10)
    finally:
        feed.close()


def test_a_feed_knows_its_connection_as_soon_as_it_is_opened(server, seeded):
    """open_feed() returns after the first connection attempt: a window never reads "not connected"
    before the first "connected" (which it would take for a reconnection)."""
    kiosk = server.client(seeded.users["kiosk-ingang"])
    first = kiosk.open_feed()
    try:
        deadline = time.monotonic() + 10
        while not first.connected and time.monotonic() < deadline:  # the server's own feed is up
            first.wait(0.1)
        assert first.connected
        second = kiosk.open_feed()
        try:
            assert second.connected
        finally:
            second.close()
    finally:
        first.close()


def test_str_enums_cross_the_wire_as_themselves():
    """A ``str`` enum (ContactResult) inside a DTO must come back as the enum, not as bare text:
    the services call ``.value`` on it (the counter's finish with a visit contact)."""
    from baliedesk.domain.meldingen import ContactResult
    from baliedesk.services import contacts, wire

    sent = contacts.visit_contact(result="doorgezet", passed_to="Team Wonen")
    data = json.loads(json.dumps(wire.encode(sent)))
    back = wire.decode(data)
    assert back == sent and type(back.result) is ContactResult
    assert type(wire.decode(json.loads(json.dumps(wire.encode(ContactResult.FIRST_LINE))))) is ContactResult


def test_finish_with_a_visit_contact_through_the_server(server, seeded):
    from baliedesk.domain.tickets import Outcome

    kiosk = server.client(seeded.users["kiosk-ingang"])
    clerk = server.client(seeded.users["anne"])
    ticket = kiosk.queue.issue_ticket(seeded.services["A"]).ticket
    clerk.queue.sign_in(seeded.counters["Balie 1"])
    clerk.queue.call_next(seeded.counters["Balie 1"])
    contact = clerk.contacts.visit_contact(result="eerstelijn")
    done = clerk.queue.finish(seeded.counters["Balie 1"], ticket.id, Outcome.HELPED, "klaar", contact=contact)
    assert done.state == "finished"


def test_sign_in_through_the_server_and_out_again(server, backend, seeded):
    from baliedesk.domain.errors import SessionRevoked, SignInFailed
    from baliedesk.services.demo import DEMO_PASSWORD

    door = server.client(None)
    with pytest.raises(SignInFailed):
        door.sign_in("anne", "wrong password here")
    signed = door.sign_in("anne", DEMO_PASSWORD)
    anne = signed.client
    assert signed.result.user.username == "anne" and anne.user_id == seeded.users["anne"]
    assert anne.whoami().user_id == seeded.users["anne"]
    assert anne.queue.sign_in(seeded.counters["Balie 1"]).user.id == seeded.users["anne"]
    token = anne.token
    anne.sign_out()
    r = httpx.post(server.url + "/api/queue/counters_at", headers={"Authorization": f"Bearer {token}"},
                   json={"location_id": seeded.location_id})
    assert r.status_code == 401
    with pytest.raises(SessionRevoked):
        door.with_token(token, seeded.users["anne"]).whoami()


def test_a_temporary_password_must_be_changed_first(server, backend, seeded, now):
    from baliedesk.domain.errors import PasswordChangeRequired
    from baliedesk.services import auth

    new = auth.add_user(backend, seeded.users["beheer"], "piet", "Piet Paal", "baliemedewerker", now)
    door = server.client(None)
    signed = door.sign_in("piet", new.temporary_password)
    assert signed.must_change_password
    with pytest.raises(PasswordChangeRequired):
        signed.client.setup.list_locations()
    # the server refuses it too, whatever the workstation does
    r = httpx.post(server.url + "/api/setup/sign_in_choices", headers={"Authorization": f"Bearer {signed.client.token}"},
                   json={})
    assert r.status_code == 401
    piet = signed.client.change_password(new.temporary_password, "een lange zin als wachtwoord")
    assert not piet.must_change_password
    assert [loc.id for loc in piet.setup.list_locations()] == [seeded.location_id]


def test_a_local_time_keeps_its_time_zone_across_the_wire():
    """A service may return a moment in the location's zone (the kiosk's "open again at 9.00"):
    the window reads its hour, so it must come back in that zone, not in UTC."""
    from zoneinfo import ZoneInfo

    from baliedesk.services import wire

    ams = ZoneInfo("Europe/Amsterdam")
    for moment in (dt.datetime(2026, 11, 20, 9, 0, tzinfo=ams), dt.datetime(2026, 7, 1, 23, 30, tzinfo=ams),
                   dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC),
                   dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30)))):
        back = wire.decode(json.loads(json.dumps(wire.encode(moment))))
        assert back == moment and back.hour == moment.hour and back.utcoffset() == moment.utcoffset()
        assert back.tzinfo == moment.tzinfo or str(back.tzinfo) == str(moment.tzinfo)
    # after a day's arithmetic across the change to winter time, the zone still counts
    spring = wire.decode(wire.encode(dt.datetime(2026, 10, 24, 9, 0, tzinfo=ams)))
    assert (spring + dt.timedelta(days=1)).utcoffset() == dt.timedelta(hours=1)
    for hostile in ("../../etc/passwd", "/etc/localtime", "Nowhere/Atlantis", 5, ""):
        with pytest.raises(wire.WireError):
            wire.decode({"$dt": "2026-11-20T09:00:00+01:00", "tz": hostile})


def test_every_answer_carries_the_servers_time_once_and_no_store(server, seeded, now):
    """Operation calls are answered before FastAPI's stack; they stamp the time themselves, the other
    routes get it from the middleware, and nothing gets it twice."""
    token = server.tokens.issue(seeded.users["anne"])
    auth = {"Authorization": f"Bearer {token}"}
    answers = [
        httpx.post(server.url + "/api/queue/counters_at", headers=auth, json={"location_id": seeded.location_id}),
        httpx.post(server.url + "/api/queue/counters_at", json={"location_id": seeded.location_id}),  # 401
        httpx.post(server.url + "/api/queue/counters_at", headers=auth, content=b"{nonsense"),  # 400
        httpx.get(server.url + "/api/queue/counters_at", headers=auth),  # 405, from FastAPI
        httpx.post(server.url + "/api/queue/no_such_thing", headers=auth, json={}),  # 404, from FastAPI
        httpx.get(server.url + "/api/health"),
    ]
    assert [r.status_code for r in answers] == [200, 401, 400, 405, 404, 200]
    for r in answers:
        assert r.headers.get_list("X-BalieDesk-Time") == [now.isoformat()], r.request.url
        assert r.headers.get_list("Cache-Control") == ["no-store"]
        assert "Traceback" not in r.text


# -- how many operations run at once ------------------------------------------------------------------
class _Gate:
    """Stands in for chosen operations in the server (Operation.call): counts how many run at once,
    and holds the "heavy" one until told."""

    def __init__(self, monkeypatch, held: str) -> None:
        import threading

        self.lock = threading.Lock()
        self.running = {"counter": 0, "heavy": 0}
        self.most = {"counter": 0, "heavy": 0}
        self.release = threading.Event()
        self.held = held
        real = catalogue.Operation.call
        gate = self

        def call(op, backend, user_id, now, arguments):
            from baliedesk.server.app import lane_of

            lane = lane_of(op)
            with gate.lock:
                gate.running[lane] += 1
                gate.most[lane] = max(gate.most[lane], gate.running[lane])
            try:
                if op.name == gate.held:
                    gate.release.wait(20)
                    return None
                time.sleep(0.15)  # long enough for the others to pile up
                return real(op, backend, user_id, now, arguments)
            finally:
                with gate.lock:
                    gate.running[lane] -= 1

        monkeypatch.setattr(catalogue.Operation, "call", call)


def test_at_most_call_threads_operations_run_at_once(backend, seeded, now, monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    gate = _Gate(monkeypatch, held="")
    server = TestServer(backend, clock=lambda: now, call_threads=2).start()
    try:
        clients = [server.client(seeded.users["anne"]) for _ in range(6)]
        with ThreadPoolExecutor(6) as pool:
            answers = list(pool.map(lambda c: c.queue.counters_at(seeded.location_id), clients))
    finally:
        server.stop()
    assert all(len(a) == 3 for a in answers)  # every call answered, none refused
    assert gate.most["counter"] == 2  # they overlapped, two at a time


def test_a_long_report_never_keeps_a_counter_waiting(backend, seeded, now, monkeypatch):
    """Reports and exports take turns in a lane of their own: with one thread per lane, a report that
    runs long holds the next report back, not the counter's "volgende"."""
    import threading

    from baliedesk.services import queue

    gate = _Gate(monkeypatch, held="reports.norm_tiles")
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    server = TestServer(backend, clock=lambda: now, call_threads=1).start()
    try:
        lead, clerk = server.client(seeded.users["jeroen"]), server.client(seeded.users["anne"])
        day = now.date()
        reports = [threading.Thread(target=lambda: lead.reports.norm_tiles(seeded.location_id, day, day), daemon=True)
                   for _ in range(2)]
        for t in reports:
            t.start()
        deadline = time.monotonic() + 10
        while gate.running["heavy"] < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        clerk.queue.sign_in(seeded.counters["Balie 1"])
        called = clerk.queue.call_next(seeded.counters["Balie 1"])  # while the report runs
        assert called is not None and gate.running["heavy"] == 1  # the second report waits its turn
        gate.release.set()
        for t in reports:
            t.join(20)
    finally:
        gate.release.set()
        server.stop()
    assert gate.most["heavy"] == 1 and gate.most["counter"] == 1


def test_call_threads_must_be_at_least_one(backend):
    from baliedesk.server.app import create_app

    with pytest.raises(ValueError):
        create_app(backend, call_threads=0)
