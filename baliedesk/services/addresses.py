"""The municipality's own address list (BAG) in the database: look one up, how big it is, load it.

One user action = one function = one transaction. The list is loaded once, by the
beheerder (``python -m baliedesk addresses import FILE.csv``), for every workstation;
the meldingen intake looks addresses up through its client (``client.addresses``),
in-process on one PC and over the BalieDesk server in central mode.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from baliedesk.domain.addresses import NAME_MAX, NUMBER_MAX, Address, normal_postcode
from baliedesk.domain.errors import ValidationError
from baliedesk.domain.permissions import Permission, allows
from baliedesk.domain.validation import check_text_argument
from baliedesk.services.arguments import checked
from baliedesk.services.common import acting_user, check_actor, check_now
from baliedesk.services.ports import Backend

#: The most addresses one list may hold (Amsterdam has about 500,000).
ADDRESSES_MAX = 2_000_000


@dataclass(frozen=True)
class AddressListInfo:
    """How many addresses the database holds, and when they were loaded (None: never)."""

    count: int
    loaded_at: dt.datetime | None


@checked
def find_address(backend: Backend, user_id: int, postcode: str, house_number: int) -> Address | None:
    """The address of ``postcode`` (any spelling: "9919ah") and ``house_number``; None when the list
    does not hold it or it is no postcode or house number. For the people who take meldingen."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.TAKE_MELDING)
        pc = normal_postcode(postcode)
        if pc is None or not 0 < house_number <= NUMBER_MAX:
            return None
        row = uow.addresses.find(pc, house_number)
        if row is None:
            return None
        return Address(row.street, row.house_number, row.postcode, row.place, row.latitude, row.longitude)


@checked
def address_list_info(backend: Backend, user_id: int) -> AddressListInfo:
    """How many addresses the list holds and when it was loaded: for the intake (is there a list
    to look in?) and the beheerder."""
    with backend.unit_of_work() as uow:
        user = uow.directory.user(user_id)
        manages = user is not None and allows(user.role, Permission.MANAGE_ADDRESSES)
        check_actor(user, user_id, Permission.MANAGE_ADDRESSES if manages else Permission.TAKE_MELDING)
        count, loaded_at = uow.addresses.summary()
        return AddressListInfo(count, loaded_at)


@checked
def replace_addresses(backend: Backend, user_id: int, addresses: Iterable[Address], now: dt.datetime) -> int:
    """Replace the whole list with ``addresses`` in one transaction (all or nothing): the beheerder only.

    Every address is checked first (ValidationError, field ``addresses``: nothing is changed);
    one postcode + house number given twice (house letters: 12A and 12B) is kept once, the
    last one given, as the per-PC look-up did. How many addresses the list now holds."""
    now = check_now(now)
    rows = _checked_rows(addresses)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.MANAGE_ADDRESSES)
        n = uow.addresses.replace_all(rows.values(), now)
        uow.changed(addresses_topic())
        uow.commit()
        return n


def addresses_topic() -> str:
    return "addresses"


def _checked_rows(addresses: Iterable[Address]) -> dict[tuple[str, int], dict[str, Any]]:
    if isinstance(addresses, (str, bytes)) or not isinstance(addresses, Iterable):
        raise ValidationError("addresses", "invalid")
    rows: dict[tuple[str, int], dict[str, Any]] = {}
    for a in _limited(addresses):
        row = _row(a)
        key = (row["postcode"], row["house_number"])
        rows.pop(key, None)  # the last one given wins, in its own place in the order
        rows[key] = row
    return rows


def _limited(addresses: Iterable[Address]) -> Iterator[Address]:
    for i, a in enumerate(addresses):
        if i >= ADDRESSES_MAX:
            raise ValidationError("addresses", "too_many", ADDRESSES_MAX)
        yield a


def _row(a: object) -> dict[str, Any]:
    if not isinstance(a, Address):
        raise ValidationError("addresses", "invalid")
    pc = normal_postcode(a.postcode) if isinstance(a.postcode, str) else None
    number = a.house_number
    if pc is None or isinstance(number, bool) or not isinstance(number, int) or not 0 < number <= NUMBER_MAX:
        raise ValidationError("addresses", "invalid")
    names = []
    for value in (a.street, a.place):
        text = check_text_argument(value, "addresses").strip()
        if not text or len(text) > NAME_MAX:
            raise ValidationError("addresses", "invalid")
        names.append(text)
    point = (a.latitude, a.longitude)
    if point != (None, None):
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) for v in point):
            raise ValidationError("addresses", "invalid")
        if not (-90 <= point[0] <= 90 and -180 <= point[1] <= 180):
            raise ValidationError("addresses", "out_of_range")
    return {"postcode": pc, "house_number": number, "street": names[0], "place": names[1],
            "latitude": None if point[0] is None else float(point[0]),
            "longitude": None if point[1] is None else float(point[1])}
