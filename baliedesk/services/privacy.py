"""Personal data over its whole life (AVG; issue 12): the audit log, retention terms, a resident's rights.

* The audit log: searched by staff member, by record and by resident, and
  exported as CSV, by the privacy officer (functionaris gegevensbescherming)
  and the beheerder (``VIEW_AUDIT``). Reading it is itself on record.
* Retention terms per kind of data (``MANAGE_RETENTION``, the beheerder); the
  work itself is in :mod:`baliedesk.services.retention`.
* A resident's rights (``RESIDENT_RIGHTS``): inzage (art. 15,
  :func:`find_resident`, :func:`resident_json`; the letter is
  ``printing.inzage``) and erasure (art. 17, :func:`erase_resident`).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from typing import Any

from baliedesk.domain import retention as terms
from baliedesk.domain.errors import LegalTermApplies, ValidationError
from baliedesk.domain.meldingen import ComplaintState
from baliedesk.domain.permissions import Permission
from baliedesk.domain.scrub import scrub_text
from baliedesk.domain.validation import clean_text
from baliedesk.services.common import acting_user, audit, audit_reads, check_now
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.privacy_dto import (
    AuditEntryInfo,
    ErasureResult,
    ResidentAppointment,
    ResidentCallback,
    ResidentComplaint,
    ResidentData,
    ResidentMelding,
    RetentionTermInfo,
)

AUDIT_ACTIONS = ("read", "create", "update", "delete", "anonymise", "erase", "export", "retention")
AUDIT_LIMIT_MAX = 50_000
REASON_MAX_LENGTH = 500
_OPEN_MELDING = frozenset({"gemeld", "in_behandeling", "doorgezet", "heropend"})


def _now(now: dt.datetime | None) -> dt.datetime:
    return check_now(now) if now is not None else dt.datetime.now(dt.UTC)


# ---------------------------------------------------------------------------
# retention terms
# ---------------------------------------------------------------------------
def load_terms(uow: UnitOfWork) -> list[terms.Term]:
    """Every kind's term: the beheerder's setting, else the default (on)."""
    rows = uow.privacy.retention_settings()
    out = []
    for kind in terms.RetentionKind:
        row = rows.get(kind.value)
        out.append(terms.Term(kind, row.months if row else terms.DEFAULT_MONTHS[kind],
                              bool(row.enabled) if row else True))
    return out


def _term_info(t: terms.Term) -> RetentionTermInfo:
    return RetentionTermInfo(t.kind.value, t.months, t.enabled, terms.DEFAULT_MONTHS[t.kind], terms.KIND_FROM[t.kind])


def retention_terms(backend: Backend, user_id: int) -> tuple[RetentionTermInfo, ...]:
    """The retention term of every kind of data (beheerder and privacy officer)."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.VIEW_AUDIT)
        return tuple(_term_info(t) for t in load_terms(uow))


def set_retention_term(backend: Backend, user_id: int, kind: str, now: dt.datetime, *, months: int | None = None,
                       enabled: bool | None = None) -> RetentionTermInfo:
    """Change one kind's term (months) or switch it off/on (beheerder). On record in the audit log."""
    now = check_now(now)
    k = terms.parse_kind(kind)
    if months is not None:
        terms.check_months(months)
    if enabled is not None and not isinstance(enabled, bool):
        raise ValidationError("enabled", "invalid")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_RETENTION)
        current = next(t for t in load_terms(uow) if t.kind is k)
        new = terms.Term(k, months if months is not None else current.months,
                         enabled if enabled is not None else current.enabled)
        uow.privacy.put_retention_setting(k.value, new.months, new.enabled, now, user.id)
        audit(uow, user.id, now, "update", "retention", None, ("months", "enabled"),
              {"kind": k.value, "months": new.months, "enabled": new.enabled,
               "was": {"months": current.months, "enabled": current.enabled}})
        uow.commit()
        return _term_info(new)


# ---------------------------------------------------------------------------
# the audit log
# ---------------------------------------------------------------------------
def _entry_info(e: Any, names: dict[int, str]) -> AuditEntryInfo:
    return AuditEntryInfo(e.id, e.at, e.user_id, names.get(e.user_id) if e.user_id is not None else None,
                          e.workstation or "", e.action, e.record_type, e.record_id,
                          tuple(f for f in (e.fields or "").split(",") if f),
                          json.dumps(e.detail, sort_keys=True, default=str) if e.detail is not None else "")


def _check_limit(limit: int) -> None:
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= AUDIT_LIMIT_MAX:
        raise ValidationError("limit", "out_of_range", AUDIT_LIMIT_MAX)


def _entries(uow: UnitOfWork, **query: Any) -> tuple[AuditEntryInfo, ...]:
    rows = uow.privacy.audit_entries(**query)
    names = {u.id: u.display_name for u in uow.directory.users()}
    return tuple(_entry_info(e, names) for e in rows)


