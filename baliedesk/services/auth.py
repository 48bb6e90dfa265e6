"""Sign-in, sessions, people and devices.

Every person signs in with a user name and a password (Argon2id). A sign-in
opens a *session*: a random token handed out once, of which the database keeps
only the SHA-256. The server resolves each request's bearer token to a
:class:`Principal` with :func:`resolve_session` and calls the other services
with ``principal.user_id``; the services keep loading the acting user's role
from the database.

Kiosks and hall screens are *devices*: each is enrolled once (a one-time code
exchanged for a token) and acts as its own ``users`` row of role kiosk or
display, without a password. So every existing service works for a device as
it does for a person, and a device can do exactly what its role is granted.

Sign-in goes through an :class:`Authenticator`; the password method is the
first. Windows single sign-on or OIDC can be added as another one without
touching the windows.

Failed tries are counted per account name (also for names that do not exist,
so the answers never tell whether a name exists) and per workstation address:
an increasing delay, then a lock (see :mod:`baliedesk.domain.auth`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from baliedesk.domain.auth import (
    SESSIONS_TOPIC,
    ACCOUNT_LOCKOUT,
    ADDRESS_LOCKOUT,
    DEVICE_SESSIONS,
    ENROLMENT_VALID,
    PASSWORD_CHANGE_SESSIONS,
    PERSON_SESSIONS,
    Attempts,
    LockoutPolicy,
    SessionPolicy,
    check_password_policy,
    code_hash,
    looks_like_token,
    new_enrolment_code,
    new_token,
    normalise_code,
    normalise_username,
    prepare_password,
    session_problem,
    temporary_password,
    throttle_key,
    token_hash,
)
from baliedesk.domain.errors import (
    AccountLocked,
    DeviceNotAllowed,
    DomainError,
    EnrolmentCodeInvalid,
    PasswordChangeRequired,
    PermissionDenied,
    SessionExpired,
    SessionNotFound,
    SessionRevoked,
    SignInFailed,
    ValidationError,
    WrongPassword,
)
from baliedesk.domain.permissions import Permission, Role
from baliedesk.domain.validation import clean_name
from baliedesk.services.auth_dto import (
    AccountInfo,
    DeviceEnrolment,
    DeviceInfo,
    DeviceSignIn,
    NewAccount,
    Principal,
    SignInResult,
)
from baliedesk.services.common import acting_user, check_now, get_or_404, require_location, user_info
from baliedesk.services.dto import UserInfo
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.setup import AlreadyBootstrapped, _user_fields, new_user_scope

#: The hasher for new password hashes: argon2-cffi's defaults (Argon2id, RFC 9106
#: low-memory profile). When these parameters change, a hash made with the old
#: ones is upgraded at the person's next successful sign-in.
PASSWORD_HASHER = PasswordHasher()

#: Roles a person can have; kiosk and display are devices (see :func:`enroll_device`).
PERSON_ROLES = (Role.CLERK, Role.KCC, Role.TEAM_LEAD, Role.ADMIN)
DEVICE_ROLES = (Role.KIOSK, Role.DISPLAY)
#: User names of devices; people cannot take them.
DEVICE_USERNAME_PREFIX = "device-"
#: The address key of sign-ins without a network address (the in-process client on one PC).
LOCAL_ADDRESS = "local"


def hasher() -> PasswordHasher:
    return PASSWORD_HASHER


# ---------------------------------------------------------------------------
# authenticators
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class StoredAccount:
    """What an authenticator sees of the account the credentials name (None when there is none)."""

    user_id: int
    username: str
    role: str
    active: bool
    is_device: bool
    password_hash: str | None


@dataclass(frozen=True)
class Verdict:
    ok: bool
    new_password_hash: str | None = None  # the same password hashed with today's parameters


@dataclass(frozen=True)
class PasswordCredentials:
    username: str
    password: str

    def __repr__(self) -> str:
        return f"PasswordCredentials(username={self.username!r})"


class Authenticator(Protocol):
    """One way of proving who you are. Runs outside any database transaction."""

    method: str  # stored with the session: password | (later) windows, oidc

    def claimed_username(self, credentials: Any) -> object:
        """The user name the credentials speak for (looked up, and counted on failure)."""
        ...

    def verify(self, account: StoredAccount | None, credentials: Any) -> Verdict:
        """Whether the credentials prove ``account``. Must take as long for a missing account."""
        ...


class PasswordAuthenticator:
    """User name and password, checked against the Argon2id hash."""

    method = "password"

    def __init__(self, password_hasher: PasswordHasher | None = None) -> None:
        self._hasher = password_hasher

    @property
    def hasher(self) -> PasswordHasher:
        return self._hasher or hasher()

    def claimed_username(self, credentials: PasswordCredentials) -> object:
        return credentials.username

    def verify(self, account: StoredAccount | None, credentials: PasswordCredentials) -> Verdict:
        password = prepare_password(credentials.password)
        if (account is None or not account.active or account.is_device or not account.password_hash
                or password is None):
            # As much work as a real check: the time tells nothing about the account.
            _verify_quietly(self.hasher, _dummy_hash(self.hasher), password or "-")
            return Verdict(False)
        if not _verify_quietly(self.hasher, account.password_hash, password):
            return Verdict(False)
        new_hash = None
        try:
            if self.hasher.check_needs_rehash(account.password_hash):
                new_hash = self.hasher.hash(password)
        except InvalidHashError:  # pragma: no cover - verified just now, so it parses
            pass
        return Verdict(True, new_hash)


def _verify_quietly(password_hasher: PasswordHasher, stored: str, password: str) -> bool:
    try:
        return bool(password_hasher.verify(stored, password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=8)
def _dummy_hash_for(time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash(
        "not a password of anyone")


def _dummy_hash(password_hasher: PasswordHasher) -> str:
    return _dummy_hash_for(password_hasher.time_cost, password_hasher.memory_cost, password_hasher.parallelism)


PASSWORDS = PasswordAuthenticator()


# ---------------------------------------------------------------------------
# sign-in
# ---------------------------------------------------------------------------
def sign_in(backend: Backend, username: str, password: str, now: dt.datetime, *, address: str = "",
            policy: SessionPolicy = PERSON_SESSIONS) -> SignInResult:
    """Sign in with a user name and password: a new session, its token shown once.

    Raises :class:`SignInFailed` (with ``retry_after_s``) whatever was wrong,
    :class:`SignInDelayed` when the try comes too soon after a failed one, and
    :class:`AccountLocked` after too many failures for the name or ``address``.
    A temporary password gives a session with ``must_change_password``: it can
    only :func:`change_password`.
    """
    return sign_in_with(backend, PASSWORDS, PasswordCredentials(username, password), now, address=address,
                        policy=policy)


def sign_in_with(backend: Backend, authenticator: Authenticator, credentials: Any, now: dt.datetime, *,
                 address: str = "", policy: SessionPolicy = PERSON_SESSIONS) -> SignInResult:
    """Sign in through any :class:`Authenticator` (the one path every method takes)."""
    now = check_now(now)
    claimed = authenticator.claimed_username(credentials)
    name = normalise_username(claimed)
    account_key = name or throttle_key(claimed)
    address_key = _address_key(address)
    with backend.unit_of_work() as uow:
        _check_attempts(uow, account_key, address_key, now)
        account = _stored_account(uow, name) if name else None
    verdict = authenticator.verify(account, credentials)  # slow on purpose: outside any transaction
    with backend.unit_of_work(write=True) as uow:
        if not verdict.ok or account is None:
            error = _record_failure(uow, account_key, address_key, now, SignInFailed)
            uow.commit()
            raise error
        _refuse_if_locked(uow, account_key, address_key, now)  # locked by a concurrent failure meanwhile
        user = uow.directory.user(account.user_id)
        if user is None or not user.active:  # switched off a moment ago
            raise SignInFailed(0)
        credential = uow.auth.credential(user.id)
        if (verdict.new_password_hash and credential is not None
                and credential.password_hash == account.password_hash):
            uow.auth.set_credential(user.id, verdict.new_password_hash, credential.must_change_password,
                                    credential.changed_at)
        must_change = bool(credential is not None and credential.must_change_password)
        uow.auth.clear_attempts("account", account_key)
        token, row = _open_session(uow, user.id, "person", None, authenticator.method, now,
                                   PASSWORD_CHANGE_SESSIONS if must_change else policy, address_key)
        uow.commit()
        return SignInResult(token, row.id, user_info(user), must_change, row.expires_at, row.idle_timeout_s)


def change_password(backend: Backend, token: str, old_password: str, new_password: str, now: dt.datetime, *,
                    address: str = "", policy: SessionPolicy = PERSON_SESSIONS) -> SignInResult:
    """Choose a new password (also the forced change after a temporary one).

    Needs the current password again. Ends every session of this person,
    this one included, and returns a fresh session (its token shown once).
    A wrong current password counts as a failed sign-in.
    """
    now = check_now(now)
    principal = resolve_session(backend, token, now, allow_password_change=True)
    if principal.kind != "person":
        raise DeviceNotAllowed("change_password")
    password = check_password_policy(new_password, principal.username,
                                     old_password=old_password if isinstance(old_password, str) else None)
    account_key, address_key = principal.username, _address_key(address)
    with backend.unit_of_work() as uow:
        _check_attempts(uow, account_key, address_key, now)
        credential = uow.auth.credential(principal.user_id)
        stored = credential.password_hash if credential is not None else None
    old = prepare_password(old_password)
    ok = stored is not None and old is not None and _verify_quietly(hasher(), stored, old)
    new_hash = hasher().hash(password) if ok else ""
    with backend.unit_of_work(write=True) as uow:
        if not ok:
            error = _record_failure(uow, account_key, address_key, now, WrongPassword)
            uow.commit()
            raise error
        user = uow.directory.user(principal.user_id)
        if user is None or not user.active:
            raise SessionRevoked()
        uow.auth.set_credential(user.id, new_hash, False, now)
        uow.auth.revoke_sessions(user.id, now)
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.auth.clear_attempts("account", account_key)
        new_token_, row = _open_session(uow, user.id, "person", None, PASSWORDS.method, now, policy, address_key)
        uow.commit()
        return SignInResult(new_token_, row.id, user_info(user), False, row.expires_at, row.idle_timeout_s)


def resolve_session(backend: Backend, token: str, now: dt.datetime, *,
                    allow_password_change: bool = False) -> Principal:
    """Who this token belongs to, or :class:`SessionNotFound` / :class:`SessionExpired` /
    :class:`SessionRevoked` / :class:`PasswordChangeRequired`.

    Sliding expiry: a use moves ``last_seen_at`` (written at most once a minute),
    up to the session's absolute end. ``allow_password_change``: only for
    :func:`change_password`, the one thing a session with a temporary password may do.
    """
    now = check_now(now)
    if not looks_like_token(token):
        raise SessionNotFound()
    with backend.unit_of_work() as uow:
        row = uow.auth.session_by_hash(token_hash(token))
        if row is None:
            raise SessionNotFound()
        problem = session_problem(expires_at=row.expires_at, last_seen_at=row.last_seen_at,
                                  idle_timeout_s=row.idle_timeout_s, revoked_at=row.revoked_at, now=now)
        if problem == "revoked":
            raise SessionRevoked()
        if problem is not None:
            raise SessionExpired(problem)
        user = uow.directory.user(row.user_id)
        if user is None or not user.active:
            raise SessionRevoked()
        device = None
        must_change = False
        if row.kind == "device":
            device = uow.auth.device(row.device_id) if row.device_id is not None else None
            if device is None or device.revoked_at is not None:
                raise SessionRevoked()
        else:
            credential = uow.auth.credential(user.id)
            must_change = bool(credential is not None and credential.must_change_password)
        if must_change and not allow_password_change:
            raise PasswordChangeRequired(user.id)
        principal = Principal(
            session_id=row.id, user_id=user.id, username=user.username, display_name=user.display_name,
            role=user.role, kind=row.kind, device_id=device.id if device is not None else None,
            location_id=device.location_id if device is not None else None, expires_at=row.expires_at,
            must_change_password=must_change,
        )
        stale = now - row.last_seen_at >= dt.timedelta(seconds=_touch_every_s(row.idle_timeout_s))
    if stale:
        with backend.unit_of_work(write=True) as uow:
            uow.auth.touch_session(principal.session_id, now)
            uow.commit()
    return principal


def sign_out(backend: Backend, token: str, now: dt.datetime) -> bool:
    """End this session. True when it was open; an unknown or ended token is no error."""
    now = check_now(now)
    if not looks_like_token(token):
        return False
    with backend.unit_of_work(write=True) as uow:
        row = uow.auth.session_by_hash(token_hash(token))
        if row is None or row.revoked_at is not None:
            return False
        row.revoked_at = now
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.commit()
        return True


def revoke_sessions(backend: Backend, user_id: int, target_user_id: int, now: dt.datetime) -> int:
    """End every open session of a person (a lost laptop, a suspicion). The number ended."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        count = uow.auth.revoke_sessions(target.id, now)
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.commit()
        return count


