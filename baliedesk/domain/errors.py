"""Typed errors that carry data. The user interface words the message."""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """Base of every rule violation. Subclasses are dataclasses with the facts."""

    def __str__(self) -> str:  # pragma: no cover - for logs only
        return f"{type(self).__name__}({self.__dict__})"


@dataclass(eq=False)
class InvalidTransition(DomainError):
    ticket_number: str
    state: str
    action: str


@dataclass(eq=False)
class PermissionDenied(DomainError):
    role: str
    permission: str


@dataclass(eq=False)
class NotYourLocation(PermissionDenied):
    """The acting person does not work for this location (services.common.require_location)."""

    location_id: int = 0


@dataclass(eq=False)
class NotYourTeam(PermissionDenied):
    """The melding belongs to a team the acting person does not work in."""

    team: str = ""


@dataclass(eq=False)
class NotFound(DomainError):
    kind: str
    key: object


@dataclass(eq=False)
class InactiveUser(DomainError):
    user_id: int


@dataclass(eq=False)
class NoShowTooEarly(DomainError):
    ticket_number: str
    recalls: int
    required: int


@dataclass(eq=False)
class CounterBusy(DomainError):
    """The counter still has a visitor; finish or put them back first."""

    counter_name: str
    ticket_number: str


@dataclass(eq=False)
class CounterInUse(DomainError):
    """Another person is signed in at this counter and still active."""

    counter_name: str
    user_name: str


@dataclass(eq=False)
class NotSignedIn(DomainError):
    counter_name: str


@dataclass(eq=False)
class NotYourTicket(DomainError):
    ticket_number: str
    counter_name: str


@dataclass(eq=False)
class ServiceNotOffered(DomainError):
    """The service does not take walk-ins here, or is not active."""

    service_code: str


@dataclass(eq=False)
class NoCounterServices(DomainError):
    counter_name: str


@dataclass(eq=False)
class ValidationError(DomainError):
    field: str
    code: str
    limit: int | None = None


@dataclass(eq=False)
class TicketNumbersExhausted(DomainError):
    service_code: str
    day: str


@dataclass(eq=False)
class StorageUnavailable(DomainError):
    """The database could not be reached or stayed busy; nothing was saved."""

    detail: str = ""


@dataclass(eq=False)
class NotSignedInHere(DomainError):
    """An action that acts as a person was asked before anyone signed in on this workstation."""

    operation: str


# ---------------------------------------------------------------------------
# opening schedules and appointments
# ---------------------------------------------------------------------------
@dataclass(eq=False)
class PeriodInsideOut(DomainError):
    """A period that ends before (or when) it starts. Minutes after midnight."""

    start: int
    end: int
    weekday: int | None = None  # Monday = 0, for a weekly pattern
    day: object = None  # a datetime.date, for a dated exception


@dataclass(eq=False)
class PeriodsOverlap(DomainError):
    """Two periods of the same day overlap. Minutes after midnight."""

    first_start: int
    first_end: int
    second_start: int
    second_end: int
    weekday: int | None = None
    day: object = None


@dataclass(eq=False)
class ServiceClosed(DomainError):
    """The kiosk does not issue tickets: closed, or about to close.

    ``reason`` is ``"closed"`` or ``"closing"``; the moments are aware and in
    the location's time zone; ``today`` is the location's local date.
    """

    service_code: str
    reason: str
    next_opening: object = None  # datetime.datetime | None
    closes_at: object = None  # datetime.datetime | None
    today: object = None  # datetime.date


@dataclass(eq=False)
class AppointmentsDisabled(DomainError):
    """Appointments are switched off for this location or service."""

    service_code: str = ""


@dataclass(eq=False)
class SlotUnavailable(DomainError):
    """The slot cannot be booked: ``full``, ``past``, or ``not_a_slot`` (closed, blocked, off the grid)."""

    service_code: str
    start: object  # datetime.datetime, in the location's time zone
    reason: str


@dataclass(eq=False)
class AppointmentNotActive(DomainError):
    """Only a booked appointment can be moved, cancelled or checked in."""

    code: str
    state: str  # checked_in | cancelled | no_show


