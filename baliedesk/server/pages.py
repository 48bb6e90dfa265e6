"""The public tracking page (``/volg/<code>``): plain HTML, B1 Dutch, readable on a phone.

It shows what the melding slip promised: number, category, status, expected
date and the last change. Nothing about the person who reported it.
"""

from __future__ import annotations

from html import escape

from baliedesk.hourstext import date_text
from baliedesk.i18n import _
from baliedesk.services.tracking import PublicStatus

#: The status in words a resident understands.
STATE_WORDS = {
    "gemeld": "We hebben uw melding ontvangen. We gaan ermee aan de slag.",
    "in_behandeling": "We werken aan uw melding.",
    "doorgezet": "We hebben uw melding doorgestuurd naar een andere organisatie. Die lost het op.",
    "afgehandeld": "Uw melding is afgehandeld.",
    "geannuleerd": "Deze melding is gestopt.",
    "heropend": "We werken weer aan uw melding.",
}

_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24;
font-size:18px;line-height:1.5}
main{max-width:34rem;margin:0 auto;padding:1.25rem}
h1{font-size:1.5rem;margin:0 0 1rem}
.card{background:#fff;border:1px solid #c9d1d9;border-radius:10px;padding:1rem 1.25rem}
.status{font-size:1.25rem;font-weight:600;margin:0 0 1rem}
dl{margin:0}dt{color:#4a5562;font-size:.95rem}dd{margin:0 0 .75rem;font-weight:600}
.late{color:#8a1c1c}
"""


def _day(day) -> str:
    return f"{date_text(day)} {day.year}"


def _page(title: str, body: str) -> str:
    return (f'<!doctype html><html lang="nl"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width,initial-scale=1">'
            f'<meta name="robots" content="noindex"><title>{escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body><main>{body}</main></body></html>")


def tracking_html(status: PublicStatus | None, code: str, *, unavailable: bool = False) -> str:
    if unavailable:
        return _page(_("Uw melding"), f"<h1>{escape(_('Uw melding'))}</h1><div class='card'><p>"
                     + escape(_("We kunnen uw melding nu niet laten zien. Probeer het later nog eens."))
                     + "</p></div>")
    if status is None:
        return _page(_("Melding niet gevonden"), f"<h1>{escape(_('Melding niet gevonden'))}</h1><div class='card'><p>"
                     + escape(_("We vinden geen melding met deze code. Kijk of u de code goed hebt "
                                "overgenomen van uw bon."))
                     + "</p></div>")
    rows = [
        (_("Nummer"), status.number),
        (_("Volgcode"), status.tracking_code),
        (_("Soort melding"), status.category),
        (_("Gemeld op"), _day(status.received_on)),
    ]
    if status.open:
        rows.append((_("Wij verwachten klaar te zijn op"), _day(status.expected_date)))
    rows.append((_("Laatste verandering"), _day(status.last_change_on)))
    items = "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in rows)
    late = ""
    if status.overdue:
        late = "<p class='late'>" + escape(_("Het duurt langer dan we hadden gezegd. Excuses daarvoor.")) + "</p>"
    words = _(STATE_WORDS.get(status.state, status.state))
    return _page(_("Uw melding {number}").format(number=status.number),
                 f"<h1>{escape(_('Uw melding'))}</h1><div class='card'><p class='status'>{escape(words)}</p>"
                 f"{late}<dl>{items}</dl></div>")
