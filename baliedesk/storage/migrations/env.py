"""Alembic environment: uses the engine BalieDesk hands over (or the URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from baliedesk.storage import (  # noqa: F401 - their tables belong to Base.metadata
    models_addresses,
    models_auth,
    models_norms,
    models_privacy,
    models_robust,
    models_setup,
)
from baliedesk.storage.database import make_engine
from baliedesk.storage.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine: Engine | None = config.attributes.get("engine")
    own = engine is None
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # Batch mode rebuilds tables (copy, DROP, rename). With foreign keys on,
                # DROP TABLE runs the ON DELETE CASCADE actions and would empty the
                # referencing tables (ticket_events). The pragma only works outside a
                # transaction, so set it on the driver connection before BEGIN.
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")
            try:
                # Write lock on SQLite for the whole migration; harmless elsewhere.
                connection = connection.execution_options(baliedesk_write=True)
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_as_batch=sqlite,
                    compare_type=True,
                )
                with context.begin_transaction():
                    context.run_migrations()
                    if sqlite:
                        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                        if broken:
                            raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")
                connection.commit()
            finally:
                if sqlite:
                    connection.rollback()
                    connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")
    finally:
        if own:
            engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
