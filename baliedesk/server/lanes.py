"""Lanes: a fixed number of threads that run the server's blocking calls for the event loop.

Every operation of the server is a blocking call (a transaction on the
database). The event loop hands it to a lane and awaits the answer; the
lane's threads take the calls first come, first served, at most ``threads``
at once. Python runs one thread at a time per process, so a few threads keep
the database's waits overlapped and more only take the lock from each other
(``server.app.DEFAULT_CALL_THREADS``).

Not ``anyio.to_thread.run_sync`` with a ``CapacityLimiter``: that looks up
the async library, a run variable and a cancel scope on every call, and its
worker threads wait on a ``queue.Queue`` (a lock and a condition in Python).
Here a call is one ``SimpleQueue.put`` (in C) on the loop, one ``get`` on a
waiting thread and one ``call_soon_threadsafe`` back: on the "volgende" path
of every counter that was about a tenth of the event loop's time
(``bench/README.md``).

A call that its caller stops waiting for (the request was cancelled) still
runs to its end, as a transaction must; its answer is dropped. Closing a lane
(the server stops) refuses new calls and lets the threads finish the calls
already given.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

_STOP = None  # put once per thread by close()


class Lane:
    """``await lane.run(fn)``: ``fn()`` on one of the lane's threads, first come, first served."""

    def __init__(self, name: str, threads: int) -> None:
        if threads < 1:
            raise ValueError("a lane needs at least one thread")
        self.name = name
        self.threads = threads
        self._jobs: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._workers: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    async def run(self, fn: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        if not self._workers:
            self._start()
        with self._lock:  # never a call behind the threads' stop
            if self._closed:
                raise RuntimeError(f"lane {self.name} is closed")
            self._jobs.put((fn, future, loop))
        return await future

    def close(self, timeout_s: float = 5.0) -> None:
        """Refuse new calls; the threads finish the calls already given (first come, first served) and
        stop. Waits at most ``timeout_s`` in all; a call still running then ends on its own (the
        threads are daemons)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
            for _ in workers:
                self._jobs.put(_STOP)
        deadline = time.monotonic() + timeout_s  # for all threads together: a stop never waits long
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))

    def _start(self) -> None:
        with self._lock:
            if self._workers or self._closed:
                return
            for i in range(self.threads):
                worker = threading.Thread(target=self._work, name=f"baliedesk-{self.name}-{i + 1}", daemon=True)
                worker.start()
                self._workers.append(worker)

    def _work(self) -> None:
        jobs = self._jobs
        while True:
            job = jobs.get()
            if job is _STOP:
                return
            fn, future, loop = job
            try:
                result, ok = fn(), True
            except BaseException as exc:  # noqa: BLE001 - handed to the caller, the thread goes on
                result, ok = exc, False
            _settle_from_thread(loop, future, ok, result)
            del job, fn, future, result  # nothing of a call outlives it on this thread


def _settle_from_thread(loop: asyncio.AbstractEventLoop, future: asyncio.Future[Any], ok: bool,
                        value: Any) -> None:
    try:
        loop.call_soon_threadsafe(_settle, future, ok, value)
    except RuntimeError:  # the event loop is closed: nobody waits any more
        log.debug("lane: answer dropped, the event loop is closed")


def _settle(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.cancelled():
        return  # the caller stopped waiting; the call ran to its end anyway
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)
