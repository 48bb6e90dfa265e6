"""Repository of personal-data protection (``uow.privacy``): location scoping, the audit log,
retention terms and the set-based retention work itself.

Retention runs as a few UPDATEs per kind over all due rows at once; only the
scrubbing of free text (a Python function, the same on both backends) reads
the texts of the due rows, and writes back only those it changed, in batches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.orm import Session

from baliedesk.storage.models import (
    Appointment,
    CallbackNote,
    Complaint,
    ContactRecord,
    Melding,
    MeldingHistory,
    MeldingPhoto,
    Ticket,
    TicketEvent,
)
from baliedesk.storage.models_privacy import AuditEntry, RetentionSetting, UserLocation, UserTeam

_BATCH = 1000
_INSERT_AUDIT = insert(AuditEntry)
Scrub = Callable[[str | None], str | None]


class PrivacyRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- location scoping ------------------------------------------------------------------
    def user_location_ids(self, user_id: int) -> list[int | None]:
        """The locations of a user; ``None`` in the list: every location."""
        rows = self.s.connection().execute(
            select(UserLocation.location_id).where(UserLocation.user_id == user_id))
        return [r[0] for r in rows]

    def set_user_locations(self, user_id: int, location_ids: Iterable[int | None]) -> None:
        conn = self.s.connection()
        conn.execute(delete(UserLocation).where(UserLocation.user_id == user_id))
        rows = [{"user_id": user_id, "location_id": loc} for loc in sorted(set(location_ids), key=lambda v: v or 0)]
        if rows:
            conn.execute(insert(UserLocation), rows)

    def user_teams(self, user_id: int) -> list[str]:
        """The meldingen teams of a user; empty: every team."""
        return [r[0] for r in self.s.connection().execute(
            select(UserTeam.team).where(UserTeam.user_id == user_id).order_by(UserTeam.team))]

    def set_user_teams(self, user_id: int, teams: Iterable[str]) -> None:
        conn = self.s.connection()
        conn.execute(delete(UserTeam).where(UserTeam.user_id == user_id))
        rows = [{"user_id": user_id, "team": t} for t in sorted(set(teams))]
        if rows:
            conn.execute(insert(UserTeam), rows)

    # -- audit log -------------------------------------------------------------------------
    def audit(self, **fields: Any) -> None:
        """Append one entry, in this unit of work's transaction."""
        conn = self.s.connection()
        if fields.get("action") == "read":
            self._relaxed_commit(conn)
        conn.execute(_INSERT_AUDIT, fields)

    def audit_many(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            conn = self.s.connection()
            if all(r.get("action") == "read" for r in rows):
                self._relaxed_commit(conn)
            conn.execute(insert(AuditEntry), list(rows))

    @staticmethod
    def _relaxed_commit(conn: Any) -> None:
        """A transaction that only records reads commits without waiting for the disk (PostgreSQL).

        The entry is committed with the read or not at all, as always; only the
        wait for the WAL flush goes (a crash may lose the last fraction of a
        second of read entries, never a change or the entry of a change: only
        read-only services record reads, and a change commits as usual).
        """
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL synchronous_commit TO off")

    def audit_entries(self, *, user_id: int | None = None, records: Sequence[tuple[str, int]] | None = None,
                      record_type: str | None = None, record_id: int | None = None,
                      since: dt.datetime | None = None, until: dt.datetime | None = None,
                      limit: int = 1000) -> list[Any]:
        q = select(AuditEntry)
        if user_id is not None:
            q = q.where(AuditEntry.user_id == user_id)
        if record_type is not None:
            q = q.where(AuditEntry.record_type == record_type)
        if record_id is not None:
            q = q.where(AuditEntry.record_id == record_id)
        if records is not None:
            if not records:
                return []
            by_type: dict[str, list[int]] = {}
            for kind, rid in records:
                by_type.setdefault(kind, []).append(rid)
            q = q.where(or_(*(and_(AuditEntry.record_type == kind, AuditEntry.record_id.in_(ids))
                              for kind, ids in by_type.items())))
        if since is not None:
            q = q.where(AuditEntry.at >= since)
        if until is not None:
            q = q.where(AuditEntry.at < until)
        return list(self.s.scalars(q.order_by(AuditEntry.at, AuditEntry.id).limit(limit)))

    # -- retention terms -------------------------------------------------------------------
    def retention_settings(self) -> dict[str, Any]:
        return {r.kind: r for r in self.s.scalars(select(RetentionSetting))}

    def put_retention_setting(self, kind: str, months: int, enabled: bool, now: dt.datetime, user_id: int) -> None:
        row = self.s.get(RetentionSetting, kind)
        if row is None:
            row = RetentionSetting(kind=kind)
            self.s.add(row)
        row.months, row.enabled, row.changed_at, row.changed_by = months, enabled, now, user_id
        self.s.flush()

    # -- residents -------------------------------------------------------------------------
    def resident_records(self, *, email: str | None, phone_digits: str | None, name: str | None,
                         postcode: str | None) -> dict[str, list[Any]]:
        """Rows that name a resident: meldingen (as reporter), appointments, callback notes, complaints.

        Phone numbers match on their digits (the last nine: 06-1234 5678 and +31612345678 are one number).
        """
        def phone_match(col: Any) -> Any:
            digits = func.replace(func.replace(func.replace(func.replace(col, " ", ""), "-", ""), "+", ""), ".", "")
            return func.substr(digits, func.length(digits) - 8) == phone_digits

        def match(name_col: Any, phone_col: Any | None, email_col: Any | None, postcode_col: Any | None) -> Any:
            conds = []
            if email and email_col is not None:
                conds.append(func.lower(email_col) == email.lower())
            if phone_digits and phone_col is not None:
                conds.append(phone_match(phone_col))
            if name and postcode and postcode_col is not None:  # a name alone is too common to go by
                conds.append(and_(func.lower(name_col) == name.lower(),
                                  func.replace(func.upper(postcode_col), " ", "") == postcode))
            return or_(*conds) if conds else None

        out: dict[str, list[Any]] = {}
        for key, model, name_col, phone_col, email_col, postcode_col in (
            ("melding", Melding, Melding.reporter_name, Melding.reporter_phone, Melding.reporter_email,
             Melding.postcode),
            ("appointment", Appointment, Appointment.name, Appointment.phone, Appointment.email, None),
            ("callback", CallbackNote, CallbackNote.caller_name, CallbackNote.phone, None, None),
            ("complaint", Complaint, Complaint.name, Complaint.phone, Complaint.email, None),
        ):
            cond = match(name_col, phone_col, email_col, postcode_col)
            if cond is None:
                out[key] = []
                continue
            out[key] = list(self.s.scalars(select(model).where(cond).order_by(model.id)))
        return out

    # -- retention work --------------------------------------------------------------------
    def _due(self, kind: str, cutoff: dt.datetime) -> tuple[Any, Any]:
        """(table model, WHERE clause) of the rows of ``kind`` due before ``cutoff``."""
        if kind == "melding_reporter":
            return Melding, and_(Melding.state.in_(("afgehandeld", "geannuleerd")), Melding.closed_at < cutoff,
                                 Melding.anonymised_at.is_(None), Melding.destroyed_at.is_(None))
        if kind == "melding_cancelled":
            return Melding, and_(Melding.state == "geannuleerd", Melding.closed_at < cutoff,
                                 Melding.destroyed_at.is_(None))
        if kind == "melding_handled":
            return Melding, and_(Melding.state == "afgehandeld", Melding.closed_at < cutoff,
                                 Melding.destroyed_at.is_(None))
        if kind == "appointment":
            return Appointment, and_(Appointment.slot_end < cutoff, Appointment.anonymised_at.is_(None))
        if kind == "callback":
            return CallbackNote, and_(CallbackNote.done_at < cutoff, CallbackNote.anonymised_at.is_(None))
        if kind == "complaint":
            return Complaint, and_(Complaint.state == "afgehandeld", Complaint.handled_at < cutoff,
                                   Complaint.anonymised_at.is_(None))
        if kind == "ticket_note":
            return Ticket, and_(Ticket.issued_at < cutoff, Ticket.note.is_not(None))
        if kind == "contact_note":
            return ContactRecord, and_(ContactRecord.created_at < cutoff, ContactRecord.note.is_not(None))
        raise ValueError(kind)

    def count_due(self, kind: str, cutoff: dt.datetime,
                  before: Sequence[tuple[str, dt.datetime]] = ()) -> int:
        """Rows of ``kind`` due; ``before``: kinds a run does first (rows they take are not counted twice)."""
        model, where = self._due(kind, cutoff)
        for other, other_cutoff in before:
            other_model, other_where = self._due(other, other_cutoff)
            if other_model is model:
                where = and_(where, ~other_where)
        return int(self.s.connection().execute(select(func.count()).select_from(model).where(where)).scalar_one())

    def _scrub_column(self, model: Any, column: Any, where: Any, scrub: Scrub) -> None:
        """Scrub one free-text column of the rows matching ``where``; write back only changed texts."""
        conn = self.s.connection()
        changed: list[dict[str, Any]] = []
        rows = conn.execute(select(model.id, column).where(where, column.is_not(None)))
        for rid, value in rows:
            cleaned = scrub(value)
            if cleaned != value:
                changed.append({"_id": rid, "_v": cleaned})
        from sqlalchemy import bindparam

        stmt = update(model).where(model.id == bindparam("_id")).values({column.key: bindparam("_v")})
        for i in range(0, len(changed), _BATCH):
            conn.execute(stmt.execution_options(synchronize_session=False), changed[i:i + _BATCH])

    def apply_due(self, kind: str, cutoff: dt.datetime, now: dt.datetime, scrub: Scrub) -> int:
        """Anonymise or destroy every row of ``kind`` due before ``cutoff``; the number of rows."""
        model, where = self._due(kind, cutoff)
        conn = self.s.connection()
        if kind == "melding_reporter":
            due_ids = select(Melding.id).where(where).scalar_subquery()
            self._scrub_column(Melding, Melding.description, where, scrub)
            self._scrub_column(MeldingHistory, MeldingHistory.note, MeldingHistory.melding_id.in_(due_ids), scrub)
            result = conn.execute(update(Melding).where(where).values(
                reporter_name=None, reporter_phone=None, reporter_email=None, anonymised_at=now))
            return int(result.rowcount or 0)
        if kind in ("melding_cancelled", "melding_handled"):
            due_ids = select(Melding.id).where(where).scalar_subquery()
            conn.execute(delete(MeldingPhoto).where(MeldingPhoto.melding_id.in_(due_ids)))
            conn.execute(update(MeldingHistory).where(MeldingHistory.melding_id.in_(due_ids),
                                                      MeldingHistory.note.is_not(None)).values(note=None))
            result = conn.execute(update(Melding).where(where).values(
                reporter_name=None, reporter_phone=None, reporter_email=None, description="",
                street=None, street_key=None, house_number=None, house_addition=None, postcode=None, place=None,
                location_text=None, latitude=None, longitude=None, photo_count=0,
                anonymised_at=func.coalesce(Melding.anonymised_at, now), destroyed_at=now))
            return int(result.rowcount or 0)
        if kind == "appointment":
            result = conn.execute(update(Appointment).where(where).values(
                name="", phone=None, email=None, remarks=None, anonymised_at=now))
            return int(result.rowcount or 0)
        if kind == "callback":
            self._scrub_column(CallbackNote, CallbackNote.question, where, scrub)
            self._scrub_column(CallbackNote, CallbackNote.outcome, where, scrub)
            result = conn.execute(update(CallbackNote).where(where).values(caller_name="", phone="",
                                                                           anonymised_at=now))
            return int(result.rowcount or 0)
        if kind == "complaint":
            for col in (Complaint.description, Complaint.outcome, Complaint.extension_reason):
                self._scrub_column(Complaint, col, where, scrub)
            result = conn.execute(update(Complaint).where(where).values(name="", phone=None, email=None,
                                                                        anonymised_at=now))
            return int(result.rowcount or 0)
        if kind == "ticket_note":
            # The note in the events' data too (transfer, cancel, finish); the events themselves stay.
            if conn.dialect.name == "postgresql":
                conn.exec_driver_sql(
                    "UPDATE ticket_events SET data = (data::jsonb - 'note')::json "
                    "WHERE at < %(cutoff)s AND data IS NOT NULL AND data->>'note' IS NOT NULL", {"cutoff": cutoff})
            else:
                conn.execute(update(TicketEvent).where(
                    TicketEvent.at < cutoff, TicketEvent.data.is_not(None),
                    func.json_extract(TicketEvent.data, "$.note").is_not(None),
                ).values(data=func.json_remove(TicketEvent.data, "$.note")))
            return int(conn.execute(update(Ticket).where(where).values(note=None)).rowcount or 0)
        if kind == "contact_note":
            return int(conn.execute(update(ContactRecord).where(where).values(note=None)).rowcount or 0)
        raise ValueError(kind)

    # -- erasure of one resident's records ---------------------------------------------------
    def erase_melding(self, melding_id: int, now: dt.datetime, scrub: Scrub) -> None:
        where = Melding.id == melding_id
        self._scrub_column(Melding, Melding.description, where, scrub)
        self._scrub_column(MeldingHistory, MeldingHistory.note, MeldingHistory.melding_id == melding_id, scrub)
        self.s.connection().execute(update(Melding).where(where).values(
            reporter_name=None, reporter_phone=None, reporter_email=None, wants_feedback=False, anonymised_at=now))

    def erase_appointment(self, appointment_id: int, now: dt.datetime) -> None:
        self.s.connection().execute(update(Appointment).where(Appointment.id == appointment_id).values(
            name="", phone=None, email=None, remarks=None, anonymised_at=now))

    def erase_callback(self, note_id: int, now: dt.datetime, scrub: Scrub) -> None:
        where = CallbackNote.id == note_id
        self._scrub_column(CallbackNote, CallbackNote.question, where, scrub)
        self._scrub_column(CallbackNote, CallbackNote.outcome, where, scrub)
        self.s.connection().execute(update(CallbackNote).where(where).values(caller_name="", phone="",
                                                                             anonymised_at=now))

    def erase_complaint(self, complaint_id: int, now: dt.datetime, scrub: Scrub) -> None:
        where = Complaint.id == complaint_id
        for col in (Complaint.description, Complaint.outcome, Complaint.extension_reason):
            self._scrub_column(Complaint, col, where, scrub)
        self.s.connection().execute(update(Complaint).where(where).values(name="", phone=None, email=None,
                                                                          anonymised_at=now))
