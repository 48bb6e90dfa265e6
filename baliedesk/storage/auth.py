"""Repository for sign-in (``uow.auth``): credentials, sessions, failed-try counters, devices.

The services reach it through :class:`baliedesk.services.ports.AuthRepo`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from baliedesk.storage.models import User
from baliedesk.storage.models_auth import AuthSession, Device, SignInAttempts, UserCredential


class AuthRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- credentials ---------------------------------------------------------
    def credential(self, user_id: int) -> UserCredential | None:
        return self.s.get(UserCredential, user_id)

    def set_credential(self, user_id: int, password_hash: str, must_change: bool, now: dt.datetime) -> None:
        row = self.s.get(UserCredential, user_id)
        if row is None:
            self.s.add(UserCredential(user_id=user_id, password_hash=password_hash,
                                      must_change_password=must_change, changed_at=now))
        else:
            row.password_hash, row.must_change_password, row.changed_at = password_hash, must_change, now
        self.s.flush()

    def credentials(self) -> dict[int, Any]:
        return {c.user_id: c for c in self.s.execute(select(UserCredential)).scalars()}

    # -- failed tries --------------------------------------------------------
    def attempts(self, scope: str, key: str, *, lock: bool = False) -> SignInAttempts | None:
        """The counters of one key; ``lock``: create the row when missing and lock it until commit."""
        table = SignInAttempts.__table__
        if lock:
            conn = self.s.connection()
            upsert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            conn.execute(upsert(table).values(scope=scope, key=key, failures=0)
                         .on_conflict_do_nothing(index_elements=[table.c.scope, table.c.key]))
        stmt = select(SignInAttempts).where(SignInAttempts.scope == scope, SignInAttempts.key == key)
        if lock:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        return self.s.execute(stmt).scalar_one_or_none()

    def clear_attempts(self, scope: str, key: str) -> None:
        row = self.attempts(scope, key)
        if row is not None:
            self.s.delete(row)
            self.s.flush()

    # -- sessions ------------------------------------------------------------
    def new_session(self, **fields: Any) -> AuthSession:
        row = AuthSession(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def session_by_hash(self, token_hash: str) -> AuthSession | None:
        return self.s.execute(select(AuthSession).where(AuthSession.token_hash == token_hash)).scalar_one_or_none()

    def session(self, session_id: int) -> AuthSession | None:
        return self.s.get(AuthSession, session_id)

    def touch_session(self, session_id: int, now: dt.datetime) -> None:
        """Record a use; never moves ``last_seen_at`` back (two requests at once)."""
        self.s.execute(update(AuthSession).where(AuthSession.id == session_id, AuthSession.last_seen_at < now)
                       .values(last_seen_at=now).execution_options(synchronize_session=False))

    def revoke_sessions(self, user_id: int, now: dt.datetime, *, except_id: int | None = None) -> int:
        stmt = update(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        if except_id is not None:
            stmt = stmt.where(AuthSession.id != except_id)
        result = self.s.execute(stmt.values(revoked_at=now).execution_options(synchronize_session=False))
        return int(result.rowcount or 0)

    def open_sessions(self, user_id: int) -> list[AuthSession]:
        stmt = select(AuthSession).where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
        return list(self.s.execute(stmt.order_by(AuthSession.id)).scalars())

    def purge(self, before: dt.datetime) -> int:
        """Delete sessions that ended (expired or revoked) and failure counters last touched before ``before``."""
        gone = self.s.execute(delete(AuthSession).where(or_(AuthSession.expires_at < before,
                                                            AuthSession.revoked_at < before))
                              .execution_options(synchronize_session=False)).rowcount or 0
        stale = self.s.execute(delete(SignInAttempts).where(
            or_(SignInAttempts.locked_until.is_(None), SignInAttempts.locked_until < before),
            or_(SignInAttempts.last_failure_at.is_(None), SignInAttempts.last_failure_at < before),
        ).execution_options(synchronize_session=False)).rowcount or 0
        return int(gone) + int(stale)

    # -- devices -------------------------------------------------------------
    def new_device(self, **fields: Any) -> Device:
        row = Device(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def device(self, device_id: int, *, lock: bool = False) -> Device | None:
        stmt = select(Device).where(Device.id == device_id)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def device_of_user(self, user_id: int) -> Device | None:
        return self.s.execute(select(Device).where(Device.user_id == user_id)).scalar_one_or_none()

    def device_by_code(self, code_hash: str, *, lock: bool = False) -> Device | None:
        stmt = select(Device).where(Device.code_hash == code_hash)
        if lock:
            stmt = stmt.with_for_update()
        return self.s.execute(stmt).scalar_one_or_none()

    def devices(self) -> list[Device]:
        return list(self.s.execute(select(Device).order_by(Device.id)).scalars())

    def next_device_username(self) -> str:
        """``device-<n>``: one more than the highest device number in use."""
        names = self.s.execute(select(User.username).where(User.username.like("device-%"))).scalars()
        numbers = [int(n[7:]) for n in names if n[7:].isdigit()]
        return f"device-{max(numbers, default=0) + 1}"
