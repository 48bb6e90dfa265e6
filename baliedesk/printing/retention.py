"""Slips saved to the PDF folder follow the retention terms (issue 12).

A slip's file carries no personal data in its name (see ``jobs.Printout.filename``),
but its content does: appointment slips and callback slips are deleted once
their kind's term has passed (counted from the file's last change), melding
slips after the reporter term. Ticket slips and test slips hold no personal
data and stay.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from baliedesk.domain.retention import months_before
from baliedesk.services.privacy_dto import RetentionTermInfo

#: File name prefix -> the retention kind whose term applies.
PREFIX_KIND = {"afspraak-": "appointment", "terugbelverzoek-": "callback", "melding-": "melding_reporter"}


@dataclass(frozen=True)
class PrunedFolder:
    folder: str
    deleted: tuple[str, ...]  # file names (no personal data in them)
    failed: tuple[str, ...]


def prune_pdf_folder(folder: str | Path, now: dt.datetime, terms: Iterable[RetentionTermInfo], *,
                     dry_run: bool = False) -> PrunedFolder:
    """Delete the saved slips in ``folder`` whose term has passed; a switched-off term deletes nothing."""
    months = {t.kind: t.months for t in terms if t.enabled}
    base = Path(folder)
    deleted: list[str] = []
    failed: list[str] = []
    if not base.is_dir():
        return PrunedFolder(str(base), (), ())
    for path in sorted(base.glob("*.pdf")):
        kind = next((k for prefix, k in PREFIX_KIND.items() if path.name.lower().startswith(prefix)), None)
        if kind is None or kind not in months:
            continue
        try:
            changed = dt.datetime.fromtimestamp(path.stat().st_mtime, tz=dt.UTC)
            if changed >= months_before(now, months[kind]):
                continue
            if not dry_run:
                path.unlink()
            deleted.append(path.name)
        except OSError:
            failed.append(path.name)
    return PrunedFolder(str(base), tuple(deleted), tuple(failed))
