"""The whole configuration as one TOML file: ``setup export`` and ``setup import``.

The municipality (name, colour, logo), its locations (address, contact, queue
rules, calendar choices, opening hours and dated exceptions), their services
(with their own hours and appointment settings), counters, the meldingen
categories and the people (without passwords). A municipality with several
locations, or its supplier, prepares it once and loads it.

An import is checked whole first and then applied in ONE transaction: a file
with any error is refused whole (:class:`SetupFileInvalid`, listing every
problem with its place, ``locatie[1].dienst[2].kleur``) and nothing changes.
Rows are matched by what people call them: a location by its name, a service by
its letter at its location, a counter by its name at its location, a category
by main and sub, a person by username. What the file names is created or
updated; what it does not name is left as it is (deactivate with
``actief = false``, never by leaving something out).

Keys are Dutch: the people who edit the file are the municipality's. See
docs/setup-file.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import math
import re
import tomllib
from collections import Counter as Tally
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from baliedesk.domain.appointments import clean_bring_list, validate_duration, validate_max_parallel
from baliedesk.domain.auth import SESSIONS_TOPIC
from baliedesk.domain.calendar import LiberationDay, parse_periods, periods_input_text
from baliedesk.domain.errors import DomainError, PeriodInsideOut, PeriodsOverlap, ValidationError
from baliedesk.domain.meldingen import clean_category
from baliedesk.domain.organisation import (
    LOGO_MAX_BYTES,
    ColorContrastTooLow,
    SetupFileInvalid,
    SetupProblem,
    logo_type,
    one_line,
)
from baliedesk.domain.permissions import Permission, Role
from baliedesk.services.common import acting_user
from baliedesk.services.organisation import (
    DEFAULT_COLOR,
    _bool,
    _int,
    counter_fields,
    location_fields,
    organisation_topic,
    readable_color,
    service_fields,
)
from baliedesk.services.organisation_dto import SetupImportReport
from baliedesk.services.ports import Backend, UnitOfWork
from baliedesk.services.queue import queue_topic
from baliedesk.services.schedules import DEFAULT_OPTIONS, NOTE_MAX_LENGTH, OPTION_LIMITS, schedule_topic
from baliedesk.services.setup import _user_fields

FORMAT = 1
#: A set-up file larger than this is refused unread (a logo is at most 512 kB, base64 a third more).
MAX_FILE_CHARS = 4_000_000
WEEKDAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")

TOP_KEYS = {"formaat", "gemeente", "locatie", "categorie", "persoon"}
MUNICIPALITY_KEYS = {"naam": "name", "kleur": "color", "logo_base64": "logo", "logo_bestand": "logo"}
LOCATION_KEYS = {
    "naam": "name", "tijdzone": "timezone", "straat": "street", "huisnummer": "house_number",
    "postcode": "postcode", "plaats": "place", "telefoon": "phone", "website": "website",
    "volgpagina": "tracking_base_url", "volgorde": "ordering_mode",
    "oproepen_tot_niet_verschenen": "no_show_after_recalls", "balie_weg_na_seconden": "counter_gone_after_s",
    "actief": "active",
}
LOCATION_TABLES = {"kalender", "openingstijden", "uitzondering", "dienst", "balie"}
CALENDAR_KEYS = {
    "goede_vrijdag": "good_friday", "bevrijdingsdag": "liberation_day",
    "kiosk_stopt_minuten_voor_sluiten": "kiosk_stop_minutes", "afspraken": "appointments_enabled",
    "inchecken_vroeg_minuten": "checkin_early_minutes", "inchecken_laat_minuten": "checkin_late_minutes",
}
SERVICE_KEYS = {
    "letter": "prefix", "naam": "name", "kleur": "color", "minuten": "expected_minutes", "inloop": "walk_in",
    "afspraken": "appointments", "gewicht": "weight", "volgorde": "sort_order", "actief": "active",
}
SERVICE_TABLES = {"openingstijden", "afspraak"}
APPOINTMENT_KEYS = {"duur_minuten": "duration_minutes", "max_tegelijk": "max_parallel", "neem_mee": "bring_list"}
EXCEPTION_KEYS = {"datum", "tijden", "notitie", "dienst"}
COUNTER_KEYS = {"naam": "name", "naam_in_hal": "display_name", "diensten": "services", "actief": "active"}
CATEGORY_KEYS = {"hoofd", "sub", "team", "termijn", "actief"}
PERSON_KEYS = {"gebruikersnaam", "naam", "rol", "actief"}


# ---------------------------------------------------------------------------
# the plan: a checked file, before anything is written
# ---------------------------------------------------------------------------
@dataclass
class _ServicePlan:
    place: str
    fields: dict[str, Any]
    hours: list[tuple[int, int, int]] | None = None  # None: not in the file (left as it is)
    appointment: dict[str, Any] | None = None


@dataclass
class _LocationPlan:
    place: str
    fields: dict[str, Any]
    calendar: dict[str, Any] = field(default_factory=dict)
    hours: list[tuple[int, int, int]] | None = None
    exceptions: list[tuple[str, dt.date, tuple[tuple[int, int], ...], str, str | None]] = field(default_factory=list)
    services: list[_ServicePlan] = field(default_factory=list)
    counters: list[tuple[str, dict[str, Any], list[str] | None]] = field(default_factory=list)


@dataclass
class _Plan:
    municipality: dict[str, Any] | None = None
    locations: list[_LocationPlan] = field(default_factory=list)
    categories: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    people: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


_BAD = object()


class _Checker:
    def __init__(self) -> None:
        self.problems: list[SetupProblem] = []

    def add(self, place: str, code: str, limit: int | float | None = None) -> None:
        if len(self.problems) < 200:  # a hostile file gets a list, not a flood
            self.problems.append(SetupProblem(place, code, limit))

    def run(self, place: str, fn: Callable[..., Any], /, *args: Any, keys: dict[str, str] | None = None,
            **kwargs: Any) -> Any:
        """``fn``'s result, or _BAD with the problem noted; ``keys`` maps the error's field to the file's key."""
        try:
            return fn(*args, **kwargs)
        except ValidationError as exc:
            key = (keys or {}).get(exc.field)
            self.add(f"{place}.{key}" if key else place, exc.code, exc.limit)
        except ColorContrastTooLow as exc:
            self.add(place, "contrast", exc.minimum)
        except PeriodInsideOut:
            self.add(place, "period_inside_out")
        except PeriodsOverlap:
            self.add(place, "periods_overlap")
        except DomainError:
            self.add(place, "invalid")
        return _BAD

    def table(self, value: object, place: str, allowed: set[str] | dict[str, str]) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(place, "not_a_table")
            return None
        for key in value:
            if key not in allowed:
                self.add(f"{place}.{key}", "unknown_key")
        return value

    def tables(self, value: object, place: str) -> list[Any]:
        """An array of tables (``[[locatie]]``); absent: none."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(place, "not_a_list")
            return []
        return value


def _str_list(value: object) -> list[str]:
    if not isinstance(value, list) or any(not isinstance(x, str) for x in value):
        raise ValidationError("list", "invalid")
    return list(value)


def _hours(check: _Checker, value: object, place: str) -> list[tuple[int, int, int]] | None:
    table = check.table(value, place, set(WEEKDAYS))
    if table is None:
        return None
    rows: list[tuple[int, int, int]] = []
    for weekday, name in enumerate(WEEKDAYS):
        if name not in table:
            continue
        text = table[name]
        if isinstance(text, list) and all(isinstance(x, str) for x in text):
            text = ", ".join(text)
        if not isinstance(text, str):
            check.add(f"{place}.{name}", "invalid")
            continue
        periods = check.run(f"{place}.{name}", parse_periods, text, weekday=weekday)
        if periods is not _BAD:
            rows.extend((weekday, p.start, p.end) for p in periods)
    return rows


def _fields(check: _Checker, table: dict[str, Any], keys: dict[str, str], place: str,
            validate: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for dutch, internal in keys.items():
        if dutch in table:
            value = table[dutch]
            checked = check.run(f"{place}.{dutch}", validate, **{internal: value})
            if checked is not _BAD:
                out.update(checked)
    return out


def _calendar_field(key: str, value: object) -> Any:
    if isinstance(DEFAULT_OPTIONS[key], bool):
        return _bool(value, key)
    if key == "liberation_day":
        try:
            return LiberationDay(value).value
        except ValueError:
            raise ValidationError(key, "invalid") from None
    return _int(value, key, 0, OPTION_LIMITS[key])


def _day(value: object) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError("datum", "invalid")


def _max_parallel(value: object) -> int | None:
    return None if value == 0 and not isinstance(value, bool) else validate_max_parallel(value)


def _bring(value: object) -> str:
    if not isinstance(value, list) or any(not isinstance(x, str) for x in value):
        raise ValidationError("bring", "invalid")
    return "\n".join(clean_bring_list(value))


def _appointment(check: _Checker, value: object, place: str) -> dict[str, Any] | None:
    """The rules of the admin window's appointments tab (domain/appointments.py)."""
    table = check.table(value, place, APPOINTMENT_KEYS)
    if table is None:
        return None
    out: dict[str, Any] = {}
    for dutch, (key, validate) in {"duur_minuten": ("duration_minutes", validate_duration),
                                   "max_tegelijk": ("max_parallel", _max_parallel),
                                   "neem_mee": ("bring_list", _bring)}.items():
        if dutch in table:
            v = check.run(f"{place}.{dutch}", validate, table[dutch])
            if v is not _BAD:
                out[key] = v
    return out


