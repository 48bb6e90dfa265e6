"""The ticket state machine and ticket numbers."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st

from baliedesk.domain.errors import InvalidTransition
from baliedesk.domain.tickets import (
    FINAL_STATES,
    HELD_STATES,
    TRANSITIONS,
    TicketAction,
    TicketState,
    allowed_actions,
    display_number,
    format_number,
    next_state,
    parse_number,
    spoken_number,
)

W, C, S = TicketState.WAITING, TicketState.CALLED, TicketState.SERVING
F, N, X = TicketState.FINISHED, TicketState.NO_SHOW, TicketState.CANCELLED
A = TicketAction

# The state machine as the product describes it (SPEC section 1 and the
# tickets module docstring), written out independently of the code's table.
SPEC_TRANSITIONS = {
    (W, A.CALL): C,
    (W, A.CANCEL): X,
    (W, A.TRANSFER): W,  # a waiting ticket can be sent to another service or counter
    (C, A.RECALL): C,
    (C, A.START): S,
    (C, A.FINISH): F,
    (C, A.NO_SHOW): N,
    (C, A.REQUEUE): W,
    (C, A.TRANSFER): W,
    (C, A.RELEASE): W,
    (S, A.FINISH): F,
    (S, A.REQUEUE): W,
    (S, A.TRANSFER): W,
    (S, A.RELEASE): W,
    (W, A.EXPIRE): X,
    (C, A.EXPIRE): X,
    (S, A.EXPIRE): X,
    (N, A.UNDO_NO_SHOW): W,  # "toch gekomen": a no-show can be undone for a while
}

ALL_PAIRS = list(itertools.product(TicketState, TicketAction))
ALLOWED = sorted(TRANSITIONS, key=lambda p: (p[0].value, p[1].value))
REFUSED = [p for p in ALL_PAIRS if p not in TRANSITIONS]


def test_table_is_the_documented_state_machine():
    assert TRANSITIONS == SPEC_TRANSITIONS


@pytest.mark.parametrize(("state", "action"), ALLOWED, ids=lambda v: v.value)
def test_every_allowed_transition(state, action):
    assert next_state(state, action, "A001") is SPEC_TRANSITIONS[(state, action)]
    # Plain strings (as stored in the database) work the same.
    assert next_state(state.value, action.value) is SPEC_TRANSITIONS[(state, action)]
    assert action in allowed_actions(state)


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: v.value)
def test_every_refused_transition(state, action):
    with pytest.raises(InvalidTransition) as info:
        next_state(state, action, "B042")
    err = info.value
    assert (err.ticket_number, err.state, err.action) == ("B042", state.value, action.value)
    assert action not in allowed_actions(state)


def test_complement_covers_everything():
    assert len(ALLOWED) + len(REFUSED) == len(TicketState) * len(TicketAction)
    assert (None, A.ISSUE) not in TRANSITIONS  # issuing creates a ticket, it is not a transition


def test_final_states_are_final():
    for state in FINAL_STATES:
        assert state.is_final and not state.is_held
    # Only a no-show has a way back (within UNDO_NO_SHOW_MINUTES, checked by the service).
    assert allowed_actions(F) == allowed_actions(X) == frozenset()
    assert allowed_actions(N) == frozenset({A.UNDO_NO_SHOW})
    assert {s for s in TicketState if s.is_final} == {F, N, X}
    assert {s for s in TicketState if s.is_held} == {C, S} == set(HELD_STATES)


def test_every_state_reachable_and_every_ticket_can_end():
    graph: dict[TicketState, set[TicketState]] = {}
    for (src, _), dst in TRANSITIONS.items():
        graph.setdefault(src, set()).add(dst)

    def reachable(start: TicketState) -> set[TicketState]:
        seen, todo = {start}, [start]
        while todo:
            for nxt in graph.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert reachable(W) == set(TicketState)
    for state in TicketState:
        assert reachable(state) & FINAL_STATES, state


def test_held_tickets_can_always_be_released_or_put_back():
    for state in HELD_STATES:
        for action in (A.RELEASE, A.REQUEUE, A.TRANSFER):
            assert next_state(state, action) is W


def test_unknown_state_or_action_is_a_value_error():
    with pytest.raises(ValueError):
        next_state("lost", A.CALL)
    with pytest.raises(ValueError):
        next_state(W, "teleport")


# ---------------------------------------------------------------------------
# numbers
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("prefix", "seq", "number"),
    [("A", 1, "A001"), ("A", 42, "A042"), ("A", 999, "A999"), ("A", 1000, "A1000"), ("M", 9999, "M9999"),
     ("AB", 7, "AB007")],
)
def test_format_number(prefix, seq, number):
    assert format_number(prefix, seq) == number


@pytest.mark.parametrize("seq", [0, -1])
def test_numbers_start_at_one(seq):
    with pytest.raises(ValueError):
        format_number("A", seq)


@given(st.sampled_from(["A", "B", "C", "M", "AB", "XYZ"]), st.integers(1, 9999), st.integers(1, 9999))
def test_numbers_unique_and_readable(prefix, a, b):
    na, nb = format_number(prefix, a), format_number(prefix, b)
    assert (na == nb) == (a == b)
    digits = na[len(prefix):]
    assert len(digits) >= 3 and int(digits) == a
    assert spoken_number(na) == f"{prefix} {a}"
    assert display_number(na) == f"{prefix} {digits}"


def test_spoken_and_display_number():
    assert spoken_number("A023") == "A 23"
    assert display_number("A023") == "A 023"
    assert spoken_number("B1000") == "B 1000"


# ---------------------------------------------------------------------------
# a number typed by a clerk ("Nummer oproepen...")
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("typed", ["A 12", "a012", "A012", " a 0 1 2 ", "A12", "A\t12"])
def test_parse_number_accepts_the_ways_people_type_it(typed):
    assert parse_number(typed) == "A012"


@pytest.mark.parametrize(("typed", "number"), [("AB7", "AB007"), ("m 1000", "M1000"), ("b999", "B999")])
def test_parse_number_other_prefixes_and_lengths(typed, number):
    assert parse_number(typed) == number


@pytest.mark.parametrize("typed", ["", "   ", "12", "A", "A0", "A-12", "12A", "A1B2", "é12", None])
def test_parse_number_refuses_what_is_no_number(typed):
    assert parse_number(typed) is None


@given(st.text(alphabet="ABCM", min_size=1, max_size=2), st.integers(1, 9999))
def test_parse_number_round_trips_every_shown_form(prefix, seq):
    number = format_number(prefix, seq)
    for shown in (number, display_number(number), spoken_number(number), number.lower()):
        assert parse_number(shown) == number


@given(st.text(max_size=20))
def test_parse_number_never_crashes(text):
    result = parse_number(text)
    assert result is None or parse_number(result) == result
