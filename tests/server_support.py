"""A BalieDesk server on a loopback port for tests, with tokens handed out by the test.

Until a test signs in through the sign-in method, ``TokenTable`` stands in for
the sessions: ``table.issue(user_id)`` gives a token the server resolves.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from baliedesk.client.remote import RemoteClient
from baliedesk.server.app import Principal, SessionInvalid, create_app, session_resolver
from baliedesk.server.run import ServerThread


class TokenTable:
    """Tokens the test hands out; any other token goes to ``fallback`` (the real sessions)."""

    def __init__(self, fallback=None) -> None:
        self.tokens: dict[str, Principal] = {}
        self.fallback = fallback

    def issue(self, user_id: int, kind: str = "person") -> str:
        token = secrets.token_urlsafe(32)
        self.tokens[token] = Principal(user_id, kind)
        return token

    def revoke(self, token: str) -> None:
        self.tokens.pop(token, None)

    # The real sessions' memory (server/sessions.SessionCache) hears the feed through the table.
    def heard(self, topics) -> None:
        if hasattr(self.fallback, "heard"):
            self.fallback.heard(topics)

    def clear(self) -> None:
        if hasattr(self.fallback, "clear"):
            self.fallback.clear()

    def __call__(self, token: str, now: dt.datetime) -> Principal:
        principal = self.tokens.get(token)
        if principal is None:
            if self.fallback is not None:
                return self.fallback(token, now)
            raise SessionInvalid("unknown")
        return principal


class TestServer:
    """``start()`` serves ``backend``; ``client(user_id)`` is a RemoteClient signed in as that user."""

    __test__ = False  # not a test class

    def __init__(self, backend, clock: Callable[[], dt.datetime] | None = None, *, certfile: str | None = None,
                 keyfile: str | None = None, ca_file: str | None = None, **app_options) -> None:
        self.tokens = TokenTable(session_resolver(backend))
        self.app = create_app(backend, resolver=self.tokens, clock=clock, feed_poll_s=0.2, **app_options)
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


class ServerProcess:
    """A server in a process of its own (``tests/server_process.py``) with a fixed token table.

    ``with ServerProcess(url, {token: (user_id, kind)}, folder) as base_url``;
    several may serve one database side by side. ``tokens`` None: the real
    sign-in sessions and device tokens, as ``python -m baliedesk server`` has.
    """

    def __init__(self, database_url: str, tokens: dict[str, tuple[int, str]] | None, folder, *,
                 now: dt.datetime | None = None, clock: tuple[float, dt.datetime] | None = None,
                 engine: dict | None = None) -> None:
        import json
        import pathlib

        self.config = pathlib.Path(folder) / f"server-{secrets.token_hex(4)}.json"
        self.config.write_text(json.dumps({
            "database_url": database_url, "sessions": tokens is None,
            "tokens": {t: [u, k] for t, (u, k) in (tokens or {}).items()},
            "now": now.isoformat() if now else None,
            "clock": [clock[0], clock[1].isoformat()] if clock else None, "engine": engine or {}}), encoding="utf-8")
        self.config.chmod(0o600)
        self.proc = None
        self.url = ""

    def start(self, timeout_s: float = 60.0) -> str:
        import os
        import pathlib
        import subprocess
        import sys

        root = pathlib.Path(__file__).resolve().parents[1]
        env = dict(os.environ, PYTHONPATH=str(root))
        self.proc = subprocess.Popen([sys.executable, str(root / "tests" / "server_process.py"), str(self.config)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True)
        line = self.proc.stdout.readline().strip()  # the URL, once it listens
        if not line.startswith("http"):
            self.stop()
            raise RuntimeError(f"the server process did not start (exit {self.proc.returncode})")
        self.url = line
        return line

    def stop(self) -> None:
        import subprocess

        if self.proc is None:
            return
        if self.proc.stdin and not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        if self.proc.stdout:
            self.proc.stdout.close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
