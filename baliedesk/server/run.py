"""Running the server: in the foreground (``python -m baliedesk server``) or on a thread (tests, benchmarks)."""

from __future__ import annotations

import threading
import time
from typing import Any

import uvicorn


def config(app: Any, *, host: str = "127.0.0.1", port: int = 8443, certfile: str | None = None,
           keyfile: str | None = None, log_level: str = "warning", **extra: Any) -> uvicorn.Config:
    """Uvicorn's settings: HTTPS when a certificate is given; no server header; quiet access log."""
    return uvicorn.Config(app, host=host, port=port, ssl_certfile=certfile, ssl_keyfile=keyfile,
                          log_level=log_level, access_log=False, server_header=False, lifespan="on",
                          ws="websockets-sansio", timeout_graceful_shutdown=3, **extra)


def serve(app: Any, **kwargs: Any) -> None:
    uvicorn.Server(config(app, **kwargs)).run()


def serve_processes(factory: str, processes: int, **kwargs: Any) -> None:
    """``processes`` server processes on one listening socket (uvicorn's supervisor).

    Each process builds its own application by calling ``factory``
    ("module:function", imported in the new process), with its own database
    pool and change-feed listener, as separate servers behind a load balancer
    do; the supervisor restarts one that dies. Python runs one request's
    work at a time per process, so one process per core uses the machine.
    """
    from uvicorn.supervisors import Multiprocess

    settings = config(factory, factory=True, workers=processes, **kwargs)
    sock = settings.bind_socket()
    try:
        Multiprocess(settings, sockets=[sock]).run()
    finally:
        sock.close()


class ServerThread:
    """The server on a free loopback port, on a thread of this process (``with ServerThread(app) as url``)."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", certfile: str | None = None,
                 keyfile: str | None = None) -> None:
        self.server = uvicorn.Server(config(app, host=host, port=0, certfile=certfile, keyfile=keyfile))
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self.server.run, name="baliedesk-server", daemon=True)
        self.scheme = "https" if certfile else "http"
        self.url = ""

    def start(self, timeout_s: float = 20.0) -> str:
        self.thread.start()
        deadline = time.monotonic() + timeout_s
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.01)
        sock = self.server.servers[0].sockets[0]
        host, port = sock.getsockname()[:2]
        self.url = f"{self.scheme}://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