@dataclass(eq=False)
class AppointmentTooEarly(DomainError):
    code: str
    slot_start: object  # datetime.datetime, local
    checkin_from: object  # datetime.datetime, local


@dataclass(eq=False)
class AppointmentTooLate(DomainError):
    """Past the late limit: the visitor may take a walk-in ticket instead (``walk_in_possible``)."""

    code: str
    slot_start: object  # datetime.datetime, local
    late_until: object  # datetime.datetime, local
    service_id: int
    walk_in_possible: bool


@dataclass(eq=False)
class AppointmentNotFound(DomainError):
    """No appointment with this code (typed at the kiosk or the counter)."""

    code: str


# ---------------------------------------------------------------------------
# meldingen, callback notes and complaints
# ---------------------------------------------------------------------------
@dataclass(eq=False)
class MeldingTransitionRefused(DomainError):
    """This status change is not allowed from the melding's current state."""

    number: str
    state: str
    target: str


@dataclass(eq=False)
class RecordClosed(DomainError):
    """The callback note or complaint is already done: ``kind`` is ``callback`` or ``complaint``."""

    kind: str
    number: str
    state: str


@dataclass(eq=False)
class ComplaintAlreadyExtended(DomainError):
    """The term of a complaint may be extended only once (Awb 9:11 lid 2)."""

    number: str


@dataclass(eq=False)
class VisitContactExists(DomainError):
    """A counter visit closes with one contact registration; this one already has it."""

    ticket_number: str


# ---------------------------------------------------------------------------
# sign-in, sessions and devices (see baliedesk.domain.auth)
# ---------------------------------------------------------------------------
@dataclass(eq=False)
class SignInFailed(DomainError):
    """User name or password wrong. Never says which, nor whether the user exists.

    ``retry_after_s``: seconds before the next try is taken (the increasing delay).
    """

    retry_after_s: int = 0


@dataclass(eq=False)
class SignInDelayed(DomainError):
    """Too soon after a failed try: wait ``retry_after_s`` seconds. The password was not checked."""

    retry_after_s: int


@dataclass(eq=False)
class AccountLocked(DomainError):
    """Too many failed tries: no sign-in until ``until`` (aware UTC).

    ``scope`` is ``"account"`` (this user name) or ``"address"`` (this workstation).
    A user name that does not exist locks in the same way, so this tells nothing about it.
    """

    until: object  # datetime.datetime
    scope: str = "account"


@dataclass(eq=False)
class WrongPassword(DomainError):
    """The current password, asked again to change it, is wrong (the person is signed in already)."""

    retry_after_s: int = 0


@dataclass(eq=False)
class PasswordTooWeak(DomainError):
    """``reason``: too_short, too_long, common, contains_username, too_few_distinct,
    invalid_character, same_as_old."""

    reason: str
    min_length: int = 12


@dataclass(eq=False)
class PasswordChangeRequired(DomainError):
    """Signed in with a temporary password: choose a new one before anything else."""

    user_id: int


@dataclass(eq=False)
class SessionExpired(DomainError):
    """``reason``: ``idle`` (unused too long) or ``absolute`` (the longest a session may last)."""

    reason: str = "idle"


@dataclass(eq=False)
class SessionRevoked(DomainError):
    """Signed out, or ended by a beheerder (account off, password reset, device revoked)."""


@dataclass(eq=False)
class SessionNotFound(DomainError):
    """No session with this token (never was, or malformed)."""


@dataclass(eq=False)
class DeviceNotAllowed(DomainError):
    """A device (kiosk, hall screen) asked for something only a person may do, or the reverse.

    ``action``: what was asked, e.g. ``change_password``, ``password_sign_in``.
    """

    action: str


@dataclass(eq=False)
class EnrolmentCodeInvalid(DomainError):
    """The device code is unknown, used already, or expired (never says which)."""

    retry_after_s: int = 0

@dataclass(eq=False)
class LegalTermApplies(DomainError):
    """Erasure refused for one record: a legal term still applies (an open complaint, a melding in behandeling)."""

    record_type: str
    record_id: int
    reason: str
