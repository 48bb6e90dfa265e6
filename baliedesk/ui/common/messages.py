"""Domain errors worded for people: Dutch at B1 level, through ``i18n``.

The services raise typed errors that carry data; this is the one place that
turns them into a sentence. Short sentences, plain words, and always what to
do next. Unknown errors get a calm general message (details go to the log).
"""

from __future__ import annotations

import logging

from baliedesk.domain import errors as e
from baliedesk.domain.error_texts import field_label as robust_field_label
from baliedesk.domain.error_texts import robust_error_text, validation_text
from baliedesk.domain.permissions import Role
from baliedesk.domain.tickets import display_number
from baliedesk.i18n import _
from baliedesk.i18n_auth import auth_message
from baliedesk.privacy_text import privacy_message
from baliedesk.setup_text import error_text as setup_error_text

log = logging.getLogger(__name__)

FIELD_NAMES = {
    "note": "De notitie",
    "name": "De naam",
    "display_name": "De naam",
    "username": "De gebruikersnaam",
    "prefix": "De letter",
    "color": "De kleur",
    "expected_minutes": "De verwachte tijd",
    "weight": "Het gewicht",
    "transfer_target": "Het doel",
    "timezone": "De tijdzone",
    "street": "De straat",
    "house_number": "Het huisnummer",
    "postcode": "De postcode",
    "place": "De plaats",
    "phone": "Het telefoonnummer",
    "website": "De website",
    "tracking_base_url": "Het adres van de volgpagina",
    "logo": "Het logo",
    "sort_order": "De volgorde",
    "service_ids": "De diensten",
    "no_show_after_recalls": "Het aantal keer oproepen",
}

ROLE_NAMES = {
    Role.CLERK.value: "baliemedewerker",
    Role.KCC.value: "KCC-medewerker",
    Role.TEAM_LEAD.value: "teamleider",
    Role.ADMIN.value: "beheerder",
    Role.KIOSK.value: "kiosk",
    Role.DISPLAY.value: "scherm in de hal",
    Role.PRIVACY_OFFICER.value: "functionaris gegevensbescherming",
}

STATE_NAMES = {
    "waiting": "wacht",
    "called": "opgeroepen",
    "serving": "aan de balie",
    "finished": "klaar",
    "no_show": "niet gekomen",
    "cancelled": "vervallen",
}


def field_label(field: str) -> str:
    if field not in FIELD_NAMES:  # the fields the argument checks name (issue 14)
        return robust_field_label(field)
    return _(FIELD_NAMES[field])


def validation_message(err: e.ValidationError) -> str:
    label = field_label(err.field)
    appointment_text = _appointment_setting_message(err)  # the team lead's appointment settings
    if appointment_text is not None:
        return appointment_text
    if err.code == "required":
        return _("{field} is nog leeg. Vul dit in.").format(field=label)
    if err.code == "too_long":
        return _("{field} is te lang. Gebruik hoogstens {limit} tekens.").format(field=label, limit=err.limit)
    if err.code == "control_character":
        return _("{field} bevat een teken dat niet kan. Haal het weg en probeer opnieuw.").format(field=label)
    if err.code == "taken":
        return _("{field} bestaat al. Kies een andere.").format(field=label)
    if err.code == "out_of_range":
        return _("{field} is te groot of te klein.").format(field=label)
    calendar_text = _calendar_validation_message(err, label)  # opening hours and appointments
    if calendar_text is not None:
        return calendar_text
    melding_text = _melding_validation_message(err, label)  # meldingen, callback notes, complaints
    if melding_text is not None:
        return melding_text
    robust = validation_text(err)  # the fields and codes of the argument checks
    if robust is not None:
        return robust
    return _("{field} klopt niet. Kijk het na.").format(field=label)


