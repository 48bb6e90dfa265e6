"""The public tracking page of a melding: what a resident may see with the code on their slip.

Number, category, status, the expected date and the day of the last change:
no description, no address, no names. Anyone with the code may ask, so the
answer carries nothing that identifies a person.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baliedesk.domain import meldingen as rules
from baliedesk.domain.errors import NotFound
from baliedesk.services.common import check_now, local_day
from baliedesk.services.ports import Backend


@dataclass(frozen=True)
class PublicStatus:
    number: str
    tracking_code: str  # as printed: "K7P3-QX4A"
    category: str  # "Verlichting: lamp defect"
    state: str  # gemeld, in_behandeling, doorgezet, afgehandeld, geannuleerd, heropend
    received_on: dt.date
    expected_date: dt.date
    last_change_on: dt.date
    open: bool
    overdue: bool


def public_status(backend: Backend, tracking_code: str, now: dt.datetime) -> PublicStatus:
    """The status of the melding with ``tracking_code``; NotFound (never a hint) otherwise."""
    now = check_now(now)
    code = rules.normalise_tracking_code(tracking_code)
    with backend.unit_of_work() as uow:
        m = uow.meldingen.by_tracking_code(code)
        if m is None:
            raise NotFound("melding", "tracking_code")
        main = m
        for _ in range(50):  # a linked melding follows the one it was joined to
            if main.linked_to_id is None:
                break
            main = uow.meldingen.get(main.linked_to_id) or main
            if main.linked_to_id == m.id:
                break
        category = uow.meldingen.category(m.category_id)
        location = uow.directory.location(m.location_id)
        today = local_day(now, location.timezone) if location else now.date()
        is_open = main.state in rules.OPEN_STATE_VALUES
        last_change = local_day(main.changed_at, location.timezone) if location else main.changed_at.date()
        return PublicStatus(
            number=m.number, tracking_code=rules.display_tracking_code(m.tracking_code),
            category=f"{category.main}: {category.sub.lower()}" if category else "",
            state=main.state, received_on=m.received_on, expected_date=main.due_date,
            last_change_on=last_change, open=is_open, overdue=is_open and rules.is_overdue(today, main.due_date),
        )
