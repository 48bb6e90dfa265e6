"""The server's lanes (server/lanes.py): blocking calls on a fixed number of threads, first come first served.

No database: the lane only moves calls between the event loop and its threads.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from baliedesk.server.lanes import Lane


def test_a_lane_needs_a_thread():
    with pytest.raises(ValueError):
        Lane("counter", 0)


def test_answers_and_errors_come_back_to_their_caller():
    lane = Lane("counter", 2)

    def fails():
        raise KeyError("weg")

    async def main():
        assert await lane.run(lambda: 6 * 7) == 42
        with pytest.raises(KeyError):
            await lane.run(fails)
        assert await lane.run(lambda: "nog steeds") == "nog steeds"  # the thread survived the error

    try:
        asyncio.run(main())
    finally:
        lane.close()


def test_at_most_threads_calls_at_once_in_the_order_given():
    lane = Lane("counter", 2)
    lock = threading.Lock()
    running, most, started = [0], [0], []

    def call(i):
        def run():
            with lock:
                started.append(i)
                running[0] += 1
                most[0] = max(most[0], running[0])
            time.sleep(0.03)
            with lock:
                running[0] -= 1
            return i

        return run

    async def main():
        return await asyncio.gather(*(lane.run(call(i)) for i in range(8)))

    try:
        assert asyncio.run(main()) == list(range(8))
    finally:
        lane.close()
    assert most[0] == 2
    # First come, first served: the calls start in pairs, in the order they were given.
    assert [set(started[k:k + 2]) for k in range(0, 8, 2)] == [{0, 1}, {2, 3}, {4, 5}, {6, 7}]


def test_a_caller_that_stops_waiting_does_not_stop_the_call():
    lane = Lane("counter", 1)
    release, done = threading.Event(), threading.Event()

    def transaction():
        release.wait(5)
        done.set()
        return "gedaan"

    async def main():
        task = asyncio.ensure_future(lane.run(transaction))
        await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        release.set()
        assert await lane.run(lambda: "volgende") == "volgende"  # the lane goes on after the cancelled call

    try:
        asyncio.run(main())
    finally:
        lane.close()
    assert done.is_set()


def test_closing_finishes_what_was_given_and_refuses_the_rest():
    lane = Lane("heavy", 1)
    release = threading.Event()
    finished = []

    def slow(i):
        def run():
            release.wait(5)
            finished.append(i)
            return i

        return run

    async def main():
        calls = [asyncio.ensure_future(lane.run(slow(i))) for i in range(3)]
        await asyncio.sleep(0.02)
        closing = asyncio.get_running_loop().run_in_executor(None, lane.close)
        await asyncio.sleep(0.02)
        with pytest.raises(RuntimeError):
            await lane.run(lambda: "te laat")
        release.set()
        await closing
        return await asyncio.gather(*calls)

    assert asyncio.run(main()) == [0, 1, 2]
    assert finished == [0, 1, 2]
    assert not any(t.is_alive() for t in lane._workers)


def test_no_threads_until_the_first_call():
    lane = Lane("counter", 3)
    assert lane._workers == []
    try:
        asyncio.run(lane.run(lambda: None))
        assert len(lane._workers) == 3
    finally:
        lane.close()


def test_closing_waits_at_most_its_time_for_all_threads_together():
    lane = Lane("heavy", 3)
    release = threading.Event()

    async def main():
        calls = [asyncio.ensure_future(lane.run(lambda: release.wait(10))) for _ in range(3)]
        await asyncio.sleep(0.05)  # all three threads hold a call that runs long
        started = time.monotonic()
        await asyncio.get_running_loop().run_in_executor(None, lane.close, 1.0)
        waited = time.monotonic() - started
        release.set()
        await asyncio.gather(*calls)
        return waited

    assert asyncio.run(main()) < 2.5  # about 1 s in all, not 1 s per thread (3 s)
