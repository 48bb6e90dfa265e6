"""Cycles, and the Qt objects in them, are collected on the GUI thread only (baliedesk/qtgc.py)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject

from baliedesk import qtgc
from tests.ui.qtwait import wait_until


class _Cycle:
    """A cycle holding a QObject; records on which thread the collector took it apart."""

    seen: list[int] = []

    def __init__(self) -> None:
        self.me = self
        self.qt = QObject()

    def __del__(self) -> None:
        _Cycle.seen.append(threading.get_ident())


def _garbage_from_a_worker_thread() -> None:
    """A worker thread allocating containers: what makes CPython start a collection on it."""

    def work() -> None:
        for _ in range(20):
            junk = [[i] for i in range(5_000)]
            del junk

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(30)


def test_cycles_are_collected_on_the_gui_thread_not_on_a_worker(qapp):
    gc.enable()  # as a process starts, before the collector
    gc.collect()
    _Cycle.seen = []
    collector = qtgc.GuiCollector(qapp, interval_ms=20)
    try:
        assert not gc.isenabled()
        for _ in range(50):
            _Cycle()
        _garbage_from_a_worker_thread()
        assert _Cycle.seen == []  # nothing collected on the worker
        kept = [[i] for i in range(2_000)]  # the GUI thread allocates too: a collection is due
        wait_until(lambda: len(_Cycle.seen) == 50, 10_000)  # and its timer collects
        assert len(kept) == 2_000
        assert set(_Cycle.seen) == {threading.get_ident()}
    finally:
        collector.stop()
        collector.deleteLater()
        gc.disable()  # as the test session runs (tests/conftest.py)


def test_without_it_a_worker_thread_collects(qapp):
    """What the collector prevents, shown: with automatic collection on, a worker thread takes the cycles apart."""
    gc.enable()
    gc.collect()
    _Cycle.seen = []
    try:
        for _ in range(50):
            _Cycle()
        _garbage_from_a_worker_thread()
        assert _Cycle.seen and threading.get_ident() not in _Cycle.seen
    finally:
        gc.disable()
        gc.collect()


def test_make_app_installs_it_once(qapp):
    from baliedesk.ui.common.app import make_app

    make_app()
    first = qtgc.installed()
    make_app()
    assert first is not None and qtgc.installed() is first and not gc.isenabled()
    assert first.thread_id == threading.get_ident()
