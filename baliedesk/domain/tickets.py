"""The ticket state machine.

A ticket is issued ``waiting``. A counter calls it (``called``), may call it
again (recall), starts serving (``serving``) and finishes it (``finished``).
It may instead be marked ``no_show`` after enough recalls, be put back in the
queue, transferred to another service or counter (back to ``waiting``, the
original arrival time kept), or cancelled while waiting. A team lead can
release a ticket held by a counter that is gone: it goes back to ``waiting``.
A no-show can be undone for a while (:data:`UNDO_NO_SHOW_MINUTES`): the
visitor was only away for a moment and goes back to ``waiting`` with the
original arrival time (action ``undo_no_show``).
A ticket still open when its day is over (waiting, or held by a counter that
never finished it) expires: it is ``cancelled`` when the next day starts, with
its own event, so it neither lingers in the queue nor blocks a counter.
"""

from __future__ import annotations

import enum


class TicketState(str, enum.Enum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    FINISHED = "finished"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in FINAL_STATES

    @property
    def is_held(self) -> bool:
        """Held by a counter: the visitor has been called and not yet let go."""
        return self in HELD_STATES


FINAL_STATES = frozenset({TicketState.FINISHED, TicketState.NO_SHOW, TicketState.CANCELLED})
HELD_STATES = frozenset({TicketState.CALLED, TicketState.SERVING})


class TicketAction(str, enum.Enum):
    ISSUE = "issue"
    CALL = "call"
    RECALL = "recall"
    START = "start"
    FINISH = "finish"
    NO_SHOW = "no_show"
    REQUEUE = "requeue"
    TRANSFER = "transfer"
    RELEASE = "release"
    CANCEL = "cancel"
    EXPIRE = "expire"  # still open after its day: closed when the next day starts
    UNDO_NO_SHOW = "undo_no_show"  # "toch gekomen": back in the queue, original arrival kept


_W, _C, _S = TicketState.WAITING, TicketState.CALLED, TicketState.SERVING

#: (state, action) -> new state. Anything not listed is refused.
TRANSITIONS: dict[tuple[TicketState, TicketAction], TicketState] = {
    (_W, TicketAction.CALL): _C,
    (_W, TicketAction.CANCEL): TicketState.CANCELLED,
    (_W, TicketAction.TRANSFER): _W,
    (_C, TicketAction.RECALL): _C,
    (_C, TicketAction.START): _S,
    (_C, TicketAction.FINISH): TicketState.FINISHED,
    (_C, TicketAction.NO_SHOW): TicketState.NO_SHOW,
    (_C, TicketAction.REQUEUE): _W,
    (_C, TicketAction.TRANSFER): _W,
    (_C, TicketAction.RELEASE): _W,
    (_S, TicketAction.FINISH): TicketState.FINISHED,
    (_S, TicketAction.REQUEUE): _W,
    (_S, TicketAction.TRANSFER): _W,
    (_S, TicketAction.RELEASE): _W,
    (_W, TicketAction.EXPIRE): TicketState.CANCELLED,
    (_C, TicketAction.EXPIRE): TicketState.CANCELLED,
    (_S, TicketAction.EXPIRE): TicketState.CANCELLED,
    (TicketState.NO_SHOW, TicketAction.UNDO_NO_SHOW): _W,
}

#: How long after "niet gekomen" a counter may still put the visitor back in the queue.
UNDO_NO_SHOW_MINUTES = 30


def next_state(state: TicketState, action: TicketAction, ticket_number: str = "") -> TicketState:
    """Return the state after ``action``, or raise :class:`InvalidTransition`."""
    from baliedesk.domain.errors import InvalidTransition

    try:
        return TRANSITIONS[(TicketState(state), TicketAction(action))]
    except KeyError:
        raise InvalidTransition(ticket_number, TicketState(state).value, TicketAction(action).value) from None


def allowed_actions(state: TicketState) -> frozenset[TicketAction]:
    return frozenset(action for (s, action) in TRANSITIONS if s == state)


class Outcome(str, enum.Enum):
    """How a visit ended, chosen by the clerk when finishing."""

    HELPED = "helped"  # geholpen
    REFERRED = "referred"  # doorverwezen naar een andere afdeling of organisatie
    INCOMPLETE = "incomplete"  # papieren niet compleet, komt terug
    INFORMATION = "information"  # alleen informatie gegeven
    OTHER = "other"


NOTE_MAX_LENGTH = 500


class PriorityClass(enum.IntEnum):
    """Lower is served first. See :mod:`baliedesk.domain.ordering`."""

    APPOINTMENT = 0  # checked-in appointment whose slot has begun
    PRIORITY = 1  # transferred with priority
    WALK_IN = 2


def format_number(prefix: str, seq: int) -> str:
    """``A`` + 1 -> ``A001``. Three digits at least; 1000 and up stay unique (``A1000``)."""
    if seq < 1:
        raise ValueError("sequence numbers start at 1")
    return f"{prefix}{seq:03d}"


def spoken_number(number: str) -> str:
    """``A023`` -> ``A 23``: how a number is said in the hall."""
    prefix = number.rstrip("0123456789")
    digits = number[len(prefix):]
    return f"{prefix} {int(digits)}" if digits else number


def parse_number(text: str) -> str | None:
    """What a clerk types -> the stored number: ``"A 12"``, ``"a012"``, ``"A012"`` -> ``"A012"``.

    Letters, then digits, with spaces anywhere; None for anything else.
    """
    compact = "".join((text or "").split()).upper()
    prefix = compact.rstrip("0123456789")
    digits = compact[len(prefix):]
    if not prefix or not digits or not prefix.isascii() or not prefix.isalpha() or len(compact) > 12:
        return None
    seq = int(digits)
    return format_number(prefix, seq) if seq >= 1 else None


def display_number(number: str) -> str:
    """``A023`` -> ``A 023``: how a number is shown on screens, easier to read from afar."""
    prefix = number.rstrip("0123456789")
    return f"{prefix} {number[len(prefix):]}" if prefix else number