def message_for(err: BaseException) -> str:
    """The sentence to show for ``err``."""
    for special in (auth_message, privacy_message, setup_error_text, _counter_floor_message):
        text = special(err)
        if text is not None:
            return text
    if isinstance(err, e.ValidationError) and err.field == "database" and err.code == "already_set_up":
        return _("Deze database is al ingericht. Log in als beheerder.")
    if isinstance(err, e.ValidationError):
        return validation_message(err)
    robust = robust_error_text(err)  # database faults: temporary and permanent worded apart
    if robust is not None:
        return robust
    if isinstance(err, e.StorageUnavailable):
        return _("De verbinding met de database is weg. Wat u typte, blijft staan. Probeer het zo nog eens.")
    if isinstance(err, e.InvalidTransition):
        return _("Dit kan niet meer met nummer {number}. Het nummer is nu: {state}.").format(
            number=err.ticket_number, state=_(STATE_NAMES.get(err.state, err.state)))
    if isinstance(err, e.PermissionDenied):
        return _("Dit mag u niet doen als {role}. Vraag het uw teamleider.").format(
            role=_(ROLE_NAMES.get(err.role, err.role)))
    if isinstance(err, e.NoShowTooEarly):
        return _("Roep nummer {number} eerst nog {n} keer op. Daarna kunt u 'niet gekomen' kiezen.").format(
            number=err.ticket_number, n=max(1, err.required - err.recalls))
    if isinstance(err, e.CounterBusy):
        return _("Bij {counter} is nummer {number} nog niet klaar. Rond dat eerst af.").format(
            counter=err.counter_name, number=err.ticket_number)
    if isinstance(err, e.CounterInUse):
        return _("{user} werkt nu aan {counter}. Kies een andere balie.").format(
            user=err.user_name, counter=err.counter_name)
    if isinstance(err, e.NotSignedInHere):
        return _("U bent niet aangemeld. Meld u eerst aan.")
    if isinstance(err, e.NotSignedIn):
        return _("U bent niet aangemeld bij {counter}. Meld u eerst aan.").format(counter=err.counter_name)
    if isinstance(err, e.NotYourTicket):
        return _("Nummer {number} hoort niet bij {counter}.").format(number=err.ticket_number, counter=err.counter_name)
    if isinstance(err, e.ServiceNotOffered):
        return _("Deze dienst is hier nu niet te kiezen.")
    if isinstance(err, e.NoCounterServices):
        return _("Kies eerst de diensten die u bij {counter} doet.").format(counter=err.counter_name)
    if isinstance(err, e.TicketNumbersExhausted):
        return _("Voor deze dienst zijn vandaag geen nummers meer. Vraag het aan de balie.")
    if isinstance(err, e.InactiveUser):
        return _("Dit account is uitgezet. Vraag het uw beheerder.")
    if isinstance(err, e.NotFound):
        return _("Dit bestaat niet meer. Misschien heeft een collega het net veranderd.")
    calendar_text = _calendar_message(err)  # opening hours and appointments
    if calendar_text is not None:
        return calendar_text
    printer_text = printer_message(err)  # printed slips
    if printer_text is not None:
        return printer_text
    melding_text = _melding_message(err)  # meldingen, callback notes, complaints
    if melding_text is not None:
        return melding_text
    log.error("unexpected error shown to the user", exc_info=err)
    return _("Er ging iets mis. Er is niets verloren. Probeer het nog eens. Blijft het misgaan? Bel de helpdesk.")


# ---------------------------------------------------------------------------
# opening hours and appointments
# ---------------------------------------------------------------------------
FIELD_NAMES.update({
    "start": "De begintijd",
    "end": "De eindtijd",
    "period": "De tijd",
    "weekday": "De dag",
    "day": "De datum",
    "days": "Het aantal dagen",
    "liberation_day": "De keuze voor Bevrijdingsdag",
    "kiosk_stop_minutes": "De stoptijd van de kiosk",
    "checkin_early_minutes": "De tijd voor aanmelden vooraf",
    "checkin_late_minutes": "De tijd voor te laat komen",
    "service_hours": "De openingstijden van de dienst",
    "phone": "Het telefoonnummer",
    "email": "Het e-mailadres",
    "remarks": "De opmerking",
    "code": "De afspraakcode",
    "bring": "De lijst \"neem mee\"",
    "duration_minutes": "De duur van een afspraak",
    "max_parallel": "Het aantal afspraken tegelijk",
    "block": "De blokkade",
})


