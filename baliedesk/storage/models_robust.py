"""Models of issue 14 (never duplicate): the log of saves made with a request id."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from baliedesk.storage.models import Base


class RequestLog(Base):
    """One row per save made with a request id (made by the client when the form opened).

    Written in the same transaction as the record it made; the unique key makes a second
    save with the same id (a double click, a retry after a timeout, another connection
    still busy with the first) return the first result instead of a second record.
    """

    __tablename__ = "request_log"
    __table_args__ = (UniqueConstraint("user_id", "request_id", name="uq_request_log_user_request"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    request_id: Mapped[str] = mapped_column(String(64))
    operation: Mapped[str] = mapped_column(String(40))
    result_id: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime]
