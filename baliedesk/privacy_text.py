"""Dutch wording (B1) for the errors and the role that personal-data protection (issue 12) adds.

For the lead to wire into ``ui/messages.py``: :func:`privacy_message` gives the
text for an error it knows (None otherwise), ``ROLE_NAMES`` the new role's name.
"""

from __future__ import annotations

from baliedesk.domain import errors as e
from baliedesk.i18n import _

ROLE_NAMES = {"privacyfunctionaris": "functionaris gegevensbescherming"}

LEGAL_HOLD = {
    "melding_open": "de melding is nog niet klaar",
    "complaint_open": "de klacht is nog niet afgehandeld",
    "appointment_upcoming": "de afspraak moet nog komen",
    "callback_open": "er moet nog worden teruggebeld",
}


def privacy_message(err: BaseException) -> str | None:
    if isinstance(err, e.NotYourLocation):
        return _("Dit hoort bij een andere locatie. U werkt niet voor die locatie. Vraag het de beheerder.")
    if isinstance(err, e.NotYourTeam):
        return _("Deze melding hoort bij {team}. U werkt niet in dat team.").format(team=err.team)
    if isinstance(err, e.LegalTermApplies):
        why = _(LEGAL_HOLD.get(err.reason, err.reason))
        return _("Deze gegevens kunnen nog niet weg: {why}.").format(why=why)
    return None
