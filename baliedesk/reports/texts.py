"""The Dutch (B1) words of the service norms: names, verdicts, units, explanations.

One place for the dashboard and the PDF report. Numbers are written the Dutch way (95,0%).
"""

from __future__ import annotations

from baliedesk.i18n import _

#: Short names for tiles and table headers.
NORM_LABELS = {
    "walk_in_wait": _("Zonder afspraak op tijd geholpen"),
    "appointment_wait": _("Afspraak op tijd geholpen"),
    "callback_term": _("Terugbelnotities op tijd"),
    "melding_term": _("Meldingen binnen de termijn"),
    "melding_days": _("Meldingen: gemiddelde afhandeltijd"),
    "complaint_term": _("Klachten binnen de termijn"),
    "first_line": _("Direct geholpen (eerste lijn)"),
    "no_show": _("Niet gekomen op afspraak"),
    "rating_good": _("Rapportcijfer 7 of hoger"),
    "handling_outliers": _("Onwaarschijnlijke behandeltijden"),
}

VERDICT_WORDS = {
    "met": _("Gehaald"),
    "near": _("Bijna gehaald"),
    "missed": _("Niet gehaald"),
    "no_data": _("Geen gegevens"),
}

#: Colour per verdict (always shown together with the words, never alone).
VERDICT_COLOURS = {"met": "#1B6B3A", "near": "#A36A00", "missed": "#B00020", "no_data": "#5F6368"}

DAY_PARTS = {None: _("Hele dag"), "dag": _("Overdag"), "avond": _("Avond")}
WEEKDAYS = (_("maandag"), _("dinsdag"), _("woensdag"), _("donderdag"), _("vrijdag"), _("zaterdag"), _("zondag"))


def number(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{decimals}f}".replace(",", "\u2009").replace(".", ",").replace("\u2009", ".")


def figure(unit: str, value: float | None) -> str:
    """95,0% or 8,2 werkdagen; a dash when there is nothing to count."""
    if value is None:
        return "-"
    if unit == "percent":
        return f"{number(value)}%"
    return _("{days} werkdagen").format(days=number(value))


def minutes(seconds: float | None) -> str:
    return "-" if seconds is None else _("{n} min").format(n=number(seconds / 60))


def norm_line(norm: str, unit: str, target: float, threshold: float | None) -> str:
    """What the norm promises, in one sentence."""
    t = figure(unit, target)
    if norm == "walk_in_wait":
        return _("{t} van de bezoekers zonder afspraak is binnen {m} minuten aan de beurt.").format(
            t=t, m=number(threshold, 0))
    if norm == "appointment_wait":
        return _("{t} van de bezoekers met een afspraak is binnen {m} minuten na de afgesproken tijd aan de "
                 "beurt.").format(t=t, m=number(threshold, 0))
    if norm == "callback_term":
        return _("{t} van de terugbelnotities is binnen 2 werkdagen afgehandeld.").format(t=t)
    if norm == "melding_term":
        return _("{t} van de meldingen is binnen de termijn van de categorie afgehandeld.").format(t=t)
    if norm == "melding_days":
        return _("Een melding is gemiddeld binnen {t} afgehandeld.").format(t=t)
    if norm == "complaint_term":
        return _("{t} van de klachten is binnen de wettelijke termijn afgehandeld (6 weken, of 10 weken als "
                 "we verlengen).").format(t=t)
    if norm == "first_line":
        return _("{t} van de vragen beantwoorden we meteen zelf.").format(t=t)
    if norm == "no_show":
        return _("Hoogstens {t} van de afspraken gaat niet door omdat de bezoeker niet komt.").format(t=t)
    return _("{t} van de bezoekers geeft ons een 7 of hoger.").format(t=t)


def explanation(norm: str, unit: str, target: float, threshold: float | None, realised: float | None,
                previous: float | None, count: int, verdict: str) -> str:
    """A short B1 explanation for the report: the promise, the result, the quarter before, the verdict."""
    parts = [_("Onze norm: {line}").format(line=norm_line(norm, unit, target, threshold))]
    if realised is None:
        parts.append(_("Er was deze periode niets om te tellen."))
    else:
        parts.append(_("Deze periode was het {value} (van {count} keer).").format(value=figure(unit, realised),
                                                                                count=count))
        if previous is not None:
            parts.append(_("De periode ervoor was het {value}.").format(value=figure(unit, previous)))
        parts.append({"met": _("De norm is gehaald."), "near": _("De norm is net niet gehaald."),
                      "missed": _("De norm is niet gehaald.")}.get(verdict, ""))
    return " ".join(p for p in parts if p)


#: Dutch wording of the errors the norm functions raise (for ui/messages.py and the command line).
_FIELDS = {
    "quarter": _("Het kwartaal klopt niet. Schrijf het zo: 2026Q3."),
    "period_start": _("De begindatum klopt niet."),
    "period_end": _("De einddatum klopt niet. Kies een datum na de begindatum, en niet meer dan drie jaar later."),
    "norm": _("Deze norm bestaat niet."),
    "target": _("Het doel klopt niet. Kies een getal van 0 tot en met 100 (of een aantal werkdagen)."),
    "threshold": _("De grens klopt niet. Kies een aantal minuten van 1 tot en met 240."),
    "rating": _("Kies een cijfer van 1 tot en met 10."),
    "comment": _("Deze tekst kan niet worden bewaard."),
    "day_part": _("Kies overdag of avond."),
    "service": _("Deze dienst kan hier niet gekozen worden."),
    "limit": _("Zoveel regels kunnen niet in één keer getoond worden."),
}


def error_text(exc: Exception) -> str:
    from baliedesk.domain.errors import NotFound, PermissionDenied, StorageUnavailable, ValidationError

    if isinstance(exc, ValidationError):
        return _FIELDS.get(exc.field, _("Er klopt iets niet in wat u invulde ({field}).").format(field=exc.field))
    if isinstance(exc, PermissionDenied):
        return _("U mag dit niet doen. Vraag het aan de teamleider of de beheerder.")
    if isinstance(exc, NotFound):
        kind = {"location": _("Deze vestiging"), "service": _("Deze dienst"), "user": _("Deze gebruiker")}
        return _("{what} bestaat niet (nummer {key}).").format(what=kind.get(exc.kind, exc.kind), key=exc.key)
    if isinstance(exc, StorageUnavailable):
        return _("De database is nu niet bereikbaar. Probeer het later opnieuw.")
    return _("Er ging iets mis: {error}").format(error=type(exc).__name__)
