"""Run the Alembic migrations that ship inside the package.

Every start of a workstation checks the schema. When it is already at head
(the usual case) this costs one ``SELECT`` and no Alembic import: the head is
read from the migration files' ``revision``/``down_revision`` lines.
``tests/test_storage.py`` checks that reading against Alembic's own.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, inspect, text

from baliedesk.domain.errors import SchemaTooNew

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
_REV_RE = re.compile(r"^(down_revision|revision)\s*(?::\s*[^=]+)?=\s*(.+)$", re.MULTILINE)


def alembic_config(engine: Engine | None = None) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
        cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The head according to Alembic (authoritative; imports Alembic)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""


def quick_head_revision() -> str | None:
    """The single head read from the migration files, or None if that is not clear-cut."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REV_RE.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(found["revision"].strip().strip("'\""))
        down = found.get("down_revision", "None").strip()
        if down.startswith(("(", "[")):
            return None  # a merge revision: let Alembic decide
        if down != "None":
            parents.add(down.strip("'\""))
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def known_revisions() -> set[str]:
    """Every revision this build ships (read from the migration files, no Alembic import)."""
    out = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found = dict(_REV_RE.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            out.add(found["revision"].strip().strip("'\""))
    return out


def check_revision(current: str | None) -> None:
    """Refuse a database that a newer BalieDesk upgraded: its revision is unknown here, and
    running our migrations (or our code) on it could damage it."""
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(current)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the schema to ``revision``; returns the revision now in force."""
    current = current_revision(engine)
    check_revision(current)
    if revision == "head" and current is not None and current == quick_head_revision():
        return current
    from alembic import command

    command.upgrade(alembic_config(engine), revision)
    return current_revision(engine) or ""
