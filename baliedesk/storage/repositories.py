"""Repositories: the queries and writes the services need, nothing more.

Services see these through the protocols in :mod:`baliedesk.services.ports`;
they never import SQLAlchemy.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BigInteger,
    Date,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    null,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from baliedesk.domain.ordering import MAX_WEIGHT, MIN_WEIGHT, Candidate, OrderingMode, weight_for
from baliedesk.storage.models import (
    Counter,
    CounterService,
    Location,
    Service,
    Ticket,
    TicketEvent,
    TicketSequence,
    User,
)

_T = Ticket.__table__.c
#: The ticket columns "volgende" reads back from the claim; the claim itself
#: sets state, counter_id, target_counter_id, recall_count and called_at.
_CLAIMED_COLUMNS = ("id", "number", "location_id", "service_id", "priority_class", "issued_at", "arrived_ms",
                    "finished_at", "outcome", "note")
_PG_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: no transaction open on the connection
_HELD = ("called", "serving")
# The states as SQL literals, not bound parameters: a partial index
# (``state = 'waiting'``, ``state IN ('called', 'serving')``) is only usable when
# the query spells out the same constant (always so on SQLite; on PostgreSQL for
# the generic plans of prepared statements).
_WAITING = literal_column("'waiting'")
_HELD_SQL = tuple(literal_column(f"'{state}'") for state in _HELD)
# Searching waiting tickets, SQLite would rather use (location_id, day) and read
# all of today's tickets, the served ones too; with a unary + on the day it
# takes the partial index of waiting tickets instead, however busy the day.
_SQLITE_DAY = literal_column("+tickets.day", type_=Ticket.__table__.c.day.type)

# Hot-path statements are built once, with bound parameters, and reused: the
# statement's cache key is memoised and SQLAlchemy's compiled cache hits, so a
# call costs no SQL construction or compilation. They run as Core statements on
# the unit of work's connection (same transaction), skipping the ORM layer.
_STATEMENTS: dict[Any, Any] = {}
#: What a caller gives for an event stored with a claim (ticket and service come from the claim).
_EVENT_FIELDS = ("action", "from_state", "to_state", "at", "counter_id", "user_id", "data")
#: Every column of an event but its id: the one INSERT of add_event (a field not given is NULL).
_ADD_EVENT_FIELDS = frozenset(("ticket_id", "service_id", *_EVENT_FIELDS))


def _add_event_statement() -> Any:
    events = TicketEvent.__table__
    return insert(events).values({name: bindparam(name, type_=events.c[name].type)
                                  for name in sorted(_ADD_EVENT_FIELDS)})


#: What a caller of call_next_for gives for the event (moment, counter and user are the call's own).
_CALL_EVENT_FIELDS = ("action", "from_state", "to_state", "data")
_MAX_CACHED_CLAIMS = 128  # fair-share weights are part of the claim statement


_STATEMENTS_LOCK = threading.RLock()  # a build may itself use the cache


def _cached(key: Any, build: Any) -> Any:
    stmt = _STATEMENTS.get(key)
    if stmt is None:
        with _STATEMENTS_LOCK:  # the UI runs units of work on a thread pool
            if len(_STATEMENTS) > _MAX_CACHED_CLAIMS + 16:
                for k in [k for k in _STATEMENTS if isinstance(k, tuple) and k[0] == "claim"]:
                    del _STATEMENTS[k]
            stmt = _STATEMENTS[key] = build()
    return stmt


#: Called with (sql, parameters as the driver gets them) before a driver statement runs
#: (benchmarks capture the claim with it).
driver_trace: Callable[[str, Any], None] | None = None


class _DriverStatement:
    """A statement compiled once for one dialect and run straight on the driver's cursor.

    For the statements of "volgende" (PostgreSQL and SQLite). SQLAlchemy still
    writes the SQL, and its column types still convert every value (their bind
    and result processors: UTC times, JSON); what is skipped is the
    per-execution machinery (execution context, result metadata built from the
    cursor description), which costs more than the statement itself. Driver
    errors become SQLAlchemy's ``DBAPIError`` as usual (a lost connection is
    invalidated), so the unit of work reports them the same way.
    """

    def __init__(self, stmt: Any, dialect: Any) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql = compiled.string
        # SQLite's driver takes "?" parameters in this order; psycopg takes them by name.
        self.positional = tuple(compiled.positiontup) if compiled.positional else None
        self.defaults = dict(compiled.params)  # values written into the statement itself
        # The dialect's own form of each type (SQLite keeps times as text: its DATETIME parses them).
        processors = {name: bind.type.dialect_impl(dialect).bind_processor(dialect)
                      for bind, name in compiled.bind_names.items()}
        self.bind_processors = [(name, process) for name, process in processors.items() if process is not None]
        # A SELECT's columns, or what an INSERT/UPDATE returns (none without RETURNING).
        columns = list(stmt.selected_columns) if hasattr(stmt, "selected_columns") else list(stmt.exported_columns)
        self.result_processors = [
            (i, process) for i, column in enumerate(columns)
            if (process := column.type.dialect_impl(dialect).result_processor(dialect, None)) is not None
        ]
        self.row_type = namedtuple("Row", [column.key for column in columns])  # type: ignore[misc]

    def first(self, conn: Connection, params: Mapping[str, Any]) -> Any | None:
        """The first row the statement gives (its only one, for the statements used here)."""
        row = self._execute(conn, params, fetch=True)
        if row is None:
            return None
        if self.result_processors:
            row = list(row)
            for i, process in self.result_processors:
                row[i] = process(row[i])
        return self.row_type._make(row)

    def run(self, conn: Connection, params: Mapping[str, Any]) -> None:
        """Run a statement that gives no rows (an INSERT or UPDATE without RETURNING)."""
        self._execute(conn, params, fetch=False)

    def _execute(self, conn: Connection, params: Mapping[str, Any], fetch: bool) -> Any | None:
        values = {**self.defaults, **params}
        for name, process in self.bind_processors:
            values[name] = process(values[name])
        bound = values if self.positional is None else tuple(values[name] for name in self.positional)
        if driver_trace is not None:
            driver_trace(self.sql, bound)
        raw = conn.connection.dbapi_connection
        cursor = raw.cursor()
        try:
            cursor.execute(self.sql, bound)
            return cursor.fetchone() if fetch else None
        except conn.dialect.loaded_dbapi.Error as exc:
            lost = conn.dialect.is_disconnect(exc, raw, None)
            if lost:
                conn.invalidate(exc)
            raise DBAPIError.instance(self.sql, values, exc, conn.dialect.loaded_dbapi.Error,
                                      connection_invalidated=lost, dialect=conn.dialect) from exc
        finally:
            cursor.close()


_DRIVER_DIALECTS = ("postgresql", "sqlite")


def _driver(conn: Connection, key: Any, build: Any) -> _DriverStatement | None:
    """The driver statement for a cached hot-path statement, when it may run straight
    on the driver: inside the unit of work's transaction (on SQLite that is the
    ``BEGIN`` SQLAlchemy's begin event sent, so the driver's own statements join it)."""
    dialect = conn.dialect
    if dialect.name not in _DRIVER_DIALECTS or not conn.in_transaction():
        return None
    return _cached(("driver", dialect.name, key), lambda: _DriverStatement(_cached(key, build), dialect))


def _first(conn: Connection, key: Any, build: Any, params: Mapping[str, Any]) -> Any | None:
    """The first row of a cached hot-path statement: straight on the driver in a
    transaction (see :class:`_DriverStatement`), else through SQLAlchemy."""
    driver = _driver(conn, key, build)
    if driver is not None:
        return driver.first(conn, params)
    return conn.execute(_cached(key, build), params).first()


def _run(conn: Connection, key: Any, build: Any, params: Mapping[str, Any]) -> None:
    """Run a cached hot-path statement that gives no rows, like :func:`_first`."""
    driver = _driver(conn, key, build)
    if driver is not None:
        driver.run(conn, params)
    else:
        conn.execute(_cached(key, build), params)


class TicketRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- numbering -------------------------------------------------------
    def next_sequence(self, location_id: int, service_id: int, day: dt.date) -> int:
        """Atomically take the next number for (location, service, day).

        One upsert statement: concurrent kiosks serialise on this one row, so
        two never get the same number (PostgreSQL row lock; SQLite's write lock).
        """
        conn = self.s.connection()
        stmt = _cached(("next_sequence", conn.dialect.name), lambda: self._next_sequence_statement(conn.dialect.name))
        params = {"p_location_id": location_id, "p_service_id": service_id, "p_day": day}
        return int(conn.execute(stmt, params).scalar_one())

    @staticmethod
    def _next_sequence_statement(dialect: str) -> Any:
        upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = TicketSequence.__table__
        return (
            upsert(table)
            .values(location_id=bindparam("p_location_id"), service_id=bindparam("p_service_id"),
                    day=bindparam("p_day"), last_number=1)
            .on_conflict_do_update(
                index_elements=[table.c.location_id, table.c.service_id, table.c.day],
                set_={"last_number": table.c.last_number + 1},
            )
            .returning(table.c.last_number)
        )

    # -- single tickets ----------------------------------------------------
    def add(self, ticket: Ticket) -> Ticket:
        self.s.add(ticket)
        self.s.flush()
        return ticket

    def new(self, **fields: Any) -> Ticket:
        return self.add(Ticket(**fields))

    def get(self, ticket_id: int, *, lock: bool = False) -> Ticket | None:
        stmt = select(Ticket).where(Ticket.id == ticket_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def held_by(self, counter_id: int) -> list[Ticket]:
        stmt = (
            select(Ticket)
            .where(Ticket.counter_id == counter_id, Ticket.state.in_(_HELD_SQL))
            .order_by(Ticket.called_at)
        )
        return list(self.s.execute(stmt).scalars())

    def open_before(self, location_id: int, day: dt.date) -> list[Ticket]:
        """Tickets of earlier days at this location that are still waiting or held (oldest first)."""
        stmt = (
            select(Ticket)
            .where(Ticket.location_id == location_id, Ticket.day < day,
                   Ticket.state.in_((_WAITING, *_HELD_SQL)))
            .order_by(Ticket.id)
        )
        return list(self.s.execute(stmt).scalars())

    def held_at(self, location_id: int) -> list[Ticket]:
        stmt = select(Ticket).where(Ticket.location_id == location_id, Ticket.state.in_(_HELD_SQL))
        return list(self.s.execute(stmt).scalars())

    # -- the claim -------------------------------------------------------
    def claim_next(
        self,
        *,
        location_id: int,
        day: dt.date,
        counter_id: int,
        service_ids: Sequence[int],
        now: dt.datetime,
        now_ms: int,
        mode: OrderingMode,
        weights: Mapping[int, float],
        user_id: int,
        event: Mapping[str, Any] | None = None,
        touch_counter: bool = False,
    ) -> Any | None:
        """Take the next ticket for this counter in one atomic statement.

        ``UPDATE ... WHERE id = (SELECT ... ORDER BY <rule> LIMIT 1 FOR UPDATE
        SKIP LOCKED) AND state = 'waiting' RETURNING ...``. On PostgreSQL a
        ticket another counter is claiming at this instant is skipped, not
        waited for; on SQLite the write transaction (BEGIN IMMEDIATE) already
        serialises claims. The ORDER BY is :func:`baliedesk.domain.ordering.order_key`.

        ``event``: the event the caller wants stored for the claimed ticket
        (``action``, ``from_state``, ``to_state``, ``at``, ``counter_id``,
        ``user_id``, ``data``; ticket and service come from the claim).
        ``touch_counter``: also set the counter's ``last_seen_at`` to ``now`` (if
        ``user_id`` is signed in there), whether or not a ticket was claimed. On
        PostgreSQL both go into the claim's statement (data-modifying CTEs), so
        "volgende" costs one round trip; on SQLite they follow it.

        Returns the claimed ticket as a read-only row (every ticket column, plus
        ``service_prefix`` and ``service_name`` of its service), or None.
        """
        if mode is OrderingMode.FAIR_SHARE:
            # Every weighted service, not only the counter's own: a ticket transferred
            # to this counter may belong to another service and keeps that service's weight.
            shape: tuple = tuple(sorted((sid, weight_for(sid, mode, weights)) for sid in {*service_ids, *weights}))
        else:
            shape = ()
        conn = self.s.connection()
        dialect = conn.dialect.name
        combined = dialect == "postgresql"
        record, touch = combined and event is not None, combined and touch_counter
        key = ("claim", dialect, mode, shape, record, touch)
        build = lambda: self._claim_statement(dialect, mode, dict(shape), record, touch)  # noqa: E731
        # (Bound parameters in an UPDATE may not be named like the table's columns.)
        params = {"p_location_id": location_id, "p_day": day, "p_counter_id": counter_id,
                  "p_service_ids": list(service_ids), "p_now": now, "p_now_ms": now_ms, "p_user_id": user_id}
        if record:
            params.update({f"e_{key}": event.get(key) for key in _EVENT_FIELDS})
        if combined and not (record or touch):
            ticket = conn.execute(_cached(key, build), params).first()
        else:  # PostgreSQL's SELECT from the data-modifying CTEs, or SQLite's UPDATE ... RETURNING
            if not combined:
                params["p_service_ids"] = json.dumps([int(i) for i in service_ids])
            ticket = _first(conn, key, build, params)
        if not combined:
            if ticket is not None and event is not None:
                self.add_event(ticket_id=ticket.id, service_id=ticket.service_id, **event)
            if touch_counter:
                DirectoryRepository(self.s).touch_counter(counter_id, user_id, now)
        return ticket

    # -- "volgende" for a counter: context, guard and claim -------------------
    def call_next_for(
        self,
        *,
        counter_id: int,
        user_id: int,
        now: dt.datetime,
        now_ms: int,
        serve_roles: Sequence[str],
        event: Mapping[str, Any],
    ) -> tuple[CounterContext, Any | None]:
        """Read the counter's context and claim its next ticket, if the counter may.

        The counter may claim when the user exists, is active, has one of
        ``serve_roles``, is signed in at this counter, the counter holds no
        ticket and serves at least one service (:func:`may_claim`). The caller
        gets the context (as it was before the claim) to say why nothing was
        claimed; the claim itself follows :meth:`claim_next` (ordering mode and
        weights of the counter's location, the location's own day), stores an
        event for the claimed ticket (``event``: ``action``, ``from_state``,
        ``to_state``, ``data``; at ``now``, by this counter and user) and
        refreshes the counter's heartbeat.

        On PostgreSQL context, guard, claim, event and heartbeat are one
        statement, run on its own (autocommit) when nothing else happened in
        this transaction yet: "volgende" then costs one round trip and a
        single-statement transaction, which is atomic by itself. On SQLite
        they are the context read and :meth:`claim_next` inside the unit of
        work's ``BEGIN IMMEDIATE`` transaction.
        """
        conn = self.s.connection()
        if conn.dialect.name != "postgresql":
            directory = DirectoryRepository(self.s)
            ctx = directory.counter_context(counter_id, user_id)
            if not may_claim(ctx, serve_roles):
                return ctx, None
            location = ctx.location
            mode = OrderingMode(location.ordering_mode)
            weights = {s.id: s.weight for s in directory.services(location.id)} if mode is OrderingMode.FAIR_SHARE \
                else {}
            ticket = self.claim_next(
                location_id=location.id, day=now.astimezone(ZoneInfo(location.timezone)).date(),
                counter_id=counter_id, service_ids=ctx.service_ids, now=now, now_ms=now_ms, mode=mode,
                weights=weights, user_id=user_id, touch_counter=True,
                event={**{key: event.get(key) for key in _CALL_EVENT_FIELDS}, "at": now, "counter_id": counter_id,
                       "user_id": user_id},
            )
            return ctx, ticket
        params = {"p_counter_id": counter_id, "p_user_id": user_id, "p_now": now, "p_now_ms": now_ms,
                  "p_roles": list(serve_roles), **{f"e_{key}": event.get(key) for key in _CALL_EVENT_FIELDS}}
        driver = _cached(("driver", "postgresql", "call_next_pg"),
                         lambda: _DriverStatement(_cached("call_next_pg", self._call_next_statement), conn.dialect))
        raw = conn.connection.dbapi_connection
        alone = raw.info.transaction_status == _PG_IDLE  # nothing else in this transaction yet
        if alone:
            raw.autocommit = True
        try:
            row = driver.first(conn, params)
        finally:
            if alone and not raw.closed:
                raw.autocommit = False
        if row is None:  # no such user
            return CounterContext(None, None, None, [], None), None
        user = _UserRow(row.c_user_id, row.c_role, row.c_active)
        counter = location = None
        if row.c_counter_id is not None:
            counter = _CounterRow(row.c_counter_id, row.c_location_id, row.c_name, row.c_signed_in)
            location = _LocationRow(row.c_location_id, row.c_timezone, row.c_mode)
        services = row.c_services
        ctx = CounterContext(user, counter, location,
                             sorted(int(x) for x in services.split(",")) if services else [], row.c_held)
        if row.id is None:
            return ctx, None
        return ctx, _ClaimedRow(*(getattr(row, name) for name in _CLAIMED_COLUMNS), state="called",
                                counter_id=counter_id, target_counter_id=None, recall_count=0,
                                called_at=now.astimezone(dt.UTC), service_prefix=row.service_prefix,
                                service_name=row.service_name)

    @classmethod
    def _call_next_statement(cls) -> Any:
        """PostgreSQL: ``WITH ctx AS (SELECT user, counter, location, held ticket, services), ok AS
        (SELECT <guard> FROM ctx), claimed AS (UPDATE tickets ... WHERE id = (SELECT ... FOR UPDATE
        SKIP LOCKED) ... RETURNING ...), claim_event AS (INSERT ...), counter_seen AS (UPDATE
        counters ...) SELECT ctx.*, claimed.*, service FROM ctx LEFT JOIN claimed ...``.

        Kept short on purpose (constants inline, no column labels the driver does
        not need): psycopg caches its conversion of statements up to 4 KB only.
        """
        users, counters, locations, services = User.__table__, Counter.__table__, Location.__table__, \
            Service.__table__
        tickets, events = Ticket.__table__, TicketEvent.__table__
        links = CounterService.__table__.c
        counter_id, user_id = bindparam("p_counter_id"), bindparam("p_user_id")
        now_ms = bindparam("p_now_ms", type_=BigInteger)
        now = bindparam("p_now", type_=_T.called_at.type)
        held = (
            select(_T.number)
            .where(_T.counter_id == counters.c.id, _T.state.in_(_HELD_SQL))
            .order_by(_T.called_at, _T.id)
            .limit(literal_column("1"))
            .scalar_subquery()
        )
        service_list = (
            select(func.string_agg(cast(links.service_id, String), literal_column("','")))
            .where(links.counter_id == counters.c.id)
            .scalar_subquery()
        )
        ctx = (
            select(
                users.c.id.label("c_user_id"), users.c.role.label("c_role"), users.c.active.label("c_active"),
                counters.c.id.label("c_counter_id"), counters.c.location_id.label("c_location_id"),
                counters.c.display_name.label("c_name"), counters.c.signed_in_user_id.label("c_signed_in"),
                locations.c.timezone.label("c_timezone"), locations.c.ordering_mode.label("c_mode"),
                held.label("c_held"),
                service_list.label("c_services"),
                # The location's own calendar day of this moment.
                cast(func.timezone(locations.c.timezone, now), Date).label("c_day"),
            )
            .select_from(users.outerjoin(counters, counters.c.id == counter_id)
                         .outerjoin(locations, locations.c.id == counters.c.location_id))
            .where(users.c.id == user_id)
            .cte("ctx")
        )
        # The guard: the rules of may_claim().
        ok = select(
            func.coalesce(and_(
                ctx.c.c_active.is_(True),
                ctx.c.c_role == any_(bindparam("p_roles", type_=postgresql.ARRAY(String))),
                ctx.c.c_signed_in == ctx.c.c_user_id,
                ctx.c.c_held.is_(None),
                ctx.c.c_services.is_not(None),
            ), literal_column("false")).label("allowed")
        ).cte("ok")
        allowed = select(ok.c.allowed).scalar_subquery()
        one = lambda column: select(column).scalar_subquery()  # noqa: E731 - ctx has at most one row
        # The ordering rule of claim_next, with the mode and the weights read from the location and services.
        not_yet = and_(_T.priority_class == literal_column("0"), _T.queue_ms > now_ms)
        eff_class = case((not_yet, literal_column("2")), else_=_T.priority_class)
        eff_time = case((not_yet, _T.arrived_ms), else_=_T.queue_ms)
        weight = (
            select(func.least(func.greatest(services.c.weight, literal_column(repr(MIN_WEIGHT))),
                              literal_column(repr(MAX_WEIGHT))))
            .where(services.c.id == _T.service_id)
            .scalar_subquery()
        )
        fair = case(
            (one(ctx.c.c_mode) == literal_column(f"'{OrderingMode.FAIR_SHARE.value}'"),
             -((now_ms - eff_time) * weight)),
            else_=literal_column("0.0"),
        )
        ids = (
            select(_T.id)
            .where(
                allowed,
                _T.location_id == one(ctx.c.c_location_id),
                _T.day == one(ctx.c.c_day),
                _T.state == _WAITING,
                or_(_T.target_counter_id == counter_id,
                    and_(_T.target_counter_id.is_(None),
                         _T.service_id.in_(select(links.service_id).where(links.counter_id == counter_id)))),
            )
            .order_by(eff_class, fair, eff_time, _T.id)
            .limit(literal_column("1"))
            .with_for_update(skip_locked=True, of=tickets)
        )
        claimed = (
            update(tickets)
            .where(_T.id == ids.scalar_subquery(), _T.state == _WAITING)
            .values(state=literal_column("'called'"), counter_id=counter_id, target_counter_id=null(),
                    called_at=now, recall_count=literal_column("0"))
            .returning(*(tickets.c[name] for name in _CLAIMED_COLUMNS))
            .cte("claimed")
        )
        # The event: what the caller says happened, at this moment, by this counter and user.
        values = {
            "ticket_id": claimed.c.id,
            **{key: bindparam(f"e_{key}", type_=events.c[key].type) for key in _CALL_EVENT_FIELDS},
            "at": now, "counter_id": counter_id, "user_id": user_id,
            "service_id": claimed.c.service_id,
        }
        claim_event = insert(events).from_select(list(values), select(*values.values())).cte("claim_event")
        seen = (
            update(counters)
            .where(counters.c.id == counter_id, counters.c.signed_in_user_id == user_id, allowed)
            .values(last_seen_at=now)
            .cte("counter_seen")
        )
        return (
            select(
                *[c for c in ctx.c if c.key != "c_day"],
                *claimed.c,
                services.c.prefix.label("service_prefix"),
                services.c.name.label("service_name"),
            )
            .select_from(ctx.outerjoin(claimed, literal_column("true"))
                         .outerjoin(services, services.c.id == claimed.c.service_id))
            .add_cte(claim_event)
            .add_cte(seen)
        )

    @classmethod
    def _claim_statement(cls, dialect: str, mode: OrderingMode, weights: Mapping[int, float],
                         record: bool = False, touch: bool = False) -> Any:
        tickets = Ticket.__table__
        services = Service.__table__
        counter_id = bindparam("p_counter_id")
        if dialect == "postgresql":  # one array parameter: the same SQL text for any number of services
            of_services = _T.service_id == any_(bindparam("p_service_ids", type_=postgresql.ARRAY(Integer)))
        else:  # one JSON array parameter, for the same reason
            of_services = _T.service_id.in_(
                select(literal_column("value")).select_from(func.json_each(bindparam("p_service_ids", type_=String)))
            )
        day = _SQLITE_DAY if dialect == "sqlite" else _T.day
        ids = (
            select(_T.id)
            .where(
                _T.location_id == bindparam("p_location_id"),
                day == bindparam("p_day"),
                _T.state == _WAITING,
                or_(_T.target_counter_id == counter_id, and_(_T.target_counter_id.is_(None), of_services)),
            )
            .order_by(*cls.order_by(bindparam("p_now_ms", type_=BigInteger), mode, weights, list(weights)))
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(tickets)
            .where(_T.id == ids.scalar_subquery(), _T.state == _WAITING)
            .values(
                state="called",
                counter_id=counter_id,
                target_counter_id=None,
                called_at=bindparam("p_now", type_=_T.called_at.type),
                recall_count=0,
            )
        )
        if not (record or touch):
            service_of = services.c.id == _T.service_id
            return claim.returning(
                *tickets.c,
                select(services.c.prefix).where(service_of).scalar_subquery().label("service_prefix"),
                select(services.c.name).where(service_of).scalar_subquery().label("service_name"),
            )
        # PostgreSQL: WITH claimed AS (UPDATE ... RETURNING *), claim_event AS (INSERT ...
        # SELECT FROM claimed), counter_seen AS (UPDATE counters ...) SELECT claimed.*, ...
        claimed = claim.returning(*tickets.c).cte("claimed")
        stmt = select(
            *claimed.c, services.c.prefix.label("service_prefix"), services.c.name.label("service_name")
        ).join_from(claimed, services, services.c.id == claimed.c.service_id)
        if record:
            events = TicketEvent.__table__
            values = {
                "ticket_id": claimed.c.id,
                **{key: bindparam(f"e_{key}", type_=events.c[key].type) for key in _EVENT_FIELDS},
                "service_id": claimed.c.service_id,
            }
            stmt = stmt.add_cte(insert(events).from_select(list(values), select(*values.values())).cte("claim_event"))
        if touch:
            counters = Counter.__table__
            seen = (
                update(counters)
                .where(counters.c.id == counter_id, counters.c.signed_in_user_id == bindparam("p_user_id"))
                .values(last_seen_at=bindparam("p_now", type_=counters.c.last_seen_at.type))
            )
            stmt = stmt.add_cte(seen.cte("counter_seen"))
        return stmt

    @staticmethod
    def order_by(now_ms: int | ColumnElement, mode: OrderingMode, weights: Mapping[int, float],
                 service_ids: Iterable[int]) -> list[Any]:
        """``now_ms``: epoch milliseconds, or a bound parameter that will carry them."""
        now = now_ms if isinstance(now_ms, ColumnElement) else literal(now_ms)
        not_yet = and_(Ticket.priority_class == 0, Ticket.queue_ms > now)
        eff_class = case((not_yet, 2), else_=Ticket.priority_class)
        eff_time = case((not_yet, Ticket.arrived_ms), else_=Ticket.queue_ms)
        if mode is OrderingMode.FAIR_SHARE:
            # All weighted services: a ticket targeted at this counter may be of a service it does not serve.
            w = {sid: weight_for(sid, mode, weights) for sid in {*service_ids, *weights}}
            weight = case(w, value=Ticket.service_id, else_=literal(1.0)) if w else literal(1.0)
            effective_wait = (now - eff_time) * weight
            return [eff_class, effective_wait.desc(), eff_time, Ticket.id]
        return [eff_class, eff_time, Ticket.id]

    # -- lists -----------------------------------------------------------
    def waiting(self, location_id: int, day: dt.date) -> list[Ticket]:
        stmt = (
            select(Ticket)
            .where(Ticket.location_id == location_id, self._waiting_day(day), Ticket.state == _WAITING)
            .order_by(Ticket.priority_class, Ticket.queue_ms, Ticket.id)
        )
        return list(self.s.execute(stmt).scalars())

    def waiting_candidates(self, location_id: int, day: dt.date, *, queue_of: Candidate | None = None
                           ) -> list[Candidate]:
        """Today's waiting tickets as the ordering rule sees them.

        ``queue_of``: only the tickets in that ticket's own queue (its service's
        tickets for any counter, or those sent to its counter), as
        :func:`baliedesk.domain.ordering.people_ahead` counts them.
        """
        conn = self.s.connection()
        dialect = conn.dialect.name
        kind = None if queue_of is None else ("counter" if queue_of.target_counter_id is not None else "service")

        def build() -> Any:
            day_column = _SQLITE_DAY if dialect == "sqlite" else _T.day
            stmt = select(_T.id, _T.service_id, _T.priority_class, _T.arrived_ms, _T.queue_ms,
                          _T.target_counter_id).where(
                _T.location_id == bindparam("location_id"), day_column == bindparam("day", type_=_T.day.type),
                _T.state == _WAITING,
            )
            if kind == "counter":
                return stmt.where(_T.target_counter_id == bindparam("counter_id"))
            if kind == "service":
                return stmt.where(_T.target_counter_id.is_(None), _T.service_id == bindparam("service_id"))
            return stmt

        params = {"location_id": location_id, "day": day}
        if queue_of is not None:
            params.update(counter_id=queue_of.target_counter_id, service_id=queue_of.service_id)
        rows = conn.execute(_cached(("waiting_candidates", dialect, kind), build), params).all()
        return [Candidate(*row) for row in rows]

    def _waiting_day(self, day: dt.date) -> Any:
        """``tickets.day = day`` for a search among waiting tickets (see ``_SQLITE_DAY``)."""
        return (_SQLITE_DAY if self.s.get_bind().dialect.name == "sqlite" else _T.day) == day

    def recent_calls(self, location_id: int, day: dt.date, limit: int) -> list[Ticket]:
        stmt = (
            select(Ticket)
            .where(Ticket.location_id == location_id, Ticket.day == day, Ticket.called_at.is_not(None))
            .order_by(Ticket.called_at.desc(), Ticket.id.desc())
            .limit(limit)
        )
        return list(self.s.execute(stmt).scalars())

    def no_shows_since(self, location_id: int, day: dt.date, since: dt.datetime) -> list[Ticket]:
        """The day's no-shows marked at or after ``since``, the most recent first (for "toch gekomen")."""
        stmt = (
            select(Ticket)
            .where(Ticket.location_id == location_id, Ticket.day == day, Ticket.state == "no_show",
                   Ticket.finished_at >= since)
            .order_by(Ticket.finished_at.desc(), Ticket.id.desc())
        )
        return list(self.s.execute(stmt).scalars())

    def recent_handling_seconds(self, service_ids: Sequence[int], since: dt.datetime, per_service: int) -> dict[int, list[float]]:
        """Handling times (call to finish) of recently finished visits, oldest first."""
        stmt = _cached("recent_handling", lambda: (
            select(_T.service_id, _T.called_at, _T.finished_at)
            .where(
                _T.service_id.in_(bindparam("service_ids", expanding=True)),
                _T.finished_at >= bindparam("since", type_=_T.finished_at.type),
                _T.state == literal_column("'finished'"),
            )
            .order_by(_T.finished_at.desc())
            .limit(bindparam("limit", type_=Integer))
        ))
        params = {"service_ids": list(service_ids), "since": since, "limit": per_service * max(1, len(service_ids))}
        out: dict[int, list[float]] = {sid: [] for sid in service_ids}
        for service_id, called_at, finished_at in self.s.connection().execute(stmt, params).all():
            if called_at and finished_at and len(out[service_id]) < per_service:
                out[service_id].append((finished_at - called_at).total_seconds())
        return {k: list(reversed(v)) for k, v in out.items()}

    # -- events ------------------------------------------------------------
    def add_event(self, **fields: Any) -> None:
        """Store one event at once: a Core INSERT in the unit of work's transaction, no ORM flush."""
        if self.s.new:
            self.s.flush()  # a ticket added but not yet flushed must exist before its event
        conn = self.s.connection()
        if _ADD_EVENT_FIELDS.issuperset(fields):
            _run(conn, "add_event_fixed", _add_event_statement,
                 {name: fields.get(name) for name in _ADD_EVENT_FIELDS})
            return
        # inline(): no RETURNING of the new id, nobody needs it.
        conn.execute(_cached("add_event", lambda: insert(TicketEvent.__table__).inline()), fields)

    def events(self, ticket_id: int) -> list[TicketEvent]:
        stmt = select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)
        return list(self.s.execute(stmt).scalars())

    def count(self) -> int:
        return int(self.s.execute(select(func.count()).select_from(Ticket)).scalar_one())


