"""The server's short memory of resolved sessions (server/sessions.py): it answers from memory only while
nothing says the session stopped holding, and forgets on the change feed's word (both backends)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import httpx
import pytest

from baliedesk.domain.auth import SESSIONS_TOPIC
from baliedesk.domain.errors import SessionRevoked
from baliedesk.server.app import create_app
from baliedesk.server.run import ServerThread
from baliedesk.server.sessions import SessionCache
from baliedesk.services import auth, wire
from baliedesk.services.demo import DEMO_PASSWORD

NOW = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


class Resolver:
    """Counts how often the database would have been asked."""

    def __init__(self) -> None:
        self.asked = 0
        self.refuse = False

    def __call__(self, token: str, now: dt.datetime) -> tuple[str, dt.datetime]:
        self.asked += 1
        if self.refuse:
            raise SessionRevoked()
        return (token, NOW + dt.timedelta(hours=8))


class Monotonic:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def cache(ttl_s: float = 30.0, max_entries: int = 100):
    resolver, mono = Resolver(), Monotonic()
    return SessionCache(resolver, expires_at=lambda p: p[1], ttl_s=ttl_s, max_entries=max_entries,
                        monotonic=mono), resolver, mono


def test_a_token_is_asked_once_within_the_time_to_live():
    c, resolver, mono = cache()
    assert c("tok", NOW) == c("tok", NOW) == ("tok", NOW + dt.timedelta(hours=8))
    assert resolver.asked == 1 and (c.hits, c.misses) == (1, 1)
    mono.t += 29.9
    c("tok", NOW)
    assert resolver.asked == 1
    mono.t += 0.2  # past the time to live: asked again (which also moves the sliding expiry)
    c("tok", NOW)
    assert resolver.asked == 2


def test_never_past_the_sessions_own_end():
    c, resolver, _ = cache(ttl_s=10_000)
    c("tok", NOW)
    c("tok", NOW + dt.timedelta(hours=8) - dt.timedelta(seconds=1))
    assert resolver.asked == 1
    resolver.refuse = True
    with pytest.raises(SessionRevoked):
        c("tok", NOW + dt.timedelta(hours=8))


def test_a_refusal_is_never_kept():
    c, resolver, _ = cache()
    resolver.refuse = True
    for _ in range(3):
        with pytest.raises(SessionRevoked):
            c("tok", NOW)
    assert resolver.asked == 3 and len(c) == 0


@pytest.mark.parametrize(("topics", "forgets"), [
    ({SESSIONS_TOPIC}, True), ({"queue:1", SESSIONS_TOPIC}, True), (set(), True),  # not known: forget
    ({"queue:1"}, False), ({"meldingen", "contacts"}, False)])
def test_the_feeds_word_decides_what_is_forgotten(topics, forgets):
    c, resolver, _ = cache()
    c("tok", NOW)
    c.heard(topics)
    c("tok", NOW)
    assert resolver.asked == (2 if forgets else 1)


def test_a_clear_while_the_database_is_asked_keeps_nothing_stale():
    """A revocation heard while another thread resolves the same token: that answer is not kept."""
    started, go_on = threading.Event(), threading.Event()

    def slow(token, now):
        started.set()
        go_on.wait(5)
        return (token, NOW + dt.timedelta(hours=8))

    c = SessionCache(slow, expires_at=lambda p: p[1])
    t = threading.Thread(target=c, args=("tok", NOW))
    t.start()
    started.wait(5)
    c.clear()
    go_on.set()
    t.join(5)
    assert len(c) == 0


def test_the_oldest_are_dropped_beyond_the_limit_and_tokens_are_not_kept_in_clear():
    c, _, _ = cache(max_entries=3)
    for i in range(5):
        c(f"token-{i}", NOW)
    assert len(c) == 3
    assert not any("token-" in key for key in c._entries)  # keyed by the token's hash


@pytest.fixture
def real_server(backend, seeded, now):
    app = create_app(backend, clock=lambda: now, feed_poll_s=0.1)  # the real sign-in sessions
    thread = ServerThread(app)
    url = thread.start()
    yield url
    thread.stop()


def _signed_in(url: str, username: str) -> str:
    r = httpx.post(url + "/api/auth/sign-in", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text
    return wire.decode(r.json()["ok"]).token


def _status(url: str, token: str, location_id: int = 1) -> int:
    return httpx.post(url + "/api/queue/counters_at", headers={"Authorization": f"Bearer {token}"},
                      json={"location_id": location_id}).status_code


def test_a_revocation_elsewhere_is_refused_here_once_the_feed_has_it(real_server, backend, seeded, now):
    """The beheerder revokes anne's sessions on another workstation (here: straight on the database,
    as another server process would): this server refuses her token as soon as its feed hears it."""
    token = _signed_in(real_server, "anne")
    assert _status(real_server, token) == 200
    assert _status(real_server, token) == 200  # from memory now
    auth.revoke_sessions(backend, seeded.users["beheer"], seeded.users["anne"], now)
    deadline = time.monotonic() + 5
    while _status(real_server, token) != 401:
        assert time.monotonic() < deadline, "the revoked session was still accepted after 5 s"
        time.sleep(0.02)
    assert _status(real_server, token) == 401


def test_signing_out_here_is_refused_at_once(real_server, backend, seeded):
    token = _signed_in(real_server, "jeroen")
    assert _status(real_server, token) == 200
    r = httpx.post(real_server + "/api/auth/sign-out", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200
    assert _status(real_server, token) == 401  # no wait for the feed
