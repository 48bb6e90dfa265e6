"""The database as a window title and a log line shows: never a user name or a password."""

from __future__ import annotations

from sqlalchemy.engine import make_url

from baliedesk.storage.database import Database, describe_url


def test_describe_on_both_backends_hides_the_user(backend):
    url = make_url(backend.url)
    text = backend.describe()
    assert text
    if url.username:
        assert url.username not in text
    if url.password:
        assert url.password not in text
    assert "@" not in text and "***" not in text
    assert ("PostgreSQL" in text) == (backend.backend == "postgresql")


def test_describe_url_never_includes_user_or_password():
    text = describe_url("postgresql+psycopg://baliebeheer:Geheim123@db.gemeente.local:5433/baliedesk")
    assert text == "PostgreSQL baliedesk op db.gemeente.local:5433"
    assert "baliebeheer" not in text and "Geheim123" not in text
    assert describe_url("postgresql+psycopg://anne@localhost/test") == "PostgreSQL test op localhost"
    assert describe_url("sqlite:////home/anne/baliedesk.db") == "SQLite /home/anne/baliedesk.db"
    assert describe_url("not a url") == "database"


def test_a_database_object_describes_itself_without_the_user():
    db = Database("sqlite:///:memory:")
    try:
        assert db.describe().startswith("SQLite")
    finally:
        db.dispose()
