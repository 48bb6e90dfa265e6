"""Issue 14, cases 3 and 4 in the windows, on SQLite and PostgreSQL.

Case 4: a save button is busy while its save is under way, and the form sends a
request id made when it opens (renewed after a successful save), so neither a
double click nor a retry after a lost answer makes two records. Case 3: a
database that refuses writes is worded as a permanent fault, not "try again".
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from baliedesk.client import LocalClient
from baliedesk.domain.errors import DatabaseUnavailable
from baliedesk.services import contacts, meldingen
from baliedesk.storage.database import Database
from baliedesk.ui.common.tasks import runner
from baliedesk.ui.meldingen.contacts import ContactPanel
from baliedesk.ui.meldingen.window import CallbackPanel, ComplaintsPanel, IntakeForm

_KEEP: list = []


@pytest.fixture(autouse=True)
def _keep_forms():
    yield
    runner().wait(10_000)
    _KEEP.clear()


class LostAnswers(LocalClient):
    """A door whose next ``lose`` saves land in the database but whose answer is lost on the
    way back (as after a timeout): the window is told the database did not answer."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lose = 0
        self.request_ids: list[str | None] = []

    def _call(self, op, arguments):
        result = super()._call(op, arguments)
        if "request_id" in arguments:
            self.request_ids.append(arguments["request_id"])
            if self.lose:
                self.lose -= 1
                raise DatabaseUnavailable("answer lost", "timeout")
        return result


def client_for(backend, user_id, now) -> LostAnswers:
    return LostAnswers(backend, user_id=user_id, clock=lambda: now, owns_backend=False)


