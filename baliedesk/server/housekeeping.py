"""Daily housekeeping (issue 12): retention once per local day, and old sign-in records purged.

* :func:`housekeep` does one round: ``retention.run_daily`` as the first active
  beheerder (it does nothing when retention already ran today), then
  ``auth.purge_sign_in_records``. It logs what it did and returns it.
* :class:`Housekeeping` runs a round every hour on a daemon thread; the server
  starts it in ``create_app``'s lifespan, beside the change feed. A round that
  fails is logged and tried again an hour later: it never stops the server.
* :func:`start_daily_retention` is the same round once, on a daemon thread, for a
  workstation on its own database (the first start of the day; ``cli.py``).

No Qt, no window: the command line and the server both use it.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from baliedesk.domain.permissions import Role
from baliedesk.services import auth, retention, setup
from baliedesk.services.ports import Backend

log = logging.getLogger(__name__)

INTERVAL_S = 3600.0
Clock = Callable[[], dt.datetime]


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Round:
    """What one round did: the retention run (None: it already ran today, or no beheerder) and sessions purged."""

    at: dt.datetime
    retention: Any  # RetentionRun | None
    purged: int | None  # None: not asked
    acting: int | None  # the beheerder it acted as


def first_admin(backend: Backend) -> int | None:
    """The first active beheerder (lowest id), or None."""
    admins = sorted((u.id for u in setup.sign_in_choices(backend, roles=(Role.ADMIN,))))
    return admins[0] if admins else None


def housekeep(backend: Backend, now: dt.datetime, *, timezone: str = "Europe/Amsterdam",
              purge: bool = True) -> Round:
    """One round of housekeeping at ``now`` (see the module)."""
    acting = first_admin(backend)
    run = None
    if acting is None:
        log.warning("housekeeping: no active beheerder; retention not run")
    else:
        run = retention.run_daily(backend, acting, now, timezone=timezone)
        if run is None:
            log.info("housekeeping: retention already ran today")
        else:
            log.info("housekeeping: retention ran as user %s: %s", acting,
                     ", ".join(f"{c.kind}={c.due}" for c in run.counts))
    purged = None
    if purge:
        purged = auth.purge_sign_in_records(backend, now)
        log.info("housekeeping: %s ended sign-in records purged", purged)
    return Round(now, run, purged, acting)


class Housekeeping:
    """:func:`housekeep` every ``interval_s`` seconds (the first round at once) on a daemon thread."""

    def __init__(self, backend: Backend, clock: Clock | None = None, *, interval_s: float = INTERVAL_S,
                 timezone: str = "Europe/Amsterdam") -> None:
        self.backend = backend
        self.clock = clock or _utc_now
        self.interval_s = interval_s
        self.timezone = timezone
        self.rounds: list[Round] = []  # the latest few, for tests and the log
        self.failures = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="baliedesk-housekeeping", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def round(self) -> Round | None:
        """One round; a failure is logged and counted, never raised."""
        try:
            done = housekeep(self.backend, self.clock(), timezone=self.timezone)
        except Exception:  # noqa: BLE001 - housekeeping never stops the server
            self.failures += 1
            log.warning("housekeeping: round failed; trying again later", exc_info=True)
            return None
        self.rounds = [*self.rounds[-9:], done]
        return done

    def _run(self) -> None:
        while not self._stop.is_set():
            self.round()
            self._stop.wait(self.interval_s)


def start_daily_retention(backend: Backend, clock: Clock | None = None, *,
                          timezone: str = "Europe/Amsterdam") -> threading.Thread:
    """Retention once, on a daemon thread (a workstation on its own database, at start-up): never blocks."""

    def work() -> None:
        try:
            housekeep(backend, (clock or _utc_now)(), timezone=timezone, purge=False)
        except Exception:  # noqa: BLE001 - the window opens regardless; the log says why
            log.warning("daily retention at start-up failed", exc_info=True)

    thread = threading.Thread(target=work, name="baliedesk-daily-retention", daemon=True)
    thread.start()
    return thread