def _appointment_setting_message(err: e.ValidationError) -> str | None:
    from baliedesk.domain.appointments import MAX_DURATION, MIN_DURATION, MAX_PARALLEL

    if err.field == "duration_minutes" and err.code in ("out_of_range", "not_a_number"):
        return _("Een afspraak duurt {low} tot {high} minuten. Schrijf een heel getal, bijvoorbeeld 15.").format(
            low=MIN_DURATION, high=MAX_DURATION)
    if err.field == "max_parallel" and err.code in ("out_of_range", "not_a_number"):
        return _("Schrijf bij 'Hoogstens tegelijk' een heel getal van 1 tot {high}, of laat het leeg.").format(
            high=MAX_PARALLEL)
    if err.field == "bring" and err.code == "too_long":
        return _("Een regel bij 'Neem mee' is te lang. Gebruik hoogstens {limit} tekens per regel.").format(
            limit=err.limit)
    if err.field == "bring" and err.code == "too_many":
        return _("Bij 'Neem mee' staan te veel regels. Gebruik hoogstens {limit} regels.").format(limit=err.limit)
    if err.field == "bring" and err.code == "control_character":
        return _("Bij 'Neem mee' staat een teken dat niet kan. Haal het weg en probeer opnieuw.")
    return None


WEEKDAY_ON = ("op maandag", "op dinsdag", "op woensdag", "op donderdag", "op vrijdag", "op zaterdag", "op zondag")


def _when(weekday: int | None, day: object) -> str:
    """``"op donderdag"`` or ``"op donderdag 24 december"``; empty when unknown."""
    from baliedesk.hourstext import date_text

    if weekday is not None and 0 <= weekday < 7:
        return _(WEEKDAY_ON[weekday])
    if hasattr(day, "weekday"):
        return _("op {date}").format(date=date_text(day))
    return ""


def _calendar_validation_message(err: e.ValidationError, label: str) -> str | None:
    if err.code == "invalid_time":
        return _("{field} is geen goede tijd. Schrijf bijvoorbeeld 9:00 of 13:30.").format(field=label)
    if err.code == "no_location_hours":
        return _("Stel eerst de openingstijden van de locatie in. Daarna kunt u een dienst korter open zetten.")
    if err.field == "phone" and err.code == "invalid":
        return _("Het telefoonnummer klopt niet. Schrijf bijvoorbeeld 06 12345678 of +31 6 12345678.")
    if err.field == "email" and err.code == "invalid":
        return _("Het e-mailadres klopt niet. Schrijf bijvoorbeeld naam@voorbeeld.nl.")
    if err.code == "phone_or_email":
        return _("Vul een telefoonnummer of een e-mailadres in. Dan kunnen we de bezoeker bereiken.")
    if err.field == "code" and err.code == "invalid":
        return _("Deze afspraakcode klopt niet. Kijk de code na op uw bevestiging. Een code ziet er zo uit: K7P-3QX.")
    if err.code == "too_many":
        return _("{field} is te lang. Gebruik hoogstens {limit} regels.").format(field=label, limit=err.limit)
    if err.code == "weekday_or_day":
        return _("Kies een vaste dag in de week of een datum, niet allebei.")
    return None


def _calendar_message(err: BaseException) -> str | None:
    from baliedesk.hourstext import clock, next_opening_text

    if isinstance(err, e.PeriodInsideOut):
        when = _when(err.weekday, err.day)
        if err.start == err.end:
            return _("De tijd {start} - {end} {when} begint en eindigt op hetzelfde moment. "
                     "Pas de eindtijd aan.").format(start=clock(err.start), end=clock(err.end), when=when)
        return _("De tijd {start} - {end} {when} klopt niet: het einde ligt voor het begin. "
                 "Pas de tijden aan.").format(start=clock(err.start), end=clock(err.end), when=when)
    if isinstance(err, e.PeriodsOverlap):
        return _("De tijden {a} en {b} {when} lopen door elkaar. Pas een van de twee aan.").format(
            a=f"{clock(err.first_start)} - {clock(err.first_end)}",
            b=f"{clock(err.second_start)} - {clock(err.second_end)}",
            when=_when(err.weekday, err.day))
    if isinstance(err, e.ServiceClosed):
        again = next_opening_text(err.next_opening, err.today)
        if err.reason == "closing":
            return _("Geen nieuwe nummers meer. Wie wacht, wordt nog geholpen. {again}").format(again=again)
        return _("Deze dienst is nu gesloten. {again}").format(again=again)
    return _appointment_message(err)


