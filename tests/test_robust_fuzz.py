"""Issue 14, case 7: every public service function, fed valid, hostile and wrong-typed arguments
(generated per parameter name and annotation), raises only the project's typed errors
(subclasses of DomainError) — never TypeError, ValueError, OverflowError, a driver's DataError,
UnicodeEncodeError ... — on SQLite and PostgreSQL. Valid text round-trips.

One seeded database per backend is shared by all functions (each call is its own transaction);
example counts are small so that the whole sweep stays well under a minute per backend.
"""

from __future__ import annotations

import datetime as dt
import inspect
import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from baliedesk.domain.errors import DomainError, ValidationError
from baliedesk.services import addresses, appointments, contacts, hall, meldingen, queue, schedules, setup

MODULES = (queue, contacts, meldingen, appointments, schedules, setup, hall, addresses)
EXAMPLES = 25

HOSTILE_TEXT = ["a\x00b", "\ud800", "x\u202ey", "a\u2028b", "\u200b", "\ufeff", "", " ", "x" * 5000,
                "'; DROP TABLE tickets; --", "%_\\", "😀" * 40, "jan\n@example.nl", "#123456\n", "2026-02-30"]
WRONG = [None, 10**400, -(10**30), 1.5, float("nan"), float("inf"), True, b"bytes", ["a"], {"a": 1}, object(),
         dt.date.max, dt.datetime(2026, 1, 1)]
GOOD_TEXT = {
    "channel": ["balie", "telefoon", "email"], "result": ["eerstelijn", "doorgezet"], "urgency": ["normaal"],
    "outcome": ["helped", "referred"], "state": ["gemeld", "in_behandeling"], "target": ["in_behandeling", "afgehandeld"],
    "phone": ["0612345678", "+31612345678"], "reporter_phone": ["0612345678"], "email": ["jan@example.nl"],
    "reporter_email": ["jan@example.nl"], "color": ["#123456"], "prefix": ["Q", "ZZ"], "code": ["ACDEFG"],
    "fmt": ["toml", "csv"], "role": ["baliemedewerker", "kcc"], "timezone": ["Europe/Amsterdam"],
    "username": ["nieuw.iemand"], "postcode": ["9919 AB"], "street": ["Dorpsstraat"], "source": ["kiosk"],
    "content": ['[[categorie]]\nhoofd = "Afval"\nsub = "Grofvuil"\nteam = "Team Afval"\ntermijn = 5\n'],
}
PLAIN_TEXT = ["Jan Jansen", "Burgerzaken", "Tegel ligt los", "שלום עולם", "Ça va"]


def _public_functions():
    out = []
    for module in MODULES:
        for name, fn in vars(module).items():
            if getattr(fn, "__wrapped_checked__", False) and getattr(fn, "__module__", "") == module.__name__:
                out.append((f"{module.__name__.rsplit('.', 1)[1]}.{name}", fn))
    return out


FUNCTIONS = _public_functions()


def _ids(seeded, name: str) -> list[int]:
    if name == "user_id" or name.endswith("user_id"):
        return sorted(seeded.users.values())
    if name in ("location_id",):
        return [seeded.location_id]
    if name in ("service_id", "to_service_id"):
        return sorted(seeded.services.values())
    if name in ("counter_id", "to_counter_id"):
        return sorted(seeded.counters.values())
    return [1, 2, 3]


