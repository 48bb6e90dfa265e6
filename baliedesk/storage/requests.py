"""The request log (idempotent saves): see :class:`baliedesk.storage.models_robust.RequestLog`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from baliedesk.domain.errors import RequestInFlight
from baliedesk.storage.models_robust import RequestLog


class RequestRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    def result_of(self, user_id: int, request_id: str) -> tuple[str, int] | None:
        """(operation, result id) of an earlier save with this request id, or None."""
        row = self.session.connection().execute(
            select(RequestLog.operation, RequestLog.result_id)
            .where(RequestLog.user_id == user_id, RequestLog.request_id == request_id)
        ).first()
        return None if row is None else (row.operation, row.result_id)

    def remember(self, user_id: int, request_id: str, operation: str, result_id: int,
                 at: dt.datetime | None) -> None:
        """Record the save. Another transaction that recorded the same id first (committed, or
        still running: PostgreSQL waits for it) makes this raise :class:`RequestInFlight`;
        the caller's transaction is then rolled back and the first result returned."""
        self.session.flush()  # the record itself first, so its errors are its own
        conn = self.session.connection()
        try:  # no savepoint: on a conflict the whole transaction is rolled back anyway
            conn.execute(insert(RequestLog).values(user_id=user_id, request_id=request_id,
                                                   operation=operation, result_id=result_id,
                                                   created_at=at if at is not None else func.now()))
        except IntegrityError as exc:
            raise RequestInFlight(request_id, operation) from exc
