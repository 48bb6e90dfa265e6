"""Counter-aware appointment capacity: who can be helped at the same moment.

Every appointment is helped at one counter that serves its service, and a
counter helps one visitor at a time. So at every moment the appointments that
overlap must be *assignable* to distinct counters serving their services: a
bipartite matching between appointments and counters. A counter that serves
both "Paspoort" and "Rijbewijs" gives one place, not one to each.

Counters are bits of an ``int`` (bit ``i`` is the ``i``-th counter of the
location); ``masks[service_id]`` holds the counters serving a service and
``available`` the counters at work at that moment (active, not blocked).

With few distinct services at a moment (the usual case) the answer comes from
Hall's theorem over sets of services: ``k`` more appointments of service ``X``
fit next to ``demand`` exactly when, for every set ``S`` of services with
``X`` in it, ``demand(S) + k <= |counters serving something in S|`` (and the
present demand is assignable itself). With many distinct services an
augmenting-path matching (Kuhn) gives the same answer. Both are checked
against a brute-force assignment in the tests.

:class:`DayLoad` applies this to one day: it cuts the day at every
appointment's start and end (and every counter block's), so each piece has one
fixed set of overlapping appointments, and a slot's free places are the
smallest number over the pieces it covers. Times are minutes after local
midnight; periods are half-open ``[start, end)``.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

#: Up to this many distinct services at one moment the subsets of Hall's
#: theorem are enumerated; above it the augmenting-path matching is used.
HALL_LIMIT = 8


def _bits(mask: int) -> int:
    return mask.bit_count()


def service_masks(serves: Mapping[int, Iterable[int]], counter_order: Sequence[int]) -> dict[int, int]:
    """``{service_id: counters as bits}`` from ``{counter_id: service ids}``; bit i is ``counter_order[i]``."""
    masks: dict[int, int] = {}
    for i, counter_id in enumerate(counter_order):
        for sid in serves.get(counter_id, ()):
            masks[sid] = masks.get(sid, 0) | (1 << i)
    return masks


# ---------------------------------------------------------------------------
# one moment
# ---------------------------------------------------------------------------
def _hall_extra(masks: Mapping[int, int], available: int, demand: Mapping[int, int], service_id: int) -> int:
    """Hall's condition over sets of services; -1 when ``demand`` itself is not assignable."""
    others = [sid for sid, n in demand.items() if n > 0 and sid != service_id]
    own = demand.get(service_id, 0)
    own_mask = masks.get(service_id, 0) & available
    best = _bits(own_mask) - own
    # Every subset of the other services, with and without service_id.
    subsets: list[tuple[int, int]] = [(0, 0)]  # (union of counters, appointments)
    for sid in others:
        m, n = masks.get(sid, 0) & available, demand[sid]
        subsets += [(u | m, d + n) for u, d in subsets]
    for union, d in subsets[1:]:
        if _bits(union) < d:
            return -1  # the present appointments cannot all be helped
        room = _bits(union | own_mask) - d - own
        if room < best:
            best = room
    if best < 0:
        return -1
    return best


def _try_assign(masks: Mapping[int, int], available: int, sid: int, owner: dict[int, int],
                kinds: list[int], seen: set[int], slot: int) -> bool:
    """Kuhn's augmenting path for appointment ``slot`` of service ``sid``; ``owner``: counter bit -> appointment."""
    mask = masks.get(sid, 0) & available
    while mask:
        low = mask & -mask
        mask ^= low
        if low in seen:
            continue
        seen.add(low)
        holder = owner.get(low)
        if holder is None or _try_assign(masks, available, kinds[holder], owner, kinds, seen, holder):
            owner[low] = slot
            return True
    return False


def assignment(masks: Mapping[int, int], available: int, demand: Mapping[int, int]) -> dict[int, int] | None:
    """A counter for every appointment: ``{counter bit: service id}``, or None when there is none.

    ``demand`` is ``{service_id: appointments at this moment}``.
    """
    kinds: list[int] = [sid for sid, n in sorted(demand.items()) for _ in range(max(0, n))]
    owner: dict[int, int] = {}
    for i, sid in enumerate(kinds):
        if not _try_assign(masks, available, sid, owner, kinds, set(), i):
            return None
    return {bit: kinds[i] for bit, i in owner.items()}


def _matching_extra(masks: Mapping[int, int], available: int, demand: Mapping[int, int], service_id: int) -> int:
    kinds: list[int] = [sid for sid, n in sorted(demand.items()) for _ in range(max(0, n))]
    owner: dict[int, int] = {}
    for i, sid in enumerate(kinds):
        if not _try_assign(masks, available, sid, owner, kinds, set(), i):
            return -1
    extra = 0
    limit = _bits(masks.get(service_id, 0) & available)
    while extra < limit:
        kinds.append(service_id)
        if not _try_assign(masks, available, service_id, owner, kinds, set(), len(kinds) - 1):
            break
        extra += 1
    return extra


def _quick_extra(masks: Mapping[int, int], available: int, demand: Mapping[int, int], service_id: int) -> int | None:
    """The answer when a greedy assignment reaches the upper bound; None when it does not (ask Hall).

    Every appointment of another service takes a counter outside the ones
    serving ``service_id`` where it can. If then only ``service_id``'s own
    appointments sit on its counters, the bound ``counters - own appointments``
    (Hall for the set {service_id}) is reached, and the greedy assignment shows
    the present appointments fit: the exact answer, in a few bit operations.
    """
    mine = masks.get(service_id, 0) & available
    own = demand.get(service_id, 0)
    used = 0
    others = sorted(((masks.get(sid, 0) & available, n) for sid, n in demand.items()
                     if sid != service_id and n > 0), key=lambda mn: _bits(mn[0]))
    for mask, n in others:
        for _ in range(n):
            free = mask & ~used
            pick = (free & ~mine) or free
            if not pick:
                return None
            used |= pick & -pick
    left = _bits(mine & ~used) - own
    best = _bits(mine) - own
    return left if left == best and left >= 0 else None


