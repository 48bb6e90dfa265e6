"""What one hall screen is configured to show (from the workstation's settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from baliedesk.display.palette import DEFAULT_BRAND, normalise

MAX_RECENT_CALLS = 10
MAX_TOGETHER_S = 600


def _get(settings: Any, key: str, default: Any) -> Any:
    try:
        value = settings[key]
    except KeyError:
        return default
    return default if value is None else value


@dataclass(frozen=True)
class HallConfig:
    display_user: str = "scherm-hal"   # the device account the screen reads as (role "display")
    location_id: int = 0               # 0: the first location
    color: str = DEFAULT_BRAND         # the municipality's colour
    logo: str = ""                     # path to a logo image; "" for none
    message: str = ""                  # the message line; "" for the standard welcome
    recent_calls: int = 6              # earlier calls listed below the newest
    highlight_s: int = 8               # how long a new call stays highlighted (amber)
    together_s: int = 20               # every call of the last N seconds stays large, side by side
    chime: bool = True
    speech: bool = False

    @classmethod
    def from_settings(cls, settings: Any) -> HallConfig:
        return cls(
            display_user=settings["display_user"] or cls.display_user,
            location_id=max(0, settings["location_id"]),
            color=normalise(settings["display_color"]),
            logo=settings["display_logo"].strip(),
            message=settings["display_message"].strip(),
            recent_calls=max(0, min(MAX_RECENT_CALLS, settings["display_recent_calls"])),
            highlight_s=max(1, min(60, settings["display_highlight_s"])),
            together_s=max(1, min(MAX_TOGETHER_S, _get(settings, "display_together_s", cls.together_s))),
            chime=bool(settings["display_chime"]),
            speech=bool(settings["display_speech"]),
        )
