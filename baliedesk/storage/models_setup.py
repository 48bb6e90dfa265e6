"""The municipality itself (migration 0010): one row with its name, colour and logo.

The per-location details (address, phone, website, tracking page) are columns
of ``locations`` (storage/models.py).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from baliedesk.storage.models import Base

#: The one row's id.
MUNICIPALITY_ID = 1


class Municipality(Base):
    __tablename__ = "municipality"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    color: Mapped[str] = mapped_column(String(9), default="#0B4F8A")
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    logo_type: Mapped[str | None] = mapped_column(String(40), nullable=True)
    updated_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
