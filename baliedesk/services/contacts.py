"""Contact registrations, callback notes (terugbelnotities) and complaints (klachten).

* A contact is registered briefly for every channel; a counter visit can close
  with one (:func:`register_visit_contact`, for the counter's finish flow).
* A callback note is due two working days after it was written; the open
  notes are listed by due date; marking one as called back records the outcome.
* A complaint is acknowledged, due six weeks after receipt, extendable once by
  four weeks with a reason, and closed with an outcome.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from baliedesk.domain import meldingen as rules
from baliedesk.domain.appointments import clean_email, clean_phone
from baliedesk.domain.calendar import WorkdayCalendar
from baliedesk.domain.errors import NotFound, RecordClosed, ValidationError, VisitContactExists
from baliedesk.domain.meldingen import ComplaintState
from baliedesk.domain.permissions import Permission, require
from baliedesk.domain.validation import clean_name, clean_text
from baliedesk.services.common import (
    acting_user,
    audit,
    audit_reads,
    check_now,
    get_or_404,
    local_day,
    location_scope,
    require_location,
)
from baliedesk.services.melding_dto import CallbackInfo, CallbackSlip, ComplaintInfo, ContactInfo
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.schedules import load_workday_calendar

RECENT_CONTACT_DAYS = 7


#: Personal fields as the audit log names them.
_CALLBACK_FIELDS = ("caller_name", "phone", "question")
_COMPLAINT_FIELDS = ("name", "phone", "email", "description")


def contacts_topic() -> str:
    return "contacts"


def _location(uow: UnitOfWork, location_id: int) -> Any:
    return get_or_404(uow.directory.location(location_id), "location", location_id)


def _one_line(value: str | None, field: str, limit: int, *, required: bool = False) -> str | None:
    text = clean_text(value, field=field, max_length=limit, required=required)
    if "\n" in text or "\t" in text:
        raise ValidationError(field, "control_character")
    return text or None


def _id(value: object, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(field, "invalid")
    return value


# ---------------------------------------------------------------------------
# contacts
# ---------------------------------------------------------------------------
def _contact_info(c: Any) -> ContactInfo:
    return ContactInfo(c.id, c.channel, c.subject, c.result, c.passed_to, c.note, c.service_id, c.ticket_id,
                       c.created_at)


def _clean_contact(subject: str | None, result: str, passed_to: str | None, note: str | None
                   ) -> tuple[str | None, rules.ContactResult, str | None, str | None]:
    subj = _one_line(subject, "subject", rules.SUBJECT_MAX_LENGTH)
    res = rules.parse_contact_result(result)
    to = _one_line(passed_to, "passed_to", rules.SUBJECT_MAX_LENGTH)
    if res is rules.ContactResult.PASSED_ON and to is None:
        raise ValidationError("passed_to", "required")
    return subj, res, to, rules.clean_note(note)


def register_contact(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *, channel: str,
                     subject: str | None = None, result: str = "eerstelijn", service_id: int | None = None,
                     passed_to: str | None = None, note: str | None = None) -> ContactInfo:
    """A quick contact: channel, subject (a service or free text), answered first-line or passed on (to whom)."""
    now = check_now(now)
    chan = rules.parse_channel(channel)
    subj, res, to, text = _clean_contact(subject, result, passed_to, note)
    service_id = _id(service_id, "service")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        location = _location(uow, location_id)
        if service_id is not None:
            service = uow.directory.service(service_id)
            if service is None or service.location_id != location.id:
                raise NotFound("service", service_id)
            subj = subj or service.name
        if subj is None:
            raise ValidationError("subject", "required")
        c = uow.contacts.new_contact(location_id=location.id, channel=chan.value, service_id=service_id,
                                     subject=subj, result=res.value, passed_to=to, note=text, ticket_id=None,
                                     created_at=now, created_by=user.id)
        if text:
            uow.flush()
            audit(uow, user.id, now, "create", "contact", c.id, ("note",))
        info = _contact_info(c)
        uow.changed(contacts_topic())
        uow.commit()
        return info


@dataclass(frozen=True)
class VisitContact:
    """A counter visit's contact registration, checked (see :func:`visit_contact`)."""

    result: rules.ContactResult
    subject: str | None
    passed_to: str | None
    note: str | None


def visit_contact(*, result: str = "eerstelijn", subject: str | None = None, passed_to: str | None = None,
                  note: str | None = None) -> VisitContact:
    """Check what the clerk chose when closing a visit; raises :class:`ValidationError` (nothing written)."""
    subj, res, to, text = _clean_contact(subject, result, passed_to, note)
    return VisitContact(res, subj, to, text)


