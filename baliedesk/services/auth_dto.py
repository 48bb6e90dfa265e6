"""Results of the sign-in services: plain frozen values that can cross threads and the network."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from baliedesk.services.dto import UserInfo


@dataclass(frozen=True)
class SignInResult:
    """A new session. ``token`` is shown here once; the database keeps only its hash."""

    token: str = ""
    session_id: int = 0
    user: UserInfo | None = None
    must_change_password: bool = False
    expires_at: dt.datetime | None = None  # the absolute end; idle use ends it sooner
    idle_timeout_s: int = 0

    def __repr__(self) -> str:  # never print a token into a log
        return (f"SignInResult(session_id={self.session_id}, user={self.user!r}, "
                f"must_change_password={self.must_change_password}, expires_at={self.expires_at!r})")


@dataclass(frozen=True)
class Principal:
    """Who a valid token belongs to: what the server acts as for this request."""

    session_id: int
    user_id: int
    username: str
    display_name: str
    role: str
    kind: str  # person | device
    device_id: int | None = None
    location_id: int | None = None  # a device's location
    expires_at: dt.datetime | None = None
    must_change_password: bool = False


@dataclass(frozen=True)
class AccountInfo:
    """A person as the beheerder manages them (never a hash)."""

    id: int
    username: str
    display_name: str
    role: str
    active: bool
    has_password: bool
    must_change_password: bool
    open_sessions: int


@dataclass(frozen=True)
class NewAccount:
    """A person just added or whose password was reset: the temporary password, shown once."""

    user: UserInfo
    temporary_password: str

    def __repr__(self) -> str:
        return f"NewAccount(user={self.user!r})"


@dataclass(frozen=True)
class DeviceInfo:
    id: int
    user_id: int
    username: str
    role: str  # kiosk | display
    location_id: int
    name: str
    created_at: dt.datetime
    code_expires_at: dt.datetime | None
    enrolled_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def state(self) -> str:
        """``revoked``, ``enrolled`` or ``waiting`` (for its code)."""
        if self.revoked_at is not None:
            return "revoked"
        return "enrolled" if self.enrolled_at is not None else "waiting"


@dataclass(frozen=True)
class DeviceEnrolment:
    """A device's one-time code (shown once) and until when it can be used."""

    device: DeviceInfo
    code: str
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"DeviceEnrolment(device={self.device!r}, expires_at={self.expires_at!r})"


@dataclass(frozen=True)
class DeviceSignIn:
    """The device's own token (once), exchanged for its code."""

    token: str
    session_id: int
    device: DeviceInfo
    expires_at: dt.datetime

    def __repr__(self) -> str:
        return f"DeviceSignIn(session_id={self.session_id}, device={self.device!r})"