def _check_location(check: _Checker, raw: object, place: str) -> _LocationPlan | None:
    table = check.table(raw, place, {**LOCATION_KEYS, **{k: k for k in LOCATION_TABLES}})
    if table is None:
        return None
    if "naam" not in table:
        check.add(f"{place}.naam", "required")
    plan = _LocationPlan(place, _fields(check, table, LOCATION_KEYS, place, location_fields))
    if "kalender" in table:
        cal = check.table(table["kalender"], f"{place}.kalender", CALENDAR_KEYS)
        for dutch, key in CALENDAR_KEYS.items():
            if cal is not None and dutch in cal:
                v = check.run(f"{place}.kalender.{dutch}", _calendar_field, key, cal[dutch])
                if v is not _BAD:
                    plan.calendar[key] = v
    if "openingstijden" in table:
        plan.hours = _hours(check, table["openingstijden"], f"{place}.openingstijden")
    prefixes: set[str] = set()
    for i, raw_service in enumerate(check.tables(table.get("dienst"), f"{place}.dienst"), 1):
        sp = f"{place}.dienst[{i}]"
        st = check.table(raw_service, sp, {**SERVICE_KEYS, **{k: k for k in SERVICE_TABLES}})
        if st is None:
            continue
        if "letter" not in st or "naam" not in st:
            check.add(f"{sp}.{'letter' if 'letter' not in st else 'naam'}", "required")
        service = _ServicePlan(sp, _fields(check, st, SERVICE_KEYS, sp, service_fields))
        prefix = service.fields.get("prefix")
        if prefix in prefixes:
            check.add(f"{sp}.letter", "taken")
        prefixes.add(prefix)
        if "openingstijden" in st:
            service.hours = _hours(check, st["openingstijden"], f"{sp}.openingstijden")
        if "afspraak" in st:
            service.appointment = _appointment(check, st["afspraak"], f"{sp}.afspraak")
        plan.services.append(service)
    for i, raw_exc in enumerate(check.tables(table.get("uitzondering"), f"{place}.uitzondering"), 1):
        ep = f"{place}.uitzondering[{i}]"
        et = check.table(raw_exc, ep, EXCEPTION_KEYS)
        if et is None:
            continue
        day = check.run(f"{ep}.datum", _day, et.get("datum"))
        times = et.get("tijden", "")
        if isinstance(times, list) and all(isinstance(x, str) for x in times):
            times = ", ".join(times)
        if isinstance(times, str):
            periods = check.run(f"{ep}.tijden", parse_periods, times, day=day if isinstance(day, dt.date) else None)
        else:
            check.add(f"{ep}.tijden", "invalid")
            periods = _BAD
        note = check.run(f"{ep}.notitie", one_line, et.get("notitie", ""), field="notitie",
                         max_length=NOTE_MAX_LENGTH)
        service_prefix = et.get("dienst")
        if service_prefix is not None and not isinstance(service_prefix, str):
            check.add(f"{ep}.dienst", "invalid")
            service_prefix = _BAD
        if _BAD not in (day, periods, note, service_prefix):
            plan.exceptions.append((ep, day, tuple((p.start, p.end) for p in periods), note,
                                    service_prefix.strip().upper() if service_prefix else None))
    names: set[str] = set()
    for i, raw_counter in enumerate(check.tables(table.get("balie"), f"{place}.balie"), 1):
        cp = f"{place}.balie[{i}]"
        ct = check.table(raw_counter, cp, COUNTER_KEYS)
        if ct is None:
            continue
        if "naam" not in ct:
            check.add(f"{cp}.naam", "required")
        fields = _fields(check, ct, {k: v for k, v in COUNTER_KEYS.items() if k != "diensten"}, cp, counter_fields)
        if fields.get("name") in names:
            check.add(f"{cp}.naam", "taken")
        names.add(fields.get("name"))
        services = None
        if "diensten" in ct:
            services = check.run(f"{cp}.diensten", _str_list, ct["diensten"])
            services = None if services is _BAD else [s.strip().upper() for s in services]
        plan.counters.append((cp, fields, services))
    return plan