def audit_by_user(backend: Backend, user_id: int, person_id: int, now: dt.datetime, *,
                  since: dt.datetime | None = None, until: dt.datetime | None = None,
                  limit: int = 1000) -> tuple[AuditEntryInfo, ...]:
    """What one staff member read and changed, oldest first."""
    now = check_now(now)
    _check_limit(limit)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.VIEW_AUDIT)
        out = _entries(uow, user_id=person_id, since=since, until=until, limit=limit)
        audit(uow, user.id, now, "read", "audit_log", None, (), {"by": "user", "user_id": person_id,
                                                                  "entries": len(out)})
        uow.commit()
        return out


def audit_by_record(backend: Backend, user_id: int, record_type: str, record_id: int, now: dt.datetime, *,
                    limit: int = 1000) -> tuple[AuditEntryInfo, ...]:
    """Who read or changed one record (``record_type``: melding, appointment, callback, complaint ...)."""
    now = check_now(now)
    _check_limit(limit)
    if not isinstance(record_type, str) or not re.fullmatch(r"[a-z_]{1,20}", record_type):
        raise ValidationError("record_type", "invalid")
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.VIEW_AUDIT)
        out = _entries(uow, record_type=record_type, record_id=record_id, limit=limit)
        audit(uow, user.id, now, "read", "audit_log", None, (), {"by": "record", "record_type": record_type,
                                                                  "record_id": record_id, "entries": len(out)})
        uow.commit()
        return out


def audit_by_resident(backend: Backend, user_id: int, now: dt.datetime, *, email: str | None = None,
                      phone: str | None = None, name: str | None = None, postcode: str | None = None,
                      limit: int = 5000) -> tuple[AuditEntryInfo, ...]:
    """Who read or changed anything about one resident: their records, then those records' entries."""
    now = check_now(now)
    _check_limit(limit)
    query = _resident_query(email, phone, name, postcode)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.VIEW_AUDIT)
        found = uow.privacy.resident_records(**query)
        records = [(kind, r.id) for kind, rows in found.items() for r in rows]
        out = _entries(uow, records=records, limit=limit)
        audit(uow, user.id, now, "read", "audit_log", None, _found_by(query).split(","),
              {"by": "resident", "records": len(records), "entries": len(out)})
        uow.commit()
        return out


def audit_csv(entries: Iterable[AuditEntryInfo]) -> str:
    """The entries as CSV text (header row; ``;`` as Dutch spreadsheets expect; times in UTC, ISO 8601)."""
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    writer.writerow(["id", "tijdstip_utc", "medewerker_id", "medewerker", "computer", "actie", "soort",
                     "record_id", "velden", "details"])
    for e in entries:
        writer.writerow([e.id, e.at.astimezone(dt.UTC).isoformat(), "" if e.user_id is None else e.user_id,
                         e.user_name or "", e.workstation, e.action, e.record_type,
                         "" if e.record_id is None else e.record_id, ",".join(e.fields), e.detail])
    return buf.getvalue()


def export_audit(backend: Backend, user_id: int, now: dt.datetime, *, person_id: int | None = None,
                 record_type: str | None = None, record_id: int | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, limit: int = AUDIT_LIMIT_MAX) -> str:
    """The audit log (filtered) as CSV text; the export itself is on record."""
    now = check_now(now)
    _check_limit(limit)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.VIEW_AUDIT)
        out = _entries(uow, user_id=person_id, record_type=record_type, record_id=record_id, since=since,
                       until=until, limit=limit)
        audit(uow, user.id, now, "export", "audit_log", None, (),
              {"format": "csv", "entries": len(out), "user_id": person_id, "record_type": record_type,
               "record_id": record_id})
        uow.commit()
    return audit_csv(out)


# ---------------------------------------------------------------------------
# a resident's rights
# ---------------------------------------------------------------------------
def _resident_query(email: str | None, phone: str | None, name: str | None, postcode: str | None) -> dict[str, Any]:
    mail = (email or "").strip().lower() or None
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("0031"):
        digits = digits[4:]
    elif digits.startswith("31") and len(digits) == 11:
        digits = digits[2:]
    digits = digits.lstrip("0")
    if phone and len(digits) != 9:
        raise ValidationError("phone", "invalid")
    nm = " ".join((name or "").split()) or None
    pc = re.sub(r"\s", "", postcode or "").upper() or None
    if pc is not None and not re.fullmatch(r"[1-9]\d{3}[A-Z]{2}", pc):
        raise ValidationError("postcode", "invalid")
    if nm and not pc:
        raise ValidationError("postcode", "required")  # a name alone could be anybody
    if not (mail or digits or (nm and pc)):
        raise ValidationError("resident", "required")
    return {"email": mail, "phone_digits": digits or None, "name": nm, "postcode": pc}


def _found_by(query: dict[str, Any]) -> str:
    parts = [k for k, key in (("email", "email"), ("phone", "phone_digits")) if query[key]]
    if query["name"]:
        parts.append("name+postcode")
    return ",".join(parts)


def _address(m: Any) -> str:
    street = " ".join(str(p) for p in (m.street, m.house_number, m.house_addition) if p)
    return ", ".join(p for p in (street, m.postcode, m.place) if p)


