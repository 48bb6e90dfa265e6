"""The admin window's "Afspraken" tab on a real, seeded database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QDate

from baliedesk.services import appointments as ap
from baliedesk.services import schedules
from baliedesk.ui.admin.window import AdminWindow


def loaded(qtbot, make_client, ids, now, user="fatima") -> AdminWindow:
    w = AdminWindow(make_client(ids.users[user], clock=lambda: now), ids.location_id)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    return w


def choose_service(w: AdminWindow, ids, prefix: str) -> None:
    p = w.appointment_panel
    p.service.setCurrentIndex(p.service.findData(ids.services[prefix]))


def type_into(edit, text: str) -> None:
    edit.setText(text)
    edit.textEdited.emit(text)


def saved_settings(backend, ids, prefix: str):
    cfg = schedules.schedule_config(backend, ids.users["fatima"], ids.location_id)
    return next(s for s in cfg.services if s.service_id == ids.services[prefix])


def test_save_a_service_with_its_neem_mee_list(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    assert "zonder afspraken" in p.location_note.text()  # the main switch is off: said, not hidden
    choose_service(w, hours, "A")
    p.enabled.setChecked(True)
    type_into(p.duration, "20")
    type_into(p.parallel, "")
    p.bring.setPlainText("uw oude paspoort\n\n  een pasfoto  \n")
    with qtbot.waitSignal(w.saved, timeout=10_000) as blocker:
        p.save_service()
    assert blocker.args == ["service"]
    info = saved_settings(backend, hours, "A")
    assert (info.enabled, info.duration_minutes, info.max_parallel, info.bring) == (
        True, 20, None, ("uw oude paspoort", "een pasfoto"))
    assert "Lege regels" in p.service_message.text()
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    assert p.bring.toPlainText() == "uw oude paspoort\neen pasfoto"


@pytest.mark.parametrize("field, text, words", [
    ("duration", "0", "5 tot 240 minuten"),
    ("duration", "9999", "5 tot 240 minuten"),
    ("duration", "kwartier", "heel getal"),
    ("duration", "", "heel getal"),
    ("parallel", "-1", "Hoogstens tegelijk"),
    ("bring", "x" * 121, "hoogstens 120 tekens per regel"),
    ("bring", "\n".join(f"ding {i}" for i in range(13)), "hoogstens 12 regels"),
])
def test_wrong_input_is_explained_beside_the_field_and_nothing_is_saved(qtbot, make_client, backend, hours, now, field,
                                                                       text, words):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    choose_service(w, hours, "A")
    before = saved_settings(backend, hours, "A")
    p.enabled.setChecked(True)
    type_into(p.duration, "25")
    if field == "bring":
        p.bring.setPlainText(text)
    else:
        type_into(getattr(p, field), text)
    message = getattr(p, f"{field}_message")
    assert not message.isHidden() and words in message.text(), message.text()
    assert not p.save_service_button.isEnabled()
    p.save_service()  # refused before anything is sent
    assert saved_settings(backend, hours, "A") == before
    typed = p.bring.toPlainText() if field == "bring" else getattr(p, field).text()
    assert typed == text  # what was typed stays


def test_drafts_are_kept_per_service(qtbot, make_client, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    choose_service(w, hours, "A")
    type_into(p.duration, "0")
    choose_service(w, hours, "C")
    assert p.duration.text() == "10" and p.duration_message.isHidden()
    choose_service(w, hours, "A")
    assert p.duration.text() == "0" and not p.duration_message.isHidden()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=400))
def test_any_neem_mee_text_is_checked_without_crashing(qtbot, make_client, backend, hours, now, text):
    cached = getattr(test_any_neem_mee_text_is_checked_without_crashing, "_window", None)
    if cached is None or cached[0] is not backend:  # one window per database (and mode)
        cached = (backend, loaded(qtbot, make_client, hours, now))
        test_any_neem_mee_text_is_checked_without_crashing._window = cached  # type: ignore[attr-defined]
    w = cached[1]
    p = w.appointment_panel
    p.bring.setPlainText(text)
    shown = p.bring.toPlainText()  # Qt's own form of the text (a lone \r becomes a line break)
    values = p.check_service()
    assert p.bring.toPlainText() == shown
    if values is None:
        assert p.bring_message.text()
    else:
        assert all(item and len(item) <= 120 for item in values[2])


def test_blocks_add_and_remove(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    p.block_kind.setCurrentIndex(p.block_kind.findData("weekly"))
    p.block_weekday.setCurrentIndex(1)  # dinsdag
    p.block_from.setText("9:00")
    p.block_to.setText("10:00")
    p.block_note.setText("Werkoverleg")
    with qtbot.waitSignal(w.saved, timeout=10_000):
        p.add_block()
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    assert p.block_table.rowCount() == 1
    assert [p.block_table.item(0, c).text() for c in range(4)] == [
        "elke dinsdag", "9.00 - 10.00 uur", "De hele locatie", "Werkoverleg"]
    cfg = schedules.schedule_config(backend, hours.users["fatima"], hours.location_id)
    assert [(b.weekday, b.start, b.end, b.service_id) for b in cfg.blocks] == [(1, 540, 600, None)]
    p.block_table.selectRow(0)
    with qtbot.waitSignal(w.saved, timeout=10_000):
        p.remove_block()
    assert schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).blocks == ()


@pytest.mark.parametrize("start, end, words", [
    ("13:30", "12:30", "het einde ligt voor het begin"),
    ("12:30", "12:30", "hetzelfde moment"),
    ("half een", "13:00", "geen goede tijd"),
])
def test_a_wrong_block_time_is_explained_and_kept(qtbot, make_client, backend, hours, now, start, end, words):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    p.block_from.setText(start)
    p.block_to.setText(end)
    p.block_note.setText("Lunch")
    p.add_block()
    assert words in p.block_time_message.text(), p.block_time_message.text()
    assert (p.block_from.text(), p.block_to.text(), p.block_note.text()) == (start, end, "Lunch")
    assert schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).blocks == ()


def test_a_too_long_block_note_is_refused_by_the_service_and_kept(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    p.block_from.setText("12:30")
    p.block_to.setText("13:30")
    p.block_note.setText("lang " * 60)
    with qtbot.waitSignal(w.error_shown, timeout=10_000):
        p.add_block()
    assert "te lang" in p.block_note_message.text()
    assert p.block_note.text() == "lang " * 60
    assert schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).blocks == ()


def test_services_refuse_a_clerk(backend, hours, now):
    from baliedesk.domain.errors import PermissionDenied

    clerk = hours.users["anne"]
    with pytest.raises(PermissionDenied):
        ap.configure_service(backend, clerk, hours.services["A"], enabled=True, duration_minutes=15, bring="x")
    with pytest.raises(PermissionDenied):
        ap.add_block(backend, clerk, hours.location_id, "12:00", "13:00", weekday=1)
    block = ap.add_block(backend, hours.users["fatima"], hours.location_id, "12:00", "13:00", weekday=1)
    with pytest.raises(PermissionDenied):
        ap.remove_block(backend, clerk, hours.location_id, block.id)
    assert ap.configure_service(backend, hours.users["beheer"], hours.services["A"], duration_minutes=30
                                ).duration_minutes == 30
    assert saved_settings(backend, hours, "A").enabled is False


def test_block_targets_are_the_location_its_services_and_its_counters(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    targets = [p.block_target.itemData(i) for i in range(p.block_target.count())]
    assert targets == (["location"] + [f"service:{sid}" for sid in hours.services.values()]
                       + [f"counter:{cid}" for cid in sorted(hours.counters.values())])
    p.block_target.setCurrentIndex(p.block_target.findData(f"service:{hours.services['C']}"))
    p.block_kind.setCurrentIndex(p.block_kind.findData("weekly"))
    p.block_weekday.setCurrentIndex(4)  # vrijdag
    p.block_from.setText("15:00")
    p.block_to.setText("16:30")
    with qtbot.waitSignal(w.saved, timeout=10_000):
        p.add_block()
    (b,) = schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).blocks
    assert (b.weekday, b.start, b.end, b.service_id) == (4, 900, 990, hours.services["C"])


def test_a_block_for_one_counter(qtbot, make_client, backend, hours, now):
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    p.block_kind.setCurrentIndex(p.block_kind.findData("date"))
    p.block_date.setDate(QDate(2026, 11, 26))
    p.block_from.setText("12:00")
    p.block_to.setText("12:30")
    p.block_target.setCurrentIndex(p.block_target.findData(f"counter:{hours.counters['Balie 3']}"))
    p.block_note.setText("Lunch")
    with qtbot.waitSignal(w.saved, timeout=10_000):
        p.add_block()
    with qtbot.waitSignal(w.loaded, timeout=10_000):
        pass
    assert [p.block_table.item(0, c).text() for c in range(4)] == [
        "donderdag 26 november 2026", "12.00 - 12.30 uur", "Balie: Balie 3", "Lunch"]
    (b,) = schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).blocks
    assert (b.day, b.start, b.end, b.counter_id, b.service_id) == (
        dt.date(2026, 11, 26), 720, 750, hours.counters["Balie 3"], None)


def test_a_counter_gone_meanwhile_is_refused_in_dutch(qtbot, make_client, backend, hours, now):
    """The combo still lists a counter a colleague moved to another location meanwhile: the service refuses it."""
    w = loaded(qtbot, make_client, hours, now)
    p = w.appointment_panel
    cid = hours.counters["Balie 2"]
    with backend.unit_of_work(write=True) as uow:
        other = uow.directory.create("location", name="Elders", timezone="Europe/Amsterdam",
                                     ordering_mode="longest_wait", no_show_after_recalls=2,
                                     counter_gone_after_s=120, active=True)
        uow.directory.counter(cid).location_id = other.id
        uow.commit()
    p.block_from.setText("12:00")
    p.block_to.setText("12:30")
    p.block_target.setCurrentIndex(p.block_target.findData(f"counter:{cid}"))
    with qtbot.waitSignal(w.error_shown, timeout=10_000) as shown:
        p.add_block()
    assert shown.args == ["Deze balie hoort niet bij deze locatie of bestaat niet meer. Kies een andere balie."]
    assert p.block_message.text() == shown.args[0]
    assert schedules.schedule_config(backend, hours.users["fatima"], hours.location_id).blocks == ()


def test_block_refusals_have_their_own_words():
    from baliedesk.domain.errors import NotFound, ValidationError
    from baliedesk.ui.admin.appointments import block_message_for
    from baliedesk.ui.common.messages import message_for

    assert block_message_for(ValidationError("block", "service_or_counter")) == (
        "Kies voor de blokkade een dienst of een balie, niet allebei.")
    assert block_message_for(NotFound("counter", 7)).startswith("Deze balie hoort niet bij deze locatie")
    assert block_message_for(NotFound("service", 7)) == message_for(NotFound("service", 7))
