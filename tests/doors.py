"""How a window test gets its client: through ``make_client`` (both modes) or, for a test's own
broken backend (unplugged, dead), in-process."""

from __future__ import annotations


def client_for(door, clock):
    """``door``: a factory ``door(clock)`` from a fixture such as ``kiosk_door`` (a client bound to a
    device account, local or remote), a ready Client, or a backend of the test's own (in-process)."""
    from baliedesk.client import Client, LocalClient

    if isinstance(door, Client):
        return door
    if callable(door):
        return door(clock)
    return LocalClient(door, clock=clock, owns_backend=False)