def purge_sign_in_records(backend: Backend, now: dt.datetime, *, keep_days: int = 30) -> int:
    """Housekeeping (the server runs it now and then; no acting user): delete sessions that ended and
    failure counters untouched for ``keep_days``. An ended session refuses its token either way."""
    now = check_now(now)
    if keep_days < 1:
        raise ValidationError("keep_days", "out_of_range", 1)
    with backend.unit_of_work(write=True) as uow:
        count = uow.auth.purge(now - dt.timedelta(days=keep_days))
        uow.commit()
        return count


# ---------------------------------------------------------------------------
# people (the beheerder; a team lead for everyone but beheerders)
# ---------------------------------------------------------------------------
def bootstrap_admin(backend: Backend, username: str, display_name: str, now: dt.datetime) -> NewAccount:
    """The first beheerder of an empty database, with a temporary password (shown once)."""
    now = check_now(now)
    fields = _user_fields(username, display_name, Role.ADMIN)
    _refuse_device_name(fields["username"])
    temporary = temporary_password()
    password_hash = hasher().hash(temporary)
    with backend.unit_of_work(write=True) as uow:
        if uow.directory.count_users():
            raise AlreadyBootstrapped()
        user = uow.directory.create("user", **fields)
        uow.flush()
        uow.privacy.set_user_locations(user.id, [None])  # the first beheerder works for every location
        uow.auth.set_credential(user.id, password_hash, True, now)
        uow.commit()
        return NewAccount(user_info(user), temporary)