def check_file(text: object, files: Mapping[str, bytes] | None = None) -> _Plan:
    """Read and check a set-up file without a database; :class:`SetupFileInvalid` lists every problem.

    ``files``: the contents of files the set-up file names (``gemeente.logo_bestand``), by that name."""
    check = _Checker()
    if not isinstance(text, str):
        raise SetupFileInvalid((SetupProblem("bestand", "not_toml"),))
    if len(text) > MAX_FILE_CHARS:
        raise SetupFileInvalid((SetupProblem("bestand", "too_long", MAX_FILE_CHARS),))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        raise SetupFileInvalid((SetupProblem(f"regel {line.group(1)}" if line else "bestand", "not_toml"),)) \
            from None
    except (RecursionError, MemoryError, ValueError, UnicodeError):
        raise SetupFileInvalid((SetupProblem("bestand", "not_toml"),)) from None
    for key in data:
        if key not in TOP_KEYS:
            check.add(key, "unknown_key")
    if data.get("formaat", FORMAT) != FORMAT:
        check.add("formaat", "invalid", FORMAT)
    plan = _Plan()
    if "gemeente" in data:
        table = check.table(data["gemeente"], "gemeente", MUNICIPALITY_KEYS)
        if table is not None:
            plan.municipality = {}
            if "naam" in table:
                v = check.run("gemeente.naam", one_line, table["naam"], field="naam", max_length=120, required=True)
                if v is not _BAD:
                    plan.municipality["name"] = v
            if "kleur" in table:
                v = check.run("gemeente.kleur", readable_color, table["kleur"])
                if v is not _BAD:
                    plan.municipality["color"] = v
            if "logo_base64" in table:
                v = check.run("gemeente.logo_base64", _logo, table["logo_base64"])
                if v is not _BAD:
                    plan.municipality["logo"] = v
            if "logo_bestand" in table:
                name = table["logo_bestand"]
                content = (files or {}).get(name) if isinstance(name, str) else None
                if not isinstance(name, str):
                    check.add("gemeente.logo_bestand", "invalid")
                elif content is None:
                    check.add("gemeente.logo_bestand", "file_not_found")
                elif check.run("gemeente.logo_bestand", logo_type, content) is not _BAD:
                    plan.municipality["logo"] = bytes(content)
    location_names: set[str] = set()
    for i, raw in enumerate(check.tables(data.get("locatie"), "locatie"), 1):
        loc = _check_location(check, raw, f"locatie[{i}]")
        if loc is None:
            continue
        name = str(loc.fields.get("name", "")).casefold()
        if name and name in location_names:
            check.add(f"locatie[{i}].naam", "taken")
        location_names.add(name)
        plan.locations.append(loc)
    seen_categories: set[tuple[str, str]] = set()
    for i, raw in enumerate(check.tables(data.get("categorie"), "categorie"), 1):
        place = f"categorie[{i}]"
        table = check.table(raw, place, CATEGORY_KEYS)
        if table is None:
            continue
        d = check.run(place, clean_category, table.get("hoofd"), table.get("sub"), table.get("team"),
                      table.get("termijn"), keys={"category_main": "hoofd", "category_sub": "sub", "team": "team",
                                                  "term_days": "termijn"})
        active = check.run(f"{place}.actief", _bool, table.get("actief", True), "actief")
        if d is _BAD or active is _BAD:
            continue
        key = (d.main.casefold(), d.sub.casefold())
        if key in seen_categories:
            check.add(f"{place}.sub", "taken")
        seen_categories.add(key)
        plan.categories.append((place, {"main": d.main, "sub": d.sub, "team": d.team, "term_days": d.term_days,
                                        "active": active, "sort_order": i - 1}))
    usernames: set[str] = set()
    for i, raw in enumerate(check.tables(data.get("persoon"), "persoon"), 1):
        place = f"persoon[{i}]"
        table = check.table(raw, place, PERSON_KEYS)
        if table is None:
            continue
        fields = check.run(place, _person, table, keys={"username": "gebruikersnaam", "display_name": "naam",
                                                        "naam": "naam", "role": "rol", "rol": "rol",
                                                        "gebruikersnaam": "gebruikersnaam", "actief": "actief"})
        if fields is _BAD:
            continue
        if fields["username"] in usernames:
            check.add(f"{place}.gebruikersnaam", "taken")
        usernames.add(fields["username"])
        plan.people.append((place, fields))
    if check.problems:
        raise SetupFileInvalid(tuple(check.problems))
    return plan


