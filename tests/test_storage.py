"""Storage: migrations, SQLite settings, write transactions, the change feed, UTC times."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import UniqueConstraint, event, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import StatementError

from baliedesk.services import queue
from baliedesk.storage.database import Database
from baliedesk.storage.feed import PostgresFeed, SQLiteFeed
from baliedesk.storage.migrations_runner import current_revision, head_revision
from baliedesk.storage.models import Base, Counter, User

ROOT = Path(__file__).resolve().parents[1]
TABLES = set(Base.metadata.tables)


def _tables(db: Database) -> set[str]:
    return set(inspect(db.engine).get_table_names())


# ---------------------------------------------------------------------------
# migrations
# ---------------------------------------------------------------------------
def test_upgrade_creates_the_schema_and_is_idempotent(database_url):
    db = Database(database_url)
    try:
        assert current_revision(db.engine) is None
        assert not (_tables(db) & TABLES)
        assert db.upgrade() == head_revision() != ""
        assert TABLES <= _tables(db)
        # Again: nothing to do, same revision, data kept.
        with db.unit_of_work(write=True) as uow:
            uow.directory.create("user", username="beheer", display_name="Beheerder", role="beheerder", active=True)
            uow.commit()
        assert db.upgrade() == head_revision()
        with db.unit_of_work() as uow:
            assert uow.directory.count_users() == 1
    finally:
        db.dispose()


def test_schema_matches_the_models(backend):
    """The migration and the models describe the same tables and columns."""
    insp = inspect(backend.engine)
    for name, table in Base.metadata.tables.items():
        assert {c["name"] for c in insp.get_columns(name)} == set(table.columns.keys()), name
        reflected = {tuple(u["column_names"]) for u in insp.get_unique_constraints(name)}
        declared = {tuple(c.name for c in u.columns) for u in table.constraints if isinstance(u, UniqueConstraint)}
        declared |= {(c.name,) for c in table.columns if c.unique}
        assert reflected == declared, name


def test_upgrade_keeps_existing_data(database_url, now, monkeypatch):
    """Upgrading a database in use loses nothing (SQLite rebuilds tables in batch mode)."""
    from baliedesk.services import demo
    from baliedesk.storage.migrations_runner import upgrade

    db = Database(database_url)
    try:
        upgrade(db.engine, "0001")
        # The code of revision 0001 had no opening hours: seed without the kiosk's
        # hours check, whose tables only come with revision 0003.
        with monkeypatch.context() as m:
            m.setattr(queue, "check_kiosk_open", lambda *args, **kwargs: None)
            # Nor locations per user and an audit log: those tables only come with revision 0007
            # (whose data step then gives every existing user their locations).
            from baliedesk.storage.privacy import PrivacyRepository

            m.setattr(PrivacyRepository, "set_user_locations", lambda *args, **kwargs: None)
            m.setattr(PrivacyRepository, "user_location_ids", lambda *args, **kwargs: [None])
            m.setattr(PrivacyRepository, "audit", lambda *args, **kwargs: None)
            m.setattr(PrivacyRepository, "audit_many", lambda *args, **kwargs: None)
            ids = demo.seed(db, now, history=True, passwords=False)  # no credentials table at 0001
        counts = _row_counts(db)
        assert counts["tickets"] > 0 and counts["ticket_events"] > counts["tickets"]
        assert db.upgrade() == head_revision()
        assert {name: n for name, n in _row_counts(db).items() if name in counts} == counts
        # And the queue still works on the upgraded schema.
        issued = queue.issue_ticket(db, ids.users["kiosk-ingang"], ids.services["M"], now)
        assert issued.ticket.state == "waiting"
        if db.backend == "sqlite":
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    finally:
        db.dispose()


def test_counter_blocks_migration_up_down_up(database_url, now):
    """0005 adds appointment_blocks.counter_id (removed with its counter); down to 0004 keeps the location's
    blocks and drops the blocks for one counter (without the column they would close the whole location)."""
    from alembic import command
    from sqlalchemy import text

    from baliedesk.services import appointments, demo
    from baliedesk.storage.migrations_runner import alembic_config, upgrade

    db = Database(database_url)
    try:
        assert db.upgrade() == head_revision()
        ids = demo.seed(db, now)
        lead = ids.users["fatima"]
        appointments.add_block(db, lead, ids.location_id, "09:00", "10:00", weekday=1, note="Werkoverleg")
        appointments.add_block(db, lead, ids.location_id, "12:00", "12:30", weekday=3,
                               counter_id=ids.counters["Balie 3"], note="Lunch")
        fks = inspect(db.engine).get_foreign_keys("appointment_blocks")
        assert any(fk["constrained_columns"] == ["counter_id"] and fk["referred_table"] == "counters"
                   for fk in fks), fks

        command.downgrade(alembic_config(db.engine), "0004")
        assert current_revision(db.engine) == "0004"
        assert "counter_id" not in {c["name"] for c in inspect(db.engine).get_columns("appointment_blocks")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT note FROM appointment_blocks")).scalars().all() == ["Werkoverleg"]

        assert upgrade(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT note, counter_id FROM appointment_blocks")).all() == [
                ("Werkoverleg", None)]
        with db.unit_of_work(write=True) as uow:
            spare = uow.directory.create("counter", location_id=ids.location_id, name="Balie 9",
                                         display_name="Balie 9", active=True).id
            uow.commit()
        appointments.add_block(db, lead, ids.location_id, "12:00", "12:30", weekday=3, counter_id=spare,
                               note="Lunch")
        with db.engine.begin() as conn:  # the counter goes: its blocks go with it
            if db.backend == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            conn.execute(text("DELETE FROM counters WHERE id = :c"), {"c": spare})
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT note FROM appointment_blocks")).scalars().all() == ["Werkoverleg"]
    finally:
        db.dispose()


def _row_counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        # Only the tables the schema has at this revision (later ones add tables).
        return {name: conn.exec_driver_sql(f"SELECT count(*) FROM {name}").scalar()
                for name in sorted(TABLES & _tables(db))}


def test_db_upgrade_command(database_url):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-m", "baliedesk", "db", "upgrade", "--database-url", database_url],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert head_revision() in proc.stdout
    db = Database(database_url)
    try:
        assert current_revision(db.engine) == head_revision()
        assert TABLES <= _tables(db)
    finally:
        db.dispose()


# ---------------------------------------------------------------------------
# SQLite specifics
# ---------------------------------------------------------------------------
@pytest.fixture
def sqlite_db(sqlite_backend):
    return sqlite_backend


def test_sqlite_pragmas(sqlite_db):
    with sqlite_db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar().lower() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    # WAL is a property of the file: a plain connection sees it too.
    path = make_url(sqlite_db.url).database
    raw = sqlite3.connect(path)
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    finally:
        raw.close()


def test_sqlite_write_units_begin_immediate_reads_deferred(sqlite_db):
    seen: list[str] = []

    @event.listens_for(sqlite_db.engine, "before_cursor_execute")
    def _spy(conn, cursor, statement, *args):
        seen.append(statement.strip().upper())

    with sqlite_db.unit_of_work(write=True) as uow:
        uow.directory.count_users()
    assert seen[0] == "BEGIN IMMEDIATE"
    seen.clear()
    with sqlite_db.unit_of_work() as uow:
        uow.directory.count_users()
    assert seen[0] == "BEGIN DEFERRED"


def test_sqlite_write_unit_takes_the_write_lock_at_begin(sqlite_db):
    """A write unit of work holds the write lock before it wrote anything."""
    path = make_url(sqlite_db.url).database
    with sqlite_db.unit_of_work(write=True):
        raw = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                raw.execute("BEGIN IMMEDIATE")
            # Readers are not blocked (WAL).
            assert raw.execute("SELECT count(*) FROM users").fetchone()[0] == 0
        finally:
            raw.close()
    raw = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("ROLLBACK")
    finally:
        raw.close()


def test_sqlite_second_writer_waits_instead_of_failing(sqlite_db):
    """Two threads read-then-write: the second waits for the first and sees its row."""
    first_in, first_may_commit = threading.Event(), threading.Event()
    second_started = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        with sqlite_db.unit_of_work(write=True) as uow:
            uow.directory.count_users()
            uow.directory.create("user", username="een", display_name="Een", role="kiosk", active=True)
            first_in.set()
            first_may_commit.wait(30)
            uow.commit()

    def second() -> None:
        try:
            second_started.set()
            with sqlite_db.unit_of_work(write=True) as uow:
                results["seen"] = uow.directory.count_users()  # read, then write on what was read
                uow.directory.create("user", username="twee", display_name="Twee", role="kiosk", active=True)
                uow.commit()
        except Exception as exc:  # noqa: BLE001 - reported below
            results["error"] = exc

    t1 = threading.Thread(target=first)
    t1.start()
    assert first_in.wait(30)
    t2 = threading.Thread(target=second)
    t2.start()
    assert second_started.wait(30)
    time.sleep(0.2)  # let the second writer reach the lock (not an assertion on time)
    first_may_commit.set()
    t1.join(30)
    t2.join(30)
    assert "error" not in results, results.get("error")
    assert results["seen"] == 1  # its transaction began after the first one committed
    with sqlite_db.unit_of_work() as uow:
        assert uow.directory.count_users() == 2


# ---------------------------------------------------------------------------
# the change feed
# ---------------------------------------------------------------------------
def test_feed_wakes_on_a_commit_from_another_connection(backend, seeded, now):
    kind = SQLiteFeed if backend.backend == "sqlite" else PostgresFeed
    feed = backend.open_feed(**({"interval": 0.01} if kind is SQLiteFeed else {}))
    assert isinstance(feed, kind)
    other = Database(backend.url)  # another engine, other connections: like another workstation
    try:
        assert feed.connected
        issued = queue.issue_ticket(other, seeded.users["kiosk-ingang"], seeded.services["A"], now)
        topic = queue.queue_topic(seeded.location_id)
        deadline = time.monotonic() + 30
        woke = False
        while time.monotonic() < deadline:
            if feed.wait(timeout=1.0):
                woke = True
                if kind is SQLiteFeed or topic in feed.topics:
                    break
        assert woke
        if kind is PostgresFeed:
            assert topic in feed.topics
        assert issued.ticket.number == "A001"
    finally:
        feed.close()
        other.dispose()
    assert not feed.connected


def test_sqlite_feed_is_quiet_without_changes(sqlite_db):
    feed = sqlite_db.open_feed(interval=0.01)
    try:
        assert feed.wait(timeout=0.2) is False
        # A read is not a change.
        with sqlite_db.unit_of_work() as uow:
            uow.directory.count_users()
        assert feed.wait(timeout=0.2) is False
    finally:
        feed.close()


def test_postgres_notify_is_sent_at_commit_not_before(pg_backend):
    backend = pg_backend
    feed = backend.open_feed()
    try:
        with backend.unit_of_work(write=True) as uow:
            uow.changed("queue:test-rollback")
            uow.rollback()
        with backend.unit_of_work(write=True) as uow:
            uow.changed("queue:test-commit")
            uow.commit()
        deadline = time.monotonic() + 30
        while "queue:test-commit" not in feed.topics and time.monotonic() < deadline:
            feed.wait(timeout=1.0)
        assert "queue:test-commit" in feed.topics
        assert "queue:test-rollback" not in feed.topics
    finally:
        feed.close()


# ---------------------------------------------------------------------------
# times
# ---------------------------------------------------------------------------
def test_utc_datetime_round_trip(backend, seeded):
    amsterdam_summer = dt.timezone(dt.timedelta(hours=2))
    moment = dt.datetime(2026, 7, 2, 17, 45, 12, 123000, tzinfo=amsterdam_summer)
    counter_id = seeded.counters["Balie 1"]
    with backend.unit_of_work(write=True) as uow:
        uow.directory.counter(counter_id).last_seen_at = moment
        uow.commit()
    with backend.unit_of_work() as uow:
        back = uow.session.execute(select(Counter.last_seen_at).where(Counter.id == counter_id)).scalar_one()
    assert back == moment
    assert back.utcoffset() == dt.timedelta(0)
    assert (back.hour, back.minute) == (15, 45)


def test_events_written_on_the_driver_read_back_like_orm_rows(backend, seeded, now):
    """add_event runs its INSERT straight on the driver (SQLite and PostgreSQL) with
    SQLAlchemy's own type conversions: times come back as the same UTC moment,
    JSON data as the same object, missing fields as NULL."""
    amsterdam_summer = dt.timezone(dt.timedelta(hours=2))
    moment = dt.datetime(2026, 7, 2, 17, 45, 12, 123000, tzinfo=amsterdam_summer)
    service_id = seeded.services["A"]
    ticket = queue.issue_ticket(backend, seeded.users["kiosk-ingang"], service_id, now).ticket
    with backend.unit_of_work(write=True) as uow:
        uow.tickets.add_event(ticket_id=ticket.id, service_id=service_id, action="recall", from_state="called",
                              to_state="called", at=moment, counter_id=seeded.counters["Balie 1"],
                              user_id=seeded.users["anne"], data={"recall": 2, "note": "één"})
        uow.tickets.add_event(ticket_id=ticket.id, service_id=service_id, action="note", to_state="waiting",
                              at=moment)
        uow.commit()
    with backend.unit_of_work() as uow:
        recall, note = uow.tickets.events(ticket.id)[-2:]
        assert (recall.action, recall.from_state, recall.to_state) == ("recall", "called", "called")
        assert recall.at == moment and recall.at.utcoffset() == dt.timedelta(0)
        assert recall.data == {"recall": 2, "note": "één"}
        assert (recall.counter_id, recall.user_id) == (seeded.counters["Balie 1"], seeded.users["anne"])
        assert (note.from_state, note.counter_id, note.user_id, note.data) == (None, None, None, None)


def test_naive_datetime_refused(backend, seeded):
    with backend.unit_of_work(write=True) as uow:
        uow.directory.counter(seeded.counters["Balie 1"]).last_seen_at = dt.datetime(2026, 7, 2, 17, 45)
        with pytest.raises(StatementError, match="naive datetime"):
            uow.flush()


def test_user_table_round_trip_keeps_text_verbatim(backend):
    name = "Ça va? 'x'; DROP TABLE users; -- \u202eשלום"
    with backend.unit_of_work(write=True) as uow:
        uow.directory.create("user", username="u1", display_name=name, role="kiosk", active=True)
        uow.commit()
    with backend.unit_of_work() as uow:
        assert uow.session.execute(select(User.display_name)).scalar_one() == name


def test_quick_head_matches_alembic():
    """Start-up skips Alembic when the schema is at head; its reading of the head must be Alembic's."""
    from baliedesk.storage.migrations_runner import quick_head_revision

    assert quick_head_revision() == head_revision()
