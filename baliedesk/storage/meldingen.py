"""Repositories for meldingen (``uow.meldingen``) and contacts, callback notes, complaints (``uow.contacts``).

The services reach these through the protocols in
:mod:`baliedesk.services.ports`. The work list and the duplicate look-up spell
the open states exactly as the partial indexes do (``MELDING_OPEN_SQL``), so
both PostgreSQL and SQLite use those indexes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, defer

from baliedesk.storage.models import (
    MELDING_OPEN_SQL,
    CallbackNote,
    Complaint,
    ContactRecord,
    Melding,
    MeldingCategory,
    MeldingHistory,
    MeldingPhoto,
    RecordSequence,
)

_OPEN = text(MELDING_OPEN_SQL)


def like_pattern(term: str) -> str:
    """``term`` as a LIKE pattern matching anywhere, with ``%``, ``_`` and ``\\`` taken literally."""
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class MeldingRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- categories ---------------------------------------------------------
    def categories(self, *, active_only: bool = False) -> list[MeldingCategory]:
        stmt = select(MeldingCategory).order_by(MeldingCategory.sort_order, MeldingCategory.main,
                                                MeldingCategory.sub)
        if active_only:
            stmt = stmt.where(MeldingCategory.active.is_(True))
        return list(self.s.execute(stmt).scalars())

    def lock_categories(self) -> None:
        """Serialise changes to the category list until commit (two first uses installing the defaults at once).

        PostgreSQL: a table lock that conflicts with itself but not with readers.
        SQLite: the write transaction (``BEGIN IMMEDIATE``) already does this.
        """
        if self.s.connection().dialect.name == "postgresql":
            self.s.execute(text("LOCK TABLE melding_categories IN SHARE ROW EXCLUSIVE MODE"))

    def category(self, category_id: int) -> MeldingCategory | None:
        return self.s.get(MeldingCategory, category_id)

    def category_by_name(self, main: str, sub: str) -> MeldingCategory | None:
        stmt = select(MeldingCategory).where(func.lower(MeldingCategory.main) == main.lower(),
                                             func.lower(MeldingCategory.sub) == sub.lower())
        return self.s.execute(stmt).scalars().first()

    def add_category(self, **fields: Any) -> MeldingCategory:
        row = MeldingCategory(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def teams(self) -> list[str]:
        stmt = select(MeldingCategory.team).distinct().order_by(MeldingCategory.team)
        return list(self.s.execute(stmt).scalars())

    # -- numbers -------------------------------------------------------------
    def next_number(self, kind: str, year: int) -> int:
        """Atomically the next number of ``kind`` in ``year`` (one upsert; concurrent intakes serialise on the row)."""
        conn = self.s.connection()
        upsert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        table = RecordSequence.__table__
        stmt = (upsert(table).values(kind=kind, year=year, last_number=1)
                .on_conflict_do_update(index_elements=[table.c.kind, table.c.year],
                                       set_={"last_number": table.c.last_number + 1})
                .returning(table.c.last_number))
        return int(conn.execute(stmt).scalar_one())

    def tracking_code_taken(self, code: str) -> bool:
        return self.s.execute(select(Melding.id).where(Melding.tracking_code == code)).first() is not None

    # -- meldingen -----------------------------------------------------------
    def new(self, **fields: Any) -> Melding:
        row = Melding(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def get(self, melding_id: int, *, lock: bool = False) -> Melding | None:
        if lock:
            stmt = select(Melding).where(Melding.id == melding_id).with_for_update()
            return self.s.execute(stmt).scalars().first()
        return self.s.get(Melding, melding_id)

    def by_number(self, number: str) -> Melding | None:
        return self.s.execute(select(Melding).where(Melding.number == number)).scalars().first()

    def by_tracking_code(self, code: str) -> Melding | None:
        return self.s.execute(select(Melding).where(Melding.tracking_code == code)).scalars().first()

    def linked_count(self, melding_id: int) -> int:
        return int(self.s.execute(select(func.count()).select_from(Melding)
                                  .where(Melding.linked_to_id == melding_id)).scalar_one())

    def work_list(self, *, states: Sequence[str] | None = None, category_id: int | None = None,
                  team: str | None = None, overdue_on: dt.date | None = None, channel: str | None = None,
                  search: str | None = None, limit: int = 200,
                  location_ids: Sequence[int] | None = None, teams: Sequence[str] | None = None) -> list[Any]:
        """Meldingen matching every given filter. ``states`` None: the open ones, by due date.

        ``location_ids``, ``teams``: only meldingen of these locations and teams (None: all).

        ``overdue_on``: open meldingen whose due date lies before that day.
        Plain rows (attribute access by column name), not ORM objects: the list
        is read-only and a page of them costs a fraction of the mapping.
        """
        stmt = select(Melding.__table__)
        open_only = states is None or overdue_on is not None
        if open_only:
            stmt = stmt.where(_OPEN)
            if states:
                stmt = stmt.where(Melding.state.in_(list(states)))
            stmt = stmt.order_by(Melding.due_date, Melding.id)
        else:
            stmt = stmt.where(Melding.state.in_(list(states or ()))).order_by(Melding.created_at.desc(),
                                                                              Melding.id.desc())
        if overdue_on is not None:
            stmt = stmt.where(Melding.due_date < overdue_on)
        if team is not None:
            stmt = stmt.where(Melding.team == team)
        if category_id is not None:
            stmt = stmt.where(Melding.category_id == category_id)
        if channel is not None:
            stmt = stmt.where(Melding.channel == channel)
        if location_ids is not None:
            stmt = stmt.where(Melding.location_id.in_(list(location_ids)))
        if teams is not None:
            stmt = stmt.where(Melding.team.in_(list(teams)))
        if search:
            pattern = like_pattern(search)
            stmt = stmt.where(or_(*(col.ilike(pattern, escape="\\") for col in (
                Melding.number, Melding.description, Melding.street, Melding.place, Melding.location_text,
                Melding.postcode, Melding.reporter_name))))
        return list(self.s.execute(stmt.limit(limit)).all())

    def duplicates(self, *, category_id: int, street_key: str | None, postcode_area: str | None,
                   since: dt.datetime, until: dt.datetime, exclude_id: int | None = None,
                   limit: int = 10) -> list[Melding]:
        """Open meldingen of the category at the same street or in the same postcode area, newest first.

        Two index range scans (street, area) joined by UNION, so each side uses
        its own partial index on both backends.
        """
        parts = []
        for column, value in ((Melding.street_key, street_key), (Melding.postcode_area, postcode_area)):
            if value is None:
                continue
            part = (select(Melding.id).where(_OPEN, Melding.category_id == category_id, column == value,
                                             Melding.created_at >= since, Melding.created_at <= until)
                    .order_by(Melding.created_at.desc()).limit(limit))
            parts.append(part.subquery().select())
        if not parts:
            return []
        ids_stmt = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
        ids = [i for (i,) in self.s.execute(ids_stmt)]
        if exclude_id is not None:
            ids = [i for i in ids if i != exclude_id]
        if not ids:
            return []
        stmt = (select(Melding).where(Melding.id.in_(ids))
                .order_by(Melding.created_at.desc(), Melding.id.desc()).limit(limit))
        return list(self.s.execute(stmt).scalars())

    # -- photos and history -------------------------------------------------
    def add_photo(self, **fields: Any) -> MeldingPhoto:
        row = MeldingPhoto(**fields)
        self.s.add(row)
        self.s.flush()
        return row

    def photos(self, melding_id: int, *, with_data: bool = False) -> list[MeldingPhoto]:
        stmt = select(MeldingPhoto).where(MeldingPhoto.melding_id == melding_id).order_by(MeldingPhoto.id)
        if not with_data:
            stmt = stmt.options(defer(MeldingPhoto.data))
        return list(self.s.execute(stmt).scalars())

    def photo(self, photo_id: int) -> MeldingPhoto | None:
        return self.s.get(MeldingPhoto, photo_id)

    def add_history(self, **fields: Any) -> None:
        self.s.add(MeldingHistory(**fields))
        self.s.flush()

    def history(self, melding_id: int) -> list[MeldingHistory]:
        stmt = select(MeldingHistory).where(MeldingHistory.melding_id == melding_id).order_by(MeldingHistory.id)
        return list(self.s.execute(stmt).scalars())


class ContactRepository:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _add(self, row: Any) -> Any:
        self.s.add(row)
        self.s.flush()
        return row

    # -- contacts ------------------------------------------------------------
    def new_contact(self, **fields: Any) -> ContactRecord:
        return self._add(ContactRecord(**fields))

    def visit_contact(self, ticket_id: int) -> ContactRecord | None:
        """The contact registration that closed this counter visit, if any."""
        stmt = select(ContactRecord).where(ContactRecord.ticket_id == ticket_id).order_by(ContactRecord.id).limit(1)
        return self.s.execute(stmt).scalar_one_or_none()

    def contacts(self, location_id: int, since: dt.datetime, limit: int = 200) -> list[ContactRecord]:
        stmt = (select(ContactRecord).where(ContactRecord.location_id == location_id,
                                            ContactRecord.created_at >= since)
                .order_by(ContactRecord.created_at.desc(), ContactRecord.id.desc()).limit(limit))
        return list(self.s.execute(stmt).scalars())

    # -- callback notes ----------------------------------------------------
    def new_callback(self, **fields: Any) -> CallbackNote:
        return self._add(CallbackNote(**fields))

    def callback(self, note_id: int, *, lock: bool = False) -> CallbackNote | None:
        if lock:
            return self.s.execute(select(CallbackNote).where(CallbackNote.id == note_id)
                                  .with_for_update()).scalars().first()
        return self.s.get(CallbackNote, note_id)

    def open_callbacks(self, limit: int = 500) -> list[CallbackNote]:
        stmt = (select(CallbackNote).where(text("done_at IS NULL"))
                .order_by(CallbackNote.due_date, CallbackNote.id).limit(limit))
        return list(self.s.execute(stmt).scalars())

    def done_callbacks(self, since: dt.datetime, limit: int = 200) -> list[CallbackNote]:
        stmt = (select(CallbackNote).where(CallbackNote.done_at >= since)
                .order_by(CallbackNote.done_at.desc()).limit(limit))
        return list(self.s.execute(stmt).scalars())

    # -- complaints ----------------------------------------------------------
    def new_complaint(self, **fields: Any) -> Complaint:
        return self._add(Complaint(**fields))

    def complaint(self, complaint_id: int, *, lock: bool = False) -> Complaint | None:
        if lock:
            return self.s.execute(select(Complaint).where(Complaint.id == complaint_id)
                                  .with_for_update()).scalars().first()
        return self.s.get(Complaint, complaint_id)

    def complaints(self, *, open_only: bool = True, limit: int = 500) -> list[Complaint]:
        stmt = select(Complaint)
        if open_only:
            stmt = stmt.where(Complaint.state != "afgehandeld")
        stmt = stmt.order_by(Complaint.due_date, Complaint.id).limit(limit)
        return list(self.s.execute(stmt).scalars())

