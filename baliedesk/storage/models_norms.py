"""Tables of the service norms (migration 0008): visit facts, targets and visitor ratings (KTO).

``visit_facts`` is derived data: one row per finished visit, replayed from its
ticket events (baliedesk.domain.norms.visit_fact) so the dashboard's counts are
grouped in SQL instead of replaying a year of events on every look.
``kto_ratings`` is anonymous on purpose: no ticket, person, counter or device,
and its time is kept to the hour only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from baliedesk.storage.models import Base

_BIGID = BigInteger().with_variant(Integer, "sqlite")


class VisitFact(Base):
    __tablename__ = "visit_facts"
    __table_args__ = (
        # Covering indexes: the tiles, the trend and the heat map read these without the table.
        Index("ix_visit_facts_period", "location_id", "day", "kind", "service_id", "day_part", "norm_wait_s"),
        Index("ix_visit_facts_week", "location_id", "day", "weekday", "hour", "service_id", "day_part", "wait_s"),
    )

    ticket_id: Mapped[int] = mapped_column(_BIGID, ForeignKey("tickets.id", ondelete="CASCADE"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    kind: Mapped[str] = mapped_column(String(12))
    day: Mapped[dt.date] = mapped_column(Date)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    hour: Mapped[int] = mapped_column(SmallInteger)
    day_part: Mapped[str] = mapped_column(String(8))
    arrived_at: Mapped[dt.datetime] = mapped_column()
    wait_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    norm_wait_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    handling_s: Mapped[int | None] = mapped_column(Integer, nullable=True)
    state: Mapped[str] = mapped_column(String(12))


class VisitHourly(Base):
    """Visits per day, hour, service, kind and day part: the heat map and the daily trend (derived)."""

    __tablename__ = "visit_hourly"
    __table_args__ = {"sqlite_with_rowid": False}

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    day_part: Mapped[str] = mapped_column(String(8), primary_key=True)
    weekday: Mapped[int] = mapped_column(SmallInteger)
    arrivals: Mapped[int] = mapped_column(Integer)
    called: Mapped[int] = mapped_column(Integer)
    wait_sum: Mapped[int] = mapped_column(BigInteger)


class VisitWaitMinutes(Base):
    """Called visits per day, service, kind, day part and norm wait in whole minutes rounded up
    (``wait_min``: a wait of 600 s is 10, of 601 s 11; capped at 241): the wait norms for any
    whole-minute threshold (derived)."""

    __tablename__ = "visit_wait_minutes"
    __table_args__ = {"sqlite_with_rowid": False}

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    day_part: Mapped[str] = mapped_column(String(8), primary_key=True)
    wait_min: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    visits: Mapped[int] = mapped_column(Integer)


class VisitFactProgress(Base):
    """Up to which local day every ticket of a location is final and has its fact."""

    __tablename__ = "visit_fact_progress"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    complete_through: Mapped[dt.date] = mapped_column(Date)


class NormTarget(Base):
    """A location's own target for a norm (service_id NULL), or one service's."""

    __tablename__ = "norm_targets"
    __table_args__ = (
        Index("uq_norm_targets_location", "location_id", "norm", unique=True,
              postgresql_where=text("service_id IS NULL"), sqlite_where=text("service_id IS NULL")),
        Index("uq_norm_targets_service", "location_id", "service_id", "norm", unique=True,
              postgresql_where=text("service_id IS NOT NULL"), sqlite_where=text("service_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), nullable=True)
    norm: Mapped[str] = mapped_column(String(24))
    target: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column()
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class KtoRating(Base):
    __tablename__ = "kto_ratings"
    __table_args__ = (Index("ix_kto_ratings_period", "location_id", "day", "service_id", "day_part", "rating"),)

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), nullable=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    comment: Mapped[str | None] = mapped_column(String(200), nullable=True)
    day: Mapped[dt.date] = mapped_column(Date)  # local date
    hour: Mapped[int] = mapped_column(SmallInteger)  # local hour: the counter time bucket
    day_part: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[dt.datetime] = mapped_column()  # to the hour


# Indexes on the existing tables for the figures (created by migration 0008; covering).
from baliedesk.storage.models import Appointment, CallbackNote, Complaint, ContactRecord, Melding  # noqa: E402

for _name, _table, _columns in (
    ("ix_meldingen_location_closed", Melding.__table__, ("location_id", "closed_at", "state", "received_on", "due_date")),
    ("ix_callback_notes_location_created", CallbackNote.__table__, ("location_id", "created_at", "due_date", "done_at")),
    ("ix_complaints_location_handled", Complaint.__table__, ("location_id", "handled_at", "state", "due_date")),
    ("ix_contacts_location_created_result", ContactRecord.__table__, ("location_id", "created_at", "result", "service_id")),
    ("ix_appointments_location_day_state", Appointment.__table__, ("location_id", "day", "state", "service_id")),
):
    Index(_name, *(_table.c[c] for c in _columns))
