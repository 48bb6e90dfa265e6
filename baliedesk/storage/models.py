"""SQLAlchemy 2 models (typed ``Mapped[]`` style).

Times are stored as UTC; on SQLite (no time zones) as naive UTC, returned as
aware UTC by :class:`UTCDateTime`. Queue sort keys are epoch milliseconds so
that the ordering rule is the same arithmetic on both backends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[dt.datetime]):
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; BalieDesk stores aware UTC times only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime, dict[str, Any]: JSON}


class Location(Base):
    __tablename__ = "locations"
    __mapper_args__ = {"eager_defaults": False}  # the deferred details below are not read back on INSERT

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Amsterdam")
    ordering_mode: Mapped[str] = mapped_column(String(20), default="longest_wait")
    no_show_after_recalls: Mapped[int] = mapped_column(Integer, default=2)
    counter_gone_after_s: Mapped[int] = mapped_column(Integer, default=120)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The location's own details (migration 0010), printed on slips and shown on screens.
    # Deferred (one SELECT for the group when first read): the queue's reads of a location
    # never need them, and code that knows only the older columns keeps working.
    street: Mapped[str] = mapped_column(String(120), server_default="", deferred=True, deferred_group="details")
    house_number: Mapped[str] = mapped_column(String(16), server_default="", deferred=True, deferred_group="details")
    postcode: Mapped[str] = mapped_column(String(8), server_default="", deferred=True, deferred_group="details")
    place: Mapped[str] = mapped_column(String(80), server_default="", deferred=True, deferred_group="details")
    phone: Mapped[str] = mapped_column(String(32), server_default="", deferred=True, deferred_group="details")
    website: Mapped[str] = mapped_column(String(200), server_default="", deferred=True, deferred_group="details")
    tracking_base_url: Mapped[str] = mapped_column(String(200), server_default="", deferred=True, deferred_group="details")


class Service(Base):
    __tablename__ = "services"
    __table_args__ = (UniqueConstraint("location_id", "prefix", name="uq_services_location_prefix"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    prefix: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    color: Mapped[str] = mapped_column(String(9), default="#1F4E8C")
    expected_minutes: Mapped[float] = mapped_column(Float, default=10.0)
    walk_in: Mapped[bool] = mapped_column(Boolean, default=True)
    appointments: Mapped[bool] = mapped_column(Boolean, default=False)
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Counter(Base):
    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("location_id", "name", name="uq_counters_location_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(60))
    display_name: Mapped[str] = mapped_column(String(60))  # what the hall sees: "Balie 3"
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    signed_in_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class CounterService(Base):
    __tablename__ = "counter_services"

    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)


class TicketSequence(Base):
    """The last number issued per location, service and day: the numbering's single point of truth."""

    __tablename__ = "ticket_sequences"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # The number, not (service, seq): a transfer changes the service and keeps the number.
        UniqueConstraint("location_id", "day", "number", name="uq_tickets_number_per_day"),
        # Only waiting tickets are ever searched for "volgende": a partial index
        # keeps the claim fast however much history the table holds.
        Index(
            "ix_tickets_waiting",
            "location_id",
            "priority_class",
            "queue_ms",
            postgresql_where=text("state = 'waiting'"),
            sqlite_where=text("state = 'waiting'"),
        ),
        Index(
            "ix_tickets_held",
            "counter_id",
            postgresql_where=text("state IN ('called', 'serving')"),
            sqlite_where=text("state IN ('called', 'serving')"),
        ),
        Index("ix_tickets_location_day", "location_id", "day"),
        Index("ix_tickets_service_finished", "service_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(12))
    state: Mapped[str] = mapped_column(String(12), default="waiting")
    priority_class: Mapped[int] = mapped_column(Integer, default=2)
    arrived_ms: Mapped[int] = mapped_column(BigInteger)
    queue_ms: Mapped[int] = mapped_column(BigInteger)
    issued_at: Mapped[dt.datetime] = mapped_column()
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    called_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    source: Mapped[str] = mapped_column(String(20), default="kiosk")


class TicketEvent(Base):
    """Every state change of a ticket: the history every figure is computed from."""

    __tablename__ = "ticket_events"
    __table_args__ = (
        Index("ix_ticket_events_ticket", "ticket_id", "id"),
        Index("ix_ticket_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(12))
    from_state: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_state: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column()
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    data: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)


# ---------------------------------------------------------------------------
# opening schedules and appointments (see baliedesk.domain.calendar)
# ---------------------------------------------------------------------------
class LocationCalendar(Base):
    """A location's choices for closure days, the kiosk and appointments. No row: the defaults."""

    __tablename__ = "location_calendars"

    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"), primary_key=True)
    good_friday: Mapped[bool] = mapped_column(Boolean, default=False)
    liberation_day: Mapped[str] = mapped_column(String(12), default="lustrum")
    kiosk_stop_minutes: Mapped[int] = mapped_column(Integer, default=10)
    appointments_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    checkin_early_minutes: Mapped[int] = mapped_column(Integer, default=30)
    checkin_late_minutes: Mapped[int] = mapped_column(Integer, default=5)
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class OpeningPeriod(Base):
    """One period of a weekly pattern: of the location (service_id NULL) or, narrower, of one service."""

    __tablename__ = "opening_periods"
    __table_args__ = (Index("ix_opening_periods_location", "location_id", "service_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), nullable=True)
    weekday: Mapped[int] = mapped_column(Integer)  # Monday = 0
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)


class ScheduleException(Base):
    """Other hours on one date (no periods: closed), for the location or one service."""

    __tablename__ = "schedule_exceptions"
    __table_args__ = (
        # One exception per date for the location and one per date per service
        # (NULLs are distinct in a plain unique constraint, hence two partial indexes).
        Index("uq_schedule_exceptions_location_day", "location_id", "day", unique=True,
              postgresql_where=text("service_id IS NULL"), sqlite_where=text("service_id IS NULL")),
        Index("uq_schedule_exceptions_service_day", "location_id", "service_id", "day", unique=True,
              postgresql_where=text("service_id IS NOT NULL"), sqlite_where=text("service_id IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), nullable=True)
    day: Mapped[dt.date] = mapped_column(Date)
    periods: Mapped[list[Any]] = mapped_column(JSON)  # [[start_minute, end_minute], ...]; [] = closed
    note: Mapped[str] = mapped_column(String(200), default="")


class AppointmentBlock(Base):
    """No appointments in this time (lunch, team meeting): weekly (weekday) or on one date (day)."""

    __tablename__ = "appointment_blocks"
    __table_args__ = (Index("ix_appointment_blocks_location", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), nullable=True)
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    start_minute: Mapped[int] = mapped_column(Integer)
    end_minute: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(String(200), default="")
    # One counter out (migration 0005): its place is taken out, the others stay bookable.
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), nullable=True)


class ServiceAppointmentSettings(Base):
    """How a service takes appointments (the switch itself is ``services.appointments``)."""

    __tablename__ = "service_appointment_settings"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=10)
    max_parallel: Mapped[int | None] = mapped_column(Integer, nullable=True)  # None: every counter serving it
    bring_list: Mapped[str] = mapped_column(Text, default="")  # "neem mee", one item per line


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("code", name="uq_appointments_code"),
        # Capacity is counted over the active appointments of a service and day.
        Index("ix_appointments_active", "service_id", "day", "slot_start",
              postgresql_where=text("state IN ('booked', 'checked_in')"),
              sqlite_where=text("state IN ('booked', 'checked_in')")),
        Index("ix_appointments_location_day", "location_id", "day"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    code: Mapped[str] = mapped_column(String(12))
    day: Mapped[dt.date] = mapped_column(Date)  # the location's local date of the slot
    slot_start: Mapped[dt.datetime] = mapped_column()
    slot_end: Mapped[dt.datetime] = mapped_column()
    state: Mapped[str] = mapped_column(String(12), default="booked")
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    remarks: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column()
    changed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    moved_count: Mapped[int] = mapped_column(Integer, default=0)
    checked_in_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("tickets.id"), nullable=True)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # retention (migration 0007)


# ---------------------------------------------------------------------------
# meldingen openbare ruimte, contacts, callback notes, complaints
# ---------------------------------------------------------------------------
#: The open states of a melding, as the partial indexes and the work-list queries spell them
#: (the same literal text, so both PostgreSQL and SQLite match the index's WHERE).
MELDING_OPEN_SQL = "state IN ('doorgezet', 'gemeld', 'heropend', 'in_behandeling')"
_BIGID = BigInteger().with_variant(Integer, "sqlite")


class MeldingCategory(Base):
    __tablename__ = "melding_categories"
    __table_args__ = (UniqueConstraint("main", "sub", name="uq_melding_categories_main_sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    main: Mapped[str] = mapped_column(String(80))
    sub: Mapped[str] = mapped_column(String(80))
    team: Mapped[str] = mapped_column(String(80))
    term_days: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class RecordSequence(Base):
    """Last number per kind ('M' melding, 'K' klacht) and year."""

    __tablename__ = "record_sequences"

    kind: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class Melding(Base):
    __tablename__ = "meldingen"
    __table_args__ = (
        UniqueConstraint("number", name="uq_meldingen_number"),
        UniqueConstraint("tracking_code", name="uq_meldingen_tracking_code"),
        # Work list: open meldingen of a team by due date (overdue first), and of everybody.
        Index("ix_meldingen_open_team_due", "team", "due_date", "id",
              postgresql_where=text(MELDING_OPEN_SQL), sqlite_where=text(MELDING_OPEN_SQL)),
        Index("ix_meldingen_open_due", "due_date", "id",
              postgresql_where=text(MELDING_OPEN_SQL), sqlite_where=text(MELDING_OPEN_SQL)),
        # Duplicate look-up at intake: same category and street or postcode area, open, recent.
        Index("ix_meldingen_dup_street", "category_id", "street_key", "created_at",
              postgresql_where=text(MELDING_OPEN_SQL), sqlite_where=text(MELDING_OPEN_SQL)),
        Index("ix_meldingen_dup_area", "category_id", "postcode_area", "created_at",
              postgresql_where=text(MELDING_OPEN_SQL), sqlite_where=text(MELDING_OPEN_SQL)),
        Index("ix_meldingen_state_created", "state", "created_at"),
        Index("ix_meldingen_created", "created_at"),
        Index("ix_meldingen_linked", "linked_to_id"),
    )

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    number: Mapped[str] = mapped_column(String(16))
    tracking_code: Mapped[str] = mapped_column(String(12))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("melding_categories.id"))
    team: Mapped[str] = mapped_column(String(80))  # the category's team when it came in
    term_days: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16), default="gemeld")
    channel: Mapped[str] = mapped_column(String(16))
    urgency: Mapped[str] = mapped_column(String(10), default="normaal")
    description: Mapped[str] = mapped_column(Text)
    street: Mapped[str | None] = mapped_column(String(120), nullable=True)
    street_key: Mapped[str | None] = mapped_column(String(120), nullable=True)
    house_number: Mapped[int | None] = mapped_column(Integer, nullable=True)
    house_addition: Mapped[str | None] = mapped_column(String(12), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(7), nullable=True)
    postcode_area: Mapped[str | None] = mapped_column(String(4), nullable=True)
    place: Mapped[str | None] = mapped_column(String(80), nullable=True)
    location_text: Mapped[str | None] = mapped_column(String(300), nullable=True)
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    reporter_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    reporter_phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reporter_email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    wants_feedback: Mapped[bool] = mapped_column(Boolean, default=False)
    received_on: Mapped[dt.date] = mapped_column(Date)  # the location's local date it came in
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    changed_at: Mapped[dt.datetime] = mapped_column()
    closed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    linked_to_id: Mapped[int | None] = mapped_column(_BIGID, ForeignKey("meldingen.id"), nullable=True)
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # retention (migration 0007)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # a tombstone from then on


class MeldingPhoto(Base):
    """A photo stored with its melding (a BLOB: one backup, one transaction, no shared folder needed)."""

    __tablename__ = "melding_photos"
    __table_args__ = (Index("ix_melding_photos_melding", "melding_id"),)

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    melding_id: Mapped[int] = mapped_column(_BIGID, ForeignKey("meldingen.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column()


class MeldingHistory(Base):
    __tablename__ = "melding_history"
    __table_args__ = (Index("ix_melding_history_melding", "melding_id", "id"),)

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    melding_id: Mapped[int] = mapped_column(_BIGID, ForeignKey("meldingen.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime] = mapped_column()
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    from_state: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_state: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class ContactRecord(Base):
    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_location_at", "location_id", "created_at"),)

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    channel: Mapped[str] = mapped_column(String(16))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(12))  # eerstelijn | doorgezet
    passed_to: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    ticket_id: Mapped[int | None] = mapped_column(_BIGID, ForeignKey("tickets.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class CallbackNote(Base):
    __tablename__ = "callback_notes"
    __table_args__ = (
        Index("ix_callback_notes_open_due", "due_date", "id",
              postgresql_where=text("done_at IS NULL"), sqlite_where=text("done_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    caller_name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(32))
    question: Mapped[str] = mapped_column(Text)
    for_team: Mapped[str | None] = mapped_column(String(80), nullable=True)
    for_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    due_date: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reached: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # retention (migration 0007)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        UniqueConstraint("number", name="uq_complaints_number"),
        Index("ix_complaints_state_due", "state", "due_date"),
    )

    id: Mapped[int] = mapped_column(_BIGID, primary_key=True)
    number: Mapped[str] = mapped_column(String(16))
    location_id: Mapped[int] = mapped_column(ForeignKey("locations.id"))
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(32), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(12), default="ingediend")
    received_on: Mapped[dt.date] = mapped_column(Date)
    due_date: Mapped[dt.date] = mapped_column(Date)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    outcome: Mapped[str | None] = mapped_column(Text, nullable=True)
    handled_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    handled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column()
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    anonymised_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)  # retention (migration 0007)