def add_user(backend: Backend, user_id: int, username: str, display_name: str, role: Role | str,
             now: dt.datetime, *, location_ids: Iterable[int] | None = None) -> NewAccount:
    """Add a person with a temporary password (shown once; to be changed at the first sign-in).

    ``location_ids``: where they work; None: as :func:`baliedesk.services.setup.create_user`
    (a beheerder everywhere, anyone else the locations of the person adding them)."""
    now = check_now(now)
    role = _person_role(role)
    fields = _user_fields(username, display_name, role)
    _refuse_device_name(fields["username"])
    with backend.unit_of_work() as uow:  # refuse before the slow hashing
        _may_manage(acting_user(uow, user_id, Permission.MANAGE_USERS), role.value)
    temporary = temporary_password()
    password_hash = hasher().hash(temporary)
    with backend.unit_of_work(write=True) as uow:
        actor = acting_user(uow, user_id, Permission.MANAGE_USERS)
        _may_manage(actor, role.value)
        if uow.directory.user_by_name(fields["username"]) is not None:
            raise ValidationError("username", "taken")
        scope = new_user_scope(uow, actor, role, location_ids)
        user = uow.directory.create("user", **fields)
        uow.flush()
        uow.privacy.set_user_locations(user.id, scope)
        uow.auth.set_credential(user.id, password_hash, True, now)
        uow.commit()
        return NewAccount(user_info(user), temporary)


