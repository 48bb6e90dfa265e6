"""An honest estimate of the wait for a ticket.

It uses the people ahead in the same queue, the counters that are open for the
service right now, and recent handling times (median of the last visits; the
service's expected handling time when there is no history yet). When no
counter is open for the service, there is no estimate: saying "5 minuten"
would be a lie.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

#: How many recent handling times count; older ones say less about today.
RECENT_SAMPLE = 20
#: Handling times shorter than this are mostly mistakes (called and closed at once).
MIN_PLAUSIBLE_SECONDS = 20


@dataclass(frozen=True)
class WaitEstimate:
    people_ahead: int
    counters_open: int
    minutes: int | None  # None: no counter open for this service now
    handling_seconds: float  # the per-visit time the estimate used
    from_history: bool  # True when recent visits gave the handling time


def typical_handling_seconds(recent_seconds: Sequence[float], expected_minutes: float) -> tuple[float, bool]:
    sample = [s for s in recent_seconds[-RECENT_SAMPLE:] if s >= MIN_PLAUSIBLE_SECONDS]
    if len(sample) >= 3:
        return float(statistics.median(sample)), True
    return max(1.0, expected_minutes) * 60.0, False


def estimate_wait(
    people_ahead: int,
    counters_open: int,
    recent_seconds: Sequence[float],
    expected_minutes: float,
) -> WaitEstimate:
    handling, from_history = typical_handling_seconds(recent_seconds, expected_minutes)
    if counters_open <= 0:
        return WaitEstimate(people_ahead, 0, None, handling, from_history)
    # With c counters busy and each, on average, part-way through a visit, the
    # first counter frees up after about handling / (c + 1); after that every
    # person ahead takes handling / c of the counters' shared time.
    seconds = handling / (counters_open + 1) + people_ahead * handling / counters_open
    return WaitEstimate(people_ahead, counters_open, int(math.ceil(seconds / 60.0)), handling, from_history)
