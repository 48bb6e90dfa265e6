"""Driver errors as typed faults: temporary (try again) or permanent (call the administrator).

* :class:`DatabaseUnavailable` (temporary): refused or lost connections, no answer within
  the deadline (``reason="timeout"``: a statement, lock or watchdog timeout), busy locks.
* :class:`DatabaseReadOnly`, :class:`DatabaseCorrupt`, :class:`SchemaTooNew`,
  :class:`DataFolderNotWritable` (permanent): trying again does not help.

:func:`classify` looks at the SQLSTATE (PostgreSQL) or the message (SQLite); anything it
does not recognise as a database fault is left alone (None): a bug stays a bug.
"""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError

from baliedesk.domain.errors import (
    DatabaseCorrupt,
    DatabaseReadOnly,
    DatabaseUnavailable,
    StorageFault,
)

# PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html)
_PG_READ_ONLY = {"25006"}  # read_only_sql_transaction (a standby, default_transaction_read_only)
_PG_TIMEOUT = {"57014", "25P03", "25P04"}  # query_canceled (statement_timeout), idle (in transaction) timeouts
_PG_BUSY = {"55P03", "40P01"}  # lock_not_available (lock_timeout), deadlock_detected
_PG_CORRUPT = {"XX001", "XX002"}  # data_corrupted, index_corrupted
_PG_GONE_CLASSES = ("08", "57P", "53")  # connection exceptions, shutdown, insufficient resources

_SQLITE_READ_ONLY = ("readonly database", "read-only")
_SQLITE_CORRUPT = ("file is not a database", "malformed", "file is encrypted", "disk image")
_SQLITE_BUSY = ("database is locked", "database table is locked", "busy")


def _detail(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None) or exc
    return str(orig).strip().splitlines()[0][:300] if str(orig).strip() else type(orig).__name__


def classify(exc: BaseException, *, timed_out: bool = False) -> StorageFault | None:
    """The typed fault for a driver error, or None when it is no database fault.

    ``timed_out``: the deadline watchdog cut this connection (see storage.database)."""
    if timed_out:
        return DatabaseUnavailable(_detail(exc), "timeout")
    orig = getattr(exc, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate:
        if sqlstate in _PG_READ_ONLY:
            return DatabaseReadOnly(_detail(exc))
        if sqlstate in _PG_CORRUPT:
            return DatabaseCorrupt(_detail(exc))
        if sqlstate in _PG_TIMEOUT:
            return DatabaseUnavailable(_detail(exc), "timeout")
        if sqlstate in _PG_BUSY:
            return DatabaseUnavailable(_detail(exc), "busy")
        if sqlstate.startswith(_PG_GONE_CLASSES):
            return DatabaseUnavailable(_detail(exc), "lost")
    text = str(orig if orig is not None else exc).lower()
    is_driver_fault = isinstance(exc, (OperationalError, InterfaceError, DisconnectionError)) or (
        isinstance(exc, DBAPIError) and (exc.connection_invalidated or type(orig).__name__ == "DatabaseError"))
    if not is_driver_fault:
        return None
    if any(s in text for s in _SQLITE_READ_ONLY):
        return DatabaseReadOnly(_detail(exc))
    if any(s in text for s in _SQLITE_CORRUPT):
        return DatabaseCorrupt(_detail(exc))
    if any(s in text for s in _SQLITE_BUSY):
        return DatabaseUnavailable(_detail(exc), "busy")
    if "timeout" in text or "timed out" in text:
        return DatabaseUnavailable(_detail(exc), "timeout")
    if "refused" in text or "could not connect" in text or "connection failed" in text or \
            "translate host name" in text or "unable to open" in text:
        return DatabaseUnavailable(_detail(exc), "unreachable")
    return DatabaseUnavailable(_detail(exc), "lost")