def record_visit_contact(uow: UnitOfWork, user: Any, ticket: Any, now: dt.datetime,
                         contact: VisitContact) -> ContactInfo:
    """Write a visit's contact inside the caller's unit of work (the counter's finish: one transaction).

    The subject is the ticket's service unless the clerk typed another one.
    """
    require(user.role, Permission.TAKE_MELDING)
    if uow.contacts.visit_contact(ticket.id) is not None:  # the caller holds the ticket's row lock
        raise VisitContactExists(ticket.number)
    service = uow.directory.service(ticket.service_id)
    c = uow.contacts.new_contact(location_id=ticket.location_id, channel=rules.Channel.BALIE.value,
                                 service_id=ticket.service_id,
                                 subject=contact.subject or (service.name if service else "Balie"),
                                 result=contact.result.value, passed_to=contact.passed_to, note=contact.note,
                                 ticket_id=ticket.id, created_at=now, created_by=user.id)
    uow.flush()
    if contact.note:
        audit(uow, user.id, now, "create", "contact", c.id, ("note",))
    uow.changed(contacts_topic())
    return _contact_info(c)


def register_visit_contact(backend: Backend, user_id: int, ticket_id: int, now: dt.datetime, *,
                           result: str = "eerstelijn", subject: str | None = None, passed_to: str | None = None,
                           note: str | None = None) -> ContactInfo:
    """Close a counter visit with a contact registration (channel balie; subject: the ticket's service by default).

    For a contact registered later on its own; the counter's finish records it
    in the same transaction through ``queue.finish(..., contact=...)``.
    """
    now = check_now(now)
    contact = visit_contact(result=result, subject=subject, passed_to=passed_to, note=note)
    ticket_id = _id(ticket_id, "ticket")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        t = get_or_404(uow.tickets.get(ticket_id, lock=True), "ticket", ticket_id)  # one contact per visit
        require_location(uow, user, t.location_id)
        info = record_visit_contact(uow, user, t, now, contact)
        uow.commit()
        return info


