"""Sign-in rules: the password policy, the lockout schedule, tokens and codes.

Plain Python without a clock: every function that needs the time takes ``now``
(aware UTC). Hashing passwords (Argon2id) is the services' work; this module
only decides what is allowed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass, replace

from baliedesk.domain.errors import AccountLocked, PasswordTooWeak, SignInDelayed

# ---------------------------------------------------------------------------
# password policy
# ---------------------------------------------------------------------------
#: NCSC / NIST SP 800-63B: length beats composition rules. Twelve characters
#: allow a passphrase ("fiets regen koffie") that people remember, while a
#: list of very common passwords and the user name are refused outright.
MIN_PASSWORD_LENGTH = 12
#: Long enough for any passphrase; bounds the work one sign-in can cause.
MAX_PASSWORD_LENGTH = 256
#: "aaaaaaaaaaaa" and "121212121212" are long but guessable.
MIN_DISTINCT_CHARACTERS = 5

#: Very common passwords (and Dutch favourites), compared after lower-casing and
#: removing digits, spaces and punctuation at the ends ("Welkom2024!" -> "welkom").
COMMON_PASSWORDS = frozenset("""
123456789012 1234567890ab 1q2w3e4r5t6y qwertyuiopas qwertyuiop123 asdfghjklzxc zxcvbnm12345
password passw0rd password1 wachtwoord wachtw00rd welkom welkom01 welkomwelkom geheim geheimpje
letmein letmeinplease iloveyou iloveyou123 admin administrator beheerder beheer gemeente
gemeentehuis balie baliedesk baliemedewerker loppersum sunshine princess football voetbal
monkey dragon master superman batman trustno1 starwars whatever qwerty qwertyuiop azerty
abcdefghijkl abcdefghijklm abc123abc123 changeme changemeplease zomer winter lente herfst
januari februari maart april mei juni juli augustus september oktober november december
maandag dinsdag woensdag donderdag vrijdag zaterdag zondag amsterdam rotterdam utrecht
nederland holland ajax feyenoord psv computer internet samsung google microsoft windows
baseball hello helloworld welcome welcome1 secret secret123 login loginlogin test testtest
testing testing123 qazwsxedcrfv 1qaz2wsx3edc zaq12wsxcde3 aaaaaaaaaaaa
""".split())

_EDGE_NOISE = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _core(password: str) -> str:
    """The password without digits, spaces and punctuation at its ends, lower-cased."""
    return _EDGE_NOISE.sub("", password.casefold())


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates
        return False
    return "\x00" not in text


def check_password_policy(password: str, username: str = "", *, old_password: str | None = None) -> str:
    """The password as it will be hashed (NFC), or :class:`PasswordTooWeak` with the reason.

    Spaces are allowed (passphrases) and kept; nothing is trimmed, so a
    password is always typed the same way.
    """
    if not isinstance(password, str) or not _encodable(password) or any(
            unicodedata.category(ch) == "Cc" for ch in password):
        raise PasswordTooWeak("invalid_character", MIN_PASSWORD_LENGTH)
    password = unicodedata.normalize("NFC", password)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordTooWeak("too_short", MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordTooWeak("too_long", MIN_PASSWORD_LENGTH)
    folded = password.casefold()
    core = _core(password)
    if folded in COMMON_PASSWORDS or core in COMMON_PASSWORDS or not core:
        raise PasswordTooWeak("common", MIN_PASSWORD_LENGTH)
    name = (username or "").strip().casefold()
    if len(name) >= 3 and (name in folded or folded in name):
        raise PasswordTooWeak("contains_username", MIN_PASSWORD_LENGTH)
    if len(set(folded)) < MIN_DISTINCT_CHARACTERS:
        raise PasswordTooWeak("too_few_distinct", MIN_PASSWORD_LENGTH)
    if old_password is not None and unicodedata.normalize("NFC", old_password) == password:
        raise PasswordTooWeak("same_as_old", MIN_PASSWORD_LENGTH)
    return password


def prepare_password(password: object) -> str | None:
    """A typed password as it is hashed and checked (NFC); None when it cannot be a password at all
    (not text, unencodable, or longer than the policy allows): such a try fails without hashing."""
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_LENGTH * 4 or not _encodable(password):
        return None
    password = unicodedata.normalize("NFC", password)
    return password if 0 < len(password) <= MAX_PASSWORD_LENGTH else None


#: Temporary passwords: four groups of four from letters and digits that are
#: never confused (no 0/o, 1/l/i), e.g. ``kq7m-3xzt-p9ab-w4ne``: 19 characters.
TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def temporary_password() -> str:
    while True:
        candidate = "-".join("".join(secrets.choice(TEMP_ALPHABET) for _ in range(4)) for _ in range(4))
        try:
            return check_password_policy(candidate)
        except PasswordTooWeak:  # pragma: no cover - astronomically rare (too few distinct)
            continue


# ---------------------------------------------------------------------------
# user names (the shape setup uses for people; devices get device-<n>)
# ---------------------------------------------------------------------------
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


def normalise_username(username: object) -> str | None:
    """The user name as stored (trimmed, lower case), or None when it cannot be one."""
    if not isinstance(username, str) or len(username) > 256:
        return None
    name = username.strip().lower()
    return name if USERNAME_RE.match(name) else None


def throttle_key(value: object, *, max_length: int = 64) -> str:
    """A key for the attempt counters that any input can give without harm.

    Readable when it is short plain text; else a hash (hostile strings, NUL
    bytes and lone surrogates never reach the database).
    """
    text = value if isinstance(value, str) else repr(value)
    text = text.strip().lower()
    if 0 < len(text) <= max_length and text.isprintable() and text.isascii():
        return text
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return f"sha256:{digest[:48]}"


# ---------------------------------------------------------------------------
# failed tries: increasing delay, then a lock
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LockoutPolicy:
    """After the ``n``-th failure in a row the next try waits ``delay_s(n)`` seconds:
    0, 1, 2, 4, 8, 16, then ``max_delay_s``. After ``lock_after`` failures the key
    is locked for ``lock_minutes``. A failure older than ``forget_after_minutes``
    no longer counts."""

    lock_after: int = 10
    lock_minutes: int = 15
    free_failures: int = 1
    max_delay_s: int = 30
    forget_after_minutes: int = 30

    def delay_s(self, failures: int) -> int:
        if failures <= self.free_failures:
            return 0
        return min(self.max_delay_s, 2 ** (failures - self.free_failures - 1))


#: Per account (user name): ten failures lock it for a quarter of an hour.
ACCOUNT_LOCKOUT = LockoutPolicy(lock_after=10, lock_minutes=15)
#: Per workstation address: higher (several people share a PC), also across names.
ADDRESS_LOCKOUT = LockoutPolicy(lock_after=30, lock_minutes=15)


@dataclass(frozen=True)
class Attempts:
    """The failed tries counted for one key (an account or an address)."""

    failures: int = 0
    last_failure_at: dt.datetime | None = None
    next_attempt_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None

    def current(self, now: dt.datetime, policy: LockoutPolicy) -> Attempts:
        """Forget a lock that ended and failures that are old."""
        if self.locked_until is not None and self.locked_until <= now:
            return Attempts()
        if (self.locked_until is None and self.last_failure_at is not None
                and now - self.last_failure_at >= dt.timedelta(minutes=policy.forget_after_minutes)):
            return Attempts()
        return self

    def check(self, now: dt.datetime, policy: LockoutPolicy, scope: str) -> None:
        """Raise :class:`AccountLocked` or :class:`SignInDelayed` when no try may be made now."""
        state = self.current(now, policy)
        if state.locked_until is not None:
            raise AccountLocked(state.locked_until, scope)
        if state.next_attempt_at is not None and state.next_attempt_at > now:
            raise SignInDelayed(_ceil_seconds(state.next_attempt_at - now))

    def failed(self, now: dt.datetime, policy: LockoutPolicy) -> Attempts:
        state = self.current(now, policy)
        failures = state.failures + 1
        if failures >= policy.lock_after:
            until = now + dt.timedelta(minutes=policy.lock_minutes)
            return Attempts(failures, now, until, until)
        return replace(state, failures=failures, last_failure_at=now,
                       next_attempt_at=now + dt.timedelta(seconds=policy.delay_s(failures)))

    def retry_after_s(self, now: dt.datetime) -> int:
        moment = self.locked_until or self.next_attempt_at
        return _ceil_seconds(moment - now) if moment is not None and moment > now else 0


def _ceil_seconds(delta: dt.timedelta) -> int:
    return max(1, int(-(-delta.total_seconds() // 1)))


# ---------------------------------------------------------------------------
# sessions
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionPolicy:
    """A session ends after ``idle_timeout_s`` unused (sliding) and at the latest
    ``absolute_s`` after sign-in. ``touch_every_s``: how stale ``last_seen_at``
    may be before a use writes it again (not every request writes)."""

    idle_timeout_s: int = 2 * 3600
    absolute_s: int = 12 * 3600
    touch_every_s: int = 60


#: People: a working day at most; two hours unused (the counter locks itself far sooner).
PERSON_SESSIONS = SessionPolicy()
#: A signed-in person who must still choose a new password: a quarter of an hour.
PASSWORD_CHANGE_SESSIONS = SessionPolicy(idle_timeout_s=15 * 60, absolute_s=15 * 60)
#: Devices (kiosk, hall screen): until revoked, renewed by use; a year at most.
DEVICE_SESSIONS = SessionPolicy(idle_timeout_s=30 * 86400, absolute_s=365 * 86400, touch_every_s=600)


def session_problem(*, expires_at: dt.datetime, last_seen_at: dt.datetime, idle_timeout_s: int,
                    revoked_at: dt.datetime | None, now: dt.datetime) -> str | None:
    """Why a session is no longer valid (``revoked``, ``absolute``, ``idle``), or None."""
    if revoked_at is not None:
        return "revoked"
    if now >= expires_at:
        return "absolute"
    if now - last_seen_at >= dt.timedelta(seconds=idle_timeout_s):
        return "idle"
    return None


# ---------------------------------------------------------------------------
# tokens and device codes
# ---------------------------------------------------------------------------
TOKEN_BYTES = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{40,64}$")


def new_token() -> str:
    """A bearer token: 32 random bytes, URL-safe base64 (43 characters). Shown once, never stored."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex (64 characters)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def looks_like_token(token: object) -> bool:
    return isinstance(token, str) and bool(_TOKEN_RE.match(token))


#: Device codes are typed by a beheerder at the kiosk: capitals and digits that
#: are never confused (no 0/O, 1/I/L), 10 characters in groups, e.g. ``K7PX-3QMR-9A``.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
ENROLMENT_VALID = dt.timedelta(hours=24)


def new_enrolment_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalise_code(code: object) -> str | None:
    """The code without spaces and dashes, in capitals; None when it cannot be a code."""
    if not isinstance(code, str) or len(code) > 64:
        return None
    raw = "".join(ch for ch in code.upper() if ch not in " -\t")
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return raw


def code_hash(code: str) -> str:
    """What the database keeps of a device code (normalised first)."""
    return hashlib.sha256(("enrol:" + code).encode("ascii")).hexdigest()


#: The demo municipality's people log in with this password (it passes the policy). Shown only
#: on the demo's log-in screen; a real database never has it unless someone chose it.
DEMO_PASSWORD = "balie-demo-2026"


#: The change feed's topic for "a session or account stopped holding" (sign-out, revocation, an account
#: deactivated, a password reset, a device revoked): a server process that keeps resolved sessions for a
#: moment (``server/sessions.py``) forgets them all when it hears it.
SESSIONS_TOPIC = "sessions"
