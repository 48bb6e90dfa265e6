"""Who a bearer token stands for, on a real server.

Until the sign-in method is wired in (sessions and device tokens, stored as
hashes), the server that ``python -m baliedesk server`` starts uses
:func:`refuse_all`: every token is refused, so a server is never open to
anyone by accident. Only the public routes (health, openapi, the tracking
page) answer. Tests hand out tokens with their own resolver
(``tests/server_support.TokenTable``).
"""

from __future__ import annotations

import datetime as dt
import logging

from baliedesk.server.app import Principal, SessionInvalid

log = logging.getLogger(__name__)

#: The operator's line at start-up while no sign-in method is plugged in (Dutch: operators read it).
REFUSE_ALL_NOTICE = ("Aanmelden is nog niet beschikbaar op deze server: elk verzoek met een token wordt "
                     "geweigerd (401). Alleen /api/health, /api/openapi.json en /volg/<code> werken.")


def refuse_all(token: str, now: dt.datetime) -> Principal:
    """The resolver that knows no token: every request that needs one gets 401."""
    raise SessionInvalid("sign-in unavailable")


def announce_refuse_all() -> None:
    """Say once, at start-up, that this server refuses every token."""
    log.warning(REFUSE_ALL_NOTICE)
