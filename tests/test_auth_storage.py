"""Migration 0006 (sign-in tables) goes down and up again without harm to the rest (both backends)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from baliedesk.services import auth, demo
from baliedesk.storage.database import Database
from baliedesk.storage.migrations_runner import alembic_config, current_revision, head_revision, upgrade

AUTH_TABLES = {"user_credentials", "sessions", "sign_in_attempts", "devices"}


def test_sign_in_migration_down_and_up(database_url, now):
    db = Database(database_url)
    try:
        db.upgrade()
        ids = demo.seed(db, now, history=False)
        auth.sign_in(db, "anne", demo.DEMO_PASSWORD, now)
        assert AUTH_TABLES <= set(inspect(db.engine).get_table_names())
        command.downgrade(alembic_config(db.engine), "0005")
        assert current_revision(db.engine) == "0005"
        assert not AUTH_TABLES & set(inspect(db.engine).get_table_names())
        with db.engine.connect() as conn:  # the people stay, without passwords
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == len(ids.users)
        assert upgrade(db.engine) == head_revision()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM user_credentials")).scalar_one() == 0
    finally:
        db.dispose()