def recent_contacts(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> tuple[ContactInfo, ...]:
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:  # write: reads of notes are on record
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        location = _location(uow, location_id)
        since = now - dt.timedelta(days=RECENT_CONTACT_DAYS)
        out = tuple(_contact_info(c) for c in uow.contacts.contacts(location.id, since))
        audit_reads(uow, user.id, now, "contact", [c.id for c in out if c.note], ("note",), "recent_contacts")
        uow.commit()
        return out


# ---------------------------------------------------------------------------
# callback notes
# ---------------------------------------------------------------------------
def _calendar(uow: UnitOfWork, location: Any, now: dt.datetime) -> tuple[WorkdayCalendar, dt.date]:
    return load_workday_calendar(uow, location), local_day(now, location.timezone)


def _callback_info(uow: UnitOfWork, n: Any, calendar: WorkdayCalendar, today: dt.date) -> CallbackInfo:
    person = uow.directory.user(n.for_user_id) if n.for_user_id else None
    return CallbackInfo(
        id=n.id, caller_name=n.caller_name, phone=n.phone, question=n.question, for_team=n.for_team,
        for_user_id=n.for_user_id, for_user_name=person.display_name if person else None, due_date=n.due_date,
        days_left=rules.days_left(calendar, today, n.due_date),
        overdue=n.done_at is None and rules.is_overdue(today, n.due_date), created_at=n.created_at,
        done_at=n.done_at, reached=n.reached, outcome=n.outcome,
    )


def write_callback(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *, caller_name: str,
                   phone: str, question: str, for_team: str | None = None,
                   for_user_id: int | None = None) -> tuple[CallbackInfo, CallbackSlip]:
    """A terugbelnotitie: who, number, question, for whom (team or person). Due in two working days."""
    now = check_now(now)
    name = clean_name(caller_name, field="caller_name", max_length=rules.NAME_MAX_LENGTH)
    number = clean_phone(phone)
    if number is None:
        raise ValidationError("phone", "required")
    text = clean_text(question, field="question", max_length=rules.QUESTION_MAX_LENGTH, required=True)
    team = _one_line(for_team, "for_team", rules.TEAM_MAX_LENGTH)
    for_user_id = _id(for_user_id, "for_user")
    if team is None and for_user_id is None:
        raise ValidationError("for_whom", "required")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        location = _location(uow, location_id)
        person = None
        if for_user_id is not None:
            person = uow.directory.user(for_user_id)
            if person is None or not person.active:
                raise NotFound("user", for_user_id)
        calendar, today = _calendar(uow, location, now)
        due = rules.callback_due(calendar, today)
        n = uow.contacts.new_callback(location_id=location.id, caller_name=name, phone=number, question=text,
                                      for_team=team, for_user_id=for_user_id, due_date=due, created_at=now,
                                      created_by=user.id)
        uow.flush()
        audit(uow, user.id, now, "create", "callback", n.id, _CALLBACK_FIELDS)
        info = _callback_info(uow, n, calendar, today)
        whom = ", ".join(p for p in (person.display_name if person else None, team) if p)
        slip = CallbackSlip(name, number, text, whom, now, due, location.name)
        uow.changed(contacts_topic())
        uow.commit()
        return info, slip


def open_callbacks(backend: Backend, user_id: int, location_id: int, now: dt.datetime) -> tuple[CallbackInfo, ...]:
    """The callback notes not yet done, the earliest due date first."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:  # write: the read is on record
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        calendar, today = _calendar(uow, _location(uow, location_id), now)
        scope = location_scope(uow, user)
        out = tuple(_callback_info(uow, n, calendar, today) for n in uow.contacts.open_callbacks()
                    if scope is None or n.location_id in scope)
        audit_reads(uow, user.id, now, "callback", [n.id for n in out], _CALLBACK_FIELDS, "open_callbacks")
        uow.commit()
        return out


def mark_called_back(backend: Backend, user_id: int, note_id: int, now: dt.datetime, *, reached: bool,
                     outcome: str) -> CallbackInfo:
    """Called back: reached or not, and what came of it (required)."""
    now = check_now(now)
    text = clean_text(outcome, field="outcome", max_length=rules.OUTCOME_MAX_LENGTH, required=True)
    if not isinstance(reached, bool):
        raise ValidationError("reached", "invalid")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        n = get_or_404(uow.contacts.callback(note_id, lock=True), "callback", note_id)
        require_location(uow, user, n.location_id)
        if n.done_at is not None:
            raise RecordClosed("callback", n.caller_name, "done")
        n.done_at, n.done_by, n.reached, n.outcome = now, user.id, reached, text
        audit(uow, user.id, now, "update", "callback", n.id, ("reached", "outcome"))
        uow.flush()
        calendar, today = _calendar(uow, _location(uow, n.location_id), now)
        info = _callback_info(uow, n, calendar, today)
        uow.changed(contacts_topic())
        uow.commit()
        return info


# ---------------------------------------------------------------------------
# complaints
# ---------------------------------------------------------------------------
def _complaint_info(c: Any, calendar: WorkdayCalendar, today: dt.date) -> ComplaintInfo:
    open_ = c.state != ComplaintState.HANDLED.value
    return ComplaintInfo(
        id=c.id, number=c.number, name=c.name, phone=c.phone, email=c.email, subject=c.subject,
        description=c.description, channel=c.channel, state=c.state, received_on=c.received_on,
        due_date=c.due_date, days_left=rules.days_left(calendar, today, c.due_date),
        overdue=open_ and rules.is_overdue(today, c.due_date), acknowledged_at=c.acknowledged_at,
        extended=c.extended, extension_reason=c.extension_reason, outcome=c.outcome, handled_at=c.handled_at,
    )


def register_complaint(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *, name: str,
                       subject: str, description: str, channel: str, phone: str | None = None,
                       email: str | None = None, received_on: dt.date | None = None) -> ComplaintInfo:
    """A klacht: who, about what, how it came in. Due six weeks after receipt (``received_on``, default today)."""
    now = check_now(now)
    nm = clean_name(name, field="name", max_length=rules.NAME_MAX_LENGTH)
    subj = _one_line(subject, "subject", rules.SUBJECT_MAX_LENGTH, required=True)
    text = clean_text(description, field="description", max_length=rules.DESCRIPTION_MAX_LENGTH, required=True)
    chan = rules.parse_channel(channel)
    tel, mail = clean_phone(phone), clean_email(email)
    if received_on is not None and (not isinstance(received_on, dt.date) or isinstance(received_on, dt.datetime)):
        raise ValidationError("received_on", "invalid")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        location = _location(uow, location_id)
        calendar, today = _calendar(uow, location, now)
        day = received_on or today
        if day > today or (today - day).days > 366:
            raise ValidationError("received_on", "out_of_range")
        seq = uow.meldingen.next_number("K", day.year)
        c = uow.contacts.new_complaint(
            number=rules.complaint_number(day.year, seq), location_id=location.id, name=nm, phone=tel, email=mail,
            subject=subj, description=text, channel=chan.value, state=ComplaintState.REGISTERED.value,
            received_on=day, due_date=rules.complaint_due(calendar, day), acknowledged_at=None, extended=False,
            extension_reason=None, outcome=None, handled_at=None, handled_by=None, created_at=now,
            created_by=user.id)
        uow.flush()
        audit(uow, user.id, now, "create", "complaint", c.id, _COMPLAINT_FIELDS)
        info = _complaint_info(c, calendar, today)
        uow.changed(contacts_topic())
        uow.commit()
        return info


def _complaint_action(backend: Backend, user_id: int, complaint_id: int, now: dt.datetime,
                      permission: Permission, apply: Any) -> ComplaintInfo:
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, permission)
        c = get_or_404(uow.contacts.complaint(complaint_id, lock=True), "complaint", complaint_id)
        require_location(uow, user, c.location_id)
        calendar, today = _calendar(uow, _location(uow, c.location_id), now)
        apply(c, user, calendar, now)
        audit(uow, user.id, now, "update", "complaint", c.id, (), {"state": c.state})
        uow.flush()
        info = _complaint_info(c, calendar, today)
        uow.changed(contacts_topic())
        uow.commit()
        return info


def acknowledge_complaint(backend: Backend, user_id: int, complaint_id: int, now: dt.datetime) -> ComplaintInfo:
    """The receipt was confirmed to the complainant (Awb 9:6)."""
    def apply(c: Any, user: Any, calendar: WorkdayCalendar, moment: dt.datetime) -> None:
        rules.check_complaint_open(c.number, c.state)
        if c.acknowledged_at is not None:
            raise RecordClosed("complaint", c.number, ComplaintState.ACKNOWLEDGED.value)
        c.acknowledged_at, c.state = moment, ComplaintState.ACKNOWLEDGED.value

    return _complaint_action(backend, user_id, complaint_id, now, Permission.TAKE_MELDING, apply)


def extend_complaint(backend: Backend, user_id: int, complaint_id: int, now: dt.datetime, *,
                     reason: str) -> ComplaintInfo:
    """Four more weeks, once, with the reason (told to the complainant)."""
    text = clean_text(reason, field="reason", max_length=rules.REASON_MAX_LENGTH, required=True)

    def apply(c: Any, user: Any, calendar: WorkdayCalendar, moment: dt.datetime) -> None:
        rules.check_can_extend(c.number, c.state, c.extended)
        c.extended, c.extension_reason = True, text
        c.due_date = rules.complaint_due(calendar, c.received_on, extended=True)

    return _complaint_action(backend, user_id, complaint_id, now, Permission.MANAGE_MELDINGEN, apply)


def close_complaint(backend: Backend, user_id: int, complaint_id: int, now: dt.datetime, *,
                    outcome: str) -> ComplaintInfo:
    """Handled, with the outcome."""
    text = clean_text(outcome, field="outcome", max_length=rules.OUTCOME_MAX_LENGTH, required=True)

    def apply(c: Any, user: Any, calendar: WorkdayCalendar, moment: dt.datetime) -> None:
        rules.check_complaint_open(c.number, c.state)
        c.state, c.outcome, c.handled_at, c.handled_by = ComplaintState.HANDLED.value, text, moment, user.id

    return _complaint_action(backend, user_id, complaint_id, now, Permission.MANAGE_MELDINGEN, apply)


def complaints(backend: Backend, user_id: int, location_id: int, now: dt.datetime, *,
               open_only: bool = True) -> tuple[ComplaintInfo, ...]:
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:  # write: the read is on record
        user = acting_user(uow, user_id, Permission.TAKE_MELDING)
        require_location(uow, user, location_id)
        calendar, today = _calendar(uow, _location(uow, location_id), now)
        scope = location_scope(uow, user)
        out = tuple(_complaint_info(c, calendar, today) for c in uow.contacts.complaints(open_only=open_only)
                    if scope is None or c.location_id in scope)
        audit_reads(uow, user.id, now, "complaint", [c.id for c in out], _COMPLAINT_FIELDS, "complaints")
        uow.commit()
        return out
