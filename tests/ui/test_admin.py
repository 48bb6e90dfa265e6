"""The team lead's opening-hours window on a real, seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate

from baliedesk.services import schedules
from baliedesk.ui.admin.window import AdminWindow
from baliedesk.ui.common.tasks import runner




def open_admin(qtbot, make_client, ids, now, user="fatima") -> AdminWindow:
    w = AdminWindow(make_client(ids.users[user], clock=lambda: now), ids.location_id)
    qtbot.addWidget(w)
    return w


def loaded(qtbot, make_client, ids, now) -> AdminWindow:
    w = open_admin(qtbot, make_client, ids, now)
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    return w


def type_into(edit, text: str) -> None:
    edit.setText(text)
    edit.textEdited.emit(text)


def test_shows_the_weekly_hours_and_the_four_weeks(qtbot, make_client, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    assert w.day_edits[3].text() == "09:00-12:30, 13:30-16:30, 17:00-19:30"
    assert w.day_edits[5].text() == ""
    assert w.calendar.rowCount() * w.calendar.columnCount() == 28
    first = w.calendar.item(0, 0)
    assert first.text().startswith("ma 16 nov")  # the week of Thursday 19 November 2026
    thursday = w.calendar.item(0, 3).text()
    assert "17.00 - 19.30 uur" in thursday
    assert w.calendar.item(0, 5).text().endswith("Gesloten")
    # A service with its own, narrower hours.
    w.target.setCurrentIndex(w.target.findData(hours.services["C"]))
    assert w.day_edits[3].text() == "09:00-12:30, 13:30-16:30"


def test_overlap_is_explained_and_nothing_is_lost_or_saved(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    type_into(w.day_edits[0], "9:00-12:30, 12:00-16:00")
    assert w.day_edits[0].property("invalid") is True
    assert not w.save_hours_button.isEnabled()
    assert w.hours_message.text() == ("De tijden 9.00 - 12.30 en 12.00 - 16.00 op maandag lopen door elkaar. "
                                      "Pas een van de twee aan.")
    w.save_hours()  # refused before any database work
    type_into(w.day_edits[1], "16:30-13:30")
    assert w.day_edits[1].property("invalid") is True
    # Switching to a service and back keeps what was typed.
    w.target.setCurrentIndex(w.target.findData(hours.services["A"]))
    w.target.setCurrentIndex(0)
    assert w.day_edits[0].text() == "9:00-12:30, 12:00-16:00"
    assert w.day_edits[1].text() == "16:30-13:30"
    runner().wait(10_000)
    config = schedules.schedule_config(backend, hours.users["fatima"], hours.location_id)
    assert config.location_hours[0] == ((540, 750), (810, 990))


def test_save_new_hours(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    type_into(w.day_edits[2], "8:30-12:00")
    assert w.save_hours_button.isEnabled()
    with qtbot.waitSignal(w.saved, timeout=10_000):
        w.save_hours()
    qtbot.waitUntil(lambda: w.hours_message.text().startswith("Opgeslagen."), timeout=10_000)
    config = schedules.schedule_config(backend, hours.users["fatima"], hours.location_id)
    assert config.location_hours[2] == ((510, 720),)


def test_exceptions_and_the_bridge_day(qtbot, make_client, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    w.exception_date.setDate(QDate(2026, 11, 24))
    w.exception_hours.setText("")
    w.exception_note.setText("Personeelsdag")
    with qtbot.waitSignal(w.loaded, timeout=10_000):  # saved, then reloaded
        w.save_exception()
    assert "Personeelsdag" in [w.exception_table.item(r, 3).text() for r in range(w.exception_table.rowCount())]
    assert w.calendar.item(1, 1).text() == "di 24 nov\nGesloten: Personeelsdag"
    # Wrong hours: the message says so and the text stays.
    w.exception_hours.setText("14:00-10:00")
    w.save_exception()
    assert w.exception_hours.text() == "14:00-10:00"
    assert "het einde ligt voor het begin" in w.exception_message.text()
    w.fill_bridge_day()
    assert w.exception_date.date() == QDate(2027, 5, 7) and w.exception_note.text() == "Brugdag na Hemelvaart"
    w.exception_date.setDate(QDate(2026, 11, 24))
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        w.remove_exception()
    assert w.calendar.item(1, 1).text().startswith("di 24 nov\n9.00 - 12.30")


def test_choices(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    assert w.kiosk_stop.value() == 10 and not w.appointments_on.isChecked()
    w.good_friday.setChecked(True)
    w.liberation.setCurrentIndex(w.liberation.findData("every_year"))
    w.kiosk_stop.setValue(20)
    with qtbot.waitSignal(w.saved, timeout=10_000):
        w.save_options()
    opts = schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).options
    assert (opts.good_friday, opts.liberation_day, opts.kiosk_stop_minutes) == (True, "every_year", 20)


def test_the_choices_and_the_note_go_as_far_as_the_services_allow(qtbot, make_client, hours, now):
    """The window takes its limits from the domain (it imports no service module): they are the services' own."""
    w = open_admin(qtbot, make_client, hours, now)
    assert {"kiosk_stop_minutes": w.kiosk_stop.maximum(), "checkin_early_minutes": w.checkin_early.maximum(),
            "checkin_late_minutes": w.checkin_late.maximum()} == schedules.OPTION_LIMITS
    assert w.exception_note.maxLength() == schedules.NOTE_MAX_LENGTH


def test_a_clerk_gets_a_clear_message(qtbot, make_client, hours, now):
    w = open_admin(qtbot, make_client, hours, now, user="anne")
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as blocker:
        pass
    assert blocker.args[0] == "Dit mag u niet doen als baliemedewerker. Vraag het uw teamleider."
    assert w.message.text() == blocker.args[0] and not w.message.isHidden()


def test_day_cell_text_for_a_holiday(backend, hours):
    view = schedules.calendar_view(backend, hours.users["fatima"], hours.location_id, dt.date(2026, 12, 24), 2)
    assert AdminWindow.day_cell_text(view[1]) == "vr 25 dec\nGesloten: Eerste Kerstdag"
    assert AdminWindow.day_cell_text(view[0]) == "do 24 dec\n9.00 - 12.30, 13.30 - 16.30 en 17.00 - 19.30 uur"


def test_the_team_lead_edits_meldingen_categories_here_too(qtbot, make_client, hours, now):
    """The categories (team, handling term) belong to the team lead's settings: a tab of the admin window."""
    w = open_admin(qtbot, make_client, hours, now)
    panel = w.categories_panel
    assert w.tabs.tabText(w.tabs.indexOf(panel)) == "Meldingen: categorieën"
    qtbot.waitUntil(lambda: panel.table.rowCount() > 0, timeout=10_000)  # the shipped list, installed on first use
    mains = {panel.table.item(r, 0).text() for r in range(panel.table.rowCount())}
    assert {"Afval", "Wegen", "Verlichting", "Groen", "Overlast"} <= mains