def two_quick_clicks(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def test_two_quick_clicks_make_one_callback_note_and_one_complaint(qtbot, backend, seeded, now):
    anne = seeded.users["anne"]
    client = client_for(backend, anne, now)
    cb = CallbackPanel(client, seeded.location_id)
    qtbot.addWidget(cb)
    _KEEP.append(cb)
    cb.caller.setText("Mevrouw Bakker")
    cb.phone.setText("0596 123456")
    cb.question.setPlainText("Wanneer komt de vuilniswagen?")
    cb.for_team.setText("Team Afval")
    cb.write_button.setFocus()
    two_quick_clicks(qtbot, cb.write_button)
    assert not cb.write_button.isEnabled()  # busy while the save is under way
    qtbot.waitUntil(lambda: cb.write_button.isEnabled(), timeout=10_000)
    assert "Opgeslagen" in cb.form_message.text(), cb.form_message.text()
    runner().wait(10_000)
    assert len(contacts.open_callbacks(backend, anne, seeded.location_id, now)) == 1

    k = ComplaintsPanel(client, seeded.location_id)
    qtbot.addWidget(k)
    _KEEP.append(k)
    k.name.setText("Dhr. Jansen")
    k.subject.setText("Lang gewacht")
    k.description.setPlainText("Een uur gewacht.")
    two_quick_clicks(qtbot, k.register_button)
    assert not k.register_button.isEnabled()
    qtbot.waitUntil(lambda: k.register_button.isEnabled() and "K-2026-00001" in k.form_message.text(),
                    timeout=10_000)
    runner().wait(10_000)
    numbers = [c.number for c in contacts.complaints(backend, anne, seeded.location_id, now)]
    assert numbers == ["K-2026-00001"]


def test_a_retry_after_a_lost_answer_gives_the_same_record(qtbot, backend, seeded, now):
    """The answer of the first save is lost (a timeout); pressing again sends the same request
    id and the service hands back the first record. The next save is a new record."""
    anne = seeded.users["anne"]
    client = client_for(backend, anne, now)
    k = ComplaintsPanel(client, seeded.location_id)
    qtbot.addWidget(k)
    _KEEP.append(k)
    k.name.setText("Dhr. Jansen")
    k.subject.setText("Lang gewacht")
    k.description.setPlainText("Een uur gewacht.")
    client.lose = 1
    with qtbot.waitSignal(k.error_shown, timeout=10_000) as blocker:
        k.register()
    assert "antwoordt niet" in blocker.args[0]
    assert k.subject.text() == "Lang gewacht"  # what was typed stays
    k.register()  # the retry
    qtbot.waitUntil(lambda: "K-2026-00001" in k.form_message.text(), timeout=10_000)
    assert client.request_ids[0] == client.request_ids[1]
    k.name.setText("Mevrouw de Vries")
    k.subject.setText("Balie dicht")
    k.description.setPlainText("Om 16.00 uur al dicht.")
    k.register()
    qtbot.waitUntil(lambda: "K-2026-00002" in k.form_message.text(), timeout=10_000)
    assert client.request_ids[2] != client.request_ids[1]
    numbers = sorted(c.number for c in contacts.complaints(backend, anne, seeded.location_id, now))
    assert numbers == ["K-2026-00001", "K-2026-00002"]

    cb = CallbackPanel(client, seeded.location_id)
    qtbot.addWidget(cb)
    _KEEP.append(cb)
    cb.caller.setText("Mevrouw Bakker")
    cb.phone.setText("0596 123456")
    cb.question.setPlainText("Wanneer komt de vuilniswagen?")
    cb.for_team.setText("Team Afval")
    client.lose = 1
    with qtbot.waitSignal(cb.error_shown, timeout=10_000):
        cb.write()
    with qtbot.waitSignal(cb.written, timeout=10_000):
        cb.write()
    runner().wait(10_000)
    assert len(contacts.open_callbacks(backend, anne, seeded.location_id, now)) == 1


def test_intake_and_contact_retry_make_one_record(qtbot, backend, seeded, now):
    anne = seeded.users["anne"]
    client = client_for(backend, anne, now)
    form = IntakeForm(client, seeded.location_id)
    qtbot.addWidget(form)
    _KEEP.append(form)
    qtbot.waitUntil(lambda: form.category.count() > 1, timeout=10_000)
    form.category.setCurrentIndex(1)
    form.description.setPlainText("Lamp brandt niet")
    form.street.setText("Hoofdstraat")
    form.house_number.setText("12")
    form.postcode.setText("9919ab")
    before = len(meldingen.work_list(backend, anne, seeded.location_id, now).rows)
    client.lose = 1
    with qtbot.waitSignal(form.error_shown, timeout=10_000):
        form.save()
    assert form.save_button.isEnabled()
    with qtbot.waitSignal(form.saved, timeout=10_000):
        form.save()
    assert client.request_ids[0] == client.request_ids[1]
    assert len(meldingen.work_list(backend, anne, seeded.location_id, now).rows) == before + 1

    panel = ContactPanel(client, seeded.location_id)
    qtbot.addWidget(panel)
    _KEEP.append(panel)
    panel.subject.setText("Paspoort")
    count = len(contacts.recent_contacts(backend, anne, seeded.location_id, now))
    client.lose = 1
    with qtbot.waitSignal(panel.error_shown, timeout=10_000):
        panel.save()
    panel.save()
    qtbot.waitUntil(lambda: len(client.request_ids) == 4 and panel.save_button.isEnabled(), timeout=10_000)
    runner().wait(10_000)
    assert client.request_ids[2] == client.request_ids[3]
    assert len(contacts.recent_contacts(backend, anne, seeded.location_id, now)) == count + 1


def read_only_url(backend) -> str:
    if backend.backend == "sqlite":
        return backend.url.replace("sqlite:///", "sqlite:///file:") + "?mode=ro&uri=true"
    url = backend.url.replace("-csearch_path", "-cdefault_transaction_read_only%3Don+-csearch_path")
    assert url != backend.url
    return url


def test_a_read_only_database_is_worded_as_permanent_in_the_window(qtbot, backend, seeded, now):
    """Case 3: not "De verbinding ... is weg ... Probeer het zo nog eens", forever."""
    ro = Database(read_only_url(backend))
    try:
        client = LocalClient(ro, user_id=seeded.users["anne"], clock=lambda: now, owns_backend=False)
        cb = CallbackPanel(client, seeded.location_id)
        qtbot.addWidget(cb)
        _KEEP.append(cb)
        cb.caller.setText("Mevrouw Bakker")
        cb.phone.setText("0596 123456")
        cb.question.setPlainText("Wanneer komt de vuilniswagen?")
        cb.for_team.setText("Team Afval")
        with qtbot.waitSignal(cb.error_shown, timeout=10_000) as blocker:
            cb.write()
        text = blocker.args[0]
        assert "alleen lezen" in text and "Bel de beheerder" in text
        assert "Probeer het zo nog eens" not in text
        runner().wait(10_000)
    finally:
        ro.dispose()
    assert contacts.open_callbacks(backend, seeded.users["anne"], seeded.location_id, now) == ()


def test_the_kiosk_makes_one_request_id_per_press(qtbot, backend, seeded, now, monkeypatch):
    """One press, one request id (a retry of that call gets the same ticket back); the next
    visitor's press is a new one."""
    from baliedesk.ui.kiosk.window import KioskWindow

    sent: list[str | None] = []
    real_call = LocalClient._call

    def recording(self, op, arguments):
        if op.name.endswith("issue_ticket"):
            sent.append(arguments.get("request_id"))
        return real_call(self, op, arguments)

    monkeypatch.setattr(LocalClient, "_call", recording)
    from tests.ui.test_kiosk import FakeSettings

    w = KioskWindow(LocalClient(backend, clock=lambda: now, owns_backend=False), FakeSettings(), watch=False)
    qtbot.addWidget(w)
    _KEEP.append(w)
    w.show()
    qtbot.waitUntil(lambda: len(w.buttons()) == 4, timeout=10_000)
    for _ in range(2):
        with qtbot.waitSignal(w.ticket_shown, timeout=10_000):
            w.press(seeded.services["C"])
        w.show_start()
        qtbot.waitUntil(lambda: not w.issuing, timeout=10_000)
    assert len(sent) == 2 and all(isinstance(r, str) and len(r) == 32 for r in sent)
    assert sent[0] != sent[1]


def test_booking_is_busy_and_a_retry_makes_one_appointment(qtbot, backend, seeded, now):
    from zoneinfo import ZoneInfo

    from PySide6.QtCore import QDate

    from baliedesk.services import appointments as ap
    from baliedesk.services import demo, schedules
    from baliedesk.ui.appointments.desk import AppointmentDesk

    demo.seed_hours(backend, seeded, now)
    lead = seeded.users["fatima"]
    schedules.set_calendar_options(backend, lead, seeded.location_id, now, appointments_enabled=True)
    ap.configure_service(backend, lead, seeded.services["A"], enabled=True, duration_minutes=15)
    client = client_for(backend, seeded.users["anne"], now)
    w = AppointmentDesk(client, seeded.location_id)
    qtbot.addWidget(w)
    _KEEP.append(w)
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    day = dt.date(2026, 11, 26)
    w.day.setDate(QDate(day.year, day.month, day.day))
    qtbot.waitUntil(lambda: bool(w.slots) and w.slots[0].start.date() == day, timeout=10_000)
    w.slot_list.setCurrentRow(2)
    w.name.setText("Jan Jansen")
    w.phone.setText("06 12345678")
    client.lose = 1
    with qtbot.waitSignal(w.error_shown, timeout=10_000):
        w.book()
        assert not w.book_button.isEnabled()
        w.book()  # a double click while the first is under way: nothing
    assert w.book_button.isEnabled() and w.name.text() == "Jan Jansen"
    qtbot.waitUntil(lambda: bool(w.slots), timeout=10_000)
    w.slot_list.setCurrentRow(2)
    with qtbot.waitSignal(w.booked, timeout=10_000):
        w.book()  # the retry
    assert len(client.request_ids) == 2 and client.request_ids[0] == client.request_ids[1]
    runner().wait(10_000)
    overview = ap.day_overview(backend, seeded.users["anne"], seeded.location_id, now, day=day)
    assert len(overview.appointments) == 1
    assert overview.appointments[0].start.astimezone(ZoneInfo("Europe/Amsterdam")).hour == 9
