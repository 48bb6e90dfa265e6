"""The services the windows may use, declared once.

Every operation a window (or a device) can ask for is named here as
``"module.function"``. From this one list:

* :mod:`baliedesk.client` builds the windows' door: ``client.queue.call_next(counter_id)``
  calls :func:`baliedesk.services.queue.call_next` with the backend, the signed-in
  person (``user_id``) and the clock (``now``) filled in by the client, never by
  the window;
* the server (central mode) builds one route per operation and fills in the
  person and the clock from its own session and clock.

A service function's own parameters named ``backend``, ``user_id`` and ``now``
are the ones bound by the door; every other parameter is the caller's, in the
same order and with the same defaults. A function without ``backend`` is a
pure check (for example :func:`baliedesk.services.contacts.visit_contact`) that
runs where it is called.

Nothing outside this list is reachable through the client or the server: the
demo seed, bootstrap and the command line's set-up functions stay on the
command line.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

#: Parameters the door fills in; a caller never passes them.
BOUND = ("backend", "user_id", "now")

#: ``module: function names`` (modules under ``baliedesk.services``).
EXPOSED: dict[str, tuple[str, ...]] = {
    "queue": (
        "issue_ticket", "sign_in", "set_counter_services", "heartbeat", "sign_out", "counter_session",
        "call_next", "recall", "start_serving", "finish", "no_show", "requeue", "transfer", "cancel",
        "release", "queue_snapshot", "ticket_history", "counters_at", "call_ticket", "undo_no_show",
        "undoable_no_shows",
    ),
    "appointments": (
        "appointment_switch", "bookable_services", "configure_service", "add_block", "remove_block",
        "available_slots", "location_slots", "book", "move", "cancel", "find", "check_in", "day_overview",
        "mark_no_shows", "appointment_ics",
    ),
    "schedules": (
        "todays_hours", "calendar_view", "schedule_config", "working_days", "set_calendar_options",
        "set_opening_hours", "set_exception", "remove_exception",
    ),
    "setup": ("list_locations", "list_services", "sign_in_choices", "set_user_locations", "user_locations",
              "set_user_teams"),
    # The privacy officer and the beheerder: the audit log, a resident's rights, retention terms.
    "privacy": (
        "audit_by_user", "audit_by_record", "audit_by_resident", "export_audit", "find_resident", "erase_resident",
        "retention_terms", "set_retention_term", "resident_json",  # resident_json: pure, runs where called
    ),
    "retention": ("retention_due", "run_retention"),
    "contacts": (
        "visit_contact", "register_contact", "register_visit_contact", "recent_contacts", "write_callback",
        "open_callbacks", "mark_called_back", "register_complaint", "acknowledge_complaint",
        "extend_complaint", "close_complaint", "complaints",
    ),
    "meldingen": (
        "list_categories", "import_categories", "export_categories", "save_category", "may_manage_categories",
        "teams", "take_melding", "possible_duplicates", "link_melding", "change_status", "work_list",
        "melding_detail", "melding_slip", "photo_data",
    ),
    "hall": ("hall_calls",),
    # The municipality's own address list (BAG), loaded once by the beheerder on the command line
    # (addresses.replace_addresses stays there): the meldingen intake looks addresses up here.
    "addresses": ("find_address", "address_list_info"),
    # The municipality, its locations, services and counters (admin tabs, first-run assistant);
    # ``branding`` gives every slip and screen the location's address, phone, website, logo.
    "organisation": (
        "municipality", "municipality_logo", "location_details", "branding", "organisation_view",
        "update_municipality", "add_location", "update_location", "set_location_active", "set_fair_share_weights",
        "update_service", "set_service_active", "delete_service", "update_counter", "set_counter_active",
        "delete_counter",
    ),
    "setupfile": ("export_setup", "first_run"),  # first_run: an empty database only (the assistant)
    # The service norms: the team lead's dashboard, its exports, the quarterly report; KTO ratings.
    "reports": (
        "norm_tiles", "wait_distribution", "daily_trend", "week_heatmap", "live_today", "visits_behind",
        "quarterly_report", "norm_targets", "set_norm_target", "clear_norm_target", "record_rating",
    ),
    # People and devices (the admin window's "Mensen" and "Apparaten"). Signing in,
    # changing one's own password and signing out are the door's own methods
    # (Client.sign_in, change_password, sign_out): they carry a token, not a person.
    "auth": (
        "add_user", "set_role", "deactivate_user", "activate_user", "reset_password", "list_users",
        "revoke_sessions", "enroll_device", "revoke_device", "list_devices",
    ),
}


#: Operations the server answers without a token: the list of locations (their names are
#: public: they stand on the town hall) and the first-run assistant's one save, which the
#: service itself refuses as soon as the database holds a person or a location.
PUBLIC: frozenset[str] = frozenset({"setup.list_locations", "setupfile.first_run"})


@dataclass(frozen=True)
class Operation:
    """One exposed service function and what its caller passes."""

    name: str  # "queue.call_next"
    func: Callable[..., Any]
    signature: inspect.Signature  # the caller's parameters only (without backend, user_id, now)
    needs_backend: bool
    acts: bool  # takes the acting person's ``user_id``
    clock: bool  # takes ``now``

    @property
    def public(self) -> bool:
        return self.name in PUBLIC

    @property
    def module(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def function(self) -> str:
        return self.name.split(".", 1)[1]

    def bind(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> dict[str, Any]:
        """The caller's arguments as keywords (defaults applied); TypeError when they do not fit."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)

    def call(self, backend: Any, user_id: int | None, now: Any, arguments: dict[str, Any]) -> Any:
        """Run the service function with the door's backend, person and clock filled in."""
        extra: dict[str, Any] = {}
        if self.needs_backend:
            extra["backend"] = backend
        if self.acts:
            extra["user_id"] = user_id
        if self.clock:
            extra["now"] = now
        return self.func(**extra, **arguments)


def _operation(module: str, function: str) -> Operation:
    func = getattr(importlib.import_module(f"baliedesk.services.{module}"), function)
    full = inspect.signature(func)
    names = set(full.parameters)
    for p in full.parameters.values():
        if p.kind in (p.POSITIONAL_ONLY, p.VAR_POSITIONAL, p.VAR_KEYWORD):
            raise TypeError(f"{module}.{function}: parameter {p.name} cannot cross the door")
    caller = full.replace(parameters=[p for p in full.parameters.values() if p.name not in BOUND])
    return Operation(f"{module}.{function}", func, caller, "backend" in names, "user_id" in names, "now" in names)


@cache
def operations() -> dict[str, Operation]:
    """Every exposed operation by name ("queue.call_next"), loaded once."""
    return {f"{m}.{f}": _operation(m, f) for m, functions in EXPOSED.items() for f in functions}


def operation(name: str) -> Operation:
    """The operation called ``name``; KeyError for anything not exposed."""
    return operations()[name]


def modules() -> Iterator[str]:
    return iter(EXPOSED)