# What "volgende" needs of the user, the counter and the location (read-only rows;
# few columns: every column of a result costs the driver a little every time).
_UserRow = namedtuple("_UserRow", ["id", "role", "active"])
#: A ticket claimed by :meth:`TicketRepository.call_next_for`: every ticket column and its service's prefix and name.
_ClaimedRow = namedtuple("_ClaimedRow", [*_CLAIMED_COLUMNS, "state", "counter_id", "target_counter_id", "recall_count",
                                         "called_at", "service_prefix", "service_name"])
_CounterRow = namedtuple("_CounterRow", ["id", "location_id", "display_name", "signed_in_user_id"])
_LocationRow = namedtuple("_LocationRow", ["id", "timezone", "ordering_mode"])


@dataclass(frozen=True)
class CounterContext:
    """What a counter action needs to know first, read in one statement.

    ``user`` is None when the user does not exist; ``counter`` (and then
    ``location``) None when the counter does not exist. The rows are read-only
    snapshots of the columns named in ``_UserRow``, ``_CounterRow`` and
    ``_LocationRow``. ``held_number``: the number of the ticket this counter
    holds (called or serving; the earliest called), if any.
    """

    user: Any | None
    counter: Any | None
    location: Any | None
    service_ids: list[int]
    held_number: str | None