def _appointment_message(err: BaseException) -> str | None:
    from baliedesk.hourstext import date_text, time_text

    if isinstance(err, e.AppointmentsDisabled):
        return _("Hier kunt u geen afspraak maken. Neem een nummer of vraag het aan de balie.")
    if isinstance(err, e.AppointmentNotFound):
        return _("We kennen afspraakcode {code} niet. Kijk de code na of vraag het aan de balie.").format(
            code=err.code)
    if isinstance(err, e.SlotUnavailable):
        if err.reason == "full":
            return _("De tijd {time} is net vol geraakt. Kies een andere tijd.").format(time=time_text(err.start))
        if err.reason == "past":
            return _("De tijd {time} is al voorbij. Kies een andere tijd.").format(time=time_text(err.start))
        return _("Om {time} kan geen afspraak. Kies een tijd uit de lijst.").format(time=time_text(err.start))
    if isinstance(err, e.AppointmentNotActive):
        if err.state == "checked_in":
            return _("Afspraak {code} is al aangemeld. Wacht tot uw nummer op het scherm staat.").format(
                code=err.code)
        if err.state == "cancelled":
            return _("Afspraak {code} is afgezegd. Vraag het aan de balie.").format(code=err.code)
        return _("Afspraak {code} is verlopen. Vraag het aan de balie.").format(code=err.code)
    if isinstance(err, e.AppointmentTooEarly):
        return _("U bent te vroeg. Uw afspraak is op {date} om {time}. U kunt zich melden vanaf {from_time}.").format(
            date=date_text(err.slot_start), time=time_text(err.slot_start), from_time=time_text(err.checkin_from))
    if isinstance(err, e.AppointmentTooLate):
        if err.walk_in_possible:
            return _("U bent te laat voor uw afspraak van {time}. U kunt wel een gewoon nummer nemen.").format(
                time=time_text(err.slot_start))
        return _("U bent te laat voor uw afspraak van {time}. Maak een nieuwe afspraak aan de balie.").format(
            time=time_text(err.slot_start))
    return None


# ---------------------------------------------------------------------------
# printed slips
# ---------------------------------------------------------------------------
def printer_message(err: BaseException) -> str | None:
    from baliedesk.printing.errors import PrinterUnavailable, PrintError, PrintingNotConfigured

    if isinstance(err, PrintingNotConfigured):
        return _("Er is voor deze computer nog geen printer gekozen. Kies een printer bij de instellingen. "
                 "Of sla het bonnetje op als PDF.")
    if isinstance(err, PrinterUnavailable):
        if not err.printer:  # the system's default printer
            texts = {
                "missing": _("Deze computer heeft geen standaardprinter. Kies een printer bij de instellingen. "
                             "Of sla het bonnetje op als PDF."),
                "offline": _("De standaardprinter staat uit of is niet bereikbaar. Zet de printer aan en print "
                             "opnieuw."),
                "out_of_paper": _("Het papier in de standaardprinter is op. Doe er nieuw papier in en print "
                                  "opnieuw."),
            }
            return texts.get(err.reason, _("De standaardprinter kon het bonnetje niet printen. Print opnieuw of "
                                           "sla het op als PDF."))
        name = err.printer
        if err.reason == "missing":
            return _("De printer {printer} is niet gevonden. Kies een andere printer en print opnieuw. "
                     "Of sla het bonnetje op als PDF.").format(printer=name)
        if err.reason == "offline":
            return _("De printer {printer} staat uit of is niet bereikbaar. Zet de printer aan en print opnieuw."
                     ).format(printer=name)
        if err.reason == "out_of_paper":
            return _("Het papier in printer {printer} is op. Doe er nieuw papier in en print opnieuw."
                     ).format(printer=name)
        return _("De printer {printer} kon het bonnetje niet printen. Print opnieuw of sla het op als PDF."
                 ).format(printer=name)
    if isinstance(err, PrintError):
        return _("Het bonnetje kon niet worden gemaakt. Print opnieuw. Blijft het misgaan? Bel de helpdesk.")
    return None


