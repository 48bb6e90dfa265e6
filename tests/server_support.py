"""A BalieDesk server on a loopback port for tests, with tokens handed out by the test.

Until a test signs in through the sign-in method, ``TokenTable`` stands in for
the sessions: ``table.issue(user_id)`` gives a token the server resolves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from baliedesk.client.remote import RemoteClient
from baliedesk.server.app import Principal, SessionInvalid, create_app
from baliedesk.server.run import ServerThread


class TokenTable:
    def __init__(self) -> None:
        self.tokens: dict[str, Principal] = {}

    def issue(self, user_id: int, kind: str = "person") -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = Principal(user_id, kind)
        return token

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    def __call__(self, token: str, now: dt.datetime) -> Principal:
        principal = self.tokens.get(token)
        if principal is None:
            raise SessionInvalid("unknown")
        return principal


class TestServer:
    """``start()`` serves ``backend``; ``client(user_id)`` is a RemoteClient signed in as that user."""

    __test__ = False  # not a test class

    def __init__(self, backend, clock: Callable[[], dt.datetime] | None = None, *, certfile: str | None = None,
                 keyfile: str | None = None, ca_file: str | None = None) -> None:
        self.tokens = TokenTable()
        self.app = create_app(backend, resolver=self.tokens, clock=clock, feed_poll_s=0.2)
        self.thread = ServerThread(self.app, certfile=certfile, keyfile=keyfile)
        self.ca_file = ca_file  # what the clients it makes verify its certificate with
        self.url = ""
        self.clients: list[RemoteClient] = []

    def start(self) -> TestServer:
        self.url = self.thread.start()
        return self

    def client(self, user_id: int | None = None) -> RemoteClient:
        token = self.tokens.issue(user_id) if user_id is not None else None
        client = RemoteClient(self.url, token=token, user_id=user_id, ca_file=self.ca_file)
        self.clients.append(client)
        return client

    def stop(self) -> None:
        for client in self.clients:
            client.close()
        self.thread.stop()
