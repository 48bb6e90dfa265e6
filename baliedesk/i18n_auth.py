"""Sign-in errors worded for people: Dutch at B1 level, through :mod:`baliedesk.i18n`.

:func:`auth_message` returns the sentence for a sign-in, session or device
error, or None for any other error (then ``ui.messages.message_for`` words it).
The wording never tells whether a user name exists.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from baliedesk.domain import errors as e
from baliedesk.i18n import _, ngettext

#: Why a new password is refused, per ``PasswordTooWeak.reason``.
PASSWORD_REASONS = {
    "too_short": "Dit wachtwoord is te kort. Gebruik minstens {min} tekens. Een zin van een paar woorden mag ook.",
    "too_long": "Dit wachtwoord is te lang. Kies een korter wachtwoord.",
    "common": "Dit wachtwoord wordt te vaak gebruikt. Het is makkelijk te raden. Kies een ander.",
    "contains_username": "Uw gebruikersnaam staat in dit wachtwoord. Kies een ander.",
    "too_few_distinct": "Dit wachtwoord heeft te weinig verschillende tekens. Kies een ander.",
    "invalid_character": "In dit wachtwoord staat een teken dat niet kan. Kies een ander.",
    "same_as_old": "Het nieuwe wachtwoord is hetzelfde als het oude. Kies een ander.",
}

#: The fields and codes of ``ValidationError`` that people management adds.
VALIDATION_MESSAGES = {
    ("username", "reserved"): "Namen die beginnen met 'device-' zijn voor kiosken en schermen. Kies een andere.",
    ("user", "self"): "U kunt uw eigen account niet uitzetten. Vraag het een andere beheerder.",
    ("role", "last_admin"): "Dit is de laatste beheerder. Maak eerst iemand anders beheerder.",
    ("role", "invalid"): "Deze rol bestaat niet. Kies baliemedewerker, kcc, teamleider of beheerder.",
}


def _wait_text(seconds: int) -> str:
    return ngettext("Wacht {n} seconde en probeer het opnieuw.", "Wacht {n} seconden en probeer het opnieuw.",
                    seconds).format(n=seconds)


def _clock(moment: object, timezone: str) -> str:
    if not isinstance(moment, dt.datetime):
        return "?"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%H:%M")


def auth_message(err: BaseException, *, timezone: str = "Europe/Amsterdam") -> str | None:
    """The sentence to show for ``err``, or None when it is no sign-in error."""
    if isinstance(err, e.SignInFailed):
        text = _("De gebruikersnaam of het wachtwoord klopt niet.")
        if err.retry_after_s:
            text += " " + _wait_text(err.retry_after_s)
        return text
    if isinstance(err, e.SignInDelayed):
        return _("Even geduld.") + " " + _wait_text(err.retry_after_s)
    if isinstance(err, e.AccountLocked):
        if err.scope == "address":
            return _("Er is op deze computer te vaak een fout wachtwoord getypt. Inloggen kan weer om {time}. "
                     "Haast? Bel de helpdesk.").format(time=_clock(err.until, timezone))
        return _("Er is te vaak een fout wachtwoord getypt. Inloggen met deze naam kan weer om {time}. "
                 "Haast? Vraag de beheerder om een nieuw wachtwoord.").format(time=_clock(err.until, timezone))
    if isinstance(err, e.WrongPassword):
        text = _("Uw huidige wachtwoord klopt niet.")
        if err.retry_after_s:
            text += " " + _wait_text(err.retry_after_s)
        return text
    if isinstance(err, e.PasswordTooWeak):
        return _(PASSWORD_REASONS.get(err.reason, "Kies een ander wachtwoord.")).format(min=err.min_length)
    if isinstance(err, e.PasswordChangeRequired):
        return _("U hebt een tijdelijk wachtwoord. Kies eerst een eigen wachtwoord.")
    if isinstance(err, e.SessionExpired):
        if err.reason == "idle":
            return _("U was een tijd niet actief. Meld u opnieuw aan.")
        return _("U bent te lang aangemeld. Meld u opnieuw aan.")
    if isinstance(err, e.SessionRevoked):
        return _("U bent afgemeld. Meld u opnieuw aan.")
    if isinstance(err, e.SessionNotFound):
        return _("U bent niet aangemeld. Meld u aan.")
    if isinstance(err, e.DeviceNotAllowed):
        if err.action == "manage_as_person":
            return _("Dit is een kiosk of scherm, geen persoon. Beheer het bij de apparaten.")
        return _("Dit kan niet op een kiosk of scherm. Meld u aan als persoon.")
    if isinstance(err, e.EnrolmentCodeInvalid):
        text = _("Deze code klopt niet, is al gebruikt of is verlopen. Vraag de beheerder om een nieuwe code.")
        if err.retry_after_s:
            text += " " + _wait_text(err.retry_after_s)
        return text
    if isinstance(err, e.PermissionDenied) and err.permission == "manage_beheerder":
        return _("Alleen een beheerder kan iemand beheerder maken of een beheerder aanpassen.")
    if isinstance(err, e.ValidationError) and (err.field, err.code) in VALIDATION_MESSAGES:
        return _(VALIDATION_MESSAGES[(err.field, err.code)])
    return None
