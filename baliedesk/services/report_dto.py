"""What the dashboard reads return (frozen, plain values: they cross threads and the network)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class NormTile:
    """One norm over a period: realised against the target, the count behind it, the trend."""

    norm: str  # baliedesk.domain.norms.Norm value
    unit: str  # "percent" | "working_days"
    target: float
    threshold: float | None  # minutes, for the waits
    higher_is_better: bool
    realised: float | None  # None: nothing to count
    met: int | None  # how many met the norm (None for an average)
    count: int  # how many counted
    verdict: str  # Verdict value: met | near | missed | no_data
    previous: float | None  # the previous period's realised figure
    trend: float | None  # realised - previous


@dataclass(frozen=True)
class NormTiles:
    location_id: int
    period_start: dt.date
    period_end: dt.date
    previous_start: dt.date
    previous_end: dt.date
    service_id: int | None
    day_part: str | None
    tiles: tuple[NormTile, ...]


@dataclass(frozen=True)
class WaitRow:
    """Waits (and handling times) of one service in one day part (day_part None: the whole day)."""

    service_id: int
    service_name: str
    day_part: str | None
    count: int
    average_s: float | None
    p50_s: int | None
    p80_s: int | None
    p90_s: int | None
    max_s: int | None
    handled: int
    handling_median_s: int | None
    handling_average_s: float | None  # outliers left out
    outliers: int
    outlier_limit_s: int | None


@dataclass(frozen=True)
class DailyPoint:
    day: dt.date
    arrivals: int
    called: int
    within_norm: int
    share_within: float | None
    average_wait_s: float | None


@dataclass(frozen=True)
class HeatCell:
    weekday: int  # Monday = 0
    hour: int
    arrivals: int
    per_day: float  # arrivals / how often that weekday occurs in the period
    average_wait_s: float | None


@dataclass(frozen=True)
class LiveCounter:
    counter_id: int
    name: str
    user_name: str | None
    serving: str | None  # the ticket number at the counter
    since: dt.datetime | None


@dataclass(frozen=True)
class LiveToday:
    at: dt.datetime
    waiting: int
    longest_wait_s: float | None
    counters_open: int
    counters: tuple[LiveCounter, ...]
    helped_today: int


@dataclass(frozen=True)
class ReportTable:
    """Rows behind a figure (and any table to export): headers and plain values."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    truncated: bool = False


@dataclass(frozen=True)
class NormTargetInfo:
    norm: str
    service_id: int | None
    target: float
    threshold: float | None
    source: str  # "default" | "location" | "service"


@dataclass(frozen=True)
class RatingInfo:
    id: int
    location_id: int
    service_id: int | None
    rating: int
    comment: str | None
    day: dt.date
    hour: int
    day_part: str


@dataclass(frozen=True)
class QuarterReport:
    """What the "Kwartaalrapportage servicenormen" shows: each norm this quarter and the one before."""

    location_id: int
    location_name: str
    quarter: str  # "2026Q3"
    period_start: dt.date
    period_end: dt.date
    made_at: dt.datetime
    tiles: NormTiles
    waits: tuple[WaitRow, ...]
    evening_tiles: NormTiles
