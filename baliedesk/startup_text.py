"""Dutch (B1) words for a window that cannot reach its database or server at start-up.

Shared by the desktop windows (``ui/common/waiting.py``) and the hall screen
(``display/app.py``), which the layer contracts keep apart. Temporary faults
(the database or server does not answer, a share not mounted yet) say that
BalieDesk keeps trying by itself; permanent ones say what is wrong, that
nothing was changed, and whom to call.
"""

from __future__ import annotations

from dataclasses import dataclass

from baliedesk.domain import errors as e
from baliedesk.domain.error_texts import robust_error_text
from baliedesk.i18n import _

#: How often a window tries again while its database or server is away.
RETRY_SECONDS = 5


@dataclass(frozen=True)
class StartupProblem:
    """What a start-up screen says: ``what`` is wrong, what to ``do``; ``retry``: keep trying."""

    what: str
    do: str
    retry: bool


def connecting_text(server: bool = False) -> str:
    return _("BalieDesk zoekt verbinding met de server.") if server else \
        _("BalieDesk opent de database.")


def startup_problem(err: BaseException, *, server: bool = False) -> StartupProblem:
    """The start-up screen's words for ``err`` (raised while opening the database or server)."""
    if isinstance(err, e.StorageFault) and err.temporary:
        if server:
            what = _("De server is niet bereikbaar. BalieDesk probeert het elke {n} seconden opnieuw.")
        elif getattr(err, "reason", "") == "missing_folder":
            what = _("De map van de database is er (nog) niet. BalieDesk probeert het elke {n} seconden opnieuw.")
        else:
            what = _("De database is niet bereikbaar. BalieDesk probeert het elke {n} seconden opnieuw.")
        return StartupProblem(what.format(n=RETRY_SECONDS),
                              _("U hoeft niets te doen: dit scherm gaat vanzelf verder. "
                                "Duurt het lang? Bel de beheerder."), True)
    text = robust_error_text(err) if isinstance(err, e.StorageFault) else None
    if text is None:
        text = _("BalieDesk kan niet starten. Bel de beheerder; er is niets veranderd.")
    return StartupProblem(text, _("Sluit dit venster. Start BalieDesk opnieuw als de beheerder het "
                                  "probleem heeft opgelost."), False)
