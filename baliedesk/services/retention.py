"""Retention: personal data goes when its term is over (issue 12; terms in domain/retention.py).

:func:`retention_due` counts what is due per kind (nothing changes);
:func:`run_retention` anonymises or destroys it, set-based in storage (a few
UPDATEs per kind, whatever the number of rows), in one transaction, and writes
one audit entry per run with the counts. Figures stay: only personal fields and
free text change; every state, date and event the service norms are computed
from is left as it was (a destroyed melding stays as a tombstone row).
"""

from __future__ import annotations

import datetime as dt

from baliedesk.domain import retention as terms
from baliedesk.domain.permissions import Permission
from baliedesk.domain.scrub import scrub_text
from baliedesk.services.common import acting_user, audit, check_now
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.privacy import load_terms
from baliedesk.services.privacy_dto import RetentionCount, RetentionRun

#: Destruction first: a melding destroyed needs no separate anonymising.
_ORDER = (terms.RetentionKind.MELDING_CANCELLED, terms.RetentionKind.MELDING_HANDLED,
          terms.RetentionKind.MELDING_REPORTER, terms.RetentionKind.APPOINTMENT, terms.RetentionKind.CALLBACK,
          terms.RetentionKind.COMPLAINT, terms.RetentionKind.TICKET_NOTE, terms.RetentionKind.CONTACT_NOTE)


def _counts(uow: UnitOfWork, now: dt.datetime, *, apply: bool) -> tuple[RetentionCount, ...]:
    by_kind = {t.kind: t for t in load_terms(uow)}
    out = []
    done: list[tuple[str, dt.datetime]] = []
    for kind in _ORDER:
        t = by_kind[kind]
        if not t.enabled:
            out.append(RetentionCount(kind.value, t.months, False, 0))
            continue
        cutoff = terms.cutoff(now, t)
        n = uow.privacy.apply_due(kind.value, cutoff, now, scrub_text) if apply \
            else uow.privacy.count_due(kind.value, cutoff, done)
        done.append((kind.value, cutoff))
        out.append(RetentionCount(kind.value, t.months, True, n))
    return tuple(out)


def retention_due(backend: Backend, user_id: int, now: dt.datetime) -> RetentionRun:
    """What a run would do now, per kind (a dry run: nothing changes, nothing is logged)."""
    now = check_now(now)
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.MANAGE_RETENTION)
        return RetentionRun(now, True, _counts(uow, now, apply=False))


def run_retention(backend: Backend, user_id: int, now: dt.datetime, *, dry_run: bool = False) -> RetentionRun:
    """Anonymise and destroy what is due (``dry_run``: only count). The run is on record with its counts."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        user = acting_user(uow, user_id, Permission.MANAGE_RETENTION)
        counts = _counts(uow, now, apply=not dry_run)
        if not dry_run:
            uow.changed("meldingen")
            uow.changed("contacts")
        audit(uow, user.id, now, "retention", "retention", None, (),
              {"dry_run": dry_run, "counts": {c.kind: c.due for c in counts},
               "terms": {c.kind: (c.months if c.enabled else None) for c in counts}})
        uow.commit()
        return RetentionRun(now, dry_run, counts)


def run_daily(backend: Backend, user_id: int, now: dt.datetime, *,
              timezone: str = "Europe/Amsterdam") -> RetentionRun | None:
    """Run retention unless it already ran today (local day); for the server, or the first start of the day.

    Two workstations starting at the same moment may both run it: the second
    finds nothing left to do (a run is idempotent).
    """
    from zoneinfo import ZoneInfo

    now = check_now(now)
    local = now.astimezone(ZoneInfo(timezone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.MANAGE_RETENTION)
        runs = uow.privacy.audit_entries(record_type="retention", since=midnight, limit=1000)
        if any(e.action == "retention" and not (e.detail or {}).get("dry_run") for e in runs):
            return None
    return run_retention(backend, user_id, now)
