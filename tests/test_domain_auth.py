"""Sign-in rules in the domain: password policy, lockout schedule, sessions, tokens, codes; and their Dutch words."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from baliedesk.domain import auth as a
from baliedesk.domain import errors as e
from baliedesk.i18n_auth import PASSWORD_REASONS, auth_message

T0 = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


# ---------------------------------------------------------------------------
# password policy
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(("password", "reason"), [
    ("kort", "too_short"),
    ("elf tekens!", "too_short"),
    ("x" * 257, "too_long"),
    ("Wachtwoord2024!", "common"),
    ("welkomwelkom", "common"),
    ("123456789012", "common"),
    ("!!!!!!!!!!!!!!", "common"),
    ("anne.devries-2026", "contains_username"),
    ("ababababababab", "too_few_distinct"),
    ("lange zin\x00met nul", "invalid_character"),
    ("surrogaat \ud800 teken", "invalid_character"),
])
def test_weak_passwords_are_refused_with_a_reason(password, reason):
    with pytest.raises(e.PasswordTooWeak) as info:
        a.check_password_policy(password, "anne.devries")
    assert info.value.reason == reason and info.value.min_length == a.MIN_PASSWORD_LENGTH


@pytest.mark.parametrize("password", ["lange zomeravond fiets", "Tr0mpet-Kast-Regen", "balie-demo-2026",
                                      "ëën twee drie vier"])
def test_good_passwords_and_passphrases_pass(password):
    assert a.check_password_policy(password, "anne") == password


def test_new_password_differs_from_the_old_one():
    with pytest.raises(e.PasswordTooWeak) as info:
        a.check_password_policy("lange zomeravond fiets", "anne", old_password="lange zomeravond fiets")
    assert info.value.reason == "same_as_old"


@given(password=st.text(max_size=300), username=st.text(max_size=80))
@example(password="\ud800" * 20, username="")
def test_policy_never_crashes(password, username):
    try:
        accepted = a.check_password_policy(password, username)
    except e.PasswordTooWeak as err:
        assert err.reason in PASSWORD_REASONS
        assert auth_message(err)
        return
    assert a.MIN_PASSWORD_LENGTH <= len(accepted) <= a.MAX_PASSWORD_LENGTH
    name = username.strip().casefold()
    assert len(name) < 3 or name not in accepted.casefold()
    accepted.encode("utf-8")


def test_temporary_passwords_pass_the_policy_and_differ():
    seen = {a.temporary_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        assert a.check_password_policy(password) == password and len(password) == 19


@given(st.one_of(st.text(max_size=300), st.none(), st.integers(), st.binary(max_size=20)))
def test_usernames_and_keys_never_crash(value):
    name = a.normalise_username(value)
    assert name is None or a.USERNAME_RE.match(name)
    key = a.throttle_key(value)
    assert 0 < len(key) <= 80 and key.isprintable() and key.isascii() and "\x00" not in key


# ---------------------------------------------------------------------------
# lockout schedule
# ---------------------------------------------------------------------------
def test_delay_doubles_then_caps():
    p = a.ACCOUNT_LOCKOUT
    assert [p.delay_s(n) for n in range(1, 9)] == [0, 1, 2, 4, 8, 16, 30, 30]


def test_attempts_lock_after_the_limit_and_forget_later():
    p = a.LockoutPolicy(lock_after=3, lock_minutes=10, forget_after_minutes=30)
    state = a.Attempts().failed(T0, p)
    state.check(T0, p, "account")  # no delay after the first failure
    state = state.failed(T0, p)
    with pytest.raises(e.SignInDelayed) as info:
        state.check(T0, p, "account")
    assert info.value.retry_after_s == 1
    state.check(T0 + dt.timedelta(seconds=1), p, "account")
    state = state.failed(T0 + dt.timedelta(seconds=1), p)
    with pytest.raises(e.AccountLocked) as locked:
        state.check(T0 + dt.timedelta(minutes=9), p, "address")
    assert locked.value.until == T0 + dt.timedelta(seconds=1, minutes=10) and locked.value.scope == "address"
    assert state.current(T0 + dt.timedelta(seconds=1, minutes=10), p) == a.Attempts()
    old = a.Attempts().failed(T0, p).failed(T0, p)
    assert old.current(T0 + dt.timedelta(minutes=30), p) == a.Attempts()


# ---------------------------------------------------------------------------
# sessions, tokens, codes
# ---------------------------------------------------------------------------
def test_session_problem():
    args = dict(expires_at=T0 + dt.timedelta(hours=12), last_seen_at=T0, idle_timeout_s=3600, revoked_at=None)
    assert a.session_problem(**args, now=T0 + dt.timedelta(minutes=59)) is None
    assert a.session_problem(**args, now=T0 + dt.timedelta(hours=1)) == "idle"
    assert a.session_problem(**{**args, "last_seen_at": T0 + dt.timedelta(hours=12)},
                             now=T0 + dt.timedelta(hours=12)) == "absolute"
    assert a.session_problem(**{**args, "revoked_at": T0}, now=T0) == "revoked"


def test_tokens_are_random_and_only_their_hash_is_kept():
    tokens = {a.new_token() for _ in range(100)}
    assert len(tokens) == 100 and all(a.looks_like_token(t) for t in tokens)
    token = next(iter(tokens))
    assert a.token_hash(token) == hashlib.sha256(token.encode()).hexdigest() and len(a.token_hash(token)) == 64


def test_enrolment_codes_are_readable_and_normalised():
    code = a.new_enrolment_code()
    assert len(code) == 12 and code[4] == code[9] == "-"
    assert a.normalise_code(code.lower().replace("-", " ")) == code.replace("-", "")
    assert a.normalise_code("O0O0-I1I1-LL") is None  # letters that are never in a code
    assert a.code_hash(code.replace("-", "")) != a.token_hash(code.replace("-", ""))


@given(st.text(max_size=100))
def test_codes_never_crash(value):
    raw = a.normalise_code(value)
    assert raw is None or (len(raw) == a.CODE_LENGTH and set(raw) <= set(a.CODE_ALPHABET))


# ---------------------------------------------------------------------------
# Dutch wording
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("err", [
    e.SignInFailed(0), e.SignInFailed(4), e.SignInDelayed(1), e.AccountLocked(T0, "account"),
    e.AccountLocked(T0, "address"), e.WrongPassword(2), e.PasswordTooWeak("too_short"),
    e.PasswordChangeRequired(1), e.SessionExpired("idle"), e.SessionExpired("absolute"), e.SessionRevoked(),
    e.SessionNotFound(), e.DeviceNotAllowed("change_password"), e.DeviceNotAllowed("manage_as_person"),
    e.EnrolmentCodeInvalid(0), e.PermissionDenied("teamleider", "manage_beheerder"),
    e.ValidationError("role", "last_admin"), e.ValidationError("username", "reserved"),
])
def test_every_sign_in_error_has_dutch_words(err):
    text = auth_message(err)
    assert text and text[0].isupper() and text.endswith((".", "!"))
    assert "{" not in text


def test_lock_message_shows_local_time_and_never_the_name():
    text = auth_message(e.AccountLocked(dt.datetime(2026, 11, 19, 8, 45, tzinfo=dt.UTC), "account"))
    assert "09:45" in text
    assert auth_message(e.SignInFailed(4)).endswith("Wacht 4 seconden en probeer het opnieuw.")
    assert auth_message(e.NotFound("user", 1)) is None
