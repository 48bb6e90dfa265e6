"""Dutch (B1) wording of the set-up's typed errors, for the command line and the windows.

The lead wires :func:`error_text` into ``ui/messages.py`` for the admin tabs; the
command line (``setup import``) prints :func:`problem_lines`. Plain Python: no Qt.
"""

from __future__ import annotations

from baliedesk.domain.organisation import ColorContrastTooLow, HasHistory, SetupFileInvalid, SetupProblem
from baliedesk.i18n import _

_KIND = {"service": "dienst", "counter": "balie"}

_CODES = {
    "invalid": "deze waarde klopt niet",
    "required": "dit moet ingevuld zijn",
    "too_long": "deze tekst is te lang (hoogstens {limit} tekens)",
    "out_of_range": "dit getal is te groot of te klein (hoogstens {limit})",
    "taken": "deze naam of letter komt al eerder voor",
    "unknown_key": "BalieDesk kent dit veld niet (een tikfout?)",
    "not_toml": "dit is geen geldig TOML-bestand",
    "not_a_table": "hier hoort een tabel ([naam])",
    "not_a_list": "hier hoort een lijst van tabellen ([[naam]])",
    "contrast": "op deze kleur is tekst niet goed te lezen (contrast minder dan {limit}:1); kies een donkerder "
                "of lichtere kleur",
    "period_inside_out": "een tijd eindigt voor hij begint",
    "periods_overlap": "twee tijden overlappen",
    "control_character": "hier staat een onzichtbaar of verboden teken in",
    "unknown_service": "deze dienst bestaat niet bij deze locatie",
    "no_location_hours": "een dienst kan alleen eigen tijden hebben als de locatie openingstijden heeft",
    "first_admin_required": "de database is leeg: zet minstens één actieve beheerder in het bestand",
    "no_active_admin": "daarna is er geen actieve beheerder meer; dat kan niet",
    "file_not_found": "dit bestand is niet gevonden (het pad telt vanaf de map van het inrichtingsbestand)",
}


def problem_text(problem: SetupProblem) -> str:
    """``locatie[1].postcode: deze waarde klopt niet``."""
    template = _CODES.get(problem.code, "deze waarde klopt niet")
    limit = problem.limit
    if isinstance(limit, float) and limit.is_integer():
        limit = int(limit)
    return f"{problem.place}: {_(template).format(limit=limit)}"


def problem_lines(error: SetupFileInvalid) -> list[str]:
    count = len(error.problems)
    head = _("Het bestand is niet ingelezen; er is niets veranderd.") + " " + (
        _("1 fout:") if count == 1 else _("{n} fouten:").format(n=count))
    return [head, *("  " + problem_text(p) for p in error.problems)]


def error_text(error: Exception) -> str | None:
    """The Dutch message for a set-up error, or None when it is not one of these."""
    if isinstance(error, HasHistory):
        kind = _KIND.get(error.kind, error.kind)
        return _("De {kind} {name} is al gebruikt ({n} keer in de geschiedenis) en kan daarom niet weg. "
                 "Zet de {kind} uit: dan is hij niet meer te kiezen, en de geschiedenis blijft kloppen."
                 ).format(kind=kind, name=error.name, n=error.records)
    if isinstance(error, ColorContrastTooLow):
        return _("Op deze kleur is tekst niet goed te lezen (wit {light}:1, zwart {dark}:1; nodig is {minimum}:1). "
                 "Kies een donkerder of lichtere kleur.").format(
            light=f"{error.with_light:.1f}".replace(".", ","), dark=f"{error.with_dark:.1f}".replace(".", ","),
            minimum=f"{error.minimum:.1f}".replace(".", ","))
    if isinstance(error, SetupFileInvalid):
        return "\n".join(problem_lines(error))
    return None