def _strategy(name: str, hint, param, seeded, now):
    hostile = st.sampled_from(WRONG) | st.sampled_from(HOSTILE_TEXT) | st.integers(-(2**70), 2**70)
    text = typing.get_origin(hint) in (typing.Union, getattr(__import__("types"), "UnionType")) and \
        str in typing.get_args(hint) or hint is str
    if name == "now":
        good = st.sampled_from([now, now + dt.timedelta(hours=3), now + dt.timedelta(days=1)])
    elif name.endswith("_id") or name == "limit" or hint is int:
        good = st.sampled_from(_ids(seeded, name)) | st.integers(-5, 500)
    elif hint is bool:
        good = st.booleans()
    elif hint is float:
        good = st.floats(0, 300, allow_nan=False)
    elif hint in (dt.date,) or name in ("day", "start_day", "received_on"):
        good = st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31))
    elif hint is dt.datetime or name in ("start", "end"):
        good = st.datetimes(dt.datetime(2026, 11, 1), dt.datetime(2027, 1, 31),
                            timezones=st.just(dt.UTC)).map(lambda d: d.replace(second=0, microsecond=0))
    elif name in GOOD_TEXT:
        good = st.sampled_from(GOOD_TEXT[name])
    elif text:
        good = st.sampled_from(PLAIN_TEXT) | st.text(max_size=40)
    elif name in ("service_ids", "roles"):
        good = st.lists(st.sampled_from(_ids(seeded, "service_id")), max_size=3)
    elif name == "periods":
        good = st.lists(st.sampled_from([("09:00", "12:00"), ("13:00", "16:30"), (600, 700), ("x", None)]), max_size=2)
    elif name == "hours":
        good = st.dictionaries(st.integers(-1, 7), st.lists(st.sampled_from([("09:00", "12:00"), (1, 0)]),
                                                            max_size=2), max_size=3)
    elif name == "photos":
        good = st.lists(st.tuples(st.sampled_from(["a.jpg", None, "../x"]),
                                  st.sampled_from([b"\xff\xd8\xff" + b"x" * 10, b"", "text"])), max_size=2)
    elif name in ("latitude", "longitude"):
        good = st.floats(3, 54) | st.sampled_from(["53,33", "6.7"])
    else:
        good = st.sampled_from([None, 1, "1", "x"])
    if param.default is not inspect.Parameter.empty:
        good = good | st.just(param.default)
    return st.one_of(good, good, hostile)  # two in three valid-ish


def _kwargs_strategy(fn, backend, seeded, now):
    hints = typing.get_type_hints(fn)
    fields = {}
    for name, param in inspect.signature(fn).parameters.items():
        if name == "backend":
            continue
        if name == "contact":
            continue  # a VisitContact made by contacts.visit_contact (checked there)
        fields[name] = _strategy(name, hints.get(name), param, seeded, now)
    return st.fixed_dictionaries(fields)


@pytest.fixture
def counter_open(backend, seeded, now):
    """A counter signed in with a called visitor, so the ticket actions have something to act on."""
    anne, counter = seeded.users["anne"], seeded.counters["Balie 1"]
    queue.sign_in(backend, anne, counter, now)
    for _ in range(3):
        queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    queue.call_next(backend, anne, counter, now)


def test_every_service_raises_only_typed_errors(backend, seeded, now, counter_open):
    assert len(FUNCTIONS) > 60
    failures = []
    for label, fn in FUNCTIONS:
        if label in ("setup.bootstrap", "contacts.visit_contact"):
            continue
        strategy = _kwargs_strategy(fn, backend, seeded, now)

        def call(fn):
            @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                      suppress_health_check=list(HealthCheck))
            @given(kwargs=strategy)
            def run(kwargs):
                try:
                    fn(backend, **kwargs)
                except DomainError:
                    pass
            run()

        try:
            call(fn)
        except Exception as exc:  # noqa: BLE001 - collect every function's failure, then report
            failures.append(f"{label}: {type(exc).__name__}: {str(exc)[:300]}")
    assert not failures, "\n".join(failures)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(max_size=60), question=st.text(max_size=200))
def test_valid_text_round_trips(backend, seeded, now, name, question):
    anne = seeded.users["anne"]
    try:
        info, _slip = contacts.write_callback(backend, anne, seeded.location_id, now, caller_name=name,
                                              phone="0612345678", question=question, for_team="Burgerzaken")
    except ValidationError as err:
        assert err.field in ("caller_name", "question")
        return
    assert info.caller_name == name.strip() and info.question == question.strip()
    stored = {c.id: c for c in contacts.open_callbacks(backend, anne, seeded.location_id, now)}[info.id]
    assert (stored.caller_name, stored.question) == (name.strip(), question.strip())
