"""Who may do what: the roles matrix, checked in the domain."""

from __future__ import annotations

import pytest

from baliedesk.domain.errors import PermissionDenied
from baliedesk.domain.permissions import GRANTS, Permission, Role, allows, require

P = Permission
# The matrix as the product describes it (SPEC section 9 and issue 2): written
# out here so that a change to GRANTS has to be a conscious one.
EXPECTED = {
    Role.CLERK: {P.ISSUE_TICKET, P.VIEW_QUEUE, P.VIEW_DISPLAY, P.SERVE, P.CANCEL_TICKET, P.MANAGE_APPOINTMENTS,
                 P.TAKE_MELDING, P.RATE_VISIT},
    Role.KCC: {P.ISSUE_TICKET, P.VIEW_QUEUE, P.VIEW_DISPLAY, P.MANAGE_APPOINTMENTS, P.TAKE_MELDING},
    Role.TEAM_LEAD: {P.ISSUE_TICKET, P.VIEW_QUEUE, P.VIEW_DISPLAY, P.SERVE, P.CANCEL_TICKET, P.RELEASE_TICKET,
                     P.CONFIGURE, P.MANAGE_APPOINTMENTS, P.TAKE_MELDING, P.MANAGE_MELDINGEN, P.MANAGE_USERS,
                     P.VIEW_REPORTS, P.RATE_VISIT},
    Role.ADMIN: {P.VIEW_QUEUE, P.VIEW_DISPLAY, P.RELEASE_TICKET, P.CANCEL_TICKET, P.CONFIGURE, P.MANAGE_MELDINGEN,
                 P.MANAGE_USERS, P.MANAGE_DEVICES, P.VIEW_AUDIT, P.RESIDENT_RIGHTS, P.MANAGE_RETENTION,
                 P.VIEW_REPORTS, P.MANAGE_ADDRESSES},  # the address list (BAG): the beheerder only
    Role.KIOSK: {P.ISSUE_TICKET, P.VIEW_QUEUE, P.RATE_VISIT},
    Role.DISPLAY: {P.VIEW_DISPLAY},
    # Issue 12 (AVG): the privacy officer reads the audit log and handles residents' requests, nothing else.
    Role.PRIVACY_OFFICER: {P.VIEW_AUDIT, P.RESIDENT_RIGHTS},
}

MATRIX = [(role, perm) for role in Role for perm in Permission]


def test_every_role_has_grants():
    assert set(GRANTS) == set(Role)


@pytest.mark.parametrize(("role", "permission"), MATRIX, ids=lambda v: v.value)
def test_matrix(role, permission):
    expected = permission in EXPECTED[role]
    assert allows(role, permission) is expected
    assert allows(role.value, permission) is expected  # the role as stored in the database
    if expected:
        require(role, permission)
    else:
        with pytest.raises(PermissionDenied) as info:
            require(role.value, permission)
        assert (info.value.role, info.value.permission) == (role.value, permission.value)


def test_dutch_role_names_as_stored():
    assert Role("baliemedewerker") is Role.CLERK
    assert Role("teamleider") is Role.TEAM_LEAD
    assert Role("beheerder") is Role.ADMIN


@pytest.mark.parametrize("role", ["", "root", "Baliemedewerker", None])
def test_unknown_role_has_no_rights(role):
    for permission in Permission:
        assert not allows(role, permission)
        with pytest.raises(PermissionDenied):
            require(role, permission)


def test_unattended_devices_cannot_serve_or_configure():
    for device in (Role.KIOSK, Role.DISPLAY):
        for permission in (P.SERVE, P.RELEASE_TICKET, P.CANCEL_TICKET, P.CONFIGURE):
            assert not allows(device, permission)
