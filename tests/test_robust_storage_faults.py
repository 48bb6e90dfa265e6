"""Issue 14, cases 1 (storage part) and 3: a database that cannot be used raises a typed fault
from Database()/upgrade() — permanent ones told apart from temporary ones — and the file is
never changed by the attempt (bytes, and no journal files left next to it)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from baliedesk.domain.errors import (
    DatabaseCorrupt,
    DatabaseReadOnly,
    DatabaseUnavailable,
    DataFolderNotWritable,
    SchemaTooNew,
    StorageFault,
)
from baliedesk.storage.database import Database


def _open_and_upgrade(url: str) -> None:
    db = Database(url)
    try:
        db.upgrade()
    finally:
        db.dispose()


def _unchanged(path: Path, call) -> StorageFault:
    before = path.read_bytes()
    siblings = set(path.parent.iterdir())
    with pytest.raises(StorageFault) as err:
        call()
    assert path.read_bytes() == before
    assert set(path.parent.iterdir()) == siblings  # no -wal/-shm/-journal left behind
    assert not err.value.temporary
    return err.value


def _real_database(path: Path, now) -> None:
    from baliedesk.services import demo

    db = Database(f"sqlite:///{path}")
    db.upgrade()
    demo.seed(db, now, history=False)
    db.dispose()
    with sqlite3.connect(path) as conn:  # fold the WAL into the file, as after a clean exit
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")


def test_a_file_that_is_no_database(tmp_path):
    path = tmp_path / "baliedesk.sqlite3"
    path.write_bytes(b"not a database" * 100)
    assert isinstance(_unchanged(path, lambda: _open_and_upgrade(f"sqlite:///{path}")), DatabaseCorrupt)


def test_a_truncated_database(tmp_path, now):
    path = tmp_path / "baliedesk.sqlite3"
    _real_database(path, now)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert isinstance(_unchanged(path, lambda: _open_and_upgrade(f"sqlite:///{path}")), DatabaseCorrupt)


def test_a_damaged_page_inside(tmp_path, now):
    path = tmp_path / "baliedesk.sqlite3"
    _real_database(path, now)
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page * 3: page * 3 + 200] = b"\xff" * 200  # a b-tree page scribbled over
    path.write_bytes(bytes(data))
    assert isinstance(_unchanged(path, lambda: _open_and_upgrade(f"sqlite:///{path}")), DatabaseCorrupt)


def test_a_newer_schema_sqlite(tmp_path, now):
    path = tmp_path / "baliedesk.sqlite3"
    _real_database(path, now)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff_from_the_future'")
    err = _unchanged(path, lambda: _open_and_upgrade(f"sqlite:///{path}"))
    assert isinstance(err, SchemaTooNew) and err.revision == "ffff_from_the_future"


def test_a_newer_schema_on_both_backends(backend):
    from sqlalchemy import text

    with backend.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_from_the_future'"))
    with pytest.raises(SchemaTooNew):
        backend.upgrade()
    with backend.engine.connect() as conn:  # nothing was migrated or reset
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "ffff_from_the_future"


def test_a_data_folder_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with pytest.raises(DataFolderNotWritable) as err:
        _open_and_upgrade(f"sqlite:///{blocker / 'data' / 'baliedesk.sqlite3'}")
    assert not err.value.temporary and "data" in err.value.folder
    assert blocker.read_text() == "not a folder"


def test_a_read_only_sqlite_database_is_a_permanent_fault(tmp_path, now):
    from baliedesk.services import contacts, demo, queue

    path = tmp_path / "baliedesk.sqlite3"
    _real_database(path, now)
    ids = None
    db = Database(f"sqlite:///{path}")
    ids = demo.demo_ids(db)
    db.dispose()
    ro = Database(f"sqlite:///file:{path}?mode=ro&uri=true")
    try:
        assert queue.queue_snapshot(ro, ids.users["anne"], ids.location_id, now) is not None  # reading works
        with pytest.raises(DatabaseReadOnly) as err:
            contacts.register_contact(ro, ids.users["anne"], ids.location_id, now, channel="telefoon",
                                      subject="Paspoort")
        assert not err.value.temporary
    finally:
        ro.dispose()


def test_a_read_only_postgresql_is_a_permanent_fault(pg_backend, now):
    from baliedesk.services import contacts, demo

    ids = demo.seed(pg_backend, now, history=False)
    url = pg_backend.url.replace("-csearch_path", "-cdefault_transaction_read_only%3Don+-csearch_path")
    assert url != pg_backend.url
    ro = Database(url)
    try:
        with pytest.raises(DatabaseReadOnly):
            contacts.register_contact(ro, ids.users["anne"], ids.location_id, now, channel="telefoon",
                                      subject="Paspoort")
    finally:
        ro.dispose()


def test_temporary_faults_are_told_apart():
    from sqlalchemy.exc import OperationalError

    from baliedesk.storage.faults import classify

    busy = classify(OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked")))
    assert isinstance(busy, DatabaseUnavailable) and busy.temporary and busy.reason == "busy"
    ro = classify(OperationalError("INSERT", {}, sqlite3.OperationalError("attempt to write a readonly database")))
    assert isinstance(ro, DatabaseReadOnly) and not ro.temporary
    assert classify(ValueError("a bug")) is None