def set_role(backend: Backend, user_id: int, target_user_id: int, role: Role | str, now: dt.datetime) -> UserInfo:
    """Give a person another role. Nobody but a beheerder makes or unmakes a beheerder."""
    check_now(now)
    role = _person_role(role)
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        _may_manage(manager, role.value)
        if target.role == Role.ADMIN.value and role is not Role.ADMIN:
            _keep_an_admin(uow, target.id)
        target.role = role.value
        uow.commit()
        return user_info(target)


def deactivate_user(backend: Backend, user_id: int, target_user_id: int, now: dt.datetime) -> UserInfo:
    """Switch an account off: its sessions end at once; its history stays."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        if target.id == manager.id:
            raise ValidationError("user", "self")
        if target.role == Role.ADMIN.value:
            _keep_an_admin(uow, target.id)
        target.active = False
        uow.auth.revoke_sessions(target.id, now)
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.commit()
        return user_info(target)


def activate_user(backend: Backend, user_id: int, target_user_id: int, now: dt.datetime) -> UserInfo:
    """Switch an account on again (its password is unchanged; reset it when in doubt)."""
    check_now(now)
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        target.active = True
        uow.commit()
        return user_info(target)


def reset_password(backend: Backend, user_id: int, target_user_id: int, now: dt.datetime) -> NewAccount:
    """A new temporary password (shown once): the person must choose their own at the next sign-in.
    Ends their sessions and lifts a lock on their account."""
    now = check_now(now)
    with backend.unit_of_work() as uow:
        _may_manage(acting_user(uow, user_id, Permission.MANAGE_USERS), _person(uow, target_user_id).role)
    temporary = temporary_password()
    password_hash = hasher().hash(temporary)
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        uow.auth.set_credential(target.id, password_hash, True, now)
        uow.auth.revoke_sessions(target.id, now)
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.auth.clear_attempts("account", target.username)
        uow.commit()
        return NewAccount(user_info(target), temporary)


def set_password(backend: Backend, user_id: int, target_user_id: int, new_password: str, now: dt.datetime, *,
                 must_change: bool = True) -> UserInfo:
    """Set a chosen password for a person (the command line's ``user passwd``).

    ``must_change``: the person chooses their own at the next sign-in (the
    default; pass False when they typed it themselves). Ends their sessions.
    """
    now = check_now(now)
    with backend.unit_of_work() as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        password = check_password_policy(new_password, target.username)
    password_hash = hasher().hash(password)
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_USERS)
        target = _person(uow, target_user_id)
        _may_manage(manager, target.role)
        uow.auth.set_credential(target.id, password_hash, must_change, now)
        uow.auth.revoke_sessions(target.id, now)
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.auth.clear_attempts("account", target.username)
        uow.commit()
        return user_info(target)


def list_users(backend: Backend, user_id: int, now: dt.datetime) -> tuple[AccountInfo, ...]:
    """Every person (devices not included), by name."""
    check_now(now)
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.MANAGE_USERS)
        devices = {d.user_id for d in uow.auth.devices()}
        credentials = uow.auth.credentials()
        out = []
        for u in uow.directory.users():
            if u.id in devices or u.role not in {r.value for r in PERSON_ROLES}:
                continue
            credential = credentials.get(u.id)
            out.append(AccountInfo(u.id, u.username, u.display_name, u.role, u.active, credential is not None,
                                   bool(credential is not None and credential.must_change_password),
                                   len(uow.auth.open_sessions(u.id))))
        return tuple(out)


def user_by_name(backend: Backend, user_id: int, username: str) -> UserInfo:
    """One account by its user name (for the command line and scripts)."""
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.MANAGE_USERS)
        name = normalise_username(username)
        user = uow.directory.user_by_name(name) if name else None
        return user_info(get_or_404(user, "user", username))


def install_passwords(backend: Backend, user_ids: Iterable[int], password: str, now: dt.datetime, *,
                      must_change: bool = False) -> None:
    """Give these accounts one known password, without an acting user.

    Only for the composition root seeding a database it owns (the demo, tests);
    the password still has to pass the policy. The hash is made once per process.
    """
    now = check_now(now)
    password = check_password_policy(password)
    password_hash = _cached_hash(password, hasher().time_cost, hasher().memory_cost, hasher().parallelism)
    with backend.unit_of_work(write=True) as uow:
        for uid in user_ids:
            get_or_404(uow.directory.user(uid), "user", uid)
            uow.auth.set_credential(uid, password_hash, must_change, now)
        uow.commit()


@lru_cache(maxsize=4)
def _cached_hash(password: str, time_cost: int, memory_cost: int, parallelism: int) -> str:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism).hash(password)


# ---------------------------------------------------------------------------
# devices: kiosks and hall screens
# ---------------------------------------------------------------------------
def enroll_device(backend: Backend, user_id: int, role: Role | str, location_id: int, name: str | None,
                  now: dt.datetime, *, valid_for: dt.timedelta = ENROLMENT_VALID) -> DeviceEnrolment:
    """Register a kiosk or hall screen: a one-time code (shown once) the device exchanges for its token."""
    now = check_now(now)
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError("role", "invalid") from None
    if role not in DEVICE_ROLES:
        raise ValidationError("role", "invalid")
    code = new_enrolment_code()
    with backend.unit_of_work(write=True) as uow:
        manager = acting_user(uow, user_id, Permission.MANAGE_DEVICES)
        get_or_404(uow.directory.location(location_id), "location", location_id)
        require_location(uow, manager, location_id)
        label = clean_name(name or ("Kiosk" if role is Role.KIOSK else "Scherm in de hal"), field="name",
                           max_length=120)
        user = uow.directory.create("user", username=f"{DEVICE_USERNAME_PREFIX}new-{code_hash(normalise_code(code))[:12]}",
                                    display_name=label, role=role.value, active=True)
        device = uow.auth.new_device(
            user_id=user.id, role=role.value, location_id=location_id, name=label,
            code_hash=code_hash(normalise_code(code)), code_expires_at=now + valid_for, created_at=now,
            created_by=manager.id, enrolled_at=None, enrolled_address="", revoked_at=None,
        )
        user.username = f"{DEVICE_USERNAME_PREFIX}{device.id}"
        uow.flush()
        uow.privacy.set_user_locations(user.id, [location_id])  # a device works for its own location only
        uow.commit()
        return DeviceEnrolment(_device_info(device, user.username), code, device.code_expires_at)


def redeem_enrolment(backend: Backend, code: str, now: dt.datetime, *, address: str = "") -> DeviceSignIn:
    """The device's side: its one-time code for its own token (once). A wrong, used or expired
    code is :class:`EnrolmentCodeInvalid` and counts as a failed try for ``address``."""
    now = check_now(now)
    address_key = _address_key(address)
    with backend.unit_of_work() as uow:
        _attempts(uow, "address", address_key).check(now, ADDRESS_LOCKOUT, "address")
    raw = normalise_code(code)
    with backend.unit_of_work(write=True) as uow:
        device = uow.auth.device_by_code(code_hash(raw), lock=True) if raw else None
        user = uow.directory.user(device.user_id) if device is not None else None
        if (device is None or user is None or not user.active or device.revoked_at is not None
                or device.enrolled_at is not None or device.code_expires_at is None
                or device.code_expires_at <= now):
            error = _record_failure(uow, None, address_key, now, EnrolmentCodeInvalid)
            uow.commit()
            raise error
        device.code_hash = None
        device.enrolled_at = now
        device.enrolled_address = address_key
        token, row = _open_session(uow, user.id, "device", device.id, "enrolment", now, DEVICE_SESSIONS,
                                   address_key)
        uow.commit()
        return DeviceSignIn(token, row.id, _device_info(device, user.username), row.expires_at)


def revoke_device(backend: Backend, user_id: int, device_id: int, now: dt.datetime) -> DeviceInfo:
    """Stop a device: its token no longer works, an unused code neither; its history stays."""
    now = check_now(now)
    with backend.unit_of_work(write=True) as uow:
        acting_user(uow, user_id, Permission.MANAGE_DEVICES)
        device = get_or_404(uow.auth.device(device_id, lock=True), "device", device_id)
        user = get_or_404(uow.directory.user(device.user_id), "user", device.user_id)
        if device.revoked_at is None:
            device.revoked_at = now
        device.code_hash = None
        user.active = False
        uow.auth.revoke_sessions(user.id, now)
        uow.changed(SESSIONS_TOPIC)  # every server process forgets the sessions it knew
        uow.commit()
        return _device_info(device, user.username)


def list_devices(backend: Backend, user_id: int, now: dt.datetime) -> tuple[DeviceInfo, ...]:
    check_now(now)
    with backend.unit_of_work() as uow:
        acting_user(uow, user_id, Permission.MANAGE_DEVICES)
        users = {u.id: u for u in uow.directory.users()}
        return tuple(_device_info(d, users[d.user_id].username if d.user_id in users else "")
                     for d in uow.auth.devices())


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------
def _address_key(address: str) -> str:
    return throttle_key(address or LOCAL_ADDRESS)


def _attempts(uow: UnitOfWork, scope: str, key: str) -> Attempts:
    row = uow.auth.attempts(scope, key)
    if row is None:
        return Attempts()
    return Attempts(row.failures, row.last_failure_at, row.next_attempt_at, row.locked_until)


def _check_attempts(uow: UnitOfWork, account_key: str, address_key: str, now: dt.datetime) -> None:
    _attempts(uow, "address", address_key).check(now, ADDRESS_LOCKOUT, "address")
    _attempts(uow, "account", account_key).check(now, ACCOUNT_LOCKOUT, "account")


def _refuse_if_locked(uow: UnitOfWork, account_key: str, address_key: str, now: dt.datetime) -> None:
    for scope, key, policy in (("address", address_key, ADDRESS_LOCKOUT), ("account", account_key, ACCOUNT_LOCKOUT)):
        locked_until = _attempts(uow, scope, key).current(now, policy).locked_until
        if locked_until is not None:
            raise AccountLocked(locked_until, scope)


def _count_failure(uow: UnitOfWork, scope: str, key: str, now: dt.datetime, policy: LockoutPolicy) -> Attempts:
    row = uow.auth.attempts(scope, key, lock=True)
    state = Attempts(row.failures, row.last_failure_at, row.next_attempt_at, row.locked_until).failed(now, policy)
    row.failures, row.last_failure_at = state.failures, state.last_failure_at
    row.next_attempt_at, row.locked_until = state.next_attempt_at, state.locked_until
    uow.flush()
    return state


def _record_failure(uow: UnitOfWork, account_key: str | None, address_key: str, now: dt.datetime,
                    error: type[DomainError]) -> DomainError:
    """Count a failed try for the account (when named) and the address; the error to raise."""
    states = []
    if account_key is not None:
        states.append(("account", _count_failure(uow, "account", account_key, now, ACCOUNT_LOCKOUT)))
    states.append(("address", _count_failure(uow, "address", address_key, now, ADDRESS_LOCKOUT)))
    for scope, state in states:
        if state.locked_until is not None:
            return AccountLocked(state.locked_until, scope)
    return error(max(state.retry_after_s(now) for _, state in states))


def _stored_account(uow: UnitOfWork, username: str) -> StoredAccount | None:
    user = uow.directory.user_by_name(username)
    if user is None:
        return None
    credential = uow.auth.credential(user.id)
    is_device = user.role in {r.value for r in DEVICE_ROLES} or uow.auth.device_of_user(user.id) is not None
    return StoredAccount(user.id, user.username, user.role, bool(user.active), is_device,
                         credential.password_hash if credential is not None else None)


def _open_session(uow: UnitOfWork, user_id: int, kind: str, device_id: int | None, method: str,
                  now: dt.datetime, policy: SessionPolicy, address_key: str) -> tuple[str, Any]:
    token = new_token()
    row = uow.auth.new_session(
        token_hash=token_hash(token), user_id=user_id, kind=kind, device_id=device_id, method=method,
        created_at=now, expires_at=now + dt.timedelta(seconds=policy.absolute_s),
        idle_timeout_s=policy.idle_timeout_s, last_seen_at=now, revoked_at=None, address=address_key,
    )
    return token, row


def _touch_every_s(idle_timeout_s: int) -> int:
    return max(1, min(60, idle_timeout_s // 20))


def _person_role(role: Role | str) -> Role:
    try:
        role = Role(role)
    except ValueError:
        raise ValidationError("role", "invalid") from None
    if role not in PERSON_ROLES:
        raise ValidationError("role", "invalid")
    return role


def _refuse_device_name(username: str) -> None:
    if username.startswith(DEVICE_USERNAME_PREFIX):
        raise ValidationError("username", "reserved")


def _person(uow: UnitOfWork, target_user_id: int) -> Any:
    target = get_or_404(uow.directory.user(target_user_id), "user", target_user_id)
    if target.role not in {r.value for r in PERSON_ROLES} or uow.auth.device_of_user(target.id) is not None:
        raise DeviceNotAllowed("manage_as_person")
    return target


def _may_manage(manager: Any, role: str) -> None:
    """Only a beheerder makes, changes or resets a beheerder."""
    if role == Role.ADMIN.value and manager.role != Role.ADMIN.value:
        raise PermissionDenied(manager.role, "manage_beheerder")


def _keep_an_admin(uow: UnitOfWork, leaving_id: int) -> None:
    if not any(u.active and u.role == Role.ADMIN.value and u.id != leaving_id for u in uow.directory.users()):
        raise ValidationError("role", "last_admin")


def _device_info(device: Any, username: str) -> DeviceInfo:
    return DeviceInfo(device.id, device.user_id, username, device.role, device.location_id, device.name,
                      device.created_at, device.code_expires_at, device.enrolled_at, device.revoked_at)