def _logo(value: object) -> bytes:
    if not isinstance(value, str):
        raise ValidationError("logo", "invalid")
    if len(value) > LOGO_MAX_BYTES * 4 // 3 + 8:
        raise ValidationError("logo", "too_long", LOGO_MAX_BYTES)
    try:
        data = base64.b64decode("".join(value.split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError("logo", "invalid") from None
    logo_type(data)
    return data


def _person(table: dict[str, Any]) -> dict[str, Any]:
    for key in ("gebruikersnaam", "naam", "rol"):
        if not isinstance(table.get(key), str):
            raise ValidationError(key, "required" if key not in table else "invalid")
    fields = _user_fields(table["gebruikersnaam"], table["naam"], table["rol"])
    fields["display_name"] = one_line(fields["display_name"], field="naam", max_length=120, required=True)
    fields["active"] = _bool(table.get("actief", True), "actief")
    return fields


# ---------------------------------------------------------------------------
# import: apply the plan in one transaction
# ---------------------------------------------------------------------------
def import_setup(backend: Backend, user_id: int | None, text: str, now: dt.datetime, *,
                 dry_run: bool = False, files: Mapping[str, bytes] | None = None) -> SetupImportReport:
    """Check ``text`` whole and apply it in one transaction, or change nothing.

    ``user_id`` None: only on an empty database (no people yet), and the file must
    then name an active beheerder: the first one. ``dry_run``: everything is checked
    and tried, then rolled back. ``files``: the logo file the set-up file names
    (``gemeente.logo_bestand``), read by the caller, by that name. Refusals: :class:`SetupFileInvalid` (every problem
    with its place), :class:`PermissionDenied` (configure; meldingen categories need
    manage_meldingen too).
    """
    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise ValidationError("now", "naive_datetime")
    plan = check_file(text, files)
    created: Tally[str] = Tally()
    updated: Tally[str] = Tally()
    problems: list[SetupProblem] = []
    first_admin = None
    with backend.unit_of_work(write=True) as uow:
        # Two imports at once (two first starts of a central database): one waits for the other,
        # then sees its result (PostgreSQL: a table lock; SQLite: BEGIN IMMEDIATE already did it).
        uow.meldingen.lock_categories()
        if user_id is None:
            if uow.directory.count_users():
                raise ValidationError("database", "already_set_up")
            admins = [f["username"] for _, f in plan.people if f["role"] == Role.ADMIN.value and f["active"]]
            if not admins:
                raise SetupFileInvalid((SetupProblem("persoon", "first_admin_required"),))
            first_admin = admins[0]
        else:
            actor = acting_user(uow, user_id, Permission.CONFIGURE)
            if plan.categories:
                acting_user(uow, actor.id, Permission.MANAGE_MELDINGEN)
        _apply_municipality(uow, plan, now, created, updated)
        for loc in plan.locations:
            _apply_location(uow, loc, created, updated, problems)
        uow.flush()
        _apply_people(uow, plan, created, updated)  # after the locations: new people work there
        if plan.categories:
            for _place, fields in plan.categories:
                row = uow.meldingen.category_by_name(fields["main"], fields["sub"])
                if row is None:
                    uow.meldingen.add_category(**fields)
                    created["category"] += 1
                else:
                    for key, value in fields.items():
                        setattr(row, key, value)
                    updated["category"] += 1
        if not any(u.active and u.role == Role.ADMIN.value for u in uow.directory.users()):
            problems.append(SetupProblem("persoon", "no_active_admin"))
        if problems:
            raise SetupFileInvalid(tuple(problems))
        uow.flush()
        uow.changed(organisation_topic())
        for loc in uow.directory.locations():
            uow.changed(queue_topic(loc.id))
            uow.changed(schedule_topic(loc.id))
        if not dry_run:
            uow.commit()
    return SetupImportReport(dry_run, tuple(sorted(created.items())), tuple(sorted(updated.items())), first_admin)


def _apply_people(uow: UnitOfWork, plan: _Plan, created: Tally[str], updated: Tally[str]) -> None:
    from baliedesk.domain.permissions import ALL_LOCATION_ROLES

    for _place, fields in plan.people:
        row = uow.directory.user_by_name(fields["username"])
        if row is None:
            row = uow.directory.create("user", **fields)
            uow.flush()
            # Where they work: a beheerder (and the privacy officer) every location; anyone
            # else the municipality's locations as the file leaves them (the admin's "Mensen"
            # narrows it down later).
            everywhere = Role(fields["role"]) in ALL_LOCATION_ROLES
            uow.privacy.set_user_locations(row.id, [None] if everywhere else
                                           [loc.id for loc in uow.directory.locations()])
            created["person"] += 1
        else:
            if row.active and not fields["active"]:
                uow.changed(SESSIONS_TOPIC)  # the person's sessions stop holding (resolve_session checks it)
            row.display_name, row.role, row.active = fields["display_name"], fields["role"], fields["active"]
            updated["person"] += 1


def _apply_municipality(uow: UnitOfWork, plan: _Plan, now: dt.datetime, created: Tally[str],
                        updated: Tally[str]) -> None:
    if plan.municipality is None:
        return
    existed = uow.organisation.municipality() is not None
    row = uow.organisation.municipality_for_update()
    for key, value in plan.municipality.items():
        setattr(row, key, value)
    if "logo" in plan.municipality:
        row.logo_type = logo_type(plan.municipality["logo"])
    row.updated_at = now.astimezone(dt.UTC)
    (updated if existed else created)["municipality"] += 1


def _apply_location(uow: UnitOfWork, plan: _LocationPlan, created: Tally[str], updated: Tally[str],
                    problems: list[SetupProblem]) -> None:
    name = plan.fields["name"]
    loc = next((x for x in uow.directory.locations() if x.name.casefold() == name.casefold()), None)
    if loc is None:
        loc = uow.directory.create("location", **{"active": True, **plan.fields})
        created["location"] += 1
    else:
        for key, value in plan.fields.items():
            setattr(loc, key, value)
        updated["location"] += 1
    if plan.calendar:
        row = uow.schedules.calendar_for_update(loc.id)
        for key, value in plan.calendar.items():
            setattr(row, key, value)
    if plan.hours is not None:
        uow.schedules.replace_periods(loc.id, None, plan.hours)
    services = {s.prefix: s for s in uow.directory.services(loc.id)}
    for sp in plan.services:
        row = services.get(sp.fields["prefix"])
        if row is None:
            row = uow.directory.create("service", **{"location_id": loc.id, "active": True, **sp.fields})
            services[row.prefix] = row
            created["service"] += 1
        else:
            for key, value in sp.fields.items():
                setattr(row, key, value)
            updated["service"] += 1
        if sp.appointment:
            settings = uow.schedules.service_settings_for_update(row.id)
            for key, value in sp.appointment.items():
                setattr(settings, key, value)
    uow.flush()
    has_location_hours = any(r.service_id is None for r in uow.schedules.periods(loc.id))
    for sp in plan.services:
        if sp.hours is None:
            continue
        if sp.hours and not has_location_hours:
            problems.append(SetupProblem(f"{sp.place}.openingstijden", "no_location_hours"))
            continue
        uow.schedules.replace_periods(loc.id, services[sp.fields["prefix"]].id, sp.hours)
    for place, day, periods, note, prefix in plan.exceptions:
        if prefix is not None and prefix not in services:
            problems.append(SetupProblem(f"{place}.dienst", "unknown_service"))
            continue
        uow.schedules.put_exception(loc.id, services[prefix].id if prefix else None, day, periods, note)
    counters = {c.name: c for c in uow.directory.counters(loc.id)}
    for place, fields, prefixes in plan.counters:
        row = counters.get(fields["name"])
        if row is None:
            row = uow.directory.create("counter", **{"location_id": loc.id, "active": True,
                                                     "display_name": fields["name"], **fields})
            counters[row.name] = row
            created["counter"] += 1
        else:
            for key, value in fields.items():
                setattr(row, key, value)
            updated["counter"] += 1
        if prefixes is not None:
            missing = [p for p in prefixes if p not in services]
            if missing:
                problems.append(SetupProblem(f"{place}.diensten", "unknown_service"))
                continue
            uow.directory.set_counter_service_ids(row.id, [services[p].id for p in prefixes])


# ---------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------
def _hours_table(rows: list[tuple[int, int, int]]) -> dict[str, str]:
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in rows:
        by_day.setdefault(weekday, []).append((start, end))
    return {WEEKDAYS[wd]: periods_input_text(sorted(ps)) for wd, ps in sorted(by_day.items())}


def export_setup(backend: Backend, user_id: int) -> str:
    """The whole configuration as TOML (what :func:`import_setup` reads). People without passwords."""
    with backend.unit_of_work() as uow:
        actor = acting_user(uow, user_id, Permission.CONFIGURE)
        data: dict[str, Any] = {"formaat": FORMAT}
        muni = uow.organisation.municipality()
        if muni is not None and muni.name:
            data["gemeente"] = {"naam": muni.name, "kleur": muni.color or DEFAULT_COLOR}
            if muni.logo:
                data["gemeente"]["logo_base64"] = base64.b64encode(bytes(muni.logo)).decode("ascii")
        data["locatie"] = [_export_location(uow, loc) for loc in uow.directory.locations()]
        try:
            acting_user(uow, actor.id, Permission.MANAGE_MELDINGEN)
            data["categorie"] = [{"hoofd": c.main, "sub": c.sub, "team": c.team, "termijn": c.term_days,
                                  "actief": bool(c.active)} for c in uow.meldingen.categories()]
        except DomainError:
            pass  # who may not manage categories exports none
        data["persoon"] = [{"gebruikersnaam": u.username, "naam": u.display_name, "rol": u.role,
                            "actief": bool(u.active)} for u in sorted(uow.directory.users(), key=lambda u: u.id)]
        return ("# BalieDesk: de inrichting van de gemeente (python -m baliedesk setup import BESTAND).\n"
                "# Wachtwoorden staan hier nooit in.\n\n" + dumps(data))


def _export_location(uow: UnitOfWork, loc: Any) -> dict[str, Any]:
    out: dict[str, Any] = {dutch: getattr(loc, internal) for dutch, internal in LOCATION_KEYS.items()}
    out["actief"] = bool(loc.active)
    cal = uow.schedules.calendar(loc.id)
    out["kalender"] = {dutch: (getattr(cal, key) if cal is not None else DEFAULT_OPTIONS[key])
                       for dutch, key in CALENDAR_KEYS.items()}
    periods = uow.schedules.periods(loc.id)
    services = uow.directory.services(loc.id)
    by_id = {s.id: s for s in services}
    out["openingstijden"] = _hours_table([(p.weekday, p.start_minute, p.end_minute)
                                          for p in periods if p.service_id is None])
    exceptions = []
    for e in sorted(uow.schedules.exceptions(loc.id), key=lambda e: (e.day, e.service_id or 0)):
        item: dict[str, Any] = {"datum": e.day, "tijden": periods_input_text([tuple(p) for p in e.periods]),
                                "notitie": e.note or ""}
        if e.service_id is not None:
            item["dienst"] = by_id[e.service_id].prefix
        exceptions.append(item)
    out["uitzondering"] = exceptions
    settings = uow.schedules.service_settings([s.id for s in services])
    out["dienst"] = []
    for s in services:
        item = {dutch: getattr(s, internal) for dutch, internal in SERVICE_KEYS.items()}
        own = [(p.weekday, p.start_minute, p.end_minute) for p in periods if p.service_id == s.id]
        if own:
            item["openingstijden"] = _hours_table(own)
        row = settings.get(s.id)
        if row is not None:
            item["afspraak"] = {"duur_minuten": row.duration_minutes, "max_tegelijk": row.max_parallel or 0,
                                "neem_mee": [x.strip() for x in (row.bring_list or "").splitlines() if x.strip()]}
        out["dienst"].append(item)
    links = uow.directory.all_counter_service_ids(loc.id)
    out["balie"] = [{"naam": c.name, "naam_in_hal": c.display_name, "actief": bool(c.active),
                     "diensten": sorted(by_id[sid].prefix for sid in links.get(c.id, []) if sid in by_id)}
                    for c in uow.directory.counters(loc.id)]
    return out


# ---------------------------------------------------------------------------
# a small TOML writer (tomllib only reads)
# ---------------------------------------------------------------------------
_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_key(k)} = {_scalar(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no TOML for {type(value).__name__}")


def _is_table_array(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def dumps(data: dict[str, Any]) -> str:
    """``data`` as TOML: plain values first, then ``[tables]`` and ``[[arrays of tables]]``."""
    lines: list[str] = []

    def table(prefix: str, d: dict[str, Any]) -> None:
        for k, v in d.items():
            if not isinstance(v, dict) and not _is_table_array(v):
                lines.append(f"{_key(k)} = {_scalar(v)}")
        for k, v in d.items():
            path = f"{prefix}{_key(k)}"
            if isinstance(v, dict):
                lines.extend(("", f"[{path}]"))
                table(path + ".", v)
            elif _is_table_array(v):
                for item in v:
                    lines.extend(("", f"[[{path}]]"))
                    table(path + ".", item)

    table("", data)
    return "\n".join(lines).lstrip("\n") + "\n"


def referenced_files(text: str) -> tuple[str, ...]:
    """The file names a set-up file refers to (``gemeente.logo_bestand``), for the caller to read;
    () when the text is not TOML (:func:`import_setup` then says so)."""
    try:
        data = tomllib.loads(text) if isinstance(text, str) and len(text) <= MAX_FILE_CHARS else {}
    except (tomllib.TOMLDecodeError, RecursionError, MemoryError, ValueError, UnicodeError):
        return ()
    municipality = data.get("gemeente")
    name = municipality.get("logo_bestand") if isinstance(municipality, dict) else None
    return (name,) if isinstance(name, str) and name else ()


# ---------------------------------------------------------------------------
# the first-run assistant: an empty database set up in one go, before anyone exists to sign in
# ---------------------------------------------------------------------------
def first_run(backend: Backend, text: str, now: dt.datetime, *, admin_username: str = "",
              admin_password: str | None = None, dry_run: bool = False) -> SetupImportReport:
    """Set up an EMPTY database from a set-up file (the first-run assistant's one save).

    Needs no acting person: it is refused (``ValidationError("database",
    "already_set_up")``) as soon as the database holds a person or a location, also
    on the server. ``text`` is a set-up file (:func:`import_setup` with no user) and
    must name ``admin_username`` as an active beheerder; that person gets
    ``admin_password`` (typed by them, so no forced change; checked against the
    password policy). ``dry_run``: everything is checked and tried, nothing saved
    (the assistant checks each step this way; ``admin_password`` None skips the
    password and the beheerder's name).
    """
    from baliedesk.domain.auth import check_password_policy
    from baliedesk.services import auth

    if not isinstance(now, dt.datetime) or now.tzinfo is None:
        raise ValidationError("now", "naive_datetime")
    with backend.unit_of_work() as uow:
        if uow.directory.count_users() or uow.directory.locations():
            raise ValidationError("database", "already_set_up")
    password_hash = None
    if admin_password is not None or not dry_run:
        username = _user_fields(admin_username, "x", Role.ADMIN)["username"]
        password = check_password_policy(admin_password if admin_password is not None else "", username)
        admins = [f["username"] for _, f in check_file(text).people if f["role"] == Role.ADMIN.value and f["active"]]
        if admins[:1] != [username]:  # the file's first active beheerder is the one who typed the password
            raise SetupFileInvalid((SetupProblem("persoon", "first_admin_required"),))
        if not dry_run:
            password_hash = auth.hasher().hash(password)
    try:
        report = import_setup(backend, None, text, now, dry_run=dry_run)
    except SetupFileInvalid as err:
        if admin_password is None and dry_run:  # a step before the beheerder's: only the others count
            rest = tuple(p for p in err.problems if p.code not in ("first_admin_required", "no_active_admin"))
            if not rest:
                return SetupImportReport(True, (), (), None)
            raise SetupFileInvalid(rest) from None
        raise
    if password_hash is None:
        return report
    with backend.unit_of_work(write=True) as uow:
        user = uow.directory.user_by_name(username)
        uow.auth.set_credential(user.id, password_hash, False, now)
        uow.commit()
    return report
