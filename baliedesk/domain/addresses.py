"""An address (postcode + house number -> street and place) and the rules for its parts.

Plain Python: the services, the command line and the intake's look-ups
(:mod:`baliedesk.addresses`) all use these. :class:`Address` is also what
:func:`baliedesk.services.addresses.find_address` returns, over the wire too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_POSTCODE = re.compile(r"^\s*([1-9][0-9]{3})\s*([A-Za-z]{2})\s*$")
_NUMBER = re.compile(r"^\s*([0-9]{1,5})\s*$")

#: The longest street or place name kept (the CSV import refuses longer ones).
NAME_MAX = 80
#: The highest house number (five digits, as the BAG has them).
NUMBER_MAX = 99999


@dataclass(frozen=True)
class Address:
    street: str
    house_number: int
    postcode: str  # "1234 AB"
    place: str
    latitude: float | None = None
    longitude: float | None = None


def normal_postcode(text: str) -> str | None:
    """``"9919ah"`` -> ``"9919 AH"``; None when it is no (complete) Dutch postcode."""
    m = _POSTCODE.match(text or "") if isinstance(text, str) else None
    return f"{m.group(1)} {m.group(2).upper()}" if m else None


def normal_number(value: str | int) -> int | None:
    """``" 12 "`` or ``12`` -> ``12``; None for anything that is no house number (0, 123456, "12a")."""
    if isinstance(value, bool):
        return None
    m = _NUMBER.match(str(value))
    return int(m.group(1)) if m and int(m.group(1)) > 0 else None
