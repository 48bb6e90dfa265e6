"""Models of personal-data protection (issue 12): location scoping, the audit log, retention settings.

The columns that mark a record as anonymised or destroyed live on the records
themselves (``anonymised_at``, ``destroyed_at`` in storage/models.py), so a
retention run is a handful of set-based UPDATEs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baliedesk.storage.models import Base

_BIGID = BigInteger().with_variant(Integer, "sqlite")


class UserLocation(Base):
    """A location a user works for. ``location_id`` NULL: every location (a beheerder, the privacy officer)."""

    __tablename__ = "user_locations"
    __table_args__ = (UniqueConstraint("user_id", "location_id", name="uq_user_locations"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), nullable=True)


class UserTeam(Base):
    """A team a user works in (meldingen). No rows: every team."""

    __tablename__ = "user_teams"
    __table_args__ = (UniqueConstraint("user_id", "team", name="uq_user_teams"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    team: Mapped[str] = mapped_column(String(80))


class AuditEntry(Base):
    """One read or change of personal data. Append-only (on PostgreSQL a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_user_at", "user_id", "at"),
        Index("ix_audit_log_record", "record_type", "record_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)  # no FK: the log outlives users
    workstation: Mapped[str] = mapped_column(String(120), default="")
    action: Mapped[str] = mapped_column(String(12))
    record_type: Mapped[str] = mapped_column(String(20))
    record_id: Mapped[int | None] = mapped_column(_BIGID, nullable=True)
    fields: Mapped[str] = mapped_column(String(400), default="")  # comma-separated field names, never values
    detail: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)  # counts, states: no personal values


class RetentionSetting(Base):
    """The term of one kind of data (see domain.retention.KINDS); no row: the default."""

    __tablename__ = "retention_settings"

    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    months: Mapped[int] = mapped_column(Integer)
    enabled: Mapped[bool] = mapped_column(default=True)
    changed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    changed_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