def may_claim(ctx: CounterContext, serve_roles: Sequence[str]) -> bool:
    """The guard of "volgende" (see :meth:`TicketRepository.call_next_for`); on PostgreSQL the same in SQL."""
    user, counter = ctx.user, ctx.counter
    return bool(
        user is not None and user.active and user.role in serve_roles and counter is not None
        and counter.signed_in_user_id == user.id and ctx.held_number is None and ctx.service_ids
    )


class DirectoryRepository:
    """Locations, services, counters and users."""

    _KINDS: dict[str, type] = {"location": Location, "service": Service, "counter": Counter, "user": User}

    def __init__(self, session: Session) -> None:
        self.s = session

    def create(self, kind: str, **fields: Any) -> Any:
        """Create a configuration row: a location, service, counter or user."""
        return self.add(self._KINDS[kind](**fields))

    def count_users(self) -> int:
        return int(self.s.execute(select(func.count()).select_from(User)).scalar_one())

    def add(self, obj: Any) -> Any:
        self.s.add(obj)
        self.s.flush()
        return obj

    def user(self, user_id: int) -> User | None:
        return self.s.get(User, user_id)

    def user_by_name(self, username: str) -> User | None:
        return self.s.execute(select(User).where(User.username == username)).scalar_one_or_none()

    def users(self) -> list[User]:
        return list(self.s.execute(select(User).order_by(User.display_name)).scalars())

    def location(self, location_id: int) -> Location | None:
        return self.s.get(Location, location_id)

    def locations(self) -> list[Location]:
        return list(self.s.execute(select(Location).order_by(Location.id)).scalars())

    def service(self, service_id: int) -> Service | None:
        return self.s.get(Service, service_id)

    def services(self, location_id: int) -> list[Service]:
        stmt = select(Service).where(Service.location_id == location_id).order_by(Service.sort_order, Service.prefix)
        return list(self.s.execute(stmt).scalars())

    def counter(self, counter_id: int, *, lock: bool = False) -> Counter | None:
        stmt = select(Counter).where(Counter.id == counter_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def counters(self, location_id: int) -> list[Counter]:
        stmt = select(Counter).where(Counter.location_id == location_id).order_by(Counter.id)
        return list(self.s.execute(stmt).scalars())

    def counter_service_ids(self, counter_id: int) -> list[int]:
        stmt = select(CounterService.service_id).where(CounterService.counter_id == counter_id).order_by(CounterService.service_id)
        return list(self.s.execute(stmt).scalars())

    def all_counter_service_ids(self, location_id: int) -> dict[int, list[int]]:
        stmt = (
            select(CounterService.counter_id, CounterService.service_id)
            .join(Counter, Counter.id == CounterService.counter_id)
            .where(Counter.location_id == location_id)
        )
        out: dict[int, list[int]] = {}
        for counter_id, service_id in self.s.execute(stmt):
            out.setdefault(counter_id, []).append(service_id)
        return out

    def counter_presence(self, location_id: int) -> list[Any]:
        """Per counter of the location and service it serves: ``(counter_id, active,
        signed_in_user_id, last_seen_at, service_id)``; ``service_id`` None for a
        counter without services. One read (for "how many counters are open")."""
        counters, links = Counter.__table__, CounterService.__table__
        stmt = _cached("counter_presence", lambda: (
            select(counters.c.id, counters.c.active, counters.c.signed_in_user_id, counters.c.last_seen_at,
                   links.c.service_id)
            .select_from(counters.outerjoin(links, links.c.counter_id == counters.c.id))
            .where(counters.c.location_id == bindparam("location_id"))
            .order_by(counters.c.id, links.c.service_id)
        ))
        return list(self.s.connection().execute(stmt, {"location_id": location_id}).all())

    def set_counter_service_ids(self, counter_id: int, service_ids: Iterable[int]) -> None:
        self.s.execute(delete(CounterService).where(CounterService.counter_id == counter_id))
        for sid in sorted(set(service_ids)):
            self.s.add(CounterService(counter_id=counter_id, service_id=sid))
        self.s.flush()

    def touch_counter(self, counter_id: int, user_id: int, now: dt.datetime) -> None:
        counters = Counter.__table__
        _run(self.s.connection(), "touch_counter", lambda: (
            update(counters)
            .where(counters.c.id == bindparam("counter_id"), counters.c.signed_in_user_id == bindparam("user_id"))
            .values(last_seen_at=bindparam("now", type_=counters.c.last_seen_at.type))
        ), {"counter_id": counter_id, "user_id": user_id, "now": now})

    def counter_context(self, counter_id: int, user_id: int) -> CounterContext:
        """The acting user, the counter, its location, its services and what it holds: one read.

        The hot path of "volgende" (see ``services.queue.call_next``); permission
        checks stay with the caller.
        """
        conn = self.s.connection()
        dialect = conn.dialect.name
        row = _first(conn, ("counter_context", dialect), lambda: self._counter_context_statement(dialect),
                     {"counter_id": counter_id, "user_id": user_id})
        if row is None:
            return CounterContext(None, None, None, [], None)
        nu, nc, nl = len(_UserRow._fields), len(_CounterRow._fields), len(_LocationRow._fields)
        user = _UserRow._make(row[:nu])
        counter = _CounterRow._make(row[nu:nu + nc]) if row[nu] is not None else None
        location = _LocationRow._make(row[nu + nc:nu + nc + nl]) if counter is not None else None
        services = row[-1]
        service_ids = sorted(int(x) for x in services.split(",")) if services else []
        return CounterContext(user, counter, location, service_ids, row[-2])

    @staticmethod
    def _counter_context_statement(dialect: str) -> Any:
        users, counters, locations = User.__table__, Counter.__table__, Location.__table__
        links = CounterService.__table__.c
        held = (
            select(_T.number)
            .where(_T.counter_id == counters.c.id, _T.state.in_(_HELD_SQL))
            .order_by(_T.called_at, _T.id)
            .limit(1)
            .scalar_subquery()
        )
        if dialect == "postgresql":
            joined = func.string_agg(cast(links.service_id, String), literal_column("','"))
        else:
            joined = func.group_concat(links.service_id, literal_column("','"))
        service_ids = select(joined).where(links.counter_id == counters.c.id).scalar_subquery()
        source = users.outerjoin(counters, counters.c.id == bindparam("counter_id")).outerjoin(
            locations, locations.c.id == counters.c.location_id
        )
        return (
            select(
                *[users.c[name].label(f"user_{name}") for name in _UserRow._fields],
                *[counters.c[name].label(f"counter_{name}") for name in _CounterRow._fields],
                *[locations.c[name].label(f"location_{name}") for name in _LocationRow._fields],
                held.label("held_number"),
                service_ids.label("service_ids"),
            )
            .select_from(source)
            .where(users.c.id == bindparam("user_id"))
        )