def _resident_data(uow: UnitOfWork, found: dict[str, list[Any]], now: dt.datetime, found_by: str) -> ResidentData:
    services = {}

    def service_name(sid: int) -> str:
        if sid not in services:
            s = uow.directory.service(sid)
            services[sid] = s.name if s else "?"
        return services[sid]

    return ResidentData(
        found_at=now, found_by=found_by,
        meldingen=tuple(ResidentMelding(m.id, m.number, m.state, m.received_on, m.closed_at, m.reporter_name,
                                        m.reporter_phone, m.reporter_email, _address(m), m.description)
                        for m in found["melding"]),
        appointments=tuple(ResidentAppointment(a.id, a.code, service_name(a.service_id), a.slot_start, a.state,
                                               a.name, a.phone, a.email, a.remarks)
                           for a in found["appointment"]),
        callbacks=tuple(ResidentCallback(n.id, n.created_at, n.caller_name, n.phone, n.question, n.done_at,
                                         n.outcome) for n in found["callback"]),
        complaints=tuple(ResidentComplaint(c.id, c.number, c.state, c.received_on, c.name, c.phone, c.email,
                                           c.subject, c.description, c.outcome) for c in found["complaint"]),
        retention=tuple(_term_info(t) for t in load_terms(uow)),
    )


def find_resident(backend: Backend, user_id: int, *, email: str | None = None, phone: str | None = None,
                  name: str | None = None, postcode: str | None = None,
                  now: dt.datetime | None = None) -> ResidentData:
    """Inzage (AVG art. 15): everything stored about one resident, by e-mail, phone, or name with postcode.

    Every record returned is on record in the audit log as read for an inzage.
    """
    moment = _now(now)
    query = _resident_query(email, phone, name, postcode)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.RESIDENT_RIGHTS)
        found = uow.privacy.resident_records(**query)
        data = _resident_data(uow, found, moment, _found_by(query))
        for kind, rows in found.items():
            audit_reads(uow, user.id, moment, kind, [r.id for r in rows], ("all",), "inzage")
        uow.commit()
        return data


def resident_json(data: ResidentData) -> str:
    """The inzage as JSON (UTF-8 text; dates ISO 8601)."""
    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, (tuple, list)):
            return [plain(v) for v in value]
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()
        return value

    return json.dumps(plain(data), ensure_ascii=False, indent=2, sort_keys=False)


def _legal_hold(kind: str, row: Any, now: dt.datetime) -> str | None:
    """Why this record's personal data must stay for now (a legal term still applies), or None."""
    if kind == "melding" and row.state in _OPEN_MELDING:
        return "melding_open"  # needed to handle it and report back
    if kind == "complaint" and row.state != ComplaintState.HANDLED.value:
        return "complaint_open"  # Awb 9:11: the complaint must be handled
    if kind == "appointment" and row.state in ("booked", "checked_in") and row.slot_end > now:
        return "appointment_upcoming"
    if kind == "callback" and row.done_at is None:
        return "callback_open"
    return None


def erase_resident(backend: Backend, user_id: int, *, reason: str, email: str | None = None,
                   phone: str | None = None, name: str | None = None, postcode: str | None = None,
                   now: dt.datetime | None = None) -> ErasureResult:
    """Erasure on request (AVG art. 17): the resident's personal data goes, except where a legal term applies.

    Records still open (a melding in behandeling, an open complaint, a coming
    appointment, a callback not yet made) keep it; the result says which and
    why. The reason is recorded in the audit log (scrubbed of phone numbers,
    e-mail addresses and postcodes), with one entry per erased record.
    """
    moment = _now(now)
    why = clean_text(reason, field="reason", max_length=REASON_MAX_LENGTH, required=True)
    query = _resident_query(email, phone, name, postcode)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.RESIDENT_RIGHTS)
        found = uow.privacy.resident_records(**query)
        targets = [(kind, row.id, row, _legal_hold(kind, row, moment)) for kind, rows in found.items()
                   for row in rows]
        uow.flush()
        erased: list[tuple[str, int]] = []
        kept: list[tuple[str, int, str]] = []
        for kind, rid, _row, hold in targets:
            if hold is not None:
                kept.append((kind, rid, hold))
                continue
            if kind == "melding":
                uow.privacy.erase_melding(rid, moment, scrub_text)
            elif kind == "appointment":
                uow.privacy.erase_appointment(rid, moment)
            elif kind == "callback":
                uow.privacy.erase_callback(rid, moment, scrub_text)
            else:
                uow.privacy.erase_complaint(rid, moment, scrub_text)
            erased.append((kind, rid))
            audit(uow, user.id, moment, "erase", kind, rid, ("personal",), {"request": "art17"})
        audit(uow, user.id, moment, "erase", "resident", None, _found_by(query).split(","),
              {"reason": scrub_text(why), "erased": len(erased), "kept": [[k, i, h] for k, i, h in kept]})
        uow.commit()
        return ErasureResult(tuple(erased), tuple(kept))


def require_erasable(result: ErasureResult) -> None:
    """Raise :class:`LegalTermApplies` for the first record kept (for callers that want all or an error)."""
    if result.kept:
        kind, rid, why = result.kept[0]
        raise LegalTermApplies(kind, rid, why)

