"""Per-call context the client/server layer sets, the services read.

``workstation``: the name of the workstation a call comes from ("" when not
known). The audit log records it with every entry. A
:class:`contextvars.ContextVar` so that threads and async tasks each keep their
own value; the server sets it per request, a one-PC window once at start.
"""

from __future__ import annotations

import contextvars

workstation: contextvars.ContextVar[str] = contextvars.ContextVar("workstation", default="")