def printer_setting_message(problem: BaseException, kind: str = "") -> str:
    """A printer setting that cannot be right (``printing.config.SettingProblem``), said beside the field."""
    code = getattr(problem, "code", "")
    if code == "empty":
        if kind == "escpos_usb":
            return _("Vul de USB-code van de printer in, bijvoorbeeld 04b8:0e15.")
        if kind == "escpos_network":
            return _("Vul het adres van de printer in, bijvoorbeeld 192.168.1.50 of 192.168.1.50:9100.")
        return _("Vul dit veld in.")
    if code == "control_character":
        return _("Hier staat een teken dat niet kan. Haal het weg en probeer opnieuw.")
    if code == "bad_host":
        return _("Dit adres klopt niet. Typ een IP-adres zoals 192.168.1.50 of een naam zoals bonprinter-1.")
    if code == "bad_port":
        return _("Het poortnummer na de dubbele punt klopt niet. Gebruik een getal van 1 tot 65535, meestal 9100.")
    if code == "bad_usb":
        return _("Deze USB-code klopt niet. Typ twee codes met een dubbele punt ertussen, zoals 04b8:0e15.")
    if code == "folder_missing":
        return _("Deze map bestaat niet. Kies een map die er al is.")
    if code == "not_a_folder":
        return _("Dit is een bestand, geen map. Kies een map.")
    if code == "folder_not_writable":
        return _("In deze map mag deze computer niets opslaan. Kies een andere map.")
    return _("Dit klopt niet. Kijk het na.")


def save_pdf_message(folder: str) -> str:
    """"Opslaan als PDF" could not write the file (no such folder, no rights, disk full)."""
    return _("Het PDF-bestand kon niet worden opgeslagen in de map {folder}. Kies een andere map en probeer "
             "opnieuw.").format(folder=folder)


# ---------------------------------------------------------------------------
# meldingen, callback notes and complaints
# ---------------------------------------------------------------------------
FIELD_NAMES.update({
    "description": "De omschrijving",
    "street": "De straat",
    "house_number": "Het huisnummer",
    "house_addition": "De toevoeging",
    "postcode": "De postcode",
    "place": "De plaats",
    "location_text": "De omschrijving van de plek",
    "reporter_name": "De naam van de melder",
    "category": "De categorie",
    "category_main": "De hoofdcategorie",
    "category_sub": "De subcategorie",
    "team": "Het team",
    "term_days": "De termijn",
    "channel": "Het kanaal",
    "urgency": "De urgentie",
    "photo": "De foto",
    "search": "De zoektekst",
    "subject": "Het onderwerp",
    "passed_to": "Het vak 'Doorgestuurd naar'",
    "caller_name": "De naam van de beller",
    "question": "De vraag",
    "for_team": "Voor welk team",
    "outcome": "De uitkomst",
    "reason": "De reden",
    "received_on": "De datum van ontvangst",
    "categories": "De lijst met categorieën",
    "target": "De nieuwe status",
})

MELDING_STATE_NAMES = {
    "gemeld": "gemeld",
    "in_behandeling": "in behandeling",
    "doorgezet": "doorgezet",
    "afgehandeld": "afgehandeld",
    "geannuleerd": "geannuleerd",
    "heropend": "heropend",
}