def extra_places(masks: Mapping[int, int], available: int, demand: Mapping[int, int], service_id: int,
                 *, method: str = "auto") -> int:
    """How many more appointments of ``service_id`` can be helped at one moment next to ``demand``.

    0 when none (also when ``demand`` itself cannot be assigned, for example
    after a counter stopped serving a service). ``method`` is for the tests:
    ``"hall"``, ``"matching"``, ``"quick"`` (the greedy shortcut only; -1 when
    it cannot tell) or ``"auto"`` (the shortcut, else Hall or the matching).
    """
    if method == "auto":
        quick = _quick_extra(masks, available, demand, service_id)
        if quick is not None:
            return quick
    elif method == "quick":
        quick = _quick_extra(masks, available, demand, service_id)
        return -1 if quick is None else quick
    distinct = sum(1 for sid, n in demand.items() if n > 0 and sid != service_id)
    if method == "hall" or (method == "auto" and distinct < HALL_LIMIT):
        result = _hall_extra(masks, available, demand, service_id)
    else:
        result = _matching_extra(masks, available, demand, service_id)
    return max(0, result)


def assignable(masks: Mapping[int, int], available: int, demand: Mapping[int, int]) -> bool:
    """Whether the appointments of ``demand`` can all be helped at once."""
    return assignment(masks, available, demand) is not None


# ---------------------------------------------------------------------------
# one day
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Booking:
    """An active appointment on the day: minutes after local midnight."""

    start: int
    end: int
    service_id: int


@dataclass(frozen=True)
class CounterBlock:
    """A counter (as bits) not helping appointments in ``[start, end)`` (lunch, meeting)."""

    counters: int
    start: int
    end: int


@dataclass
class DayLoad:
    """The appointments and counter blocks of one day, cut into pieces with a fixed load each.

    ``masks``: the counters serving each service (active counters only);
    ``everyone``: every active counter; ``caps``: a service's own cap on
    parallel appointments (``max_parallel``), if any.
    """

    masks: Mapping[int, int]
    everyone: int
    bookings: Sequence[Booking] = ()
    blocks: Sequence[CounterBlock] = ()
    caps: Mapping[int, int | None] = field(default_factory=dict)
    cache: dict = field(default_factory=dict)  # shared between days: (available, demand) -> {service: places}

    def __post_init__(self) -> None:
        cuts = sorted({t for b in self.bookings for t in (b.start, b.end)}
                      | {t for k in self.blocks for t in (k.start, k.end)})
        self._starts: list[int] = []
        self._answers: list[dict[int, int]] = []  # per piece: service -> places
        self._pieces: list[tuple[int, tuple[tuple[int, int], ...]]] = []  # (available, demand)
        for a, b in zip(cuts, cuts[1:]):
            demand: dict[int, int] = {}
            for bk in self.bookings:
                if bk.start < b and a < bk.end:
                    demand[bk.service_id] = demand.get(bk.service_id, 0) + 1
            available = self.everyone
            for k in self.blocks:
                if k.start < b and a < k.end:
                    available &= ~k.counters
            key = (available, tuple(sorted(demand.items())))
            self._starts.append(a)
            self._pieces.append(key)
            # One answer book per distinct load, shared by the pieces and days that have it.
            self._answers.append(self.cache.setdefault(key, {}))
        self._ends = cuts[1:]
        self._per_service: dict[int, list[int]] = {}  # service -> places per piece, filled when first asked

    def static_places(self, service_id: int) -> int:
        """Places with nothing else going on: counters serving the service, capped by ``max_parallel``."""
        places = _bits(self.masks.get(service_id, 0) & self.everyone)
        cap = self.caps.get(service_id)
        return places if cap is None else min(places, max(0, cap))

    def _piece_places(self, index: int, service_id: int) -> int:
        answers = self._answers[index]
        hit = answers.get(service_id)
        if hit is not None:
            return hit
        available, demand = self._pieces[index]
        as_dict = dict(demand)
        places = extra_places(self.masks, available, as_dict, service_id)
        cap = self.caps.get(service_id)
        if cap is not None:
            places = max(0, min(places, cap - as_dict.get(service_id, 0)))
        answers[service_id] = places
        return places

    def free(self, service_id: int, start: int, end: int, ceiling: int | None = None) -> int:
        """Free places for an appointment of ``service_id`` in ``[start, end)``: the least over every moment.

        ``ceiling``: :meth:`static_places` when the caller knows it already.
        """
        places = self.static_places(service_id) if ceiling is None else ceiling
        starts = self._starts
        if not starts or end <= starts[0] or start >= self._ends[-1]:
            return places
        per_piece = self._per_service.get(service_id)
        if per_piece is None:
            per_piece = self._per_service[service_id] = [
                self._piece_places(i, service_id) for i in range(len(self._pieces))]
        # The pieces are contiguous from the first cut to the last: those overlapping [start, end).
        first = max(0, bisect.bisect_right(starts, start) - 1)
        last = bisect.bisect_left(starts, end)
        return min(places, min(per_piece[first:last]))
