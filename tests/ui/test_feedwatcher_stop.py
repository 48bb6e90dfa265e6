"""A window that closes while its change feed is slow to stop must not destroy the running thread."""

from __future__ import annotations

import threading

from baliedesk import qtthreads
from baliedesk.ui.common.feedwatcher import FeedWatcher
from PySide6.QtWidgets import QWidget
from qtwait import wait_until


class SlowFeed:
    connected = True

    def __init__(self) -> None:
        self.release = threading.Event()
        self.closed = False

    def wait(self, timeout: float) -> bool:
        return False

    def close(self) -> None:  # a WebSocket that takes its time to close
        self.release.wait(10)
        self.closed = True


class Door:
    def __init__(self, feed) -> None:
        self.feed = feed

    def open_feed(self):
        return self.feed


def test_a_slow_feed_is_let_go_not_destroyed_while_running(qtbot):
    window = QWidget()
    feed = SlowFeed()
    watcher = FeedWatcher(Door(feed), poll_s=0.01, parent=window)
    heard: list[object] = []
    watcher.changed.connect(lambda: heard.append("changed"))
    watcher.start()
    watcher.stop(wait_ms=100)  # the feed is still closing
    assert watcher.isRunning() and watcher.parent() is None and watcher in qtthreads.LINGERING
    window.deleteLater()  # the window goes; the thread must survive it
    qtbot.wait(50)
    feed.release.set()
    wait_until(lambda: watcher.isFinished(), timeout=5000)
    assert feed.closed and not heard
    FeedWatcher(Door(SlowFeed()), poll_s=0.01).stop()  # the next stop lets the finished one go
    assert watcher not in qtthreads.LINGERING


def test_a_quick_stop_keeps_nothing():
    feed = SlowFeed()
    feed.release.set()
    watcher = FeedWatcher(Door(feed), poll_s=0.01)
    watcher.start()
    watcher.stop()
    assert watcher.isFinished() and watcher not in qtthreads.LINGERING
