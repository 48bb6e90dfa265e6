"""Sign-in: credentials, sessions, failed-try counters and enrolled devices.

Secrets live apart from ``users``: the many reads of ``users`` (sign-in lists,
counters, names on screen) never carry a password hash, and a user row without
credentials (a device, a demo kiosk) simply cannot sign in with a password.
Tokens and device codes are stored only as their SHA-256 hash.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from baliedesk.storage.models import Base


class UserCredential(Base):
    __tablename__ = "user_credentials"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[dt.datetime]


class AuthSession(Base):
    __tablename__ = "sessions"
    __table_args__ = (
        Index("ix_sessions_user_open", "user_id", postgresql_where=text("revoked_at IS NULL"),
              sqlite_where=text("revoked_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(10))  # person | device
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"), nullable=True)
    method: Mapped[str] = mapped_column(String(20))  # password | enrolment | (later) oidc, windows
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]  # the absolute end
    idle_timeout_s: Mapped[int] = mapped_column(Integer)
    last_seen_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    address: Mapped[str] = mapped_column(String(80), default="")


class SignInAttempts(Base):
    """Failed tries per ``scope`` (``account``: a user name, existing or not; ``address``: a workstation)."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (UniqueConstraint("scope", "key", name="uq_sign_in_attempts_scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(80))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    locked_until: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Device(Base):
    """A kiosk or hall screen. It acts as its own ``users`` row (role kiosk/display, no password)."""

    __tablename__ = "devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(120))
    code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    code_expires_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    enrolled_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # the token was issued
    enrolled_address: Mapped[str] = mapped_column(String(80), default="")
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