def _melding_validation_message(err: e.ValidationError, label: str) -> str | None:
    if err.field == "postcode" and err.code == "invalid":
        return _("De postcode klopt niet. Schrijf bijvoorbeeld 9919 AB.")
    if err.field == "house_number" and err.code == "invalid":
        return _("Het huisnummer klopt niet. Gebruik alleen cijfers, bijvoorbeeld 12. Zet een letter bij de toevoeging.")
    if err.field == "house_number" and err.code == "required":
        return _("Vul ook het huisnummer in, of haal de toevoeging weg.")
    if err.field == "house_addition" and err.code == "invalid":
        return _("De toevoeging klopt niet. Schrijf bijvoorbeeld A, 2 of bis.")
    if err.field == "street" and err.code == "required":
        return _("Vul de straat of de postcode in bij het huisnummer.")
    if err.field == "location" and err.code == "required":
        return _("Waar is het? Vul een adres in of beschrijf de plek, bijvoorbeeld: bij het bankje in het park.")
    if err.field == "coordinates":
        if err.code == "outside":
            return _("Deze plek ligt niet in Nederland. Kijk de coördinaten na, bijvoorbeeld 53,3312 en 6,7481.")
        if err.code == "swapped":
            return _("De breedte en de lengte zijn omgewisseld. De breedte is in Nederland ongeveer 51 tot 53,5.")
        if err.code == "both":
            return _("Vul de breedte en de lengte allebei in, of laat ze allebei leeg.")
        return _("De coördinaten kloppen niet. Schrijf een getal, bijvoorbeeld 53,3312 en 6,7481.")
    if err.field == "category" and err.code == "not_chosen":
        return _("Kies een categorie.")
    if err.field == "photo":
        if err.code == "too_large":
            return _("De foto is te groot. Een foto mag hoogstens {limit} MB zijn.").format(limit=err.limit)
        if err.code == "too_many":
            return _("Dat zijn te veel foto's. U kunt er hoogstens {limit} toevoegen.").format(limit=err.limit)
        if err.code == "not_an_image":
            return _("Dit bestand is geen foto. Kies een JPG-, PNG- of GIF-bestand.")
        return _("Deze foto kan niet. Kies een ander bestand.")
    if err.field == "for_whom":
        return _("Voor wie is de notitie? Vul een team in of kies een collega.")
    if err.field == "link" and err.code == "self":
        return _("Een melding kan niet aan zichzelf gekoppeld worden.")
    if err.field == "term_days":
        return _("De termijn is een aantal werkdagen, van 1 tot en met {limit}.").format(limit=err.limit or 260)
    if err.field == "categories" and err.code == "taken":
        return _("Een categorie staat twee keer in de lijst. Haal er een weg.")
    if err.field == "categories":
        return _("Dit bestand kunnen we niet lezen. Gebruik het voorbeeld: hoofd, sub, team en termijn.")
    if err.field in ("channel", "urgency", "target", "state", "result") and err.code == "invalid":
        return _("{field} klopt niet. Kies er een uit de lijst.").format(field=label)
    return None


def _melding_message(err: BaseException) -> str | None:
    if isinstance(err, e.MeldingTransitionRefused):
        return _("Melding {number} is {state}. Daarom kan de status niet naar {target}.").format(
            number=err.number, state=_(MELDING_STATE_NAMES.get(err.state, err.state)),
            target=_(MELDING_STATE_NAMES.get(err.target, err.target)))
    if isinstance(err, e.VisitContactExists):
        return _("Voor nummer {number} is het contact al vastgelegd.").format(number=display_number(err.ticket_number))
    if isinstance(err, e.ComplaintAlreadyExtended):
        return _("De termijn van klacht {number} is al een keer verlengd. Dat kan maar één keer.").format(
            number=err.number)
    if isinstance(err, e.RecordClosed):
        if err.kind == "callback":
            return _("Deze terugbelnotitie is al afgehandeld door een collega.")
        if err.state == "bevestigd":
            return _("De ontvangst van klacht {number} is al bevestigd.").format(number=err.number)
        return _("Klacht {number} is al afgehandeld.").format(number=err.number)
    return None


_TICKET_STATE_WORDS = {
    "called": "is al opgeroepen",
    "serving": "wordt al geholpen",
    "finished": "is al afgerond",
    "no_show": "staat op 'niet gekomen'",
    "cancelled": "is vervallen",
}


def _counter_floor_message(err: BaseException) -> str | None:
    """Calling a chosen number and 'Toch gekomen' (the counter's floor actions)."""
    if isinstance(err, e.TicketNotWaiting):
        number = display_number(err.ticket_number)
        if err.counter_name:
            return _("Nummer {number} is al opgeroepen door {counter}.").format(number=number,
                                                                               counter=err.counter_name)
        words = _TICKET_STATE_WORDS.get(err.state, "wacht niet meer")
        return _("Nummer {number} {words}. U kunt het niet oproepen.").format(number=number, words=_(words))
    if isinstance(err, e.TicketNotForCounter):
        return _("Nummer {number} is niet voor {counter}: uw balie doet die dienst niet. "
                 "Stuur het eerst door naar uw balie, of kies die dienst bij 'Mijn diensten'.").format(
            number=display_number(err.ticket_number), counter=err.counter_name)
    if isinstance(err, e.UndoTooLate):
        return _("Nummer {number} kan niet meer terug in de rij: dat kan tot {minutes} minuten na "
                 "'niet gekomen'. Geef de bezoeker een nieuw nummer.").format(
            number=display_number(err.ticket_number), minutes=err.minutes)
    return None
