"""Dutch (B1) words for the errors of issue 14: database faults, a request too late, and the
fields and codes the argument checks add. Through ``i18n``; ``ui/messages.py`` asks
:func:`robust_error_text` first and falls back to its own wording when it gives None.
"""

from __future__ import annotations

from baliedesk.domain import errors as e
from baliedesk.i18n import N_, _

#: Labels for fields that the argument checks (``services.arguments``) can name.
FIELD_NAMES = {
    "now": N_("De tijd van deze computer"),
    "start_day": N_("De eerste dag"),
    "team": N_("Het team"),
    "for_team": N_("Het team"),
    "outcome": N_("De uitkomst"),
    "caller_name": N_("De naam van de beller"),
    "question": N_("De vraag"),
    "request_id": N_("Het kenmerk van het formulier"),
    "categories": N_("De lijst met categorieën"),
    "coordinates": N_("De coördinaten"),
    "email": N_("Het e-mailadres"),
}

#: New validation codes.
CODE_TEXTS = {
    "naive_datetime": N_("{field} heeft geen tijdzone. Zet de klok van deze computer goed."),
    "invalid": N_("{field} klopt niet. Kijk het na."),
    "out_of_range": N_("{field} ligt te ver in het verleden of de toekomst."),
    "control_character": N_("{field} bevat een teken dat niet kan. Haal het weg en probeer opnieuw."),
    "required": N_("{field} is nog leeg. Vul dit in."),
}

# Said after an action that failed: nothing is tried again by itself (the start-up screen, which does
# retry, has its own words in startup_text.py).
UNAVAILABLE = N_("De database is niet bereikbaar. Wat u typte, blijft staan. Probeer het zo nog eens.")
TIMEOUT = N_("De database antwoordt niet. Wat u typte, blijft staan. Probeer het zo nog eens.")
READ_ONLY = N_("De database mag niet veranderd worden (alleen lezen). Er is niets opgeslagen. "
               "Bel de beheerder.")
CORRUPT = N_("Het databasebestand is beschadigd. Bel de beheerder; er is niets veranderd.")
TOO_NEW = N_("De database hoort bij een nieuwere versie van BalieDesk. Installeer die versie. "
             "Er is niets veranderd.")
FOLDER = N_("BalieDesk kan niet schrijven in de map {folder}. Bel de beheerder; er is niets veranderd.")
TOO_LATE = N_("Dat duurde te lang. Er is niets gedaan. Probeer het nog eens.")


def field_label(field: str) -> str:
    return _(FIELD_NAMES.get(field, N_("Dit veld")))


def robust_error_text(err: BaseException) -> str | None:
    """The sentence for a database fault or a late request; None for other errors."""
    if isinstance(err, e.DatabaseUnavailable):
        return _(TIMEOUT) if err.reason == "timeout" else _(UNAVAILABLE)
    if isinstance(err, e.DatabaseReadOnly):
        return _(READ_ONLY)
    if isinstance(err, e.DatabaseCorrupt):
        return _(CORRUPT)
    if isinstance(err, e.SchemaTooNew):
        return _(TOO_NEW)
    if isinstance(err, e.DataFolderNotWritable):
        return _(FOLDER).format(folder=err.folder)
    if isinstance(err, e.RequestTooLate):
        return _(TOO_LATE)
    if isinstance(err, e.StorageUnavailable):
        return _(UNAVAILABLE)
    return None


def validation_text(err: e.ValidationError) -> str | None:
    """For a field the argument checks name that ``ui/messages.py`` does not know yet; else None."""
    if err.field not in FIELD_NAMES or err.code not in CODE_TEXTS:
        return None
    return _(CODE_TEXTS[err.code]).format(field=field_label(err.field))
