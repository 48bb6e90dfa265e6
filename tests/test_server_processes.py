"""Several server processes side by side on one PostgreSQL (behind a load balancer): no state in a
process beyond caches. A call made through one reaches a hall screen connected to the other."""

from __future__ import annotations

import secrets
import time

import pytest

from baliedesk.client.remote import RemoteClient
from baliedesk.services import demo
from tests.server_support import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def _connected(feed, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not feed.connected and time.monotonic() < deadline:
        feed.wait(0.1)
    return feed.connected


def _drain(feed) -> None:
    while feed.wait(0.5):
        pass


def test_a_call_through_one_server_reaches_a_hall_screen_on_the_other(pg_backend, now, tmp_path):
    ids = demo.seed(pg_backend, now, history=False)
    tokens = {role: secrets.token_urlsafe(24) for role in ("kiosk", "clerk", "hall")}
    table = {tokens["kiosk"]: (ids.users["kiosk-ingang"], "device"), tokens["clerk"]: (ids.users["anne"], "person"),
             tokens["hall"]: (ids.users["scherm-hal"], "device")}
    a = ServerProcess(pg_backend.url, table, tmp_path, now=now)
    b = ServerProcess(pg_backend.url, table, tmp_path, now=now)
    clients: list[RemoteClient] = []
    feed = None
    try:
        url_a, url_b = a.start(), b.start()
        assert url_a != url_b
        kiosk = RemoteClient(url_a, token=tokens["kiosk"], user_id=ids.users["kiosk-ingang"])
        clerk = RemoteClient(url_a, token=tokens["clerk"], user_id=ids.users["anne"])
        hall = RemoteClient(url_b, token=tokens["hall"], user_id=ids.users["scherm-hal"])
        clerk_b = RemoteClient(url_b, token=tokens["clerk"], user_id=ids.users["anne"])
        clients += [kiosk, clerk, hall, clerk_b]
        feed = hall.open_feed()
        assert _connected(feed)
        _drain(feed)

        issued = kiosk.queue.issue_ticket(ids.services["A"])  # through A
        assert feed.wait(10)  # ... wakes the feed of B
        assert issued.ticket.id in [w.ticket.id for w in clerk_b.queue.queue_snapshot(ids.location_id).waiting]
        _drain(feed)

        clerk.queue.sign_in(ids.counters["Balie 1"])
        _drain(feed)
        called = clerk.queue.call_next(ids.counters["Balie 1"])  # through A
        assert called.id == issued.ticket.id
        assert feed.wait(10)  # B pushes it to its hall screen
        calls = hall.hall.hall_calls(ids.location_id)  # the hall screen's read, through B
        assert [c.ticket_id for c in calls.recent_calls][:1] == [issued.ticket.id]
        assert calls.recent_calls[0].number == called.number
    finally:
        if feed is not None:
            feed.close()
        for client in clients:
            client.close()
        a.stop()
        b.stop()
