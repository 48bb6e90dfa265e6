"""Issue 14, case 7: values that crashed or were stored wrong are refused with typed errors
(ValidationError with field and code, worded in Dutch), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from baliedesk.domain.errors import DomainError, ValidationError
from baliedesk.domain.validation import clean_name, clean_text
from baliedesk.services import appointments, contacts, meldingen, queue, schedules, setup

NESTED_TOML = "categorie = " + "[" * 5000 + "]" * 5000


@pytest.fixture
def cats(backend, seeded):
    return {c.label: c for c in meldingen.list_categories(backend, seeded.users["anne"])}


def _refused(call, field: str | None = None) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        call()
    if field is not None:
        assert info.value.field == field
    return info.value


def test_work_list_team_with_nul_or_surrogate_is_refused(backend, seeded, now):
    anne = seeded.users["anne"]
    for team in ("a\x00b", "\ud800", "a\u202eb"):
        _refused(lambda team=team: meldingen.work_list(backend, anne, seeded.location_id, now, team=team), "team")


def test_nested_toml_is_refused(backend, seeded):
    _refused(lambda: meldingen.import_categories(backend, seeded.users["beheer"], NESTED_TOML), "categories")


def test_finish_with_an_unknown_outcome_is_refused(backend, seeded, now):
    anne, counter = seeded.users["anne"], seeded.counters["Balie 1"]
    queue.sign_in(backend, anne, counter, now)
    queue.issue_ticket(backend, seeded.users["kiosk-ingang"], seeded.services["A"], now)
    t = queue.call_next(backend, anne, counter, now)
    _refused(lambda: queue.finish(backend, anne, counter, t.id, now, outcome="weg"), "outcome")


def test_huge_latitude_is_refused(backend, seeded, now, cats):
    _refused(lambda: meldingen.take_melding(
        backend, seeded.users["anne"], seeded.location_id, now, category_id=cats["Wegen > Losliggende tegel"].id,
        description="Tegel los", channel="balie", latitude=10**400, longitude=6.7), "coordinates")


def test_dates_at_the_end_of_time_are_refused(backend, seeded, now):
    admin = seeded.users["beheer"]
    _refused(lambda: schedules.calendar_view(backend, admin, seeded.location_id, dt.date.max), "start")
    _refused(lambda: appointments.available_slots(backend, admin, seeded.services["A"], now, dt.date.max),
             "start_day")
    late = dt.datetime(9999, 12, 31, 23, 50, tzinfo=dt.UTC)
    _refused(lambda: appointments.book(backend, admin, seeded.services["A"], late, now, name="Jan",
                                       phone="0612345678"), "start")
    _refused(lambda: queue.call_next(backend, seeded.users["anne"], seeded.counters["Balie 1"], late), "now")


def test_a_date_as_text_is_refused(backend, seeded, now):
    _refused(lambda: appointments.day_overview(backend, seeded.users["beheer"], seeded.location_id, now,
                                               day="2026-02-30"), "day")


def test_email_with_a_newline_is_refused(backend, seeded, now):
    _refused(lambda: contacts.register_complaint(
        backend, seeded.users["anne"], seeded.location_id, now, name="Jan", subject="Wachttijd",
        description="Te lang", channel="balie", email="jan\n@example.nl"), "email")


def test_service_colour_with_a_newline_is_refused(backend, seeded):
    _refused(lambda: setup.create_service(backend, seeded.users["beheer"], seeded.location_id, "Q", "Nieuw",
                                          color="#123456\n"), "color")


@pytest.mark.parametrize("blank", ["\u200b", "\ufeff", " \u200b\ufeff ", "\u2060"])
def test_required_field_of_invisible_characters_is_refused(backend, seeded, now, blank):
    err = _refused(lambda: contacts.write_callback(
        backend, seeded.users["anne"], seeded.location_id, now, caller_name=blank, phone="0612345678",
        question="Bel terug", for_team="Burgerzaken"), "caller_name")
    assert err.code == "required"


@pytest.mark.parametrize("field", ["caller_name", "for_team"])
def test_line_separator_in_one_line_fields_is_refused(backend, seeded, now, field):
    kwargs = dict(caller_name="Jan", phone="0612345678", question="Bel terug", for_team="Burgerzaken")
    kwargs[field] = "Jan\u2028Piet"
    _refused(lambda: contacts.write_callback(backend, seeded.users["anne"], seeded.location_id, now, **kwargs),
             field)


def test_direction_override_anywhere_is_refused(backend, seeded, now):
    _refused(lambda: contacts.write_callback(
        backend, seeded.users["anne"], seeded.location_id, now, caller_name="Jan", phone="0612345678",
        question="Bel \u202eterug", for_team="Burgerzaken"), "question")


def test_domain_rules_once():
    from baliedesk.domain.validation import safe_display_text

    with pytest.raises(ValidationError):
        clean_name("a\u2029b", field="name")
    with pytest.raises(ValidationError):
        clean_text("\u200b", field="x", max_length=10, required=True)
    assert clean_text("שלום עולם", field="x", max_length=20) == "שלום עולם"  # right-to-left script is fine
    assert safe_display_text("A\u202eB\x00C\ud800") == "ABC"


def test_new_errors_have_dutch_words():
    from baliedesk.domain import errors as e
    from baliedesk.domain.error_texts import robust_error_text, validation_text

    assert "e-mailadres" in validation_text(ValidationError("email", "invalid")).lower()
    assert "team" in validation_text(ValidationError("team", "control_character")).lower()
    assert "beschadigd" in robust_error_text(e.DatabaseCorrupt("x"))
    # after a save that failed nothing tries again by itself: the words must not promise it
    for err in (e.DatabaseUnavailable("x", "timeout"), e.DatabaseUnavailable("x", "lost"), e.StorageUnavailable()):
        assert "Wat u typte, blijft staan" in robust_error_text(err)
        assert "Probeer het zo nog eens" in robust_error_text(err)
        assert "elke 5 seconden" not in robust_error_text(err)
    assert "Probeer het nog eens" in robust_error_text(e.RequestTooLate("issue_ticket", 5.0))
    for err in (e.DatabaseReadOnly(), e.SchemaTooNew("9999"), e.DataFolderNotWritable("/x"), e.StorageUnavailable()):
        assert robust_error_text(err)
    assert robust_error_text(DomainError()) is None
    assert not e.DatabaseCorrupt().temporary and e.DatabaseUnavailable().temporary


# ---------------------------------------------------------------------------
# settings.json
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("content", [
    '{"heartbeat_s": 1e400}',
    '{"heartbeat_s": "veel"}',
    '{"heartbeat_s": [1, 2]}',
    '{"display_chime": "nee"}',
    '{"location_id": -1e400}',
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 50_000 + "1" + "}" * 50_000,
    "\xff\xfe garbage",
    '{"database_url": 5, "counter_id": true}',
])
def test_hostile_settings_fall_back_to_defaults(tmp_path, content, caplog):
    from baliedesk.settings import OPTIONS, Settings

    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8", errors="surrogateescape")
    s = Settings(path)
    for key, option in OPTIONS.items():
        value = s[key]
        assert isinstance(value, option.type)
    assert s["heartbeat_s"] == 30


def test_a_settings_value_that_is_wrong_is_logged(tmp_path, caplog):
    from baliedesk.settings import Settings

    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"heartbeat_s": "veel"}), encoding="utf-8")
    with caplog.at_level("WARNING"):
        assert Settings(path)["heartbeat_s"] == 30
    assert "heartbeat_s" in caplog.text


