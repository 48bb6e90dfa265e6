"""The municipality's own addresses (BAG), loaded once by the beheerder (migration 0011).

Postcode + house number -> street and place (and a point) for the meldingen intake; the
whole list is replaced at once by ``python -m baliedesk addresses import FILE.csv``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from baliedesk.storage.models import Base


class BagAddress(Base):
    __tablename__ = "bag_addresses"

    postcode: Mapped[str] = mapped_column(String(7), primary_key=True)  # "1234 AB"
    house_number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    street: Mapped[str] = mapped_column(String(80))
    place: Mapped[str] = mapped_column(String(80))
    latitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    longitude: Mapped[float | None] = mapped_column(Float, nullable=True)
    #: When the list this row belongs to was loaded (the same for every row).
    loaded_at: Mapped[dt.datetime]
