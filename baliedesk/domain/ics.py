"""iCalendar (RFC 5545) text for one event, written by hand.

Lines end in CRLF; content lines longer than 75 octets are folded (CRLF and
one space), never inside a UTF-8 character; TEXT values escape backslash,
semicolon, comma and new lines. Times are written in UTC (``...Z``), which
every calendar program shows in its own time zone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

CRLF = "\r\n"
MAX_OCTETS = 75


def escape_text(value: str) -> str:
    """RFC 5545 3.3.11: ``\\`` ``;`` ``,`` and new lines escaped; other control characters dropped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == ";":
            out.append("\\;")
        elif ch == ",":
            out.append("\\,")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t" or ord(ch) >= 0x20 and ord(ch) != 0x7F:
            out.append(ch)
    return "".join(out)


def fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, continuation lines starting with a space."""
    pieces: list[str] = []
    current = ""
    size = 0
    limit = MAX_OCTETS
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > limit:
            pieces.append(current)
            current, size = "", 0
            limit = MAX_OCTETS - 1  # the leading space counts
        current += ch
        size += n
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def utc_stamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("aware datetime required")
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def event(
    *,
    uid: str,
    start: dt.datetime,
    end: dt.datetime,
    stamp: dt.datetime,
    summary: str,
    location: str = "",
    description: str = "",
    reminder_minutes: int | None = 60,
    sequence: int = 0,
    prodid: str = "-//BalieDesk//Afspraken//NL",
) -> str:
    """A VCALENDAR with one VEVENT (and an optional display alarm), as CRLF text."""
    lines: list[str] = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{prodid}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{utc_stamp(stamp)}",
        f"DTSTART:{utc_stamp(start)}",
        f"DTEND:{utc_stamp(end)}",
        f"SEQUENCE:{int(sequence)}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    lines.append("STATUS:CONFIRMED")
    lines.append("TRANSP:OPAQUE")
    if reminder_minutes is not None and reminder_minutes > 0:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(summary)}",
            f"TRIGGER:-PT{int(reminder_minutes)}M",
            "END:VALARM",
        ]
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + CRLF for line in lines)


def unfold(text: str) -> list[str]:
    """The content lines of ``text`` (for tests and for reading back)."""
    return text.replace(CRLF + " ", "").split(CRLF)[:-1] if text.endswith(CRLF) else text.split(CRLF)


def description_lines(lines: Sequence[str]) -> str:
    return "\n".join(line for line in lines if line)
