"""The windows' only door to the services.

A :class:`Client` stands for one workstation and, once someone is signed in,
one person. Windows call ``client.queue.call_next(counter_id)``; the client
fills in who acts and when (the server does in central mode), so a window
never passes a user id or a time and cannot act as someone else.

* :class:`LocalClient` (``baliedesk.client.local``): in-process, on the
  database of this PC (SQLite, or a database reached directly by a tool).
* the remote client (central mode) talks to the BalieDesk server.

Both offer the same namespaces (from :mod:`baliedesk.services.catalogue`), the
same typed errors and the same change feed.
"""

from __future__ import annotations

from baliedesk.client.base import Client, Namespace, NotSignedInHere, SignedIn
from baliedesk.client.local import LocalClient

__all__ = ["Client", "LocalClient", "Namespace", "NotSignedInHere", "SignedIn"]
