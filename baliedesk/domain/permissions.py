"""Roles and what each may do. Services check these on every call."""

from __future__ import annotations

import enum

from baliedesk.domain.errors import PermissionDenied


class Role(str, enum.Enum):
    CLERK = "baliemedewerker"
    KCC = "kcc"
    TEAM_LEAD = "teamleider"
    ADMIN = "beheerder"
    KIOSK = "kiosk"
    DISPLAY = "display"
    PRIVACY_OFFICER = "privacyfunctionaris"  # functionaris gegevensbescherming (FG); fits users.role (20)


class Permission(str, enum.Enum):
    ISSUE_TICKET = "issue_ticket"
    VIEW_QUEUE = "view_queue"
    SERVE = "serve"  # sign in at a counter, call, recall, finish, transfer ...
    RELEASE_TICKET = "release_ticket"  # free a ticket held by a counter that is gone
    CANCEL_TICKET = "cancel_ticket"
    CONFIGURE = "configure"  # services, counters, locations, users
    VIEW_DISPLAY = "view_display"
    MANAGE_APPOINTMENTS = "manage_appointments"  # book, move, cancel, day overview (contact details)
    TAKE_MELDING = "take_melding"  # meldingen intake and status, contacts, callback notes, complaints registered
    MANAGE_MELDINGEN = "manage_meldingen"  # categories and their terms; complaint term extension and outcome
    MANAGE_USERS = "manage_users"  # add people, roles, deactivate, reset passwords (beheerder only for beheerders)
    MANAGE_DEVICES = "manage_devices"  # enrol and revoke kiosks and hall screens
    VIEW_AUDIT = "view_audit"  # search and export the audit log (privacy)
    RESIDENT_RIGHTS = "resident_rights"  # inzage (AVG art. 15) and erasure (art. 17) for a resident
    MANAGE_RETENTION = "manage_retention"  # retention terms and running retention
    VIEW_REPORTS = "view_reports"  # the service norms dashboard, its exports and the quarterly report
    RATE_VISIT = "rate_visit"  # record a visitor's anonymous rating (kiosk, counter screen)
    MANAGE_ADDRESSES = "manage_addresses"  # load (replace) the municipality's address list (BAG)


_STAFF_VIEW = {Permission.VIEW_QUEUE, Permission.VIEW_DISPLAY}

GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CLERK: frozenset({*_STAFF_VIEW, Permission.SERVE, Permission.ISSUE_TICKET, Permission.CANCEL_TICKET,
                           Permission.MANAGE_APPOINTMENTS, Permission.TAKE_MELDING, Permission.RATE_VISIT}),
    Role.KCC: frozenset({*_STAFF_VIEW, Permission.ISSUE_TICKET, Permission.MANAGE_APPOINTMENTS,
                         Permission.TAKE_MELDING}),
    Role.TEAM_LEAD: frozenset(
        {*_STAFF_VIEW, Permission.SERVE, Permission.ISSUE_TICKET, Permission.CANCEL_TICKET, Permission.RELEASE_TICKET, Permission.CONFIGURE,
         Permission.MANAGE_APPOINTMENTS, Permission.TAKE_MELDING, Permission.MANAGE_MELDINGEN, Permission.MANAGE_USERS,
         Permission.VIEW_REPORTS, Permission.RATE_VISIT}
    ),
    Role.ADMIN: frozenset({*_STAFF_VIEW, Permission.RELEASE_TICKET, Permission.CANCEL_TICKET, Permission.CONFIGURE,
                           Permission.MANAGE_MELDINGEN, Permission.MANAGE_USERS, Permission.MANAGE_DEVICES,
                           Permission.VIEW_AUDIT, Permission.RESIDENT_RIGHTS, Permission.MANAGE_RETENTION,
                           Permission.VIEW_REPORTS, Permission.MANAGE_ADDRESSES}),
    Role.KIOSK: frozenset({Permission.ISSUE_TICKET, Permission.VIEW_QUEUE, Permission.RATE_VISIT}),
    Role.DISPLAY: frozenset({Permission.VIEW_DISPLAY}),
    Role.PRIVACY_OFFICER: frozenset({Permission.VIEW_AUDIT, Permission.RESIDENT_RIGHTS}),
}

#: Public devices: they see no personal data in any result (services redact for them).
DEVICE_ROLES: frozenset[Role] = frozenset({Role.KIOSK, Role.DISPLAY})

#: Roles that work for every location unless given fewer (see services.common.require_location).
ALL_LOCATION_ROLES: frozenset[Role] = frozenset({Role.ADMIN, Role.PRIVACY_OFFICER})


def is_device(role: Role | str) -> bool:
    return str(getattr(role, "value", role)) in {r.value for r in DEVICE_ROLES}


def allows(role: Role | str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False


def require(role: Role | str, permission: Permission) -> None:
    if not allows(role, permission):
        raise PermissionDenied(str(getattr(role, "value", role)), permission.value)
