"""Sign-in, sessions, people management and devices (services/auth.py), on both backends, fixed clock."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from baliedesk.domain.auth import ACCOUNT_LOCKOUT, ADDRESS_LOCKOUT, PERSON_SESSIONS
from baliedesk.domain.errors import (
    AccountLocked,
    DeviceNotAllowed,
    EnrolmentCodeInvalid,
    PasswordChangeRequired,
    PasswordTooWeak,
    PermissionDenied,
    SessionExpired,
    SessionNotFound,
    SessionRevoked,
    SignInDelayed,
    SignInFailed,
    ValidationError,
    WrongPassword,
)
from baliedesk.domain.permissions import Role
from baliedesk.services import auth, queue
from baliedesk.services.demo import DEMO_PASSWORD

HYPO = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):
    """Argon2id with tiny parameters: the tests check the rules, not the cost."""
    monkeypatch.setattr(auth, "PASSWORD_HASHER", CHEAP)


def fail(backend, username, now, *, address="", password="wrong password!"):
    """One failed try; the error raised."""
    with pytest.raises((SignInFailed, AccountLocked)) as info:
        auth.sign_in(backend, username, password, now, address=address)
    return info.value


def fail_until_locked(backend, username, now, *, address="", policy=ACCOUNT_LOCKOUT):
    """Fail, waiting out each delay, until locked; (the lock error, the clock then)."""
    for _ in range(policy.lock_after + 1):
        err = fail(backend, username, now, address=address)
        if isinstance(err, AccountLocked):
            return err, now
        now += dt.timedelta(seconds=err.retry_after_s)
    raise AssertionError("never locked")


# ---------------------------------------------------------------------------
# sign-in
# ---------------------------------------------------------------------------
def test_sign_in_gives_a_session_and_stores_only_the_token_hash(backend, seeded, now):
    result = auth.sign_in(backend, "Anne ", DEMO_PASSWORD, now, address="10.1.2.3")
    assert result.user.username == "anne" and not result.must_change_password
    assert result.expires_at == now + dt.timedelta(seconds=PERSON_SESSIONS.absolute_s)
    assert len(result.token) >= 43 and result.token not in repr(result)
    principal = auth.resolve_session(backend, result.token, now)
    assert (principal.user_id, principal.role, principal.kind) == (seeded.users["anne"], "baliemedewerker", "person")
    with backend.engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM sessions")).mappings().all()
        dump = repr(rows) + repr(conn.execute(text("SELECT * FROM sign_in_attempts")).all())
    assert len(rows) == 1 and rows[0]["token_hash"] == hashlib.sha256(result.token.encode()).hexdigest()
    assert result.token not in dump
    with backend.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM user_credentials WHERE user_id = :u"),
                              {"u": seeded.users["anne"]}).scalar_one()
    assert stored.startswith("$argon2id$") and DEMO_PASSWORD not in stored


def test_wrong_password_and_unknown_name_fail_alike(backend, seeded, now):
    wrong = fail(backend, "anne", now, address="10.0.0.1")
    unknown = fail(backend, "nobody", now, address="10.0.0.2")
    assert type(wrong) is type(unknown) is SignInFailed
    assert wrong.retry_after_s == unknown.retry_after_s == 0
    # A device account has no password: it cannot sign in with one.
    assert isinstance(fail(backend, "kiosk-ingang", now, address="10.0.0.3", password=DEMO_PASSWORD), SignInFailed)


def test_increasing_delay_after_each_failure(backend, seeded, now):
    delays = []
    for _ in range(6):
        err = fail(backend, "anne", now)
        delays.append(err.retry_after_s)
        # Too soon: refused without checking the password, and not counted.
        if err.retry_after_s:
            with pytest.raises(SignInDelayed) as info:
                auth.sign_in(backend, "anne", DEMO_PASSWORD, now + (err.retry_after_s - 1) * SECOND)
            assert 1 <= info.value.retry_after_s <= err.retry_after_s
        now += err.retry_after_s * SECOND
    assert delays == [0, 1, 2, 4, 8, 16]
    # After waiting, the right password works and the account's count starts again.
    assert auth.sign_in(backend, "anne", DEMO_PASSWORD, now).user.username == "anne"
    assert fail(backend, "anne", now, address="10.9.9.9").retry_after_s == 0


def test_account_locks_after_repeated_failures_and_unlocks_later(backend, seeded, now):
    err, at = fail_until_locked(backend, "anne", now, address="10.0.0.1")
    assert err.scope == "account" and err.until == at + dt.timedelta(minutes=ACCOUNT_LOCKOUT.lock_minutes)
    # Locked: the right password, from another workstation too, is refused.
    with pytest.raises(AccountLocked):
        auth.sign_in(backend, "anne", DEMO_PASSWORD, at + dt.timedelta(minutes=5), address="10.0.0.2")
    # Others can still sign in.
    assert auth.sign_in(backend, "jeroen", DEMO_PASSWORD, at, address="10.0.0.2").user.username == "jeroen"
    # The lock ends by itself.
    assert auth.sign_in(backend, "anne", DEMO_PASSWORD, err.until, address="10.0.0.2").user.username == "anne"


def test_unknown_name_locks_like_a_real_one(backend, seeded, now):
    err, _ = fail_until_locked(backend, "nobody", now, address="10.0.0.1")
    assert err.scope == "account"


def test_workstation_address_locks_across_names(backend, seeded, now):
    names = ["anne", "jeroen", "sanne", "fatima", "beheer", "nobody"]
    err = None
    for i in range(ADDRESS_LOCKOUT.lock_after):
        err = fail(backend, names[i % len(names)], now + i * dt.timedelta(minutes=1), address="10.6.6.6")
        if isinstance(err, AccountLocked):
            break
    assert isinstance(err, AccountLocked) and err.scope == "address"
    # This workstation is locked for everyone; another one is not.
    with pytest.raises(AccountLocked) as info:
        auth.sign_in(backend, "anne", DEMO_PASSWORD, err.until - SECOND, address="10.6.6.6")
    assert info.value.scope == "address"
    assert auth.sign_in(backend, "anne", DEMO_PASSWORD, err.until - SECOND, address="10.7.7.7").user.username == "anne"
    assert auth.sign_in(backend, "anne", DEMO_PASSWORD, err.until, address="10.6.6.6").user.username == "anne"


def test_old_failures_are_forgotten(backend, seeded, now):
    for i in range(3):
        now += fail(backend, "anne", now).retry_after_s * SECOND
    later = now + dt.timedelta(minutes=ACCOUNT_LOCKOUT.forget_after_minutes)
    assert fail(backend, "anne", later).retry_after_s == 0


# ---------------------------------------------------------------------------
# temporary passwords and changing a password
# ---------------------------------------------------------------------------
def test_temporary_password_forces_a_new_one(backend, seeded, now):
    new = auth.add_user(backend, seeded.users["beheer"], "piet", "Piet Jansen", Role.CLERK, now)
    assert new.temporary_password not in repr(new)
    first = auth.sign_in(backend, "piet", new.temporary_password, now)
    assert first.must_change_password
    # Nothing else may be done with this session.
    with pytest.raises(PasswordChangeRequired):
        auth.resolve_session(backend, first.token, now)
    with pytest.raises(WrongPassword):
        auth.change_password(backend, first.token, "not the temporary one", "lange zomeravond fiets", now)
    with pytest.raises(PasswordTooWeak) as weak:
        auth.change_password(backend, first.token, new.temporary_password, "wachtwoord123", now + 2 * SECOND)
    assert weak.value.reason == "common"
    with pytest.raises(PasswordTooWeak):
        auth.change_password(backend, first.token, new.temporary_password, new.temporary_password, now + 2 * SECOND)
    fresh = auth.change_password(backend, first.token, new.temporary_password, "lange zomeravond fiets",
                                 now + 2 * SECOND)
    assert not fresh.must_change_password and fresh.token != first.token
    with pytest.raises(SessionRevoked):
        auth.resolve_session(backend, first.token, now + 3 * SECOND)
    assert auth.resolve_session(backend, fresh.token, now + 3 * SECOND).username == "piet"
    again = auth.sign_in(backend, "piet", "lange zomeravond fiets", now + 4 * SECOND)
    assert not again.must_change_password
    fail(backend, "piet", now + 5 * SECOND, password=new.temporary_password)


def test_reset_password_ends_sessions_and_lifts_a_lock(backend, seeded, now):
    session = auth.sign_in(backend, "anne", DEMO_PASSWORD, now)
    _, at = fail_until_locked(backend, "anne", now, address="10.0.0.1")
    reset = auth.reset_password(backend, seeded.users["fatima"], seeded.users["anne"], at)
    with pytest.raises(SessionRevoked):
        auth.resolve_session(backend, session.token, at)
    result = auth.sign_in(backend, "anne", reset.temporary_password, at, address="10.0.0.2")
    assert result.must_change_password


def test_rehash_when_the_parameters_change(backend, seeded, now, monkeypatch):
    def stored() -> str:
        with backend.engine.connect() as conn:
            return conn.execute(text("SELECT password_hash FROM user_credentials WHERE user_id = :u"),
                                {"u": seeded.users["anne"]}).scalar_one()

    before = stored()
    assert "m=8,t=1,p=1" in before
    monkeypatch.setattr(auth, "PASSWORD_HASHER", PasswordHasher(time_cost=2, memory_cost=16, parallelism=1))
    auth.sign_in(backend, "anne", DEMO_PASSWORD, now)
    after = stored()
    assert "m=16,t=2,p=1" in after and after != before
    # A failed try changes nothing.
    monkeypatch.setattr(auth, "PASSWORD_HASHER", CHEAP)
    fail(backend, "anne", now + SECOND)
    assert stored() == after
    assert auth.sign_in(backend, "anne", DEMO_PASSWORD, now + 2 * SECOND).user.username == "anne"


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------
def test_idle_session_expires_and_use_slides_it(backend, seeded, now):
    token = auth.sign_in(backend, "anne", DEMO_PASSWORD, now).token
    idle = dt.timedelta(seconds=PERSON_SESSIONS.idle_timeout_s)
    t = now
    for _ in range(4):  # used just before each idle timeout: still valid, well past the first one
        t += idle - dt.timedelta(minutes=1)
        auth.resolve_session(backend, token, t)
    assert t - now > idle
    with pytest.raises(SessionExpired) as info:
        auth.resolve_session(backend, token, t + idle)
    assert info.value.reason == "idle"


def test_session_ends_at_its_absolute_maximum(backend, seeded, now):
    token = auth.sign_in(backend, "anne", DEMO_PASSWORD, now).token
    end = now + dt.timedelta(seconds=PERSON_SESSIONS.absolute_s)
    t = now
    while t + dt.timedelta(hours=1) < end:
        t += dt.timedelta(hours=1)
        auth.resolve_session(backend, token, t)
    with pytest.raises(SessionExpired) as info:
        auth.resolve_session(backend, token, end)
    assert info.value.reason == "absolute"


def test_signed_out_revoked_and_unknown_tokens(backend, seeded, now):
    first = auth.sign_in(backend, "anne", DEMO_PASSWORD, now)
    second = auth.sign_in(backend, "anne", DEMO_PASSWORD, now)
    assert auth.sign_out(backend, first.token, now) is True
    assert auth.sign_out(backend, first.token, now) is False
    with pytest.raises(SessionRevoked):
        auth.resolve_session(backend, first.token, now)
    assert auth.resolve_session(backend, second.token, now).user_id == seeded.users["anne"]
    assert auth.revoke_sessions(backend, seeded.users["beheer"], seeded.users["anne"], now) == 1
    with pytest.raises(SessionRevoked):
        auth.resolve_session(backend, second.token, now)
    with pytest.raises(SessionNotFound):
        auth.resolve_session(backend, "A" * 43, now)


@HYPO
@given(token=st.text(max_size=120))
def test_hostile_tokens_are_not_found(backend, now, token):
    with pytest.raises(SessionNotFound):
        auth.resolve_session(backend, token, now)
    assert auth.sign_out(backend, token, now) is False


# ---------------------------------------------------------------------------
# people management
# ---------------------------------------------------------------------------
def test_team_lead_cannot_make_or_touch_a_beheerder(backend, seeded, now):
    lead, beheer, anne = seeded.users["fatima"], seeded.users["beheer"], seeded.users["anne"]
    with pytest.raises(PermissionDenied):
        auth.add_user(backend, lead, "nieuw", "Nieuwe Beheerder", Role.ADMIN, now)
    with pytest.raises(PermissionDenied):
        auth.set_role(backend, lead, anne, Role.ADMIN, now)
    with pytest.raises(PermissionDenied):
        auth.reset_password(backend, lead, beheer, now)
    with pytest.raises(PermissionDenied):
        auth.deactivate_user(backend, lead, beheer, now)
    # ... but manages everyone else.
    new = auth.add_user(backend, lead, "kees", "Kees de Boer", Role.KCC, now)
    assert auth.set_role(backend, lead, new.user.id, Role.CLERK, now).role == "baliemedewerker"
    # A clerk manages nobody; the beheerder makes a beheerder.
    with pytest.raises(PermissionDenied):
        auth.add_user(backend, anne, "joop", "Joop", Role.CLERK, now)
    assert auth.set_role(backend, beheer, anne, Role.ADMIN, now).role == "beheerder"


def test_people_are_not_devices(backend, seeded, now):
    beheer = seeded.users["beheer"]
    with pytest.raises(ValidationError):
        auth.add_user(backend, beheer, "robot", "Robot", Role.KIOSK, now)
    with pytest.raises(ValidationError) as info:
        auth.add_user(backend, beheer, "device-9", "Nep", Role.CLERK, now)
    assert info.value.code == "reserved"
    with pytest.raises(DeviceNotAllowed):
        auth.reset_password(backend, beheer, seeded.users["kiosk-ingang"], now)
    with pytest.raises(ValidationError) as taken:
        auth.add_user(backend, beheer, "anne", "Anne", Role.CLERK, now)
    assert taken.value.code == "taken"


def test_deactivate_revokes_sessions(backend, seeded, now):
    token = auth.sign_in(backend, "anne", DEMO_PASSWORD, now).token
    info = auth.deactivate_user(backend, seeded.users["beheer"], seeded.users["anne"], now)
    assert info.active is False
    with pytest.raises(SessionRevoked):
        auth.resolve_session(backend, token, now)
    assert isinstance(fail(backend, "anne", now, password=DEMO_PASSWORD), SignInFailed)
    auth.activate_user(backend, seeded.users["beheer"], seeded.users["anne"], now)
    assert auth.sign_in(backend, "anne", DEMO_PASSWORD, now + SECOND).user.active


def test_the_last_beheerder_stays(backend, seeded, now):
    beheer = seeded.users["beheer"]
    with pytest.raises(ValidationError) as info:
        auth.set_role(backend, beheer, beheer, Role.CLERK, now)
    assert info.value.code == "last_admin"
    with pytest.raises(ValidationError):
        auth.deactivate_user(backend, beheer, beheer, now)


def test_list_users_shows_people_not_devices(backend, seeded, now):
    auth.enroll_device(backend, seeded.users["beheer"], Role.KIOSK, seeded.location_id, "Kiosk 2", now)
    new = auth.add_user(backend, seeded.users["beheer"], "piet", "Piet Jansen", Role.CLERK, now)
    accounts = {a.username: a for a in auth.list_users(backend, seeded.users["beheer"], now)}
    assert set(accounts) == {"beheer", "fatima", "anne", "jeroen", "sanne", "piet"}
    assert accounts["piet"].must_change_password and accounts["piet"].has_password
    assert not accounts["anne"].must_change_password
    assert new.user.id == accounts["piet"].id


def test_bootstrap_admin_on_an_empty_database_only(backend, now):
    first = auth.bootstrap_admin(backend, "beheer", "Beheerder", now)
    assert first.user.role == "beheerder"
    assert auth.sign_in(backend, "beheer", first.temporary_password, now).must_change_password
    with pytest.raises(ValidationError):
        auth.bootstrap_admin(backend, "tweede", "Tweede", now)


@HYPO
@given(username=st.text(max_size=80), password=st.text(max_size=80), address=st.text(max_size=100))
def test_hostile_sign_in_input_gives_typed_errors(backend, now, username, password, address):
    with pytest.raises((SignInFailed, SignInDelayed, AccountLocked)):
        auth.sign_in(backend, username, password, now, address=address)


@HYPO
@given(username=st.text(max_size=80), name=st.text(max_size=150))
def test_hostile_new_user_names_give_typed_errors(backend, seeded, now, username, name):
    try:
        new = auth.add_user(backend, seeded.users["beheer"], username, name, Role.CLERK, now)
    except ValidationError:
        return
    assert new.user.username == username.strip().lower()


# ---------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------
def test_device_enrolment_gives_a_token_once(backend, seeded, now):
    beheer = seeded.users["beheer"]
    enrolment = auth.enroll_device(backend, beheer, Role.KIOSK, seeded.location_id, "Kiosk ingang 2", now)
    assert len(enrolment.code.replace("-", "")) == 10 and enrolment.expires_at == now + dt.timedelta(hours=24)
    signed = auth.redeem_enrolment(backend, enrolment.code.lower().replace("-", " "), now, address="10.0.0.50")
    principal = auth.resolve_session(backend, signed.token, now)
    assert (principal.kind, principal.role, principal.location_id) == ("device", "kiosk", seeded.location_id)
    assert principal.username == f"device-{enrolment.device.id}"
    with pytest.raises(EnrolmentCodeInvalid):
        auth.redeem_enrolment(backend, enrolment.code, now, address="10.0.0.50")
    with backend.engine.connect() as conn:
        dump = repr(conn.execute(text("SELECT * FROM devices")).all())
    assert enrolment.code not in dump and enrolment.code.replace("-", "") not in dump
    devices = auth.list_devices(backend, beheer, now)
    assert [(d.id, d.state) for d in devices] == [(enrolment.device.id, "enrolled")]


def test_expired_or_unknown_codes_are_refused(backend, seeded, now):
    enrolment = auth.enroll_device(backend, seeded.users["beheer"], Role.DISPLAY, seeded.location_id, None, now)
    with pytest.raises(EnrolmentCodeInvalid):
        auth.redeem_enrolment(backend, enrolment.code, enrolment.expires_at, address="10.0.0.60")
    with pytest.raises(EnrolmentCodeInvalid):
        auth.redeem_enrolment(backend, "ABCD-EFGH-JK", now, address="10.0.0.61")
    with pytest.raises(EnrolmentCodeInvalid):
        auth.redeem_enrolment(backend, "\x00; drop table devices", now, address="10.0.0.62")


def test_device_token_is_refused_for_a_persons_action(backend, seeded, now):
    enrolment = auth.enroll_device(backend, seeded.users["beheer"], Role.KIOSK, seeded.location_id, "Kiosk", now)
    token = auth.redeem_enrolment(backend, enrolment.code, now).token
    kiosk = auth.resolve_session(backend, token, now)
    # What a kiosk needs works ...
    issued = queue.issue_ticket(backend, kiosk.user_id, seeded.services["A"], now)
    assert issued.ticket.state == "waiting"
    # ... a person's action does not.
    with pytest.raises(PermissionDenied):
        queue.call_next(backend, kiosk.user_id, seeded.counters["Balie 1"], now)
    with pytest.raises(PermissionDenied):
        auth.add_user(backend, kiosk.user_id, "piet", "Piet", Role.CLERK, now)
    with pytest.raises(DeviceNotAllowed):
        auth.change_password(backend, token, "x", "lange zomeravond fiets", now)
    # Nor can a device sign in with a password (it has none).
    assert isinstance(fail(backend, kiosk.username, now, password=DEMO_PASSWORD), SignInFailed)


def test_team_lead_cannot_enrol_and_revoked_device_is_out(backend, seeded, now):
    with pytest.raises(PermissionDenied):
        auth.enroll_device(backend, seeded.users["fatima"], Role.KIOSK, seeded.location_id, "Kiosk", now)
    enrolment = auth.enroll_device(backend, seeded.users["beheer"], Role.KIOSK, seeded.location_id, "Kiosk", now)
    token = auth.redeem_enrolment(backend, enrolment.code, now).token
    assert auth.revoke_device(backend, seeded.users["beheer"], enrolment.device.id, now).state == "revoked"
    with pytest.raises(SessionRevoked):
        auth.resolve_session(backend, token, now)
    with pytest.raises(ValidationError):
        auth.enroll_device(backend, seeded.users["beheer"], Role.CLERK, seeded.location_id, "Balie", now)


def test_purge_deletes_ended_sessions_and_old_counters_only(backend, seeded, now):
    old = auth.sign_in(backend, "anne", DEMO_PASSWORD, now)
    auth.sign_out(backend, old.token, now)
    fail(backend, "nobody", now, address="10.0.0.1")
    later = now + dt.timedelta(days=31)
    current = auth.sign_in(backend, "jeroen", DEMO_PASSWORD, later)
    assert auth.purge_sign_in_records(backend, later) == 3  # the ended session, two counters
    assert auth.resolve_session(backend, current.token, later).username == "jeroen"
    with pytest.raises(SessionNotFound):
        auth.resolve_session(backend, old.token, later)
    with backend.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM sign_in_attempts")).scalar_one() == 0


def test_failures_at_the_same_moment_are_all_counted(backend, seeded, now):
    """Concurrent wrong passwords (two servers, one account): none of the counted failures is lost."""
    import threading

    barrier, results = threading.Barrier(6), []

    def attempt(i):
        barrier.wait()
        try:
            auth.sign_in(backend, "anne", "wrong password!", now, address=f"10.0.1.{i}")
        except (SignInFailed, SignInDelayed, AccountLocked) as err:
            results.append(err)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counted = sum(1 for r in results if not isinstance(r, SignInDelayed))
    assert len(results) == 6 and counted >= 1
    with backend.engine.connect() as conn:
        failures = conn.execute(text("SELECT failures FROM sign_in_attempts WHERE scope = 'account' "
                                     "AND key = 'anne'")).scalar_one()
    assert failures == counted
