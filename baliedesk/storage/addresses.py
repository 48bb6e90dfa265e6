"""The municipality's address list (``bag_addresses``): one look-up, its size, and replacing it whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, func, insert, select, text

from baliedesk.storage.models_addresses import BagAddress

_A = BagAddress.__table__
#: Rows per INSERT batch: a city's ~100,000 addresses go in as a few dozen batches.
CHUNK = 5000


class AddressRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def find(self, postcode: str, house_number: int) -> Any | None:
        """The row of ``postcode`` ("1234 AB") and ``house_number``, or None."""
        return self.session.connection().execute(
            select(_A.c.street, _A.c.house_number, _A.c.postcode, _A.c.place, _A.c.latitude, _A.c.longitude)
            .where(_A.c.postcode == postcode, _A.c.house_number == house_number)
        ).first()

    def summary(self) -> tuple[int, dt.datetime | None]:
        """(how many addresses, when the list was loaded; None when it is empty)."""
        count, loaded = self.session.connection().execute(
            select(func.count(), func.max(_A.c.loaded_at))).one()  # max() keeps the column's type: aware UTC
        return int(count), loaded

    def replace_all(self, rows: Iterable[Mapping[str, Any]], loaded_at: dt.datetime) -> int:
        """Delete the whole list and insert ``rows`` (dicts with the columns but ``loaded_at``),
        in batches, in this unit of work's transaction (all or nothing). How many were inserted."""
        conn = self.session.connection()
        if conn.dialect.name == "postgresql":  # two loads at once: the second waits (readers never do)
            conn.execute(text("LOCK TABLE bag_addresses IN EXCLUSIVE MODE"))
        conn.execute(delete(_A))
        n = 0
        batch: list[dict[str, Any]] = []
        for row in rows:
            batch.append({**row, "loaded_at": loaded_at})
            if len(batch) >= CHUNK:
                conn.execute(insert(_A), batch)
                n += len(batch)
                batch = []
        if batch:
            conn.execute(insert(_A), batch)
            n += len(batch)
        return n
