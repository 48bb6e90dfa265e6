""""Instellingen van deze computer": printer type, the system's printers, paper,
ESC/POS target, PDF folder, "Testbon printen"; saved only on "Opslaan"; wrong
input gets a Dutch sentence beside the field and stays as typed."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from baliedesk.client import LocalClient
from baliedesk.cli import build_parser, cmd_settings
from baliedesk.printing.config import SettingProblem, check_escpos_target
from baliedesk.printing.qtprint import PdfPages
from baliedesk.settings import Settings
from baliedesk.ui.common.tasks import runner
from baliedesk.ui.common.workstation import WorkstationWindow

NOW = dt.datetime(2026, 11, 19, 8, 30, tzinfo=dt.UTC)


def lister(names=("balie-3-laser", "bonprinter-hal"), default="balie-3-laser"):
    return lambda: (list(names), default)


def open_window(qtbot, settings, **kwargs) -> WorkstationWindow:
    kwargs.setdefault("printer_lister", lister())
    kwargs.setdefault("confirm_discard", lambda _w: True)
    w = WorkstationWindow(settings, clock=lambda: NOW, **kwargs)
    qtbot.addWidget(w)
    w.show()
    return w


def choose(combo, data) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not in the list"
    combo.setCurrentIndex(index)


def saved_json(settings: Settings) -> dict:
    return json.loads(settings.path.read_text(encoding="utf-8")) if settings.path.exists() else {}


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(tmp_path / "cfg" / "settings.json")


def test_the_form_shows_what_this_computer_has(qtbot, settings):
    settings["printer_type"] = "system"
    settings["printer_name"] = "bonprinter-hal"
    settings["printer_paper"] = "A5"
    w = open_window(qtbot, settings)
    assert w.type_combo.currentData() == "system"
    assert w.printer_names() == ["balie-3-laser", "bonprinter-hal"]
    assert w.printer_combo.currentData() == "bonprinter-hal"
    assert w.printer_combo.itemText(0) == "De standaardprinter (balie-3-laser)"
    assert w.paper_combo.currentData() == "A5"
    assert w.printer_row.isVisible() and not w.target_row.isVisible() and not w.folder_row.isVisible()
    assert not w.is_dirty()


def test_fields_follow_the_printer_type(qtbot, settings):
    w = open_window(qtbot, settings)
    assert w.type_combo.currentData() == "none" and not w.test_button.isEnabled()
    choose(w.type_combo, "escpos_network")
    assert w.target_row.isVisible() and not w.printer_row.isVisible()
    assert w.target_edit.placeholderText() == "192.168.1.50:9100" and not w.paper_combo.isEnabled()
    assert w.test_button.isEnabled()
    choose(w.type_combo, "escpos_usb")
    assert w.target_edit.placeholderText() == "04b8:0e15"
    choose(w.type_combo, "pdf_folder")
    assert w.folder_row.isVisible() and not w.target_row.isVisible() and w.paper_combo.isEnabled()


def test_nothing_is_written_until_opslaan(qtbot, settings):
    w = open_window(qtbot, settings)
    choose(w.type_combo, "escpos_network")
    w.target_edit.setText(" 192.168.1.50 ")
    assert saved_json(settings) == {} and w.is_dirty()
    with qtbot.waitSignal(w.saved, timeout=1000):
        qtbot.mouseClick(w.save_button, Qt.MouseButton.LeftButton)
    data = saved_json(settings)
    assert data["printer_type"] == "escpos_network" and data["printer_escpos_target"] == "192.168.1.50:9100"
    assert data["printer_paper"] == "80mm"
    assert w.target_edit.text() == "192.168.1.50:9100"
    assert w.notice.text() == "Opgeslagen. Deze computer print voortaan zo."
    assert not w.is_dirty()
    assert Settings(settings.path)["printer_escpos_target"] == "192.168.1.50:9100"


def test_switching_type_keeps_the_other_types_settings(qtbot, settings, tmp_path):
    settings["printer_type"] = "escpos_usb"
    settings["printer_escpos_target"] = "0x04b8:0x0e15"
    w = open_window(qtbot, settings)
    choose(w.type_combo, "pdf_folder")
    w.folder_edit.setText(str(tmp_path))
    assert w.save()
    data = saved_json(settings)
    assert data["printer_type"] == "pdf_folder" and data["printer_pdf_folder"] == str(tmp_path)
    assert data["printer_escpos_target"] == "0x04b8:0x0e15"  # there again when switching back


def test_a_wrong_address_is_said_beside_the_field_and_kept(qtbot, settings):
    w = open_window(qtbot, settings)
    choose(w.type_combo, "escpos_network")
    w.target_edit.setText("300.1.2.3:abc")
    assert not w.save()
    assert w.target_message.isVisible()
    assert w.target_message.text() == ("Dit adres klopt niet. Typ een IP-adres zoals 192.168.1.50 of een naam "
                                       "zoals bonprinter-1.")
    assert w.target_edit.text() == "300.1.2.3:abc"
    assert w.notice.text() == "Niet opgeslagen. Kijk naar de rode tekst bij de velden."
    assert saved_json(settings) == {}
    w.target_edit.setText("bon-1:99999")
    assert not w.save()
    assert w.target_message.text().startswith("Het poortnummer na de dubbele punt klopt niet.")
    qtbot.keyClicks(w.target_edit, "x")  # typing again takes the message away until checked again
    assert not w.target_message.isVisible()


def test_usb_code_is_checked(qtbot, settings):
    w = open_window(qtbot, settings)
    choose(w.type_combo, "escpos_usb")
    w.target_edit.setText("epson")
    assert not w.save()
    assert w.target_message.text().startswith("Deze USB-code klopt niet.")
    w.target_edit.setText("")
    assert not w.save()
    assert w.target_message.text() == "Vul de USB-code van de printer in, bijvoorbeeld 04b8:0e15."
    w.target_edit.setText("4B8:E15")
    assert w.save()
    assert saved_json(settings)["printer_escpos_target"] == "0x04b8:0x0e15"


def run_and_check_target(w: WorkstationWindow, settings: Settings, kind: str, text: str) -> None:
    before = saved_json(settings)
    choose(w.type_combo, kind)
    w.target_edit.setText(text)
    try:
        expected = check_escpos_target(kind, text)
    except SettingProblem:
        expected = None
    ok = w.save()
    assert w.target_edit.text() == (expected if ok else text)  # what was typed stays (or its normal form)
    if expected is None:
        assert not ok and w.target_message.isVisible() and w.target_message.text()
        assert saved_json(settings) == before
    else:
        assert ok and not w.target_message.isVisible()
        assert saved_json(settings)["printer_escpos_target"] == expected


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=80) | st.from_regex(r"[a-z0-9.\-]{1,20}(:[0-9]{0,6})?", fullmatch=True))
@example(text="\x00printer")
@example(text="[::1]:9100")
@example(text="printer:٩١٠٠")
def test_any_network_address_typed_never_crashes_or_is_lost(qtbot, tmp_path_factory, text):
    settings = Settings(tmp_path_factory.mktemp("cfg") / "settings.json")
    w = open_window(qtbot, settings)
    run_and_check_target(w, settings, "escpos_network", text)
    w.discard_and_close()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40) | st.from_regex(r"(0x)?[0-9a-fA-F]{0,5}:(0x)?[0-9a-fA-F]{0,5}", fullmatch=True))
def test_any_usb_code_typed_never_crashes_or_is_lost(qtbot, tmp_path_factory, text):
    settings = Settings(tmp_path_factory.mktemp("cfg") / "settings.json")
    w = open_window(qtbot, settings)
    run_and_check_target(w, settings, "escpos_usb", text)
    w.discard_and_close()


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=120))
def test_any_folder_typed_never_crashes_or_is_lost(qtbot, tmp_path_factory, text):
    settings = Settings(tmp_path_factory.mktemp("cfg") / "settings.json")
    w = open_window(qtbot, settings)
    choose(w.type_combo, "pdf_folder")
    w.folder_edit.setText(text)
    ok = w.save()
    assert w.folder_edit.text() == text
    if not ok:
        assert w.folder_message.isVisible() and w.folder_message.text()
        assert saved_json(settings) == {}
    else:
        assert saved_json(settings)["printer_type"] == "pdf_folder"
    w.discard_and_close()


def test_pdf_folder_must_exist_and_be_a_folder(qtbot, settings, tmp_path):
    w = open_window(qtbot, settings)
    choose(w.type_combo, "pdf_folder")
    w.folder_edit.setText(str(tmp_path / "bestaat-niet"))
    assert not w.save()
    assert w.folder_message.text() == "Deze map bestaat niet. Kies een map die er al is."
    a_file = tmp_path / "bon.pdf"
    a_file.write_bytes(b"%PDF")
    w.folder_edit.setText(str(a_file))
    assert not w.save()
    assert w.folder_message.text() == "Dit is een bestand, geen map. Kies een map."
    w.folder_edit.setText("")  # empty: the default folder
    assert w.save() and saved_json(settings)["printer_pdf_folder"] == ""


def test_choose_folder_fills_the_field(qtbot, settings, tmp_path):
    asked = []
    w = open_window(qtbot, settings, folder_dialog=lambda parent, start: asked.append(start) or str(tmp_path))
    choose(w.type_combo, "pdf_folder")
    qtbot.mouseClick(w.folder_button, Qt.MouseButton.LeftButton)
    assert asked and w.folder_edit.text() == str(tmp_path) and not w.folder_message.isVisible()


def test_a_printer_that_is_gone_is_marked_and_not_saved(qtbot, settings):
    settings["printer_type"] = "system"
    settings["printer_name"] = "oude-printer"
    w = open_window(qtbot, settings)
    assert w.printer_combo.currentText() == "oude-printer (niet gevonden)"
    assert w.printer_message.text() == ("Deze computer kent de printer oude-printer niet (meer). Kies een printer "
                                        "uit de lijst.")
    assert not w.save()
    choose(w.printer_combo, "bonprinter-hal")
    assert not w.printer_message.isVisible()
    assert w.save() and saved_json(settings)["printer_name"] == "bonprinter-hal"


def test_refresh_finds_a_new_printer(qtbot, settings):
    names = ["balie-3-laser"]
    w = open_window(qtbot, settings, printer_lister=lambda: (list(names), ""))
    assert w.printer_names() == ["balie-3-laser"]
    names.append("nieuwe-printer")
    qtbot.mouseClick(w.refresh_button, Qt.MouseButton.LeftButton)
    assert w.printer_names() == ["balie-3-laser", "nieuwe-printer"]


def test_no_printers_at_all_says_so(qtbot, settings):
    w = open_window(qtbot, settings, printer_lister=lister(names=(), default=""))
    choose(w.type_combo, "system")
    assert w.printer_message.text() == ("Deze computer heeft nog geen printer. Vraag de helpdesk om er een aan te "
                                        "sluiten.")


def test_test_slip_into_a_pdf_folder(qtbot, settings, tmp_path):
    folder = tmp_path / "bonnen"
    folder.mkdir()
    w = open_window(qtbot, settings)
    choose(w.type_combo, "pdf_folder")
    w.folder_edit.setText(str(folder))
    with qtbot.waitSignal(w.test_printed, timeout=10_000) as printed:
        qtbot.mouseClick(w.test_button, Qt.MouseButton.LeftButton)
    path = printed.args[0].job
    text = " ".join(PdfPages(open(path, "rb").read()).text().split())
    assert "Testbon" in text and "Deze printer werkt." in text and f"Printer: {folder}" in text
    assert "Donderdag 19 november 2026, 9.30 uur" in text and "€" in text
    assert w.test_notice.text() == f"Gelukt. De testbon staat in {path}"
    assert saved_json(settings) == {}, "a test print does not save the settings"


def test_test_slip_to_a_printer_that_is_not_there(qtbot, settings, tmp_path):
    settings["printer_type"] = "escpos_file"  # offered in the list because it is set
    w = open_window(qtbot, settings)
    w.target_edit.setText(str(tmp_path / "geen" / "lp0"))
    with qtbot.waitSignal(w.test_failed, timeout=10_000) as failed:
        w.print_test()
    assert failed.args[0] == (f"De printer {tmp_path / 'geen' / 'lp0'} is niet gevonden. Kies een andere printer "
                              "en print opnieuw. Of sla het bonnetje op als PDF.")
    assert w.test_notice.text() == failed.args[0] and w.test_notice.property("error") is True
    assert w.test_button.isEnabled()


def test_test_slip_to_a_network_printer_that_does_not_answer(qtbot, settings):
    w = open_window(qtbot, settings)
    choose(w.type_combo, "escpos_network")
    w.target_edit.setText("127.0.0.1:9")  # discard port, nothing listens: refused at once
    with qtbot.waitSignal(w.test_failed, timeout=20_000) as failed:
        w.print_test()
    assert failed.args[0] == ("De printer 127.0.0.1:9 staat uit of is niet bereikbaar. Zet de printer aan en print "
                              "opnieuw.")


def test_test_slip_is_refused_while_a_field_is_wrong(qtbot, settings):
    w = open_window(qtbot, settings)
    choose(w.type_combo, "escpos_network")
    w.target_edit.setText("")
    failed = []
    w.test_failed.connect(failed.append)
    w.print_test()
    runner().wait(2000)
    assert w.test_notice.text() == "Eerst moet alles kloppen. Kijk naar de rode tekst bij de velden."
    assert w.target_message.text().startswith("Vul het adres van de printer in")
    assert failed == []


def _cups_queue() -> str | None:
    if not shutil.which("lpstat"):
        return None
    p = subprocess.run(["lpstat", "-p", "baliedesk-pdf"], capture_output=True, text=True, check=False)
    return "baliedesk-pdf" if p.returncode == 0 else None


def test_test_slip_through_the_real_spooler(qtbot, settings):
    queue = _cups_queue()
    if queue is None:
        pytest.skip("no CUPS queue baliedesk-pdf here (tests/printing/conftest.py sets it up)")
    w = open_window(qtbot, settings, printer_lister=None)  # the real list: Qt (and lpstat)
    choose(w.type_combo, "system")
    runner().wait(10_000)
    qtbot.waitUntil(lambda: queue in w.printer_names(), timeout=10_000)
    choose(w.printer_combo, queue)
    with qtbot.waitSignal(w.test_printed, timeout=30_000) as printed:
        w.print_test()
    assert printed.args[0].how == "cups" and printed.args[0].job.startswith(f"{queue}-")


def test_unsaved_changes_are_asked_about_on_close(qtbot, settings):
    answers = [False, True]
    asked = []
    w = open_window(qtbot, settings, confirm_discard=lambda _w: asked.append(1) or answers.pop(0))
    choose(w.type_combo, "pdf_folder")
    w.close()
    assert w.isVisible() and len(asked) == 1  # "Terug": stays, with what was chosen
    assert w.type_combo.currentData() == "pdf_folder"
    w.close()
    assert not w.isVisible() and len(asked) == 2
    assert saved_json(settings) == {}


def test_close_without_changes_does_not_ask(qtbot, settings):
    asked = []
    w = open_window(qtbot, settings, confirm_discard=lambda _w: asked.append(1) or False)
    w.close()
    assert not w.isVisible() and asked == []


def test_a_settings_file_that_cannot_be_written(qtbot, tmp_path):
    blocker = tmp_path / "cfg"
    blocker.write_text("not a folder")
    settings = Settings(blocker / "settings.json")
    w = open_window(qtbot, settings)
    choose(w.type_combo, "pdf_folder")
    assert not w.save()
    assert w.notice.text().startswith("De instellingen konden niet worden opgeslagen.")
    assert settings["printer_type"] == "none", "not saved, so not in use either"
    assert w.type_combo.currentData() == "pdf_folder"


def test_serial_setting_is_offered_when_it_is_set(qtbot, settings):
    settings["printer_type"] = "escpos_serial"
    settings["printer_escpos_target"] = "/dev/ttyUSB0"
    w = open_window(qtbot, settings)
    assert w.type_combo.currentData() == "escpos_serial" and w.target_edit.text() == "/dev/ttyUSB0"
    assert not w.is_dirty()


def test_cli_has_the_settings_command():
    args = build_parser().parse_args(["settings"])
    assert args.func is cmd_settings


# ---------------------------------------------------------------------------
# reachable from the counter and the admin window (SQLite and PostgreSQL)
# ---------------------------------------------------------------------------
def test_counter_menu_opens_it_and_saving_changes_the_counters_printer(qtbot, backend, seeded, now, tmp_path):
    from baliedesk.ui.counter.window import CounterWindow

    settings = Settings(tmp_path / "counter.json")
    counter = CounterWindow(LocalClient(backend, clock=lambda: now, owns_backend=False), settings, watch_feed=False)
    qtbot.addWidget(counter)
    counter.show()
    assert counter.settings_button.isVisible()
    assert counter.workstation_action.text() == "Instellingen van deze computer…"
    counter.workstation_action.trigger()
    w = counter.workstation_window
    assert w is not None and w.isVisible() and w.settings is settings
    counter.workstation_action.trigger()
    assert counter.workstation_window is w, "one settings window at a time"
    choose(w.type_combo, "pdf_folder")
    w.folder_edit.setText(str(tmp_path))
    assert w.save()
    assert counter.settings["printer_type"] == "pdf_folder"
    w.close()
    qtbot.waitUntil(lambda: counter.workstation_window is None, timeout=2000)
    counter.close()
    runner().wait(10_000)


def test_admin_button_opens_it(qtbot, make_client, seeded, now, tmp_path, monkeypatch):
    from baliedesk.ui.admin.window import AdminWindow

    monkeypatch.setenv("BALIEDESK_CONFIG_DIR", str(tmp_path / "pc"))
    admin = AdminWindow(make_client(seeded.users["fatima"], clock=lambda: now), seeded.location_id)
    qtbot.addWidget(admin)
    admin.show()
    assert admin.workstation_button.text() == "Instellingen van deze computer"
    qtbot.mouseClick(admin.workstation_button, Qt.MouseButton.LeftButton)
    w = admin.workstation_window
    assert w is not None and w.isVisible()
    assert w.settings.path == tmp_path / "pc" / "settings.json"
    w.close()
    runner().wait(10_000)


def test_works_on_plain_dict_settings(qtbot, tmp_path):
    values: dict = {}
    w = open_window(qtbot, values)
    choose(w.type_combo, "pdf_folder")
    w.folder_edit.setText(str(tmp_path))
    assert w.save()
    assert values["printer_type"] == "pdf_folder" and values["printer_pdf_folder"] == str(tmp_path)
