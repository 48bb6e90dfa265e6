"""Per-call context the client/server layer sets, the services read.

``workstation``: the workstation a call comes from ("" when not known). The
audit log records it with every entry. A :class:`contextvars.ContextVar` so
that threads and async tasks each keep their own value; the in-process client
sets it to this computer's name around each call it carries
(``client.local``), the server to the address it saw with the name the
workstation gives (``server.app.workstation_of``). Services called directly
(tools, tests) leave it "".
"""

from __future__ import annotations

import contextvars
import socket

workstation: contextvars.ContextVar[str] = contextvars.ContextVar("workstation", default="")

#: The header a remote workstation names itself in (a help for reading the audit log, not an identity).
WORKSTATION_HEADER = "X-BalieDesk-Workstation"
#: How much of a workstation's own name is kept; the audit log's column holds 120 characters, so the
#: address the server saw always fits beside it.
NAME_MAX = 60


def workstation_name(raw: str) -> str:
    """A workstation's name as the audit log keeps it: printable ASCII only, trimmed, at most
    :data:`NAME_MAX` characters ("" when nothing readable is left)."""
    return "".join(ch for ch in raw if " " <= ch <= "~").strip()[:NAME_MAX].rstrip()


def this_computer() -> str:
    """This computer's name (its host name), as the audit log keeps it."""
    try:
        return workstation_name(socket.gethostname())
    except OSError:
        return ""


def seen_from(name: str, address: str | None) -> str:
    """What the audit log records for a call through the server: "name (address)", or either alone."""
    name = workstation_name(name)
    address = workstation_name(address or "")
    if name and address:
        return f"{name} ({address})"
    return name or address
